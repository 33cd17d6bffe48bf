"""Benchmark: bp_course's backprop on the handwritten digits, beside a per-example loop and PyTorch autograd.

Run from the repository root::

    python benchmarks/digits.py [--repeat 7] [--epochs 30]

It trains the 64-30-10 logistic network with squared error (the set-up of
M. Nielsen's book, eta = 3.0) on :func:`bp_course.datasets.digits` and
reports, all measured in this one run:

1. seconds per epoch (median of ``--repeat`` epochs) for mini-batches of 10
   and 100: ``Network.train_epoch``; the classic per-example loop
   (``benchmarks/per_example.py``); PyTorch on the CPU with autograd, when
   torch is installed (``pip install torch==2.13.0``; skipped with a
   message otherwise), as ``nn`` + ``optim`` code and as a hand-written
   tensor loop. All compute in float64 from the same initial weights;
2. time(forward + backward) / time(forward) for 64-30-10 at batch 100 and
   784-256-256-10 at batch 256, through the public ``forward`` and
   ``backward`` (validation included), with the work arrays reused as
   ``train_epoch`` does and with fresh arrays (the default);
3. the gradient check of the 64-30-10 network on 20 digits, norm-wise and
   largest element-wise relative errors, in float64 and float32;
4. test accuracy after ``--epochs`` epochs (batch 10), for three seeds, and
   for PyTorch from the same initial weights.

Timings are not tests: this script is run by hand and its table goes into
benchmarks/README.md and the issue notes.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from bp_course import datasets, gradcheck
from bp_course.network import Network

try:
    from per_example import PerExampleNetwork, per_example_epoch
except ImportError:  # run as a module from elsewhere
    from benchmarks.per_example import PerExampleNetwork, per_example_epoch

SIZES = [64, 30, 10]
ETA = 3.0


def _median_time(run, repeat: int) -> float:
    times = []
    for k in range(repeat):
        start = time.perf_counter()
        run(k)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _batches(n, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n)
    return [order[k:k + batch_size] for k in range(0, n, batch_size)]


class TorchNetwork:
    """The same network in PyTorch, written the way PyTorch is usually written.

    ``nn.Linear`` and ``nn.Sigmoid`` layers in float64, loaded with the
    course network's initial weights; ``torch.optim.SGD`` with eta; the
    squared error 1/2 ||y - t||^2 averaged over the batch; autograd for the
    gradients. With ``manual=True`` it skips ``nn`` and ``optim`` and
    updates plain tensors by hand, a leaner loop shown for comparison.
    """

    def __init__(self, torch, W, b, manual=False):
        self.torch, self.manual = torch, manual
        layers = []
        for w, v in zip(W, b):
            linear = torch.nn.Linear(*w.shape).double()
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w.T))
                linear.bias.copy_(torch.from_numpy(v))
            layers += [linear, torch.nn.Sigmoid()]
        self.model = torch.nn.Sequential(*layers)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=ETA)
        self.params = [p.detach().clone().requires_grad_(True) for p in self.model.parameters()]

    def forward(self, x):
        if not self.manual:
            return self.model(x)
        a = x
        for k in range(0, len(self.params), 2):
            a = self.torch.sigmoid(a @ self.params[k].T + self.params[k + 1])
        return a

    def epoch(self, x, t, batch_size, seed):
        torch = self.torch
        x, t = torch.from_numpy(x), torch.from_numpy(t)
        for idx in _batches(len(x), batch_size, seed):
            idx = torch.from_numpy(idx)
            if not self.manual:
                self.optimizer.zero_grad()
            y = self.forward(x[idx])
            loss = 0.5 * ((y - t[idx]) ** 2).sum(dim=1).mean()
            loss.backward()
            if self.manual:
                with torch.no_grad():
                    for p in self.params:
                        p -= ETA * p.grad
                        p.grad = None
            else:
                self.optimizer.step()

    def accuracy(self, x, labels):
        with self.torch.no_grad():
            y = self.forward(self.torch.from_numpy(x)).numpy()
        return float(np.mean(y.argmax(axis=1) == labels))


def epoch_times(data, repeat, torch):
    """Seconds per epoch: bp_course, the per-example loop, PyTorch (idiomatic and hand-written), all from one start."""
    x, t = data.x_train, datasets.one_hot(data.labels_train)
    rows = []
    for batch_size in (10, 100):
        start = Network(SIZES, "logistic", seed=0)
        net = Network(SIZES, "logistic", seed=0)
        ref = PerExampleNetwork(start.W, start.b)
        row = {"batch": batch_size,
               "bp_course": _median_time(lambda k: net.train_epoch(x, t, ETA, batch_size, seed=k), repeat),
               "loop": _median_time(lambda k: per_example_epoch(ref, x, t, ETA, batch_size, k), repeat)}
        if torch is not None:
            for key, manual in (("torch", False), ("torch_manual", True)):
                tnet = TorchNetwork(torch, start.W, start.b, manual=manual)
                row[key] = _median_time(lambda k: tnet.epoch(x, t, batch_size, k), repeat)
        rows.append(row)
    return rows


def backward_ratio(sizes, n, repeat, reuse):
    """Median times of forward and of forward + backward, through the public methods."""
    rng = np.random.default_rng(0)
    net = Network(sizes, "logistic", seed=0)
    x, t = rng.uniform(size=(n, sizes[0])), rng.uniform(size=(n, sizes[-1]))
    forward = _median_time(lambda k: net.forward(x, reuse=reuse), repeat)
    both = _median_time(lambda k: net.backward(net.forward(x, reuse=reuse), t, reuse=reuse), repeat)
    return forward, both


def gradient_check(data):
    x, t = data.x_train[:20], datasets.one_hot(data.labels_train[:20])
    rows = []
    for dtype, h in ((np.float64, 1e-5), (np.float32, 1e-2)):
        net = Network(SIZES, "logistic", seed=0, dtype=dtype)
        report = gradcheck.check_network(net, x.astype(dtype), t.astype(dtype), h=h)
        rows.append((np.dtype(dtype).name, h, report.worst, max(report.max_entry_rel), report.passed))
    return rows


def accuracies(data, epochs, torch):
    x, t = data.x_train, datasets.one_hot(data.labels_train)
    ours = []
    for seed in range(3):
        net = Network(SIZES, "logistic", seed=seed)
        for e in range(epochs):
            net.train_epoch(x, t, ETA, 10, seed=1000 * seed + e)
        ours.append(net.accuracy(data.x_test, data.labels_test))
    theirs = None
    if torch is not None:
        start = Network(SIZES, "logistic", seed=0)
        tnet = TorchNetwork(torch, start.W, start.b)
        for e in range(epochs):
            tnet.epoch(x, t, 10, e)  # the same batches as bp_course's seed-0 run
        theirs = tnet.accuracy(data.x_test, data.labels_test)
    return ours, theirs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="bp_course backprop on the digits, beside its peers")
    parser.add_argument("--repeat", type=int, default=7, help="timed repetitions per figure (median)")
    parser.add_argument("--epochs", type=int, default=30, help="epochs for the accuracy figure")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: its columns are skipped (pip install torch==2.13.0 adds them).\n")
    data = datasets.digits()
    print(f"Python {platform.python_version()}, NumPy {np.__version__}"
          + (f", PyTorch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else "")
          + f"; digits: {len(data.x_train)} training, {len(data.x_test)} test images\n")

    print("| batch | bp_course s/epoch | per-example loop | PyTorch (nn + optim) | PyTorch (hand-written loop) | "
          "loop / bp_course | PyTorch nn / bp_course | PyTorch hand / bp_course |\n|---|---|---|---|---|---|---|---|")
    for row in epoch_times(data, args.repeat, torch):
        ours = row["bp_course"]
        cells = [f"{row['batch']}", f"{ours:.4f}", f"{row['loop']:.4f}"]
        cells += [f"{row[k]:.4f}" if k in row else "skipped" for k in ("torch", "torch_manual")]
        cells += [f"{row['loop'] / ours:.1f}x"]
        cells += [f"{row[k] / ours:.1f}x" if k in row else "-" for k in ("torch", "torch_manual")]
        print("| " + " | ".join(cells) + " |")

    print("\n| network | batch | arrays | forward, ms | forward + backward, ms | ratio |\n|---|---|---|---|---|---|")
    for sizes, n in (([64, 30, 10], 100), ([784, 256, 256, 10], 256)):
        for reuse in (True, False):
            forward, both = backward_ratio(sizes, n, max(args.repeat, 25), reuse)
            kind = "reused (training)" if reuse else "fresh (default)"
            print(f"| {'-'.join(map(str, sizes))} | {n} | {kind} | {1000 * forward:.3f} | {1000 * both:.3f} | "
                  f"{both / forward:.2f} |")

    print("\n| gradient check (64-30-10, 20 digits) | h | norm-wise rel. error | largest element-wise rel. error "
          "| passes float64 tolerances |\n|---|---|---|---|---|")
    for dtype, h, norm, entry, ok in gradient_check(data):
        print(f"| {dtype} | {h:g} | {norm:.1e} | {entry:.1e} | {'yes' if ok else 'no'} |")

    ours, theirs = accuracies(data, args.epochs, torch)
    print(f"\ntest accuracy after {args.epochs} epochs (batch 10, eta {ETA}): bp_course "
          + ", ".join(f"{a:.2%}" for a in ours) + f" (seeds 0-2, mean {np.mean(ours):.2%})"
          + (f"; PyTorch from the seed-0 weights {theirs:.2%}" if theirs is not None else ""))


if __name__ == "__main__":
    main()
