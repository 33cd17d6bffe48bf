"""Checking a value answer without revealing it (Lessons 00-05).

A wrong number answered with "expected 0.18, got 0.36" hands the learner the
answer to paste. :func:`expect_value` describes the mistake instead: a named
mistake's hint, a sign flip, a constant factor, or a value rounded too far.
The check's success message may show the value once the answer passed.
"""

from __future__ import annotations

import numpy as np

from bp_course.checks.core import _close, expect_close

__all__ = ["expect_value", "float32_tolerance"]


def _factor(got: np.ndarray, expected: np.ndarray):
    """The one factor c with got = c * expected (c neither 1 nor 0: a zero answer is no factor), or None."""
    big = np.abs(expected) > 1e-12
    if not big.any():
        return None
    c = float(np.median(got[big] / expected[big]))
    if np.isclose(c, 1.0) or c == 0 or not np.allclose(got, c * expected, rtol=1e-6, atol=1e-12):
        return None
    return c


def _describe(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    """Plain words for how ``got`` differs from ``expected``, without giving ``expected`` away."""
    if _close(got, -expected, rtol, atol):
        return "the sign is flipped: your value has the right size but the opposite sign."
    c = _factor(got, expected)
    if c is not None:
        if np.isclose(c, round(c)) and abs(c) >= 2:
            return f"your value is {round(c):d} times too large: a factor {round(c):d} too many."
        if np.isclose(1 / c, round(1 / c)) and abs(1 / c) >= 2:
            return f"your value is {round(1 / c):d} times too small: a factor 1/{round(1 / c):d} too many."
    if _close(got, expected, 1e-3, 1e-5):
        return ("your value is close but not within the tolerance: it looks rounded. Use the computed value, not a "
                "rounded one (assign the result of the computation, not digits copied from a printout).")
    return ""


def expect_value(exercise: str, got, expected, *, what: str, mistakes=(), rtol=1e-6, atol=1e-9) -> None:
    """Compare a value answer with the expected one; on a mismatch, name the mistake, never the value.

    Parameters
    ----------
    exercise : str
        The exercise id shown in messages.
    got, expected : array_like
        The learner's value and the correct one.
    what : str
        How the message names the value.
    mistakes : sequence of Mistake
        Plausible wrong values with their hints, tried first.

    Raises
    ------
    CheckFailed
        When ``got`` is not close to ``expected``.
    """
    expect_close(exercise, got, expected, what=what, mistakes=mistakes, rtol=rtol, atol=atol, describe=_describe)


def float32_tolerance(values, rtol: float, atol: float) -> tuple:
    """The tolerances for a result: float32 arrays get float32's precision (about 1e-7 relative) with margin.

    Parameters
    ----------
    values : iterable
        The learner's results (numbers, arrays or lists of arrays).
    rtol, atol : float
        The tolerances for float64 results.
    """
    def is32(value):
        if isinstance(value, (list, tuple)):
            return any(is32(v) for v in value)
        return getattr(value, "dtype", None) == np.float32
    if any(is32(v) for v in values):
        return max(rtol, 1e-5), max(atol, 1e-7)
    return rtol, atol
