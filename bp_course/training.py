r"""Training runs with their history, for Lesson 09 ("Training for real").

Three tools, each the vectorized form of a loop the lesson first writes by hand:

* :func:`fit`: mini-batch stochastic gradient descent over epochs
  (:meth:`bp_course.network.Network.train_epoch`), recording the error and
  the accuracy on the training and the test set after every epoch.
* :func:`many_seeds`: full-batch gradient descent on a small problem (XOR)
  for many initial weights and hidden widths at once, every network a slice
  of the same arrays, so a hundred runs cost about as much as one.
* :func:`error_along`: the error on a straight line through weight space,
  to see where the error surface is, and is not, a paraboloid.

Everything is deterministic given its seeds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from bp_course._validate import as_float_array, positive_number
from bp_course.activations import _into_logistic
from bp_course.network import Network

__all__ = ["History", "fit", "Runs", "many_seeds", "vector_norm", "random_direction", "error_along"]


def _count(value, name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}, got {value!r}")
    return int(value)


def _accuracy(y, t) -> float:
    """Share of examples classified right: the largest output at the target's class, or y > 1/2 for one output."""
    if y.shape[1] == 1:
        return float(np.mean((y[:, 0] > 0.5) == (t[:, 0] > 0.5)))
    return float(np.mean(np.argmax(y, axis=1) == np.argmax(t, axis=1)))


@dataclass
class History:
    """Per-epoch record of a training run (Lesson 09).

    Entry k of each array is measured after k epochs (entry 0 before any
    training), on the whole training set and on the test set.

    Attributes
    ----------
    epoch : ndarray of int
        0, 1, ..., epochs.
    E_train, E_test : ndarray
        The error E (the network's loss, averaged over examples).
    accuracy_train, accuracy_test : ndarray
        The share of examples classified right.
    seconds : ndarray
        Wall time of each epoch's training (``epochs`` entries, evaluation
        excluded). It depends on the machine: never store or compare it.
    """

    epoch: np.ndarray
    E_train: np.ndarray
    E_test: np.ndarray
    accuracy_train: np.ndarray
    accuracy_test: np.ndarray
    seconds: np.ndarray = field(repr=False)


def fit(net: Network, x, t, *, eta, epochs: int, batch_size: int, x_test, t_test, seed: int = 0) -> History:
    """Train ``net`` in place by mini-batch SGD with shuffling, recording its history (Lesson 09).

    Each epoch shuffles the training examples, cuts them into mini-batches
    of ``batch_size`` and takes one step w <- w - eta dE/dw per batch
    (:meth:`Network.train_epoch`); ``batch_size = len(x)`` is full-batch
    gradient descent, 1 the per-example (online) version.

    Parameters
    ----------
    net : Network
        The network; its weights change in place.
    x, t : array_like
        Training inputs ``(n, n_inputs)`` and targets ``(n, n_outputs)``.
    eta : float
        The learning rate.
    epochs : int
        Passes over the training set.
    batch_size : int
        Examples per step.
    x_test, t_test : array_like
        The test set, only measured, never trained on.
    seed : int, optional
        Seed of the shuffling; the same seed gives the same run.

    Returns
    -------
    History

    Examples
    --------
    >>> from bp_course import datasets
    >>> x, t = datasets.xor()
    >>> history = fit(Network([2, 3, 1], seed=1), x, t, eta=2.0, epochs=3, batch_size=4, x_test=x, t_test=t)
    >>> history.epoch.tolist(), bool(history.E_train[3] < history.E_train[0])
    ([0, 1, 2, 3], True)
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a bp_course.network.Network, got {type(net).__name__}")
    eta = positive_number(eta, "learning rate eta")
    epochs = _count(epochs, "epochs", minimum=0)
    batch_size = _count(batch_size, "batch_size")
    sets = []
    for inputs, targets, which in ((x, t, "training"), (x_test, t_test, "test")):
        inputs = net._inputs(inputs)
        targets = as_float_array(targets, f"{which} targets", dtype=net.dtype)
        if inputs.ndim != 2 or targets.shape != (len(inputs), net.sizes[-1]):
            raise ValueError(f"the {which} set needs inputs (n, {net.sizes[0]}) and targets (n, {net.sizes[-1]}), "
                             f"got shapes {inputs.shape} and {targets.shape}")
        sets.append((inputs, targets))
    rng = np.random.default_rng(seed)
    record = {key: [] for key in ("E_train", "accuracy_train", "E_test", "accuracy_test")}
    seconds = []

    def measure():
        for (inputs, targets), which in zip(sets, ("train", "test")):
            y = net._forward(inputs).y
            record[f"E_{which}"].append(net.loss.value(y, targets))
            record[f"accuracy_{which}"].append(_accuracy(y, targets))

    measure()
    for _ in range(epochs):
        start = time.perf_counter()
        net.train_epoch(sets[0][0], sets[0][1], eta, batch_size, seed=rng)
        seconds.append(time.perf_counter() - start)
        measure()
    return History(epoch=np.arange(epochs + 1), seconds=np.array(seconds),
                   **{key: np.array(values, dtype=np.float64) for key, values in record.items()})


@dataclass
class Runs:
    """Full-batch training runs of one-hidden-layer networks, many at once (Lesson 09).

    Run ``(i, k)`` is the network ``Network([n_in, widths[i], 1], "logistic",
    seed=seeds[k])`` trained by full-batch gradient descent; it gives the
    same numbers as training that network step by step (to rounding).

    Attributes
    ----------
    widths, seeds : tuple of int
    E : ndarray, shape (epochs + 1, len(widths), len(seeds))
        The error before each step (and after the last).
    grad_norm : ndarray, shape (epochs + 1, len(widths), len(seeds))
        The length of the whole gradient vector (every dW and db) at the same weights.
    W0, b0, W1, b1 : ndarray
        Final weights of all runs, the hidden units of every width side by
        side (``W0`` has shape ``(n_in, len(seeds), sum(widths))``); use
        :meth:`network` to get one run.
    """

    widths: tuple
    seeds: tuple
    E: np.ndarray
    grad_norm: np.ndarray
    W0: np.ndarray = field(repr=False)
    b0: np.ndarray = field(repr=False)
    W1: np.ndarray = field(repr=False)
    b1: np.ndarray = field(repr=False)

    def stuck(self, threshold: float = 0.01) -> np.ndarray:
        """Which runs end with E above ``threshold``, shape ``(len(widths), len(seeds))``."""
        return self.E[-1] > positive_number(threshold, "threshold")

    def stuck_fraction(self, threshold: float = 0.01) -> np.ndarray:
        """The share of runs per width that end with E above ``threshold``."""
        return self.stuck(threshold).mean(axis=1)

    def network(self, width: int, seed: int) -> Network:
        """The run of that width and seed, as a :class:`Network` holding its final weights."""
        if width not in self.widths or seed not in self.seeds:
            raise ValueError(f"no run of width {width!r} and seed {seed!r}; widths {list(self.widths)}, "
                             f"seeds {self.seeds[0]}..{self.seeds[-1]}")
        i, k = self.widths.index(width), self.seeds.index(seed)
        units = slice(sum(self.widths[:i]), sum(self.widths[:i + 1]))
        net = Network([self.W0.shape[0], width, 1], "logistic", seed=seed)
        net.W = [self.W0[:, k, units].copy(), self.W1[k, units, None].copy()]
        net.b = [self.b0[k, units].copy(), self.b1[k, i:i + 1].copy()]
        return net


def many_seeds(x, t, widths, seeds, *, eta, epochs: int) -> Runs:
    r"""Train one-hidden-layer logistic networks for every width and seed at once (Lesson 09).

    Every network has ``x.shape[1]`` inputs, one hidden layer and one
    logistic output, squared error averaged over the examples, and starts
    from the weights of ``Network([n_in, width, 1], "logistic", seed=seed)``.
    All of them are slices of the same arrays: the hidden units of every
    width sit side by side, and a 0/1 matrix that says which width each unit
    belongs to sums each run's hidden outputs into its own output (and
    spreads each output delta back to its units), so each step is the same
    couple of dozen NumPy operations for 1 network or 500: the only loop is
    over the epochs.

    Parameters
    ----------
    x, t : array_like
        Inputs ``(n, n_in)`` and targets ``(n, 1)`` (or ``(n,)``).
    widths : sequence of int
        Hidden-layer widths.
    seeds : sequence of int
        Seeds of the initial weights.
    eta : float
        Learning rate.
    epochs : int
        Full-batch steps.

    Returns
    -------
    Runs

    Examples
    --------
    >>> from bp_course import datasets
    >>> x, t = datasets.xor()
    >>> runs = many_seeds(x, t, [1, 3], range(5), eta=2.0, epochs=2000)
    >>> runs.E.shape, runs.stuck_fraction().tolist()
    ((2001, 2, 5), [1.0, 0.0])
    """
    x = as_float_array(x, "inputs x")
    if x.ndim != 2:
        raise ValueError(f"inputs x must be (examples, features), got shape {x.shape}")
    t = as_float_array(t, "targets t").reshape(len(x), -1) if np.size(t) == len(x) else as_float_array(t, "targets t")
    if t.shape != (len(x), 1):
        raise ValueError(f"expected one target per example, {len(x)} in all, got targets of shape {t.shape}")
    widths = tuple(_count(w, "a hidden width") for w in widths)
    seeds = tuple(int(s) for s in seeds)
    if not widths or not seeds:
        raise ValueError("give at least one width and one seed")
    eta = positive_number(eta, "learning rate eta")
    epochs = _count(epochs, "epochs", minimum=0)
    n, n_in = x.shape
    S, U = len(seeds), sum(widths)                       # runs per width; hidden units of all widths side by side
    group = np.repeat(np.arange(len(widths)), widths)
    segment = (group[:, None] == np.arange(len(widths))).astype(float)    # (U, widths): unit u belongs to width i
    W0, b0, W1, b1 = np.empty((n_in, S, U)), np.zeros((S, U)), np.empty((S, U)), np.zeros((S, len(widths)))
    for k, seed in enumerate(seeds):
        for i, width in enumerate(widths):
            start = Network([n_in, width, 1], "logistic", seed=seed)
            W0[:, k, group == i] = start.W[0]
            W1[k, group == i] = start.W[1][:, 0]
    W0_flat = W0.reshape(n_in, S * U)                    # a view: one matrix product for every run
    E, grad_norm = np.empty((epochs + 1, S, len(widths))), np.empty((epochs + 1, S, len(widths)))
    for epoch in range(epochs + 1):
        out1 = _logistic((x @ W0_flat).reshape(n, S, U) + b0)                      # (n, S, U)
        y = _logistic((out1 * W1) @ segment + b1)                                   # (n, S, widths)
        residual = y - t.reshape(n, 1, 1)
        E[epoch] = 0.5 * np.mean(residual ** 2, axis=0)
        delta2 = residual * y * (1 - y) / n                                          # Eq. 3-4
        spread = delta2 @ segment.T                                                  # each run's delta, per unit
        delta1 = spread * W1 * out1 * (1 - out1)                                     # Eq. 5
        dW1 = np.einsum("psu,psu->su", out1, spread)                                 # Eq. 1-2
        db1 = delta2.sum(axis=0)
        dW0 = (x.T @ delta1.reshape(n, S * U)).reshape(n_in, S, U)
        db0 = delta1.sum(axis=0)
        squares = np.einsum("isu,isu->su", dW0, dW0) + db0 ** 2 + dW1 ** 2
        grad_norm[epoch] = np.sqrt(squares @ segment + db1 ** 2)
        if epoch == epochs:
            break
        W0 -= eta * dW0
        b0 -= eta * db0
        W1 -= eta * dW1
        b1 -= eta * db1
    order = (0, 2, 1)  # (epochs, widths, seeds)
    return Runs(widths=widths, seeds=seeds, E=E.transpose(order), grad_norm=grad_norm.transpose(order), W0=W0,
                b0=b0, W1=W1, b1=b1)


def _logistic(net):
    """The logistic, computed as Network computes it (Lesson 03), so the runs agree with it to rounding."""
    out = np.empty_like(net)
    _into_logistic(net, out)
    return out


def vector_norm(arrays) -> float:
    """The length of several arrays taken together as one vector (Lesson 09).

    Used for the size of all of a network's weights, ``vector_norm(net.params)``.

    Examples
    --------
    >>> vector_norm([np.array([3.0]), np.array([[4.0]])])
    5.0
    """
    arrays = [as_float_array(a, "arrays") for a in arrays]
    return float(np.sqrt(sum(np.sum(a ** 2) for a in arrays)))


def random_direction(net: Network, seed: int = 0) -> list:
    """A random direction in weight space, one array per parameter of ``net``, of total length 1 (Lesson 09).

    Examples
    --------
    >>> round(vector_norm(random_direction(Network([2, 2, 1]), seed=0)), 12)
    1.0
    """
    rng = np.random.default_rng(seed)
    direction = [rng.standard_normal(p.shape) for p in net.params]
    length = vector_norm(direction)
    return [a / length for a in direction]


def error_along(net: Network, x, t, direction, s) -> np.ndarray:
    r"""The error E(w + s d) along a straight line through the network's weights w (Lesson 09).

    Near a minimum w*, E(w* + s d) is close to the parabola
    E(w*) + 1/2 s^2 d^T H d (the seed text's "locally ... a paraboloid");
    far from it, the logistic units saturate and E flattens out.

    Parameters
    ----------
    net : Network
        The network; its weights are restored afterwards.
    x, t : array_like
        The examples.
    direction : list of ndarray
        One array per entry of ``net.params``, shaped like it.
    s : array_like
        Distances along the direction.

    Returns
    -------
    ndarray, shaped like ``s``

    Examples
    --------
    >>> from bp_course import datasets
    >>> net, (x, t) = Network([2, 2, 1], seed=0), datasets.xor()
    >>> float(error_along(net, x, t, random_direction(net), [0.0])[0]) == net.error(x, t)
    True
    """
    params = net.params
    direction = [as_float_array(d, "direction") for d in direction]
    if len(direction) != len(params) or any(d.shape != p.shape for d, p in zip(direction, params)):
        raise ValueError("direction needs one array per parameter of the network, shaped like net.params")
    s = as_float_array(s, "distances s")
    saved = [p.copy() for p in params]
    E = np.empty(s.shape)
    try:
        for index, distance in np.ndenumerate(s):
            for p, w, d in zip(params, saved, direction):
                np.add(w, distance * d, out=p)
            E[index] = net.error(x, t)
    finally:
        for p, w in zip(params, saved):
            p[...] = w
    return E
