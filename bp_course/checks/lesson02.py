"""Checks for Lesson 02, "Gradient descent".

The gradient of the linear neuron's error, the descent loop, the exact
stability bound eta < 2 / lambda_max, and one learning rate per regime.
"""

from __future__ import annotations

import numpy as np

from bp_course import datasets, linear_neuron
from bp_course._validate import choose
from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import (CheckFailed, Mistake, answer_value, call, expect_function,
                                   format_value, passed)
from bp_course.checks.lesson01 import column_slips, column_target, shape_slips, with_column_target
from bp_course.checks.values import expect_value

__all__ = ["HIDDEN", "gradient", "descent", "stability_bound", "regimes"]

_X = [np.array([[1.0, 1.0], [2.0, 0.5], [-1.0, 3.0]]), np.array([[1.0, 1.0]]), np.array([[1.0, 1.0], [1.0, 0.0]])]
_W = [np.array([0.5, -1.0]), np.array([0.3, 0.2]), np.array([-1.5, 2.0])]
_T = [np.array([0.0, 1.0, -2.0]), np.array([0.0]), np.array([0.0, 1.0])]


def _gradient(w, x, t):
    return (x @ w - np.ravel(t)) @ x / len(x)


def _hidden_gradient_cases(rng):
    return with_column_target(hidden.linear_batches(rng))


def gradient(fn) -> None:
    """Exercise 02.1: ``fn(w, x, t)`` must return dE/dw = (1/n) sum_p (y_p - t_p) x_p.

    ``t`` comes with shape (n,) and, as the data sets give it, (n, 1)
    (the shape trap of Lesson 01, named by :func:`~bp_course.checks.lesson01.column_target`).

    Examples
    --------
    >>> gradient(lambda w, x, t: (x @ w - np.ravel(t)) @ x / len(x))
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
        Mistake(lambda w, x, t: (x @ w - t)[:, None] * x / len(x),
                "that is one row per example, each example's share; dE/dw_i adds the shares up over the "
                "examples (and divides by n): one number per weight."),
    ]
    fn = shape_slips("02.1", column_slips("02.1", fn, "gradient"), "gradient", ("w", "x", "t"), [
        (lambda w, x, t: x @ (x @ w - np.ravel(t)),
         "the residuals y - t have one entry per example, shape (n,), and x has shape (n, 2): the sum over the "
         "examples pairs the residuals with the rows of x, so the residuals come first in the product (or "
         "transpose x)."),
    ])
    expect_function("02.1", fn, cases, _gradient, name="gradient", mistakes=mistakes)
    column_target("02.1", fn, "gradient", _gradient)
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
        Mistake(lambda w0, x, t, eta, steps: w0 - eta * np.outer(np.arange(steps + 1), _gradient(w0, x, t)),
                "every step goes the same way, by the gradient at w0: compute the gradient anew at the current "
                "w in every step, since it changes as w moves."),
    ]
    expect_function("02.2", fn, cases, reference, name="descent", mistakes=mistakes, in_place=False)
    _leaves_w0_alone(fn)
    passed("02.2", "each step moves w against the gradient, by eta times its size.")


def _leaves_w0_alone(fn) -> None:
    """Call ``fn`` on a start of our own and fail, kindly, if the start was changed in place."""
    x, t = datasets.two_cases()
    start = np.array([-0.5, -0.5])
    w0 = start.copy()
    call("02.2", fn, w0, x, t[:, 0], 0.5, 3, name="descent")
    if not np.array_equal(w0, start):
        raise CheckFailed("02.2", f"your path is right, but descent changed w0 in place: after descent(w0, x, t, "
                                  f"0.5, 3), the caller's w0 = {format_value(start)} had become "
                                  f"{format_value(w0)}. The next path drawn from the same w0 would then start "
                                  "where this one ended.\nHint: `w = w0` does not copy, it gives the same array "
                                  "a second name, so `w -= ...` changes w0 too. Start from a copy: "
                                  "w = np.array(w0, dtype=float) (or w0.copy()), then update w.")


def _descent_leaving_w0(fn, w0, x, t, eta, steps):
    """How the grader calls a descent: a function that changed its w0 in place gives an error, not a path."""
    start = np.array(w0, dtype=float)
    path = fn(w0, x, t, eta, steps)
    if not np.array_equal(np.asarray(w0, dtype=float), start):
        raise ValueError("descent changed w0 in place")
    return path


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
    expect_value("02.3", eta_max, 2 / lam[1], what="eta_max", mistakes=mistakes)
    passed("02.3", f"eta_max = 2 / lambda_max = 2 / {lam[1]:.4g} = {2 / lam[1]:.4g}.")


def _real(value):
    """``value`` as a float when it is one real number of any kind (int, Fraction, Decimal, NumPy, SymPy), else None."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or np.ndim(value) != 0 or np.iscomplexobj(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def regimes(etas) -> None:
    """Exercise 02.4: one learning rate per regime for :func:`bp_course.datasets.two_cases`.

    ``etas`` maps each of ``"creep"``, ``"converge"``, ``"oscillate"`` and
    ``"diverge"`` to a learning rate in that regime. The boundaries are those
    of :func:`bp_course.linear_neuron.regime`: eta = eta_max exactly
    (r = 2, the steep direction's factor -1: bouncing for ever, neither
    shrinking nor growing) is "oscillate", not "diverge".

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
    given, etas = etas, {}
    for name in linear_neuron.REGIMES:
        eta = etas[name] = _real(given[name])
        if eta is None or not np.isfinite(eta) or eta <= 0:
            raise CheckFailed("02.4", f"etas[{name!r}] should be a positive number, got {given[name]!r:.40}.")
        actual = linear_neuron.regime(eta, x)
        if actual != name:
            edge = ""
            if name == "diverge" and linear_neuron.on_boundary(eta * lam, 2.0):
                edge = (" At eta = eta_max exactly the steep direction's factor is 1 - 2 = -1: the path jumps "
                        "over the minimum and lands just as far on the other side, for ever. It does not grow, "
                        "so the course counts it as oscillate.")
            raise CheckFailed("02.4", f"etas[{name!r}] = {format_value(eta)} has eta lambda_max = {eta * lam:.3g}, "
                                      f"which is the {actual!r} regime.\nHint: {name} needs {bounds[name]}.{edge}")
    products = ", ".join(f"{etas[n] * lam:.3g}" for n in linear_neuron.REGIMES)
    edge = ""
    if linear_neuron.on_boundary(etas["oscillate"] * lam, 2.0):
        edge = (" Your oscillating rate is eta_max itself, the edge: there the path bounces between two points for "
                "ever and never converges; any eta a little below it converges, bouncing.")
    passed("02.4", f"eta lambda_max = {products}: creep, converge, oscillate, diverge.{edge}")



def _paths(rng):
    """Descent problems with a stable learning rate (half the bound) and a few steps."""
    cases = []
    for w, x, t in hidden.linear_batches(rng):
        eta = 0.5 * linear_neuron.stability_bound(x) if np.any(x) else 0.1
        cases.append((w, x, t, float(eta), int(rng.integers(1, 6))))
    return cases


HIDDEN = {
    "02.1": hidden.Function("gradient", _hidden_gradient_cases, _gradient),
    "02.2": hidden.Function("descent", _paths, linear_neuron.descent_path, call=_descent_leaving_w0),
    "02.3": hidden.Value(("eta_max",), stability_bound),
    "02.4": hidden.Value(("etas",), regimes),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
