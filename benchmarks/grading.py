"""Benchmark: grading a class of 30 submissions of one lesson with ``bp_course.grading``.

Run from the repository root::

    python benchmarks/grading.py [--lesson 02] [--students 30] [--jobs 1 2]

The class mixes solved, partly solved and unsolved notebooks (a third
each), built from the course's own solution and lesson. Each job count
grades the whole class once; the figure is wall-clock seconds for the
batch, reports not included. Results go to benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import tempfile
import time
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="02")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_class(Path(tmp), args.lesson, args.students)
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
