r"""Activation functions phi and their derivatives phi', side by side.

Lesson 03 ("The logistic neuron") derives these derivatives by hand; Eq. 3 of
the course (the Wikipedia numbering) is where they enter backpropagation:

.. math:: \frac{\partial o_j}{\partial \mathrm{net}_j} = \varphi'(\mathrm{net}_j)

Each function takes ``net`` (a number or an array) and works element-wise.
The network's backward pass uses :class:`Activation.derivative`, which may
compute phi' from the stored output ``out`` instead of ``net`` where that is
cheaper (logistic: ``out (1 - out)``; tanh: ``1 - out**2``).
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

    Computed as the identical (1 + tanh(z / 2)) / 2, which never overflows
    (no warning even for ``z = -1000``) and costs one ufunc, which matters
    in the training loop (Lesson 09). Accurate to about 1e-16 absolute;
    values below that, deep in the left tail, come out as 0.

    Examples
    --------
    >>> float(logistic(0.0))
    0.5
    >>> logistic([-1000.0, 1000.0]).tolist()
    [0.0, 1.0]
    """
    z = _net(net)
    out = np.empty_like(z)
    _into_logistic(z, out)
    return out


def logistic_prime(net):
    r"""Derivative of the logistic, phi'(z) = phi(z) (1 - phi(z)) (Lesson 03, Eq. 3).

    Examples
    --------
    >>> float(logistic_prime(0.0))
    0.25
    """
    return logistic_prime_from_out(logistic(net))


def logistic_prime_from_out(out):
    r"""The logistic derivative written in terms of the output, out (1 - out).

    This is why the logistic was popular: the backward pass gets phi'(net)
    from the ``out`` it already stored, with no extra exponential.

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
        ``into``, computed from whichever of ``net`` and ``out`` is cheaper
        (logistic: out (1 - out)); used by the backward pass (Eq. 3).
    raw : callable
        ``raw(net, out)``: writes phi(net) into the array ``out``, without
        input validation, for arrays the network has already checked (its
        forward pass runs it for every mini-batch, into reused arrays).
    """

    name: str
    phi: Callable
    prime: Callable
    derivative: Callable
    raw: Callable


def _into_logistic(net, out):
    np.multiply(net, 0.5, out=out)  # (1 + tanh(net / 2)) / 2, in place
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5


def _into_logistic_slope(net, out, into):
    np.subtract(1.0, out, out=into)  # out (1 - out)
    into *= out


def _into_tanh_slope(net, out, into):
    np.multiply(out, out, out=into)  # 1 - out^2
    np.subtract(1.0, into, out=into)


ACTIVATIONS = {
    "identity": Activation("identity", identity, identity_prime,
                           lambda net, out, into: into.fill(1.0), lambda net, out: np.copyto(out, net)),
    "logistic": Activation("logistic", logistic, logistic_prime, _into_logistic_slope, _into_logistic),
    "tanh": Activation("tanh", tanh, tanh_prime, _into_tanh_slope, lambda net, out: np.tanh(net, out=out)),
    "relu": Activation("relu", relu, relu_prime, lambda net, out, into: np.greater(net, 0.0, out=into),
                       lambda net, out: np.maximum(net, 0.0, out=out)),
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
