"""Checks for Lesson 04, "The chain rule for one layer".

A logistic neuron net = w1 x1 + w2 x2, y = phi(net), E = 1/2 (t - y)^2: the
three chain-rule factors (Eq. 2-4) and their product (Eq. 1) as formulas,
then the gradient-descent step written with NumPy.
"""

from __future__ import annotations

import numpy as np

from bp_course import symbolic
from bp_course.activations import logistic
from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import CheckFailed, Mistake, expect_derivation, expect_function, passed

__all__ = ["HIDDEN", "dE_dy", "dy_dnet", "dnet_dw1", "dE_dw1", "step"]

_QUESTIONS = symbolic.single_neuron()

# Eq. 1-4 as the answers of 04.1-04.4, printed by the check once the answer passes:
# the lesson's text keeps them behind the checks (tests/test_reveals.py).
_EQUATIONS = {
    "04.1": "dE/dy = y - t: that is Eq. 4, dE/do_j = o_j - t for an output neuron.",
    "04.2": "dy/dnet = phi'(net) = y (1 - y): that is Eq. 3, do_j/dnet_j = o_j (1 - o_j) for the logistic.",
    "04.3": "dnet/dw1 = x1: that is Eq. 2, dnet_j/dw_ij = o_i, the input that the weight multiplies.",
    "04.4": "dE/dw1 = (y - t) y (1 - y) x1: that is Eq. 1, the product of Eq. 4, Eq. 3 and Eq. 2.",
}


def dE_dy(answer) -> None:
    """Exercise 04.1: Eq. 4, dE/dy for E = 1/2 (t - y)^2.

    Examples
    --------
    >>> dE_dy("y - t")
    ✔ Exercise 04.1 passed: dE/dy is right: proved equal by SymPy and confirmed numerically at 6 points.
    dE/dy = y - t: that is Eq. 4, dE/do_j = o_j - t for an output neuron.
    """
    verdict = expect_derivation("04.1", answer, _QUESTIONS["dE/dy"])
    passed("04.1", f"{verdict.message}\n{_EQUATIONS['04.1']}")


def dy_dnet(answer) -> None:
    """Exercise 04.2: Eq. 3, dy/dnet for the logistic y = phi(net).

    Examples
    --------
    >>> dy_dnet("y * (1 - y)")
    ✔ Exercise 04.2 passed: dy/dnet is right: proved equal by SymPy and confirmed numerically at 6 points.
    dy/dnet = phi'(net) = y (1 - y): that is Eq. 3, do_j/dnet_j = o_j (1 - o_j) for the logistic.
    """
    verdict = expect_derivation("04.2", answer, _QUESTIONS["dy/dnet"])
    passed("04.2", f"{verdict.message}\n{_EQUATIONS['04.2']}")


def dnet_dw1(answer) -> None:
    """Exercise 04.3: Eq. 2, dnet/dw1 for net = w1 x1 + w2 x2.

    Examples
    --------
    >>> dnet_dw1("x1")
    ✔ Exercise 04.3 passed: dnet/dw1 is right: proved equal by SymPy and confirmed numerically at 6 points.
    dnet/dw1 = x1: that is Eq. 2, dnet_j/dw_ij = o_i, the input that the weight multiplies.
    """
    verdict = expect_derivation("04.3", answer, _QUESTIONS["dnet/dw1"])
    passed("04.3", f"{verdict.message}\n{_EQUATIONS['04.3']}")


def dE_dw1(answer) -> None:
    """Exercise 04.4: Eq. 1, the product dE/dw1 = dE/dy * dy/dnet * dnet/dw1.

    Checked against SymPy's derivative of the whole error
    E(w1, w2) = 1/2 (t - phi(w1 x1 + w2 x2))^2 and against central differences.

    Examples
    --------
    >>> dE_dw1("(y - t) * y * (1 - y) * x1")
    ✔ Exercise 04.4 passed: dE/dw1 is right: proved equal by SymPy and confirmed numerically at 6 points.
    dE/dw1 = (y - t) y (1 - y) x1: that is Eq. 1, the product of Eq. 4, Eq. 3 and Eq. 2.
    """
    verdict = expect_derivation("04.4", answer, _QUESTIONS["dE/dw1"])
    passed("04.4", f"{verdict.message}\n{_EQUATIONS['04.4']}")


def _step(w, x, t, eta, slope=lambda y, net: y * (1 - y), sign=-1.0, average=True):
    net = x @ w
    y = logistic(net)
    delta = (y - t) * slope(y, net)
    grad = delta @ x / (len(x) if average else 1)
    return w + sign * eta * grad


def _last_case_only(w, x, t, eta, average=False):
    """The step from the last example's gradient alone: a loop over the examples that overwrote the gradient."""
    last = _step(w, x[-1:], t[-1:], eta) - w
    return w + last / (len(x) if average else 1)


def _one_case_at_a_time(w, x, t, eta, average=False):
    """One update per example, each from the weights the previous one left (online descent)."""
    for p in range(len(x)):
        w = _step(w, x[p:p + 1], t[p:p + 1], eta / (len(x) if average else 1))
    return w


def _row_per_case(w, x, t, eta, average=True):
    """Every example's own step as a row, shape (n, 2): the per-example gradients never summed."""
    y = logistic(x @ w)
    delta = (y - t) * y * (1 - y)
    return w - eta * delta[:, None] * x / (len(x) if average else 1)


_IN_PLACE = ("step changed the array {name} it was given: after the call, the caller's {name} holds other numbers.\n"
             "Hint: an in-place update ({name} -= ..., {name}[i] = ...) reaches the caller's array, so whoever called "
             "step loses the old values (the lesson's next cell compares E before and after one step from the same "
             "w0). Leave {name} as it is and return a new array, such as w - eta * gradient.")

_NOT_SUMMED = ("step(w, x, t, eta) with x of shape {shape} raised ValueError: {error}\nHint: the n deltas (shape ({n},)) "
               "cannot multiply the inputs x (shape ({n}, 2)) entry by entry. Each example p contributes "
               "delta_p * x_p; add these up over the examples and divide by n: delta @ x / n "
               "(or (delta[:, None] * x).mean(axis=0)).")


_X_FIRST = ("step(w, x, t, eta) with x of shape {shape} raised ValueError: {error}\nHint: the n deltas have shape "
            "({n},), one per example, and x has shape {shape}: the sum of delta_p x_p over the examples pairs the "
            "deltas with the rows of x, so the deltas come first in the product; x @ delta has the factors the wrong "
            "way round.")


def _call_step(fn, w, x, t, eta):
    """``fn(w, x, t, eta)``, refused when it changes w, x or t in place (Exercise 04.5).

    Runs in the learner's kernel for the visible check and for the hidden one,
    so an answer that overwrites its arguments fails both. A broadcast error
    between the deltas and the inputs is explained as the missing sum over
    the examples.

    Raises
    ------
    CheckFailed
        When an argument changed, or when the deltas met x element-wise.
    """
    given = {"w": w, "x": x, "t": t}
    before = {name: np.array(value, copy=True) for name, value in given.items()}
    try:
        result = fn(w, x, t, eta)
    except ValueError as error:
        n, text = len(before["x"]), str(error).strip()
        if f"({n},) ({n},2)" in text or f"({n},2) ({n},)" in text:
            raise CheckFailed("04.5", _NOT_SUMMED.format(shape=before["x"].shape, error=text, n=n)) from None
        try:
            before["x"] @ np.zeros(n)  # the slip x @ delta, with the deltas' shape (n,)
        except ValueError as slip:
            if str(slip) == str(error):
                raise CheckFailed("04.5", _X_FIRST.format(shape=before["x"].shape, error=text, n=n)) from None
        raise
    for name, value in given.items():
        if not np.array_equal(value, before[name]):
            raise CheckFailed("04.5", _IN_PLACE.format(name=name))
    return result


def step(fn) -> None:
    """Exercise 04.5: ``fn(w, x, t, eta)`` must return w - eta dE/dw for the logistic neuron.

    Here E is averaged over the examples, so dE/dw = (1/n) sum_p (y_p - t_p) y_p (1 - y_p) x_p.
    The answer must leave its arguments unchanged (:func:`_call_step`).

    Examples
    --------
    >>> step(lambda w, x, t, eta: w - eta * ((logistic(x @ w) - t) * logistic(x @ w) * (1 - logistic(x @ w))) @ x / len(x))
    ✔ Exercise 04.5 passed: w <- w - eta (y - t) y (1 - y) x, averaged over the examples.
    """
    cases = [{"w": np.array([0.5, 0.5]), "x": np.array([[1.0, 1.0]]), "t": np.array([0.0]), "eta": 1.0},
             {"w": np.array([-0.3, 0.8]), "x": np.array([[1.0, 1.0], [1.0, 0.0], [0.5, -2.0]]),
              "t": np.array([0.0, 1.0, 1.0]), "eta": 0.5},
             {"w": np.array([2.0, -1.0]), "x": np.array([[0.0, 1.0], [2.0, 1.0]]), "t": np.array([1.0, 0.0]),
              "eta": 2.0}]
    overwritten = ("only the last example counts: a loop over the examples that sets the gradient anew each time "
                   "(gradient = ...) keeps the last one. Add every example's delta_p * x_p (gradient += ..., or "
                   "delta @ x without a loop), then divide by n.")
    mistakes = [
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, sign=1.0),
                "the weights move uphill: subtract eta times the gradient (and check the sign of dE/dy = y - t)."),
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, slope=lambda y, net: 1.0),
                "the factor dy/dnet = y (1 - y) (Eq. 3) is missing: that is the linear neuron's update."),
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, slope=lambda y, net: logistic(y) * (1 - logistic(y))),
                "phi' is evaluated at the output y; Eq. 3 needs phi'(net) = y (1 - y)."),
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, slope=lambda y, net: net * (1 - net)),
                symbolic.NET_FOR_OUT),
        Mistake(lambda w, x, t, eta: (w - _step(w, x, t, eta)) / eta,
                "that is the gradient dE/dw alone; the step returns the new weights, w - eta * gradient."),
        Mistake(lambda w, x, t, eta: w - (w - _step(w, x, t, eta)) / eta,
                "the learning rate is missing: the step is w - eta * gradient, not w - gradient."),
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, average=False),
                "that sums over the examples; E is their average, so divide the gradient by n."),
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, slope=lambda y, net: 2 * y * (1 - y)),
                "the gradient is twice too large: the 2 of the power rule cancels the 1/2 of E."),
        Mistake(lambda w, x, t, eta: -eta * ((logistic(x @ w) - t) * logistic(x @ w) * (1 - logistic(x @ w))) @ x
                / len(x), "that is the change Delta w alone; return the new weights w + Delta w."),
        Mistake(_last_case_only, overwritten),
        Mistake(lambda w, x, t, eta: _last_case_only(w, x, t, eta, average=True), overwritten),
        Mistake(_one_case_at_a_time, "w moves once per example, each step starting where the last one ended "
                                     "(online descent). This step is one move for all examples together: compute "
                                     "every delta at the same w, average delta_p * x_p over the examples, then "
                                     "update w once."),
        Mistake(lambda w, x, t, eta: _one_case_at_a_time(w, x, t, eta, average=True),
                "w moves once per example (by eta / n each), each step starting where the last one ended. Compute "
                "every delta at the same w, average delta_p * x_p over the examples, then update w once."),
        Mistake(_row_per_case, "one row per example: each row is that example's own step. Sum the rows' gradients "
                               "over the examples (axis 0) and divide by n, e.g. delta @ x / n."),
        Mistake(lambda w, x, t, eta: _row_per_case(w, x, t, eta, average=False),
                "one row per example: each row is that example's own step. Sum the rows' gradients over the examples "
                "(axis 0) and divide by n, e.g. delta @ x / n."),
    ]
    answer = (lambda w, x, t, eta: _call_step(fn, w, x, t, eta)) if callable(fn) else fn
    expect_function("04.5", answer, cases, _step, name="step", mistakes=mistakes)
    passed("04.5", "w <- w - eta (y - t) y (1 - y) x, averaged over the examples.")


def _step_cases(rng):
    cases = []
    for _ in range(3):
        n = int(rng.integers(1, 5))
        cases.append((rng.normal(size=2), rng.normal(size=(n, 2)), rng.uniform(size=n), float(rng.uniform(0.1, 2))))
    return cases


HIDDEN = {
    "04.1": hidden.Derivation("dE_dy", _QUESTIONS["dE/dy"]),
    "04.2": hidden.Derivation("dy_dnet", _QUESTIONS["dy/dnet"]),
    "04.3": hidden.Derivation("dnet_dw1", _QUESTIONS["dnet/dw1"]),
    "04.4": hidden.Derivation("dE_dw1", _QUESTIONS["dE/dw1"]),
    "04.5": hidden.Function("step", _step_cases, _step, call=_call_step),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
