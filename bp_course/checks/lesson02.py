"""Checks for Lesson 02, "Gradient descent".

The gradient of the linear neuron's error, the descent loop, the exact
stability bound eta < 2 / lambda_max, and one learning rate per regime.
"""

from __future__ import annotations

import numpy as np

from bp_course import datasets, linear_neuron
from bp_course._validate import choose
from bp_course.checks import hidden
from bp_course.checks.core import (CheckFailed, Mistake, answer_value, expect_close, expect_function, format_value,
                                   passed)

__all__ = ["HIDDEN", "gradient", "descent", "stability_bound", "regimes"]

_X = [np.array([[1.0, 1.0], [2.0, 0.5], [-1.0, 3.0]]), np.array([[1.0, 1.0]]), np.array([[1.0, 1.0], [1.0, 0.0]])]
_W = [np.array([0.5, -1.0]), np.array([0.3, 0.2]), np.array([-1.5, 2.0])]
_T = [np.array([0.0, 1.0, -2.0]), np.array([0.0]), np.array([0.0, 1.0])]


def _gradient(w, x, t):
    return (x @ w - t) @ x / len(x)


def gradient(fn) -> None:
    """Exercise 02.1: ``fn(w, x, t)`` must return dE/dw = (1/n) sum_p (y_p - t_p) x_p.

    Examples
    --------
    >>> gradient(lambda w, x, t: (x @ w - t) @ x / len(x))
    ✔ Exercise 02.1 passed: dE/dw_i = mean over examples of (y - t) x_i.
    """
    cases = [{"w": w, "x": x, "t": t} for w, x, t in zip(_W, _X, _T)]
    mistakes = [
        Mistake(lambda w, x, t: -_gradient(w, x, t),
                "the sign is flipped: dE/dy = y - t, not t - y (the inner derivative of t - y is -1)."),
        Mistake(lambda w, x, t: (x @ w - t) @ x,
                "that is the sum over examples; E is their average, so its gradient is too (divide by n)."),
        Mistake(lambda w, x, t: 2 * _gradient(w, x, t), "twice the expected value: the 2 of the power rule cancels "
                                                        "the 1/2 of E."),
        Mistake(lambda w, x, t: (x @ w - t) @ np.broadcast_to(w, x.shape) / len(x),
                "that multiplies by the weights; dy/dw_i is the input x_i, since y = w1 x1 + w2 x2."),
        Mistake(lambda w, x, t: np.mean(x @ w - t),
                "that is dE/dy averaged; each weight's gradient needs the chain-rule factor dy/dw_i = x_i."),
    ]
    expect_function("02.1", fn, cases, _gradient, name="gradient", mistakes=mistakes)
    passed("02.1", "dE/dw_i = mean over examples of (y - t) x_i.")


def _ascent(w0, x, t, eta, steps):
    path = [np.asarray(w0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] + eta * _gradient(path[-1], x, t))
    return np.array(path)


def descent(fn) -> None:
    """Exercise 02.2: ``fn(w0, x, t, eta, steps)`` must return the path of gradient descent.

    The path is an array of shape ``(steps + 1, k)``: the start w0, then the
    weights after each step w <- w - eta dE/dw.

    Examples
    --------
    >>> from bp_course.linear_neuron import descent_path
    >>> descent(descent_path)
    ✔ Exercise 02.2 passed: each step moves w against the gradient, by eta times its size.
    """
    def reference(w0, x, t, eta, steps):
        return linear_neuron.descent_path(w0, x, t, eta, steps)

    cases = [{"w0": np.array([1.5, -0.5]), "x": _X[2], "t": _T[2], "eta": 0.5, "steps": 4},
             {"w0": np.array([0.5, 0.25]), "x": _X[1], "t": _T[1], "eta": 0.25, "steps": 3},
             {"w0": np.array([0.0, 0.0]), "x": _X[0], "t": _T[0], "eta": 0.05, "steps": 5}]
    mistakes = [
        Mistake(_ascent, "the weights move *with* the gradient, uphill: gradient descent subtracts, "
                         "w <- w - eta dE/dw."),
        Mistake(lambda *a: reference(*a)[1:], "the path lacks its first row, the start w0: return steps + 1 rows."),
        Mistake(lambda *a: reference(*a)[-1], "that is only the final weight vector; return the whole path, "
                                              "one row per point, starting with w0."),
        Mistake(lambda *a: np.repeat(reference(*a)[-1:], len(reference(*a)), axis=0),
                "every row of your path is the final weight vector: the list holds the same array again and again, "
                "changed in place (w -= ...). Append a copy (w.copy()) or write w = w - eta * grad."),
        Mistake(lambda w0, x, t, eta, steps: reference(w0, x, t, eta, steps - 1),
                "the path is one step short: `steps` steps give steps + 1 points."),
    ]
    expect_function("02.2", fn, cases, reference, name="descent", mistakes=mistakes)
    passed("02.2", "each step moves w against the gradient, by eta times its size.")


def stability_bound(eta_max) -> None:
    """Exercise 02.3: the largest stable learning rate for :func:`bp_course.datasets.two_cases`.

    Examples
    --------
    >>> stability_bound(1.5278640450004206)
    ✔ Exercise 02.3 passed: eta_max = 2 / lambda_max = 2 / 1.309 = 1.528.
    """
    eta_max = answer_value("02.3", eta_max, "eta_max")
    x, _ = datasets.two_cases()
    H = linear_neuron.hessian(x)
    lam = np.linalg.eigvalsh(H)
    mistakes = [
        Mistake(1 / lam[1], "that is half the bound. Either you took 1 / lambda_max (the bound is 2 / lambda_max: "
                            "a step may overshoot the minimum as long as it lands closer, |1 - eta lambda| < 1), "
                            "or the Hessian of the sum, x^T x (E is the mean over the 2 cases, so H = x^T x / 2)."),
        Mistake(2 / lam[0], "that uses the smallest eigenvalue; the steepest direction, lambda_max, "
                            "is the first to go unstable."),
        Mistake(1.0, "that is the bound for the single training case (1, 1, 0); this data has two cases."),
        Mistake(2 / np.trace(H), "that divides by the trace of H, the sum of both eigenvalues; use the largest."),
    ]
    expect_close("02.3", eta_max, 2 / lam[1], what="eta_max", mistakes=mistakes)
    passed("02.3", f"eta_max = 2 / lambda_max = 2 / {lam[1]:.4g} = {2 / lam[1]:.4g}.")


def regimes(etas) -> None:
    """Exercise 02.4: one learning rate per regime for :func:`bp_course.datasets.two_cases`.

    ``etas`` maps each of ``"creep"``, ``"converge"``, ``"oscillate"`` and
    ``"diverge"`` to a learning rate in that regime.

    Examples
    --------
    >>> regimes({"creep": 0.05, "converge": 0.5, "oscillate": 1.2, "diverge": 2.0})
    ✔ Exercise 02.4 passed: eta lambda_max = 0.0655, 0.655, 1.57, 2.62: creep, converge, oscillate, diverge.
    """
    etas = answer_value("02.4", etas, "etas")
    if not isinstance(etas, dict):
        raise CheckFailed("02.4", f"etas should be a dict such as {{'creep': 0.01, ...}}, got {type(etas).__name__}")
    for key in etas:
        if key not in linear_neuron.REGIMES:
            try:
                choose(key, linear_neuron.REGIMES, "regime")
            except (ValueError, TypeError) as error:
                raise CheckFailed("02.4", f"{error}.") from None
    missing = [r for r in linear_neuron.REGIMES if r not in etas]
    if missing:
        raise CheckFailed("02.4", f"etas has no learning rate for: {', '.join(missing)}.")
    x, _ = datasets.two_cases()
    eta_max = linear_neuron.stability_bound(x)
    lam = 2.0 / eta_max
    bounds = {"creep": f"eta lambda_max <= 0.1, i.e. eta <= {0.1 / lam:.3g}",
              "converge": f"0.1 < eta lambda_max <= 1, i.e. {0.1 / lam:.3g} < eta <= {1 / lam:.3g}",
              "oscillate": f"1 < eta lambda_max <= 2, i.e. {1 / lam:.3g} < eta <= {eta_max:.4g}",
              "diverge": f"eta lambda_max > 2, i.e. eta > {eta_max:.4g}"}
    for name in linear_neuron.REGIMES:
        eta = etas[name]
        if isinstance(eta, bool) or not isinstance(eta, (int, float, np.integer, np.floating)) \
                or not np.isfinite(eta) or eta <= 0:
            raise CheckFailed("02.4", f"etas[{name!r}] should be a positive number, got {eta!r:.40}.")
        actual = linear_neuron.regime(eta, x)
        if actual != name:
            raise CheckFailed("02.4", f"etas[{name!r}] = {format_value(eta)} has eta lambda_max = {eta * lam:.3g}, "
                                      f"which is the {actual!r} regime.\nHint: {name} needs {bounds[name]}.")
    products = ", ".join(f"{etas[n] * lam:.3g}" for n in linear_neuron.REGIMES)
    passed("02.4", f"eta lambda_max = {products}: creep, converge, oscillate, diverge.")



def _paths(rng):
    """Descent problems with a stable learning rate (half the bound) and a few steps."""
    cases = []
    for w, x, t in hidden.linear_batches(rng):
        eta = 0.5 * linear_neuron.stability_bound(x) if np.any(x) else 0.1
        cases.append((w, x, t, float(eta), int(rng.integers(1, 6))))
    return cases


HIDDEN = {
    "02.1": hidden.Function("gradient", hidden.linear_batches, _gradient),
    "02.2": hidden.Function("descent", _paths, linear_neuron.descent_path),
    "02.3": hidden.Value(("eta_max",), stability_bound),
    "02.4": hidden.Value(("etas",), regimes),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
