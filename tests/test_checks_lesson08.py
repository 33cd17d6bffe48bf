"""bp_course.checks.lesson08: the two conditions, softmax, cross-entropy, and the softmax cross-entropy derivatives."""

import re
import warnings

import numpy as np
import pytest

from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson08 as check

RIGHT = {"mean squared error": "ok", "total squared error": "ok", "mean cross-entropy": "ok",
         "worst example": "not_average", "median absolute error": "not_average",
         "squared error + weight decay": "not_outputs"}


def _hint(text):
    return "Hint: .*" + re.escape(text)


def _softmax(net):
    e = np.exp(net - net.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_correct_answers_pass(capsys):
    check.conditions(dict(RIGHT))
    check.softmax(_softmax)
    check.cross_entropy(lambda y, t: -np.sum(t * np.log(y)) / len(y))
    check.softmax_slope("-y1*y2")
    check.output_delta("y1 - t1")
    check.output_delta("y1*(t1 + t2 + t3) - t1")  # unsimplified, still right
    assert capsys.readouterr().out.count("✔ Exercise") == 6


@pytest.mark.parametrize("name,wrong,hint", [
    ("total squared error", "not_average", "a constant multiple of an average counts as an average"),
    ("worst example", "ok", "a maximum is not an average"),
    ("squared error + weight decay", "not_average", "the decay term is the same for every example, so E is still"),
    ("squared error + weight decay", "ok", "depends on the weights directly, not through the outputs y"),
    ("median absolute error", "not_outputs", "a median is not an average"),
])
def test_conditions_explain_each_wrong_verdict(name, wrong, hint):
    with pytest.raises(CheckFailed, match=f"(?s)1 of 6 verdicts.*{re.escape(name)}.*not '{wrong}'.*" + re.escape(hint)):
        check.conditions({**RIGHT, name: wrong})


@pytest.mark.parametrize("answer,message", [
    ({**RIGHT, "hinge loss": "ok"}, "unknown loss 'hinge loss'; the losses are"),
    ({"mean squared error": "ok"}, "no answer yet for losses 'total squared error', 'mean cross-entropy'"),
    ({**RIGHT, "worst example": "fine"}, "is not one of 'ok', 'not_average', 'not_outputs'"),
    (["ok"] * 6, "should be a dict"),
])
def test_conditions_refuse_malformed_answers(answer, message):
    with pytest.raises(CheckFailed, match=message):
        check.conditions(answer)


def test_every_candidate_formula_is_defined_for_vector_outputs():
    """Issue 11, item 18: |t_p - y_p| has no meaning when y_p has K entries; norms and sums over k do."""
    for name, formula in check.CANDIDATES.items():
        assert not re.search(r"(?<!\|)\|t_p - y_p\|(?!\|)", formula), (name, formula)


def test_every_candidate_breaks_at_most_one_condition_so_no_tie_break_is_needed():
    """Issue 11, item 9: weight decay alone broke both conditions and the tie-break made its verdict ambiguous.

    Added to the mean squared error it stays an average (a term the same for every example), so it breaks
    only the second condition; the sum is n times an average, which the lesson counts as one.
    """
    assert "weight decay" not in check.CANDIDATES
    assert check.CANDIDATES["squared error + weight decay"].startswith("E = 1/n sum_p")
    assert "n times the mean" in check.CANDIDATES["total squared error"]


def test_the_derivations_reveal_the_general_forms_only_once_they_pass(capsys):
    check.softmax_slope("-y1*y2")
    check.output_delta("y1 - t1")
    out = capsys.readouterr().out
    assert "dy_k/dnet_j = y_k ([k = j] - y_j)" in out and "-y_k y_j off it" in out
    assert "Delta = Y - T" in out and "dE/dNET = (Y - T)/n" in out


def test_conditions_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check.conditions(...)
    with pytest.raises(NotAttempted):
        check.conditions({name: ... for name in RIGHT})


@pytest.mark.parametrize("exercise,wrong,hint", [
    ("softmax", lambda net: np.exp(net) / np.exp(net).sum(axis=0, keepdims=True), "normalizes each column"),
    ("softmax", lambda net: np.exp(net) / np.exp(net).sum(), "one sum over the whole batch"),
    ("softmax", lambda net: net / net.sum(axis=1, keepdims=True), "the exponentials are missing"),
    ("cross_entropy", lambda y, t: -np.sum(t * np.log(y)), "that is the sum over the examples"),
    ("cross_entropy", lambda y, t: np.sum(t * np.log(y)) / len(y), "the sign is missing"),
    ("cross_entropy", lambda y, t: -np.mean(t * np.log(y)), "divides by examples x classes"),
    ("cross_entropy", lambda y, t: -np.sum(t * np.log10(y)) / len(y), "that is the logarithm to base 10"),
    ("cross_entropy", lambda y, t: -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)) / len(y),
     "that the binary cross-entropy"),
])
def test_plausible_mistakes_get_their_hint(exercise, wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        getattr(check, exercise)(wrong)


def test_unstable_softmax_is_caught_without_warnings():
    def naive(net):
        e = np.exp(net)
        return e / e.sum(axis=1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the check itself must not spill RuntimeWarnings into the notebook
        with pytest.raises(CheckFailed, match=_hint("subtract each row's maximum")):
            check.softmax(naive)


@pytest.mark.parametrize("exercise,answer,hint", [
    ("softmax_slope", "y1*(1 - y1)", "the diagonal of the softmax's Jacobian"),
    ("softmax_slope", "0", "y1 does depend on net2"),
    ("softmax_slope", "y1*y2", "the sign is wrong"),
    ("output_delta", "-t1/y1", "that is dE/dy1 alone"),
    ("output_delta", "-t1*(1 - y1)", "that keeps only the path through y1"),
    ("output_delta", "(y1 - t1)*y1*(1 - y1)", "the slope y1 (1 - y1) cancels"),
    ("output_delta", "y1*(t1 + t2) - t1", "the targets sum to 1"),
    ("output_delta", "t1 - y1", "the sign is wrong"),
])
def test_derivation_mistakes_get_their_hint(exercise, answer, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        getattr(check, exercise)(answer)


def test_derivations_refuse_unknown_names_and_stubs():
    with pytest.raises(CheckFailed, match="unknown name.*y4"):
        check.output_delta("y4 - t1")
    with pytest.raises(NotAttempted):
        check.softmax_slope(...)


def test_softmax_with_the_maximum_of_the_whole_array_is_named():
    def sm(net):
        e = np.exp(net - net.max())
        return e / e.sum(axis=1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CheckFailed, match=_hint("subtract each row's own maximum (axis=1, keepdims=True)")):
            check.softmax(sm)


def test_softmax_without_keepdims_is_named():
    def sm(net):
        e = np.exp(net - net.max(axis=1, keepdims=True))
        return e / e.sum(axis=1)
    with pytest.raises(CheckFailed, match=_hint("Keep the summed axis, e.sum(axis=1, keepdims=True)")):
        check.softmax(sm)


# -- a difference quotient is not a derivation (issue 12) ----------------------------------------------------

import difference_quotients  # noqa: E402


@pytest.mark.parametrize("exercise,kind,text", difference_quotients.of_lesson("08"),
                         ids=[f"{c[0]}-{c[1]}" for c in difference_quotients.of_lesson("08")])
def test_a_difference_quotient_fails_the_check_with_a_kind_hint(exercise, kind, text):
    difference_quotients.assert_refused_with_a_kind_hint(check, exercise, text)



@pytest.mark.parametrize("wrong,hint", [
    (lambda net: (lambda e: e / e.sum(axis=0, keepdims=True))(np.exp(net - net.max(axis=1, keepdims=True))),
     "that normalizes each column (over the examples)"),
    (lambda net: 1 / (1 + np.exp(-net)), "that is the logistic of each net input on its own"),
])
def test_softmax_shifted_but_summed_over_the_examples_or_the_logistic_is_named(wrong, hint):
    with pytest.raises(CheckFailed, match="Hint: " + re.escape(hint)):
        check.softmax(wrong)
