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
from bp_course.checks.core import Mistake, expect_derivation, expect_function, passed

__all__ = ["HIDDEN", "dE_dy", "dy_dnet", "dnet_dw1", "dE_dw1", "step"]

_QUESTIONS = symbolic.single_neuron()


def dE_dy(answer) -> None:
    """Exercise 04.1: Eq. 4, dE/dy for E = 1/2 (t - y)^2.

    Examples
    --------
    >>> dE_dy("y - t")
    ✔ Exercise 04.1 passed: dE/dy is right: proved equal by SymPy and confirmed numerically at 6 points.
    """
    passed("04.1", expect_derivation("04.1", answer, _QUESTIONS["dE/dy"]).message)


def dy_dnet(answer) -> None:
    """Exercise 04.2: Eq. 3, dy/dnet for the logistic y = phi(net).

    Examples
    --------
    >>> dy_dnet("y * (1 - y)")
    ✔ Exercise 04.2 passed: dy/dnet is right: proved equal by SymPy and confirmed numerically at 6 points.
    """
    passed("04.2", expect_derivation("04.2", answer, _QUESTIONS["dy/dnet"]).message)


def dnet_dw1(answer) -> None:
    """Exercise 04.3: Eq. 2, dnet/dw1 for net = w1 x1 + w2 x2.

    Examples
    --------
    >>> dnet_dw1("x1")
    ✔ Exercise 04.3 passed: dnet/dw1 is right: proved equal by SymPy and confirmed numerically at 6 points.
    """
    passed("04.3", expect_derivation("04.3", answer, _QUESTIONS["dnet/dw1"]).message)


def dE_dw1(answer) -> None:
    """Exercise 04.4: Eq. 1, the product dE/dw1 = dE/dy * dy/dnet * dnet/dw1.

    Checked against SymPy's derivative of the whole error
    E(w1, w2) = 1/2 (t - phi(w1 x1 + w2 x2))^2 and against central differences.

    Examples
    --------
    >>> dE_dw1("(y - t) * y * (1 - y) * x1")
    ✔ Exercise 04.4 passed: dE/dw1 is right: proved equal by SymPy and confirmed numerically at 6 points.
    """
    passed("04.4", expect_derivation("04.4", answer, _QUESTIONS["dE/dw1"]).message)


def _step(w, x, t, eta, slope=lambda y, net: y * (1 - y), sign=-1.0, average=True):
    net = x @ w
    y = logistic(net)
    delta = (y - t) * slope(y, net)
    grad = delta @ x / (len(x) if average else 1)
    return w + sign * eta * grad


def step(fn) -> None:
    """Exercise 04.5: ``fn(w, x, t, eta)`` must return w - eta dE/dw for the logistic neuron.

    Here E is averaged over the examples, so dE/dw = (1/n) sum_p (y_p - t_p) y_p (1 - y_p) x_p.

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
    mistakes = [
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, sign=1.0),
                "the weights move uphill: subtract eta times the gradient (and check the sign of dE/dy = y - t)."),
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, slope=lambda y, net: 1.0),
                "the factor dy/dnet = y (1 - y) (Eq. 3) is missing: that is the linear neuron's update."),
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, slope=lambda y, net: logistic(y) * (1 - logistic(y))),
                "phi' is evaluated at the output y; Eq. 3 needs phi'(net) = y (1 - y)."),
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, average=False),
                "that sums over the examples; E is their average, so divide the gradient by n."),
        Mistake(lambda w, x, t, eta: _step(w, x, t, eta, slope=lambda y, net: 2 * y * (1 - y)),
                "the gradient is twice too large: the 2 of the power rule cancels the 1/2 of E."),
        Mistake(lambda w, x, t, eta: -eta * ((logistic(x @ w) - t) * logistic(x @ w) * (1 - logistic(x @ w))) @ x
                / len(x), "that is the change Delta w alone; return the new weights w + Delta w."),
    ]
    expect_function("04.5", fn, cases, _step, name="step", mistakes=mistakes)
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
    "04.5": hidden.Function("step", _step_cases, _step),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
