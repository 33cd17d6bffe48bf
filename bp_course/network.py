r"""A multilayer perceptron whose backward pass is the recursive delta rule.

Notation (Lessons 04-06, Eq. 1-5 of the course): layer ``l`` has the weighted
input ``net[l]`` and the output ``out[l] = phi_l(net[l])``; the input units
are linear, so ``net[0] = out[0] = x``. ``W[l]`` has shape
``(sizes[l], sizes[l + 1])`` and holds the weight w_ij from neuron i of layer
l to neuron j of layer l + 1, so for a batch (one example per row)

.. math:: \mathrm{net}^{(l+1)} = \mathrm{out}^{(l)} W^{(l)} + b^{(l)}.

The backward pass computes the deltas delta_j = dE/dnet_j:

* output layer (Eq. 3 and 4): ``delta[L] = dE/dout[L] * phi'(net[L])``
* hidden layers (Eq. 5): ``delta[l] = (delta[l + 1] @ W[l].T) * phi'(net[l])``
* weights and biases (Eq. 1 and 2): ``dW[l] = out[l].T @ delta[l + 1]`` and
  ``db[l] = delta[l + 1]`` summed over the examples.

The loss already averages over the batch, so the sums over examples inside
the matrix products give the gradient of the average error. There is no
Python loop over examples; the only loop runs over layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from bp_course._validate import as_float_array, choose, class_labels, positive_number
from bp_course.activations import get_activation
from bp_course.gradcheck import parameter_names
from bp_course.losses import get_loss

__all__ = ["Network", "Forward", "Gradients", "TrainingDiverged", "INITS"]

INITS = ("lecun", "he", "xavier")
"""Named weight initializations: standard deviations sqrt(1/n_in), sqrt(2/n_in), sqrt(2/(n_in + n_out))."""


@dataclass
class Forward:
    """Everything the forward pass computed, kept for the backward pass.

    Attributes
    ----------
    net : list of ndarray
        ``net[l]`` for l = 0..L (``net[0]`` is the input x).
    out : list of ndarray
        ``out[l] = phi_l(net[l])`` for l = 0..L (``out[0]`` is x, ``out[L]`` is y).
    """

    net: list
    out: list

    @property
    def y(self) -> np.ndarray:
        """The network's output ``out[L]``."""
        return self.out[-1]


@dataclass
class _Work:
    """Arrays a training loop reuses from step to step, per layer (see :meth:`Network._work`)."""

    net: list
    out: list
    delta: list
    product: list
    dW: list
    db: list


@dataclass
class _Plan:
    """The arrays :meth:`Network.train_epoch` works in for batches of ``n`` examples (:meth:`Network._train_plan`).

    The training loop keeps each layer's bias as one more row of its weight
    matrix, ``Wb[l] = [W[l]; b[l]]``: a bias is the weight of an extra input
    that is always 1, and learns by the same rule (Eq. 1-2). It stores a
    batch with one column per example (``out[l]`` has shape
    ``(sizes[l] + 1, n)``, its last row all ones), so that
    ``net[l + 1] = Wb[l].T @ out[l]`` is one matrix product with the bias
    included, every element-wise operation runs over contiguous memory,
    and ``dE/dWb[l] = out[l] @ delta[l + 1].T`` holds dW and db together.

    Attributes
    ----------
    Wb : list of ndarray
        ``[W[l]; b[l]]`` per layer, shared by the plans of every batch size;
        the epoch updates these, and :attr:`Network.W` and :attr:`Network.b`
        receive them at its end.
    out : list of ndarray
        ``out[l]`` for l = 1..L (``out[0]`` is None: the batch itself).
    net_out : list of ndarray
        ``out[l]`` without its row of ones: net on entry to the activation,
        phi(net) on return.
    keep : list of ndarray
        What each activation keeps for its slope (see :class:`bp_course.activations.Activation`).
    delta : list of ndarray
        ``delta[l]``, one column per example, for l = 1..L.
    grad : list of ndarray
        ``eta dE/dWb[l]``, shaped like ``Wb[l]``.
    forward, output, backward, input_layer : list of tuple, tuple
        The arguments of the steps of :meth:`Network._train_forward` and
        :meth:`Network._train_backward` (per layer, for the output layer, per
        hidden layer, for the first layer), views and functions looked up
        once instead of at every step.
    """

    Wb: list
    out: list
    net_out: list
    keep: list
    delta: list
    grad: list
    forward: list
    output: tuple
    backward: list
    input_layer: tuple


@dataclass
class Gradients:
    """Gradients of the error with respect to every parameter.

    Attributes
    ----------
    dW, db : list of ndarray
        dE/dW[l] and dE/db[l], shaped like ``W[l]`` and ``b[l]``.
    delta : list of ndarray
        ``delta[l] = dE/dnet[l]`` for l = 0..L; ``delta[0]`` is dE/dx.
    E : float
        The error at the parameters the gradients were taken at.
    """

    dW: list
    db: list
    delta: list
    E: float

    def as_list(self) -> list:
        """``[dW[0], db[0], dW[1], db[1], ...]``, the order of :attr:`Network.params`."""
        return [g for pair in zip(self.dW, self.db) for g in pair]


class Network:
    r"""A fully connected feed-forward network trained by backpropagation.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, input first: ``[2, 2, 1]`` is the 2-2-1 network of
        Lesson 05. At least two layers (input and output).
    activations : str or sequence of str, optional
        One activation name for every layer, or one per layer after the
        input (``len(sizes) - 1`` names). See :data:`bp_course.activations.ACTIVATIONS`.
    loss : str, optional
        ``"squared_error"`` (default), ``"softmax_cross_entropy"`` or
        ``"logistic_cross_entropy"``; the cross-entropies apply the softmax
        or the logistic themselves, so they need an ``"identity"`` output
        layer (Lesson 08).
    seed : int, optional
        Seed of the weight initialization; the same seed gives the same network.
    init : {"lecun", "he", "xavier"} or float, optional
        Standard deviation of the normally distributed initial weights
        (a float gives it directly). Biases start at zero.
    dtype : numpy floating dtype, optional
        float64 by default; Lesson 07 compares float32.

    Examples
    --------
    >>> net = Network([2, 2, 1], "logistic", seed=0)
    >>> [w.shape for w in net.W]
    [(2, 2), (2, 1)]
    >>> g = net.gradients([1.0, 1.0], [0.0])
    >>> [dw.shape for dw in g.dW]
    [(2, 2), (2, 1)]
    """

    def __init__(self, sizes: Sequence[int], activations="logistic", *, loss="squared_error",
                 seed: int = 0, init="lecun", dtype=np.float64):
        self.sizes = _layer_sizes(sizes)
        n_layers = len(self.sizes) - 1
        if isinstance(activations, str):
            activations = [activations] * n_layers
        activations = list(activations)
        if len(activations) != n_layers:
            raise ValueError(
                f"got {len(activations)} activation names for {n_layers} layers after the input; "
                "give one name, or one per layer"
            )
        self.activations = [get_activation(name) for name in activations]
        self.loss = get_loss(loss)
        if self.loss.on_net and self.activations[-1].name != "identity":
            squash = "softmax" if self.loss.name == "softmax_cross_entropy" else "logistic"
            raise ValueError(
                f"{self.loss.name} applies the {squash} itself: use activation 'identity' on the "
                f"output layer, not {self.activations[-1].name!r}"
            )
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise TypeError(f"dtype must be a floating type such as float64, got {self.dtype}")
        rng = np.random.default_rng(seed)
        self.W, self.b = [], []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            std = _init_std(init, n_in, n_out)
            self.W.append((std * rng.standard_normal((n_in, n_out))).astype(self.dtype))
            self.b.append(np.zeros(n_out, dtype=self.dtype))

    def __repr__(self) -> str:
        layers = "-".join(str(s) for s in self.sizes)
        acts = ", ".join(a.name for a in self.activations)
        return f"Network({layers}, activations=[{acts}], loss={self.loss.name!r}, dtype={self.dtype.name})"

    @property
    def params(self) -> list:
        """``[W[0], b[0], W[1], b[1], ...]``: the arrays themselves, not copies."""
        return [p for pair in zip(self.W, self.b) for p in pair]

    # -- forward -------------------------------------------------------------
    def _inputs(self, x, finite: bool = True):
        """Inputs x as an array of the network's dtype, checked; ``finite=False`` leaves out nan and inf.

        :meth:`train_epoch` makes that check on its shuffled copy of x instead,
        which it has just written and finds in the processor's cache (x itself,
        read once more, may have left it).
        """
        x = as_float_array(x, "inputs x", dtype=self.dtype, allow_nonfinite=not finite)
        if x.ndim not in (1, 2):
            raise ValueError(f"inputs x must be 1-D (one example) or 2-D (examples x features), got shape {x.shape}")
        if x.shape[-1] != self.sizes[0]:
            raise ValueError(f"expected {self.sizes[0]} input features, got {x.shape[-1]} (x has shape {x.shape})")
        if x.ndim == 2 and x.shape[0] == 0:
            raise ValueError("inputs x hold no examples")
        return x

    def forward(self, x, *, reuse: bool = False) -> Forward:
        """Forward pass, keeping every layer's ``net`` and ``out`` (Lesson 05).

        Parameters
        ----------
        x : array_like
            One example ``(n_inputs,)`` or a batch ``(n_examples, n_inputs)``.
            The stored arrays have the same number of dimensions as ``x``.
        reuse : bool, optional
            Write into the network's own work arrays instead of new ones, so
            a training loop allocates nothing per step; the next ``reuse``
            call overwrites them (use each result before the next step).
        """
        x = self._inputs(x)
        if x.ndim == 1:
            forward = self._forward(x[None, :], reuse)
            return Forward(net=[a[0] for a in forward.net], out=[a[0] for a in forward.out])
        return self._forward(x, reuse)

    def _work(self, n: int, reuse: bool):
        """The network's work arrays for batches of ``n`` examples, or None (allocate afresh) without ``reuse``.

        Fresh large arrays at every step cost page faults that can rival the
        matrix products themselves (benchmarks/README.md); a training loop
        reuses one set per batch size instead.
        """
        if not reuse:
            return None
        cache = self.__dict__.setdefault("_work_cache", {})
        if n not in cache:
            def arrays(widths):
                return [np.empty((n, w), dtype=self.dtype) for w in widths]
            cache[n] = _Work(net=arrays(self.sizes[1:]), out=arrays(self.sizes[1:]),
                             delta=[None] + arrays(self.sizes[1:]), product=[None] + arrays(self.sizes[1:]),
                             dW=[np.empty_like(w) for w in self.W], db=[np.empty_like(b) for b in self.b])
        return cache[n]

    def _forward(self, x, reuse: bool = False) -> Forward:
        """The forward pass on a checked batch ``(n, n_inputs)``."""
        work = self._work(len(x), reuse)
        net, out = [x], [x]
        for l, (W, b, act) in enumerate(zip(self.W, self.b, self.activations)):
            z = np.matmul(out[-1], W, out=None if work is None else work.net[l])
            z += b
            o = np.empty_like(z) if work is None else work.out[l]
            act.raw(z, o)
            net.append(z)
            out.append(o)
        return Forward(net=net, out=out)

    def predict(self, x) -> np.ndarray:
        """The network's output y for inputs x."""
        return self.forward(x).y

    # -- error and backward --------------------------------------------------
    def _targets(self, t, shape, finite: bool = True):
        """Targets t as an array of the network's dtype, of the given shape and in the loss's domain.

        ``finite=False`` checks only the shape, leaving nan, inf and the loss's domain to the caller (as
        :meth:`train_epoch` does, on its shuffled copy).
        """
        t = as_float_array(t, "targets t", dtype=self.dtype, allow_nonfinite=not finite)
        if t.shape != shape:
            raise ValueError(
                f"expected targets of shape {shape} (one row per example, {self.sizes[-1]} output(s)), "
                f"got shape {t.shape}"
            )
        if finite:
            self.loss.check_targets(t)
        return t

    def error(self, x, t) -> float:
        """The error E of the network on inputs x and targets t, averaged over examples."""
        y = self.predict(x)
        return self.loss.value(y, self._targets(t, y.shape))

    def backward(self, forward: Forward, t, *, input_delta: bool = False, reuse: bool = False) -> Gradients:
        """Backward pass: the recursive delta rule (Lesson 05, Eq. 1-5).

        Parameters
        ----------
        forward : Forward
            The result of :meth:`forward` on the inputs the targets belong to.
        t : array_like
            Targets, shaped like ``forward.y``.
        input_delta : bool, optional
            Also compute ``delta[0] = dE/dx``, one more matrix product that
            training never needs (``delta[0]`` is None otherwise).
        reuse : bool, optional
            Write the gradients into the network's work arrays, as
            :meth:`forward` does; the next ``reuse`` call overwrites them.
        """
        y = forward.y
        t = self._targets(t, y.shape)
        single = y.ndim == 1
        net = [np.atleast_2d(a) for a in forward.net]
        out = [np.atleast_2d(a) for a in forward.out]
        dW, db, delta = self._backprop(net, out, np.atleast_2d(t), input_delta, reuse=reuse)
        if single:
            delta = [None if d is None else d[0] for d in delta]
        return Gradients(dW=dW, db=db, delta=delta, E=self.loss.value(y, t))

    def _backprop(self, net, out, t, input_delta=False, scale=None, reuse=False):
        """dW, db and the deltas from a checked batch; no validation, one loop over the layers.

        With ``scale`` (training passes eta), every result comes out multiplied
        by it: the output delta is scaled once and the chain carries the factor.
        """
        L = len(self.W)
        work = self._work(len(out[0]), reuse)
        delta = [None] * (L + 1)
        dE_dout = self.loss.raw_gradient(out[L], t, 1.0 if scale is None else scale)  # Eq. 4
        delta[L] = np.empty_like(out[L]) if work is None else work.delta[L]
        self.activations[L - 1].derivative(net[L], out[L], delta[L])                  # Eq. 3
        delta[L] *= dE_dout
        dW, db = [None] * L, [None] * L
        for l in range(L - 1, -1, -1):
            dW[l] = np.matmul(out[l].T, delta[l + 1], out=None if work is None else work.dW[l])   # Eq. 1-2
            db[l] = np.add.reduce(delta[l + 1], axis=0, out=None if work is None else work.db[l])  # np.sum, minus
            # its Python wrapper, which costs more than the sum itself for a mini-batch of 10
            if l > 0:
                delta[l] = np.empty_like(out[l]) if work is None else work.delta[l]
                self.activations[l - 1].derivative(net[l], out[l], delta[l])
                delta[l] *= np.matmul(delta[l + 1], self.W[l].T,                                   # Eq. 5
                                      out=None if work is None else work.product[l])
            elif input_delta:
                delta[0] = delta[1] @ self.W[0].T                                      # dE/dx
        return dW, db, delta

    def gradients(self, x, t) -> Gradients:
        """Forward and backward pass in one call: dE/dW, dE/db at inputs x, targets t."""
        return self.backward(self.forward(x), t)

    # -- learning --------------------------------------------------------------
    def step(self, grads: Gradients, eta) -> None:
        """Gradient-descent update, w <- w - eta dE/dw, in place (Lesson 02).

        Parameters
        ----------
        grads : Gradients
            From :meth:`gradients` or :meth:`backward`.
        eta : float
            The learning rate, a positive finite number.
        """
        eta = positive_number(eta, "learning rate eta")
        for p, g in zip(self.params, grads.as_list()):
            p -= eta * g

    def train_step(self, x, t, eta) -> float:
        """One gradient-descent step on (x, t); returns the error before the step.

        Raises
        ------
        TrainingDiverged
            If the step overflows or computes an invalid value (inf - inf,
            0 * inf), or the outputs are not finite: the mark of too large a
            learning rate. The weights are put back to where they were before
            the step, and no NumPy warning is issued.
        """
        eta = positive_number(eta, "learning rate eta")
        x = self._inputs(x)
        t = self._targets(t, x.shape[:-1] + (self.sizes[-1],))
        before = [p.copy() for p in self.params]
        try:
            with np.errstate(over="call", invalid="call", call=_raise_non_finite):
                forward = self.forward(x)
                if not np.all(np.isfinite(forward.y)):
                    raise _NonFinite("outputs y that are nan or inf")
                grads = self.backward(forward, t)
                self.step(grads, eta)
        except _NonFinite as error:
            raise self._failure(before, eta, "train_step", f"in this train_step ({error})") from None
        return grads.E

    def train_epoch(self, x, t, eta, batch_size: int, *, seed=None) -> None:
        """One epoch of mini-batch stochastic gradient descent (Lesson 09).

        The examples are shuffled (by ``seed``), cut into mini-batches of
        ``batch_size`` (the last may be smaller), and each batch takes one
        step w <- w - eta dE/dw with E averaged over the batch. Inputs and
        targets are checked once per epoch, as :meth:`gradients` checks them,
        not per batch; each step is the same forward pass and delta rule as
        :meth:`gradients`, updating the weights in place.

        Parameters
        ----------
        x, t : array_like
            Inputs ``(n, n_inputs)`` and targets ``(n, n_outputs)``.
        eta : float
            Learning rate.
        batch_size : int
            Examples per step.
        seed : int or numpy.random.Generator, optional
            Order of the examples; the same seed gives the same epoch.

        Raises
        ------
        ValueError
            For inputs or targets :meth:`gradients` would refuse (the shapes,
            non-finite values, targets outside the loss's domain), checked
            once for the whole data set before the first step.
        TrainingDiverged
            As :meth:`train_step` does, when training diverges. A step that
            overflows or computes an invalid value stops the epoch at once,
            and the message names the step; weights that are nan or inf at
            the end of the epoch stop it too. Either way the weights are put
            back to where the epoch started, and no NumPy warning is issued.

        Notes
        -----
        The check costs nothing per step: NumPy's floating-point error
        handling (``np.errstate(over="call", invalid="call")``) calls a
        function that raises the moment an operation overflows or turns
        invalid, which is how nan and inf first arise from finite weights and
        data. One check of every weight at the end of the epoch is the safety
        net for anything no flag reported.

        The epoch works on copies of the weights with each bias stacked
        under its weight matrix, and on one shuffled copy of the data cut
        into contiguous batches, one column per example (see
        :class:`_Plan`); the network keeps these arrays for the next epoch,
        so a training run allocates nothing after its first epoch. The
        weights reach :attr:`W` and :attr:`b` at the end of the epoch.
        """
        eta = positive_number(eta, "learning rate eta")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        x = self._inputs(x, finite=False)
        if x.ndim != 2:
            raise ValueError(f"train_epoch needs a batch x of shape (examples, features), got shape {x.shape}")
        n = len(x)
        t = self._targets(t, (n, self.sizes[-1]), finite=False)
        batches = self._shuffled_batches(x, t, np.random.default_rng(seed).permutation(n), int(batch_size))
        data = self._train_cache["data"]
        if not (np.isfinite(data["x"]).all() and np.isfinite(data["t"]).all()):
            self._inputs(x)                                 # raise the error naming the nan or inf,
            self._targets(t, t.shape)                       # in x first
        self.loss.check_targets(t)
        Wb = batches[0][2].Wb
        for Wb_l, W, b in zip(Wb, self.W, self.b):
            Wb_l[:-1] = W
            Wb_l[-1] = b
        forward, backward = self._train_forward, self._train_backward
        k = 0
        try:
            with np.errstate(over="call", invalid="call", call=_raise_non_finite):
                for k, (x_batch, t_batch, plan) in enumerate(batches):
                    forward(plan, x_batch)
                    backward(plan, x_batch, t_batch, eta)
        except _NonFinite as error:
            start = k * batch_size
            raise self._failure(None, eta, "epoch", f"at step {k + 1} of {len(batches)} of this epoch (shuffled "
                                            f"examples {start}-{min(start + batch_size, n) - 1}: {error})") from None
        if not all(np.isfinite(w).all() for w in Wb):
            broken = self._non_finite([part for w in Wb for part in (w[:-1], w[-1])])
            raise self._failure(None, eta, "epoch", f"during this epoch of {len(batches)} step(s): "
                                            f"{', '.join(broken)} became nan or inf without an overflow NumPy could "
                                            "see, so no step is named")
        for Wb_l, W, b in zip(Wb, self.W, self.b):
            W[...] = Wb_l[:-1]
            b[...] = Wb_l[-1]

    # -- the training loop's own forward and backward pass ----------------------
    def _train_plan(self, n: int) -> _Plan:
        """The work arrays of :meth:`train_epoch` for batches of ``n`` examples, made once and kept.

        Plans for several batch sizes (a smaller last batch) share the
        stacked weights ``Wb``; all of them are made afresh if the layer
        sizes, the activations or the loss changed.
        """
        key = (tuple(w.shape for w in self.W), self.dtype, tuple(self.activations), self.loss)
        cache = self.__dict__.get("_train_cache")
        if cache is None or cache["key"] != key:
            cache = self.__dict__["_train_cache"] = {
                "key": key, "plans": {}, "data": None,
                "Wb": [np.vstack([W, b]).astype(self.dtype) for W, b in zip(self.W, self.b)]}
        if n in cache["plans"]:
            return cache["plans"][n]
        L, Wb, dtype, acts, loss = len(self.W), cache["Wb"], self.dtype, self.activations, self.loss
        out = [None] + [np.ones((s + 1, n), dtype=dtype) for s in self.sizes[1:]]  # the last row stays 1
        net_out = [None] + [a[:-1] for a in out[1:]]
        keep = [None] + [np.empty((s, n), dtype=dtype) for s in self.sizes[1:]]
        delta = [None] + [np.empty((s, n), dtype=dtype) for s in self.sizes[1:]]
        grad = [np.empty_like(w) for w in Wb]
        gradient_into = loss.gradient_into
        if gradient_into is None:
            def gradient_into(y, t, scale, into):
                np.copyto(into, loss.raw_gradient(y, t, scale))
        plan = cache["plans"][n] = _Plan(
            Wb=Wb, out=out, net_out=net_out, keep=keep, delta=delta, grad=grad,
            forward=[(Wb[l].T, out[l], net_out[l + 1], keep[l + 1], acts[l].activate) for l in range(L)],
            output=(net_out[L].T, delta[L].T, delta[L], net_out[L], keep[L], gradient_into, acts[L - 1].times_slope),
            backward=[(out[l], delta[l + 1].T, delta[l + 1], grad[l], Wb[l], Wb[l][:-1], delta[l], net_out[l],
                       keep[l], acts[l - 1].times_slope) for l in range(L - 1, 0, -1)],
            input_layer=(delta[1].T, grad[0], Wb[0]))
        return plan

    def _shuffled_batches(self, x, t, order, batch_size: int) -> list:
        """The epoch's mini-batches ``(x_batch, t_batch, plan)``: views of one shuffled copy of x and t.

        ``x_batch`` holds one column per example and a last row of ones (the
        bias's input); ``t_batch`` is ``(examples, outputs)``, a view of
        targets stored one column per example. The shuffled copies are kept
        for the next epoch on data of the same shapes, and so are the views
        that cut them into batches.
        """
        n = len(x)
        self._train_plan(batch_size)                    # makes the cache current for this network
        cache = self.__dict__["_train_cache"]
        data = cache["data"]
        if data is None or data["shapes"] != (x.shape, t.shape):
            data = cache["data"] = {"shapes": (x.shape, t.shape), "batches": {}, "rows": np.arange(n),
                                    "x": np.ones((n, x.shape[1] + 1), dtype=self.dtype),
                                    "t": np.empty((t.shape[1], n), dtype=self.dtype)}
        position = np.empty(n, dtype=np.intp)
        position[order] = data["rows"]                  # example order[i] goes to row i
        data["x"][:, :-1][position] = x                 # one pass, beside the column of ones
        np.copyto(data["t"], np.take(t, order, axis=0, mode="clip").T)   # valid indices: "clip" skips a buffer
        if batch_size not in data["batches"]:
            data["batches"][batch_size] = [
                (data["x"][start:start + batch_size].T, data["t"][:, start:start + batch_size].T,
                 self._train_plan(min(batch_size, n - start))) for start in range(0, n, batch_size)]
        return data["batches"][batch_size]

    def _train_forward(self, plan: _Plan, x) -> None:
        """The forward pass of a training step on ``x`` (one column per example, a last row of ones)."""
        for WbT, out, z, keep, activate in plan.forward:
            np.matmul(WbT, x if out is None else out, out=z)                # net = Wb.T @ out: W and b at once
            activate(z, keep)

    def _train_backward(self, plan: _Plan, x, t, eta) -> None:
        """The delta rule and the update Wb <- Wb - eta dE/dWb of a training step, after :meth:`_train_forward`."""
        yT, deltaT, delta, y, keep, gradient_into, times_slope = plan.output
        gradient_into(yT, t, eta, deltaT)                                   # eta dE/dout (Eq. 4)
        times_slope(delta, y, keep)                                         # eta delta (Eq. 3)
        for out, deltaT, delta, grad, Wb, W, delta_below, out_below, keep, times_slope in plan.backward:
            np.matmul(out, deltaT, out=grad)                                # Eq. 1-2: dW and db together
            np.matmul(W, delta, out=delta_below)                            # Eq. 5, with W before its update
            times_slope(delta_below, out_below, keep)
            Wb -= grad
        deltaT, grad, Wb = plan.input_layer
        np.matmul(x, deltaT, out=grad)
        Wb -= grad

    def _non_finite(self, params) -> list:
        """Names of the arrays in ``params`` (ordered like :attr:`params`) that hold nan or inf."""
        return [name for name, p in zip(parameter_names(len(self.W)), params) if not np.isfinite(p).all()]

    def _failure(self, before, eta, call, where) -> ValueError:
        """Put the parameters ``before`` back; the error to raise for the failed ``call`` ("train_step", "epoch").

        ``before=None``: the parameters were never changed (an epoch works on copies).
        """
        if before is None:
            before = self.params
        for p, saved in zip(self.params, before):
            np.copyto(p, saved)
        broken = self._non_finite(before)
        if broken:
            return ValueError(f"{', '.join(broken)} already held nan or inf before this {call} (a network that "
                              "diverged earlier, or weights set by hand): create the network afresh")
        return TrainingDiverged(eta, where)

    def accuracy(self, x, labels) -> float:
        """Share of examples whose largest output is at the index of their label (classification).

        Parameters
        ----------
        x : array_like
            Inputs, one example per row.
        labels : array_like of int
            One class index per example, each in 0..n_outputs - 1.

        Raises
        ------
        ValueError, TypeError
            For labels that are not integers, not one per example, or not a
            valid output index (see :func:`bp_course._validate.class_labels`).

        Examples
        --------
        >>> net = Network([2, 2], "identity")
        >>> net.W[0] = np.eye(2)
        >>> net.accuracy([[1.0, 0.0], [0.0, 1.0]], [0, 0])
        0.5
        """
        y = np.atleast_2d(self.predict(x))
        labels = class_labels(labels, len(y), self.sizes[-1])
        return float(np.mean(np.argmax(y, axis=1) == labels))


class TrainingDiverged(ValueError):
    """Training produced nan or inf: the learning rate is too large (Lesson 02's divergence).

    Parameters
    ----------
    eta : float
        The learning rate the step was taken with.
    where : str
        Which step, and what was not finite.
    """

    def __init__(self, eta: float, where: str):
        self.eta = eta
        super().__init__(f"training diverged {where}. The learning rate eta = {eta:g} is too large for this "
                         f"network and data: try a smaller one (eta = {eta / 10:g}, say).")


class _NonFinite(ArithmeticError):
    """Raised from inside NumPy when a training step overflows or computes an invalid value."""


def _raise_non_finite(kind: str, flag: int) -> None:
    """The ``np.errstate(call=...)`` handler of training: stop at the first overflow or invalid value."""
    raise _NonFinite(f"{kind} in its arithmetic")


def _layer_sizes(sizes):
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a list of layer widths such as [2, 2, 1], got {sizes!r}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"a network needs at least an input and an output layer, got sizes {sizes}")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError(f"layer widths must be positive integers, got sizes {sizes}")
    return [int(s) for s in sizes]


def _init_std(init, n_in, n_out) -> float:
    if isinstance(init, str):
        init = choose(init, INITS, "initialization")
        return {"lecun": np.sqrt(1.0 / n_in), "he": np.sqrt(2.0 / n_in),
                "xavier": np.sqrt(2.0 / (n_in + n_out))}[init]
    return positive_number(init, "init (the weights' standard deviation)")
