"""Running one submission: rebuild the lesson around the student's answers, run it under nbval, read the verdicts.

The notebook that runs is the course's released lesson, cell for cell,
with each answer cell's source replaced by the student's. Around each
exercise's check cell the grader inserts two cells of its own:

* before it, a **probe** (:mod:`bp_course.grading.probe`) that calls the
  student's answer on the hidden checks' inputs and shows the results as
  plain JSON in its own output; it runs before the visible check, so the
  answer has not yet been called by any code that holds a reference;
* after it, a **restore** cell holding the reference solution of the
  exercise, so the cells and exercises after it run on correct
  definitions, and one mistake is never punished twice.

The notebook runs as ``pytest --nbval-lax`` in a temporary folder of the
grader's, with a per-cell timeout, in its own process group with an overall
timeout. nbval reads the notebook in pytest's process and sends the kernel
one cell at a time, so a reference reaches the kernel only after its
exercise's evidence was recorded; the kernel itself runs in the sandbox of
:mod:`bp_course.grading.sandbox` and never sees the notebook file, the
grader's folder or the course. The probes' outputs are recorded as each
cell runs by :mod:`bp_course.grading.nbval_plugin`, in pytest's process.
nbval treats every cell after a timed-out one as expected to fail, so when
an exercise times out or crashes the kernel, it is marked so and the lesson
runs again with the reference answer in its place, for the exercises after it.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from bp_course import notebooks
from bp_course.checks import hidden
from bp_course.grading import probe, sandbox, suspicious
from bp_course.grading.submission import Lesson

__all__ = ["Outcome", "STATUSES", "grade_answers"]

STATUSES = ("passed", "failed", "error", "timed out", "crashed", "not attempted", "missing", "held")
"""What can become of an exercise; only "passed" earns its points ("held": passed, but the answer was flagged,
:func:`bp_course.grading.batch.hold`)."""

_ANSI = re.compile(r"\x1b\[[0-9;]*m|#x1B\[[0-9;]*m")
_MAX_PROBE_BYTES = 5_000_000
_MAX_MESSAGE = 1500
PYTEST_MEMORY = 4 * 2 ** 30
"""Address space of the grader's own pytest process (bytes), which runs outside the sandbox and receives
everything a kernel prints: a flood can end that run (its submission "crashed"), never the grader."""
_LIMITED = ("import os, resource, sys\n"
            "soft, hard = resource.getrlimit(resource.RLIMIT_AS)\n"
            "try:\n"
            "    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), hard))\n"
            "except (ValueError, OSError):\n"  # macOS refuses RLIMIT_AS
            "    pass\n"
            "os.execv(sys.argv[2], sys.argv[2:])\n")
# Only the soft limit: the sandbox's launcher, started from this pytest, sets the kernel's own (larger) limit,
# which a hard limit here would forbid. preexec_fn is not used: grading runs in threads.
_clock = time.monotonic  # the submission's time budget is measured on it (a test replaces it)


@dataclass
class Outcome:
    """The grade of one exercise.

    Attributes
    ----------
    exercise : str
    status : str
        One of :data:`STATUSES`.
    message : str
        The check's feedback, the error, or why it was not graded.
    hidden : bp_course.checks.hidden.Verdict or None
        The hidden checks' counts, when they ran.
    """

    exercise: str
    status: str
    message: str = ""
    hidden: hidden.Verdict | None = None


def _code_cell(source: str, cell_id: str):
    return nbformat.v4.new_code_cell(source, id=cell_id)


def build(lesson: Lesson, answers: dict, replaced=frozenset(), plans=None):
    """The notebook to run, and for each of its code cells ``(kind, exercise)``.

    ``kind`` is ``"narrative"``, ``"answer"``, ``"check"``, ``"probe"`` or
    ``"restore"``. Exercises in ``replaced`` run their reference answer.
    ``plans`` gives each exercise's probe plan (``hidden.probe_plan``: the
    answer's names and the hidden inputs); without it the probes get no inputs.
    Student sources lose any nbval comment markers (``# NBVAL_SKIP`` would
    otherwise steer the run).
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = copy.deepcopy(lesson.notebook.metadata.get("kernelspec", {}))
    roles = []
    for cell in lesson.notebook.cells:
        kind, exercise = notebooks.role(cell), notebooks.exercise(cell)
        if cell.cell_type != "code":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.source, id=cell["id"]))
            continue
        source = cell.source
        if kind == "answer":
            if exercise in replaced:
                source = lesson.reference[cell["id"]]
            elif exercise in answers:
                source = without_nbval_markers(answers[exercise])
        tag = exercise.replace(".", "-") if exercise else ""  # cell ids allow letters, digits, - and _
        if kind == "check":
            plan = (plans or {}).get(exercise) or hidden.probe_plan(hidden.spec(exercise), [])
            nb.cells.append(_code_cell(probe.cell_source(exercise, plan), f"grader-probe-{tag}"))
            roles.append(("probe", exercise))
        nb.cells.append(_code_cell(source, cell["id"]))
        roles.append((kind, exercise))
        if kind == "check":
            nb.cells.append(_code_cell(lesson.reference[lesson.answer_ids[exercise]], f"grader-restore-{tag}"))
            roles.append(("restore", exercise))
    return nb, roles


def without_nbval_markers(source: str) -> str:
    """``source`` with every line nbval would read as a comment marker (:func:`.suspicious.nbval_marker`) defused.

    Such a line becomes ``# (marker removed by the grader) NBVAL_...``, at
    its indentation and with its own line ending, which nbval ignores.

    Examples
    --------
    >>> without_nbval_markers("## NBVAL_SKIP\\nx = 1\\n")
    '# (marker removed by the grader) NBVAL_SKIP\\nx = 1\\n'
    """
    lines = []
    for line in source.splitlines(keepends=True):
        body = line.splitlines()[0] if line.splitlines() else ""
        if suspicious.nbval_marker(body):
            indent = body[:len(body) - len(body.lstrip())]
            line = f"{indent}# (marker removed by the grader) {body.strip().lstrip('#').strip()}{line[len(body):]}"
        lines.append(line)
    return "".join(lines)


def cell_timeouts(roles, cell_timeout: int, timeout: int) -> list:
    """Seconds each code cell may run: ``cell_timeout`` where student code is live, ``timeout`` elsewhere.

    Student code is live from an exercise's answer cell to its restore cell
    (the answer, anything between, the probe and the check, which call the
    student's functions). Other cells run the course's own code, on the
    reference answers: they are bounded only by the whole run's ``timeout``,
    so a slow or busy machine never turns a correct submission's course cell
    into a "timed out" exercise.
    """
    live, seconds = set(), []
    for kind, exercise in roles:
        if kind == "answer":
            live.add(exercise)
        seconds.append(cell_timeout if live else timeout)
        if kind == "restore":
            live.discard(exercise)
    return seconds


def _run_pytest(workdir: Path, cell_timeout: int, timeout: int, state: sandbox.Status, limits: sandbox.Limits,
                roles=()):
    """Run nbval on graded.ipynb with the sandboxed kernel.

    Returns ``(results, records)``: the per-cell results from the JUnit
    report, and what :mod:`.nbval_plugin` recorded as each cell ran; the
    results are None when the overall timeout struck.
    """
    (workdir / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # pins rootdir: no outside config
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "JUPYTER_", "BP_GRADE_"))}
    env.update(sandbox.prepare_kernel(workdir, limits, state))
    env["BP_GRADE_RECORD"] = str(workdir / "record.jsonl")
    (workdir / "timeouts.json").write_text(json.dumps(cell_timeouts(roles, cell_timeout, timeout)), encoding="utf-8")
    env["BP_GRADE_TIMEOUTS"] = str(workdir / "timeouts.json")
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugins of pytest_command(): none the environment adds
    process = subprocess.Popen(pytest_command(cell_timeout), cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_watching(process, timeout, workdir / "runtime")
    except RuntimeFlood:
        _kill(process)
        _end_kernels(_records(workdir))
        raise
    except subprocess.TimeoutExpired:
        _kill(process)
        _end_kernels(_records(workdir))
        return None, []
    records = _records(workdir)
    _end_kernels(records)
    report = workdir / "report.xml"
    if not report.is_file():
        return [], records
    results = []
    for case in ET.parse(report).iter("testcase"):
        kind, text = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                kind = "skipped" if child.tag == "skipped" else "failed"
                text = _ANSI.sub("", (child.text or "") + "\n" + (child.get("message") or ""))
        results.append((kind, text))
    return results, records


RUNTIME_BYTES = 16 * 2 ** 20
RUNTIME_ENTRIES = 1000
"""What the kernel may keep in its runtime folder (bytes, files and folders): the one folder on the grader's disk it
can write (its connection file and sockets need a few entries and bytes; everything else it writes goes to its
sized tmpfs). More stops the run (:class:`RuntimeFlood`)."""


class RuntimeFlood(RuntimeError):
    """The kernel wrote more than :data:`RUNTIME_BYTES` or :data:`RUNTIME_ENTRIES` into its runtime folder."""


def _runtime_size(folder: Path, limit: int) -> tuple:
    """``(bytes, entries)`` below ``folder``, counting no further than ``limit`` entries; links not followed."""
    size = entries = 0
    stack = [folder]
    while stack and entries <= limit:
        try:
            with os.scandir(stack.pop()) as found:
                for entry in found:
                    entries += 1
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            size += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue
        except OSError:
            continue
    return size, entries


def _wait_watching(process, timeout: float, runtime: Path, every: float = 0.25) -> None:
    """Wait for ``process`` up to ``timeout`` s, checking the kernel's runtime folder every ``every`` s.

    Raises
    ------
    subprocess.TimeoutExpired
        When ``timeout`` passes first.
    RuntimeFlood
        As soon as the folder holds more than :data:`RUNTIME_BYTES` or :data:`RUNTIME_ENTRIES`.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            process.wait(timeout=max(min(every, deadline - time.monotonic()), 0.001))
            return
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                raise
        size, entries = _runtime_size(runtime, RUNTIME_ENTRIES)
        if size > RUNTIME_BYTES or entries > RUNTIME_ENTRIES:
            raise RuntimeFlood(f"the kernel wrote more than {RUNTIME_BYTES // 2 ** 20} MiB or {RUNTIME_ENTRIES} "
                               "files into the grader's runtime folder")


def _kill(process) -> None:
    if hasattr(os, "killpg"):
        os.killpg(process.pid, signal.SIGKILL)  # pytest; the sandbox dies with its parent (--die-with-parent)
    else:  # Windows has no process groups here; the kernel exits when its parent's sockets close
        process.kill()
    process.wait()


_UNUSED_PLUGINS = ("cacheprovider", "doctest", "pastebin", "setuponly", "setupplan", "stepwise",
                   "unittest", "subtests", "debugging", "faulthandler")
"""pytest's own plugins the grader's run does without (fewer imports at each submission's start-up)."""


def pytest_command(cell_timeout: int) -> list:
    """The grader's nbval run of ``graded.ipynb``: :func:`pytest_prefix`, then pytest with exactly the plugins it needs.

    Run it with ``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``: then no plugin installed in
    the environment (pytest-randomly would reorder the cells, pytest-xdist
    split them, pytest-rerunfailures repeat them) joins the run, and nbval is
    loaded by name. The grader's plugin comes first, so that it is in place
    before nbval imports nbformat (:func:`.nbval_plugin.skip_unused_imports`);
    ``--assert=plain`` imports the plugins as installed, not rewritten.
    """
    return [*pytest_prefix(), "-m", "pytest", "graded.ipynb", "--nbval-lax",
            f"--nbval-kernel-name={sandbox.KERNEL_NAME}", f"--nbval-cell-timeout={cell_timeout}",
            *(item for name in _UNUSED_PLUGINS for item in ("-p", f"no:{name}")),
            "-p", "bp_course.grading.nbval_plugin", "-p", "nbval.plugin", "--assert=plain", "-q",
            "--junitxml=report.xml"]


def pytest_prefix(memory: int = PYTEST_MEMORY) -> list:
    """The start of the pytest command: a Python that caps its own address space at ``memory``, then becomes pytest's.

    Examples
    --------
    >>> pytest_prefix(2 ** 30)[-2:] == [str(2 ** 30), sys.executable]
    True
    """
    if not hasattr(os, "execv") or sys.platform == "win32":
        return [sys.executable]
    return [sys.executable, "-S", "-c", _LIMITED, str(memory), sys.executable]


SOCKET_PATH_MAX = 107
"""The longest path a Unix socket may have (``sun_path`` holds 108 bytes with its NUL, on Linux)."""

_SOCKET_NAME = len("/runtime/kernel-12345678.json-65535")  # what the kernel's ipc sockets add to the work folder


def work_parent(sandboxed: bool = True) -> str | None:
    """Where the runs' work folders go: the temporary folder, or ``/tmp`` where its path is too long for a socket.

    The sandboxed kernel talks over Unix sockets in ``WORK/runtime``; under a
    long ``TMPDIR`` their paths pass :data:`SOCKET_PATH_MAX` and every cell
    would fail to start. ``None`` means :func:`tempfile.mkdtemp`'s default.
    :func:`bp_course.grading.batch.grade_all` asks once before grading, so a
    folder that cannot work is one clear error
    (:class:`~bp_course.grading.sandbox.SandboxUnavailable`), not one per student.
    """
    if not sandboxed or len(tempfile.gettempdir()) + len("/bp-grade-12345678") + _SOCKET_NAME <= SOCKET_PATH_MAX:
        return None
    if os.path.isdir("/tmp") and os.access("/tmp", os.W_OK | os.X_OK):
        return "/tmp"
    raise sandbox.SandboxUnavailable(f"the temporary folder {tempfile.gettempdir()!r} is too long a path for the "
                                     f"kernel's sockets ({SOCKET_PATH_MAX} bytes at most): set TMPDIR to a shorter "
                                     "folder")


class _work_folder:
    """A fresh folder for one run (``bp-grade-*`` in :func:`work_parent`), removed with :func:`remove_tree` at exit."""

    def __init__(self, sandboxed: bool = True):
        self.sandboxed = sandboxed

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="bp-grade-", dir=work_parent(self.sandboxed)))
        return self.path

    def __exit__(self, *exc) -> None:
        remove_tree(self.path)


def remove_tree(top) -> None:
    """Delete the folder ``top`` and everything below it, however deep; never follow a link, never raise.

    The kernel owns its runtime folder and can nest folders there far deeper
    than :func:`shutil.rmtree` recurses (on Python 3.11, past about a
    thousand levels it raises RecursionError and leaves the tree behind). So
    the tree is flattened as it goes: each folder below a folder directly
    inside ``top`` is moved up into ``top`` (short paths, no recursion), and
    each folder is emptied and removed. A symbolic link is removed, never
    followed. Each folder gets its owner's permissions back before it is
    emptied or moved (the kernel may have made it ``chmod 000``; only a
    grader that is not root needs them), once ``lstat`` shows it is a folder.
    """
    top = Path(top)
    pending, moved = [top], 0
    while pending:
        folder = pending.pop()
        try:
            if folder != top:
                _owner_permissions(folder)
            names = os.listdir(folder)
        except OSError:
            names = []
        for name in names:
            path = os.path.join(folder, name)
            try:
                if not stat.S_ISDIR(os.lstat(path).st_mode):
                    os.unlink(path)
                elif folder == top:
                    pending.append(Path(path))
                else:
                    _owner_permissions(path)  # moving a folder rewrites its '..': it must be writable
                    moved += 1
                    target = top / f".bp-removing-{moved}"
                    os.rename(path, target)
                    pending.append(target)
            except OSError:
                continue
        if folder != top:
            try:
                os.rmdir(folder)
            except OSError:
                pass
    try:
        os.rmdir(top)
    except OSError:
        pass


def _owner_permissions(path) -> None:
    if stat.S_ISDIR(os.lstat(path).st_mode):
        os.chmod(path, 0o700)


def _records(workdir: Path) -> list:
    path = workdir / "record.jsonl"
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def _end_kernels(records) -> None:
    """Kill what is left of the run's kernels (with bwrap, the kernel's whole PID namespace goes with it)."""
    for pid in {r.get("pid") for r in records if isinstance(r.get("pid"), int)}:
        try:
            os.kill(pid, signal.SIGKILL)
        except (OSError, AttributeError):  # already gone (the usual case), or no such signal here
            pass


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + " [...]"


def _error_line(text: str) -> str:
    """The last ``SomeError: message`` line of a cell's failure, not IPython's ``SomeError  Traceback (...)`` header
    (nbval's report ends with that header again, which would otherwise hide the message)."""
    lines = [line.strip() for line in text.splitlines()
             if re.match(r"^\s*\w+(Error|Exception|Exit|Interrupt)\b.*", line)
             and not re.search(r"\sTraceback \(most recent call last\)\s*$", line)]
    return _short(lines[-1]) if lines else "the cell raised an error"


def _check_message(text: str) -> str:
    match = re.search(r"CheckFailed: (Exercise \S+: .*)", text, re.S)
    message = match.group(1) if match else text
    return _short(message.split("\n\n")[0])  # nbval appends a blank line and more after the error


def _evidence(records, roles, exercise):
    """The values the probe of ``exercise`` showed, from its own cell's output as it ran (None when unusable).

    Only the outputs of the probe cell itself count, and among them those
    for this exercise. Code the student registered to run around every cell
    (IPython's event hooks) can add outputs there, but computes them with
    the student's own answer, as no reference is in the kernel yet; when
    they disagree with each other, there is no evidence.
    """
    index = next((i for i, (kind, e) in enumerate(roles) if kind == "probe" and e == exercise), None)
    outputs = [r.get("probe") for r in records if r.get("cell") == index]
    if len(outputs) != 1 or not isinstance(outputs[0], list):
        return None
    found = []
    for text in outputs[0]:
        if not isinstance(text, str) or len(text) > _MAX_PROBE_BYTES:
            continue
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(data, dict) and data.get("exercise") == exercise:
            found.append(data.get("values"))
    if not found or any(values != found[0] for values in found[1:]):
        return None
    return found[0]


def _judge(lesson: Lesson, roles, results, exercise, answers, probed, cases, seed) -> Outcome:
    cells = {kind: results[i] for i, (kind, e) in enumerate(roles) if e == exercise and i < len(results)}
    answer_kind, answer_text = cells.get("answer", ("failed", ""))
    check_kind, check_text = cells.get("check", ("failed", ""))
    if exercise not in answers:
        return Outcome(exercise, "missing", "no answer cell for this exercise was found in the notebook")
    if not answers[exercise].strip():
        return Outcome(exercise, "not attempted", "the answer cell is empty")
    if check_kind != "passed":
        if "NotAttempted" in check_text or re.search(r"\bNotImplementedError\b", answer_text):
            return Outcome(exercise, "not attempted", "the answer cell still holds the stub")
        if "CheckFailed: Exercise" in check_text:
            return Outcome(exercise, "failed", _check_message(check_text))
        text = answer_text if answer_kind != "passed" else check_text
        where = "your answer cell" if answer_kind != "passed" else "the check cell"
        return Outcome(exercise, "error", f"{where} raised {_error_line(text)}")
    verdict = hidden.spec(exercise).judge(probed, cases, seed) if probed is not None else None
    if verdict is None:
        verdict = hidden.Verdict(0, max(len(cases), 1))
    if not verdict.ok:
        return Outcome(exercise, "failed", f"the visible check passed, but {verdict.total - verdict.passed} of "
                                           f"{verdict.total} hidden checks failed", verdict)
    return Outcome(exercise, "passed", "passed the visible check and all hidden checks", verdict)


def grade_answers(lesson: Lesson, answers: dict, *, seed: int, cell_timeout: int = 60, timeout: int = 600,
                  state: sandbox.Status | None = None) -> list:
    """Grade every exercise of a lesson for one student's answers.

    Parameters
    ----------
    lesson : Lesson
    answers : dict
        ``{exercise id: source}``; exercises absent are "missing".
    seed : int
        Seeds the hidden checks' inputs (drawn fresh for each grading run).
    cell_timeout : int
        Seconds one cell may run while the student's code is live (the
        answer, its probe and its check; see :func:`cell_timeouts`).
    timeout : int
        Seconds the whole submission may take, all runs together: a rerun
        after a timed-out or crashed exercise gets what is left of it (and
        so does each course cell); what is not graded when it is spent is
        "timed out".
    state : sandbox.Status, optional
        Whether the kernel runs sandboxed; :func:`sandbox.status` by default.

    Returns
    -------
    list of Outcome
        One per exercise, in the lesson's order.
    """
    exercises = list(lesson.exercises)
    state = state or sandbox.status()
    limits = sandbox.Limits(cpu=timeout + 60)
    cases, plans = {}, {}
    for index, exercise in enumerate(exercises):
        spec = hidden.spec(exercise)
        cases[exercise] = spec.cases(np.random.default_rng([seed, index])) if isinstance(spec, hidden.Function) else []
        plans[exercise] = hidden.probe_plan(spec, cases[exercise])
    graded, replaced = {}, set()
    deadline = _clock() + timeout
    while len(graded) < len(exercises):
        left = math.ceil(deadline - _clock())  # whole seconds; the first run gets all of ``timeout``
        if left < 1:
            for exercise in exercises:
                graded.setdefault(exercise, Outcome(exercise, "timed out", f"the submission's {timeout} s were spent "
                                                                           "before this exercise could run again"))
            break
        nb, roles = build(lesson, answers, replaced, plans)
        with _work_folder(state.sandboxed) as workdir:
            notebooks.write(nb, workdir / "graded.ipynb")
            try:
                results, records = _run_pytest(workdir, cell_timeout, left, state, limits, roles)
            except RuntimeFlood as flood:
                for exercise in exercises:
                    graded.setdefault(exercise, Outcome(exercise, "crashed", f"the run was stopped: {flood}"))
                break
            if results is None:  # the overall limit: what is not graded yet timed out
                for exercise in exercises:
                    graded.setdefault(exercise, Outcome(exercise, "timed out", f"the lesson did not finish within "
                                                                               f"{timeout} s"))
                break
            first_bad = next((i for i, (kind, text) in enumerate(results)
                              if kind == "failed" and "Timeout of" in text), None)
            if first_bad is None and len(results) < len(roles):
                first_bad = len(results)  # nbval stopped early: the kernel is gone
            culprit = None
            if first_bad is not None:
                owners = [e for kind, e in roles[:first_bad + 1] if kind == "answer"]
                culprit = owners[-1] if owners else None
            before = len(graded)
            for exercise in exercises:
                if exercise in graded:
                    continue
                last = max(i for i, (_, e) in enumerate(roles) if e == exercise and _ != "restore")
                if first_bad is None or last < first_bad and exercise != culprit:
                    graded[exercise] = _judge(lesson, roles, results, exercise, answers,
                                              _evidence(records, roles, exercise), cases[exercise], seed)
                elif exercise == culprit:
                    text = results[first_bad][1] if first_bad < len(results) else ""
                    crashed = "Failed to interrupt" in text or first_bad >= len(results)
                    graded[exercise] = Outcome(
                        exercise, "crashed" if crashed else "timed out",
                        "the kernel died while running this exercise" if crashed else
                        f"a cell ran longer than {cell_timeout} s (an endless loop, or waiting for input?)")
                    replaced.add(exercise)
        if len(graded) == before:  # no progress: a course cell (or a reference answer) itself failed to run
            for exercise in exercises:
                graded.setdefault(exercise, Outcome(exercise, "error", "the lesson could not be run as far as "
                                                                       "this exercise"))
    return [graded[e] for e in exercises]
