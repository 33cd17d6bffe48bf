"""bp_course.checks.lesson02: gradient, descent loop, stability bound and regimes checks."""

import re

import numpy as np
import pytest

from bp_course import datasets, linear_neuron
from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson02 as check


def _hint(text):
    return "Hint: .*" + re.escape(text)


def _descent(w0, x, t, eta, steps):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        w -= eta * (x @ w - t) @ x / len(x)
        path.append(w.copy())
    return np.array(path)


def _descent_aliased(w0, x, t, eta, steps):
    """The classic bug: appending the same array that is then changed in place."""
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w -= eta * (x @ w - t) @ x / len(x)
        path.append(w)
    return np.array(path)


def _descent_in_place_on_w0(w0, x, t, eta, steps):
    """Right, but changes the caller's w0: the check must not be fooled by it."""
    path = [w0.copy()]
    for _ in range(steps):
        w0 -= eta * (x @ w0 - t) @ x / len(x)
        path.append(w0.copy())
    return np.array(path)


def test_correct_answers_pass(capsys):
    check.gradient(lambda w, x, t: (x @ w - t) @ x / len(x))
    check.gradient(lambda w, x, t: np.mean((x @ w - t)[:, None] * x, axis=0))
    check.descent(_descent)
    check.descent(_descent_in_place_on_w0)
    x, _ = datasets.two_cases()
    check.stability_bound(2 / np.linalg.eigvalsh(x.T @ x / 2).max())
    check.regimes({"creep": 0.01, "converge": 0.7, "oscillate": 1.0, "diverge": 1.6})
    assert capsys.readouterr().out.count("✔ Exercise") == 6


@pytest.mark.parametrize("wrong,hint", [
    (lambda w, x, t: (t - x @ w) @ x / len(x), "the sign is flipped"),
    (lambda w, x, t: (x @ w - t) @ x, "sum over examples"),
    (lambda w, x, t: 2 * (x @ w - t) @ x / len(x), "the 2 of the power rule"),
    (lambda w, x, t: np.mean(x @ w - t), "dy/dw_i = x_i"),
])
def test_gradient_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.gradient(wrong)


@pytest.mark.parametrize("wrong,hint", [
    (lambda w0, x, t, eta, steps: _descent(w0, x, t, -eta, steps), "uphill"),
    (lambda *a: _descent(*a)[1:], "lacks its first row"),
    (lambda *a: _descent(*a)[-1], "only the final weight vector"),
    (_descent_aliased, "Append a copy"),
    (lambda w0, x, t, eta, steps: _descent(w0, x, t, eta, steps - 1), "one step short"),
])
def test_descent_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.descent(wrong)


@pytest.mark.parametrize("wrong,hint", [
    (0.7639, "Either you took 1 / lambda_max"),
    (10.47, "smallest eigenvalue"),
    (1.0, "single training case"),
    (1.3333333, "trace"),
])
def test_stability_bound_mistakes(wrong, hint):
    x, _ = datasets.two_cases()
    lam = np.linalg.eigvalsh(linear_neuron.hessian(x))
    value = {0.7639: 1 / lam[1], 10.47: 2 / lam[0], 1.3333333: 2 / lam.sum()}.get(wrong, wrong)
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.stability_bound(value)


def test_stability_bound_from_the_sum_hessian_is_named():
    x, _ = datasets.two_cases()
    with pytest.raises(CheckFailed, match=_hint("H = x^T x / 2")):
        check.stability_bound(2 / np.linalg.eigvalsh(x.T @ x).max())


def test_regimes_names_the_misplaced_learning_rate_and_its_range():
    with pytest.raises(CheckFailed, match=r"etas\['oscillate'\] = 0.5 has eta lambda_max = 0.655, which is the "
                                          r"'converge' regime\.\nHint: oscillate needs 1 < eta lambda_max <= 2"):
        check.regimes({"creep": 0.01, "converge": 0.5, "oscillate": 0.5, "diverge": 3.0})
    with pytest.raises(CheckFailed, match=r"etas\['diverge'\] = 1.5 .* 'oscillate' regime"):
        check.regimes({"creep": 0.01, "converge": 0.5, "oscillate": 1.0, "diverge": 1.5})


def test_regimes_rejects_malformed_answers():
    with pytest.raises(CheckFailed, match="did you mean 'converge'"):
        check.regimes({"creep": 0.01, "converg": 0.5, "oscillate": 1.0, "diverge": 3.0})
    with pytest.raises(CheckFailed, match="no learning rate for: diverge"):
        check.regimes({"creep": 0.01, "converge": 0.5, "oscillate": 1.0})
    with pytest.raises(CheckFailed, match="positive number"):
        check.regimes({"creep": -0.01, "converge": 0.5, "oscillate": 1.0, "diverge": 3.0})
    with pytest.raises(CheckFailed, match="should be a dict"):
        check.regimes([0.01, 0.5, 1.0, 3.0])
    with pytest.raises(NotAttempted):
        check.regimes(...)
