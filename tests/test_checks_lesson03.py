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
        check.central_difference(lambda f, z, h: (f(z + h) - f(z - h)) / (2 * h) + h)
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


# -- review fixes (learner items 2, 4, 5, 6, 7, 11) ---------------------------------------------------------

def test_central_difference_accepts_a_float32_result(capsys):
    check.central_difference(lambda f, z, h: np.float32((f(z + h) - f(z - h)) / (2 * h)))
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong", [
    lambda f, z, h: (f(z + 1e-5) - f(z - 1e-5)) / (2 * 1e-5),
    lambda f, z, h: f(z) * (1 - f(z)),
])
def test_central_difference_that_ignores_h_is_told_so(wrong):
    with pytest.raises(CheckFailed, match="does not use the h it is given"):
        check.central_difference(wrong)


@pytest.mark.parametrize("wrong,hint", [
    (lambda f, z, h: (f(z + h / 2) - f(z - h / 2)) / h, "steps h/2 to each side"),
    (lambda f, z, h: (-f(z + 2 * h) + 8 * f(z + h) - 8 * f(z - h) + f(z - 2 * h)) / (12 * h), "four-point stencil"),
])
def test_central_difference_near_misses_are_named(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.central_difference(wrong)


def test_central_difference_a_tiny_unnamed_difference_is_measured():
    with pytest.raises(CheckFailed, match="agree in the digits shown"):
        check.central_difference(lambda f, z, h: (f(z + h) - f(z - h)) / (2 * h) * (1 + 1e-8))


def test_tanh_sech_is_refused_with_a_way_to_write_it():
    with pytest.raises(CheckFailed, match=r"write 1/cosh\(z\)\*\*2"):
        check.tanh_derivative("sech(z)**2")


def test_tanh_via_phi_missing_the_inner_factor_gets_the_chain_rule_hint():
    with pytest.raises(CheckFailed, match=_hint("chain-rule factor of the inner function")) as info:
        check.tanh_derivative("2*phi(2*z)*(1-phi(2*z))")
    assert "power rule" not in info.value.message


def test_phi_applied_to_an_expression_with_phi_is_explained():
    with pytest.raises(CheckFailed, match=r"phi\(\.\.\.\) is read as phi applied to .*phi\*\(1 - phi\)"):
        check.logistic_derivative("phi(1-phi)")


def test_relu_prime_with_a_python_if_gets_the_elementwise_hint_but_not_the_answer():
    with pytest.raises(CheckFailed, match=_hint("np.where(condition, a, b) asks it of each element")) as info:
        check.relu_prime(lambda net: 1.0 if net > 0 else 0.0)
    assert "net > 0, 1.0, 0.0" not in info.value.message


@pytest.mark.parametrize("wrong,hint", [("1/(1+exp(-z))", "that is phi itself"), ("phi", "that is phi itself"),
                                        ("z*(1-z)", "has the input z where the output belongs")])
def test_logistic_derivative_given_phi_itself_or_z_for_phi_is_named(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.logistic_derivative(wrong)


def test_dead_units_can_revive_deeper_but_never_in_the_first_layer():
    """Instructor item 20: 'cannot bring it back' holds for first-layer units only."""
    lesson = notebooks.read(Path(__file__).resolve().parent.parent / "solutions" / "03_the_logistic_neuron.ipynb")
    (text,) = [c.source for c in lesson.cells if c.get("id") == "relu-used"]
    words = " ".join(text.split())
    assert "gradient descent cannot bring it back" not in words
    assert "usually cannot bring it back, and never in the first layer" in words
    assert "can revive when the layers below change its inputs" in words


# -- a difference quotient is not a derivation (issue 12) ----------------------------------------------------

import difference_quotients  # noqa: E402


@pytest.mark.parametrize("exercise,kind,text", difference_quotients.of_lesson("03"),
                         ids=[f"{c[0]}-{c[1]}" for c in difference_quotients.of_lesson("03")])
def test_a_difference_quotient_fails_the_check_with_a_kind_hint(exercise, kind, text):
    difference_quotients.assert_refused_with_a_kind_hint(check, exercise, text)


def test_a_long_wrong_derivation_is_not_repeated_whole_in_the_message():
    long_wrong = " + ".join(["phi * (1 + phi)"] + ["0 * exp(z)"] * 12)
    with pytest.raises(CheckFailed) as failed:
        check.logistic_derivative(long_wrong)
    message = str(failed.value)
    assert "Your dphi/dz is not right yet." in message and "0 * exp(z)" not in message
    short = "2 * phi * (1 - phi)"
    with pytest.raises(CheckFailed, match=r"dphi/dz = 2 \* phi \* \(1 - phi\) is not right yet"):
        check.logistic_derivative(short)
