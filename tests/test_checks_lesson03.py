"""bp_course.checks.lesson03: the logistic and tanh derivations, central differences and ReLU's slope."""

import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from bp_course import notebooks
from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson03 as check


def _hint(text):
    return "Hint: .*" + re.escape(text)


def test_correct_answers_pass(capsys):
    z = sp.Symbol("z")
    check.logistic_derivative("phi*(1 - phi)")
    check.logistic_derivative(sp.exp(-z) / (1 + sp.exp(-z)) ** 2)
    check.central_difference(lambda f, z, h: (f(z + h) - f(z - h)) / (2 * h))
    check.tanh_derivative("1 - tanh(z)**2")
    check.tanh_derivative(1 / sp.cosh(z) ** 2)
    check.relu_prime(lambda net: (net > 0).astype(float))
    check.relu_prime(lambda net: np.heaviside(net, 0.0))
    assert capsys.readouterr().out.count("✔ Exercise") == 7


@pytest.mark.parametrize("wrong,hint", [
    ("phi * (1 + phi)", "wrong sign inside"),
    ("exp(-z) / (1 + exp(-z))", "must be squared"),
    ("-exp(-z) / (1 + exp(-z))^2", "inner derivative of e^-z"),
    ("2 * phi * (1 - phi)", "twice the correct value"),
])
def test_logistic_derivative_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=r"Exercise 03\.1: dphi/dz = .* is not right yet\.\n" + _hint(hint)):
        check.logistic_derivative(wrong)


def test_logistic_derivative_rejects_unreadable_answers_kindly():
    with pytest.raises(CheckFailed, match=r"dphi/dz: .*unknown name\(s\) x"):
        check.logistic_derivative("x * (1 - x)")
    with pytest.raises(CheckFailed, match=r"dphi/dz: could not read"):
        check.logistic_derivative("phi * (1 - phi")
    with pytest.raises(NotAttempted):
        check.logistic_derivative(...)


@pytest.mark.parametrize("wrong,hint", [
    (lambda f, z, h: (f(z + h) - f(z)) / h, "forward"),
    (lambda f, z, h: (f(z) - f(z - h)) / h, "backward"),
    (lambda f, z, h: (f(z + h) - f(z - h)) / h, "divide by 2 h"),
    (lambda f, z, h: (f(z - h) - f(z + h)) / (2 * h), "the sign is flipped"),
    (lambda f, z, h: (f(z + h) - f(z - h)) / 2 * h, "mind the parentheses"),
])
def test_central_difference_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.central_difference(wrong)


def test_central_difference_messages_name_the_function_not_its_address():
    with pytest.raises(CheckFailed) as info:
        check.central_difference(lambda f, z, h: f(z))
    assert "central_difference(f=logistic, z=" in str(info.value) and "0x" not in str(info.value)


@pytest.mark.parametrize("wrong,hint", [
    ("tanh(z) * (1 - tanh(z))", "logistic's pattern"),
    ("1 + tanh(z)^2", "sign is wrong"),
    ("1 - tanh(z)", "not squared"),
])
def test_tanh_derivative_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.tanh_derivative(wrong)


@pytest.mark.parametrize("wrong,hint", [
    (lambda net: np.where(net >= 0, 1.0, 0.0), "phi'(0) = 0"),
    (lambda net: np.maximum(net, 0.0), "that is ReLU itself"),
    (lambda net: np.ones_like(net), "on the flat left half"),
    (lambda net: np.where(net > 0, 0.0, 1.0), "swapped"),
])
def test_relu_prime_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.relu_prime(wrong)


def test_derivation_checks_print_both_forms_once_the_answer_passes(capsys):
    """The forms the lesson's text no longer shows before the check (tests/test_reveals.py) come with the ✔."""
    check.logistic_derivative("exp(-z) / (1 + exp(-z))**2")
    check.tanh_derivative("1/cosh(z)**2")
    out = capsys.readouterr().out
    assert "dphi/dz = exp(-z)/(1 + exp(-z))^2 = phi * (1 - phi)" in out
    assert "dtanh/dz = 1 - tanh(z)^2 = 1/cosh(z)^2; with the output o = tanh(z) it is 1 - o^2." in out


def test_no_form_is_printed_when_the_answer_is_wrong(capsys):
    with pytest.raises(CheckFailed):
        check.logistic_derivative("phi * (1 + phi)")
    assert "exp(-z)/(1 + exp(-z))^2" not in capsys.readouterr().out


def test_the_relu_section_names_dead_units_and_what_alexnet_measured():
    """Issue 11 item 6: slope 0 passes no gradient, and the speed-up is the one Krizhevsky et al.'s Figure 1 shows."""
    lesson = notebooks.read(Path(__file__).resolve().parent.parent / "solutions" / "03_the_logistic_neuron.ipynb")
    (text,) = [c.source for c in lesson.cells if c.get("id") == "relu-used"]
    words = " ".join(text.split())
    assert "never shrinks" not in words
    assert "negative for *every* example passes no gradient at all" in words and "**dead unit**" in words
    for measured in ("four-layer convolutional network with ReLUs", "25% training error", "CIFAR-10",
                     "six times faster", "tanh neurons", "varies with the network's architecture"):
        assert measured in words, measured
