r"""Loss functions E(y, t) and their gradients dE/dy (Lessons 01 and 08).

The two cross-entropies take the output layer's ``net`` (the logits) in the
place of ``y`` and apply the softmax or the logistic themselves, in a form
that cannot overflow; their gradients are then dE/dnet = y - t (over n).

Both losses meet the two conditions the seed text names (Lesson 08): they are
an **average over the errors of individual examples**,

.. math:: E = \frac{1}{n} \sum_{p=1}^{n} E_p,

and each ``E_p`` is a **function of the network's outputs** ``y_p`` (and the
targets ``t_p``) only. Shapes: ``y`` and ``t`` are ``(n_outputs,)`` for one
example or ``(n_examples, n_outputs)`` for a batch; the gradient has the
shape of ``y`` and already carries the factor ``1/n``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from bp_course._validate import as_float_array, choose
from bp_course.activations import _into_logistic, logistic

__all__ = [
    "Loss",
    "LOSSES",
    "get_loss",
    "squared_error",
    "squared_error_gradient",
    "softmax",
    "SUM_ULPS",
    "check_distributions",
    "check_probabilities",
    "softmax_cross_entropy",
    "softmax_cross_entropy_gradient",
    "logistic_cross_entropy",
    "logistic_cross_entropy_gradient",
]


def _n(y) -> int:
    """The number of examples: one for a 1-D y, else its rows."""
    return 1 if y.ndim == 1 else y.shape[0]


def _outputs_and_targets(y, t, y_name="outputs y"):
    y = as_float_array(y, y_name)
    t = as_float_array(t, "targets t")
    if y.ndim not in (1, 2):
        raise ValueError(f"{y_name} must be 1-D (one example) or 2-D (examples x outputs), got shape {y.shape}")
    if t.shape != y.shape:
        raise ValueError(
            f"targets t have shape {t.shape} but {y_name} have shape {y.shape}; "
            "give one target per output (a batch is examples x outputs)"
        )
    n = _n(y)
    if n == 0:
        raise ValueError(f"{y_name} hold no examples")
    if y.shape[-1] == 0:
        raise ValueError(f"{y_name} have shape {y.shape}: no outputs per example (a loss needs at least one)")
    return y, t, n


def squared_error(y, t) -> float:
    r"""Squared error E = 1/2 ||t - y||^2, averaged over examples (Lesson 01, Eq. 4).

    Examples
    --------
    The seed text's training case (1, 1, 0) with output y = 0.6:

    >>> squared_error([0.6], [0.0])
    0.18
    >>> squared_error([[1.0], [3.0]], [[0.0], [0.0]])  # (0.5 + 4.5) / 2
    2.5
    """
    y, t, n = _outputs_and_targets(y, t)
    return float(0.5 * np.sum((t - y) ** 2) / n)


def squared_error_gradient(y, t) -> np.ndarray:
    r"""dE/dy = (y - t) / n for the squared error (Lesson 04, Eq. 4).

    Examples
    --------
    >>> squared_error_gradient([0.6], [0.0]).tolist()
    [0.6]
    """
    y, t, n = _outputs_and_targets(y, t)
    return (y - t) / n


def softmax(net) -> np.ndarray:
    r"""Softmax over the last axis, y_k = e^{net_k} / sum_m e^{net_m} (Lesson 08).

    Shifted by the row maximum, so large ``net`` never overflows.

    Examples
    --------
    >>> softmax([0.0, 0.0]).tolist()
    [0.5, 0.5]
    >>> softmax([1000.0, 0.0]).round(6).tolist()
    [1.0, 0.0]

    Raises
    ------
    ValueError
        If ``net`` is a single number or has no entries along its last axis
        (no classes to share the probability).
    """
    net = as_float_array(net, "net")
    if net.ndim == 0 or net.shape[-1] == 0:
        raise ValueError(f"softmax needs at least one class along the last axis of net, got shape {net.shape}")
    return _softmax(net)


def _softmax(net):
    e = np.exp(net - net.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(net):
    shifted = net - net.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


SUM_ULPS = 4
"""Softmax targets' rows must sum to 1 within ``SUM_ULPS * n_classes * eps`` (eps of the targets' dtype)."""


def check_distributions(t) -> None:
    r"""Raise unless every row of ``t`` is a probability distribution, to rounding (Lesson 08).

    The entries must be non-negative and each row must sum to 1 within
    ``SUM_ULPS * K * eps``, where K is the number of classes and eps the
    machine epsilon of ``t``'s dtype (2.2e-16 for float64): the rounding of
    K stored entries and of their sum, no more. The bound matters because
    the gradient softmax(net) - t is the gradient of the cross-entropy only
    for rows summing to 1 (in general it is softmax(net) sum_k t_k - t), so
    a looser test would let the reported E and its gradient disagree.
    One-hot rows, label smoothing and softmax outputs all pass; rows summing
    to 1 only to 1e-6 (data stored in float32, say) must be renormalized,
    ``t / t.sum(axis=-1, keepdims=True)``.

    Examples
    --------
    >>> check_distributions(np.array([[0.2, 0.8], [1.0, 0.0]]))
    >>> check_distributions(np.array([0.5, 0.5 + 1e-9]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: targets t ... row 0 sums to 1.000000001, further from 1 than rounding (1.8e-15 for 2 classes): ...
    """
    message = ("targets t for softmax cross-entropy must be probability distributions: "
               "non-negative, each row summing to 1 (one-hot rows for class labels)")
    if np.any(t < 0):
        count = int(np.count_nonzero(t < 0))
        raise ValueError(f"{message}; t has {count} negative {'entry' if count == 1 else 'entries'}")
    tolerance = SUM_ULPS * t.shape[-1] * np.finfo(t.dtype).eps
    sums = np.ravel(t.sum(axis=-1))
    off = np.abs(sums - 1.0)
    if np.any(off > tolerance):
        p = int(np.argmax(off))
        raise ValueError(f"{message}; row {p} sums to {float(sums[p])!r}, further from 1 than rounding "
                         f"({tolerance:.1e} for {t.shape[-1]} classes): renormalize with "
                         "t / t.sum(axis=-1, keepdims=True)")


def softmax_cross_entropy(net, t) -> float:
    r"""Cross-entropy of softmax(net) against targets t, averaged over examples (Lesson 08).

    .. math:: E = -\frac{1}{n} \sum_p \sum_k t_{pk} \log \mathrm{softmax}(\mathrm{net}_p)_k

    Takes the output layer's ``net`` (the logits), not probabilities: the
    softmax is applied here, in the numerically stable log-sum-exp form, so
    a network using this loss has an ``"identity"`` output layer.

    Examples
    --------
    >>> round(softmax_cross_entropy([0.0, 0.0], [1.0, 0.0]), 6)  # log 2
    0.693147
    """
    net, t, n = _outputs_and_targets(net, t, "outputs net")
    check_distributions(t)
    return float(-np.sum(t * _log_softmax(net)) / n)


def softmax_cross_entropy_gradient(net, t) -> np.ndarray:
    r"""dE/dnet = (softmax(net) - t) / n (Lesson 08 derives this).

    Examples
    --------
    >>> softmax_cross_entropy_gradient([0.0, 0.0], [1.0, 0.0]).tolist()
    [-0.5, 0.5]
    """
    net, t, n = _outputs_and_targets(net, t, "outputs net")
    check_distributions(t)
    return (softmax(net) - t) / n


def check_probabilities(t) -> None:
    """Raise unless every entry of ``t`` is a probability in [0, 1] (logistic cross-entropy, Lesson 08).

    Examples
    --------
    >>> check_probabilities(np.array([[0.0], [0.3], [1.0]]))
    >>> check_probabilities(np.array([[5.0]]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: targets t for logistic cross-entropy ...; t has 1 entry outside, from 5 to 5
    """
    outside = (t < 0) | (t > 1)
    if np.any(outside):
        count = int(np.count_nonzero(outside))
        raise ValueError("targets t for logistic cross-entropy must be probabilities in [0, 1] "
                         f"(1 for the class, 0 for its absence); t has {count} {'entry' if count == 1 else 'entries'} "
                         f"outside, from {float(t[outside].min()):g} to {float(t[outside].max()):g}")


def _any_targets(t) -> None:
    """Squared error takes any finite targets."""


def logistic_cross_entropy(net, t) -> float:
    r"""Cross-entropy of logistic outputs y = phi(net) against targets t in [0, 1] (Lesson 08).

    .. math:: E = -\frac{1}{n} \sum_p \sum_k \bigl(t_{pk} \log y_{pk} + (1 - t_{pk}) \log(1 - y_{pk})\bigr)

    The two-class case of :func:`softmax_cross_entropy`: the softmax of the
    pair (net, 0) is (phi(net), 1 - phi(net)). Like it, this takes the
    output layer's ``net``, not y, and uses the stable form
    ``log(1 + e^{-net}) = logaddexp(0, -net)``, so a network using it has an
    ``"identity"`` output layer and y = phi(net) never has to reach exactly 0 or 1.

    Examples
    --------
    >>> round(logistic_cross_entropy([0.0], [1.0]), 6)  # log 2
    0.693147
    >>> logistic_cross_entropy([1000.0], [1.0])  # confidently right: no overflow, no log(0)
    0.0
    """
    net, t, n = _outputs_and_targets(net, t, "outputs net")
    check_probabilities(t)
    # -t log phi(net) - (1 - t) log(1 - phi(net)) = t log(1 + e^-net) + (1 - t) log(1 + e^net)
    return float(np.sum(t * np.logaddexp(0.0, -net) + (1 - t) * np.logaddexp(0.0, net)) / n)


def logistic_cross_entropy_gradient(net, t) -> np.ndarray:
    r"""dE/dnet = (phi(net) - t) / n: the logistic's slope phi'(net) has cancelled (Lesson 08).

    Examples
    --------
    >>> logistic_cross_entropy_gradient([0.0], [1.0]).tolist()
    [-0.5]
    """
    net, t, n = _outputs_and_targets(net, t, "outputs net")
    check_probabilities(t)
    return (logistic(net) - t) / n


@dataclass(frozen=True)
class Loss:
    """A loss with its gradient, as the network uses them.

    Attributes
    ----------
    name : str
        The name used in :class:`bp_course.network.Network`.
    value : callable
        ``value(y, t) -> float``, averaged over examples.
    gradient : callable
        ``gradient(y, t) -> dE/dy``, same shape as ``y``.
    raw_gradient : callable
        ``raw_gradient(y, t, scale=1.0)``: ``scale`` times the gradient,
        without input validation, for arrays the network has already
        checked (training passes the learning rate as ``scale``).
    gradient_into : callable or None
        ``gradient_into(y, t, scale, into)``: writes ``raw_gradient(y, t,
        scale)`` into the array ``into``, allocating nothing, for the
        training loop (:meth:`bp_course.network.Network.train_epoch`); None
        where the loss has no such form (the network then copies
        ``raw_gradient``'s result).
    check_targets : callable
        ``check_targets(t)`` raises ValueError unless ``t`` (a checked float
        array) lies in the loss's domain: any numbers for the squared error,
        rows that are distributions (:func:`check_distributions`) or entries
        in [0, 1] (:func:`check_probabilities`) for the cross-entropies.
        ``value`` and ``gradient`` call it; the network calls it on the
        targets it trains on, once per call.
    on_net : bool
        True for the cross-entropies, which take the output layer's net and
        apply their own squashing function, so the network's output layer
        must be ``"identity"``.
    """

    name: str
    value: Callable
    gradient: Callable
    raw_gradient: Callable
    check_targets: Callable = _any_targets
    on_net: bool = False
    gradient_into: Callable | None = None


def _squared_error_gradient_into(y, t, scale, into):
    np.subtract(y, t, out=into)        # (y - t) scale / n
    into *= scale / _n(y)


def _logistic_cross_entropy_gradient_into(net, t, scale, into):
    _into_logistic(net, into)          # (phi(net) - t) scale / n
    into -= t
    into *= scale / _n(net)


LOSSES = {
    "squared_error": Loss("squared_error", squared_error, squared_error_gradient,
                          lambda y, t, scale=1.0: (y - t) * (scale / _n(y)),
                          gradient_into=_squared_error_gradient_into),
    "softmax_cross_entropy": Loss("softmax_cross_entropy", softmax_cross_entropy, softmax_cross_entropy_gradient,
                                  lambda net, t, scale=1.0: (_softmax(net) - t) * (scale / _n(net)),
                                  check_distributions, on_net=True),
    "logistic_cross_entropy": Loss("logistic_cross_entropy", logistic_cross_entropy,
                                   logistic_cross_entropy_gradient,
                                   lambda net, t, scale=1.0: (logistic(net) - t) * (scale / _n(net)),
                                   check_probabilities, on_net=True,
                                   gradient_into=_logistic_cross_entropy_gradient_into),
}
"""The losses a network can be trained with, by name."""


def get_loss(name: str) -> Loss:
    """Look up a loss by name.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> get_loss("squared_error").name
    'squared_error'
    """
    return LOSSES[choose(name, LOSSES, "loss")]
