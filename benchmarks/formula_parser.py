"""Benchmark: how fast ``bp_course.symbolic`` refuses hostile formula strings, and checks real answers.

Run from the repository root::

    python benchmarks/formula_parser.py [--repeat 5]

Times, per string, the whole ``check_derivative`` call (reading, refusal or
exact comparison, proof), after one warm-up call; reports the median and the
maximum over the repeats, and the worst of each group. The hostile strings
are those of ``tests/test_formula_parser.py`` (issue 12 asks each to be
refused in under 50 ms); the add-ons are right answers plus a tiny term
(1e-30 times a bulky expression, or the red team's twelve fractions, each
with its own exp), which the exact comparison finds wrong; the quotients are
the difference quotients of ``tests/difference_quotients.py``. The last two
groups are also timed as the grader's hidden check (``prove=False``).
Results go to benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bp_course import symbolic  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from tests.test_formula_parser import HOSTILE, LOGISTIC, NEURON, RIGHT_04_4, SOFTMAX, TANH  # noqa: E402
from difference_quotients import CASES  # noqa: E402

RIGHT = [(LOGISTIC, "phi * (1 - phi)"), (LOGISTIC, "exp(-z) / (1 + exp(-z))^2"), (LOGISTIC, "phi(z)*(1 - phi(z))"),
         (TANH, "1 - tanh(z)^2"), (TANH, "4*phi(2*z)*(1 - phi(2*z))"), (NEURON["dE/dy"], "y - t"),
         (NEURON["dy/dnet"], "phi(net)*(1 - phi(net))"), (NEURON["dnet/dw1"], "x1"), (NEURON["dE/dw1"], RIGHT_04_4),
         (SOFTMAX["dy1/dnet2"], "-y1*y2"), (SOFTMAX["dE/dnet1"], "y1 - t1"),
         (NEURON["dE/dw1"], "(t - y) * y * (1 - y) * x1"), (LOGISTIC, "phi * (1 + phi)")]
GENERATORS = ["w1", "w2", "x1", "x2", "t", "w1*x1", "w2*x2", "w1*w2", "x1*x2", "w1 + x2", "w2 + x1", "t*w1"]
ADD_ONS = [(NEURON["dE/dw1"], f"{RIGHT_04_4} + 1e-30*{p}") for p in
           ("(x1+x2+w1+w2+t)**10", "(x1+x2+w1+w2+t)**4*(x1-x2)**3", "((x1+x2+w1+w2+t)**8)**8", "exp(60*w1*x1)",
            "(x1+x2)**2", "(x1+x2+w1+w2)**3")] + [
    (NEURON["dE/dw1"], RIGHT_04_4 + "".join(f" + {c}/({k + 2} + exp({g}))" for k, g in enumerate(GENERATORS)))
    for c in ("1e-30", "exp(-200)", "(tanh(w1) - sinh(w1)/cosh(w1))")]
QUESTIONS = {"03.1": LOGISTIC, "03.3": TANH, "04.1": NEURON["dE/dy"], "04.2": NEURON["dy/dnet"],
             "04.3": NEURON["dnet/dw1"], "04.4": NEURON["dE/dw1"], "08.4": SOFTMAX["dy1/dnet2"],
             "08.5": SOFTMAX["dE/dnet1"]}
QUOTIENTS = [(QUESTIONS[exercise], text) for exercise, _, text in CASES]
HIDDEN = "prove" in symbolic.check_derivative.__kwdefaults__  # the grader's call, where this version has it


def timed(question, text, **options) -> float:
    start = time.perf_counter()
    try:
        symbolic.check_derivative(text, question, **options)
    except symbolic.SymbolicInputError:
        pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    hidden = {"n_points": 8, "seed": 1, **({"prove": False} if HIDDEN else {})}
    for group, cases, options in (("hostile (refused)", [(q, t) for q, t, _ in HOSTILE], {}),
                                  ("right and wrong answers", RIGHT, {}), ("tiny add-ons (judged)", ADD_ONS, {}),
                                  ("tiny add-ons, hidden check", ADD_ONS, hidden),
                                  ("difference quotients", QUOTIENTS, {}),
                                  ("difference quotients, hidden check", QUOTIENTS, hidden)):
        rows = []
        for question, text in cases:
            timed(question, text, **options)
            times = [timed(question, text, **options) for _ in range(args.repeat)]
            rows.append((max(times), statistics.median(times), text))
        print(f"\n{group}: {len(rows)} strings; worst max {1000 * max(r[0] for r in rows):.1f} ms, "
              f"median of medians {1000 * statistics.median(r[1] for r in rows):.1f} ms")
        for worst, median, text in sorted(rows, reverse=True)[:5]:
            print(f"  max {1000 * worst:7.1f} ms  median {1000 * median:7.1f} ms  {text[:50]!r}")


if __name__ == "__main__":
    main()
