"""Checks for Lesson 07, "Gradient checking".

The central difference, the step h that balances truncation against
round-off in float64 and float32, the norm-wise relative error, a gradient
check of any backward pass, and the diagnosis of the broken backward passes
of :mod:`bp_course.bugs`.
"""

from __future__ import annotations

import numpy as np

from bp_course import bugs, gradcheck
from bp_course.activations import logistic
from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import (CheckFailed, Mistake, NotAttempted, call, expect_choices, expect_close,
                                   expect_function, format_value, passed)

__all__ = ["HIDDEN", "central_difference", "best_h", "relative_error", "gradient_check", "diagnosis"]


def _cube(z):
    return z ** 3 - 2 * z


def central_difference(fn) -> None:
    """Exercise 07.1: ``fn(f, z, h)`` must return (f(z + h) - f(z - h)) / 2h, in the precision of z and h.

    Examples
    --------
    >>> central_difference(lambda f, z, h: (f(z + h) - f(z - h)) / (2 * h))
    ✔ Exercise 07.1 passed: (f(z + h) - f(z - h)) / 2h; the h^1 terms of the two Taylor series cancel.
    """
    cases = [{"f": np.sin, "z": 0.3, "h": 1e-2}, {"f": np.exp, "z": np.array([-1.0, 0.0, 2.0]), "h": 1e-1},
             {"f": _cube, "z": np.array([0.5, -1.5]), "h": 0.25}, {"f": logistic, "z": 1.0, "h": 0.5}]
    mistakes = [
        Mistake(lambda f, z, h: (f(z + h) - f(z - h)) / h,
                "that is twice the slope: the two points are 2h apart, so divide by 2h."),
        Mistake(lambda f, z, h: (f(z + h) - f(z)) / h,
                "that is the one-sided difference, from z to z + h; the central one steps both ways, z - h to z + h."),
        Mistake(lambda f, z, h: (f(z - h) - f(z + h)) / (2 * h), "the sign is flipped: subtract f(z - h) from f(z + h)."),
        Mistake(lambda f, z, h: (f(z + h) - f(z - h)) / 2 * h,
                "Python reads `/ 2 * h` as `(... / 2) * h`: that multiplies by h / 2 instead of dividing by 2h, so "
                "the result is h^2 times the slope (1e-4 times it at h = 0.01). Write `/ (2 * h)`."),
    ]
    expect_function("07.1", fn, cases, gradcheck.central_difference, name="central_difference", mistakes=mistakes)
    z, h = np.float32(1.0), np.float32(1e-2)
    value = call("07.1", fn, np.tanh, z, h, name="central_difference")
    if np.asarray(value).dtype != np.float32:
        raise CheckFailed("07.1", f"central_difference(tanh, float32 1.0, float32 0.01) returned "
                                  f"{np.asarray(value).dtype}, not float32: compute with z and h as they are "
                                  "(no float() or np.float64), so the float32 experiment below really runs "
                                  "in float32.")
    passed("07.1", "(f(z + h) - f(z - h)) / 2h; the h^1 terms of the two Taylor series cancel.")


_EPS = {"float64": float(np.finfo(np.float64).eps), "float32": float(np.finfo(np.float32).eps)}


def _good_h(dtype: str) -> tuple:
    """The accepted range: within a factor 20 of eps^(1/3), where truncation (~h^2) meets round-off (~eps/h)."""
    centre = _EPS[dtype] ** (1 / 3)
    return centre / 20, centre * 20


def best_h(answer) -> None:
    """Exercise 07.2: ``answer`` maps "float64" and "float32" to a good step h for central differences.

    A good h lies within a factor 20 of eps^(1/3) (about 6e-6 in float64 and
    5e-3 in float32), where the truncation error ~h^2 and the round-off
    error ~eps/h balance; the plot of the lesson shows the same minimum.

    Examples
    --------
    >>> best_h({"float64": 1e-5, "float32": 1e-2})
    ✔ Exercise 07.2 passed: float64 h = 1e-05, float32 h = 0.01: near eps^(1/3), where truncation and round-off balance.
    """
    if answer is Ellipsis:
        raise NotAttempted("07.2")
    if not isinstance(answer, dict) or set(answer) != {"float64", "float32"}:
        raise CheckFailed("07.2", f"best_h should be a dict with the keys 'float64' and 'float32', got "
                                  f"{format_value(answer)}")
    if any(v is Ellipsis for v in answer.values()):
        raise NotAttempted("07.2")
    problems = []
    for dtype in ("float64", "float32"):
        h = answer[dtype]
        if isinstance(h, bool) or not isinstance(h, (int, float, np.integer, np.floating)) or not 0 < h < 1:
            raise CheckFailed("07.2", f"best_h[{dtype!r}] should be a step between 0 and 1, such as 1e-3; "
                                      f"got {h!r:.40}")
        low, high = _good_h(dtype)
        if low <= h <= high:
            continue
        other = "float32" if dtype == "float64" else "float64"
        if _good_h(other)[0] <= h <= _good_h(other)[1]:
            hint = (f"h = {h:g} suits {other}, not {dtype}: float32 keeps about 7 digits and float64 about 16, so "
                    "round-off sets in at a much larger h in float32.")
        elif abs(np.log10(h) - np.log10(np.sqrt(_EPS[dtype]))) <= 0.6:
            hint = (f"h = {h:g} is near sqrt(eps), the best step for the one-sided difference, whose truncation "
                    "error falls only like h. The central difference's falls like h^2, so it balances round-off "
                    "at a larger h, near eps^(1/3).")
        elif h < low:
            hint = (f"at h = {h:g} round-off dominates in {dtype}: f(z + h) and f(z - h) agree in almost all their "
                    "digits, and the error grows like eps / h as h shrinks. Look for the bottom of the curve.")
        else:
            hint = (f"at h = {h:g} truncation dominates: the error still falls like h^2 as h shrinks. Look for the "
                    "bottom of the curve.")
        problems.append(f"best_h[{dtype!r}] = {h:g} is not where the {dtype} error is smallest.\nHint: {hint}")
    if problems:
        raise CheckFailed("07.2", "\n".join(problems))
    passed("07.2", f"float64 h = {answer['float64']:g}, float32 h = {answer['float32']:g}: near eps^(1/3), where "
                   "truncation and round-off balance.")


def _sum_relative_error(a, n):
    """The variant ||a - n|| / (||a|| + ||n||): never above the course's value, exactly half of it when ||a|| = ||n||."""
    return np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n))


def _not_finite(value) -> bool:
    """Whether a numeric answer holds nan or inf (a non-numeric one is left to :func:`expect_close` to name)."""
    try:
        return not np.all(np.isfinite(np.asarray(value, dtype=np.float64)))
    except (TypeError, ValueError):
        return False


def relative_error(fn) -> None:
    """Exercise 07.3: ``fn(a, n)`` must return ||a - n|| / max(||a||, ||n||), and 0 when both are zero.

    The cases with non-zero gradients come first, so that a formula that is
    wrong everywhere gets its hint even if it also divides 0 by 0; the case
    where both arrays are zero is checked last, with its own hint.

    Examples
    --------
    >>> def rel(a, n):
    ...     denom = max(np.linalg.norm(a), np.linalg.norm(n))
    ...     return 0.0 if denom == 0 else np.linalg.norm(a - n) / denom
    >>> relative_error(rel)
    ✔ Exercise 07.3 passed: the norm of the difference, relative to the larger of the two norms.
    """
    rng = np.random.default_rng(7)
    a = rng.normal(size=(3, 4))
    cases = [{"a": a, "n": a + 1e-6 * rng.normal(size=(3, 4))},
             {"a": np.array([3.0, 4.0]), "n": np.array([3.0, 4.5])},
             {"a": 1e-3 * np.array([1.0, -2.0]), "n": 1e-3 * np.array([1.5, -2.0])},
             {"a": np.array([0.0, 2.0]), "n": np.array([0.0, 0.0])}]
    mistakes = [
        Mistake(lambda a, n: np.linalg.norm(a - n), "that is the absolute error ||a - n||; divide by "
                                                    "max(||a||, ||n||), so the size of the gradient does not matter."),
        Mistake(_sum_relative_error,
                "that divides by ||a|| + ||n||, a common variant: it is never larger than this course's value, and "
                "exactly half of it when the two norms are equal, as they nearly are whenever a check passes. The "
                "course's thresholds are set for max(||a||, ||n||); with the sum they would be twice as lenient."),
        Mistake(lambda a, n: np.linalg.norm(a - n) / np.linalg.norm(a),
                "that divides by ||a|| alone; divide by max(||a||, ||n||): the error is then the same whichever "
                "gradient you call a, never above 1 when one of them is zero, and there is nothing to divide by "
                "only when both are zero."),
        Mistake(lambda a, n: np.max(np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), 1e-300)),
                "that is the largest entry-wise relative error; this one is norm-wise: ||a - n|| / max(||a||, ||n||)."),
    ]
    expect_function("07.3", fn, cases, gradcheck.norm_relative_error, name="relative_error", mistakes=mistakes)
    zeros = np.zeros(3)
    zero_hint = ("\nHint: when both arrays are all zero the gradients agree, and max(||a||, ||n||) is 0: return 0.0 "
                 "before dividing, as the docstring says.")
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = call("07.3", fn, zeros.copy(), zeros.copy(), name="relative_error")
    except CheckFailed as failure:
        if "ZeroDivisionError" in failure.message:
            raise CheckFailed("07.3", failure.message + zero_hint) from None
        raise
    if _not_finite(value):
        raise CheckFailed("07.3", f"relative_error(a=[0, 0, 0], n=[0, 0, 0]) returned {format_value(value)}, the "
                                  f"result of 0 / 0.{zero_hint}")
    expect_close("07.3", value, 0.0, what="relative_error(a=[0, 0, 0], n=[0, 0, 0])")
    passed("07.3", "the norm of the difference, relative to the larger of the two norms.")


def _batch(n, seed=11):
    rng = np.random.default_rng(seed)
    return rng.uniform(size=(n, bugs.SIZES[0])), rng.uniform(size=(n, bugs.SIZES[-1]))


def gradient_check(fn) -> None:
    """Exercise 07.4: ``fn(backward, network, x, t)`` must return the GradCheck of ``backward`` on (x, t).

    Checked on the reference backward pass and on every broken one of
    :mod:`bp_course.bugs`: the arrays it flags must be the ones that are wrong.

    Examples
    --------
    >>> def check(backward, network, x, t):
    ...     numeric = gradcheck.numerical_gradient(lambda: network.error(x, t), network.params)
    ...     names = [f"{k}[{l}]" for l in range(len(network.W)) for k in ("W", "b")]
    ...     return gradcheck.compare(backward(network, x, t), numeric, names)
    >>> gradient_check(check)
    ✔ Exercise 07.4 passed: it passes the reference and flags every broken array of the six buggy passes.
    """
    x, t = _batch(6)
    names = gradcheck.parameter_names(len(bugs.SIZES) - 1)
    missed = []
    for label in [None, *bugs.MYSTERIES]:
        network = bugs.lesson_network()
        before = [p.copy() for p in network.params]
        shown = "the reference backward pass" if label is None else f"bug {label}"
        report = call("07.4", fn, bugs.backward(label), network, x.copy(), t.copy(), name="gradient_check")
        if not isinstance(report, gradcheck.GradCheck):
            raise CheckFailed("07.4", f"gradient_check should return the report of gradcheck.compare (a GradCheck), "
                                      f"got {type(report).__name__}")
        if any(not np.array_equal(p, q) for p, q in zip(network.params, before)):
            raise CheckFailed("07.4", f"gradient_check changed the network's weights (on {shown}): put every "
                                      "perturbed entry back, as gradcheck.numerical_gradient does.")
        if list(report.names) != names:
            raise CheckFailed("07.4", f"the report names its arrays {list(report.names)}; pass names={names} to "
                                      "compare, in the order of network.params.")
        numeric = gradcheck.numerical_gradient(lambda: network.error(x, t), network.params)
        expected = gradcheck.compare(bugs.backward(label)(network, x, t), numeric, names)
        if label is None and report.failed:
            raise CheckFailed("07.4", f"your check flags {report.failed} of the reference backward pass, which is "
                                      "correct: compare with central differences of network.error(x, t), with "
                                      "h = 1e-5 (float64) and the course's tolerances.")
        if label is not None and report.failed != expected.failed:
            missed.append((label, report.failed, expected.failed))
    if missed:
        label, got, wanted = missed[0]
        message = f"on bug {label} your check flags {got or 'nothing'}, but {wanted} are wrong."
        if {m[0] for m in missed} <= {"C", "E"}:
            hint = ("it misses the bugs that show only with more than one example: use the whole batch x, t "
                    "that gradient_check receives.")
        elif all(not got for _, got, _ in missed):
            hint = ("it passes broken backward passes: is the analytic side the gradients of the `backward` "
                    "you are given, backward(network, x, t), and the numerical side central differences of "
                    "network.error(x, t)?")
        else:
            hint = "compare the analytic gradients of the backward pass under test with central differences."
        raise CheckFailed("07.4", f"{message}\nHint: {hint}")
    passed("07.4", "it passes the reference and flags every broken array of the six buggy passes.")


_EVIDENCE = {
    "off_by_one": "every weight gradient fails, with one example as with a batch, while every bias gradient passes: "
                  "the deltas are right, so read the line that turns a delta into a weight gradient.",
    "missing_slope": "the top layer passes and the layers below fail, so the deltas go wrong on their way down: "
                     "compare the line that carries them down with Eq. 5, factor by factor.",
    "transposed": "the top layer passes and the layers below fail, so the deltas go wrong on their way down: "
                  "in Eq. 5, delta_j = (sum_l w_jl delta_l) phi'(net_j), which index of W runs over the layer above?",
    "bias_sum": "only the bias gradients fail, and only with a batch (with one example they pass): what differs "
                "between one example and a batch in how db is computed?",
    "overwritten": "only the weight gradients fail, and only with a batch (with one example they pass): read how "
                   "the contributions of the examples are combined.",
    "slope_of_output": "every array fails, so the error enters with the first delta computed, at the output: "
                       "compare it with Eq. 3 and 4.",
}


def diagnosis(answer) -> None:
    """Exercise 07.5: ``answer`` maps each bug label "A"-"F" to its cause, one of :data:`bp_course.bugs.CAUSES`.

    Examples
    --------
    >>> diagnosis(dict(bugs.MYSTERIES))  # doctest: +NORMALIZE_WHITESPACE
    ✔ Exercise 07.5 passed: all six bugs found, each located by the gradient check and named by reading one line: A:
    off_by_one, B: missing_slope, C: bias_sum, D: transposed, E: overwritten, F: slope_of_output.
    """
    hints = {label: _EVIDENCE[cause] for label, cause in bugs.MYSTERIES.items()}
    expect_choices("07.5", answer, bugs.MYSTERIES, bugs.CAUSES, hints, item="bug", items="bugs", plural="diagnoses",
                   example="{'A': 'transposed', ...}")
    found = ", ".join(f"{label}: {cause}" for label, cause in bugs.MYSTERIES.items())
    passed("07.5", f"all six bugs found, each located by the gradient check and named by reading one line: {found}.")


def _reference_gradient_check(backward, network, x, t):
    numeric = gradcheck.numerical_gradient(lambda: network.error(x, t), network.params)
    return gradcheck.compare(backward(network, x, t), numeric, gradcheck.parameter_names(len(network.W)))


def _gradient_check_cases(rng):
    labels = [None, *rng.choice(list(bugs.MYSTERIES), size=3, replace=False)]
    return [(None if label is None else str(label), int(rng.integers(0, 10**6)), int(rng.integers(2, 7)))
            for label in labels]


def _call_gradient_check(fn, label, seed, n):
    network = bugs.lesson_network(seed=seed % 1000)
    x, t = _batch(n, seed=seed)
    return fn(bugs.backward(label), network, x, t)


def _failed_arrays(report):
    return list(report.failed)


HIDDEN = {
    "07.1": hidden.Function("central_difference", lambda rng: [(f, rng.normal(size=3), float(10 ** -rng.uniform(1, 3)))
                                                               for f in (np.sin, np.exp, logistic)],
                            gradcheck.central_difference),
    "07.2": hidden.Value(("best_h",), best_h),
    "07.3": hidden.Function("relative_error", lambda rng: [(a, a + s * rng.normal(size=a.shape)) for a, s in
                                                           ((rng.normal(size=(3, 2)), 1e-3), (rng.normal(size=5), 1.0),
                                                            (np.zeros(2), 0.0))],
                            gradcheck.norm_relative_error),
    "07.4": hidden.Function("gradient_check", _gradient_check_cases, _reference_gradient_check,
                            call=_call_gradient_check, reduce=_failed_arrays),
    "07.5": hidden.Value(("diagnosis",), diagnosis),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
