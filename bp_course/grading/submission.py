"""Reading a student's submission: which lesson, which answers, and what looked wrong.

Only the *source* of answer cells is ever taken from a student's file; its
outputs, tags, metadata and every other cell are ignored, and the file is
opened read-only. Answer cells are matched to the course's by cell id; when
an id is missing (cells moved between notebooks, an old nbformat without
ids, a cell deleted and retyped), the fallback looks for the cell that
defines the exercise's names (``def gradient(`` or ``best_h =``), and says
so in a warning.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from bp_course import notebooks
from bp_course.grading.safetext import printable

__all__ = ["MAX_BYTES", "Lesson", "defined_names", "Submission", "SubmissionError", "load_lesson", "read_bytes", "read_submission",
           "student_name"]

MAX_BYTES = 20_000_000
"""Largest submission file read (20 MB): a notebook far beyond that holds runaway outputs."""

_LESSON_FILE = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


class SubmissionError(ValueError):
    """A submission that cannot be graded; the message is one line for the report."""


@dataclass
class Lesson:
    """A released lesson and its reference answers, as the grader uses them.

    Attributes
    ----------
    number : str
        ``"07"``.
    name : str
        The file name, ``"07_gradient_checking.ipynb"``.
    notebook : NotebookNode
        The released lesson (from ``lessons/``).
    reference : dict
        ``{cell id: source}`` of the solution's answer cells (from ``solutions/``).
    exercises : dict
        ``{exercise id: points}`` in notebook order.
    answer_ids : dict
        ``{exercise id: cell id}`` of each answer cell.
    """

    number: str
    name: str
    notebook: nbformat.NotebookNode
    reference: dict
    exercises: dict
    answer_ids: dict


def load_lesson(course: Path, number: str) -> Lesson:
    """Load lesson ``number`` from a course folder holding ``lessons/`` and ``solutions/``.

    Raises
    ------
    SubmissionError
        When the course has no such lesson.
    """
    matches = sorted((Path(course) / "lessons").glob(f"{number}_*.ipynb"))
    if not matches:
        known = sorted(p.name[:2] for p in (Path(course) / "lessons").glob("*.ipynb"))
        raise SubmissionError(f"the course has no lesson {number!r} (lessons: {', '.join(known) or 'none'})")
    path = matches[0]
    nb = notebooks.read(path)
    reference = notebooks.answer_sources(notebooks.read(Path(course) / "solutions" / path.name))
    exercises, answer_ids = {}, {}
    for cell in nb.cells:
        if notebooks.role(cell) == "answer":
            exercise = notebooks.exercise(cell)
            exercises[exercise] = cell.metadata[notebooks.META]["points"]
            answer_ids[exercise] = cell["id"]
    return Lesson(number=number, name=path.name, notebook=nb, reference=reference, exercises=exercises,
                  answer_ids=answer_ids)


@dataclass
class Submission:
    """What the grader takes from one student's file.

    Attributes
    ----------
    path : Path
        The file (never written to).
    student : str
        The name the reports use.
    sha256 : str
        Of the file's bytes, as read.
    lesson : str or None
        The lesson number it belongs to, when it could be told.
    answers : dict
        ``{exercise id: source}`` for the answers found.
    warnings : list of str
        Cells matched by the fallback, duplicated or missing; conversions.
    """

    path: Path
    student: str
    sha256: str
    lesson: str | None = None
    answers: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    notebook: nbformat.NotebookNode | None = None


def student_name(path: Path, root=None) -> str:
    """The student a file belongs to: its folder for ``alice/07_x.ipynb``, its stem for ``alice.ipynb``.

    In nbgrader's layout, ``submitted/alice/07_x/07_x.ipynb``, the folder is
    the assignment's and the student is the one above it. With ``root``,
    the folder the instructor named (``submitted/``), a file in that layout
    below it (``alice/NN_name/...``, however deep) is the student's directly
    below ``root``: a student controls everything inside their own
    assignment folder, and ``alice/07_x/bob/07_x/07_x.ipynb`` or
    ``alice/07_x/bob.ipynb`` would otherwise be reported as bob's.

    Invisible characters (escape codes, newlines, bidi overrides) are
    written as escapes (:func:`~bp_course.grading.safetext.printable`), so a
    name prints as one line that is what it looks like. Two files can still
    give the same name: the batch makes names unique.
    """
    path = Path(path)
    if root is not None:
        try:
            parts = Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).parts
        except ValueError:  # not below root
            parts = ()
        if len(parts) >= 2 and _LESSON_FILE.match(parts[1] + ".ipynb"):  # also a link in place of the folder
            return printable(parts[0])
    if _LESSON_FILE.match(path.name) and path.parent.name:
        if _LESSON_FILE.match(path.parent.name + ".ipynb") and path.parent.parent.name:
            return printable(path.parent.parent.name)
        return printable(path.parent.name)
    return printable(path.stem)


def read_bytes(path) -> bytes:
    """The bytes of a submission file, read once, without following a symbolic link.

    Raises
    ------
    SubmissionError
        For a missing file, a symbolic link (to a file or a folder: a link
        could point at another student's work or the grader's files), anything
        but a regular file, and a file over :data:`MAX_BYTES`.
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise SubmissionError("no such file") from None
    if stat.S_ISLNK(info.st_mode):
        raise SubmissionError("refused: the submission is a symbolic link, which the grader never follows "
                              "(submit the notebook file itself)")
    if not stat.S_ISREG(info.st_mode):
        raise SubmissionError("refused: not a regular file" + (" (a folder)" if stat.S_ISDIR(info.st_mode) else ""))
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:  # replaced by a link since the lstat (ELOOP), or unreadable
        raise SubmissionError(f"refused: the file could not be opened safely ({error.strerror})") from None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError("refused: not a regular file")
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        size = max(info.st_size, len(data))
        shown = f"{size / 1e6:.1f} MB" if size >= MAX_BYTES + 50_000 else f"{size:,} bytes"  # never "20.0 MB, over 20"
        raise SubmissionError(f"the file is {shown}, over the {MAX_BYTES / 1e6:.0f} MB limit (clear the outputs and "
                              "submit again)")
    return data


def read_submission(path, student: str | None = None) -> Submission:
    """Read a submitted notebook read-only, converting old nbformat versions.

    The file is read once (:func:`read_bytes`); its SHA-256 and answers both
    come from those bytes, so what is graded is what was hashed.

    Raises
    ------
    SubmissionError
        For a missing file, a symbolic link, a file too large, one that is
        not JSON or not a notebook; the message says which.
    """
    path = Path(path)
    data = read_bytes(path)
    submission = Submission(path=path, student=student or student_name(path), sha256=hashlib.sha256(data).hexdigest())
    text_start = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a byte-order mark (Windows editors write one)
    if text_start:
        submission.warnings.append("the file starts with a UTF-8 byte-order mark; it was ignored")
    try:
        raw = json.loads(data[text_start:].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SubmissionError(f"not a notebook: the file is not valid JSON ({type(error).__name__})") from None
    except RecursionError:
        raise SubmissionError("not a notebook: its JSON is nested too deeply to read") from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise SubmissionError("not a notebook: JSON without notebook cells")
    major = raw.get("nbformat")
    try:  # not nbformat.reads: its validation renames a repeated cell id, and the first copy would be graded
        nb = nbformat.convert(nbformat.reader.reads(data[text_start:].decode("utf-8")), 4)
    except Exception as error:  # nbformat raises several types for broken notebooks
        raise SubmissionError(f"not a readable notebook ({type(error).__name__}: {str(error)[:120]})") from None
    cells = nb.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise SubmissionError("not a readable notebook: its cells are not a list of cells")
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and not isinstance(cell.get("source"), str):
            raise SubmissionError(f"not a readable notebook: the source of code cell {index} is not text")
    if major != 4:
        submission.warnings.append(f"converted from nbformat {major} to 4")
    submission.notebook = nb
    submission.lesson = _lesson_of(nb, path)
    return submission


def _lesson_of(nb, path: Path):
    meta = nb.metadata.get(notebooks.META, {}) if isinstance(nb.metadata, dict) else {}
    lesson = meta.get("lesson") if isinstance(meta, dict) else None
    if isinstance(lesson, str) and re.fullmatch(r"\d\d", lesson):
        return lesson
    match = re.match(r"^(\d\d)_", path.name)
    return match.group(1) if match else None


def defined_names(source: str) -> set:
    """Top-level names a cell defines (functions, classes, assignments); empty when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.add(sub.id)
    return names


def extract_answers(submission: Submission, lesson: Lesson) -> None:
    """Fill ``submission.answers`` from its notebook, matching the lesson's answer cells.

    By cell id first. A cell id that occurs more than once takes the last
    such cell (the one that would run last) with a warning. An exercise
    whose id is absent is looked for by the names its reference answer
    defines; a unique code cell defining all of them is taken, with a
    warning. Otherwise the exercise is missing.
    """
    cells = [c for c in submission.notebook.cells if c.get("cell_type") == "code"]
    by_id = {}
    for cell in cells:
        cell_id = cell.get("id")
        if cell_id in lesson.answer_ids.values():
            if cell_id in by_id:
                exercise = next(e for e, i in lesson.answer_ids.items() if i == cell_id)
                submission.warnings.append(f"exercise {exercise}: its answer cell appears more than once; "
                                           "the last copy was graded")
            by_id[cell_id] = cell
    used = {id(c) for c in by_id.values()}
    for exercise, cell_id in lesson.answer_ids.items():
        if cell_id in by_id:
            submission.answers[exercise] = by_id[cell_id].source
            continue
        wanted = defined_names(lesson.reference[cell_id])
        candidates = [c for c in cells if id(c) not in used and wanted and wanted <= defined_names(c.source)]
        if len(candidates) >= 1:
            chosen = candidates[-1]
            used.add(id(chosen))
            submission.answers[exercise] = chosen.source
            submission.warnings.append(f"exercise {exercise}: answer cell not found by its id; graded the cell "
                                       f"that defines {', '.join(sorted(wanted))}"
                                       + (" (the last of several)" if len(candidates) > 1 else ""))
        else:
            submission.warnings.append(f"exercise {exercise}: answer cell missing (deleted?)")
