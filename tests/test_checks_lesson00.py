"""bp_course.checks.lesson00: right answers pass, plausible wrong ones get their specific hint."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bp_course import notebooks
from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson00 as check


def _stub(y, t):
    raise NotImplementedError("Exercise 00.1 is not attempted yet")


def test_correct_answers_pass(capsys):
    check.squared_error(lambda y, t: 0.5 * (t - y) ** 2)
    check.error_at_y(0.18)
    check.error_at_y(np.float64(0.18))
    check.error_derivative(lambda y, t: y - t)
    out = capsys.readouterr().out
    assert out.count("✔ Exercise") == 4 and "00.1 passed" in out and "00.3 passed" in out


def test_equivalent_forms_pass(capsys):
    check.squared_error(lambda y, t: (y - t) ** 2 / 2)
    check.squared_error(lambda y, t: 0.5 * np.square(t - y))
    check.error_derivative(lambda y, t: -(t - y))
    assert capsys.readouterr().out.count("passed") == 3


@pytest.mark.parametrize("wrong,hint", [
    (lambda y, t: (t - y) ** 2, "did you forget the factor 1/2"),
    (lambda y, t: 0.5 * (t - y), "the difference is not squared"),
    (lambda y, t: 0.5 * abs(t - y), "1/2 |t - y|"),
    (lambda y, t: 0.5 * t - y ** 2, "mind the parentheses"),
    (lambda y, t: 0.5 * (t ** 2 - y ** 2), "not t^2 - y^2"),
])
def test_squared_error_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(CheckFailed, match="Hint: .*" + hint.replace("|", r"\|").replace("^", r"\^")):
        check.squared_error(wrong)


def test_squared_error_message_says_expected_and_got():
    with pytest.raises(CheckFailed, match=r"squared_error\(y=0.6, t=0\): expected 0.18, got 0.36"):
        check.squared_error(lambda y, t: (t - y) ** 2)


def test_squared_error_that_only_works_on_numbers():
    import math

    with pytest.raises(CheckFailed, match="raised TypeError"):
        check.squared_error(lambda y, t: 0.5 * math.pow(t - y, 2))


@pytest.mark.parametrize("wrong,hint", [
    (0.36, "without the factor 1/2"),
    (0.08, "target t = 1"),
    (-0.3, "not squared"),
    (0.3, "1/2 |t - y| is not squared"),
    (0.6, "0.6 is the output y itself"),
])
def test_error_at_y_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(CheckFailed, match="Hint: .*" + hint.replace("|", r"\|")):
        check.error_at_y(wrong)


def test_error_at_y_unrecognised_wrong_value_still_fails_plainly():
    with pytest.raises(CheckFailed, match=r"E = 1 is not right yet\.$"):
        check.error_at_y(1.0)


@pytest.mark.parametrize("zero", [0, 0.0, np.zeros(1)])
def test_error_at_y_of_zero_fails_plainly_instead_of_dividing_by_it(zero):
    """A zero answer was read as "0 times the expected value", and the check raised ZeroDivisionError."""
    with pytest.raises(CheckFailed, match=r"E = 0 is not right yet\.$"):
        check.error_at_y(zero)


@pytest.mark.parametrize("wrong,hint", [(-0.18, "sign is flipped"), (0.36, "without the factor 1/2"),
                                        (0.72, "4 times too large"), (0.1800, None), (0.1801, "rounded"),
                                        (0.2, None)])
def test_error_at_y_never_shows_the_expected_value(wrong, hint):
    """A wrong value is described, not corrected: the message holds no 0.18 to paste (review item 13)."""
    if hint is None and wrong == 0.18:
        check.error_at_y(wrong)
        return
    with pytest.raises(CheckFailed) as info:
        check.error_at_y(wrong)
    assert "expected" not in info.value.message and "0.18 " not in info.value.message.replace(f"{wrong:g} ", "")
    if hint:
        assert hint in info.value.message


def test_squared_error_caret_gets_the_power_hint():
    with pytest.raises(CheckFailed, match=r"Hint: use \*\* for powers"):
        check.squared_error(lambda y, t: 0.5 * (t - y) ^ 2)


@pytest.mark.parametrize("wrong,hint", [
    (lambda y, t: t - y, "the sign is flipped"),
    (lambda y, t: 2 * (y - t), "extra factor 2"),
    (lambda y, t: 0.5 * (y - t), "a factor 1/2 too small"),
    (lambda y, t: 0.5 * (t - y) ** 2, "the error E itself"),
    (lambda y, t: y, "the target is missing"),
])
def test_error_derivative_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(CheckFailed, match="Hint: .*" + hint):
        check.error_derivative(wrong)


def test_stubs_are_not_attempted():
    with pytest.raises(NotAttempted, match="Exercise 00.1: not attempted yet"):
        check.squared_error(_stub)
    with pytest.raises(NotAttempted, match="Exercise 00.2: not attempted yet"):
        check.error_at_y(...)
    with pytest.raises(NotAttempted, match="Exercise 00.3: not attempted yet"):
        check.error_derivative(...)


def test_common_slips_are_explained():
    with pytest.raises(CheckFailed, match="returned None: did you forget the `return`"):
        check.squared_error(lambda y, t: None)
    with pytest.raises(CheckFailed, match="expected a function, got float"):
        check.squared_error(0.18)
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError"):
        check.error_derivative(lambda y, t: 1 / 0)
    with pytest.raises(CheckFailed, match="should be a number or an array of numbers, got str"):
        check.error_at_y("0.18")
    with pytest.raises(CheckFailed, match=r"should have shape \(3,\), got shape \(2,\)"):
        check.error_derivative(lambda y, t: np.zeros(2) if np.ndim(y) else y - t)
    with pytest.raises(CheckFailed, match="not finite"):
        check.error_at_y(float("nan"))


def test_failures_render_as_one_short_message_without_paths():
    """IPython shows _render_traceback_: the message alone, no frames or file paths."""
    with pytest.raises(CheckFailed) as info:
        check.error_at_y(0.36)
    lines = info.value._render_traceback_()
    assert lines[0].startswith("CheckFailed: Exercise 00.2: E = 0.36 is not right yet.")
    assert "/" not in "".join(lines).replace("1/2", "")
    assert isinstance(info.value, AssertionError)


def test_the_counts_lesson00_quotes_are_what_pytest_nbval_lax_reports(tmp_path):
    """Issue 11, item 18: the lesson said `7 passed`; run both copies the way a learner does and compare."""
    root = Path(__file__).resolve().parent.parent
    name = "00_how_to_use_this_course.ipynb"
    lesson = notebooks.read(root / "lessons" / name)
    text = "\n".join(c.source for c in lesson.cells if c.get("id") == "grade-yourself")
    solved = notebooks.with_answers(lesson, notebooks.answer_sources(notebooks.read(root / "solutions" / name)))
    for nb, quoted in ((solved, "`8 passed`"), (lesson, "`4 failed, 4 passed`")):
        assert quoted in text
        path = tmp_path / name
        notebooks.write(nb, path)
        result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p",
                                 "no:cacheprovider", "-q", "--color=no", str(path)],
                                cwd=tmp_path, capture_output=True, text=True, timeout=300)
        summary = result.stdout.strip().splitlines()[-1]
        assert summary.startswith(quoted.strip("`") + " in "), summary


def test_error_at_y_given_the_function_itself_says_to_call_it_without_an_address():
    """E = squared_error (no call): the message names the function, not its memory address."""
    def squared_error(y, t):
        return 0.5 * (t - y) ** 2

    with pytest.raises(CheckFailed) as info:
        check.error_at_y(squared_error)
    assert "got the function squared_error itself. Call it" in info.value.message
    assert "0x" not in info.value.message and "0.18" not in info.value.message
