"""Small deterministic data sets the lessons train on.

Nothing is downloaded: every data set is either written out here or ships
inside the package.
"""

from __future__ import annotations

import numpy as np

__all__ = ["training_case", "two_cases", "worked_example", "xor"]


def training_case():
    """The seed text's single training case (x1, x2, t) = (1, 1, 0) (Lesson 01).

    Returns
    -------
    x : ndarray, shape (1, 2)
        The inputs x1 = 1, x2 = 1, as a batch of one example.
    t : ndarray, shape (1, 1)
        The target t = 0.

    Examples
    --------
    >>> x, t = training_case()
    >>> x.tolist(), t.tolist()
    ([[1.0, 1.0]], [[0.0]])
    """
    return np.array([[1.0, 1.0]]), np.array([[0.0]])


def two_cases():
    """The training case (1, 1, 0) and a second case (1, 0, 1) (Lessons 01-02).

    With one case the error has a valley of minima; these two inputs are not
    parallel, so the error becomes a true elliptic bowl with its single
    minimum at w = (1, -1), where both cases are fitted exactly.

    Returns
    -------
    x : ndarray, shape (2, 2)
    t : ndarray, shape (2, 1)

    Examples
    --------
    >>> x, t = two_cases()
    >>> (x @ [1.0, -1.0]).tolist(), t.ravel().tolist()
    ([0.0, 1.0], [0.0, 1.0])
    """
    return np.array([[1.0, 1.0], [1.0, 0.0]]), np.array([[0.0], [1.0]])


def worked_example():
    """The 2-2-1 logistic network Lesson 05 works through by hand.

    No biases; one input x = (0.5, 1.0) with target t = 1.

    Returns
    -------
    x : ndarray, shape (2,)
    t : ndarray, shape (1,)
    W : list of ndarray
        ``W[0]`` (2, 2): w_ij from input i to hidden neuron j;
        ``W[1]`` (2, 1): from hidden neuron i to the output.

    Examples
    --------
    >>> x, t, W = worked_example()
    >>> (x @ W[0]).round(12).tolist()
    [0.4, 0.45]
    """
    x = np.array([0.5, 1.0])
    t = np.array([1.0])
    W = [np.array([[0.4, -0.3], [0.2, 0.6]]), np.array([[0.5], [-0.4]])]
    return x, t, W


def xor():
    """The four cases of exclusive or, the classic problem with no linear solution (Lesson 09).

    Returns
    -------
    x : ndarray, shape (4, 2)
        All pairs of 0 and 1.
    t : ndarray, shape (4, 1)
        1 where exactly one input is 1.

    Examples
    --------
    >>> x, t = xor()
    >>> t.ravel().tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([[0.0], [1.0], [1.0], [0.0]])
    return x, t
