"""Checks for Lesson 11, "Better descent".

The heavy-ball path, the best fixed learning rate and momentum of the heavy
ball from the Hessian's eigenvalues, one RMSProp step, Adam's first step
without bias correction, Adam on given gradient sequences, and the learning
rates chosen on the digits' validation set.
"""

from __future__ import annotations

import numpy as np

from bp_course import datasets, linear_neuron, optimizers
from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import (CheckFailed, Mistake, NotAttempted, answer_value, call, expect_function,
                                   format_value, passed)
from bp_course.checks.values import expect_value

__all__ = ["HIDDEN", "heavy_ball", "best_heavy_ball", "rmsprop_step", "first_step_ratio", "adam", "best_eta"]


# -- 11.1 the heavy ball ------------------------------------------------------------

def _heavy_ball(w0, x, t, eta, beta, steps, *, sign=-1.0, w_first=False, carry=True, damp=False):
    """The heavy-ball path, or one of its plausible mistakes (the keyword arguments)."""
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path = [w.copy()]
    for _ in range(steps):
        g = linear_neuron.gradient(w, x, t)
        if w_first:
            w = w + v
        if not carry:
            v = np.zeros_like(w)
        v = beta * v + sign * (1 - beta if damp else 1.0) * eta * g
        if not w_first:
            w = w + v
        path.append(w.copy())
    return np.array(path)


def _reference_heavy_ball(w0, x, t, eta, beta, steps):
    return _heavy_ball(w0, x, t, eta, beta, steps)


_X2, _T2 = datasets.two_cases()


def heavy_ball(fn) -> None:
    """Exercise 11.1: ``fn(w0, x, t, eta, beta, steps)`` must return the heavy-ball path, ``steps + 1`` rows.

    Examples
    --------
    >>> heavy_ball(_reference_heavy_ball)
    ✔ Exercise 11.1 passed: v <- beta v - eta dE/dw, then w <- w + v; the velocity is carried from step to step.
    """
    cases = [{"w0": np.array([-0.5, -0.5]), "x": _X2, "t": _T2[:, 0], "eta": 1.2, "beta": 0.5, "steps": 5},
             {"w0": np.array([0.5, 0.25]), "x": np.array([[1.0, 1.0]]), "t": np.array([0.0]), "eta": 0.25,
              "beta": 0.9, "steps": 4},
             {"w0": np.array([0.0, 1.0, -1.0]), "x": np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]]),
              "t": np.array([1.0, -2.0]), "eta": 0.05, "beta": 0.7, "steps": 6}]

    def plain(w0, x, t, eta, beta, steps):
        return linear_neuron.descent_path(w0, x, t, eta, steps)

    def one_step_late(*a):  # w <- w + v, then v <- beta v - eta dE/dw at the moved w: the right path, delayed
        path = _reference_heavy_ball(*a)
        return np.concatenate([path[:1], path[:-1]])

    def same_rows(*a):
        path = _reference_heavy_ball(*a)
        return np.repeat(path[-1:], len(path), axis=0)

    mistakes = [
        Mistake(lambda *a: _heavy_ball(*a, sign=1.0),
                "the velocity points uphill: in Eq. 11.1 the gradient term enters v with a minus, so that w + v "
                "goes down."),
        Mistake(lambda *a: _heavy_ball(*a, w_first=True),
                "w moved with the old velocity before v was updated, so the first step goes nowhere: Eq. 11.1 "
                "computes the new velocity first, and moves w with it."),
        Mistake(one_step_late,
                "w moved with the old velocity before v was updated: the update order is swapped, so your first "
                "step goes nowhere (the second row repeats w0) and every later row is the right one a step late. "
                "Eq. 11.1 computes the new velocity first, and moves w with it."),
        Mistake(plain, "that is plain gradient descent: the velocity is not carried from step to step. Create v = 0 "
                       "once, before the loop, and keep updating the same v."),
        Mistake(lambda w0, x, t, eta, beta, steps: plain(w0, x, t, eta, beta, steps) if beta == 0 else
                _heavy_ball(w0, x, t, eta, beta, steps, carry=False),
                "the velocity is reset at every step, so beta never acts: keep v from one step to the next."),
        Mistake(lambda *a: _heavy_ball(*a, damp=True),
                "the gradient is scaled by (1 - beta) eta: that is a running average of the gradients (PyTorch's "
                "'dampening'); the heavy ball adds the full - eta g."),
        Mistake(lambda *a: _reference_heavy_ball(*a)[1:], "the path lacks its first row, the start w0: return "
                                                          "steps + 1 rows."),
        Mistake(same_rows, "every row of your path is the final weight vector: the list holds the same array, changed "
                           "in place (w += v). Append a copy (w.copy()) or write w = w + v."),
    ]
    expect_function("11.1", fn, cases, _reference_heavy_ball, name="heavy_ball", mistakes=mistakes)
    passed("11.1", "v <- beta v - eta dE/dw, then w <- w + v; the velocity is carried from step to step.")


# -- 11.2 the best heavy ball ----------------------------------------------------------

def _eigenvalues():
    return np.linalg.eigvalsh(linear_neuron.hessian(_X2))


def optimal_heavy_ball(lam_min: float, lam_max: float) -> tuple:
    """The heavy ball's best fixed (eta, beta) on a quadratic with these extreme curvatures (Lesson 11, Eq. 11.2).

    Examples
    --------
    >>> optimal_heavy_ball(1.0, 1.0)   # kappa = 1: eta = 1 / lambda lands at once, no momentum needed
    (1.0, 0.0)
    """
    root_min, root_max = np.sqrt(lam_min), np.sqrt(lam_max)
    return float(4 / (root_max + root_min) ** 2), float(((root_max - root_min) / (root_max + root_min)) ** 2)


def best_heavy_ball(eta_hb, beta_hb) -> None:
    """Exercise 11.2: the heavy ball's best fixed eta and beta for :func:`bp_course.datasets.two_cases`.

    Examples
    --------
    >>> best_heavy_ball(1.6, 0.2)  # doctest: +NORMALIZE_WHITESPACE
    ✔ Exercise 11.2 passed: eta = 4 / (sqrt(lambda_max) + sqrt(lambda_min))^2 = 1.6 and
    beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2 = 0.2; every eigen-direction then shrinks by
    sqrt(beta) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1) = 0.447 per step.
    """
    eta_hb = answer_value("11.2", eta_hb, "eta_hb")
    beta_hb = answer_value("11.2", beta_hb, "beta_hb")
    lam_min, lam_max = _eigenvalues()
    kappa = lam_max / lam_min
    eta, beta = optimal_heavy_ball(lam_min, lam_max)
    rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    try:
        swapped = bool(np.isclose(float(eta_hb), beta) and np.isclose(float(beta_hb), eta))
    except (TypeError, ValueError):  # not numbers: expect_value below says so
        swapped = False
    if swapped:
        raise CheckFailed("11.2", f"eta_hb = {format_value(eta_hb)} and beta_hb = {format_value(beta_hb)}: the two "
                                  "values are swapped.")
    expect_value("11.2", eta_hb, eta, what="eta_hb", mistakes=[
        Mistake(2 / (lam_min + lam_max), "that is plain descent's best eta, 2 / (lambda_min + lambda_max). With "
                                         "momentum the roots are complex in the middle of the spectrum; place "
                                         "lambda_min and lambda_max on the two ends, eta lambda = (1 -+ sqrt(beta))^2."),
        Mistake(4 / (lam_min + lam_max), "the square roots are missing: the ends satisfy sqrt(eta lambda) = "
                                         "1 -+ sqrt(beta); add the two and solve for eta."),
        Mistake(eta / 2, "half the expected value: did you take the Hessian of the sum, x^T x? E is the mean over "
                         "the 2 cases, so H = x^T x / 2."),
        Mistake(4 / (np.sqrt(lam_max) - np.sqrt(lam_min)) ** 2, "the square roots are subtracted: add the two "
                                                                "conditions, sqrt(eta lambda_max) + sqrt(eta "
                                                                "lambda_min) = 2, to eliminate beta."),
    ])
    expect_value("11.2", beta_hb, beta, what="beta_hb", mistakes=[
        Mistake(rate, "that is sqrt(beta), the rate at which each direction shrinks (|z| = sqrt(beta)); beta is its "
                      "square."),
        Mistake(((kappa - 1) / (kappa + 1)) ** 2, "that uses kappa; the heavy ball's formula has sqrt(kappa), which "
                                                  "is where its speed-up comes from."),
        Mistake((kappa - 1) / (kappa + 1), "that is plain descent's rate (kappa - 1) / (kappa + 1); for the heavy "
                                           "ball subtract the two conditions, sqrt(eta lambda_max) - sqrt(eta "
                                           "lambda_min) = 2 sqrt(beta)."),
    ])
    passed("11.2", f"eta = 4 / (sqrt(lambda_max) + sqrt(lambda_min))^2 = {eta:.4g} and beta = ((sqrt(kappa) - 1) / "
                   f"(sqrt(kappa) + 1))^2 = {beta:.4g}; every eigen-direction then shrinks by sqrt(beta) = "
                   f"(sqrt(kappa) - 1) / (sqrt(kappa) + 1) = {rate:.3f} per step.")


# -- 11.3 RMSProp -------------------------------------------------------------------

def _rmsprop(w, g, s, eta, rho, eps):
    s = rho * s + (1 - rho) * g ** 2
    return w - eta * g / (np.sqrt(s) + eps), s


def _pair(exercise, fn, name, labels):
    """Wrap a function that returns a tuple of arrays shaped like its first arguments; lay them end to end."""
    if not callable(fn):
        return fn

    def wrapped(*args):
        result = fn(*args)
        if not isinstance(result, (tuple, list)) or len(result) != len(labels):
            raise CheckFailed(exercise, f"{name} should return the tuple ({', '.join(labels)}), got "
                                        f"{type(result).__name__} {format_value(result)}")
        for label, value, shaped in zip(labels, result, args):
            if np.shape(value) != np.shape(shaped):
                raise CheckFailed(exercise, f"{label} should have shape {np.shape(shaped)}, got {np.shape(value)}.")
        return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in result])

    wrapped.__name__ = name
    return wrapped


def _flat(fn):
    return lambda *a: np.concatenate([np.ravel(v) for v in fn(*a)])


def rmsprop_step(fn) -> None:
    """Exercise 11.3: ``fn(w, g, s, eta, rho, eps)`` must return ``(w_new, s_new)`` of one RMSProp step.

    Examples
    --------
    >>> rmsprop_step(_rmsprop)
    ✔ Exercise 11.3 passed: s <- rho s + (1 - rho) g^2, w <- w - eta g / (sqrt(s) + eps), with the new s.
    """
    cases = [{"w": np.array([1.0, -2.0]), "g": np.array([0.5, -4.0]), "s": np.array([0.2, 1.0]), "eta": 0.1,
              "rho": 0.9, "eps": 1e-8},
             {"w": np.array([0.0, 0.0, 1.0]), "g": np.array([0.01, 0.02, 0.005]), "s": np.zeros(3), "eta": 0.01,
              "rho": 0.5, "eps": 1e-3},
             {"w": np.array([3.0]), "g": np.array([-1.5]), "s": np.array([4.0]), "eta": 0.5, "rho": 0.99,
              "eps": 1e-8}]

    def mistake(update_s, step):
        def wrong(w, g, s, eta, rho, eps):
            s_new = update_s(s, g, rho)
            return np.concatenate([w - eta * step(g, s, s_new, eps), s_new])
        return wrong

    average = lambda s, g, rho: rho * s + (1 - rho) * g ** 2  # noqa: E731
    right_step = lambda g, s, s_new, eps: g / (np.sqrt(s_new) + eps)  # noqa: E731
    mistakes = [
        Mistake(mistake(average, lambda g, s, s_new, eps: g / (s_new + eps)),
                "the square root is missing: s is a mean of squared gradients, so sqrt(s) has the size of g."),
        Mistake(mistake(average, lambda g, s, s_new, eps: g / np.sqrt(s_new + eps)),
                "eps is inside the square root; add it after: g / (sqrt(s) + eps), as RMSProp and PyTorch do."),
        Mistake(mistake(lambda s, g, rho: rho * s + (1 - rho) * g, right_step),
                "s averages the gradients themselves; it must average their squares, g**2."),
        Mistake(mistake(lambda s, g, rho: s + g ** 2, right_step),
                "that is AdaGrad's sum s + g^2; RMSProp keeps a running mean, rho s + (1 - rho) g^2."),
        Mistake(mistake(lambda s, g, rho: (1 - rho) * s + rho * g ** 2, right_step),
                "rho and 1 - rho are swapped: the old s keeps the weight rho (close to 1), the new g^2 gets 1 - rho."),
        Mistake(mistake(average, lambda g, s, s_new, eps: g / (np.sqrt(s) + eps)),
                "the step used the old s; update s first, then divide by sqrt of the new s."),
        Mistake(mistake(average, lambda g, s, s_new, eps: g * (np.sqrt(s_new) + eps)),
                "the step multiplies by sqrt(s); it divides by it, so large gradients take smaller steps."),
        Mistake(mistake(average, lambda g, s, s_new, eps: g / np.sqrt(s_new)),
                "eps is left out: divide by sqrt(s) + eps. Where s is 0 or tiny (a weight whose gradients "
                "vanished) eps is what keeps the step finite."),
        Mistake(lambda w, g, s, eta, rho, eps: np.concatenate(_rmsprop(w, g, s, eta, rho, eps)[::-1]),
                "the pair is swapped: return (w_new, s_new), the new weights first."),
    ]
    with np.errstate(all="ignore"):
        expect_function("11.3", _pair("11.3", fn, "rmsprop_step", ("w_new", "s_new")), cases, _flat(_rmsprop),
                        name="rmsprop_step", mistakes=mistakes)
    passed("11.3", "s <- rho s + (1 - rho) g^2, w <- w - eta g / (sqrt(s) + eps), with the new s.")


# -- 11.4 Adam's first step without bias correction --------------------------------------

def first_step_ratio(ratio) -> None:
    """Exercise 11.4: the size of Adam's first step without bias correction over the size with it.

    For beta1 = 0.9, beta2 = 0.999 and eps -> 0.

    Examples
    --------
    >>> first_step_ratio(0.1 / 0.001 ** 0.5)  # doctest: +NORMALIZE_WHITESPACE
    ✔ Exercise 11.4 passed: m_1 = (1 - beta1) g and v_1 = (1 - beta2) g^2, so without correction the first step
    is eta (1 - beta1) / sqrt(1 - beta2) = 3.16 eta instead of eta: too large, not too small, because v is
    biased more than m.
    """
    ratio = answer_value("11.4", ratio, "first_step_ratio")
    beta1, beta2 = 0.9, 0.999
    expect_value("11.4", ratio, (1 - beta1) / np.sqrt(1 - beta2), what="first_step_ratio", rtol=1e-3, mistakes=[
        Mistake(1 - beta1, "that is the bias of m alone; v is biased too, by 1 - beta2, and the step divides by "
                           "its square root."),
        Mistake(1 / np.sqrt(1 - beta2), "that is the bias of sqrt(v) alone; m is biased too, by 1 - beta1."),
        Mistake((1 - beta1) / (1 - beta2), "the square root is missing: the step divides by sqrt(v_1)."),
        Mistake(np.sqrt(1 - beta2) / (1 - beta1), "that is upside down: the uncorrected step over the corrected one."),
        Mistake(beta1 / np.sqrt(beta2), "the weights of Eq. 11.5 are swapped: m_1 = (1 - beta1) g, the new "
                                        "gradient gets the small weight 1 - beta1 (and v_1 = (1 - beta2) g^2)."),
        Mistake(0.001 * (1 - beta1) / np.sqrt(1 - beta2), "the ratio contains eta: it is a ratio of step sizes, "
                                                           "and eta cancels (both steps are eta times something)."),
        Mistake(1.0, "the corrected first step is eta g / |g|; the question is how large the step is *without* the "
                     "correction, m_1 / sqrt(v_1), compared with it."),
    ])
    passed("11.4", "m_1 = (1 - beta1) g and v_1 = (1 - beta2) g^2, so without correction the first step is "
                   f"eta (1 - beta1) / sqrt(1 - beta2) = {(1 - beta1) / np.sqrt(1 - beta2):.3g} eta instead of eta: "
                   "too large, not too small, because v is biased more than m.")


# -- 11.5 Adam ------------------------------------------------------------------------

def _adam(w0, gradients, eta, beta1, beta2, eps, *, correct=(True, True), shift=0, eps_inside=False, root=True,
          square=True, sign=-1.0, old_m=False, correct_state=False, frozen_t=False, efficient=False,
          same_rows=False):
    """Adam on a given gradient sequence (Kingma & Ba 2015, Algorithm 1), or one of its plausible mistakes."""
    w = np.array(w0, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    path = [w.copy()]
    for t, g in enumerate(np.asarray(gradients, dtype=float), start=1):
        t = 1 if frozen_t else t
        m_before = m
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g ** 2 if square else g)
        m_used = m_before if old_m else m
        m_hat = m_used / (1 - beta1 ** (t + shift)) if correct[0] else m_used
        v_hat = v / (1 - beta2 ** (t + shift)) if correct[1] else v
        if correct_state:  # the running state itself is divided, so the correction compounds from step to step
            m, v = m_hat, v_hat
        denominator = np.sqrt(v_hat + eps) if eps_inside else (np.sqrt(v_hat) if root else v_hat) + eps
        if efficient:  # Kingma & Ba's "more efficient" order, with eps added to sqrt(v) instead of sqrt(v_hat)
            w = w + sign * eta * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) * m / (np.sqrt(v) + eps)
        else:
            w = w + sign * eta * m_hat / denominator
        path.append(w.copy())
    if same_rows:
        return np.repeat(path[-1][None, :], len(path), axis=0)
    return np.array(path)


def _reference_adam(w0, gradients, eta, beta1, beta2, eps):
    return _adam(w0, gradients, eta, beta1, beta2, eps)


_ADAM_MISTAKES = [
    (dict(correct=(False, False)), "no bias correction: m and v start at 0, so at t = 1 they are (1 - beta1) g and "
                                   "(1 - beta2) g^2, far too small; divide by 1 - beta1^t and 1 - beta2^t."),
    (dict(shift=-1), "at t = 1 the correction divides by 1 - beta^0 = 0: t counts the steps from 1 (use "
                     "beta1**t with t = 1, 2, ...; enumerate(gradients, start=1))."),
    (dict(shift=1), "the correction uses beta^(t + 1): at the first step, t = 1, divide by 1 - beta^1."),
    (dict(correct=(True, False)), "only m is bias-corrected; v needs it too, v / (1 - beta2^t)."),
    (dict(correct=(False, True)), "only v is bias-corrected; m needs it too, m / (1 - beta1^t)."),
    (dict(eps_inside=True), "eps is inside the square root; add it after: m_hat / (sqrt(v_hat) + eps)."),
    (dict(root=False), "the square root is missing: divide by sqrt(v_hat) + eps, which has the size of g."),
    (dict(square=False), "v averages the gradients; it must average their squares, g**2 (the second moment)."),
    (dict(sign=1.0), "the weights move uphill: w <- w - eta m_hat / (sqrt(v_hat) + eps)."),
    (dict(old_m=True), "the step used the previous m; update m and v first, then step with the new ones."),
    (dict(correct_state=True), "the running means themselves were bias-corrected (m /= 1 - beta1**t changes m): "
                               "keep m and v uncorrected and compute m_hat and v_hat as new variables for the step."),
    (dict(frozen_t=True), "t stays 1: the step number must increase by one at every step (enumerate(gradients, "
                          "start=1)), so that the correction 1 - beta^t fades towards 1."),
    (dict(same_rows=True), "every row of your path is the final weight vector: the list holds the same array, changed "
                           "in place (w -= ...). Append a copy (w.copy()) or write w = w - ...."),
    (dict(efficient=True), "that is the paper's 'efficient' form, eta sqrt(1 - beta2^t) / (1 - beta1^t) m / "
                           "(sqrt(v) + eps): there eps is added to sqrt(v), not to sqrt(v_hat). Use Eq. 11.7 / "
                           "Algorithm 1: eps is added to sqrt(v_hat)."),
]


def adam(fn) -> None:
    """Exercise 11.5: ``fn(w0, gradients, eta, beta1, beta2, eps)`` must return Adam's path on the given gradients.

    ``gradients`` has one row per step; the path has one row more, the start.

    Examples
    --------
    >>> adam(_reference_adam)
    ✔ Exercise 11.5 passed: Adam as Algorithm 1 of Kingma & Ba (2015), bias correction included, from the first step.
    """
    rng = np.random.default_rng(11)
    cases = [{"w0": np.array([0.5, -1.0]), "gradients": np.array([[0.3, -2.0], [0.1, -1.0], [-0.2, -0.5],
                                                                   [0.4, 0.1]]),
              "eta": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
             {"w0": np.zeros(3), "gradients": 0.01 * rng.normal(size=(5, 3)), "eta": 0.05, "beta1": 0.5,
              "beta2": 0.9, "eps": 1e-3},
             {"w0": np.array([2.0]), "gradients": np.array([[1.0], [1.0], [1.0]]), "eta": 0.01, "beta1": 0.8,
              "beta2": 0.99, "eps": 1e-8}]
    if fn is Ellipsis:
        raise NotAttempted("11.5")
    got = []
    first_wrong = None
    for case in cases:
        args = tuple(case.values())
        with np.errstate(all="ignore"):
            value = call("11.5", fn, *[np.copy(a) if isinstance(a, np.ndarray) else a for a in args], name="adam")
        try:
            value = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise CheckFailed("11.5", f"adam should return an array (the path), got {type(value).__name__} "
                                      f"{format_value(value)}") from None
        expected = _reference_adam(*args)
        if value.shape == expected.shape and np.all(np.isfinite(value)) and np.allclose(value, expected, rtol=1e-6,
                                                                                          atol=1e-9):
            continue
        got.append((value, args))
        if first_wrong is None:
            shown = ", ".join(f"{k}={format_value(v)}" for k, v in case.items() if k != "gradients")
            first_wrong = (f"adam(... {shown}) on {len(args[1])} gradients: expected the path "
                           f"{format_value(expected)}, got {format_value(value)}.")
            if value.shape != expected.shape:
                first_wrong = (f"adam returned shape {value.shape}; expected {expected.shape}: the start w0 and one "
                               "row per gradient.")
    if first_wrong is None:
        passed("11.5", "Adam as Algorithm 1 of Kingma & Ba (2015), bias correction included, from the first step.")
        return
    with np.errstate(all="ignore"):
        for options, hint in _ADAM_MISTAKES:
            if all(value.shape == _adam(*args, **options).shape
                   and np.allclose(value, _adam(*args, **options), rtol=1e-6, atol=1e-9, equal_nan=True)
                   for value, args in got):
                raise CheckFailed("11.5", f"{first_wrong}\nHint: {hint}")
    if any(not np.all(np.isfinite(value)) for value, _ in got):
        raise CheckFailed("11.5", f"{first_wrong}\nHint: the path holds nan or inf. At t = 1 that comes from "
                                  "dividing by 1 - beta^0 = 0 (t counts from 1); later, from the square root of a "
                                  "negative v (v averages g**2).")
    raise CheckFailed("11.5", first_wrong)


# -- 11.6 learning rates chosen on the validation set ---------------------------------------

def comparison() -> optimizers.Comparison:
    """The lesson's sweep on the digits, computed once per process (:func:`bp_course.optimizers.digits_comparison`)."""
    return optimizers.digits_comparison()


def best_eta(choice) -> None:
    """Exercise 11.6: ``choice`` maps ``"sgd"``, ``"momentum"``, ``"adam"`` to the eta of best validation accuracy.

    At a tie the smallest of the tied learning rates is the answer, as :meth:`bp_course.optimizers.Comparison.best`.

    Examples
    --------
    >>> result = comparison()
    >>> best_eta({name: result.best(name) for name in result.names})  # doctest: +ELLIPSIS
    ✔ Exercise 11.6 passed: ...
    """
    choice = answer_value("11.6", choice, "best_eta")
    if isinstance(choice, dict) and choice and all(v is Ellipsis for v in choice.values()):
        raise NotAttempted("11.6")
    result = comparison()
    if not isinstance(choice, dict):
        raise CheckFailed("11.6", f"best_eta should be a dict such as {{'sgd': 0.1, ...}}, got "
                                  f"{type(choice).__name__}")
    unknown = [repr(k) for k in choice if k not in result.names]
    missing = [k for k in result.names if k not in choice]
    if unknown or missing:
        raise CheckFailed("11.6", "best_eta needs exactly the keys " + ", ".join(map(repr, result.names))
                          + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                          + (f"; missing: {', '.join(map(repr, missing))}" if missing else ""))
    etas = list(result.etas)
    lines = []
    for name in result.names:
        eta = choice[name]
        if isinstance(eta, bool) or not isinstance(eta, (int, float, np.integer, np.floating)):
            raise CheckFailed("11.6", f"best_eta[{name!r}] should be one of the swept learning rates "
                                      f"{etas}, got {eta!r:.40}")
        matches = [i for i, e in enumerate(etas) if np.isclose(e, eta, rtol=1e-6)]
        if not matches:
            raise CheckFailed("11.6", f"best_eta[{name!r}] = {eta:g} is not one of the swept learning rates {etas}.")
        i = matches[0]
        accuracy = result.val_accuracy[name]
        best = float(np.max(accuracy))
        if accuracy[i] < best:
            direction = "larger" if int(np.argmax(accuracy)) > i else "smaller"
            hint = (f"eta = {eta:g} reaches {accuracy[i]:.3f} on the validation set; a {direction} one reaches more.")
            if result.test_accuracy[name][i] >= np.max(result.test_accuracy[name]):
                hint += (" (It is the best on the *test* set, but the test set must not choose anything: it "
                         "measures the choice afterwards.)")
            lines.append(f"{name}: {hint}")
        elif i != int(np.argmax(accuracy)):
            lines.append(f"{name}: eta = {eta:g} ties for the best validation accuracy ({best:.3f}) with a smaller "
                         "eta; at a tie, choose the smallest eta among the ties (the gentler steps).")
    if lines:
        raise CheckFailed("11.6", f"{len(lines)} of {len(result.names)} choices are not the best on the validation "
                                  "set yet.\n" + "\n".join(lines))
    summary = ", ".join(f"{name} {choice[name]:g}" for name in result.names)
    passed("11.6", f"{summary}: each optimizer's best learning rate on the validation set. Their scales differ: the "
                   "heavy ball's steps add up to about eta / (1 - beta), and Adam's step is about eta whatever the "
                   "gradient's size.")


# -- hidden checks ------------------------------------------------------------------

def _heavy_ball_cases(rng):
    cases = []
    for w, x, t in hidden.linear_batches(rng):
        eta = 0.3 * linear_neuron.stability_bound(x) if np.any(x) else 0.1
        cases.append((w, x, t, float(eta), float(rng.uniform(0.0, 0.9)), int(rng.integers(1, 7))))
    return cases


def _rmsprop_cases(rng):
    cases = []
    for k, eps in ((2, 1e-8), (3, 1e-3), (1, 1e-8)):
        cases.append((rng.normal(size=k), rng.normal(size=k) * 10.0 ** rng.integers(-2, 2), rng.uniform(0, 2, k),
                      float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.999)), eps))
    return cases


def _adam_cases(rng):
    cases = []
    for k, eps in ((2, 1e-8), (3, 1e-3), (1, 1e-8)):
        steps = int(rng.integers(1, 7))
        cases.append((rng.normal(size=k), rng.normal(size=(steps, k)) * 10.0 ** rng.integers(-2, 1),
                      float(rng.uniform(0.001, 0.2)), float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.9, 0.9999)),
                      eps))
    return cases


HIDDEN = {
    "11.1": hidden.Function("heavy_ball", _heavy_ball_cases, _reference_heavy_ball),
    "11.2": hidden.Value(("eta_hb", "beta_hb"), best_heavy_ball),
    "11.3": hidden.Function("rmsprop_step", _rmsprop_cases, _rmsprop),
    "11.4": hidden.Value(("first_step_ratio",), first_step_ratio),
    "11.5": hidden.Function("adam", _adam_cases, _reference_adam),
    "11.6": hidden.Value(("best_eta",), best_eta),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
