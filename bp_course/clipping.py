r"""Gradient clipping by norm: a cap on the length of a step, not on its direction (Lesson 10).

When the gradients explode (Lesson 10: large weights, or one weight matrix
applied at every step of a recurrent network), one step of gradient descent
can throw the weights arbitrarily far. Clipping by norm rescales the whole
gradient, every layer together, when its Euclidean norm exceeds a threshold
c, and leaves it alone otherwise:

.. math:: g \leftarrow \begin{cases} g & \text{if } \|g\| \le c,\\
          \dfrac{c}{\|g\|}\, g & \text{if } \|g\| > c. \end{cases}

The direction of steepest descent is kept; only the step is shortened.
Clipping each entry to [-c, c] instead changes the direction.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from bp_course._validate import as_float_array, positive_number

__all__ = ["global_norm", "clip_by_norm"]


def _arrays(grads) -> list:
    if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)) or not grads:
        raise TypeError(f"grads must be a non-empty list of arrays (one per layer), got {type(grads).__name__}")
    return [as_float_array(g, f"grads[{l}]") for l, g in enumerate(grads)]


def global_norm(grads: Sequence) -> float:
    """The Euclidean norm of all gradients together, as if laid end to end in one vector (Lesson 10).

    Examples
    --------
    >>> global_norm([np.array([3.0]), np.array([[4.0, 0.0]])])
    5.0
    """
    return float(np.sqrt(sum(float(np.sum(g ** 2)) for g in _arrays(grads))))


def clip_by_norm(grads: Sequence, threshold: float) -> list:
    r"""Rescale the gradients so that their global norm is at most ``threshold`` (Lesson 10).

    Parameters
    ----------
    grads : list of array_like
        The gradients of every layer (``[dW[0], db[0], ...]`` or ``dW`` alone).
    threshold : float
        The largest norm allowed, c > 0.

    Returns
    -------
    list of ndarray
        New arrays, shaped like ``grads``; the inputs are not changed.

    Examples
    --------
    >>> [g.round(12).tolist() for g in clip_by_norm([np.array([3.0]), np.array([4.0])], 1.0)]
    [[0.6], [0.8]]
    >>> [g.tolist() for g in clip_by_norm([np.array([0.3]), np.array([0.4])], 1.0)]
    [[0.3], [0.4]]
    """
    grads = _arrays(grads)
    threshold = positive_number(threshold, "threshold")
    norm = global_norm(grads)
    factor = threshold / norm if norm > threshold else 1.0
    return [factor * g for g in grads]
