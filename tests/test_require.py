"""checks.core.require: a narrative cell that uses a missing answer names the exercise to solve (issue 16).

The stubs here are what :mod:`bp_course.release` writes; functions are
compiled as a notebook's cells are, in one namespace (``__main__``-like).
"""

import pytest

from bp_course import release
from bp_course.checks import core
from bp_course.checks.core import NotAttempted, require

STUB = release.STUB.format(exercise="01.1")


def _cells(source: str) -> dict:
    """Run ``source`` as a notebook cell would, in a fresh namespace of its own."""
    namespace = {"__name__": "__main__"}
    exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - test code
    return namespace


STUBBED = _cells(f'''
def output(w, x):
    "Return y."
    # write your code here, in place of the next line
    raise NotImplementedError("{STUB}")


def mean_error(w, x, t):
    return ((t - output(w, x)) ** 2).mean() / 2


def solved(w, x):
    return x @ w


class Engine:
    def step(self):
        def _backward():
            raise NotImplementedError("{release.STUB.format(exercise="12.3")}")
        return _backward
''')


def _named(exercise, *answers):
    with pytest.raises(NotAttempted) as caught:
        require(exercise, *answers)
    return caught.value.exercise


def test_written_answers_pass():
    require("01.1", STUBBED["solved"], 0.5, [1.0, 2.0], {"a": 1.0}, (None, "text"))


@pytest.mark.parametrize("value", [..., [1.0, ...], (..., 2.0), {"float32": ..., "float64": 1e-5}, [[...]]])
def test_an_ellipsis_anywhere_in_a_value_answer_is_missing(value):
    assert _named("07.2", value) == "07.2"


def test_a_function_that_still_raises_its_stub_is_missing():
    assert _named("01.1", STUBBED["output"]) == "01.1"


def test_a_written_function_that_calls_a_stub_names_the_stubs_exercise():
    assert _named("01.2", STUBBED["mean_error"]) == "01.1"


def test_a_class_whose_method_holds_a_stub_in_a_nested_function_is_missing():
    assert _named("12.1", STUBBED["Engine"]) == "12.3"


def test_library_functions_are_not_searched():
    assert require("01.1", print, core.require, len) is None


def test_the_message_says_solve_it_first_and_is_wrapped_between_words():
    with pytest.raises(NotAttempted) as caught:
        require("05.4", ...)
    assert str(caught.value).startswith("Exercise 05.4: not attempted yet. This cell uses your answer to it: solve it")
    lines = caught.value._render_traceback_()
    assert lines[0].startswith("NotAttempted: Exercise 05.4: not attempted yet.")
    assert all(len(line) <= core.WIDTH for line in lines) and len(lines) == 2
    assert " ".join(lines) == f"NotAttempted: {caught.value}"   # only the line breaks differ: no word is cut


def test_the_check_cells_message_is_wrapped_too():
    lines = NotAttempted("00.1")._render_traceback_()
    assert all(len(line) <= core.WIDTH for line in lines) and lines[0].startswith("NotAttempted: Exercise 00.1: not")
    assert " ".join(lines) == f"NotAttempted: {NotAttempted('00.1')}"


def test_the_pattern_require_reads_is_the_message_the_release_writes():
    assert core._STUB.match(release.STUB.format(exercise="09.4")).group(1) == "09.4"
