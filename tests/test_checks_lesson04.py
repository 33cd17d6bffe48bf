"""bp_course.checks.lesson04: Eq. 1-4 as formulas and the logistic neuron's update step."""

import re

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


def test_step_does_not_mind_in_place_updates():
    def in_place(w, x, t, eta):
        y = logistic(x @ w)
        w -= eta * ((y - t) * y * (1 - y)) @ x / len(x)
        return w

    check.step(in_place)
