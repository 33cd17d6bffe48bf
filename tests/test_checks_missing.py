"""bp_course.checks.missing: a cell that fails on a missing answer names the exercise (issue 16).

End to end, in a kernel, on partly solved lessons: tests/test_unsolved_lessons.py.
"""

import pytest

from bp_course.checks import lesson00, lesson02
from bp_course.checks.core import WIDTH
from bp_course.checks.missing import explain, install

STUB_02_3 = ('H = ...  # your answer\neta_max = ...  # your answer\n'
             'raise NotImplementedError("Exercise 02.3 is not attempted yet")')


def _text(lines):
    assert lines and all(len(line) <= WIDTH for line in lines), lines
    return " ".join(lines)


def test_arithmetic_on_a_placeholder_names_the_exercise_of_the_stub_that_set_it():
    text = _text(explain(TypeError("unsupported operand type(s) for *: 'float' and 'ellipsis'"),
                         'etas = {"creep": 0.02 * eta_max}', {"eta_max": ...}, ["import numpy", STUB_02_3]))
    assert text == ("TypeError: eta_max is still `...`: exercise 02.3 is not attempted yet. Solve it first, then run "
                    "this cell again.")


def test_several_placeholders_and_no_stub_in_the_history_still_say_what_to_do():
    text = _text(explain(AttributeError("'ellipsis' object has no attribute 'round'"), "print(dW0.round(6), dW1)",
                         {"dW0": ..., "dW1": ...}, []))
    assert text.startswith("AttributeError: dW0, dW1 are still `...`, an answer's placeholder: write that answer")


def test_a_name_a_check_takes_names_that_checks_exercise():
    namespace = {"check": lesson00}
    text = _text(explain(NameError("name 'E' is not defined", name="E"), "check.error_at_y(E)", namespace))
    assert text.startswith("NameError: name 'E' is not defined. Exercise 00.2's answer cell defines it: run that cell")


def test_a_name_a_require_takes_names_the_required_exercise():
    text = _text(explain(NameError("name 'etas' is not defined", name="etas"),
                         'check.require("02.4", etas)\n_ = plots.regime_paths(x, t, w0, etas, steps=20)',
                         {"check": lesson02}))
    assert "Exercise 02.4's answer cell defines it" in text


def test_a_name_in_an_answer_cell_is_found_by_the_check_run_before():
    """05.3's answer uses delta_output, which 05.2's failed answer cell never defined; its check ran since."""
    from bp_course.checks import lesson05
    text = _text(explain(NameError("name 'delta_output' is not defined", name="delta_output"),
                         "delta_hidden = W[1][:, 0] * delta_output", {"check": lesson05},
                         ["", "delta_output = (y - t[0]) * y", "check.delta_output(delta_output)"]))
    assert "Exercise 05.2's answer cell defines it" in text


@pytest.mark.parametrize("error,cell,namespace", [
    (NameError("name 'squared_eror' is not defined", name="squared_eror"), "E = squared_eror(y, 0)",
     {"check": lesson00}),                                                     # the learner's own typo
    (NameError("name 'E' is not defined", name="E"), "print(E)", {"check": lesson00}),
    (NameError("name 'E' is not defined", name="E"), "other.error_at_y(E)", {"other": object()}),
    (TypeError("unsupported operand"), "y = w @ x", {"w": 1.0, "x": "a"}),   # no placeholder in sight
    (ValueError("shapes (2,) and (3,) not aligned"), "x @ w", {"x": 1, "w": 1, "unused": ...}),
], ids=["typo", "no course call", "not a check module", "no placeholder", "placeholder not used"])
def test_other_errors_keep_their_traceback(error, cell, namespace):
    assert explain(error, cell, namespace, []) is None


def test_a_stub_raised_inside_a_function_names_its_exercise_and_the_cells_own_stub_keeps_its_traceback():
    error = NotImplementedError("Exercise 00.1 is not attempted yet")
    text = _text(explain(error, "E = squared_error(y, t[0, 0])", {}, [], raised_in_function=True))
    assert text == ("NotImplementedError: Exercise 00.1 is not attempted yet. This cell uses your answer to it: "
                    "solve it first, then run this cell again.")
    assert explain(error, 'raise NotImplementedError("Exercise 00.1 is not attempted yet")', {}, []) is None
    assert explain(NotImplementedError("later"), "f()", {}, [], raised_in_function=True) is None


def test_a_cell_that_does_not_parse_is_left_alone():
    assert explain(NameError("name 'E' is not defined", name="E"), "check.error_at_y(E", {"check": lesson00}) is None


def test_install_is_a_no_op_outside_a_kernel():
    assert install() is False


def test_install_in_an_ipython_shell_explains_a_missing_answer(capsys):
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        assert install(shell)
        shell.run_cell("from bp_course.checks import lesson00 as check")
        result = shell.run_cell("check.error_at_y(E)")
        assert isinstance(result.error_in_exec, NameError)
        shown = capsys.readouterr().out
        assert "Exercise 00.2's answer cell defines it" in shown and "Traceback" not in shown
        shell.run_cell("undefined_name + 1")
        assert "Traceback" in capsys.readouterr().out    # anything else: IPython's own traceback
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()
