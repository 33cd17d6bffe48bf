r"""Activation functions phi and their derivatives phi', side by side.

Lesson 03 ("The logistic neuron") derives these derivatives by hand; Eq. 3 of
the course (the Wikipedia numbering) is where they enter backpropagation:

.. math:: \frac{\partial o_j}{\partial \mathrm{net}_j} = \varphi'(\mathrm{net}_j)

Each function takes ``net`` (a number or an array) and works element-wise.
The network's backward pass uses :class:`Activation.derivative`, which may
compute phi' from the stored output ``out`` instead of ``net`` where that is
cheaper (tanh: ``1 - out**2``); the training loop uses
:class:`Activation.activate` and :class:`Activation.times_slope`, which work
in place and keep what the slope needs from the forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from bp_course._validate import as_float_array, choose

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "get_activation",
    "identity",
    "identity_prime",
    "logistic",
    "logistic_prime",
    "logistic_prime_from_out",
    "tanh",
    "tanh_prime",
    "relu",
    "relu_prime",
]


def _net(net) -> np.ndarray:
    return as_float_array(net, "net", allow_nonfinite=True)


def identity(net):
    r"""Linear unit, phi(net) = net (Lesson 01's linear neuron).

    Examples
    --------
    >>> float(identity(2.5))
    2.5
    """
    return _net(net).copy()


def identity_prime(net):
    r"""phi'(net) = 1 for the linear unit.

    Examples
    --------
    >>> identity_prime([-1.0, 0.0, 3.0]).tolist()
    [1.0, 1.0, 1.0]
    """
    return np.ones_like(_net(net))


def logistic(net):
    r"""Logistic function phi(z) = 1 / (1 + e^{-z}) (Lesson 03).

    Computed as the identical e^z / (1 + e^z) with e^z taken of min(z, 709)
    (88 in float32), where e^z is still finite: no overflow and no warning
    even for ``z = -1000`` or ``inf``, and both limits exact (phi rounds to
    1 long before z = 709, and e^z underflows to 0 for very negative z).
    Within [-700, 700] the relative error is at most two machine epsilons
    (measured against 40-digit arithmetic: 3.7e-16 in float64), in the far
    left tail too, where phi(-40) = 4.2e-18 is not rounded to 0.

    Examples
    --------
    >>> float(logistic(0.0))
    0.5
    >>> logistic([-1000.0, 1000.0]).tolist()
    [0.0, 1.0]
    >>> f"{float(logistic(-40.0)):.6e}"
    '4.248354e-18'
    """
    z = _net(net)
    out = np.empty_like(z)
    _into_logistic(z, out)
    return out


def logistic_prime(net):
    r"""Derivative of the logistic, phi'(z) = phi(z) (1 - phi(z)) (Lesson 03, Eq. 3).

    Computed as phi(z) / (1 + e^z), which is the same number, because
    1 - phi(z) = 1 / (1 + e^z), and at -|z| (phi' is even), where e^z
    never overflows: unlike ``phi (1 - phi)``, it keeps its relative
    accuracy in the right tail, where phi(z) rounds to 1 and 1 - phi(z)
    would be 0 (at z = 40 it gives 4.2e-18, not 0). Relative error at most
    three machine epsilons within [-700, 700] (measured against 40-digit
    arithmetic: 5.2e-16 in float64); exactly 0 at both infinities.

    Examples
    --------
    >>> float(logistic_prime(0.0))
    0.25
    >>> f"{float(logistic_prime(40.0)):.6e}", float(logistic_prime_from_out(logistic(40.0)))
    ('4.248354e-18', 0.0)
    """
    z = _net(net)
    into = np.empty_like(z)
    _into_logistic_prime(z, into)
    return into


def logistic_prime_from_out(out):
    r"""The logistic derivative written in terms of the output, out (1 - out).

    This is why the logistic was popular: the backward pass gets phi'(net)
    from the ``out`` it already stored, with no extra exponential. Its one
    weakness is the right tail: where ``out`` has rounded to 1 (net above
    about 37 in float64), 1 - out is 0 and so is the slope;
    :func:`logistic_prime` keeps it exact there.

    Examples
    --------
    >>> float(logistic_prime_from_out(0.5))
    0.25
    """
    out = as_float_array(out, "out", allow_nonfinite=True)
    return out * (1.0 - out)


def tanh(net):
    r"""Hyperbolic tangent, phi(z) = tanh z = 2 logistic(2z) - 1 (Lesson 03).

    Examples
    --------
    >>> float(tanh(0.0))
    0.0
    """
    return np.tanh(_net(net))


def tanh_prime(net):
    r"""phi'(z) = 1 - tanh(z)^2.

    Examples
    --------
    >>> float(tanh_prime(0.0))
    1.0
    """
    return 1.0 - np.tanh(_net(net)) ** 2


def relu(net):
    r"""Rectified linear unit, phi(z) = max(0, z) (Lesson 03).

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 3.0]
    """
    return np.maximum(_net(net), 0.0)


def relu_prime(net):
    r"""phi'(z) = 1 for z > 0 and 0 for z < 0.

    ReLU has no derivative at z = 0 (the left slope is 0, the right slope 1).
    The course follows the common convention phi'(0) = 0, the value PyTorch
    and TensorFlow use; any value in [0, 1] is a valid subgradient. Lesson 03
    discusses why this corner does not stop ReLU from being used everywhere.

    Examples
    --------
    >>> relu_prime([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 1.0]
    """
    return (_net(net) > 0).astype(np.float64)


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative, as the network uses them.

    Attributes
    ----------
    name : str
        The name used in :class:`bp_course.network.Network` (``"logistic"``).
    phi : callable
        ``out = phi(net)``, element-wise.
    prime : callable
        ``phi'(net)`` from ``net``, element-wise.
    derivative : callable
        ``derivative(net, out, into)``: writes phi'(net) into the array
        ``into``, computed from whichever of ``net`` and ``out`` gives it
        best (tanh: 1 - out^2; logistic: from ``net``, exact in both tails);
        used by the backward pass (Eq. 3).
    raw : callable
        ``raw(net, out)``: writes phi(net) into the array ``out``, without
        input validation, for arrays the network has already checked (its
        forward pass runs it for every mini-batch, into reused arrays).
    activate : callable
        ``activate(z, keep)``, for the training loop
        (:meth:`bp_course.network.Network.train_epoch`): ``z`` holds net on
        entry and phi(net) on return, computed in place; ``keep``, an array
        shaped like ``z``, receives whatever :attr:`times_slope` needs
        besides ``out`` (the logistic keeps 1 + e^net there).
    times_slope : callable
        ``times_slope(delta, out, keep)``, for the training loop: multiplies
        ``delta`` in place by phi'(net) (Eq. 3 and 5), from the ``out`` and
        ``keep`` that :attr:`activate` left.
    """

    name: str
    phi: Callable
    prime: Callable
    derivative: Callable
    raw: Callable
    activate: Callable
    times_slope: Callable


def _exp_limit(dtype) -> float:
    """The largest whole z whose e^z is finite in ``dtype``: 709 in float64, 88 in float32."""
    return float(np.floor(np.log(np.finfo(dtype).max)))


_EXP_LIMIT = {np.dtype(t): _exp_limit(t) for t in (np.float16, np.float32, np.float64, np.longdouble)}


def _into_logistic(net, out):
    np.minimum(net, _EXP_LIMIT[out.dtype], out=out)   # e^z / (1 + e^z), e^z finite
    np.exp(out, out=out)
    np.divide(out, out + 1.0, out=out)


def _into_logistic_prime(net, into):
    e = np.exp(-np.abs(net))                            # phi' is even: phi'(z) = phi(-|z|) / (1 + e^-|z|)
    one_plus_e = e + 1.0
    np.divide(e, one_plus_e, out=into)                  # phi(-|z|)
    into /= one_plus_e                                  # phi (1 - phi) = phi / (1 + e^z), e^-|z| never overflows


def _logistic_activate(z, keep):
    np.minimum(z, _EXP_LIMIT[z.dtype], out=z)
    np.exp(z, out=z)
    np.add(z, 1.0, out=keep)                            # 1 + e^z, kept: 1 - phi = 1 / (1 + e^z)
    np.divide(z, keep, out=z)


def _logistic_times_slope(delta, out, keep):
    delta *= out                                        # phi' = out / (1 + e^net) = out (1 - out), exact in both
    delta /= keep                                       # tails (for net > 709, below 1.2e-308: gives 1.2e-308)


def _into_tanh_slope(net, out, into):
    np.multiply(out, out, out=into)  # 1 - out^2
    np.subtract(1.0, into, out=into)


def _tanh_times_slope(delta, out, keep):
    _into_tanh_slope(None, out, keep)
    delta *= keep


def _relu_times_slope(delta, out, keep):
    np.greater(out, 0.0, out=keep)   # out > 0 exactly where net > 0
    delta *= keep


def _nothing(*arrays):
    """The identity's activate and times_slope: phi(net) = net and phi' = 1 leave the arrays as they are."""


ACTIVATIONS = {
    "identity": Activation("identity", identity, identity_prime,
                           lambda net, out, into: into.fill(1.0), lambda net, out: np.copyto(out, net),
                           _nothing, _nothing),
    "logistic": Activation("logistic", logistic, logistic_prime, lambda net, out, into: _into_logistic_prime(net, into),
                           _into_logistic, _logistic_activate, _logistic_times_slope),
    "tanh": Activation("tanh", tanh, tanh_prime, _into_tanh_slope, lambda net, out: np.tanh(net, out=out),
                       lambda z, keep: np.tanh(z, out=z), _tanh_times_slope),
    "relu": Activation("relu", relu, relu_prime, lambda net, out, into: np.greater(net, 0.0, out=into),
                       lambda net, out: np.maximum(net, 0.0, out=out), lambda z, keep: np.maximum(z, 0.0, out=z),
                       _relu_times_slope),
}
"""The activations a network layer can use, by name."""


def get_activation(name: str) -> Activation:
    """Look up an activation by name.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> get_activation("logistic").name
    'logistic'
    """
    try:
        return ACTIVATIONS[choose(name, ACTIVATIONS, "activation")]
    except ValueError as error:
        if name in _OTHER_NAMES:
            raise ValueError(f"{error} (did you mean {_OTHER_NAMES[name]!r}? that is this course's name for "
                             f"{name})") from None
        raise


_OTHER_NAMES = {"sigmoid": "logistic", "linear": "identity", "ReLU": "relu", "Tanh": "tanh"}
