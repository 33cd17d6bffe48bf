"""The lessons exported for nbgrader (issue 16): nbformat-valid, nbgrader's metadata, the course's points exactly."""

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bp_course import notebooks
from bp_course.__main__ import main
from bp_course.checks import lesson00
from bp_course.checks.core import NotAttempted
from bp_course.grading.submission import load_lesson
from bp_course.platforms import nbgrader
from bp_course.release import BEGIN, END

COURSE = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.name for p in (COURSE / "lessons").glob("[0-9][0-9]_*.ipynb"))

# nbgrader's cell metadata, schema version 3 (nbgrader 0.9, nbgrader/nbgraderformat/v3.json): these keys and no
# others, the first four required; grade_id of letters, digits, "_" and "-"; points a number >= 0.
SCHEMA_KEYS = {"schema_version": int, "grade": bool, "locked": bool, "solution": bool, "task": bool,
               "grade_id": str, "points": (int, float), "checksum": str, "cell_type": str}
REQUIRED = {"schema_version", "grade", "locked", "solution"}
GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]*$")


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """Every lesson exported once."""
    out = tmp_path_factory.mktemp("nbgrader")
    nbgrader.export(out, course=COURSE)
    return out


def read(out: Path, name: str):
    return nbformat.read(out / "source" / name[:-6] / name, as_version=4)


@pytest.mark.parametrize("name", LESSONS)
def test_exported_lesson_is_valid_and_carries_the_points_table(exported, name):
    nb = read(exported, name)
    nbformat.validate(nb)
    lesson = load_lesson(COURSE, name[:2])
    points, ids = {}, set()
    for cell in nb.cells:
        meta = cell.metadata["nbgrader"]
        assert REQUIRED <= set(meta) and set(meta) <= set(SCHEMA_KEYS), meta
        for key, value in meta.items():
            kind = SCHEMA_KEYS[key]
            assert isinstance(value, kind) and (kind is bool or not isinstance(value, bool)), (key, value)
        assert meta["schema_version"] == nbgrader.SCHEMA_VERSION == 3
        assert meta["grade_id"] and GRADE_ID.match(meta["grade_id"]) and meta["grade_id"] not in ids
        ids.add(meta["grade_id"])
        role = notebooks.role(cell)
        assert meta["grade"] == (role == "check") and meta["solution"] == (role == "answer")
        assert meta["locked"] == (role != "answer") and meta["task"] is False
        assert ("points" in meta) == meta["grade"]
        if meta["grade"]:
            exercise = notebooks.exercise(cell)
            points[exercise] = points.get(exercise, 0) + meta["points"]
        if meta["solution"]:
            assert cell.cell_type == "code" and BEGIN in cell.source and END in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert points == lesson.exercises


def test_a_region_replaced_by_nbgraders_stub_leaves_the_check_saying_not_attempted(exported):
    """nbgrader's default stub in place of 00.2's region: the check says "not attempted", not NameError."""
    answer = next(c for c in read(exported, LESSONS[0]).cells if c.get("id") == "ex00-2-answer")
    lines, stubbed, inside = answer.source.splitlines(), [], False
    for line in lines:  # what nbgrader's ClearSolutions does with its default Python stub
        if line.strip() == BEGIN:
            inside = True
            stubbed += ["# YOUR CODE HERE", "raise NotImplementedError()"]
        elif line.strip() == END:
            inside = False
        elif not inside:
            stubbed.append(line)
    namespace = {"squared_error": lambda y, t: 0.5 * (t - y) ** 2, "t": [[0.0]]}
    with pytest.raises(NotImplementedError):
        exec("\n".join(stubbed), namespace)
    with pytest.raises(NotAttempted, match="Exercise 00.2: not attempted yet"):
        lesson00.error_at_y(namespace["E"])


def test_answer_source_declares_only_top_level_names():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = x\n    return y\n    ### END SOLUTION"
    assert nbgrader.answer_source(source) == source
    assert nbgrader.answer_source("### BEGIN SOLUTION\na, (b, c) = 1, (2, 3)\n### END SOLUTION").splitlines()[:2] == \
        ["a = ...  # your answer", "b = ...  # your answer"]


def test_cli_exports_one_lesson_and_names_a_missing_one(tmp_path, capsys):
    assert main(["export-nbgrader", "--out", str(tmp_path), "--lesson", "00"]) == 0
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.ipynb")] == [
        f"source/{LESSONS[0][:-6]}/{LESSONS[0]}"]
    assert main(["export-nbgrader", "--out", str(tmp_path), "--lesson", "99"]) == 2
    assert "the course has no lesson 99" in capsys.readouterr().err


def test_a_cell_id_nbgrader_cannot_take_is_refused_by_name():
    lesson = notebooks.read(COURSE / "lessons" / LESSONS[0])
    lesson.cells[0]["id"] = "cell.1"
    with pytest.raises(nbgrader.ExportError, match=r"cell 0: its id 'cell.1' cannot be an nbgrader grade_id"):
        nbgrader.nbgrader_notebook(lesson, notebooks.read(COURSE / "solutions" / LESSONS[0]), LESSONS[0])


def _nbgrader_command():
    """How to run nbgrader here: this Python's module, or an ``nbgrader`` on PATH (a virtual environment of its own)."""
    if importlib.util.find_spec("nbgrader") is not None:
        return [sys.executable, "-m", "nbgrader"]
    found = shutil.which("nbgrader")
    return [found] if found else None


@pytest.mark.skipif(_nbgrader_command() is None, reason="nbgrader is not installed (neither importable nor on PATH)")
def test_nbgrader_validates_the_exported_solved_lesson(exported, tmp_path):
    """``nbgrader validate`` runs the solved lesson 00 in a kernel of this Python and finds every grade cell passing."""
    kernel = tmp_path / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python", "env": {"PYTHONPATH": str(COURSE)}}))
    env = {**os.environ, "JUPYTER_PATH": str(tmp_path / "jupyter")}
    path = exported / "source" / LESSONS[0][:-6] / LESSONS[0]
    done = subprocess.run([*_nbgrader_command(), "validate", str(path)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert "Success! Your notebook passes all the tests." in done.stdout, done.stdout + done.stderr


def test_in_nbgraders_layout_a_student_cannot_hand_in_for_another(tmp_path, capsys):
    """Everything inside ``submitted/alice/ASSIGNMENT/`` is alice's, whatever folder or file name she chose (red team).

    Before, ``alice/A/bob/A/A.ipynb`` was reported as bob's (bob's own row became "bob-2"), and ``alice/A/carol.ipynb``
    as carol's, who handed nothing in. The files are not JSON, so no kernel starts: the names are what is tested.
    """
    assignment, notebook = LESSONS[0][:-6], LESSONS[0]
    planted = [f"alice/{assignment}/bob/{assignment}/{notebook}", f"alice/{assignment}/carol.ipynb",
               f"alice/{assignment}/dan/{notebook}", f"alice/{assignment}/sub/folder/{notebook}"]
    for relative in [f"alice/{assignment}/{notebook}", f"bob/{assignment}/{notebook}", *planted]:
        path = tmp_path / "submitted" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "submitted" / "mallory").mkdir()  # a link in place of the assignment folder: refused, and mallory's
    (tmp_path / "submitted" / "mallory" / assignment).symlink_to(tmp_path / "submitted" / "bob" / assignment)
    assert main(["grade", str(tmp_path / "submitted"), "--lesson", "00", "--out", str(tmp_path / "grades")]) == 0
    capsys.readouterr()
    with open(tmp_path / "grades" / "gradebook.csv", encoding="utf-8", newline="") as file:
        rows = {row["file"].split("submitted/", 1)[1]: row["student"] for row in csv.DictReader(file)}
    assert rows[f"bob/{assignment}/{notebook}"] == "bob" and rows[f"mallory/{assignment}"] == "mallory"
    alices = [rows[relative] for relative in rows if relative.startswith("alice/")]
    assert len(alices) == 5 and all(name.startswith("alice-") for name in alices), rows


def test_one_students_folders_nested_deeper_than_python_recurses_stop_no_ones_grading(tmp_path, capsys):
    """Before, os.walk raised RecursionError on alice's 1500 nested folders: a traceback, and nobody graded.
    (The folders are removed here whatever happens: pytest's own clean-up of old temporary folders recurses too.)"""
    from bp_course.grading.runner import remove_tree

    assignment, notebook = LESSONS[0][:-6], LESSONS[0]
    bob = tmp_path / "submitted" / "bob" / assignment / notebook
    bob.parent.mkdir(parents=True)
    bob.write_text('{"cells": [', encoding="utf-8")  # not JSON: no kernel starts
    alice = tmp_path / "submitted" / "alice" / assignment
    alice.mkdir(parents=True)
    here = os.getcwd()
    try:
        os.chdir(alice)
        for _ in range(1500):
            os.mkdir("d")
            os.chdir("d")
        os.chdir(here)
        assert main(["grade", str(tmp_path / "submitted"), "--lesson", "00", "--out", str(tmp_path / "grades")]) == 0
        assert "bob" in capsys.readouterr().out
    finally:
        os.chdir(here)
        remove_tree(tmp_path / "submitted")
