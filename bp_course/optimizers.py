r"""Better descent: momentum and adaptive learning rates (Lesson 11).

Each optimizer holds a list of parameter arrays (a network's
:attr:`bp_course.network.Network.params`, or any list of float arrays) and
updates them **in place** from a list of gradients in the same order
(:meth:`bp_course.network.Gradients.as_list`). State such as a velocity or
a running mean of squared gradients is kept per parameter array.

With ``g`` the gradient dE/dw of one parameter array and ``t`` the number
of the step (1, 2, ...), the updates are, element by element:

* SGD (Lesson 02): ``w <- w - eta g``
* Momentum, Polyak's heavy ball (Lesson 11, Eq. 11.1):
  ``v <- beta v - eta g``, ``w <- w + v``
* AdaGrad (Lesson 11, Eq. 11.3): ``G <- G + g^2``, ``w <- w - eta g / (sqrt(G) + eps)``
* RMSProp (Lesson 11, Eq. 11.4): ``s <- rho s + (1 - rho) g^2``,
  ``w <- w - eta g / (sqrt(s) + eps)``
* Adam (Lesson 11, Eq. 11.5-11.7; Kingma & Ba 2015, Algorithm 1):
  ``m <- beta1 m + (1 - beta1) g``, ``v <- beta2 v + (1 - beta2) g^2``,
  ``m_hat = m / (1 - beta1^t)``, ``v_hat = v / (1 - beta2^t)``,
  ``w <- w - eta m_hat / (sqrt(v_hat) + eps)``

These are the formulas of PyTorch's documentation for ``torch.optim.SGD``
(momentum, dampening 0), ``Adagrad`` (lr_decay 0), ``RMSprop`` and ``Adam``
(no weight decay), with one difference of form: PyTorch's momentum keeps
``b <- mu b + g`` and steps ``w <- w - lr b``. Its ``b`` is the heavy-ball
velocity divided by ``-eta``; with a constant learning rate ``lr = eta`` and
``mu = beta`` the weights are the same at every step.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from bp_course import datasets
from bp_course._validate import positive_number
from bp_course.network import Network

__all__ = ["Optimizer", "SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "OPTIMIZERS", "make", "Run", "train", "Comparison",
           "DIGITS_SWEEP", "DIGITS_ETAS", "digits_split", "digits_network", "digits_comparison"]


def _fraction(value, name: str) -> float:
    """A number in [0, 1), such as a momentum or a decay rate."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


class Optimizer:
    """Base class: holds the parameters, checks the gradients, counts the steps.

    Parameters
    ----------
    params : list of ndarray
        The arrays to update in place (``network.params``).
    eta : float
        The learning rate, a positive number.
    """

    name = "optimizer"

    def __init__(self, params, eta: float):
        if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)):
            raise TypeError("params must be a list of arrays, such as network.params")
        for i, p in enumerate(params):
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise TypeError(f"params[{i}] must be a NumPy array of floats, got {type(p).__name__}")
        self.params = list(params)
        self.eta = positive_number(eta, "learning rate eta")
        self.t = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(eta={self.eta:g})"

    def _zeros(self) -> list:
        return [np.zeros_like(p) for p in self.params]

    def step(self, grads) -> None:
        """Update every parameter in place from its gradient (a list in the order of ``params``).

        Parameters
        ----------
        grads : list of ndarray or bp_course.network.Gradients
            dE/dw for each parameter array.
        """
        if hasattr(grads, "as_list"):
            grads = grads.as_list()
        if len(grads) != len(self.params):
            raise ValueError(f"got {len(grads)} gradients for {len(self.params)} parameter arrays")
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if np.shape(g) != p.shape:
                raise ValueError(f"gradient {i} has shape {np.shape(g)}, its parameter {p.shape}")
        self.t += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            self._update(i, p, np.asarray(g, dtype=p.dtype))

    def _update(self, i: int, w: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    r"""Plain gradient descent, w <- w - eta g (Lesson 02).

    Examples
    --------
    >>> w = np.array([1.0, 2.0])
    >>> SGD([w], eta=0.5).step([np.array([2.0, -2.0])])
    >>> w.tolist()
    [0.0, 3.0]
    """

    name = "sgd"

    def _update(self, i, w, g):
        w -= self.eta * g


class Momentum(Optimizer):
    r"""Polyak's heavy ball (Lesson 11, Eq. 11.1): v <- beta v - eta g, then w <- w + v.

    The velocity ``v`` starts at zero and is carried from step to step, one
    array per parameter; ``beta = 0`` is plain gradient descent.

    .. math:: v \leftarrow \beta v - \eta\,g, \qquad w \leftarrow w + v

    Parameters
    ----------
    params : list of ndarray
    eta : float
        The learning rate.
    beta : float, optional
        The momentum, in [0, 1).

    Examples
    --------
    >>> w = np.array([0.0])
    >>> opt = Momentum([w], eta=0.1, beta=0.5)
    >>> for _ in range(2):
    ...     opt.step([np.array([1.0])])
    >>> w.round(12).tolist(), opt.v[0].round(12).tolist()   # v: -0.1, then 0.5 (-0.1) - 0.1
    ([-0.25], [-0.15])
    """

    name = "momentum"

    def __init__(self, params, eta: float, beta: float = 0.9):
        super().__init__(params, eta)
        self.beta = _fraction(beta, "momentum beta")
        self.v = self._zeros()

    def __repr__(self) -> str:
        return f"Momentum(eta={self.eta:g}, beta={self.beta:g})"

    def _update(self, i, w, g):
        v = self.v[i]
        v *= self.beta
        v -= self.eta * g
        w += v


class AdaGrad(Optimizer):
    r"""AdaGrad (Lesson 11, Eq. 11.3): each weight's step divided by the root of its summed squared gradients.

    .. math:: G \leftarrow G + g^2, \qquad w \leftarrow w - \eta\,\frac{g}{\sqrt{G} + \epsilon}

    As in PyTorch's ``torch.optim.Adagrad`` (lr_decay 0), ``eps`` is added
    outside the square root.

    Examples
    --------
    >>> w = np.array([0.0, 0.0])
    >>> AdaGrad([w], eta=0.1).step([np.array([4.0, -0.01])])
    >>> w.round(6).tolist()    # the first step is eta sign(g), whatever the gradient's size
    [-0.1, 0.1]
    """

    name = "adagrad"

    def __init__(self, params, eta: float, eps: float = 1e-10):
        super().__init__(params, eta)
        self.eps = float(eps)
        self.G = self._zeros()

    def _update(self, i, w, g):
        G = self.G[i]
        G += g * g
        w -= self.eta * g / (np.sqrt(G) + self.eps)


class RMSProp(Optimizer):
    r"""RMSProp (Lesson 11, Eq. 11.4): AdaGrad with a running *mean* of squared gradients.

    .. math:: s \leftarrow \rho\,s + (1 - \rho)\,g^2, \qquad w \leftarrow w - \eta\,\frac{g}{\sqrt{s} + \epsilon}

    As in PyTorch's ``torch.optim.RMSprop`` (its ``alpha`` is ``rho``).

    Examples
    --------
    >>> w = np.array([0.0])
    >>> RMSProp([w], eta=0.01, rho=0.99).step([np.array([2.0])])
    >>> w.round(6).tolist()    # s = 0.01 * 4, step 0.01 * 2 / 0.2
    [-0.1]
    """

    name = "rmsprop"

    def __init__(self, params, eta: float, rho: float = 0.99, eps: float = 1e-8):
        super().__init__(params, eta)
        self.rho = _fraction(rho, "decay rate rho")
        self.eps = float(eps)
        self.s = self._zeros()

    def _update(self, i, w, g):
        s = self.s[i]
        s *= self.rho
        s += (1 - self.rho) * g * g
        w -= self.eta * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    r"""Adam (Lesson 11, Eq. 11.5-11.7), as Algorithm 1 of Kingma & Ba (2015).

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
        w \leftarrow w - \eta\,\frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}

    ``m`` and ``v`` start at zero; ``t`` counts the steps from 1. The
    divisions by ``1 - beta^t`` are the bias correction.

    Examples
    --------
    >>> w = np.array([0.0, 0.0])
    >>> Adam([w], eta=0.001).step([np.array([5.0, -0.2])])
    >>> w.round(9).tolist()    # the first corrected step is eta sign(g)
    [-0.001, 0.001]
    """

    name = "adam"

    def __init__(self, params, eta: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(params, eta)
        self.beta1 = _fraction(beta1, "beta1")
        self.beta2 = _fraction(beta2, "beta2")
        self.eps = float(eps)
        self.m, self.v = self._zeros(), self._zeros()

    def _update(self, i, w, g):
        m, v = self.m[i], self.v[i]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1 ** self.t)
        v_hat = v / (1 - self.beta2 ** self.t)
        w -= self.eta * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, AdaGrad, RMSProp, Adam)}
"""The optimizers by name: ``"sgd"``, ``"momentum"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``."""


def make(name: str, params, eta: float, **options) -> Optimizer:
    """The optimizer called ``name`` on ``params`` (``make("adam", net.params, 1e-3)``).

    Examples
    --------
    >>> make("momentum", [np.zeros(2)], 0.1, beta=0.5)
    Momentum(eta=0.1, beta=0.5)
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(map(repr, OPTIMIZERS))}")
    return OPTIMIZERS[name](params, eta, **options)


@dataclass(frozen=True)
class Run:
    """A training run with one optimizer (Lesson 11).

    Attributes
    ----------
    errors : ndarray, shape (epochs + 1,)
        The training error E before training and after each epoch (the
        run stops early, shorter, when it diverges).
    diverged : bool
        True when the error or the weights stopped being finite.
    """

    errors: np.ndarray
    diverged: bool


def train(network, optimizer: Optimizer, x, t, *, epochs: int, batch_size: int, seed: int = 0) -> Run:
    """Mini-batch training of ``network`` by ``optimizer`` (Lesson 11).

    Each epoch shuffles the examples (the same order for the same ``seed``,
    whichever the optimizer), cuts them into mini-batches of ``batch_size``,
    and takes one optimizer step per batch on the gradients of
    :meth:`bp_course.network.Network.gradients`. A run whose error or
    weights become nan or inf stops and is marked ``diverged`` (no NumPy
    warning is issued).

    Parameters
    ----------
    network : bp_course.network.Network
    optimizer : Optimizer
        Built on ``network.params``.
    x, t : ndarray
        Inputs ``(n, n_inputs)`` and targets ``(n, n_outputs)``.
    epochs, batch_size : int
    seed : int

    Returns
    -------
    Run

    Examples
    --------
    >>> net = Network([2, 1], "identity")
    >>> net.W[0][:] = 0.0
    >>> run = train(net, SGD(net.params, 0.25), np.array([[1.0, 0.0]]), np.array([[1.0]]), epochs=2, batch_size=1)
    >>> run.errors.round(6).tolist()
    [0.5, 0.125, 0.03125]
    """
    if optimizer.params[0] is not network.params[0]:
        raise ValueError("the optimizer does not hold this network's parameters: build it on network.params")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < (name == "batch_size"):
            raise ValueError(f"{name} must be a {'positive' if name == 'batch_size' else 'non-negative'} integer, "
                             f"got {value!r}")
    x = network._inputs(x)
    t = network._targets(t, (len(x), network.sizes[-1]))   # checked once, not per batch (as train_epoch does)
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        errors = [network.error(x, t)]
        for _ in range(epochs):
            order = rng.permutation(len(x))
            for start in range(0, len(x), batch_size):
                batch = order[start:start + batch_size]
                forward = network._forward(x[batch], reuse=True)
                dW, db, _ = network._backprop(forward.net, forward.out, t[batch], reuse=True)
                optimizer.step([g for pair in zip(dW, db) for g in pair])
            if not all(np.isfinite(p).all() for p in network.params):
                return Run(errors=np.array(errors), diverged=True)
            try:
                E = network.error(x, t)
            except ValueError:  # outputs that overflowed to inf or nan
                return Run(errors=np.array(errors), diverged=True)
            if not np.isfinite(E):
                return Run(errors=np.array(errors), diverged=True)
            errors.append(E)
    return Run(errors=np.array(errors), diverged=False)


@dataclass(frozen=True)
class Comparison:
    """Optimizers trained on the digits from the same start, over a sweep of learning rates (Lesson 11).

    Attributes
    ----------
    names : tuple of str
        The optimizers, in the order of the lesson.
    etas : tuple of float
        The learning rates swept, the same for every optimizer.
    errors : dict
        ``name -> list of ndarray``: the training error after each epoch, one array per eta.
    diverged : dict
        ``name -> list of bool``, one per eta.
    val_accuracy, test_accuracy : dict
        ``name -> ndarray``, one accuracy per eta, on the validation and the test set.
    """

    names: tuple
    etas: tuple
    errors: dict
    diverged: dict
    val_accuracy: dict
    test_accuracy: dict

    def best(self, name: str) -> float:
        """The learning rate with the highest validation accuracy for optimizer ``name`` (the first, at a tie)."""
        return self.etas[int(np.argmax(self.val_accuracy[name]))]


DIGITS_SWEEP = {"sgd": {}, "momentum": {"beta": 0.9}, "adam": {}}
"""The optimizers of Lesson 11's comparison on the digits, with their options (other than eta)."""

DIGITS_ETAS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
"""The learning rates of Lesson 11's sweep: half decades, wide enough for every optimizer to fail at one end."""


def digits_split(validation_fraction: float = 0.2, seed: int = 0):
    """The digits' training images split into training and validation sets, and the test set (Lesson 11).

    Returns
    -------
    tuple
        ``(x_train, labels_train, x_val, labels_val, x_test, labels_test)``; the
        validation set is a seeded random ``validation_fraction`` of
        :func:`bp_course.datasets.digits`'s training set.
    """
    d = datasets.digits()
    order = np.random.default_rng(seed).permutation(len(d.x_train))
    n_val = round(validation_fraction * len(order))
    val, train_ = order[:n_val], order[n_val:]
    return (d.x_train[train_], d.labels_train[train_], d.x_train[val], d.labels_train[val], d.x_test, d.labels_test)


def digits_network(seed: int = 0):
    """The network of Lesson 11's comparison: 64-32-10, tanh hidden layer, softmax cross-entropy."""
    return Network([64, 32, 10], ["tanh", "identity"], loss="softmax_cross_entropy", seed=seed)


def digits_comparison(etas=DIGITS_ETAS, *, epochs: int = 5, batch_size: int = 32, seed: int = 0) -> Comparison:
    """Train SGD, momentum and Adam on the digits from the same start, for every learning rate (Lesson 11).

    The result is computed once per process for each set of arguments and
    then shared (the lesson's check reuses the lesson's sweep): read it, do
    not change it.

    Every run starts from the same weights (:func:`digits_network` with
    ``seed``) and sees the mini-batches in the same order; only the
    optimizer and eta differ. A run that diverges is scored with the weights
    it stopped at (``diverged`` says which), no better than chance.

    Examples
    --------
    >>> result = digits_comparison(etas=(0.1,), epochs=1)
    >>> result.names, len(result.errors["adam"][0])
    (('sgd', 'momentum', 'adam'), 2)
    """
    return _comparison(tuple(float(positive_number(eta, "learning rate eta")) for eta in etas), int(epochs),
                       int(batch_size), int(seed))


@functools.lru_cache(maxsize=4)
def _comparison(etas: tuple, epochs: int, batch_size: int, seed: int) -> Comparison:
    x, labels, x_val, labels_val, x_test, labels_test = digits_split(seed=seed)
    t = datasets.one_hot(labels)
    names = tuple(DIGITS_SWEEP)
    errors, diverged, val_accuracy, test_accuracy = {}, {}, {}, {}
    for name in names:
        errors[name], diverged[name], val_accuracy[name], test_accuracy[name] = [], [], [], []
        for eta in etas:
            network = digits_network(seed)
            run = train(network, make(name, network.params, eta, **DIGITS_SWEEP[name]), x, t, epochs=epochs,
                        batch_size=batch_size, seed=seed)
            errors[name].append(run.errors)
            diverged[name].append(run.diverged)
            with np.errstate(all="ignore"):
                val_accuracy[name].append(network.accuracy(x_val, labels_val))
                test_accuracy[name].append(network.accuracy(x_test, labels_test))
        val_accuracy[name] = np.array(val_accuracy[name])
        test_accuracy[name] = np.array(test_accuracy[name])
    return Comparison(names=names, etas=tuple(float(e) for e in etas), errors=errors, diverged=diverged,
                      val_accuracy=val_accuracy, test_accuracy=test_accuracy)
