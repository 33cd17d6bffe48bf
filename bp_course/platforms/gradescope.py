"""A Gradescope autograder for one lesson: ``python -m bp_course autograder --lesson NN --out DIR``.

Gradescope (its "Autograder Specifications") takes a zip with ``setup.sh``
and ``run_autograder`` at its root. It unpacks the zip into
``/autograder/source``, runs ``setup.sh`` once as root when it builds the
autograder's image, and for every submission puts the student's files in
``/autograder/submission``, runs ``/autograder/run_autograder`` from
``/autograder``, and reads ``/autograder/results/results.json``. What
``run_autograder`` prints goes to ``/autograder/results/stdout``, shown to
instructors only.

The zip this module builds holds

* ``setup.sh``: installs bubblewrap (the sandbox of the students' kernels,
  :mod:`bp_course.grading.sandbox`), the Python minor version and the exact
  package versions of the environment that built the zip
  (``requirements.txt``), then loads the lesson as a self-check;
* ``run_autograder``: grades the one notebook of ``submission/`` with
  :func:`bp_course.grading.grade_all` (the sandbox required unless the zip
  was built with ``allow_unsandboxed``) and writes ``results.json``;
* ``course/``: the ``bp_course`` package, the released lesson and its
  solution notebook without outputs (the reference answers the grader
  needs; the sandbox keeps them out of the students' reach);
* ``autograder.json`` (lesson, Python version, timeouts, sandbox policy)
  and, when given, ``points.json`` (the grader's points file).

The package is not pip-installed: ``run_autograder`` puts ``course/`` on
``PYTHONPATH``. (A copy of ``bp_course`` inside site-packages would make the
sandbox leave that site-packages folder out of the kernel's view, and with
it NumPy.)

Both scripts take the root as ``AUTOGRADER_ROOT`` (default
``/autograder``), so a test lays the folders out anywhere;
``BP_AUTOGRADER_PYTHON`` names the Python to use instead of the one
``setup.sh`` installs, and ``BP_AUTOGRADER_OFFLINE=1`` makes ``setup.sh``
skip every download (apt-get, the virtual environment, pip).
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from bp_course.grading.safetext import printable

__all__ = ["GRADING_PACKAGES", "Choice", "AutograderError", "pinned_requirements", "build", "choose_submission",
           "results_json", "not_graded", "run", "check", "main"]

GRADING_PACKAGES = ("numpy", "matplotlib", "sympy", "ipywidgets", "nbformat", "nbclient", "ipykernel", "nbval",
                    "pytest")
"""What grading imports (the package's dependencies, and nbval and pytest, which run the notebook)."""

RESULTS_TOP = ("score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
               "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard")
"""The top-level keys of Gradescope's results.json, as its specification lists them."""

RESULTS_TEST = ("score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
                "visibility", "extra_data")
"""The keys of one entry of ``tests``, as Gradescope's specification lists them."""

DEFAULT_TIMEOUT = 480
"""Seconds the grader may spend on one submission (all its reruns); keep it below the assignment's
autograder timeout on Gradescope, so that a results.json is always written."""

_LESSON_PREFIX = re.compile(r"^(\d\d)_")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same course gives the same zip, byte for byte
_LISTED = 10

SANDBOX_REFUSED = ("This submission was not graded: the autograder could not start the sandbox that keeps each "
                   "submission's code away from the reference answers. Your instructor can see why in the "
                   "autograder log.")
INTERNAL_ERROR = ("This submission was not graded: the autograder itself failed. Your instructor can see why in "
                  "the autograder log.")


class AutograderError(ValueError):
    """The autograder cannot be built as asked; the message says why."""


# -- building the zip --------------------------------------------------------------------------------

def pinned_requirements(packages=GRADING_PACKAGES) -> list:
    """``name==version`` for ``packages`` and everything they need, as installed here (``pip freeze`` style).

    Dependencies are followed through each distribution's metadata; a
    requirement behind an environment marker counts only where the marker
    holds here, for the extras that were asked for (none at the top).

    Raises
    ------
    AutograderError
        When one of ``packages`` is not installed.
    """
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    top = {canonicalize_name(p) for p in packages}
    pins, seen, queue = {}, set(), [(p, ()) for p in packages]
    while queue:
        name, extras = queue.pop()
        name = canonicalize_name(name)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            if name in top:
                raise AutograderError(f"{name} is not installed here; install the course's requirements first "
                                      "(pip install -r requirements.txt)") from None
            continue  # an optional dependency that its marker allows but nobody installed
        pins[name] = f"{dist.metadata['Name']}=={dist.version}"
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or any(requirement.marker.evaluate({"extra": extra})
                                                 for extra in ("", *extras)):
                queue.append((requirement.name, tuple(sorted(requirement.extras))))
    return [pins[name] for name in sorted(pins)]


_SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: bubblewrap (the sandbox the
# students' kernels run in), Python {python}, the exact package versions this autograder was built with
# (requirements.txt), then a self-check that the course loads.
# A local trial: AUTOGRADER_ROOT=<a folder laid out as /autograder>; BP_AUTOGRADER_OFFLINE=1 skips every
# download (apt-get, the virtual environment, pip) and BP_AUTOGRADER_PYTHON names the Python to check with.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
PYTHON_VERSION="{python}"
if [ -z "${{BP_AUTOGRADER_OFFLINE:-}}" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends bubblewrap
  if ! "python$PYTHON_VERSION" -c "import ensurepip, venv" >/dev/null 2>&1; then
    apt-get install -y -q --no-install-recommends "python$PYTHON_VERSION" "python$PYTHON_VERSION-venv" || {{
      echo "setup.sh: this image has no Python $PYTHON_VERSION; choose a base image that has it, or build the" \\
           "autograder with that image's Python" >&2
      exit 1
    }}
  fi
  "python$PYTHON_VERSION" -m venv "$ROOT/venv"
  "$ROOT/venv/bin/python" -m pip install -q --no-cache-dir -r "$SOURCE/requirements.txt"
fi
PYTHON="${{BP_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
cd "$SOURCE/course"
PYTHONPATH="$SOURCE/course" "$PYTHON" -m bp_course.platforms.gradescope check "$ROOT"
"""

_RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission (copied to /autograder/run_autograder): it grades the notebook in
# submission/ with bp-course's sandboxed grader and writes results/results.json. What it prints is the
# autograder log, shown to instructors only.
# A local trial: AUTOGRADER_ROOT=<a folder laid out as /autograder>, BP_AUTOGRADER_PYTHON=<a Python with the
# requirements installed>.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON="${BP_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
cd "$SOURCE/course" && PYTHONPATH="$SOURCE/course" "$PYTHON" -m bp_course.platforms.gradescope run "$ROOT"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then  # the grader did not even start: never leave the student without a result
  printf '%s\\n' '{"score": 0, "output": "This submission was not graded: the autograder could not start. Your instructor can see why in the autograder log.", "output_format": "text", "stdout_visibility": "hidden"}' > "$ROOT/results/results.json"
fi
exit "$status"
"""


def _package_files():
    """``(path in the zip, file)`` for every file of the ``bp_course`` package (no caches, no build artefacts)."""
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        parts = path.relative_to(package).parts
        if path.is_file() and not any(p == "__pycache__" or p.endswith(".egg-info") for p in parts) \
                and path.suffix not in (".pyc", ".pyo"):
            yield "course/bp_course/" + "/".join(parts), path


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
    archive.writestr(info, data)


def _lesson_is_current(course: Path, lesson_name: str) -> None:
    from bp_course import notebooks, release

    solution = course / "solutions" / lesson_name
    if not solution.is_file():
        raise AutograderError(f"{solution} is missing: the grader needs the solution notebook's reference answers")
    released = notebooks.render(release.release_notebook(notebooks.read(solution), solution))
    if released != (course / "lessons" / lesson_name).read_text(encoding="utf-8"):
        raise AutograderError(f"lessons/{lesson_name} is stale (it differs from what solutions/{lesson_name} "
                              "releases); run `python -m bp_course release` first")


def _without_outputs(path: Path) -> bytes:
    """A solution notebook without its stored outputs: the grader reads only its answer cells."""
    from bp_course import notebooks

    nb = notebooks.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebooks.render(nb).encode()


def build(lesson: str, out, *, course, points=None, require_sandbox: bool = True, timeout: int = DEFAULT_TIMEOUT,
          cell_timeout: int = 60) -> Path:
    """Write the Gradescope autograder zip for one lesson; return its path (``out/gradescope-lesson-NN.zip``).

    Parameters
    ----------
    lesson : str
        Two digits, such as ``"07"``.
    out : path
        The folder to write the zip to (made if missing).
    course : path
        The folder holding ``lessons/`` and ``solutions/``.
    points : path, optional
        A points file for the grader (``{"points": {...}, "exercises": [...]}``), copied into the zip.
    require_sandbox : bool
        When True (the default), a submission is not graded where the
        sandbox does not work (``--require-sandbox``); when False, it is
        graded without, and its results say UNSANDBOXED.
    timeout, cell_timeout : int
        Seconds for the whole submission and for one cell.

    Raises
    ------
    AutograderError
        For a lesson the course does not have, a stale lesson, a points
        file that is not valid or names exercises the lesson lacks.
    """
    from bp_course.grading import load_policy
    from bp_course.grading.submission import SubmissionError, load_lesson

    if not (isinstance(lesson, str) and re.fullmatch(r"\d\d", lesson)):
        raise AutograderError(f"--lesson takes a two-digit lesson number such as 07, not {lesson!r}")
    if timeout < 1 or cell_timeout < 1:
        raise AutograderError("timeouts are whole seconds, at least 1")
    course = Path(course)
    try:
        loaded = load_lesson(course, lesson)
    except (SubmissionError, FileNotFoundError) as error:
        raise AutograderError(str(error)) from None
    _lesson_is_current(course, loaded.name)
    config = {"lesson": lesson, "lesson_file": loaded.name,
              "python": f"{sys.version_info.major}.{sys.version_info.minor}",
              "require_sandbox": bool(require_sandbox), "timeout": int(timeout), "cell_timeout": int(cell_timeout),
              "points": None}
    files = {}
    if points is not None:
        try:
            policy = load_policy(points)
        except ValueError as error:
            raise AutograderError(str(error)) from None
        unknown = sorted((set(policy.points) | set(policy.exercises or ())) - set(loaded.exercises))
        if unknown:
            raise AutograderError(f"points file {points}: lesson {lesson} has no exercise {', '.join(unknown)} "
                                  f"(its exercises: {', '.join(loaded.exercises)})")
        files["points.json"] = Path(points).read_bytes()
        config["points"] = "points.json"
    requirements = pinned_requirements()
    header = (f"# Pinned from the environment that built this autograder (Python {sys.version.split()[0]}):\n"
              "# the versions the course was tested with. setup.sh installs them.\n")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"gradescope-lesson-{lesson}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "setup.sh", _SETUP.format(python=config["python"]).encode(), executable=True)
        _add(archive, "run_autograder", _RUN.encode(), executable=True)
        _add(archive, "requirements.txt", (header + "\n".join(requirements) + "\n").encode())
        _add(archive, "autograder.json", (json.dumps(config, indent=1) + "\n").encode())
        for name, data in files.items():
            _add(archive, name, data)
        for name, path in _package_files():
            _add(archive, name, path.read_bytes())
        _add(archive, f"course/lessons/{loaded.name}", (course / "lessons" / loaded.name).read_bytes())
        _add(archive, f"course/solutions/{loaded.name}", _without_outputs(course / "solutions" / loaded.name))
    target.write_bytes(buffer.getvalue())
    return target


# -- choosing the submission ---------------------------------------------------------------------------

@dataclass
class Choice:
    """Which submitted file to grade, or why none.

    Attributes
    ----------
    path : Path or None
        The notebook to grade; None when none can be chosen.
    problem : str
        Why none was chosen (a message for the student).
    notes : list of str
        What the student should know about the choice (other files ignored).
    """

    path: Path | None
    problem: str = ""
    notes: list = field(default_factory=list)


def _names(paths, folder: Path) -> str:
    shown = [_short_name(printable(Path(p).relative_to(folder).as_posix())) for p in paths[:_LISTED]]
    more = f" and {len(paths) - _LISTED} more" if len(paths) > _LISTED else ""
    return ", ".join(shown) + more


def _short_name(name: str, limit: int = 160) -> str:
    """A file's path in the submission, its middle cut when longer than ``limit`` (folders can nest thousands deep)."""
    return name if len(name) <= limit else f"{name[:limit // 4]}...{name[-(limit * 3 // 4):]}"


def _read_lesson(path: Path) -> tuple:
    """``(lesson, problem)`` of a submitted file: the lesson by its metadata, else by its file name's ``NN_``
    (None if neither), and why it cannot be read (``""`` when it can)."""
    from bp_course.grading.submission import SubmissionError, read_submission

    try:
        return read_submission(path).lesson, ""
    except SubmissionError as error:  # not JSON, a link, too large: the name still tells which lesson was meant
        problem = str(error)
    except Exception as error:  # whatever else a strange file does, it never stops the choice
        problem = f"it could not be read ({type(error).__name__})"
    match = _LESSON_PREFIX.match(path.name)
    return (match.group(1) if match else None), problem


def _is_reference(path: Path, reference) -> bool:
    """Whether ``path`` holds the bytes of the reference solution (a hard link to it, or a link the platform
    copied): never the student's own work."""
    try:
        info, size = os.lstat(path), os.path.getsize(reference)
        if not stat.S_ISREG(info.st_mode) or info.st_size != size:
            return False
        with open(path, "rb") as mine, open(reference, "rb") as theirs:
            return mine.read(size + 1) == theirs.read()
    except OSError:
        return False


def choose_submission(folder, lesson, reference=None) -> Choice:
    """The notebook of ``folder`` (Gradescope's ``submission/``) to grade as ``lesson``.

    One notebook: that one (the grader reports it if it is another
    lesson's). Several: the one that is this lesson's (by its metadata or
    its ``NN_`` file name; among several, those that read as notebooks,
    then the lesson's own file name), the others ignored with a note.
    Otherwise none, with a message that names the files and the notebook
    expected. Checkpoint folders and macOS's ``__MACOSX`` are skipped;
    symbolic links are refused by the grader, and so is a file with the
    bytes of ``reference`` (the solution notebook's path), however it got there.
    """
    from bp_course.grading import collect
    from bp_course.grading.batch import walk

    folder = Path(folder)
    if not folder.is_dir():
        return Choice(None, f"No submission was found: submit your {lesson.name}.")
    found = [p for p in collect([folder]) if "__MACOSX" not in p.relative_to(folder).parts]
    if not found:
        others = sorted(Path(top, name) for top, _, names in walk(folder) for name in names)
        listed = f" (the submission holds {_names(others, folder)})" if others else ""
        return Choice(None, f"No notebook (.ipynb file) was submitted{listed}: submit your {lesson.name}.")
    choice = _choose(found, folder, lesson)
    if choice.path is not None and reference is not None and _is_reference(choice.path, reference):
        return Choice(None, f"refused: {_names([choice.path], folder)} is the course's reference solution file "
                            f"(a link to it, or a copy the platform made of one), not your work: submit your "
                            f"{lesson.name}.")
    return choice


def _choose(found: list, folder: Path, lesson) -> Choice:
    if len(found) == 1:
        return Choice(found[0])
    read = {p: _read_lesson(p) for p in found}
    matching = [p for p in found if read[p][0] == lesson.number]
    unreadable = [p for p in matching if read[p][1]]
    if len(unreadable) < len(matching):  # a notebook that reads beats a broken copy, whatever its name
        matching = [p for p in matching if not read[p][1]]
    if len(matching) > 1:
        exact = [p for p in matching if p.name == lesson.name]
        matching = exact if len(exact) == 1 else matching
    if len(matching) == 1:
        ignored = [p for p in found if p != matching[0]]
        notes = [f"Graded {_names(matching, folder)}, lesson {lesson.number}'s notebook; "
                 f"ignored the other notebook(s): {_names(ignored, folder)}."]
        notes += [f"Ignored {_names([p], folder)}: {read[p][1]}." for p in unreadable[:_LISTED] if p != matching[0]]
        return Choice(matching[0], notes=notes)
    if not matching:
        return Choice(None, f"None of the {len(found)} notebooks submitted ({_names(found, folder)}) is lesson "
                            f"{lesson.number}'s: submit your {lesson.name}.")
    return Choice(None, f"{len(matching)} of the notebooks submitted are lesson {lesson.number}'s "
                        f"({_names(matching, folder)}): submit only one, your {lesson.name}.")


# -- results.json ------------------------------------------------------------------------------------

def _test(exercise: str, score, max_score, passed: bool, output: str) -> dict:
    return {"name": f"Exercise {exercise}", "number": exercise, "score": score, "max_score": max_score,
            "status": "passed" if passed else "failed", "output": printable(output, keep="\n\t"),
            "output_format": "text", "name_format": "text", "visibility": "visible"}


def _top(score, output_lines, tests, execution_time, extra) -> dict:
    return {"score": score, "execution_time": int(round(execution_time)),
            "output": printable("\n\n".join(line for line in output_lines if line), keep="\n\t"),
            "output_format": "text", "test_output_format": "text", "test_name_format": "text",
            "tests": tests, "extra_data": extra}


def not_graded(worth: dict, reason: str, execution_time: float = 0, extra=None) -> dict:
    """results.json for a submission that was not graded: every exercise at 0, ``reason`` as the output."""
    tests = [_test(e, 0, points, False, f"not graded: {reason}") for e, points in worth.items()]
    return _top(0, [reason], tests, execution_time, {"max_score": sum(worth.values()), **(extra or {})})


def results_json(result, worth: dict, notes=(), execution_time: float = 0) -> dict:
    """Gradescope's results.json for one graded submission (a :class:`bp_course.grading.StudentResult`).

    Built from :func:`bp_course.grading.reports.autograder_json`, the shape
    the grader already writes for students (no seed, the file only by its
    name, messages redacted): one test per exercise that counts (``worth``,
    the points table after the points file), with its points, status and
    the check's feedback; the total; the notes and warnings. Every string
    is plain text (``output_format`` and the name formats are ``"text"``, so
    nothing a student wrote renders as HTML or Markdown) with invisible
    characters escaped; JSON escapes the rest.
    """
    from bp_course.grading import reports
    from bp_course.grading.sandbox import UNSANDBOXED_WARNING

    worth = result.worth or worth  # a file refused before it was read has no points table of its own
    base = reports.autograder_json(result)
    extra = {**base["extra_data"], "max_score": sum(worth.values())}
    lines = [] if result.sandboxed else [UNSANDBOXED_WARNING + "."]
    if result.problem:
        reason = f"This submission could not be graded: {result.problem}"
        payload = not_graded(worth, reason, execution_time, extra)
        payload["output"] = printable("\n\n".join([*lines, reason, *notes]), keep="\n\t")
        return payload
    by_exercise = {o.exercise: (o, test) for o, test in zip(result.outcomes, base["tests"])}
    tests = []
    for exercise, points in worth.items():
        if exercise in by_exercise:
            outcome, test = by_exercise[exercise]
            tests.append(_test(exercise, test["score"], test["max_score"], outcome.status == "passed", test["output"]))
        else:
            tests.append(_test(exercise, 0, points, False, "not graded"))
    lines.append(f"{base['output']}.")
    lines += list(notes)
    if result.warnings:
        lines.append("Notes:\n" + "\n".join(f"- {w}" for w in result.warnings))
    return _top(base["score"], lines, tests, execution_time, extra)


def _write_results(folder: Path, payload: dict) -> Path:
    """Write ``folder/results.json`` through a new file renamed into place (a link planted there is replaced).

    ``stdout_visibility`` is always ``"hidden"``: the log holds the hidden checks' seed and the instructor's view.
    """
    payload = {**payload, "stdout_visibility": "hidden"}
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".results-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(payload, file, indent=1, ensure_ascii=True)
            file.write("\n")
        os.replace(temporary, folder / "results.json")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return folder / "results.json"


# -- running on Gradescope -----------------------------------------------------------------------------

def _config(root: Path) -> dict:
    return json.loads((root / "source" / "autograder.json").read_text(encoding="utf-8"))


def _grade(root: Path, started: float) -> dict:
    from bp_course import grading
    from bp_course.grading import reports, sandbox
    from bp_course.grading.submission import load_lesson

    config = _config(root)
    course = root / "source" / "course"
    lesson = load_lesson(course, config["lesson"])
    policy = grading.load_policy(root / "source" / config["points"]) if config.get("points") else grading.Policy()
    worth = policy.worth(lesson)
    choice = choose_submission(root / "submission", lesson, reference=course / "solutions" / lesson.name)
    print(f"bp-course autograder, lesson {lesson.number} ({lesson.name})")
    if choice.path is None:
        print(f"not graded: {choice.problem}")
        return not_graded(worth, choice.problem, time.monotonic() - started)
    try:
        results, seed = grading.grade_all([choice.path], course=course, lesson=lesson.number, policy=policy, jobs=1,
                                          cell_timeout=config["cell_timeout"], timeout=config["timeout"],
                                          require_sandbox=config["require_sandbox"])
    except sandbox.SandboxUnavailable as error:
        print(f"not graded: {error}")
        print("(This autograder was built to require the sandbox; see docs/instructors.md, 'Gradescope'.)")
        return not_graded(worth, SANDBOX_REFUSED, time.monotonic() - started)
    print(reports.table(results))
    print()
    print(reports.feedback_markdown(results[0]))
    print(f"hidden-check seed: {seed}")
    return results_json(results[0], worth, choice.notes, time.monotonic() - started)


def run(root) -> int:
    """Grade ``root/submission`` and write ``root/results/results.json`` (``root`` is ``/autograder`` on Gradescope).

    Whatever happens, a results.json is written: a submission that cannot
    be graded gets 0 points and a message saying why; an error of the
    grader itself goes to the log (stdout, the instructor's) with its
    traceback, and the student is told only that the autograder failed.
    """
    started = time.monotonic()
    root = Path(root)
    try:
        payload = _grade(root, started)
    except Exception:  # the last resort: never leave a student without a result
        traceback.print_exc(file=sys.stdout)
        payload = {"score": 0, "execution_time": int(time.monotonic() - started), "output": INTERNAL_ERROR,
                   "output_format": "text"}
    path = _write_results(root / "results", payload)
    print(f"wrote {path.name}: {payload['score']} points")
    return 0


def check(root) -> int:
    """The self-check ``setup.sh`` ends with: the Python and package versions, the lesson, the sandbox.

    Returns 1, naming the problem, when this Python or a package differs from
    what the zip was built with, or the lesson does not load; a sandbox that
    does not work here is reported (it may work in the image that grades).
    """
    from bp_course.grading import Policy, load_policy, sandbox
    from bp_course.grading.submission import load_lesson

    root = Path(root)
    config = _config(root)
    problems = []
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if here != config["python"]:
        problems.append(f"Python {here} runs the grader, but the autograder was built with Python {config['python']}")
    for line in (root / "source" / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            try:
                found = metadata.version(name)
            except metadata.PackageNotFoundError:
                found = "not installed"
            if found != version:
                problems.append(f"{name} {found} is installed, but the autograder pins {version}")
    try:
        lesson = load_lesson(root / "source" / "course", config["lesson"])
        policy = load_policy(root / "source" / config["points"]) if config.get("points") else Policy()
        worth = policy.worth(lesson)
        print(f"lesson {lesson.number} ({lesson.name}): exercises "
              + ", ".join(f"{e} ({p:g} point{'' if p == 1 else 's'})" for e, p in worth.items())
              + f"; {sum(worth.values()):g} points in all")
    except Exception as error:  # the message is the point of a self-check
        problems.append(f"the lesson does not load: {type(error).__name__}: {error}")
    state = sandbox.status()
    if state.sandboxed:
        print(f"sandbox: bubblewrap works here ({state.bwrap})")
    elif config["require_sandbox"]:
        print(f"WARNING: the sandbox does not work here ({state.reason}). This autograder requires it, so where "
              "it does not work every submission gets 0 points and a message saying it was not graded.")
    else:
        print(f"WARNING: the sandbox does not work here ({state.reason}); submissions will be graded UNSANDBOXED.")
    for problem in problems:
        print(f"setup failed: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv=None) -> int:
    """``python -m bp_course.platforms.gradescope run|check ROOT`` (what the zip's scripts call)."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in ("run", "check"):
        print("usage: python -m bp_course.platforms.gradescope run|check AUTOGRADER_ROOT", file=sys.stderr)
        return 2
    return run(argv[1]) if argv[0] == "run" else check(argv[1])


if __name__ == "__main__":
    sys.exit(main())
