"""Every released lesson, unsolved, run top to bottom in JupyterLab as a learner goes through it.

Each lesson runs once with Run All from a copy whose code cells are tagged
``raises-exception``, so the run goes on past errors like a learner
pressing Shift+Enter through it (``jupyterlab_driver.run_unsolved``).
Cells that use an answer not written yet must say which exercise to solve
(the course's short "not attempted yet" message, no traceback); the course's
messages must fit the notebook's width without wrapping, and the answer
cells' ``raise ...`` lines must fit in the editor.
"""

import pytest
from jupyterlab_driver import EXERCISE, LESSONS, TRACEBACK


def lesson_id(name):
    return name[:2]


def _errors_of_cells_using_answers(run):
    """(cell index, screenshot, error text) of every error outside answer cells and cells meant to raise."""
    for index, cell in run.cells.items():
        if cell["role"] == "answer" or cell["raises"]:
            continue  # an answer cell raises its own NotImplementedError; a raises-exception cell is meant to fail
        for error in cell["errors"]:
            yield index, cell.get("screenshot", run.folder), error


@pytest.mark.parametrize("name", LESSONS, ids=lesson_id)
def test_cells_that_need_an_answer_say_which_exercise_to_solve(name, lesson_runs):
    run = lesson_runs.get(name, unsolved=True)
    for index, shot, error in _errors_of_cells_using_answers(run):
        assert "not attempted yet" in error and EXERCISE.search(error), (
            f"cell {index} of lessons/{name} does not say which exercise to solve (see {shot}):\n{error[-800:]}")


@pytest.mark.parametrize("name", LESSONS, ids=lesson_id)
def test_cells_that_need_an_answer_show_no_traceback(name, lesson_runs):
    run = lesson_runs.get(name, unsolved=True)
    for index, shot, error in _errors_of_cells_using_answers(run):
        assert not TRACEBACK.search(error), f"cell {index} of lessons/{name} shows a traceback (see {shot}):\n{error[:800]}"


@pytest.mark.parametrize("name", LESSONS, ids=lesson_id)
def test_not_attempted_messages_do_not_wrap(name, lesson_runs):
    """The course's own messages (checks, cells that use an answer) fit the notebook's width."""
    run = lesson_runs.get(name, unsolved=True)
    for index, cell in run.cells.items():
        if cell["role"] == "answer":
            continue  # the answer cell's traceback is Python's, not the course's message
        assert not cell["wrapped"], (f"cell {index} of lessons/{name}: the message wraps at the notebook's width: "
                                     f"{cell['wrapped'][0][:300]!r}; see {cell.get('screenshot', run.folder)}")


@pytest.mark.parametrize("name", LESSONS, ids=lesson_id)
def test_answer_cells_fit_in_the_editor(name, lesson_runs):
    """No line of an answer cell, as released, is cut off at the editor's right edge."""
    run = lesson_runs.get(name, unsolved=True)
    cut = [index for index, cell in run.cells.items() if cell["role"] == "answer" and cell["cut"]]
    assert not cut, f"answer cells {cut} of lessons/{name} have lines cut off at the editor's edge ({run.folder})"
