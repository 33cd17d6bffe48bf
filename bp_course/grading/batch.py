"""Grading a class: many submissions, in parallel, each on its own.

One broken submission never stops the batch: whatever goes wrong with a
file (missing, not JSON, another lesson, a crash of the grader itself on
it) becomes a line in its report, and the others are graded as usual.
"""

from __future__ import annotations

import json
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bp_course.grading import sandbox, suspicious
from bp_course.grading.runner import Outcome, grade_answers
from bp_course.grading.submission import (Lesson, Submission, SubmissionError, extract_answers, load_lesson,
                                          read_submission, student_name)

__all__ = ["Policy", "StudentResult", "collect", "load_policy", "grade_all"]


@dataclass
class Policy:
    """Which exercises count and what each is worth (the lesson's points unless overridden).

    Attributes
    ----------
    points : dict
        ``{exercise id: points}`` overrides.
    exercises : list of str or None
        The exercises that count; all of the lesson's when None.
    """

    points: dict = field(default_factory=dict)
    exercises: list | None = None

    def worth(self, lesson: Lesson) -> dict:
        """``{exercise id: points}`` of the exercises that count, in the lesson's order."""
        chosen = lesson.exercises if self.exercises is None else [e for e in lesson.exercises if e in self.exercises]
        return {e: self.points.get(e, lesson.exercises[e]) for e in chosen}


def load_policy(path) -> Policy:
    """Read a points file: JSON ``{"points": {"07.1": 2}, "exercises": ["07.1", "07.3"]}`` (both keys optional).

    Raises
    ------
    ValueError
        Naming what is wrong with the file.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"points file {path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"points file {path}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or set(data) - {"points", "exercises"}:
        raise ValueError(f"points file {path}: expected an object with the keys 'points' and/or 'exercises'")
    points = data.get("points", {})
    if not isinstance(points, dict) or any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0
                                           for v in points.values()):
        raise ValueError(f"points file {path}: 'points' maps exercise ids to non-negative numbers, "
                         "such as {\"07.1\": 2}")
    exercises = data.get("exercises")
    if exercises is not None and (not isinstance(exercises, list) or not all(isinstance(e, str) for e in exercises)):
        raise ValueError(f"points file {path}: 'exercises' is a list of exercise ids, such as [\"07.1\", \"07.3\"]")
    return Policy(points={str(k): v for k, v in points.items()}, exercises=exercises)


@dataclass
class StudentResult:
    """Everything the reports say about one submission."""

    student: str
    path: Path
    sha256: str = ""
    lesson: str | None = None
    outcomes: list = field(default_factory=list)
    worth: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    flags: dict = field(default_factory=dict)
    problem: str | None = None
    sandboxed: bool = True

    def earned(self, outcome: Outcome) -> float:
        """The points an exercise's outcome earns: all of them when it passed, none otherwise."""
        return self.worth[outcome.exercise] if outcome.status == "passed" else 0

    @property
    def score(self) -> float:
        return sum(self.earned(o) for o in self.outcomes)

    @property
    def max_score(self) -> float:
        return sum(self.worth.values())


def collect(paths) -> list:
    """Submission files from the command line: notebooks, and the notebooks inside folders (recursively).

    A path that does not exist is kept, so the report can say so.
    """
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts))
        else:
            found.append(path)
    return found


def _unique_names(paths) -> list:
    names, seen = [], {}
    for path in paths:
        name = student_name(path)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return names


def _grade_one(path: Path, student: str, course: Path, lesson_number, policy: Policy, seed: int,
               cell_timeout: int, timeout: int, lessons: dict, state: sandbox.Status) -> StudentResult:
    result = StudentResult(student=student, path=path, sandboxed=state.sandboxed)
    try:
        submission: Submission = read_submission(path, student)
        result.sha256, result.warnings = submission.sha256, submission.warnings
        number = submission.lesson
        if lesson_number and number and number != lesson_number:
            raise SubmissionError(f"this is lesson {number}'s notebook, not lesson {lesson_number}'s")
        if number is None:
            if not lesson_number:
                raise SubmissionError("cannot tell which lesson this notebook is from (no bp_course metadata and "
                                      "no lesson number in its name); pass --lesson NN")
            result.warnings.append(f"no lesson metadata; graded as lesson {lesson_number}, as asked")
            number = lesson_number
        result.lesson = number
        if number not in lessons:
            lessons[number] = load_lesson(course, number)
        lesson = lessons[number]
        result.worth = policy.worth(lesson)
        extract_answers(submission, lesson)
        course_code = [c.source for c in lesson.notebook.cells if c.cell_type == "code"]
        modules, aliases = suspicious.module_aliases(course_code), suspicious.course_aliases(course_code)
        for exercise, source in submission.answers.items():
            reasons = suspicious.scan(source, modules, exercise, aliases)
            if reasons:
                result.flags[exercise] = reasons
        outcomes = grade_answers(lesson, submission.answers, seed=seed, cell_timeout=cell_timeout, timeout=timeout,
                                 state=state)
        result.outcomes = [o for o in outcomes if o.exercise in result.worth]
    except SubmissionError as error:
        result.problem = str(error)
    except Exception as error:  # never let one file stop the class: report it and go on
        result.problem = f"could not be graded ({type(error).__name__}: {str(error)[:200]})"
    return result


def grade_all(paths, *, course, lesson=None, policy=None, seed=None, jobs=None, cell_timeout=60,
              timeout=600, require_sandbox=False) -> tuple:
    """Grade submissions in parallel.

    Parameters
    ----------
    paths : list of path
        Notebook files (see :func:`collect`).
    course : path
        The folder holding ``lessons/`` and ``solutions/``.
    lesson : str, optional
        The lesson every submission must be from (``"07"``); by default each
        submission's own metadata or file name says.
    policy : Policy, optional
    seed : int, optional
        Seed of the hidden checks' inputs; drawn at random when None.
    jobs : int, optional
        Submissions graded at once (each runs its own kernel); the number of
        CPU cores by default.
    cell_timeout, timeout : int
        Seconds per cell, and per run of a whole lesson.
    require_sandbox : bool
        Refuse to grade (:class:`sandbox.SandboxUnavailable`) when the kernels
        cannot run sandboxed; otherwise they run without, and every report
        says UNSANDBOXED.

    Returns
    -------
    (list of StudentResult, int)
        The results in the order of ``paths``, and the seed used.
    """
    state = sandbox.status()
    if require_sandbox and not state.sandboxed:
        raise sandbox.SandboxUnavailable(f"refusing to grade without a sandbox ({state.reason}); install "
                                         "bubblewrap (the Debian/Ubuntu package `bubblewrap`) or drop "
                                         "--require-sandbox")
    seed = secrets.randbits(31) if seed is None else int(seed)
    policy = policy or Policy()
    jobs = max(1, jobs or os.cpu_count() or 1)
    lessons = {}
    if lesson:  # load once up front, so a bad --lesson is one clear error, not one per student
        lessons[lesson] = load_lesson(Path(course), lesson)
    names = _unique_names(paths)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_grade_one, Path(p), name, Path(course), lesson, policy, seed, cell_timeout, timeout,
                               lessons, state) for p, name in zip(paths, names)]
        return [f.result() for f in futures], seed
