"""A learner who runs a lesson before solving it meets the course's own messages, never a raw traceback (issue 16).

Every released lesson is run as shipped, unsolved, in one kernel per lesson,
going on after errors (nbclient's ``allow_errors``). Then

* every narrative cell runs, or stops with :class:`NotAttempted` naming an
  exercise of the lesson (``check.require``), in at most three short lines;
* every check cell stops with :class:`NotAttempted` naming its own exercise;
* every answer cell stops at its stub's ``NotImplementedError``;
* cells tagged ``raises-exception`` (Lesson 00's failing check, shown on
  purpose) are left out.

Also: the stub lines the release writes fit the editor (:data:`core.WIDTH`).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bp_course import notebooks, release
from bp_course.checks import core

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
_NAMED = re.compile(r"^Exercise (\d\d\.\d+): not attempted yet")


def _errors(cell):
    return [out for out in cell.outputs if out.output_type == "error"]


def _problems(nb) -> list:
    """What a learner would see that is not the course's message, cell by cell."""
    exercises = {e["id"] for e in nb.metadata["bp_course"]["exercises"]}
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        role, errors = notebooks.role(cell), _errors(cell)
        where = f"cell {index} ({cell.get('id')}, {role})"
        if role == "answer":
            if [e.ename for e in errors] not in ([], ["NotImplementedError"]):
                problems.append(f"{where}: {[(e.ename, e.evalue[:80]) for e in errors]}")
            continue
        if not errors:
            if role == "check":
                problems.append(f"{where}: an unsolved check passed")
            continue
        (error,) = errors
        named = _NAMED.match(error.evalue)
        if error.ename != "NotAttempted" or not named or named.group(1) not in exercises:
            problems.append(f"{where}: {error.ename}: {error.evalue[:120]}")
        elif role == "check" and named.group(1) != notebooks.exercise(cell):
            problems.append(f"{where}: names {named.group(1)}, not its own exercise")
        elif len(error.traceback) > 3 or any(len(line) > core.WIDTH for line in error.traceback):
            problems.append(f"{where}: the message is not a few short lines: {error.traceback}")
    return problems


def _run(nb, tmp_path):
    """The notebook run top to bottom, on past errors, by ``python -m bp_course execute --allow-errors``.

    In a child process, as an author runs it: its kernel's sockets are closed
    with it, not left to this process's garbage collector.
    """
    path = tmp_path / "lesson.ipynb"
    notebooks.write(nb, path)
    done = subprocess.run([sys.executable, "-m", "bp_course", "execute", "--allow-errors", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return notebooks.read(path)


@pytest.mark.parametrize("path", LESSONS, ids=[p.name[:2] for p in LESSONS])
def test_an_unsolved_lesson_shows_only_the_courses_messages(path, tmp_path):
    assert _problems(_run(notebooks.read(path), tmp_path)) == []


def test_the_guard_of_a_narrative_cell_is_what_the_lessons_use(tmp_path):
    """The test above would pass a lesson without guards only if its cells ran; lesson 01's figure shows they don't."""
    nb = notebooks.read(ROOT / "lessons" / "01_learning_as_optimization.ipynb")
    (parabola,) = [cell for cell in nb.cells if cell.get("id") == "parabola"]
    assert parabola.source.startswith('check.require("01.1", output)\n')
    parabola.source = parabola.source.split("\n", 1)[1]   # the cell as it was: a traceback from NumPy
    nb.cells = nb.cells[:nb.cells.index(parabola) + 1]
    assert any("NotImplementedError" in problem for problem in _problems(_run(nb, tmp_path)))


@pytest.mark.parametrize("path", LESSONS, ids=[p.name[:2] for p in LESSONS])
def test_stub_lines_fit_the_editor(path):
    solution = {cell.get("id"): cell.source for cell in notebooks.read(ROOT / "solutions" / path.name).cells}
    for cell in notebooks.read(path).cells:
        if notebooks.role(cell) != "answer":
            continue
        written = set(solution[cell.get("id")].splitlines())
        stub = [line for line in cell.source.splitlines() if line not in written]
        assert any(release.STUB.format(exercise=notebooks.exercise(cell)) in line for line in stub), cell.get("id")
        assert all(len(line) <= core.WIDTH for line in stub), [line for line in stub if len(line) > core.WIDTH]


# -- a partly solved lesson: one exercise left out, every other one solved ---------------------

_NAMES_AN_EXERCISE = re.compile(r"\b[Ee]xercise (\d\d\.\d+)\b")
PARTLY_SOLVED = [  # (lesson, the one exercise left unsolved): lessons whose later cells use an earlier answer
    ("00_how_to_use_this_course.ipynb", "00.1"),     # 00.2's answer calls squared_error
    ("01_learning_as_optimization.ipynb", "01.1"),   # mean_error (01.2) calls output, and 01.3 mean_error
    ("02_gradient_descent.ipynb", "02.3"),           # etas (02.4) is computed from eta_max
    ("05_recursive_delta_rule.ipynb", "05.1"),       # each hand-worked step uses the one before
    ("06_backprop_in_matrix_form.ipynb", "06.1"),    # backward (06.4) calls layer_forward
    ("09_training_for_real.ipynb", "09.5"),          # section 4 trains on the inputs 09.4 standardizes
]


def _partly_problems(nb, unsolved) -> list:
    """What a learner would see on a lesson solved but for ``unsolved`` that is not a short message naming an exercise.

    The answer cell of ``unsolved`` keeps its stub's traceback (it points at the line to replace).
    """
    exercises = {e["id"] for e in nb.metadata["bp_course"]["exercises"]}
    problems, named = [], set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        role, errors = notebooks.role(cell), _errors(cell)
        where = f"cell {index} ({cell.get('id')}, {role})"
        if role == "check" and notebooks.exercise(cell) == unsolved and not errors:
            problems.append(f"{where}: the unsolved exercise's check passed")
        if role == "answer" and notebooks.exercise(cell) == unsolved:
            continue
        for error in errors:
            text = "\n".join(error.traceback)
            found = set(_NAMES_AN_EXERCISE.findall(text)) & exercises
            named |= found
            if not found or len(error.traceback) > 3 or any(len(line) > core.WIDTH for line in error.traceback):
                problems.append(f"{where}: {error.ename}: {text[-300:]}")
    if not named & {unsolved}:
        problems.append(f"no cell names {unsolved}, the exercise left unsolved")
    return problems


@pytest.mark.parametrize("name,unsolved", PARTLY_SOLVED, ids=[u for _, u in PARTLY_SOLVED])
def test_a_partly_solved_lesson_shows_only_short_messages_naming_an_exercise(name, unsolved, tmp_path):
    """Solved but for one exercise, as a learner who skips one leaves it: every cell that fails says which exercise.

    Not a ``TypeError`` about ``'ellipsis'``, not a ``NameError`` of an answer's name, not a check that
    calls the learner's function and blames its own exercise for another one's stub.
    """
    solution = notebooks.read(ROOT / "solutions" / name)
    answers = {cell["id"]: cell.source for cell in solution.cells
               if notebooks.role(cell) == "answer" and notebooks.exercise(cell) != unsolved}
    nb = notebooks.with_answers(notebooks.read(ROOT / "lessons" / name), answers)
    assert _partly_problems(_run(nb, tmp_path), unsolved) == []
