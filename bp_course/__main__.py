"""Command line: ``python -m bp_course COMMAND``.

Commands
--------
release [--check]
    Write lessons/ from solutions/; with ``--check``, change nothing and exit
    with status 1, naming the notebooks, when lessons/ is stale.
execute NOTEBOOK... [--allow-errors]
    Re-run solution notebooks top to bottom in a fresh kernel and store
    their outputs (authors run this after editing a solution); with
    ``--allow-errors``, run on past failing cells and store their errors
    (to see what a learner meets in an unsolved lesson).
grade SUBMISSION... [--out DIR] [--lesson NN] [--points FILE] ...
    Grade students' notebooks (files or folders of them); see
    :mod:`bp_course.grading` and the README's section for instructors.
autograder --lesson NN --out DIR [--points FILE] ...
    Build the Gradescope autograder zip of a lesson
    (:mod:`bp_course.platforms.gradescope`).
export-nbgrader --out DIR [--lesson NN]...
    Write the lessons with nbgrader's cell metadata, as an nbgrader course's
    ``source/`` folder (:mod:`bp_course.platforms.nbgrader`).
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
            notebooks.execute(nb, cwd=path.parent.resolve(), timeout=args.timeout, allow_errors=args.allow_errors)
        except Exception as error:  # nbclient reports the failing cell in its message
            print(f"{path}: execution failed:\n{error}", file=sys.stderr)
            status = 1
            continue
        notebooks.write(nb, path)
        print(f"executed {path}")
    return status


def _course_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _course_option(parser) -> None:
    parser.add_argument("--course", default=str(_course_root()),
                        help="folder holding lessons/ and solutions/ (default: this checkout)")


def _grade(args) -> int:
    from bp_course import grading
    from bp_course.grading import reports, sandbox
    from bp_course.grading.submission import SubmissionError

    try:
        policy = grading.load_policy(args.points) if args.points else grading.Policy()
        policy.accept_flagged = args.accept_flagged
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
                                          timeout=args.timeout, require_sandbox=args.require_sandbox,
                                          roots=[s for s in args.submissions if Path(s).is_dir()])
    except (SubmissionError, sandbox.SandboxUnavailable) as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    out = reports.write_reports(results, args.out, seed, feedback=args.feedback)
    print(reports.table(results))
    print(f"\nreports in {out}/: gradebook.csv, feedback/, results/ (hidden-check seed {seed}, in the gradebook "
          "only: regrade with --seed to draw the same inputs)")
    return 0


def _autograder(args) -> int:
    from bp_course.platforms import gradescope

    try:
        path = gradescope.build(args.lesson, args.out, course=args.course, points=args.points,
                                require_sandbox=not args.allow_unsandboxed, timeout=args.timeout,
                                cell_timeout=args.cell_timeout)
    except gradescope.AutograderError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB): upload it on Gradescope as the assignment's autograder")
    if args.allow_unsandboxed:
        print("warning: built with --allow-unsandboxed: where bubblewrap does not work, students' code runs "
              "without the sandbox and could read the reference answers or write its own results",
              file=sys.stderr)
    return 0


def _export_nbgrader(args) -> int:
    from bp_course.platforms import nbgrader

    try:
        written = nbgrader.export(args.out, course=args.course, lessons=args.lesson)
    except nbgrader.ExportError as error:
        print(f"export-nbgrader: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


def main(argv=None) -> int:
    from bp_course.platforms.gradescope import DEFAULT_TIMEOUT

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
    exe.add_argument("--allow-errors", action="store_true",
                     help="run on after a cell fails and store its error (default: stop at the first)")
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
    grd.add_argument("--accept-flagged", action="store_true",
                     help="let answers flagged for review (code that reaches into the course's checks, its own "
                          "implementation of the exercise, the call stack...) earn their points; by default their "
                          "points are held (status 'held', H in the table) until you accept them")
    _course_option(grd)
    grd.set_defaults(run=_grade)
    agr = commands.add_parser("autograder", help="build the Gradescope autograder zip of a lesson")
    agr.add_argument("--lesson", required=True, help="the lesson to grade, such as 07")
    agr.add_argument("--out", required=True, help="folder to write the zip to")
    agr.add_argument("--points", help="the grader's points file, copied into the zip (see `grade --points`)")
    agr.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT,
                     help=f"seconds one submission may take (default: {DEFAULT_TIMEOUT}; keep it below the assignment's "
                          "autograder timeout on Gradescope)")
    agr.add_argument("--cell-timeout", type=int, default=60, help="seconds one cell may run (default: 60)")
    agr.add_argument("--allow-unsandboxed", action="store_true",
                     help="grade even where the bubblewrap sandbox does not work (by default such a submission "
                          "is not graded, and its result says why)")
    _course_option(agr)
    agr.set_defaults(run=_autograder)
    nbg = commands.add_parser("export-nbgrader", help="write the lessons with nbgrader's cell metadata")
    nbg.add_argument("--out", required=True, help="the nbgrader course folder to write source/ into")
    nbg.add_argument("--lesson", action="append", help="a lesson to export, such as 07 (repeatable; default: all)")
    _course_option(nbg)
    nbg.set_defaults(run=_export_nbgrader)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
