"""bp_course.checks.lesson01: the linear neuron's output, mean error, valley and bowl checks."""

import re

import numpy as np
import pytest

from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson01 as check


def _hint(text):
    return "Hint: .*" + re.escape(text)


def test_correct_answers_pass(capsys):
    check.output(lambda w, x: x @ w)
    check.output(lambda w, x: w[0] * x[:, 0] + w[1] * x[:, 1])
    check.mean_error(lambda w, x, t: np.mean(0.5 * (t - x @ w) ** 2))
    check.mean_error(lambda w, x, t: ((x @ w - t) ** 2).sum() / (2 * len(t)))
    check.valley([1.0, -1.0], (-3, 3))
    check.second_case((1.0, 0.0, 1.0))
    check.second_case([0.0, 2.0, -1.0])
    assert capsys.readouterr().out.count("✔ Exercise") == 7


@pytest.mark.parametrize("wrong,hint", [
    (lambda w, x: x * w, "does not add them up"),
    (lambda w, x: np.sum(x * w), "adds up every example"),
    (lambda w, x: x[:, 0] * w[0], "only the first input counts"),
])
def test_output_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.output(wrong)


@pytest.mark.parametrize("wrong,hint", [
    (lambda w, x, t: np.sum(0.5 * (t - x @ w) ** 2), "that is the sum over examples"),
    (lambda w, x, t: np.mean((t - x @ w) ** 2), "factor 1/2 is missing"),
    (lambda w, x, t: 0.5 * np.mean(t - x @ w) ** 2, "squares the average difference"),
    (lambda w, x, t: 0.5 * (t - x @ w) ** 2, "each example's error"),
])
def test_mean_error_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.mean_error(wrong)


def test_valley_rejects_points_off_the_valley_and_twins():
    with pytest.raises(CheckFailed, match=r"w_b = \[1\., 1\.\] gives E = 2, not 0\.\nHint: .*w1 \+ w2 = 0"):
        check.valley([1.0, -1.0], [1.0, 1.0])
    with pytest.raises(CheckFailed, match=_hint("find a second, different one")):
        check.valley([2.0, -2.0], np.array([2.0, -2.0]))
    with pytest.raises(CheckFailed, match=r"should be two numbers \(w1, w2\), got shape \(3,\)"):
        check.valley([1.0, -1.0, 0.0], [0.0, 0.0])
    with pytest.raises(NotAttempted):
        check.valley(..., ...)


@pytest.mark.parametrize("case,words", [
    ((2.0, 2.0, 1.0), "multiple of (1, 1)"),
    ((-1.0, -1.0, 0.0), "multiple of (1, 1)"),
    ((0.0, 0.0, 3.0), "x1 = x2 = 0"),
])
def test_second_case_rejects_cases_that_keep_the_valley(case, words):
    with pytest.raises(CheckFailed, match=re.escape(words)):
        check.second_case(case)


def test_second_case_rejects_malformed_answers():
    with pytest.raises(CheckFailed, match="three numbers"):
        check.second_case((1.0, 0.0))
    with pytest.raises(CheckFailed, match="not finite"):
        check.second_case((np.nan, 0.0, 1.0))
    with pytest.raises(NotAttempted):
        check.second_case(...)
