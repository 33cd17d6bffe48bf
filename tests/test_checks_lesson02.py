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
    """A right path, but changes the caller's w0: the next path from the same w0 would start elsewhere."""
    path = [w0.copy()]
    for _ in range(steps):
        w0 -= eta * (x @ w0 - t) @ x / len(x)
        path.append(w0.copy())
    return np.array(path)


def test_correct_answers_pass(capsys):
    check.gradient(lambda w, x, t: (x @ w - np.ravel(t)) @ x / len(x))
    check.gradient(lambda w, x, t: np.mean((x @ w - t.reshape(-1))[:, None] * x, axis=0))
    check.descent(_descent)
    x, _ = datasets.two_cases()
    check.stability_bound(2 / np.linalg.eigvalsh(x.T @ x / 2).max())
    check.regimes({"creep": 0.01, "converge": 0.7, "oscillate": 1.0, "diverge": 1.6})
    assert capsys.readouterr().out.count("✔ Exercise") == 5


@pytest.mark.parametrize("wrong", [
    lambda w, x, t: (x @ w - t) @ x / len(x),
    lambda w, x, t: np.mean((x @ w - t)[:, None] * x, axis=0),
])
def test_gradient_names_the_broadcast_of_a_column_target(wrong):
    """Right for t of shape (n,), but t of shape (n, 1), as datasets give it, broadcasts y - t to (n, n)."""
    with pytest.raises(CheckFailed, match=r"t of shape \(2, 1\) should have shape \(2,\), got shape \(2, 2\)\.\n"
                                          r"Hint: .*broadcasts it to a table of shape \(2, 2\).*t\[:, 0\]"):
        check.gradient(wrong)


def test_descent_that_changes_w0_in_place_fails_kindly():
    """The path is right, so only the check of w0 itself can catch it (it used to pass)."""
    with pytest.raises(CheckFailed, match=r"your path is right, but descent changed w0 in place: .*"
                                          r"w0 = \[-0\.5, -0\.5\] had become .*\nHint: `w = w0` does not copy"):
        check.descent(_descent_in_place_on_w0)


def test_hidden_descent_check_fails_an_answer_that_changes_w0():
    spec = check.HIDDEN["02.2"]
    cases = spec.cases(np.random.default_rng(3))
    assert spec.judge(spec.results(_descent, cases), cases, 0).ok
    results = spec.results(_descent_in_place_on_w0, cases)
    assert all(r == {"error": "ValueError: descent changed w0 in place"} for r in results)
    assert spec.judge(results, cases, 0).passed == 0


def test_regimes_boundary_eta_max_is_oscillate_as_the_lesson_says(capsys):
    """r = 2 exactly: oscillate (it bounces for ever and does not grow), whichever way eta_max was computed."""
    x, _ = datasets.two_cases()
    eta_max = 2 / np.linalg.eigvalsh(x.T @ x / len(x)).max()  # as a learner computes it, not linear_neuron's
    for eta in (eta_max, linear_neuron.stability_bound(x), 2 / np.linalg.eigvalsh(x.T @ x).max() * 2):
        assert linear_neuron.regime(eta, x) == "oscillate"
    assert linear_neuron.regime(eta_max * (1 + 1e-6), x) == "diverge"
    check.regimes({"creep": 0.01, "converge": 0.7, "oscillate": eta_max, "diverge": 1.6})
    assert "Your oscillating rate is eta_max itself, the edge" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=r"etas\['diverge'\] = 1.52786 has eta lambda_max = 2, which is the "
                                          r"'oscillate' regime\.\nHint: diverge needs .* eta > 1\.528\. At eta = "
                                          r"eta_max exactly .* counts it as oscillate"):
        check.regimes({"creep": 0.01, "converge": 0.7, "oscillate": 1.2, "diverge": eta_max})


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


# -- review fixes (learner items 3, 10, 13) -----------------------------------------------------------------

def test_gradient_indexing_a_flat_target_gets_the_ravel_hint():
    with pytest.raises(CheckFailed, match=_hint("np.ravel(t) works for both shapes")):
        check.gradient(lambda w, x, t: (x @ w - t[:, 0]) @ x / len(x))


@pytest.mark.parametrize("creep", ["fraction", "decimal", "array0d", "float32", "int64", "sympy"])
def test_regimes_accept_any_real_scalar(creep, capsys):
    from decimal import Decimal
    from fractions import Fraction
    import sympy as sp
    value = {"fraction": Fraction(1, 20), "decimal": Decimal("0.05"), "array0d": np.array(0.05),
             "float32": np.float32(0.05), "int64": None, "sympy": sp.Rational(1, 20)}[creep]
    etas = {"creep": value, "converge": 0.5, "oscillate": 1.2, "diverge": np.int64(2)}
    if value is None:
        etas["creep"] = 0.05
    check.regimes(etas)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [True, "0.05", np.array([0.05]), 0.05 + 0j, None])
def test_regimes_still_refuse_what_is_not_one_real_number(bad):
    with pytest.raises(CheckFailed, match="should be a positive number"):
        check.regimes({"creep": bad, "converge": 0.5, "oscillate": 1.2, "diverge": 2.0})


@pytest.mark.parametrize("wrong,hint", [(1.5279, "rounded"), (1.528, "rounded"), (-1.5278640450004206, "sign"),
                                        (2 * 1.5278640450004206, "2 times too large")])
def test_stability_bound_describes_the_mistake_without_the_value(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)) as info:
        check.stability_bound(wrong)
    assert "1.52786 " not in info.value.message.replace(f"{wrong:g} ", "") and "expected" not in info.value.message


def _lesson02_cell(cell_id):
    from pathlib import Path
    from bp_course import notebooks
    lesson = notebooks.read(Path(__file__).resolve().parent.parent / "solutions" / "02_gradient_descent.ipynb")
    (cell,) = [c for c in lesson.cells if c.get("id") == cell_id]
    return cell, lesson


def test_the_text_after_the_bound_matches_the_printed_error():
    """Instructor item 18: the error at step 100 for 1.01 eta_max is printed; the text must not call it fine."""
    text, lesson = _lesson02_cell("confirm-after")
    words = " ".join(text.source.split())
    assert "looks fine for a hundred steps" not in words
    (code,) = [c for c in lesson.cells if c.get("id") == "confirm-code"]
    printed = "".join(o.get("text", "") for o in code.outputs)
    line = [line for line in printed.splitlines() if line.startswith("eta = 1.01 eta_max")][0]
    start, step100 = (float(v) for v in line.split("=")[-1].split(",")[:2])
    assert f"{step100:.1e}" in words and f"{start:.1e}" in words
    assert f"{round(step100 / start)} times its start" in words


def test_the_summary_states_the_factor_as_an_upper_bound():
    """Instructor item 19: directions shrink by a factor of at most (kappa - 1)/(kappa + 1), not 'by at least'."""
    cell, _ = _lesson02_cell("summary")
    words = " ".join(cell.source.split())
    assert "shrinks by at least" not in words
    assert r"by a factor of at most $(\kappa - 1)/(\kappa + 1)$ in absolute value" in words


@pytest.mark.parametrize("wrong,hint", [
    (lambda w, x, t: x @ (x @ w - np.ravel(t)) / len(x), "so the residuals come first in the product"),
    (lambda w, x, t: (x @ w - np.ravel(t))[:, None] * x / len(x), "one row per example, each example's share"),
])
def test_gradient_with_the_product_the_wrong_way_round_or_not_summed_is_named(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.gradient(wrong)


def test_descent_that_computes_the_gradient_once_is_told_to_recompute_it():
    def descent(w0, x, t, eta, steps):
        w = np.array(w0, dtype=float)
        g = linear_neuron.gradient(w, x, t)      # once, at w0
        path = [w]
        for _ in range(steps):
            w = w - eta * g
            path.append(w)
        return np.array(path)

    with pytest.raises(CheckFailed, match=_hint("compute the gradient anew at the current w in every step")):
        check.descent(descent)
