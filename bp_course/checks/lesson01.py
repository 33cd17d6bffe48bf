"""Checks for Lesson 01, "Learning as an optimization problem".

The linear neuron y = w1 x1 + w2 x2, its error averaged over examples, the
valley of minima of the single training case (1, 1, 0), and the second case
that turns the valley into a bowl.
"""

from __future__ import annotations

import copy

import numpy as np

from bp_course import linear_neuron
from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import (CheckFailed, Mistake, _ShortError, answer_value, call, expect_close,
                                   expect_function, format_value, passed)

__all__ = ["HIDDEN", "output", "mean_error", "valley", "second_case", "shape_slips", "column_target",
           "column_target_hint"]

_X = [np.array([[1.0, 1.0], [2.0, 0.5], [-1.0, 3.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 1.0]])]
_W = [np.array([0.5, -1.0]), np.array([2.0, 3.0]), np.array([0.3, 0.2])]
_T = [np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0]), np.array([0.0])]

# The two cases of datasets.two_cases(), with t as the data set gives it: a column of shape (n, 1).
_X_COLUMN, _T_COLUMN, _W_COLUMN = np.array([[1.0, 1.0], [1.0, 0.0]]), np.array([[0.0], [1.0]]), np.array([0.5, 0.5])


def shape_slips(exercise: str, fn, name: str, arg_names, slips):
    """Wrap a learner's function so that an error a known slip raises *identically* gets that slip's hint.

    A shape mistake such as ``w @ x`` for ``x @ w`` raises NumPy's own
    error; when the learner's function raises exactly the error (same type,
    same message) that a slip raises on the same arguments, the check says
    which slip it is.

    Parameters
    ----------
    exercise : str
    fn : callable
        The learner's function (returned unchanged when not callable, so
        :func:`~bp_course.checks.core.call` reports that).
    name : str
        The function's name in messages.
    arg_names : sequence of str
        The arguments' names, in order (``("w", "x")``).
    slips : sequence of (callable, str)
        Each slip as a function of the same arguments, with its hint.
    """
    if not callable(fn):
        return fn

    def wrapped(*args):
        try:
            return fn(*args)
        except (NotImplementedError, _ShortError):
            raise
        except Exception as error:  # the learner's code may raise anything
            for slip, hint in slips:
                try:
                    slip(*args)
                except Exception as expected:
                    if type(expected) is type(error) and str(expected) == str(error):
                        shapes = ", ".join(f"{k} of shape {np.shape(a)}" for k, a in zip(arg_names, args))
                        raise CheckFailed(exercise, f"{name}({shapes}) raised {type(error).__name__}: {error}"
                                                    f"\nHint: {hint}") from None
            raise

    wrapped.__name__ = getattr(fn, "__name__", name)
    return wrapped


def column_target_hint(n: int, got, expected: str) -> str:
    """The hint for the shape trap of Lesson 01: t of shape (n, 1) broadcast against y of shape (n,).

    Parameters
    ----------
    n : int
        The number of examples.
    got : str
        What the learner's result shows of the broadcast (``"0.375"``, ``"a result of shape (2, 2)"``).
    expected : str
        What it should have been (``"0.3125"``, ``"shape (2,)"``).
    """
    return (f"here t has shape ({n}, 1), a column, as datasets.two_cases() gives it, and y = x @ w has shape "
            f"({n},). NumPy does not refuse t - y: it broadcasts it to a table of shape ({n}, {n}), every target "
            f"minus every output, so {got} instead of {expected}. Make t one number per example first: t = t[:, 0] or "
            "t = np.ravel(t) (that also leaves a t of shape (n,) as it is).")


def output(fn) -> None:
    """Exercise 01.1: ``fn(w, x)`` must return y = x @ w, one output per example.

    Examples
    --------
    >>> output(lambda w, x: x @ w)
    ✔ Exercise 01.1 passed: y = x @ w gives w1 x1 + w2 x2 for every example at once.
    """
    cases = [{"w": w, "x": x} for w, x in zip(_W, _X)]
    fn = shape_slips("01.1", fn, "output", ("w", "x"), [
        (lambda w, x: w @ x, "x has one row per example, shape (n, 2), and w has shape (2,): y = x @ w (each row "
                             "of x times the weights), not w @ x. In a matrix product the inner sizes must agree."),
        (lambda w, x: np.dot(w, x), "x has one row per example, shape (n, 2), and w has shape (2,): "
                                    "y = np.dot(x, w), not np.dot(w, x)."),
        (lambda w, x: x.T @ w, "x has one row per example, shape (n, 2), and w has shape (2,): y = x @ w as it is, "
                               "without the transpose (x.T has shape (2, n), whose inner size n does not meet w's 2)."),
        (lambda w, x: w[0] * x[0] + w[1] * x[1], "x[0] and x[1] are the first two rows of x, two examples, not the "
                                                 "inputs x1 and x2: an input's values for every example are a column, "
                                                 "x[:, 0] and x[:, 1]."),
    ])
    mistakes = [
        Mistake(lambda w, x: x * w, "that multiplies each input by its weight but does not add them up: "
                                    "y is the sum w1 x1 + w2 x2, one number per example (x @ w)."),
        Mistake(lambda w, x: np.sum(x * w), "that adds up every example into one number: sum over the inputs "
                                            "only, so each example gets its own output (x @ w)."),
        Mistake(lambda w, x: x[:, 0] * w[0], "only the first input counts: y = w1 x1 + w2 x2 has two terms."),
        Mistake(lambda w, x: x.sum(axis=1) + w.sum(), "weights multiply their inputs; they are not added to them."),
    ]
    expect_function("01.1", fn, cases, lambda w, x: x @ w, name="output", mistakes=mistakes)
    passed("01.1", "y = x @ w gives w1 x1 + w2 x2 for every example at once.")


def _mean_error(w, x, t):
    return np.mean(0.5 * (np.ravel(t) - x @ w) ** 2)


FLAT_TARGET_HINT = ("t may already have shape (n,), one number per example, and then t[:, 0] has nothing to index. "
                    "np.ravel(t) works for both shapes, (n,) and (n, 1).")
"""The hint for ``t[:, 0]`` on a target of shape (n,) (Exercises 01.2 and 02.1)."""


def column_slips(exercise: str, fn, name: str):
    """:func:`shape_slips` for a function of ``(w, x, t)`` that indexes ``t[:, 0]`` when t is already (n,)."""
    return shape_slips(exercise, fn, name, ("w", "x", "t"), [(lambda w, x, t: t[:, 0], FLAT_TARGET_HINT)])


def sample_variance_slip(exercise: str, fn, name: str, reference, hint: str) -> None:
    """Fail with ``hint`` when ``fn`` divides by n - 1 where the reference divides by n.

    Tried on a case of 3 examples (with one example the n - 1 version divides by zero, so no
    :class:`~bp_course.checks.core.Mistake` can match on every case).
    """
    args = (_W[0], _X[0], _T[0])
    got = call(exercise, fn, *copy.deepcopy(args), name=name)
    right = np.asarray(reference(*args), dtype=np.float64)
    n = len(args[1])
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return
    if got.shape == right.shape and not np.allclose(got, right) and np.allclose(got, right * n / (n - 1)):
        raise CheckFailed(exercise, f"{name}(w, x, t) on {n} examples is not right yet.\nHint: {hint}")


def with_column_target(cases):
    """Cases ``(w, x, t, ...)`` of the hidden checks, the one with most examples given t as a column (n, 1).

    The data sets of the course give t that shape; the exercises ask for
    functions that accept it (Lesson 01, section 1).
    """
    cases = list(cases)
    i = max(range(len(cases)), key=lambda j: len(cases[j][1]))
    w, x, t, *rest = cases[i]
    cases[i] = (w, x, np.reshape(t, (-1, 1)), *rest)
    return cases


def _hidden_mean_error_cases(rng):
    return with_column_target(hidden.linear_batches(rng))


def mean_error(fn) -> None:
    """Exercise 01.2: ``fn(w, x, t)`` must return E = (1/n) sum_p 1/2 (t_p - y_p)^2.

    ``t`` comes with shape (n,) and, as the data sets give it, (n, 1); a
    function that lets ``t - y`` broadcast to (n, n) is told so
    (:func:`column_target`).

    Examples
    --------
    >>> mean_error(lambda w, x, t: np.mean(0.5 * (np.ravel(t) - x @ w) ** 2))
    ✔ Exercise 01.2 passed: E is the average of the examples' squared errors.
    """
    cases = [{"w": w, "x": x, "t": t} for w, x, t in zip(_W, _X, _T)]
    mistakes = [
        Mistake(lambda w, x, t: np.sum(0.5 * (t - x @ w) ** 2),
                "that is the sum over examples; E is their average (divide by the number of examples, "
                "or use np.mean)."),
        Mistake(lambda w, x, t: np.mean((t - x @ w) ** 2), "twice the expected value: the factor 1/2 is missing."),
        Mistake(lambda w, x, t: 0.5 * np.mean(t - x @ w) ** 2,
                "that squares the average difference; square each example's difference first, then average."),
        Mistake(lambda w, x, t: 0.5 * (t - x @ w) ** 2,
                "that is each example's error; E is one number, their average."),
    ]
    fn = column_slips("01.2", fn, "mean_error")
    sample_variance_slip("01.2", fn, "mean_error", _mean_error,
                         "that divides by n - 1, as a sample variance does; E is the plain average of the n "
                         "examples' errors: divide by n (or use np.mean).")
    expect_function("01.2", fn, cases, _mean_error, name="mean_error", mistakes=mistakes)
    column_target("01.2", fn, "mean_error", _mean_error)
    passed("01.2", "E is the average of the examples' squared errors.")


def _weight_vector(exercise: str, w, name: str) -> np.ndarray:
    w = answer_value(exercise, w, name)
    if w is None:
        raise CheckFailed(exercise, f"{name} should be two numbers (w1, w2), got None.")
    try:
        array = np.asarray(w, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(exercise, f"{name} should be two numbers (w1, w2), got {w!r:.60}") from None
    if array.shape != (2,):
        raise CheckFailed(exercise, f"{name} should be two numbers (w1, w2), got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise CheckFailed(exercise, f"{name} = {format_value(array)} is not finite.")
    return array


def column_target(exercise: str, fn, name: str, reference) -> None:
    """Try ``fn(w, x, t)`` on the two cases with t as the data set gives it, a column (n, 1); name the broadcast.

    Run after the cases with t of shape (n,) passed. When the answer is
    right with ``t`` flattened and wrong with the column, whatever the value
    it then gives, ``t - y`` broadcast to (n, n): the hint says so.

    Parameters
    ----------
    exercise, name : str
    fn : callable
        The learner's function of ``(w, x, t)``.
    reference : callable
        The right function, which accepts t of shape (n,) or (n, 1).
    """
    args = (_W_COLUMN, _X_COLUMN, _T_COLUMN)
    right = np.asarray(reference(*args), dtype=np.float64)
    what = (f"{name}(w, x, t) with w = {format_value(_W_COLUMN)} on the two cases of datasets.two_cases(), "
            "t of shape (2, 1)")
    got = call(exercise, fn, *copy.deepcopy(args), name=name)
    try:
        expect_close(exercise, got, right, what=what)
    except CheckFailed as failure:
        flat = call(exercise, fn, _W_COLUMN.copy(), _X_COLUMN.copy(), _T_COLUMN[:, 0].copy(), name=name)
        try:
            expect_close(exercise, flat, right, what=what)
        except CheckFailed:
            raise failure from None
        shown = (f"a result of shape {np.shape(got)}" if np.shape(got) != right.shape
                 else f"{format_value(got)}")
        raise CheckFailed(exercise, f"{failure.message}\nHint: " + column_target_hint(
            2, shown, f"{format_value(right)}" if right.ndim == 0 else f"shape {right.shape}")) from None


def valley(w_a, w_b) -> None:
    """Exercise 01.3: two different weight vectors, each with E = 0 on the training case (1, 1, 0).

    Examples
    --------
    >>> valley([1.0, -1.0], [-2.5, 2.5])
    ✔ Exercise 01.3 passed: E(1, -1) = E(-2.5, 2.5) = 0. Every point with w1 = -w2 has E = 0: a whole valley of minima.
    """
    w_a, w_b = _weight_vector("01.3", w_a, "w_a"), _weight_vector("01.3", w_b, "w_b")
    x, t = [[1.0, 1.0]], [0.0]
    for name, w in (("w_a", w_a), ("w_b", w_b)):
        E = float(linear_neuron.error(w, x, t))
        if E > 1e-12:
            hint = ("on this case y = w1 + w2, so E = 1/2 (w1 + w2)^2: it is 0 exactly when w1 + w2 = 0."
                    if not np.isclose(w[0], -w[1]) else "")
            raise CheckFailed("01.3", f"{name} = {format_value(w)} gives E = {E:.6g}, not 0."
                                      + (f"\nHint: {hint}" if hint else ""))
    if np.allclose(w_a, w_b, atol=1e-6):
        raise CheckFailed("01.3", f"w_a and w_b are the same point {format_value(w_a)}.\nHint: find a second, "
                                  "different one: how many solutions does w1 + w2 = 0 have?")
    passed("01.3", f"E({w_a[0]:g}, {w_a[1]:g}) = E({w_b[0]:g}, {w_b[1]:g}) = 0. Every point with w1 = -w2 "
                   "has E = 0: a whole valley of minima.")


def second_case(case) -> None:
    """Exercise 01.4: a case (x1, x2, t) that, added to (1, 1, 0), leaves exactly one minimum.

    The two cases' error has the Hessian H = x^T x / 2, which is positive
    definite (a true bowl) exactly when the two input vectors are not parallel.

    Examples
    --------
    >>> second_case((1.0, 0.0, 1.0))
    ✔ Exercise 01.4 passed: the Hessian's eigenvalues are now 0.191 and 1.31, both positive: a bowl whose one minimum is w = (1, -1).
    """
    case = answer_value("01.4", case, "case")
    if case is None:
        raise CheckFailed("01.4", "case should be three numbers (x1, x2, t), got None.")
    if isinstance(case, (list, tuple)) and len(case) == 3:
        for ordinal, value in zip(("first", "second", "third"), case):
            if np.ndim(value) > 0:
                raise CheckFailed("01.4", f"case should be three numbers (x1, x2, t); the {ordinal} is an array of "
                                          f"shape {np.shape(value)}.\nHint: take the number out of it: index every "
                                          "axis, e.g. t2[1, 0] instead of t2[1].")
    try:
        values = np.asarray(case, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed("01.4", f"case should be three numbers (x1, x2, t), got {case!r:.60}") from None
    if values.shape != (3,):
        raise CheckFailed("01.4", f"case should be three numbers (x1, x2, t), got shape {values.shape}.")
    if not np.all(np.isfinite(values)):
        raise CheckFailed("01.4", f"case = {format_value(values)} is not finite.")
    x = np.array([[1.0, 1.0], values[:2]])
    if np.allclose(values[:2], 0.0):
        raise CheckFailed("01.4", "the inputs x1 = x2 = 0 make the new case's output 0 whatever the weights: "
                                  "it adds a constant to E and the valley stays.\nHint: choose inputs that are "
                                  "not zero and not a multiple of (1, 1).")
    lam = np.linalg.eigvalsh(linear_neuron.hessian(x))
    if lam[0] <= 1e-9 * lam[1]:
        raise CheckFailed("01.4", f"the Hessian's eigenvalues are {lam[0]:.3g} and {lam[1]:.3g}: still a valley "
                                  f"(a zero curvature).\nHint: the inputs ({values[0]:g}, {values[1]:g}) are a "
                                  "multiple of (1, 1), so the new case only steepens the same valley; choose "
                                  "inputs in another direction, such as (1, 0).")
    w_star = np.linalg.solve(x, np.array([0.0, values[2]])) + 0.0   # + 0.0 turns -0.0 into 0.0
    passed("01.4", f"the Hessian's eigenvalues are now {lam[0]:.3g} and {lam[1]:.3g}, both positive: a bowl whose "
                   f"one minimum is w = ({w_star[0]:.3g}, {w_star[1]:.3g}).")



HIDDEN = {
    "01.1": hidden.Function("output", lambda rng: [(w, x) for w, x, _ in hidden.linear_batches(rng)], lambda w, x: x @ w),
    "01.2": hidden.Function("mean_error", _hidden_mean_error_cases, _mean_error),
    "01.3": hidden.Value(("w_a", "w_b"), valley),
    "01.4": hidden.Value(("case",), second_case),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
