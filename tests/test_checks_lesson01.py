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
    check.mean_error(lambda w, x, t: np.mean(0.5 * (np.ravel(t) - x @ w) ** 2))
    check.mean_error(lambda w, x, t: ((x @ w - t.reshape(-1)) ** 2).sum() / (2 * len(t)))
    check.valley([1.0, -1.0], (-3, 3))
    check.second_case((1.0, 0.0, 1.0))
    check.second_case([0.0, 2.0, -1.0])
    assert capsys.readouterr().out.count("✔ Exercise") == 7


@pytest.mark.parametrize("wrong,words", [
    (lambda w, x: w @ x, "y = x @ w (each row of x times the weights), not w @ x"),
    (lambda w, x: np.dot(w, x), "y = np.dot(x, w), not np.dot(w, x)"),
])
def test_output_with_the_factors_swapped_gets_a_named_hint(wrong, words):
    """w @ x used to end in NumPy's bare matmul error."""
    with pytest.raises(CheckFailed, match=r"output\(w of shape \(2,\), x of shape \(3, 2\)\) raised ValueError: "
                                          r".*\nHint: x has one row per example, shape \(n, 2\).*" + re.escape(words)):
        check.output(wrong)


@pytest.mark.parametrize("wrong", [
    lambda w, x, t: np.mean(0.5 * (t - x @ w) ** 2),
    lambda w, x, t: ((x @ w - t) ** 2).sum() / (2 * len(t)),
])
def test_mean_error_names_the_broadcast_of_a_column_target(wrong):
    """Right for t of shape (n,); with t of shape (n, 1), as the data sets give it, t - y broadcasts to (n, n)."""
    with pytest.raises(CheckFailed, match=r"t of shape \(2, 1\): expected 0\.3125, got 0\.(1875|375)\.\nHint: here t "
                                          r"has shape \(2, 1\), a column.*broadcasts it to a table of shape \(2, 2\).*"
                                          r"so 0\.(1875|375) instead of 0\.3125.*t\[:, 0\] or t = np\.ravel\(t\)"):
        check.mean_error(wrong)


def test_hidden_mean_error_feeds_a_column_target():
    spec = check.HIDDEN["01.2"]
    cases = spec.cases(np.random.default_rng(5))
    assert any(np.shape(t)[1:] == (1,) and len(t) > 1 for _, _, t in cases)
    assert spec.judge(spec.results(lambda w, x, t: np.mean(0.5 * (np.ravel(t) - x @ w) ** 2), cases), cases, 0).ok
    broadcasting = spec.results(lambda w, x, t: np.mean(0.5 * (t - x @ w) ** 2), cases)
    assert not spec.judge(broadcasting, cases, 0).ok


def test_second_case_prints_no_negative_zero(capsys):
    """(1, 0, 0) has its minimum at w = (0, 0); the message used to say (0, -0)."""
    check.second_case((1.0, 0.0, 0.0))
    out = capsys.readouterr().out
    assert "one minimum is w = (0, 0)." in out and "-0" not in out


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


# -- review fixes (learner items 10, 12, 14, 15) ------------------------------------------------------------

def test_mean_error_indexing_a_flat_target_gets_the_ravel_hint():
    with pytest.raises(CheckFailed, match=_hint("use np.ravel(t)".replace("use ", "")) + "|" + _hint("np.ravel(t)")):
        check.mean_error(lambda w, x, t: np.mean(0.5 * (t[:, 0] - x @ w) ** 2))


def test_output_with_a_transposed_x_gets_a_hint_not_numpys_error_alone():
    with pytest.raises(CheckFailed, match=_hint("without the transpose")):
        check.output(lambda w, x: x.T @ w)


def test_mean_error_dividing_by_n_minus_1_is_named():
    with pytest.raises(CheckFailed, match=_hint("divides by n - 1")):
        check.mean_error(lambda w, x, t: np.sum(0.5 * (np.ravel(t) - x @ w) ** 2) / (len(x) - 1))


def test_valley_none_says_none():
    with pytest.raises(CheckFailed, match="got None"):
        check.valley(None, [1.0, -1.0])


def test_second_case_none_says_none():
    with pytest.raises(CheckFailed, match="got None"):
        check.second_case(None)


def test_second_case_names_the_element_that_is_an_array():
    t2 = np.array([[0.0], [1.0]])
    with pytest.raises(CheckFailed, match=r"the third is an array of shape \(1,\)") as info:
        check.second_case((1.0, 0.0, t2[1]))
    assert "t2[1, 0]" in info.value.message


@pytest.mark.parametrize("wrong", [lambda w, x: w[0] * x[0] + w[1] * x[1], lambda w, x: x[0] * w[0] + x[1] * w[1]])
def test_output_that_takes_rows_for_inputs_is_told_rows_are_examples(wrong):
    """x[0] read as the input x1: an IndexError on a one-example batch, now with the hint that rows are examples."""
    with pytest.raises(CheckFailed, match=r"raised IndexError: .*\nHint: x\[0\] and x\[1\] are the first two rows"):
        check.output(wrong)
