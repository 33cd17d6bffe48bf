"""Command line: ``python -m bp_course COMMAND``.

Commands
--------
release [--check]
    Write lessons/ from solutions/; with ``--check``, change nothing and exit
    with status 1, naming the notebooks, when lessons/ is stale.
execute NOTEBOOK...
    Re-run solution notebooks top to bottom in a fresh kernel and store
    their outputs (authors run this after editing a solution).
grade SUBMISSION... [--out DIR] [--lesson NN] [--points FILE] ...
    Grade students' notebooks (files or folders of them); see
    :mod:`bp_course.grading` and the README's section for instructors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _release(args) -> int:
    from bp_course.release import AuthoringError, release, stale

    try:
        if args.check:
            problems = stale(args.solutions, args.lessons)
            if problems:
                print("lessons/ is stale; run `python -m bp_course release`:", file=sys.stderr)
                for problem in problems:
                    print(f"  {problem}", file=sys.stderr)
                return 1
            print(f"lessons/ is up to date with {args.solutions}/")
            return 0
        written = release(args.solutions, args.lessons)
    except AuthoringError as error:
        print(f"release failed: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}" if Path(path).exists() else f"removed {path}")
    if not written:
        print("lessons/ was already up to date")
    return 0


def _execute(args) -> int:
    from bp_course import notebooks

    status = 0
    for name in args.notebooks:
        path = Path(name)
        if not path.is_file():
            print(f"{path}: no such notebook", file=sys.stderr)
            status = 1
            continue
        nb = notebooks.read(path)
        try:
            notebooks.execute(nb, cwd=path.parent.resolve(), timeout=args.timeout)
        except Exception as error:  # nbclient reports the failing cell in its message
            print(f"{path}: execution failed:\n{error}", file=sys.stderr)
            status = 1
            continue
        notebooks.write(nb, path)
        print(f"executed {path}")
    return status


def _course_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _grade(args) -> int:
    from bp_course import grading
    from bp_course.grading import reports, sandbox
    from bp_course.grading.submission import SubmissionError

    try:
        policy = grading.load_policy(args.points) if args.points else grading.Policy()
    except ValueError as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    if args.lesson and not (len(args.lesson) == 2 and args.lesson.isdigit()):
        print(f"grade: --lesson takes a two-digit lesson number such as 07, not {args.lesson!r}", file=sys.stderr)
        return 2
    paths = grading.collect(args.submissions)
    if not paths:
        print("grade: no notebooks found in " + ", ".join(args.submissions), file=sys.stderr)
        return 2
    try:
        sandbox.required_status(args.require_sandbox)  # refuse before anything is written
    except sandbox.SandboxUnavailable as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    try:
        reports.prepare(args.out)  # before grading: a bad --out costs no grading time
    except (OSError, reports.ReportError) as error:
        print(f"grade: cannot write reports to {args.out}: {error}", file=sys.stderr)
        return 2
    at_once = max(1, min(args.jobs or grading.batch.default_jobs(), len(paths)))
    print(f"grading {len(paths)} submission(s), {at_once} at a time...", file=sys.stderr)
    try:
        results, seed = grading.grade_all(paths, course=args.course, lesson=args.lesson, policy=policy,
                                          seed=args.seed, jobs=args.jobs, cell_timeout=args.cell_timeout,
                                          timeout=args.timeout, require_sandbox=args.require_sandbox)
    except (SubmissionError, sandbox.SandboxUnavailable) as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    out = reports.write_reports(results, args.out, seed, feedback=args.feedback)
    print(reports.table(results))
    print(f"\nreports in {out}/: gradebook.csv, feedback/, results/ (hidden-check seed {seed}, in the gradebook "
          "only: regrade with --seed to draw the same inputs)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bp_course", description="bp-course authoring tools")
    commands = parser.add_subparsers(dest="command", required=True)
    rel = commands.add_parser("release", help="write lessons/ from solutions/")
    rel.add_argument("--check", action="store_true", help="only report whether lessons/ is stale")
    rel.add_argument("--solutions", default="solutions", help="source folder (default: solutions)")
    rel.add_argument("--lessons", default="lessons", help="target folder (default: lessons)")
    rel.set_defaults(run=_release)
    exe = commands.add_parser("execute", help="re-run notebooks and store their outputs")
    exe.add_argument("notebooks", nargs="+", help="notebook files")
    exe.add_argument("--timeout", type=int, default=120, help="seconds allowed per cell (default: 120)")
    exe.set_defaults(run=_execute)
    grd = commands.add_parser("grade", help="grade students' notebooks")
    grd.add_argument("submissions", nargs="+", help="notebook files, or folders of them")
    grd.add_argument("--out", default="grades", help="folder for the reports (default: grades)")
    grd.add_argument("--lesson", help="the lesson every submission must be from, such as 07 "
                                      "(default: each notebook's own metadata or file name)")
    grd.add_argument("--points", help="JSON file overriding points or choosing exercises: "
                                      '{"points": {"07.1": 2}, "exercises": ["07.1", "07.3"]}')
    grd.add_argument("--jobs", type=int, help="submissions graded at once (default: one more than the CPU cores)")
    grd.add_argument("--cell-timeout", type=int, default=60, help="seconds one cell may run (default: 60)")
    grd.add_argument("--timeout", type=int, default=600,
                     help="seconds one submission may take, all its reruns together (default: 600)")
    grd.add_argument("--seed", type=int, help="seed of the hidden checks' inputs (default: drawn fresh at random "
                                              "for every run; pass the gradebook's seed to repeat a run exactly)")
    grd.add_argument("--feedback", choices=("md", "html"), default="md", help="feedback format (default: md)")
    grd.add_argument("--require-sandbox", action="store_true",
                     help="refuse to grade when the students' kernels cannot run in the bubblewrap sandbox "
                          "(by default they run without it and every report says UNSANDBOXED)")
    grd.add_argument("--course", default=str(_course_root()), help="folder holding lessons/ and solutions/ "
                                                                 "(default: this checkout)")
    grd.set_defaults(run=_grade)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
