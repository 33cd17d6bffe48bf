"""Input validation shared by the numerical modules.

Every public function of the package checks its inputs here first, so a
learner's mistake is reported in the course's words ("expected 2 input
features, got 3") instead of as a traceback from deep inside NumPy.
"""

from __future__ import annotations

import difflib
import numbers
from typing import Iterable

import numpy as np


def as_float_array(value, name: str, *, dtype=None, allow_nonfinite=False) -> np.ndarray:
    """Return ``value`` as a floating-point array, or raise a clear error.

    Parameters
    ----------
    value : array_like
        Numbers, nested lists of numbers or an array.
    name : str
        How the error message refers to the value (``"x"``, ``"targets t"``).
    dtype : numpy dtype, optional
        Floating dtype of the result. By default float32 and float64 arrays
        keep their precision (Lesson 07 compares them) and everything else
        becomes float64.
    allow_nonfinite : bool, optional
        Accept ``nan`` and ``inf`` (activations accept ``inf``; data never does).

    Raises
    ------
    TypeError
        If ``value`` is not numeric (strings, None, objects, ragged lists).
    ValueError
        If ``value`` holds ``nan`` or ``inf`` and ``allow_nonfinite`` is false.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be numbers or an array of numbers, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise TypeError(f"{name} must be a rectangular array of numbers ({error})") from None
    if array.dtype.kind != "f":  # real floats pass at once: the training loop checks its data every epoch
        if array.dtype == bool or not (np.issubdtype(array.dtype, np.number)):
            raise TypeError(f"{name} must be numbers or an array of numbers, got an array of {array.dtype}")
        if np.issubdtype(array.dtype, np.complexfloating):
            raise TypeError(f"{name} must be real numbers, got complex values")
    if dtype is None:
        dtype = array.dtype if array.dtype in (np.float32, np.float64) else np.float64
    array = array.astype(dtype, copy=False)
    if not allow_nonfinite and not np.isfinite(array).all():
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} contains {bad} non-finite value(s) (nan or inf); check the data or the learning rate")
    return array


def positive_number(value, name: str) -> float:
    """Return ``value`` as a float if it is a positive finite real number.

    Used for the learning rate ``eta`` and step sizes ``h``.
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def choose(name, options: Iterable[str], kind: str) -> str:
    """Return ``name`` if it is one of ``options``, else raise a helpful error.

    The error lists the valid names and suggests the closest one.
    """
    options = sorted(options)
    if not isinstance(name, str):
        raise TypeError(f"{kind} must be given by name, one of {', '.join(options)}; got {type(name).__name__}")
    if name in options:
        return name
    message = f"unknown {kind} {name!r}; valid names are: {', '.join(options)}"
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    raise ValueError(message)


def class_labels(labels, n_examples: int, n_classes: int, name: str = "labels") -> np.ndarray:
    """Return ``labels`` as an integer array if they are one class index per example, else raise.

    Parameters
    ----------
    labels : array_like of int
        Class indices, one per example; each in ``0..n_classes - 1``.
    n_examples : int
        How many examples the labels belong to.
    n_classes : int
        Number of classes (the network's outputs).
    name : str, optional
        How the error message refers to the labels.

    Raises
    ------
    TypeError
        If the labels are not integers (strings, floats, booleans).
    ValueError
        If there is not one label per example, or a label is outside the range.

    Examples
    --------
    >>> class_labels([2, 0, 1], 3, 3).tolist()
    [2, 0, 1]
    >>> class_labels([0, 5, 1], 3, 3)
    Traceback (most recent call last):
    ...
    ValueError: labels must be class indices 0..2 (one per output), got 1 outside: 5 (label of example 1)
    """
    if isinstance(labels, (str, bytes)) or labels is None:
        raise TypeError(f"{name} must be an array of integer class indices, got {type(labels).__name__}")
    try:
        array = np.asarray(labels)
    except ValueError as error:  # ragged nested lists
        raise TypeError(f"{name} must be a flat array of integer class indices ({error})") from None
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        hint = ""
        if np.issubdtype(array.dtype, np.floating) and array.size and np.all(np.isfinite(array)) \
                and np.all(array == np.round(array)):
            hint = " (these floats are whole numbers: pass labels.astype(int))"
        raise TypeError(f"{name} must be integer class indices, got an array of {array.dtype}{hint}")
    if array.shape != (n_examples,):
        raise ValueError(f"expected one label per example, a 1-D array of {n_examples}, "
                         f"got {name} of shape {array.shape}")
    outside = (array < 0) | (array >= n_classes)
    if np.any(outside):
        where = np.flatnonzero(outside)
        raise ValueError(f"{name} must be class indices 0..{n_classes - 1} (one per output), got "
                         f"{len(where)} outside: {array[where[0]]} (label of example {where[0]})")
    return array
