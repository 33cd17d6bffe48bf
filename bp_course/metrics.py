"""How well a classifier does, counted (Lesson 09)."""

from __future__ import annotations

import numpy as np

__all__ = ["confusion_matrix"]


def _labels(values, name: str, classes: int) -> np.ndarray:
    values = np.asarray(values)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D array of integer class labels, got {values.dtype} of shape "
                         f"{values.shape}")
    if values.size and (values.min() < 0 or values.max() >= classes):
        raise ValueError(f"{name} must lie in 0..{classes - 1}, got values from {values.min()} to {values.max()}")
    return values


def confusion_matrix(labels, predicted, classes: int = 10) -> np.ndarray:
    """Counts of (true class, predicted class) pairs (Lesson 09).

    Entry ``[i, j]`` is the number of examples of class i that were
    predicted as class j: the diagonal holds the right answers, and each
    off-diagonal entry one kind of confusion.

    Parameters
    ----------
    labels, predicted : array_like of int, shape (n,)
        True and predicted classes, in 0..classes - 1.
    classes : int
        The number of classes.

    Returns
    -------
    ndarray of int, shape (classes, classes)

    Examples
    --------
    >>> confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], classes=3).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 1:
        raise ValueError(f"classes must be a positive integer, got {classes!r}")
    labels = _labels(labels, "labels", classes)
    predicted = _labels(predicted, "predicted", classes)
    if labels.shape != predicted.shape:
        raise ValueError(f"{labels.size} labels but {predicted.size} predictions")
    return np.bincount(labels * classes + predicted, minlength=classes * classes).reshape(classes, classes)
