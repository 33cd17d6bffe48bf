"""The classic per-example backpropagation, for comparison (benchmarks only, not part of the course package).

Written after M. Nielsen's ``network.py`` (Neural Networks and Deep
Learning, chapter 1): column vectors, and a Python loop over the examples of
each mini-batch, each example back-propagated on its own and the gradients
summed. It shares the course network's parameters (``W[l]`` is the
transpose of Nielsen's weight matrix) so both start from the same point.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))   # as network.py writes it (it overflows, with a warning, below z = -709)


class PerExampleNetwork:
    """A logistic network trained with squared error, one example at a time inside each mini-batch.

    Parameters
    ----------
    W, b : lists of ndarray
        Weights ``(n_in, n_out)`` and biases ``(n_out,)`` per layer, as in
        :class:`bp_course.network.Network`; copied.
    """

    def __init__(self, W, b):
        self.weights = [np.array(w.T) for w in W]               # (n_out, n_in), as in network.py
        self.biases = [np.array(v).reshape(-1, 1) for v in b]   # column vectors

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = _sigmoid(w @ a + b)
        return a

    def backprop(self, x, y):
        """Gradients of 1/2 ||a - y||^2 for one example (column vectors x, y)."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation, activations, zs = x, [x], []
        for w, b in zip(self.weights, self.biases):
            z = w @ activation + b
            zs.append(z)
            activation = _sigmoid(z)
            activations.append(activation)
        s = activations[-1]
        delta = (s - y) * s * (1 - s)
        nabla_b[-1] = delta
        nabla_w[-1] = delta @ activations[-2].T
        for l in range(2, len(self.weights) + 1):
            s = activations[-l]
            delta = (self.weights[-l + 1].T @ delta) * s * (1 - s)
            nabla_b[-l] = delta
            nabla_w[-l] = delta @ activations[-l - 1].T
        return nabla_b, nabla_w

    def update_mini_batch(self, xs, ys, eta):
        """One step of gradient descent on a mini-batch (rows of xs, ys), looping over its examples."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in zip(xs, ys):
            delta_nabla_b, delta_nabla_w = self.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        m = len(xs)
        self.weights = [w - (eta / m) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / m) * nb for b, nb in zip(self.biases, nabla_b)]


def per_example_epoch(network, x, t, eta, batch_size, seed):
    """One epoch of ``network.update_mini_batch`` on the mini-batches ``Network.train_epoch`` takes for ``seed``.

    The order is ``numpy.random.default_rng(seed).permutation(len(x))``, cut
    into consecutive batches of ``batch_size`` (the last may be smaller), as
    in :meth:`bp_course.network.Network.train_epoch`.
    """
    order = np.random.default_rng(seed).permutation(len(x))
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        network.update_mini_batch(x[batch], t[batch], eta)
