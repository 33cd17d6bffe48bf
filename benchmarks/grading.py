"""Benchmark: grading a class of 30 submissions of one lesson with ``bp_course.grading``.

Run from the repository root::

    python benchmarks/grading.py [--lesson 02] [--students 30] [--jobs 1 2] [--breakdown [N]]

The class mixes solved, partly solved and unsolved notebooks (a third
each), built from the course's own solution and lesson. Each job count
grades the whole class once; the figure is wall-clock seconds for the
batch, reports not included. Results go to benchmarks/README.md by hand.

``--breakdown N`` first grades N submissions (default 3: one of each kind)
one at a time and prints where each one's time goes: the grader's own
steps, timed in this process, and the phases of the pytest process it
starts (timed by the plugin ``benchmarks/grading_phases.py``, which this
script adds to that command), with the kernel's CPU seconds; then the parts
paid once per grading run (the kernel's package, the sandbox's self-test,
the lesson) and the reports.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
import types
from pathlib import Path

from bp_course import grading, notebooks

ROOT = Path(__file__).resolve().parent.parent


def make_class(folder: Path, lesson: str, students: int) -> list:
    """Write ``students`` notebooks: solved, solved but for the first exercise, and unsolved, in turn."""
    name = next((ROOT / "lessons").glob(f"{lesson}_*.ipynb")).name
    solved = notebooks.read(ROOT / "solutions" / name)
    unsolved = notebooks.read(ROOT / "lessons" / name)
    partial = notebooks.read(ROOT / "solutions" / name)
    first = next(c for c in partial.cells if notebooks.role(c) == "answer")
    first.source = next(c for c in unsolved.cells if c["id"] == first["id"]).source
    paths = []
    for k in range(students):
        path = folder / f"student{k:02d}.ipynb"
        notebooks.write((solved, partial, unsolved)[k % 3], path)
        paths.append(path)
    return paths


# -- the breakdown -----------------------------------------------------------------------------------

class _Timer:
    """Wraps functions of the grader's modules to add up the seconds spent in them, by label."""

    def __init__(self):
        self.seconds, self._undo = {}, []

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def undo(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()


def _timed_subprocess(phases_file: Path, runs: list):
    """A stand-in for the ``subprocess`` module of the runner: its Popen adds the timing plugin, and notes times."""

    class Popen(subprocess.Popen):
        def __init__(self, command, *args, env=None, **kwargs):
            env = dict(env or os.environ)
            env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "benchmarks"), env.get("PYTHONPATH", "")])
            env["BP_BENCH_PHASES"] = str(phases_file)
            self._run = {"start": time.time()}
            runs.append(self._run)
            at = list(command).index("pytest") + 1  # first of the plugins, to time their imports
            super().__init__([*command[:at], "-p", "grading_phases", *command[at:]], *args, env=env, **kwargs)

        def wait(self, timeout=None):
            code = super().wait(timeout)
            self._run.setdefault("exited", time.time())
            return code

    shim = types.ModuleType("subprocess")
    shim.__dict__.update(subprocess.__dict__)
    shim.Popen = Popen
    return shim


def _phases(run: dict, events: dict, roles: dict) -> dict:
    """Seconds of each phase of one pytest run, from the times its Popen and its plugin noted."""
    cells = [c for c in events["cells"] if "call" in c]
    out = {"pytest: Python and pytest start-up": events["imported"] - run["start"],
           "pytest: plugins (the grader's, nbval: nbformat, jsonschema), configure":
               events["configured"] - events["imported"],
           "pytest: collection (nbformat.read of graded.ipynb)": events["collected"] - events["configured"]}
    if not cells:
        return out
    out["kernel start (bwrap, launcher, ipykernel)"] = cells[0]["setup"][1] - cells[0]["setup"][0]
    for k, cell in enumerate(cells):
        kind = roles.get(cell["id"], "narrative")
        if cell["id"].startswith("grader-probe-"):
            kind = "probe"
        elif cell["id"].startswith("grader-restore-"):
            kind = "restore"
        label = "cells: setup (imports)" if k == 0 else f"cells: {'course' if kind == 'narrative' else kind}"
        out[label] = out.get(label, 0.0) + cell["call"][1] - cell["call"][0]
    between = cells[-1]["call"][1] - cells[0]["call"][0] - sum(c["call"][1] - c["call"][0] for c in cells)
    out["nbval between cells"] = between
    if "teardown" in cells[-1]:
        out["kernel shutdown"] = cells[-1]["teardown"][1] - cells[-1]["teardown"][0]
        out["pytest: JUnit report, exit"] = run.get("exited", events["unconfigured"]) - cells[-1]["teardown"][1]
    return out


def _cpu_used() -> tuple:
    """CPU seconds (user + system) of this process, and of its children that ended (the pytest processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def breakdown(lesson: str, students: int) -> None:
    """Print where the time of grading ``students`` submissions, one at a time, goes (see the module's docstring)."""
    from bp_course.grading import batch, reports, runner, sandbox
    from bp_course.grading.submission import load_lesson

    once = {}
    sandbox.kernel_package.cache_clear()
    sandbox._probe_bwrap.cache_clear()
    start = time.perf_counter()
    sandbox.kernel_package()
    once["sandbox.kernel_package() (copy, strip, compile)"] = time.perf_counter() - start
    start = time.perf_counter()
    state = sandbox.status()
    once["sandbox.status() (bwrap self-test)"] = time.perf_counter() - start
    start = time.perf_counter()
    the_lesson = load_lesson(ROOT, lesson)
    once["load_lesson"] = time.perf_counter() - start
    roles = {c["id"]: notebooks.role(c) for c in the_lesson.notebook.cells}

    timer, runs, rows = _Timer(), [], {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_class(Path(tmp), lesson, students)
        phases_file = Path(tmp) / "phases.jsonl"
        timer.wrap(batch, "_read_one", "grader: read, hash, scan the submission")
        timer.wrap(batch, "_grade_one", "total")
        timer.wrap(runner, "build", "grader: build graded.ipynb")
        timer.wrap(runner.notebooks, "write", "grader: write graded.ipynb")
        timer.wrap(runner, "_run_pytest", "pytest run")
        timer.wrap(runner, "_judge", "grader: judge (hidden checks)")
        runner.subprocess = _timed_subprocess(phases_file, runs)
        cpu_before = _cpu_used()
        try:
            results = []
            for path in paths:
                found, _ = grading.grade_all([path], course=ROOT, lesson=lesson, seed=1, jobs=1)
                results.extend(found)
            grader_cpu, pytest_cpu = (after - before for after, before in zip(_cpu_used(), cpu_before))
        finally:
            runner.subprocess = subprocess
            timer.undo()
        events = [json.loads(line) for line in phases_file.read_text(encoding="utf-8").splitlines()]
        kernel_cpu = sum(e.get("kernel_cpu", 0.0) for e in events) / len(paths)
        for run, found in zip(runs, events):
            for label, seconds in _phases(run, found, roles).items():
                rows[label] = rows.get(label, 0.0) + seconds
        seconds = dict(timer.seconds)
        total = seconds.pop("total") + seconds["grader: read, hash, scan the submission"]
        pytest_wall = seconds.pop("pytest run")
        rows["grader: prepare the kernel, read the records, clean up"] = pytest_wall - sum(
            v for k, v in rows.items())
        rows.update(seconds)
        rows["grader: rest"] = total - pytest_wall - sum(seconds.values())
        start = time.perf_counter()
        reports.write_reports(results, Path(tmp) / "out", seed=1)
        once["reports.write_reports (whole class)"] = time.perf_counter() - start
    print(f"\nWhere one submission's time goes (lesson {lesson}, {len(paths)} submissions graded one at a time, "
          f"{len(runs) / len(paths):g} pytest run(s) each, sandboxed: {state.sandboxed}):\n")
    print("| part | seconds per submission | share |\n|---|---|---|")
    for label, value in rows.items():
        print(f"| {label} | {value / len(paths):.3f} | {value / total:.0%} |")
    print(f"| **total** | **{total / len(paths):.3f}** | |")
    cpu = {"grader (this process)": grader_cpu / len(paths), "pytest process": pytest_cpu / len(paths),
           "kernel (all its processes)": kernel_cpu}
    print(f"| CPU seconds: {', '.join(f'{k} {v:.2f}' for k, v in cpu.items())} | **{sum(cpu.values()):.2f}** | |")
    print("\nOnce per grading run:\n\n| part | seconds |\n|---|---|")
    for label, value in once.items():
        print(f"| {label} | {value:.3f} |")
    print()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="02")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--breakdown", type=int, nargs="?", const=3, default=0, metavar="N",
                        help="first time the parts of N submissions graded one at a time (default 3)")
    args = parser.parse_args(argv)
    if args.breakdown:
        breakdown(args.lesson, args.breakdown)
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_class(Path(tmp), args.lesson, args.students)
        if args.jobs:
            print("| lesson | submissions | jobs | seconds | seconds per submission |\n|---|---|---|---|---|")
        for jobs in args.jobs:
            start = time.perf_counter()
            results, _ = grading.grade_all(paths, course=ROOT, lesson=args.lesson, seed=1, jobs=jobs)
            seconds = time.perf_counter() - start
            scores = sorted({r.score for r in results})
            assert all(r.problem is None for r in results), [r.problem for r in results if r.problem]
            print(f"| {args.lesson} | {len(paths)} | {jobs} | {seconds:.1f} | {seconds / len(paths):.2f} |"
                  f" scores {', '.join(f'{s:g}' for s in scores)}")


if __name__ == "__main__":
    main()
