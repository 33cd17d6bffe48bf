"""How fast the course runs for a learner: notebook execution and check latency.

Run from the repository root::

    python benchmarks/lessons.py [--repeat 3]

It reports, for every solution notebook, the wall time of executing it top to
bottom in a fresh kernel (median of the repeats; kernel start-up included, as
a learner or nbval pays it) and the number of exercises; and, for every
derivation question of ``bp_course.symbolic``, how long one check takes
(median and worst over right and wrong answers). Nothing is written to the
notebooks. Figures go into issue notes and ``benchmarks/README.md``, not into
timed tests.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bp_course import notebooks, symbolic

ROOT = Path(__file__).resolve().parent.parent

ANSWERS = {
    "dphi/dz": (symbolic.logistic_derivative(), ["phi * (1 - phi)", "exp(-z) / (1 + exp(-z))^2",
                                                 "phi * (1 + phi)", "exp(-z) / (1 + exp(-z))", "z**3"]),
    "dtanh/dz": (symbolic.tanh_derivative(), ["1 - tanh(z)^2", "1/cosh(z)^2", "tanh(z) * (1 - tanh(z))", "z"]),
}
for key, question in symbolic.single_neuron().items():
    ANSWERS[key] = (question, {
        "dE/dy": ["y - t", "t - y", "2 * (y - t)", "y"],
        "dy/dnet": ["y * (1 - y)", "exp(-net) / (1 + exp(-net))^2", "1/(1 + exp(-y)) * (1 - 1/(1 + exp(-y)))", "y"],
        "dnet/dw1": ["x1", "w1", "1", "x1 * x2"],
        "dE/dw1": ["(y - t) * y * (1 - y) * x1", "(y - t) * y * (1 - y)", "(t - y) * y * (1 - y) * x1",
                   "(y - t) * x1", "(y - t) * y * (1 - y) * x2", "x1**2 * w2"],
    }[key])
for key, question in symbolic.softmax_cross_entropy().items():
    ANSWERS[key] = (question, {
        "dy1/dnet1": ["y1 * (1 - y1)", "y1", "y1 * y2"],
        "dy1/dnet2": ["-y1 * y2", "y1 * (1 - y1)", "0", "y1 * y2"],
        "dE/dnet1": ["y1 - t1", "y1 * (t1 + t2 + t3) - t1", "-t1 / y1", "-t1 * (1 - y1)", "(y1 - t1) * y1 * (1 - y1)",
                     "y1"],
    }[key])


def time_notebooks(repeat: int):
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for path in sorted((ROOT / "solutions").glob("*.ipynb")):
            seconds = []
            for _ in range(repeat):
                nb = notebooks.read(path)
                start = time.perf_counter()
                notebooks.execute(nb, cwd=folder)
                seconds.append(time.perf_counter() - start)
            exercises = len({notebooks.exercise(c) for c in nb.cells if notebooks.role(c) == "answer"})
            rows.append((path.name, statistics.median(seconds), exercises))
    return rows


def time_checks(repeat: int):
    rows = []
    for key, (question, answers) in ANSWERS.items():
        seconds = []
        for _ in range(repeat):
            for answer in answers:
                start = time.perf_counter()
                symbolic.check_derivative(answer, question)
                seconds.append(time.perf_counter() - start)
        rows.append((key, len(answers), statistics.median(seconds), max(seconds)))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per notebook and per answer (default 3)")
    args = parser.parse_args(argv)

    print("| notebook | exercises | execution, s (median) |\n|---|---|---|")
    total = 0.0
    for name, seconds, exercises in time_notebooks(args.repeat):
        total += seconds
        print(f"| {name} | {exercises} | {seconds:.2f} |")
    print(f"| all | | {total:.2f} |\n")
    print("| derivation check | answers | median, ms | worst, ms |\n|---|---|---|---|")
    for key, count, median, worst in time_checks(args.repeat):
        print(f"| {key} | {count} | {1000 * median:.0f} | {1000 * worst:.0f} |")


if __name__ == "__main__":
    main()
