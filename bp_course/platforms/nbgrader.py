"""The lessons for a course on nbgrader: ``python -m bp_course export-nbgrader --out DIR``.

nbgrader keeps its instructions in each cell's ``metadata["nbgrader"]``
(schema version 3 in nbgrader 0.9: the keys ``grade``, ``solution``,
``locked``, ``task``, ``grade_id``, ``points``, ``schema_version``) and
takes an assignment's instructor version from
``source/<assignment>/<notebook>.ipynb``; ``nbgrader generate_assignment``
replaces each region between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` with its stub to make the student version.

The export writes, for each lesson, ``OUT/source/NN_name/NN_name.ipynb``:
the released lesson (outputs cleared, the course's own metadata kept), in
which

* each **answer cell** holds the solution notebook's answer, markers
  included, as an autograded-answer cell (``solution``); a region at the
  top level of the cell is preceded by ``name = ...  # your answer`` for
  each name it assigns, as in the course's own lessons, so that a check
  run before the answer says "not attempted" rather than ``NameError``;
* each **check cell** is a read-only ``grade`` cell worth the exercise's
  points from the course's points table;
* every **other cell** is read-only (``locked``), so nbgrader restores it
  when it autogrades.

Every ``grade_id`` is the cell's id (unique in a lesson, and of the
characters nbgrader allows).
"""

from __future__ import annotations

import ast
import copy
import re
import textwrap
from pathlib import Path

from bp_course import notebooks
from bp_course.release import solution_blocks

__all__ = ["SCHEMA_VERSION", "ExportError", "answer_source", "nbgrader_notebook", "export"]

SCHEMA_VERSION = 3
"""nbgrader's cell-metadata schema version (nbgrader 0.9's ``nbgraderformat``)."""

_GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]+$")  # nbgrader's v3 schema: ^[a-zA-Z0-9_\-]*$, and not empty


class ExportError(ValueError):
    """A lesson cannot be exported; the message names it and the cell."""


def _metadata(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def _assigned(code: str) -> list:
    """Names a block of code assigns at its top level, in order (none when it does not parse)."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name) and sub.id not in names:
                    names.append(sub.id)
    return names


def answer_source(source: str) -> str:
    """An answer cell's solution source, each top-level solution region preceded by ``name = ...`` lines.

    nbgrader replaces a region with its stub (``raise NotImplementedError()``),
    which would leave the names the region assigns undefined; set to ``...``
    first, they make the check say "not attempted", as in the course's lessons.

    Examples
    --------
    >>> print(answer_source("y = 0.6\\n### BEGIN SOLUTION\\nE = y ** 2\\n### END SOLUTION\\nprint(E)"))
    y = 0.6
    E = ...  # your answer
    ### BEGIN SOLUTION
    E = y ** 2
    ### END SOLUTION
    print(E)
    """
    lines = source.splitlines()
    for start, end, indent in reversed(solution_blocks(source)):
        if not indent:
            lines[start:start] = [f"{name} = ...  # your answer" for name in _assigned("\n".join(lines[start + 1:end]))]
    return "\n".join(lines)


def nbgrader_notebook(lesson, solution, name: str = "lesson"):
    """The nbgrader instructor version of a released lesson (the inputs are not changed).

    Parameters
    ----------
    lesson : NotebookNode
        The released lesson (``lessons/NN_name.ipynb``).
    solution : NotebookNode
        Its solution notebook, whose answer cells (markers included) go in.
    name : str
        Names the lesson in error messages.

    Raises
    ------
    ExportError
        For a cell id nbgrader cannot take as a ``grade_id``, or an answer
        cell whose solution is missing.
    """
    answers = notebooks.answer_sources(solution)
    nb = copy.deepcopy(lesson)
    points = {notebooks.exercise(c): c.metadata[notebooks.META]["points"] for c in nb.cells
              if notebooks.role(c) == "answer"}
    for index, cell in enumerate(nb.cells):
        cell_id = cell.get("id", "")
        if not _GRADE_ID.match(cell_id):
            raise ExportError(f"{name}, cell {index}: its id {cell_id!r} cannot be an nbgrader grade_id "
                              "(letters, digits, '_' and '-' only)")
        role = notebooks.role(cell)
        if role == "answer":
            if cell_id not in answers:
                raise ExportError(f"{name}, cell {index}: the solution notebook has no answer cell {cell_id!r}")
            cell.source = answer_source(answers[cell_id])
            cell.metadata["nbgrader"] = _metadata(cell_id, solution=True)
        elif role == "check":
            cell.metadata["nbgrader"] = _metadata(cell_id, grade=True, locked=True,
                                                  points=points[notebooks.exercise(cell)])
        else:
            cell.metadata["nbgrader"] = _metadata(cell_id, locked=True)
    return nb


def export(out, *, course, lessons=None) -> list:
    """Write ``out/source/NN_name/NN_name.ipynb`` for each lesson (all by default); return the paths written.

    Parameters
    ----------
    out : path
        The nbgrader course folder (its ``source/`` is written).
    course : path
        The folder holding ``lessons/`` and ``solutions/``.
    lessons : list of str, optional
        Lesson numbers such as ``["00", "07"]``.

    Raises
    ------
    ExportError
        For a lesson the course does not have, or one that cannot be exported.
    """
    course = Path(course)
    available = {p.name[:2]: p for p in sorted((course / "lessons").glob("[0-9][0-9]_*.ipynb"))}
    wanted = sorted(available) if not lessons else list(dict.fromkeys(lessons))
    missing = [n for n in wanted if n not in available]
    if missing:
        raise ExportError(f"the course has no lesson {', '.join(missing)} (lessons: {', '.join(available)})")
    written = []
    for number in wanted:
        path = available[number]
        solution = course / "solutions" / path.name
        if not solution.is_file():
            raise ExportError(f"{solution} is missing: the export takes the answers from the solution notebook")
        nb = nbgrader_notebook(notebooks.read(path), notebooks.read(solution), path.name)
        target = Path(out) / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        notebooks.write(nb, target)
        written.append(target)
    return written
