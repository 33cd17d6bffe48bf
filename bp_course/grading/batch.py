"""Grading a class: many submissions, in parallel, each on its own.

One broken submission never stops the batch: whatever goes wrong with a
file (missing, not JSON, another lesson, a crash of the grader itself on
it) becomes a line in its report, and the others are graded as usual.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bp_course.grading import safetext, sandbox, suspicious
from bp_course.grading.runner import Outcome, grade_answers, work_parent
from bp_course.grading.submission import (Lesson, Submission, SubmissionError, defined_names, extract_answers,
                                          load_lesson, read_submission, student_name)
from bp_course.grading.safetext import printable

__all__ = ["Policy", "StudentResult", "choose_seed", "collect", "default_jobs", "load_policy", "grade_all",
           "walk"]


@dataclass
class Policy:
    """Which exercises count and what each is worth (the lesson's points unless overridden).

    Attributes
    ----------
    points : dict
        ``{exercise id: points}`` overrides.
    exercises : list of str or None
        The exercises that count; all of the lesson's when None.
    accept_flagged : bool
        Whether a flagged answer that passed earns its points; by default it
        is "held" (:func:`bp_course.grading.suspicious.held`) and earns none.
    """

    points: dict = field(default_factory=dict)
    exercises: list | None = None
    accept_flagged: bool = False
    """Count the points of flagged answers (``--accept-flagged``) instead of holding them for review."""

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
    """Everything the reports say about one submission.

    ``student`` is unique in its batch (see :func:`_unique_names`); ``path``
    is the file as the instructor passed it, ``file`` its path relative to
    the folder holding the whole batch (what a student's feedback shows).
    """

    student: str
    path: Path
    file: str = ""
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

    A path that does not exist is kept, so the report can say so. Inside a
    folder, symbolic links are never followed: a link named ``*.ipynb``, or a
    link to a folder, is kept as an entry of its own, which the grader
    refuses with a line in the report (it could point at another student's
    work or at the grader's files).
    """
    found = []
    for path in map(Path, paths):
        if not path.is_dir():  # a folder named on the command line is the instructor's: followed even if a link
            found.append(path)
            continue
        below = []
        for folder, subfolders, files in walk(path):
            for name in list(subfolders):
                if name == ".ipynb_checkpoints":
                    subfolders.remove(name)
                elif (folder / name).is_symlink():
                    subfolders.remove(name)
                    below.append(folder / name)
            below.extend(folder / name for name in files if name.endswith(".ipynb"))
        found.extend(sorted(below))
    return found


def walk(top):
    """``os.walk(top)`` without recursion: ``(folder, subfolder names, file names)`` for each folder, top down.

    A student's folder can nest deeper than Python recurses (``os.walk`` on
    Python 3.11 raises RecursionError past about a thousand levels, which
    stopped the grading of a whole class); here the folders wait on a list.
    As with ``os.walk``, a link to a folder is listed among the subfolders
    and never entered, a caller may remove subfolders from the list to skip
    them, and a folder that cannot be read (or whose path is too long) is
    skipped.
    """
    pending = [Path(top)]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError:
            continue
        subfolders, files = [], []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            (subfolders if is_folder else files).append(entry.name)
        yield folder, subfolders, files
        pending.extend(folder / name for name in reversed(subfolders) if not (folder / name).is_symlink())


def default_jobs() -> int:
    """Submissions graded at once unless the instructor says: one more than the CPU cores this process may use.

    Each submission's run now and then waits with no CPU in use (its kernel
    starting up, messages crossing between pytest and the kernel, the kernel
    shutting down); the one extra run fills those gaps. Measured on two cores
    (``benchmarks/README.md``), three jobs grade a class faster than two.
    """
    try:
        cores = len(os.sched_getaffinity(0))  # a container or taskset may allow fewer than the machine has
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores + 1


def choose_seed(seed=None) -> int:
    """The hidden checks' seed: ``seed`` when the instructor gives one, else a fresh random one (a regrade draws new inputs)."""
    return secrets.randbits(31) if seed is None else int(seed)


def _display_paths(paths) -> list:
    """Each path relative to the folder holding them all: what a student's feedback may show of where it lies."""
    absolute = [os.path.abspath(p) for p in paths]
    try:
        root = os.path.commonpath([os.path.dirname(a) for a in absolute]) if absolute else ""
        return [printable(os.path.relpath(a, root)) for a in absolute]
    except ValueError:  # Windows: paths on different drives
        return [printable(Path(p).name) for p in paths]


def _root_of(path, roots):
    """The deepest of ``roots`` that holds ``path`` (None if none does)."""
    here = os.path.abspath(path)
    holding = [os.path.abspath(r) for r in roots if here.startswith(os.path.join(os.path.abspath(r), ""))]
    return max(holding, key=len) if holding else None


def _unique_names(results) -> None:
    """Give every result a name no other shares, even as a report file name; warn where a suffix was needed.

    Names collide when their report files would (:func:`safetext.name_key`:
    ``a b`` and ``a_b``, ``Alice`` and ``alice``) or when two files map to the
    same student (``alice.ipynb`` and ``alice/00_x.ipynb``; ``aaron/zoe.ipynb``
    and ``zoe.ipynb``). Then *every* file of the group gets a suffix (the
    lesson number when that tells them apart, else 1, 2, ... in the order
    given), so none takes another's row, and a warning names the files.
    """
    groups = {}
    for result in results:
        groups.setdefault(safetext.name_key(result.student), []).append(result)
    taken = {key for key, members in groups.items() if len(members) == 1}
    for members in (m for m in groups.values() if len(m) > 1):
        lessons = [r.lesson for r in members]
        by_lesson = None not in lessons and len(set(lessons)) == len(lessons)
        files = ", ".join(r.file for r in members)
        for k, result in enumerate(members, 1):
            base = result.student
            name, extra = f"{base}-{lessons[k - 1] if by_lesson else k}", 1
            while safetext.name_key(name) in taken:
                extra += 1
                name = f"{base}-{lessons[k - 1] if by_lesson else k}-{extra}"
            taken.add(safetext.name_key(name))
            result.student = name
            result.warnings.append(f"{len(members)} submissions map to the student name {base!r} ({files}); this "
                                   f"one ({result.file}) is reported as {name!r}")


def _read_one(path: Path, student: str, file: str, course: Path, lesson_number, policy: Policy,
              lessons: dict) -> tuple:
    """Read, hash and check one submission (no kernel runs): its result so far, and its answers (None if refused)."""
    result = StudentResult(student=student, path=path, file=file)
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
        return result, submission.answers
    except SubmissionError as error:
        result.problem = str(error)
    except Exception as error:  # never let one file stop the class: report it and go on
        result.problem = f"could not be graded ({type(error).__name__}: {str(error)[:200]})"
    return result, None


def _grade_one(result: StudentResult, answers: dict, lesson: Lesson, seed: int, cell_timeout: int,
               timeout: int, state: sandbox.Status, accept_flagged: bool = False) -> StudentResult:
    """Run one submission's answers (read before any kernel started) and keep the outcomes that count."""
    try:
        outcomes = grade_answers(lesson, answers, seed=seed, cell_timeout=cell_timeout, timeout=timeout,
                                 state=state)
        result.outcomes = [o for o in outcomes if o.exercise in result.worth]
        if not accept_flagged:
            hold(result, answers, lesson)
    except Exception as error:  # never let one file stop the class: report it and go on
        result.problem = f"could not be graded ({type(error).__name__}: {str(error)[:200]})"
    return result


def hold(result: StudentResult, answers: dict, lesson: Lesson) -> None:
    """Turn each passed outcome of a held answer (:func:`suspicious.held`) into "held": no points until accepted."""
    ordered = {e: answers[e] for e in lesson.exercises if e in answers}
    restored = {e: defined_names(lesson.reference[lesson.answer_ids[e]]) for e in lesson.exercises}
    course_code = [c.source for c in lesson.notebook.cells if c.cell_type == "code"]
    reasons = suspicious.held(ordered, result.flags, restored, suspicious.module_aliases(course_code))
    for outcome in result.outcomes:
        if outcome.exercise in reasons and outcome.status == "passed":
            outcome.status = "held"
            outcome.message = (f"passed, but held for the instructor's review: the answer {reasons[outcome.exercise]}"
                               "; it earns its points once the instructor accepts it")


def _redact(results, answers: dict, lessons: dict, seed: int) -> None:
    """Take out of each student's messages what only the grader, the reference answers or another student had
    (:class:`safetext.Redactor`)."""
    public = [c.source for lesson in lessons.values() for c in lesson.notebook.cells]
    redactor = safetext.Redactor(
        argv=[sys.argv, getattr(sys, "orig_argv", sys.argv)], seed=seed, public=public,
        reference=[source for lesson in lessons.values() for source in lesson.reference.values()],
        paths={r.student: [str(r.path), os.path.abspath(r.path), r.file] for r in results},
        answers={r.student: list((answers.get(id(r)) or {}).values()) for r in results})
    for result in results:
        secrets_ = redactor.secrets_for(result.student)
        for outcome in result.outcomes:
            outcome.message = redactor(outcome.message, result.student, secrets_)
        if result.problem:
            result.problem = redactor(result.problem, result.student, secrets_)


def grade_all(paths, *, course, lesson=None, policy=None, seed=None, jobs=None, cell_timeout=60,
              timeout=600, require_sandbox=False, roots=()) -> tuple:
    """Grade submissions in parallel.

    Every submission is read, hashed and checked before the first kernel
    starts, so code running in one student's kernel cannot change what is
    graded for another. Students get unique names, and each student's
    messages are redacted of what only the grader or a classmate had.

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
        Seed of the hidden checks' inputs; drawn fresh at random when None,
        so a regrade draws new inputs unless the same seed is asked for.
    jobs : int, optional
        Submissions graded at once (each runs its own kernel); one more than
        the CPU cores by default (:func:`default_jobs`).
    cell_timeout, timeout : int
        Seconds per cell, and per submission (all its reruns together).
    require_sandbox : bool
        Refuse to grade (:class:`sandbox.SandboxUnavailable`) when the kernels
        cannot run sandboxed; otherwise they run without, and every report
        says UNSANDBOXED.
    roots : list of path
        The folders the instructor named (``grade submitted/``): a file in
        nbgrader's layout below one is named after the folder directly below
        it (:func:`~bp_course.grading.submission.student_name`).

    Returns
    -------
    (list of StudentResult, int)
        The results in the order of ``paths``, and the seed used.
    """
    state = sandbox.required_status(require_sandbox)
    work_parent(state.sandboxed)  # a TMPDIR too long for the kernels' sockets: one clear error now
    seed = choose_seed(seed)
    policy = policy or Policy()
    jobs = max(1, jobs or default_jobs())
    lessons = {}
    if lesson:  # load once up front, so a bad --lesson is one clear error, not one per student
        lessons[lesson] = load_lesson(Path(course), lesson)
    # Every submission is read and hashed before any kernel starts: nothing a kernel does can change what is graded.
    read = [_read_one(Path(p), student_name(Path(p), _root_of(p, roots)), file, Path(course), lesson, policy,
                      lessons) for p, file in zip(paths, _display_paths(paths))]
    results = [result for result, _ in read]
    _unique_names(results)
    answers = {id(result): found for result, found in read if found is not None}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_grade_one, result, found, lessons[result.lesson], seed, cell_timeout, timeout, state,
                               policy.accept_flagged)
                   for result, found in read if found is not None]
        for future in futures:
            future.result()
    for result in results:
        result.sandboxed = state.sandboxed
    _redact(results, answers, lessons, seed)
    return results, seed
