"""Command line: ``python -m bp_course COMMAND``.

Commands
--------
release [--check]
    Write lessons/ from solutions/; with ``--check``, change nothing and exit
    with status 1, naming the notebooks, when lessons/ is stale.
execute NOTEBOOK...
    Re-run solution notebooks top to bottom in a fresh kernel and store
    their outputs (authors run this after editing a solution).
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
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
