"""Checks for Lesson 03, "The logistic neuron".

The learner's hand derivation of phi'(z), a central difference to confirm it
numerically, the derivative of tanh, and ReLU's slope with its convention at 0.
"""

from __future__ import annotations

import numpy as np

from bp_course import activations, symbolic
from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import CheckFailed, Mistake, call, expect_derivation, expect_function, passed
from bp_course.checks.lesson01 import shape_slips
from bp_course.checks.values import float32_tolerance

__all__ = ["HIDDEN", "logistic_derivative", "central_difference", "tanh_derivative", "relu_prime"]

# The answers in the forms a learner meets them, printed by the check once the answer passes:
# the lesson's text keeps them behind the check (tests/test_reveals.py).
_LOGISTIC_FORMS = "dphi/dz = exp(-z)/(1 + exp(-z))^2 = phi * (1 - phi): the second form needs only the output phi."
_TANH_FORMS = "dtanh/dz = 1 - tanh(z)^2 = 1/cosh(z)^2; with the output o = tanh(z) it is 1 - o^2."


def logistic_derivative(answer) -> None:
    """Exercise 03.1: the hand-derived phi'(z) for phi(z) = 1 / (1 + e^-z), as a formula.

    Examples
    --------
    >>> logistic_derivative("phi * (1 - phi)")
    ✔ Exercise 03.1 passed: dphi/dz is right: proved equal by SymPy and confirmed numerically at 6 points.
    dphi/dz = exp(-z)/(1 + exp(-z))^2 = phi * (1 - phi): the second form needs only the output phi.
    """
    verdict = expect_derivation("03.1", answer, symbolic.logistic_derivative())
    passed("03.1", f"{verdict.message}\n{_LOGISTIC_FORMS}")


def _cubic(z):
    return z ** 3 - 2 * z


def _uses_h(fn) -> None:
    """Fail, naming it, when ``fn`` gives the same values for two different steps h on exp."""
    z = np.array([-1.0, 0.5, 2.0])
    a, b = (np.asarray(call("03.2", fn, np.exp, z.copy(), h, name="central_difference"), dtype=np.float64)
            for h in (0.5, 1.0))
    if a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-12):
        raise CheckFailed("03.2", "your function does not use the h it is given: on f(z) = exp(z), whose central "
                                  "difference is exp(z) sinh(h) / h, it gives the same values for h = 0.5 and "
                                  "h = 1 (the right ones differ by 13%).\nHint: step by the argument h, f(z + h) "
                                  "and f(z - h), not by a fixed number such as 1e-5, and do not return a formula "
                                  "for the derivative itself.")


def _closeness(results, cases, reference) -> str:
    """A line saying how far the results are from the reference, for differences the 6 digits shown hide."""
    worst = 0.0
    for got, case in zip(results, cases):
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            return ""
        want = np.asarray(reference(*case.values()), dtype=np.float64)
        if got.shape != want.shape:
            return ""
        worst = max(worst, float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-12))))
    if worst == 0.0 or worst > 1e-5:
        return ""
    return (f"\nThe numbers agree in the digits shown: they differ by up to {worst:.2g} relative, more than "
            "rounding allows (1e-9). Compute exactly (f(z + h) - f(z - h)) / (2 h) with the h you are given.")


def central_difference(fn) -> None:
    """Exercise 03.2: ``fn(f, z, h)`` must return (f(z + h) - f(z - h)) / (2 h).

    Examples
    --------
    >>> central_difference(lambda f, z, h: (f(z + h) - f(z - h)) / (2 * h))
    ✔ Exercise 03.2 passed: the central difference, exact up to h^2 terms.
    """
    z = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
    cases = [{"f": activations.logistic, "z": z, "h": 1e-3}, {"f": np.sin, "z": z, "h": 1e-2},
             {"f": _cubic, "z": z, "h": 0.1}, {"f": np.exp, "z": 0.5, "h": 1e-3}]
    mistakes = [
        Mistake(lambda f, z, h: (f(z + h) - f(z)) / h,
                "that is the one-sided (forward) difference; the central difference steps to both sides, "
                "(f(z + h) - f(z - h)) / (2 h), and is far more accurate."),
        Mistake(lambda f, z, h: (f(z) - f(z - h)) / h,
                "that is the one-sided (backward) difference; step to both sides: (f(z + h) - f(z - h)) / (2 h)."),
        Mistake(lambda f, z, h: (f(z + h) - f(z - h)) / h,
                "twice the expected value: the two points are 2 h apart, so divide by 2 h."),
        Mistake(lambda f, z, h: (f(z - h) - f(z + h)) / (2 * h),
                "the sign is flipped: subtract the left value from the right one, f(z + h) - f(z - h)."),
        Mistake(lambda f, z, h: (f(z + h) - f(z - h)) / 2 * h,
                "mind the parentheses: / 2 * h divides by 2 and then multiplies by h; write / (2 * h)."),
        Mistake(lambda f, z, h: (f(z + h / 2) - f(z - h / 2)) / h,
                "that steps h/2 to each side; the central difference steps a whole h to each side: "
                "(f(z + h) - f(z - h)) / (2 h)."),
        Mistake(lambda f, z, h: (-f(z + 2 * h) + 8 * f(z + h) - 8 * f(z - h) + f(z - 2 * h)) / (12 * h),
                "that is the four-point stencil, exact up to h^4 terms; this exercise asks for the two-point "
                "central difference (f(z + h) - f(z - h)) / (2 h), which the later lessons use."),
    ]
    results = [call("03.2", fn, *case.values(), name="central_difference") for case in cases]
    rtol, atol = float32_tolerance(results, 1e-9, 1e-12)
    reference = lambda f, z, h: (f(z + h) - f(z - h)) / (2 * h)  # noqa: E731
    try:
        expect_function("03.2", fn, cases, reference, name="central_difference", mistakes=mistakes,
                        rtol=rtol, atol=atol)
    except CheckFailed as failure:
        _uses_h(fn)
        if "\nHint:" in failure.message:
            raise
        raise CheckFailed("03.2", failure.message + _closeness(results, cases, reference)) from None
    passed("03.2", "the central difference, exact up to h^2 terms.")


def tanh_derivative(answer) -> None:
    """Exercise 03.3: the derivative of tanh(z), as a formula.

    Examples
    --------
    >>> tanh_derivative("1 - tanh(z)^2")
    ✔ Exercise 03.3 passed: dtanh/dz is right: proved equal by SymPy and confirmed numerically at 6 points.
    dtanh/dz = 1 - tanh(z)^2 = 1/cosh(z)^2; with the output o = tanh(z) it is 1 - o^2.
    """
    verdict = expect_derivation("03.3", answer, symbolic.tanh_derivative())
    passed("03.3", f"{verdict.message}\n{_TANH_FORMS}")


def relu_prime(fn) -> None:
    """Exercise 03.4: ``fn(net)`` must return ReLU's slope, 1 for net > 0 and 0 otherwise, element-wise.

    Examples
    --------
    >>> relu_prime(lambda net: np.where(net > 0, 1.0, 0.0))
    ✔ Exercise 03.4 passed: phi'(net) = 1 for net > 0, 0 for net < 0, and by convention 0 at the kink.
    """
    cases = [{"net": np.array([-3.0, -0.5, 0.0, 0.5, 3.0])}, {"net": np.array([[2.0, -1e-9], [1e-9, 0.0]])},
             {"net": np.linspace(-1.0, 1.0, 9)}]
    mistakes = [
        Mistake(lambda net: np.where(net >= 0, 1.0, 0.0),
                "at net = 0 exactly your slope is 1. ReLU has no derivative there; this course, like most "
                "libraries, takes phi'(0) = 0 (use net > 0)."),
        Mistake(lambda net: np.maximum(net, 0.0), "that is ReLU itself, max(0, net); its slope is 0 or 1."),
        Mistake(lambda net: np.ones_like(net), "the slope is 1 only where net > 0; on the flat left half it is 0."),
        Mistake(lambda net: np.where(net > 0, 0.0, 1.0), "the two halves are swapped: the slope is 1 where "
                                                         "net > 0 (ReLU rises there) and 0 where net < 0."),
    ]
    fn = shape_slips("03.4", fn, "relu_prime", ("net",), [
        (lambda net: 1.0 if net > 0 else 0.0, "your function must work element-wise on arrays: `if net > 0` "
                                              "asks one question of a whole array. np.where(condition, a, b) "
                                              "asks it of each element."),
    ])
    expect_function("03.4", fn, cases, activations.relu_prime, name="relu_prime", mistakes=mistakes)
    passed("03.4", "phi'(net) = 1 for net > 0, 0 for net < 0, and by convention 0 at the kink.")


def _difference_cases(rng):
    functions = (activations.logistic, np.sin, np.exp, np.tanh)
    return [(functions[i], rng.normal(size=3), float(10.0 ** -rng.uniform(1, 3))) for i in range(4)]


HIDDEN = {
    "03.1": hidden.Derivation("dphi_dz", symbolic.logistic_derivative()),
    "03.2": hidden.Function("central_difference", _difference_cases,
                            lambda f, z, h: (f(z + h) - f(z - h)) / (2 * h)),
    "03.3": hidden.Derivation("dtanh_dz", symbolic.tanh_derivative()),
    "03.4": hidden.Function("relu_prime", lambda rng: [(rng.normal(size=(3, 4)),), (np.array([0.0, -2.0, 2.0]),)],
                            activations.relu_prime),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
