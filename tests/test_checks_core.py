"""bp_course.checks.core: calling a learner's function and naming mistakes."""

import numpy as np
import pytest

from bp_course.checks.core import CheckFailed, Mistake, call, expect_function


def test_a_mistake_that_cannot_run_on_a_case_is_skipped_not_raised():
    cases = [{"out": np.ones((2, 3)), "W": np.ones((3, 2)), "b": np.ones(2)}]
    mistakes = [Mistake(lambda out, W, b: out @ W.T + b, "transposed"),  # raises on a non-square W
                Mistake(lambda out, W, b: out @ W - b, "minus")]
    with pytest.raises(CheckFailed, match="Hint: minus"):
        expect_function("99.1", lambda out, W, b: out @ W - b, cases, lambda out, W, b: out @ W + b, name="f",
                        mistakes=mistakes)


def test_a_wrong_answer_no_mistake_explains_gets_the_plain_message():
    cases = [{"out": np.ones((2, 3)), "W": np.ones((3, 2)), "b": np.ones(2)}]
    with pytest.raises(CheckFailed) as failure:
        expect_function("99.1", lambda out, W, b: out @ W - b, cases, lambda out, W, b: out @ W + b, name="f",
                        mistakes=[Mistake(lambda out, W, b: out @ W.T + b, "transposed")])
    assert "expected" in failure.value.message and "Hint" not in failure.value.message


def test_a_string_instead_of_a_function_is_named_as_a_string():
    with pytest.raises(CheckFailed, match="that is a string; write a function with `def ...` and pass its name"):
        call("99.1", "y - t", 0.5, 0.0)


def test_a_called_function_is_still_told_to_drop_the_parentheses():
    with pytest.raises(CheckFailed, match="no parentheses"):
        call("99.1", 0.5, 0.5, 0.0)


def test_an_answer_that_calls_another_exercises_stub_names_that_exercise():
    """01.2 solved, 01.1 not: the check of 01.2 says to solve 01.1 first, not that 01.2 is not attempted."""
    from bp_course.checks import lesson01
    from bp_course.checks.core import NotAttempted

    def output(w, x):
        raise NotImplementedError("Exercise 01.1 is not attempted yet")

    def mean_error(w, x, t):
        return np.mean(0.5 * (np.ravel(t) - output(w, x)) ** 2)

    with pytest.raises(NotAttempted) as failure:
        lesson01.mean_error(mean_error)
    assert str(failure.value).startswith("Exercise 01.1: not attempted yet. Your answer to 01.2 uses it: solve it")


def test_an_answers_own_stub_still_names_its_own_exercise():
    from bp_course.checks.core import NotAttempted

    def stub(y, t):
        raise NotImplementedError("Exercise 99.1 is not attempted yet")

    with pytest.raises(NotAttempted, match=r"^Exercise 99\.1: not attempted yet\. Write your answer"):
        call("99.1", stub, 0.5, 0.0)
