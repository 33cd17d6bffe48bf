"""Small deterministic data sets the lessons train on.

Nothing is downloaded: every data set is either written out here or ships
inside the package (``bp_course/data/``, with its source and licence in the
README there).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["training_case", "two_cases", "worked_example", "xor", "Digits", "digits", "one_hot", "DIGITS_FILE",
           "DIGITS_SHA256"]

DIGITS_FILE = Path(__file__).resolve().parent / "data" / "digits.npz"
"""The handwritten digits, 1,797 images of 8x8 pixels with values 0-16 (UCI, CC BY 4.0; see data/README.md)."""

DIGITS_SHA256 = "af104d81e7cd419be5f343d23c6ca2e4e4ff847b06636260802df8e903c6183f"
"""SHA-256 of :data:`DIGITS_FILE`, checked on every load."""


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


@dataclass(frozen=True)
class Digits:
    """The handwritten digits, split into a training and a test set (Lesson 09).

    Attributes
    ----------
    x_train, x_test : ndarray of float64, shape (n, 64)
        Images, one row per image (8 rows of 8 pixels, row by row), scaled
        from 0..16 to [0, 1].
    labels_train, labels_test : ndarray of int64, shape (n,)
        The digit each image shows, 0-9.
    """

    x_train: np.ndarray
    labels_train: np.ndarray
    x_test: np.ndarray
    labels_test: np.ndarray


def one_hot(labels, classes: int = 10) -> np.ndarray:
    """Targets with a 1 in the column of each label and 0 elsewhere.

    Examples
    --------
    >>> one_hot([2, 0], classes=3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D array of integers, got {labels.dtype} of shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must lie in 0..{classes - 1}, got values from {labels.min()} to {labels.max()}")
    return np.eye(classes)[labels]


def digits(test_fraction: float = 0.2, seed: int = 0) -> Digits:
    """Load the handwritten digits with a deterministic, stratified train/test split.

    Each digit's images are shuffled with ``seed`` and the first
    ``test_fraction`` of them go to the test set, so both sets hold every
    digit in the same proportion, and the same arguments always give the
    same split. The file's SHA-256 is checked first.

    Parameters
    ----------
    test_fraction : float, optional
        Share of each digit's images in the test set, in (0, 1).
    seed : int, optional
        Seed of the shuffle.

    Raises
    ------
    ValueError
        When the shipped file is damaged (its SHA-256 differs) or the fraction is not in (0, 1).

    Examples
    --------
    >>> d = digits()
    >>> d.x_train.shape, d.x_test.shape
    ((1438, 64), (359, 64))
    """
    if not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a number between 0 and 1, got {test_fraction!r}")
    data = DIGITS_FILE.read_bytes()
    if hashlib.sha256(data).hexdigest() != DIGITS_SHA256:
        raise ValueError(f"{DIGITS_FILE} is damaged (its SHA-256 differs from the shipped file's); "
                         "reinstall bp_course")
    with np.load(DIGITS_FILE) as archive:
        images, labels = archive["images"], archive["labels"].astype(np.int64)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        test[members[:round(test_fraction * len(members))]] = True
    x = images.astype(np.float64) / 16.0
    return Digits(x_train=x[~test], labels_train=labels[~test], x_test=x[test], labels_test=labels[test])
