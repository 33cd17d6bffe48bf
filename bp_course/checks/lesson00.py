"""Checks for Lesson 00, "How to use this course".

The three toy exercises rehearse what every later lesson asks: write a
function, compute a value, and take a first derivative of the squared error
E = 1/2 (t - y)^2 of Lesson 01.
"""

from __future__ import annotations

import numpy as np

from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import Mistake, answer_value, expect_function, passed
from bp_course.checks.lesson01 import shape_slips
from bp_course.checks.values import expect_value

__all__ = ["HIDDEN", "squared_error", "error_at_y", "error_derivative"]

# The (y, t) cases function answers are tried on: numbers first, then arrays.
_CASES = [{"y": 0.6, "t": 0.0}, {"y": -1.5, "t": 2.0}, {"y": 3.0, "t": 1.0}, {"y": 0.25, "t": 0.25},
          {"y": np.array([0.6, -1.5, 3.0]), "t": np.array([0.0, 2.0, 1.0])}]


def squared_error(fn) -> None:
    """Exercise 00.1: ``fn(y, t)`` must return E = 1/2 (t - y)^2, element-wise.

    Examples
    --------
    >>> squared_error(lambda y, t: 0.5 * (t - y) ** 2)
    ✔ Exercise 00.1 passed: squared_error(y, t) = 1/2 (t - y)^2 for numbers and arrays.
    """
    mistakes = [
        Mistake(lambda y, t: (t - y) ** 2,
                "your values are exactly twice the expected ones: did you forget the factor 1/2?"),
        Mistake(lambda y, t: 0.5 * (t - y),
                "the difference is not squared: E = 1/2 (t - y)**2 (in Python, ** is the power)."),
        Mistake(lambda y, t: 0.5 * (y - t),
                "the difference is not squared: E = 1/2 (t - y)**2 (in Python, ** is the power)."),
        Mistake(lambda y, t: 0.5 * np.abs(t - y),
                "that is 1/2 |t - y|, not the square: use (t - y)**2."),
        Mistake(lambda y, t: 0.5 * t - y ** 2,
                "mind the parentheses: write 0.5 * (t - y)**2 so the whole difference is squared."),
        Mistake(lambda y, t: 0.5 * (t ** 2 - y ** 2),
                "(t - y)^2 is not t^2 - y^2: square the difference, not each term."),
    ]
    fn = shape_slips("00.1", fn, "squared_error", ("y", "t"), [
        (lambda y, t: 0.5 * (t - y) ^ 2, "use ** for powers: (t - y)**2. In Python ^ is the bitwise xor, "
                                         "which numbers with decimals do not have."),
    ])
    expect_function("00.1", fn, _CASES, lambda y, t: 0.5 * (t - y) ** 2, name="squared_error", mistakes=mistakes)
    passed("00.1", "squared_error(y, t) = 1/2 (t - y)^2 for numbers and arrays.")


def error_at_y(E) -> None:
    """Exercise 00.2: the error of the output y = 0.6 on the training case (1, 1, 0).

    Examples
    --------
    >>> error_at_y(0.18)
    ✔ Exercise 00.2 passed: E = 1/2 (0 - 0.6)^2 = 0.18.
    """
    E = answer_value("00.2", E, "E")
    mistakes = [
        Mistake(0.36, "0.36 is (t - y)^2 without the factor 1/2."),
        Mistake(0.08, "that is the error for the target t = 1; the training case (1, 1, 0) has target t = 0."),
        Mistake(-0.3, "1/2 (t - y) is not squared: E = 1/2 (t - y)^2."),
        Mistake(0.3, "1/2 |t - y| is not squared: E = 1/2 (t - y)^2."),
        Mistake(0.5 * (1 - 0.6) ** 2, "that uses the input x1 = 1 as the target; the target is t = 0."),
        Mistake(0.6, "0.6 is the output y itself; E is the error of that output, measured against the target."),
    ]
    expect_value("00.2", E, 0.18, what="E", mistakes=mistakes)
    passed("00.2", "E = 1/2 (0 - 0.6)^2 = 0.18.")


def error_derivative(fn) -> None:
    """Exercise 00.3: ``fn(y, t)`` must return dE/dy = y - t (Eq. 4 in Lesson 04).

    Examples
    --------
    >>> error_derivative(lambda y, t: y - t)
    ✔ Exercise 00.3 passed: dE/dy = y - t: the 2 of the power rule cancels the 1/2.
    """
    mistakes = [
        Mistake(lambda y, t: t - y,
                "the sign is flipped: d/dy 1/2 (t - y)^2 = (t - y) * d(t - y)/dy = (t - y) * (-1) = y - t."),
        Mistake(lambda y, t: 2 * (y - t),
                "there is an extra factor 2: the 2 from the power rule cancels the 1/2 in E."),
        Mistake(lambda y, t: 0.5 * (y - t),
                "a factor 1/2 too small: the 2 from the power rule cancels the 1/2, leaving y - t."),
        Mistake(lambda y, t: 0.5 * (t - y) ** 2,
                "that is the error E itself, not its derivative dE/dy."),
        Mistake(lambda y, t: y,
                "the target is missing: dE/dy = y - t."),
    ]
    expect_function("00.3", fn, _CASES, lambda y, t: y - t, name="error_derivative", mistakes=mistakes)
    passed("00.3", "dE/dy = y - t: the 2 of the power rule cancels the 1/2.")


HIDDEN = {
    "00.1": hidden.Function("squared_error", lambda rng: [tuple(rng.normal(size=2) * 3) for _ in range(4)],
                            lambda y, t: 0.5 * (t - y) ** 2),
    "00.2": hidden.Value(("E",), error_at_y),
    "00.3": hidden.Function("error_derivative", lambda rng: [tuple(rng.normal(size=2) * 3) for _ in range(4)],
                            lambda y, t: y - t),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
