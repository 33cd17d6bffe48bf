"""bp_course.checks.lesson04: Eq. 1-4 as formulas and the logistic neuron's update step."""

import re

import numpy as np
import pytest
import sympy as sp

from bp_course.activations import logistic
from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson04 as check
from bp_course.symbolic import symbols

x1, x2, w1, w2, t, y, net = symbols("x1", "x2", "w1", "w2", "t", "y", "net")


def _hint(text):
    return "Hint: .*" + re.escape(text)


def _step(w, x, t, eta):
    y = logistic(x @ w)
    return w - eta * ((y - t) * y * (1 - y)) @ x / len(x)


def test_correct_answers_pass(capsys):
    check.dE_dy(y - t)
    check.dE_dy("-(t - y)")
    check.dy_dnet(y * (1 - y))
    check.dy_dnet(sp.exp(-net) / (1 + sp.exp(-net)) ** 2)
    check.dnet_dw1(x1)
    check.dE_dw1((y - t) * y * (1 - y) * x1)
    check.dE_dw1("(1/(1 + exp(-net)) - t) * exp(-net) / (1 + exp(-net))^2 * x1")
    check.step(_step)
    assert capsys.readouterr().out.count("✔ Exercise") == 8


@pytest.mark.parametrize("exercise,wrong,hint", [
    ("dE_dy", t - y, "inner derivative of (t - y)"),
    ("dE_dy", 2 * (y - t), "the 2 of the power rule cancels the 1/2"),
    ("dy_dnet", "1/(1 + exp(-y)) * (1 - 1/(1 + exp(-y)))", "evaluate phi' at net"),
    ("dnet_dw1", w1, "that is the weight w1"),
    ("dnet_dw1", 1, "the rate is x1"),
    ("dE_dw1", (y - t) * y * (1 - y), "the factor x1 (dnet/dw1, Eq. 2) is missing"),
    ("dE_dw1", (y - t) * x1, "the factor y (1 - y) (dy/dnet, Eq. 3) is missing"),
    ("dE_dw1", (t - y) * y * (1 - y) * x1, "the sign is wrong"),
    ("dE_dw1", (y - t) * y ** 2 * (1 - y) ** 2 * x1, "is it applied twice"),
    ("dE_dw1", "(y - t) * 1/(1 + exp(-y)) * (1 - 1/(1 + exp(-y))) * x1", "not phi'(y)"),
    ("dE_dw1", (y - t) * y * (1 - y) * x2, "with respect to w2"),
])
def test_chain_rule_mistakes_are_named(exercise, wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        getattr(check, exercise)(wrong)


def test_formula_checks_refuse_unknown_names_and_stubs():
    with pytest.raises(CheckFailed, match=r"dE/dw1: .*unknown name\(s\) o"):
        check.dE_dw1("(o - t) * o * (1 - o) * x1")
    with pytest.raises(NotAttempted):
        check.dE_dy(...)


@pytest.mark.parametrize("wrong,hint", [
    (lambda w, x, t, eta: 2 * w - _step(w, x, t, eta), "uphill"),
    (lambda w, x, t, eta: w - eta * (logistic(x @ w) - t) @ x / len(x), "dy/dnet = y (1 - y) (Eq. 3) is missing"),
    (lambda w, x, t, eta: w - eta * ((logistic(x @ w) - t) * logistic(logistic(x @ w))
                                     * (1 - logistic(logistic(x @ w)))) @ x / len(x), "evaluated at the output"),
    (lambda w, x, t, eta: w + len(x) * (_step(w, x, t, eta) - w), "sums over the examples"),
    (lambda w, x, t, eta: _step(w, x, t, eta) - w, "the change Delta w alone"),
])
def test_step_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.step(wrong)


def _delta(w, x, t):
    y = logistic(x @ w)
    return (y - t) * y * (1 - y)


def _last_example_only(w, x, t, eta):
    for p in range(len(x)):
        gradient = _delta(w, x[p:p + 1], t[p:p + 1]) * x[p]  # overwritten, not added
    return w - eta * gradient


def _last_example_over_n(w, x, t, eta):
    for p in range(len(x)):
        gradient = _delta(w, x[p:p + 1], t[p:p + 1]) * x[p] / len(x)
    return w - eta * gradient


def _one_example_at_a_time(w, x, t, eta):
    for p in range(len(x)):
        w = w - eta * _delta(w, x[p:p + 1], t[p:p + 1]) * x[p] / len(x)
    return w


@pytest.mark.parametrize("wrong,hint", [
    (_last_example_only, "only the last example counts"),
    (_last_example_over_n, "only the last example counts"),
    (_one_example_at_a_time, "w moves once per example"),
    (lambda w, x, t, eta: w - eta * _delta(w, x, t)[:, None] * x / len(x), "one row per example"),
])
def test_step_names_a_gradient_overwritten_or_not_summed_per_example(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.step(wrong)


def test_step_explains_deltas_multiplied_into_x_without_a_sum():
    """delta * x broadcasts (n,) against (n, 2): NumPy's error alone does not say what went wrong."""
    with pytest.raises(CheckFailed) as info:
        check.step(lambda w, x, t, eta: w - eta * np.mean(_delta(w, x, t) * x, axis=0))
    message = str(info.value)
    assert "raised ValueError: operands could not be broadcast" in message
    assert "Hint: the n deltas (shape (3,)) cannot multiply the inputs x (shape (3, 2))" in message
    assert "delta @ x / n" in message


@pytest.mark.parametrize("target", ["w", "x", "t"])
def test_step_refuses_an_answer_that_changes_its_arguments_in_place(target):
    def in_place(w, x, t, eta):
        new = _step(w, x, t, eta)
        if target == "w":
            w -= eta * _delta(w, x, t) @ x / len(x)
        else:
            {"x": x, "t": t}[target][0] = 7.0
        return new

    with pytest.raises(CheckFailed, match=rf"step changed the array {target} it was given.*\nHint: an in-place "
                                          rf"update \({target} -= \.\.\."):
        check.step(in_place)


def test_step_refuses_the_classic_in_place_update():
    def in_place(w, x, t, eta):
        y = logistic(x @ w)
        w -= eta * ((y - t) * y * (1 - y)) @ x / len(x)
        return w

    with pytest.raises(CheckFailed, match="Leave w as it is and return a new array"):
        check.step(in_place)


def test_hidden_step_check_fails_an_answer_that_changes_w_in_place():
    spec = check.HIDDEN["04.5"]
    cases = spec.cases(np.random.default_rng(3))

    def in_place(w, x, t, eta):
        w -= eta * _delta(w, x, t) @ x / len(x)
        return w

    results = spec.results(in_place, cases)
    assert all("step changed the array w" in r["error"] for r in results), results
    assert spec.judge(results, cases, 0).passed == 0
    assert spec.judge(spec.results(_step, cases), cases, 0).ok


def test_formula_checks_print_the_equation_once_the_answer_passes(capsys):
    check.dE_dy(y - t)
    check.dy_dnet(y * (1 - y))
    check.dnet_dw1(x1)
    check.dE_dw1((y - t) * y * (1 - y) * x1)
    out = capsys.readouterr().out
    for line in ("dE/dy = y - t: that is Eq. 4", "dy/dnet = phi'(net) = y (1 - y): that is Eq. 3",
                 "dnet/dw1 = x1: that is Eq. 2", "dE/dw1 = (y - t) y (1 - y) x1: that is Eq. 1"):
        assert line in out


def test_n_counts_examples_only():
    """Issue 11, item 16: lesson 04 once summed Eq. 1's inputs up to n, the symbol every lesson uses for examples."""
    from pathlib import Path

    from bp_course import notebooks

    lesson = notebooks.read(Path(__file__).resolve().parent.parent / "solutions" / "04_chain_rule_one_layer.ipynb")
    markdown = "\n".join(c.source for c in lesson.cells if c.cell_type == "markdown")
    assert not re.search(r"\\sum_\{k=1\}\^\{?n\}?", markdown)


# -- review fixes (learner items 8, 12) ---------------------------------------------------------------------

def test_net_for_out_is_named_in_the_formulas():
    with pytest.raises(CheckFailed, match=_hint("net (1 - net) is not the slope")):
        check.dy_dnet(net * (1 - net))
    with pytest.raises(CheckFailed, match=_hint("net (1 - net) is not the slope")):
        check.dE_dw1((y - t) * net * (1 - net) * x1)


def _slope_step(w, x, t, eta, slope, scale=1.0, only_gradient=False):
    n = x @ w
    out = logistic(n)
    grad = ((out - t) * slope(n, out)) @ x / len(x)
    return grad if only_gradient else w - scale * eta * grad


@pytest.mark.parametrize("answer,hint", [
    (lambda w, x, t, eta: _slope_step(w, x, t, eta, lambda n, o: n * (1 - n)), "net (1 - net) is not the slope"),
    (lambda w, x, t, eta: _slope_step(w, x, t, eta, lambda n, o: o * (1 - o), only_gradient=True),
     "gradient dE/dw alone"),
    (lambda w, x, t, eta: _slope_step(w, x, t, eta, lambda n, o: o * (1 - o), scale=1 / eta),
     "learning rate is missing"),
])
def test_step_review_mistakes_are_named(answer, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.step(answer)


# -- a difference quotient is not a derivation (issue 12) ----------------------------------------------------

import difference_quotients  # noqa: E402


@pytest.mark.parametrize("exercise,kind,text", difference_quotients.of_lesson("04"),
                         ids=[f"{c[0]}-{c[1]}" for c in difference_quotients.of_lesson("04")])
def test_a_difference_quotient_fails_the_check_with_a_kind_hint(exercise, kind, text):
    difference_quotients.assert_refused_with_a_kind_hint(check, exercise, text)


def test_step_with_x_before_the_deltas_is_told_the_factors_are_the_wrong_way_round():
    def step(w, x, t, eta):
        y = logistic(x @ w)
        return w - eta * x @ ((y - t) * y * (1 - y)) / len(x)

    with pytest.raises(CheckFailed, match=r"Hint: the n deltas have shape \(1,\), one per example.*x @ delta has "
                                          r"the factors the wrong way round"):
        check.step(step)
