"""Benchmark: ``Network.train_epoch`` beside a hand-tuned NumPy step and the per-example loop, round-robin.

Run from the repository root::

    python benchmarks/train_step.py [--repeat 36] [--before REVISION]

The 64-30-10 logistic network with squared error, eta = 3.0, on the
training split of :func:`bp_course.datasets.digits` (1,438 images), float64,
one BLAS thread (set below, before NumPy is imported). Three contenders
train from the same initial weights on the same shuffles:

1. ``Network.train_epoch``, the course's general code (any depth,
   activation and loss, inputs checked once per epoch, divergence caught);
2. a hand-tuned step for exactly this network (:class:`HandTuned`): the two
   layers unrolled, the logistic computed in place through ``exp``, every
   array preallocated, the shuffled data gathered into preallocated arrays;
3. the classic per-example loop (``benchmarks/per_example.py``).

Before timing, one epoch of each from the same weights and the same shuffle
must end at the same weights (to 1e-12): the three compute the same thing.
Then the epochs are timed round-robin: each repeat times one epoch of every
contender, in an order that changes from repeat to repeat (each contender
follows each other one equally often), so a slow spell of a shared machine
and the cold caches the per-example loop leaves behind hit them all alike; the table gives medians of CPU
time (``time.process_time``, less disturbed by other jobs than wall time)
and their ratios.
``--before REVISION`` adds ``Network.train_epoch`` as it was at a git
revision (``bp_course/network.py`` and ``activations.py`` loaded from git)
as a fourth contender.

Last, time(forward + backward) / time(forward) for 784-256-256-10 at batch
256 on the training path (the methods and work arrays ``train_epoch``
runs), also round-robin, with and without the weight update (timed alone
on the same arrays); with ``--before``, for that revision too.

First, the logistic's forms, in place on a 100 x 30 and a 256 x 256 array
(the hidden layer of the digits network at batch 100, of 784-256-256-10 at
256), and their largest relative error on [-700, 700] against exp in long
double (80-bit on x86: exact enough to see errors of 1e-16).

Timings are not tests: this script is run by hand, and its table goes into
benchmarks/README.md and the issue notes. Only ratios measured in one run
carry from one machine to another.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import itertools  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402

import numpy as np  # noqa: E402

from bp_course import datasets  # noqa: E402
from bp_course.activations import ACTIVATIONS  # noqa: E402
from bp_course.network import Network  # noqa: E402

try:
    from per_example import PerExampleNetwork, per_example_epoch
except ImportError:  # run as a module from elsewhere
    from benchmarks.per_example import PerExampleNetwork, per_example_epoch

SIZES = [64, 30, 10]
ETA = 3.0


class HandTuned:
    """The 64-30-10 logistic network with squared error, one mini-batch step written out by hand.

    What a careful NumPy programmer writes for this one network: both layers
    unrolled, no loop over layers, every intermediate array allocated once
    per batch size, ``out=`` everywhere, the logistic 1 / (1 + exp(-z))
    computed in place, and eta / n folded into the output delta once.
    """

    def __init__(self, W, b):
        self.W1, self.W2 = (np.array(w) for w in W)
        self.b1, self.b2 = (np.array(v) for v in b)
        self.buffers = {}
        self.xs = self.ts = None

    def _buffers(self, n):
        if n not in self.buffers:
            h, k = self.W1.shape[1], self.W2.shape[1]
            self.buffers[n] = tuple(np.empty(shape) for shape in
                                    ((n, h), (n, k), (n, k), (n, k), (n, h), (n, h),
                                     self.W1.shape, (h,), self.W2.shape, (k,)))
        return self.buffers[n]

    def step(self, x, t, eta):
        a1, y, d2, s2, d1, s1, dW1, db1, dW2, db2 = self._buffers(len(x))
        np.matmul(x, self.W1, out=a1)
        a1 += self.b1
        np.negative(a1, out=a1)
        np.exp(a1, out=a1)
        a1 += 1.0
        np.reciprocal(a1, out=a1)                    # out1 = phi(x W1 + b1)
        np.matmul(a1, self.W2, out=y)
        y += self.b2
        np.negative(y, out=y)
        np.exp(y, out=y)
        y += 1.0
        np.reciprocal(y, out=y)                      # y = phi(out1 W2 + b2)
        np.subtract(y, t, out=d2)
        np.subtract(1.0, y, out=s2)
        s2 *= y
        d2 *= s2
        d2 *= eta / len(x)                           # eta dE/dnet2, E averaged over the batch
        np.matmul(a1.T, d2, out=dW2)
        np.add.reduce(d2, axis=0, out=db2)
        np.matmul(d2, self.W2.T, out=d1)
        np.subtract(1.0, a1, out=s1)
        s1 *= a1
        d1 *= s1                                     # eta dE/dnet1
        np.matmul(x.T, d1, out=dW1)
        np.add.reduce(d1, axis=0, out=db1)
        self.W2 -= dW2
        self.b2 -= db2
        self.W1 -= dW1
        self.b1 -= db1

    def epoch(self, x, t, eta, batch_size, seed):
        if self.xs is None or self.xs.shape != x.shape:
            self.xs, self.ts = np.empty_like(x), np.empty_like(t)
        order = np.random.default_rng(seed).permutation(len(x))
        np.take(x, order, axis=0, out=self.xs)
        np.take(t, order, axis=0, out=self.ts)
        for start in range(0, len(x), batch_size):
            self.step(self.xs[start:start + batch_size], self.ts[start:start + batch_size], eta)

    @property
    def params(self):
        return [self.W1, self.b1, self.W2, self.b2]


def _tanh_form(z, keep):
    z *= 0.5                          # (1 + tanh(z / 2)) / 2: the course's form before issue 15
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5


def _exp_form(z, keep):
    np.negative(z, out=z)             # 1 / (1 + e^-z): the hand-tuned step's; overflows (a warning) below -709
    np.exp(z, out=z)
    z += 1.0
    np.reciprocal(z, out=z)


def _errstate_form(z, keep):
    with np.errstate(over="ignore"):
        _exp_form(z, keep)


def _sign_split_form(z, keep):
    np.abs(z, out=keep)               # e = e^-|z| never overflows; phi = e / (1 + e) for z < 0, 1 / (1 + e) else
    np.negative(keep, out=keep)
    np.exp(keep, out=keep)
    numerator = np.where(z < 0.0, keep, 1.0)
    keep += 1.0
    np.divide(numerator, keep, out=z)


LOGISTIC_FORMS = {
    "(1 + tanh(z/2)) / 2": _tanh_form,
    "1 / (1 + exp(-z)), unguarded": _exp_form,
    "1 / (1 + exp(-z)) in errstate": _errstate_form,
    "split on the sign of z": _sign_split_form,
}
if hasattr(ACTIVATIONS["logistic"], "activate"):  # since issue 15
    LOGISTIC_FORMS["e / (1 + e), e = exp(min(z, 709)) (activate)"] = ACTIVATIONS["logistic"].activate


def logistic_forms(repeat: int) -> list:
    """Per form: microseconds in place on 100 x 30 and 256 x 256 float64 arrays (round-robin medians of 200 and 20
    calls), and the largest relative error over z in [-700, 700] against exp in long double."""
    rng = np.random.default_rng(0)
    rows = {name: [] for name in LOGISTIC_FORMS}
    for shape, calls in (((100, 30), 200), ((256, 256), 20)):
        z0 = rng.normal(scale=4.0, size=shape)
        z, keep = np.empty_like(z0), np.empty_like(z0)

        def timed(form):
            def run(k):
                for _ in range(calls):
                    np.copyto(z, z0)
                    form(z, keep)
            return run
        copy = round_robin({"copy": lambda k: [np.copyto(z, z0) for _ in range(calls)]}, repeat)["copy"]
        medians = round_robin({name: timed(form) for name, form in LOGISTIC_FORMS.items()}, repeat)
        for name in LOGISTIC_FORMS:
            rows[name].append(1e6 * (medians[name] - copy) / calls)
    grid = np.linspace(-700.0, 700.0, 14001)
    wide = grid.astype(np.longdouble)
    exact = 1 / (1 + np.exp(-wide))
    for name, form in LOGISTIC_FORMS.items():
        z, keep = grid.copy(), np.empty_like(grid)
        with np.errstate(over="ignore"):
            form(z, keep)
        rows[name].append(float(np.max(np.abs(z.astype(np.longdouble) - exact) / exact)))
    return [(name, *values) for name, values in rows.items()]


def _source_at(revision, path):
    return subprocess.run(["git", "show", f"{revision}:{path}"], check=True, capture_output=True, text=True).stdout


def network_at(revision: str):
    """The class ``Network`` as it was at a git revision, with the activations of that revision."""
    modules = {}
    for name in ("activations", "network"):
        module = types.ModuleType(f"{name}_at_{revision}")
        sys.modules[module.__name__] = module  # dataclasses look their module up
        exec(compile(_source_at(revision, f"bp_course/{name}.py"), f"{revision}:bp_course/{name}.py", "exec"),
             module.__dict__)
        modules[name] = module
    modules["network"].get_activation = modules["activations"].get_activation
    return modules["network"].Network


def _params(contender):
    if isinstance(contender, PerExampleNetwork):
        return [p for w, b in zip(contender.weights, contender.biases) for p in (w.T, b[:, 0])]
    return contender.params


def contenders(x, t, batch_size, old_network=None):
    """name -> (epoch function of a seed, parameters function), all from the same initial weights."""
    start = Network(SIZES, "logistic", seed=0)
    net = Network(SIZES, "logistic", seed=0)
    hand = HandTuned(start.W, start.b)
    loop = PerExampleNetwork(start.W, start.b)
    found = {"train_epoch": (lambda seed: net.train_epoch(x, t, ETA, batch_size, seed=seed), net),
             "hand-tuned": (lambda seed: hand.epoch(x, t, ETA, batch_size, seed), hand),
             "per-example": (lambda seed: per_example_epoch(loop, x, t, ETA, batch_size, seed), loop)}
    if old_network is not None:
        old = old_network(SIZES, "logistic", seed=0)
        found["train_epoch before"] = (lambda seed: old.train_epoch(x, t, ETA, batch_size, seed=seed), old)
    return found


def check_same_weights(x, t, batch_size, old_network=None, tolerance=1e-12):
    """One epoch of each contender from the same start and shuffle; the largest weight difference to train_epoch."""
    found = contenders(x, t, batch_size, old_network)
    for run, _ in found.values():
        run(0)
    ours = _params(found["train_epoch"][1])
    gaps = {}
    for name, (_, contender) in found.items():
        gaps[name] = max(float(np.max(np.abs(p - q))) for p, q in zip(ours, _params(contender)))
        if gaps[name] > tolerance:
            raise AssertionError(f"{name} ends one epoch {gaps[name]:.1e} away from train_epoch: not the same "
                                 "computation, so no fair comparison")
    return gaps


def round_robin(runs: dict, repeat: int) -> dict:
    """Median CPU seconds of each run, timed one after the other, ``repeat`` times each.

    Repeat k runs the contenders in the k-th of all their orders (cycling
    through ``itertools.permutations``), so each follows each of the others
    equally often: a contender that leaves the caches cold (the per-example
    loop) slows its successor, and that must not fall on one contender more
    than on another. CPU time of this process (``time.process_time``; one
    thread does all the work), which other jobs on a shared machine disturb
    less than wall time.
    """
    names = list(runs)
    orders = list(itertools.permutations(names))
    times = {name: [] for name in names}
    for k in range(repeat):
        for name in orders[k % len(orders)]:
            start = time.process_time()
            runs[name](k)
            times[name].append(time.process_time() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def epoch_table(data, repeat, old_network=None):
    x, t = data.x_train, datasets.one_hot(data.labels_train)
    rows = []
    for batch_size in (10, 100):
        gaps = check_same_weights(x, t, batch_size, old_network)
        found = contenders(x, t, batch_size, old_network)
        for run, _ in found.values():  # warm-up: buffers allocated, caches filled
            run(10_000)
        rows.append((batch_size, gaps, round_robin({name: run for name, (run, _) in found.items()}, repeat)))
    return rows


def training_path(net, x, t):
    """Three functions of one training step on (x, t): the forward pass, the forward and backward pass, the update.

    Through the methods ``Network.train_epoch`` runs: ``_train_forward`` and
    ``_train_backward`` on a plan's arrays (since issue 15; the backward pass
    updates the weights as it goes, so "forward + backward" is timed with the
    update and the update alone is timed on the same arrays), or, for a
    ``--before`` revision that lacks them, ``_forward`` and ``_backprop`` on
    reused work arrays followed by ``W -= dW`` and ``b -= db``.
    """
    if hasattr(net, "_train_forward"):
        plan = net._train_plan(len(x))
        x_columns = np.hstack([x, np.ones((len(x), 1))]).T      # as train_epoch stores a batch
        t_columns = np.ascontiguousarray(t.T).T

        def update():
            for Wb, grad in zip(plan.Wb, plan.grad):
                Wb -= grad
        return (lambda: net._train_forward(plan, x_columns),
                lambda: (net._train_forward(plan, x_columns), net._train_backward(plan, x_columns, t_columns, ETA)),
                update)

    work = {}

    def both():
        f = net._forward(x, reuse=True)
        work["grads"] = net._backprop(f.net, f.out, t, scale=ETA, reuse=True)
        update()

    def update():
        dW, db, _ = work["grads"]
        for l in range(len(dW)):
            net.W[l] -= dW[l]
            net.b[l] -= db[l]
    return lambda: net._forward(x, reuse=True), both, update


def backward_ratio(network_class, sizes, n, repeat):
    """Median ms of the forward pass, of forward + backward + update, and of the update alone, round-robin."""
    rng = np.random.default_rng(0)
    net = network_class(sizes, "logistic", seed=0)
    x, t = rng.uniform(size=(n, sizes[0])), rng.uniform(size=(n, sizes[-1]))
    forward, both, update = training_path(net, x, t)
    both()
    medians = round_robin({"forward": lambda k: forward(), "step": lambda k: both(), "update": lambda k: update()},
                          repeat)
    return {key: 1000 * value for key, value in medians.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=36,
                        help="epochs timed per contender and batch size (median); 36 runs each order of three "
                             "contenders six times")
    parser.add_argument("--before", help="also time Network.train_epoch as it was at this git revision")
    args = parser.parse_args(argv)
    old_network = network_at(args.before) if args.before else None
    data = datasets.digits()
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, one BLAS thread; "
          f"digits: {len(data.x_train)} training images; 64-30-10 logistic, squared error, eta {ETA}; "
          f"{args.repeat} epochs per contender, round-robin, medians\n")
    print("| logistic, in place | 100 x 30, us | 256 x 256, us | largest relative error on [-700, 700] |\n"
          "|---|---|---|---|")
    for name, small, large, error in logistic_forms(max(args.repeat // 2, 11)):
        print(f"| {name} | {small:.1f} | {large:.1f} | {error:.1e} |")
    print()
    rows = epoch_table(data, args.repeat, old_network)
    names = list(rows[0][2])
    print("| batch | " + " | ".join(f"{name}, ms/epoch" for name in names)
          + " | train_epoch / hand-tuned | per-example / train_epoch |"
          + (" train_epoch / before |" if old_network else ""))
    print("|---" * (len(names) + 3 + bool(old_network)) + "|")
    for batch_size, gaps, medians in rows:
        cells = [str(batch_size)] + [f"{1000 * medians[name]:.2f}" for name in names]
        cells += [f"{medians['train_epoch'] / medians['hand-tuned']:.2f}",
                  f"{medians['per-example'] / medians['train_epoch']:.1f}"]
        if old_network:
            cells.append(f"{medians['train_epoch'] / medians['train_epoch before']:.2f}")
        print("| " + " | ".join(cells) + " |")
    print("\nlargest weight difference to train_epoch after one epoch from the same start and shuffle: "
          + "; ".join(f"batch {b}: " + ", ".join(f"{name} {gap:.1e}" for name, gap in gaps.items() if gap)
                      for b, gaps, _ in rows))

    print("\n| network | batch | train_epoch of | forward, ms | forward + backward + update, ms | update, ms | "
          "(forward + backward + update) / forward | (forward + backward) / forward |\n"
          "|---|---|---|---|---|---|---|---|")
    versions = [("bp_course as imported", Network)] + ([(args.before, old_network)] if old_network else [])
    for name, network_class in versions:
        ms = backward_ratio(network_class, [784, 256, 256, 10], 256, max(args.repeat, 41))
        print(f"| 784-256-256-10 | 256 | {name} | {ms['forward']:.3f} | {ms['step']:.3f} | {ms['update']:.3f} | "
              f"{ms['step'] / ms['forward']:.2f} | {(ms['step'] - ms['update']) / ms['forward']:.2f} |")

if __name__ == "__main__":
    main()
