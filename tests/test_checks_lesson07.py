"""bp_course.checks.lesson07: difference quotients, the step h, relative error, gradient checks, the bug hunt."""

import re
import warnings

import numpy as np
import pytest

from bp_course import bugs, gradcheck
from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson07 as check


def _hint(text):
    return "Hint: .*" + re.escape(text)


def _central(f, z, h):
    return (f(z + h) - f(z - h)) / (2 * h)


def _relative(a, n):
    denom = max(np.linalg.norm(a), np.linalg.norm(n))
    return 0.0 if denom == 0 else np.linalg.norm(a - n) / denom


def _gradient_check(backward, network, x, t):
    numeric = gradcheck.numerical_gradient(lambda: network.error(x, t), network.params)
    names = [f"{k}[{l}]" for l in range(len(network.W)) for k in ("W", "b")]
    return gradcheck.compare(backward(network, x, t), numeric, names)


def test_correct_answers_pass(capsys):
    check.central_difference(_central)
    check.best_h({"float64": 1e-5, "float32": 1e-2})
    check.relative_error(_relative)
    check.gradient_check(_gradient_check)
    check.diagnosis(dict(bugs.MYSTERIES))
    assert capsys.readouterr().out.count("✔ Exercise") == 5


@pytest.mark.parametrize("exercise,wrong,hint", [
    ("central_difference", lambda f, z, h: (f(z + h) - f(z - h)) / h, "divide by 2h"),
    ("central_difference", lambda f, z, h: (f(z + h) - f(z)) / h, "that is the one-sided difference"),
    ("central_difference", lambda f, z, h: (f(z - h) - f(z + h)) / (2 * h), "the sign is flipped"),
    ("relative_error", lambda a, n: np.linalg.norm(a - n), "that is the absolute error"),
    ("relative_error", lambda a, n: 0.0 if not (np.any(a) or np.any(n)) else
     np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)), "divides by ||a|| + ||n||"),
    # issue 11, item 13: precedence, and the sum variant as a learner writes it (no guard for 0 / 0)
    ("central_difference", lambda f, z, h: (f(z + h) - f(z - h)) / 2 * h, "Python reads `/ 2 * h` as `(... / 2) * h`"),
    ("central_difference", lambda f, z, h: (f(z + h) - f(z - h)) / 2 * h, "h^2 times the slope (1e-4 times it"),
    ("relative_error", lambda a, n: np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)),
     "exactly half of it when the two norms are equal"),
])
def test_plausible_mistakes_get_their_hint(exercise, wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        getattr(check, exercise)(wrong)


@pytest.mark.parametrize("relative", [
    lambda a, n: np.linalg.norm(a - n) / max(np.linalg.norm(a), np.linalg.norm(n)),  # numpy: nan and a warning
    lambda a, n: float(np.linalg.norm(a - n)) / float(max(np.linalg.norm(a), np.linalg.norm(n))),  # ZeroDivisionError
])
def test_relative_error_without_the_zero_case_is_named_without_warnings(relative):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from 0 / 0 reaches the notebook
        with pytest.raises(CheckFailed, match=_hint("when both arrays are all zero")):
            check.relative_error(relative)


def test_relative_error_at_zero_must_be_zero():
    with pytest.raises(CheckFailed, match=re.escape("relative_error(a=[0, 0, 0], n=[0, 0, 0]): expected 0, got 1")):
        check.relative_error(lambda a, n: 1.0 if not np.any(a) and not np.any(n) else _relative(a, n))


def test_central_difference_must_keep_float32():
    with pytest.raises(CheckFailed, match="not float32"):
        check.central_difference(lambda f, z, h: _central(f, np.float64(z), np.float64(h)))


@pytest.mark.parametrize("answer,hint", [
    ({"float64": 1e-8, "float32": 1e-2}, "near sqrt(eps), the best step for the one-sided difference"),
    ({"float64": 1e-12, "float32": 1e-2}, "round-off dominates in float64"),
    ({"float64": 1e-5, "float32": 1e-1 * 5}, "truncation dominates"),
    ({"float64": 1e-2, "float32": 1e-5}, "suits float32, not float64"),
])
def test_best_h_explains_each_wrong_step(answer, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.best_h(answer)


def test_best_h_accepts_the_whole_sensible_range_and_refuses_bad_input():
    for h64, h32 in ((1e-6, 1e-3), (1e-4, 5e-3), (6e-6, 2e-2)):
        check.best_h({"float64": h64, "float32": h32})
    with pytest.raises(NotAttempted):
        check.best_h(...)
    with pytest.raises(CheckFailed, match="keys 'float64' and 'float32'"):
        check.best_h({"float64": 1e-5})
    with pytest.raises(CheckFailed, match="between 0 and 1"):
        check.best_h({"float64": "1e-5", "float32": 1e-2})


def test_gradient_check_that_compares_nothing_real_is_caught():
    def self_check(backward, network, x, t):
        analytic = backward(network, x, t)
        names = [f"{k}[{l}]" for l in range(len(network.W)) for k in ("W", "b")]
        return gradcheck.compare(analytic, analytic, names)
    with pytest.raises(CheckFailed, match=_hint("it passes broken backward passes")):
        check.gradient_check(self_check)


def test_gradient_check_on_one_example_misses_the_batch_bugs():
    def one_example(backward, network, x, t):
        return _gradient_check(backward, network, x[:1], t[:1])
    with pytest.raises(CheckFailed, match=_hint("use the whole batch")):
        check.gradient_check(one_example)


def test_gradient_check_must_label_its_arrays_and_return_a_report():
    def unlabelled(backward, network, x, t):
        numeric = gradcheck.numerical_gradient(lambda: network.error(x, t), network.params)
        return gradcheck.compare(backward(network, x, t), numeric)
    with pytest.raises(CheckFailed, match=re.escape("pass names=['W[0]'")):
        check.gradient_check(unlabelled)
    with pytest.raises(CheckFailed, match="should return the report"):
        check.gradient_check(lambda backward, network, x, t: _gradient_check(backward, network, x, t).passed)


def test_gradient_check_must_not_change_the_weights():
    def perturbing(backward, network, x, t):
        report = _gradient_check(backward, network, x, t)
        network.W[0][0, 0] += 1e-5
        return report
    with pytest.raises(CheckFailed, match="changed the network's weights"):
        check.gradient_check(perturbing)


def test_diagnosis_names_every_cause_once_it_passes(capsys):
    """The diagnoses are revealed behind the check (issue 11), not in the lesson's text."""
    check.diagnosis(dict(bugs.MYSTERIES))
    out = capsys.readouterr().out
    assert all(f"{label}: {cause}" in out for label, cause in bugs.MYSTERIES.items())


def test_diagnosis_names_each_wrong_bug_with_its_evidence():
    answer = dict(bugs.MYSTERIES)
    answer["B"], answer["D"] = answer["D"], answer["B"]  # the two that fail in the same arrays
    with pytest.raises(CheckFailed, match="2 of 6 diagnoses") as failure:
        check.diagnosis(answer)
    message = str(failure.value)
    assert "bug 'B': not 'transposed'" in message and "compare the line that carries them down with Eq. 5" in message
    assert "bug 'D': not 'missing_slope'" in message and "which index of W runs over the layer above" in message


@pytest.mark.parametrize("answer,message", [
    ({"A": "transposed", "G": "bias_sum"}, "unknown bug 'G'; the bugs are 'A'"),
    ({"A": "transposed"}, "no answer yet for bugs 'B', 'C'"),
    ({**bugs.MYSTERIES, "A": "a transposed matrix"}, "is not one of"),
    ([("A", "transposed")], "should be a dict"),
])
def test_diagnosis_refuses_malformed_answers(answer, message):
    with pytest.raises(CheckFailed, match=message):
        check.diagnosis(answer)


def test_diagnosis_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check.diagnosis(...)
    with pytest.raises(NotAttempted):
        check.diagnosis({label: ... for label in bugs.MYSTERIES})


def test_relative_error_divided_by_the_norm_of_a_only_is_named():
    def rel(a, n):
        d = np.linalg.norm(a)
        return 0.0 if d == 0 else np.linalg.norm(a - n) / d
    with pytest.raises(CheckFailed, match=_hint("that divides by ||a|| alone; divide by max(||a||, ||n||)")):
        check.relative_error(rel)
