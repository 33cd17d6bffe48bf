"""Benchmark: what the checks inside ``Network.train_epoch`` cost, beside the same method at an earlier commit.

Run from the repository root::

    python benchmarks/epoch_checks.py [--before 8748db2] [--repeat 41]

Loads ``bp_course/network.py`` as it was at ``--before`` (through
``git show``) next to the working copy, and times one epoch of each on the
digits (64-30-10, logistic, squared error, eta 3.0) at batch 10 and 100,
round-robin, from the same weights and with the same shuffles. Prints the
fastest and the median CPU seconds per epoch (``time.process_time``, less
disturbed than wall time on a shared machine) and the ratios now / before.
A timing, not a test: run by hand, its figures go into the issue notes.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
import types

import numpy as np

from bp_course import datasets
from bp_course.network import Network


def network_at(revision: str):
    """The module ``bp_course.network`` as it was at a git revision."""
    source = subprocess.run(["git", "show", f"{revision}:bp_course/network.py"], check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType(f"network_at_{revision}")
    module.__dict__["__name__"] = module.__name__
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:bp_course/network.py", "exec"), module.__dict__)
    return module


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="8748db2", help="git revision to compare with")
    parser.add_argument("--repeat", type=int, default=41, help="epochs timed per version and batch size")
    args = parser.parse_args(argv)
    old = network_at(args.before)
    data = datasets.digits()
    x, t = data.x_train, datasets.one_hot(data.labels_train)
    print(f"| batch | before ({args.before}): fastest, median s/epoch | now: fastest, median s/epoch "
          "| now / before: fastest, median |\n|---|---|---|---|")
    for batch in (10, 100):
        nets = {"before": old.Network([64, 30, 10], "logistic", seed=0),
                "now": Network([64, 30, 10], "logistic", seed=0)}
        for net in nets.values():
            net.train_epoch(x, t, 3.0, batch, seed=10_000)
        # the same computation, to rounding (since issue 15 the two order some sums differently)
        assert all(np.allclose(a, b, rtol=0, atol=1e-12) for a, b in zip(nets["before"].params, nets["now"].params)), \
            "the two versions differ"
        times = {key: [] for key in nets}
        for k in range(args.repeat):
            for key, net in nets.items():  # round-robin, so drifts in machine load hit both alike
                start = time.process_time()
                net.train_epoch(x, t, 3.0, batch, seed=k)
                times[key].append(time.process_time() - start)
        (b_min, b_med), (n_min, n_med) = ((min(times[k]), statistics.median(times[k])) for k in ("before", "now"))
        print(f"| {batch} | {b_min:.5f}, {b_med:.5f} | {n_min:.5f}, {n_med:.5f} | "
              f"{n_min / b_min:.3f}, {n_med / b_med:.3f} |")


if __name__ == "__main__":
    main()
