"""Checks for Lesson 06, "Backprop in matrix form".

A layer's forward step with a bias, the weight and bias gradients of a
layer for a mini-batch, the backward pass of a logistic network of any depth
(checked against :class:`bp_course.network.Network`), and the count of paths
that makes naive differentiation exponential in depth.
"""

from __future__ import annotations

import numpy as np

from bp_course.activations import logistic
from bp_course.checks import backward_pass, hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.backward_pass import flawed_backward, labelled, shape_of
from bp_course.checks.core import CheckFailed, Mistake, call, expect_function, passed
from bp_course.network import Network

__all__ = ["HIDDEN", "layer_forward", "weight_gradient", "bias_gradient", "backward", "count_paths"]

_RNG = np.random.default_rng(6)
_BATCHES = [(_RNG.normal(size=(n, a)), _RNG.normal(size=(a, b)), _RNG.normal(size=b))
            for n, a, b in ((4, 3, 2), (1, 2, 5), (6, 5, 5))]


_TRANSPOSED = ("W is transposed: W[l] is stored (inputs, outputs), w_ij in row i (the neuron it comes from) and "
               "column j (the neuron it goes to), so out @ W already gives one column per neuron of the next layer. "
               "out @ W.T is the formula of texts that store W the other way round, (outputs, inputs) "
               "(the table in section 2).")


def _transposes_W(fn, out, W, b) -> bool:
    """True when ``fn`` computes out @ W.T + b: called with W transposed, it gives the right answer."""
    try:
        value = np.asarray(fn(out.copy(), W.T.copy(), b.copy()), dtype=np.float64)
    except Exception:  # the learner's code may raise anything
        return False
    return value.shape == (len(out), W.shape[1]) and bool(np.allclose(value, out @ W + b))


_W_FIRST = ("out has one row per example, shape (n, inputs), and W has shape (inputs, outputs): each row of out "
            "meets the columns of W, so out comes first in the product; W @ out has the factors the wrong way round.")


def _same_error(error, slip) -> bool:
    """True when ``slip()`` raises exactly ``error`` (same type, same message)."""
    try:
        slip()
    except Exception as expected:  # the slip's own error, compared with the learner's
        return type(expected) is type(error) and str(expected) == str(error)
    return False


def _diagnosed(fn):
    """The learner's layer_forward, whose errors name their arguments as shapes, and name a transposed W."""
    if not callable(fn):
        return fn

    def layer_forward(out, W, b):
        try:
            return fn(out, W, b)
        except NotImplementedError:
            raise
        except Exception as error:  # the learner's code may raise anything
            shown = f"layer_forward(out={shape_of(out)}, W={shape_of(W)}, b={shape_of(b)})"
            hint = (f"\nHint: {_TRANSPOSED}" if _transposes_W(fn, out, W, b)
                    else f"\nHint: {_W_FIRST}" if _same_error(error, lambda: W @ out + b) else "")
            raise CheckFailed("06.1", f"{shown} raised {type(error).__name__}: {error}{hint}") from None
    return layer_forward


def layer_forward(fn) -> None:
    """Exercise 06.1: ``fn(out, W, b)`` must return net = out @ W + b for a batch (one example per row).

    Examples
    --------
    >>> layer_forward(lambda out, W, b: out @ W + b)
    ✔ Exercise 06.1 passed: net = out W + b, one row per example, the bias added to every row.
    """
    cases = [{"out": o, "W": W, "b": b} for o, W, b in _BATCHES]
    mistakes = [
        Mistake(lambda out, W, b: out @ W, "the bias b is missing: net = out @ W + b."),
        Mistake(lambda out, W, b: out @ W + b.sum(), "the bias is a vector, one entry per neuron of the layer: "
                                                     "add b itself (NumPy broadcasts it to every row)."),
        Mistake(lambda out, W, b: (out @ W + b).sum(axis=0), "that adds up the examples; keep one row per example."),
        Mistake(lambda out, W, b: out @ W.T + b, _TRANSPOSED),
        Mistake(lambda out, W, b: logistic(out @ W + b), "that is the layer's output phi(net); layer_forward "
                                                         "returns the net input itself, before the activation."),
    ]
    expect_function("06.1", _diagnosed(fn), cases, lambda out, W, b: out @ W + b, name="layer_forward",
                    mistakes=mistakes)
    passed("06.1", "net = out W + b, one row per example, the bias added to every row.")


_SWAPPED = ("out is (n, inputs) and delta is (n, outputs), one row per example; dE/dW is (inputs, outputs), and "
            "the product must add up over the examples, so the examples' axis is the one the product contracts: "
            "O^T Delta, out.T @ delta. The transposes are swapped in out @ delta.T (that would contract the "
            "neurons, and it only runs when the two layers happen to have the same width).")


def _weight_gradient_diagnosed(fn):
    """The learner's weight_gradient, whose shape errors name the arguments' shapes and the product O^T Delta."""
    if not callable(fn):
        return fn

    def weight_gradient(out, delta):
        try:
            return fn(out, delta)
        except NotImplementedError:
            raise
        except ValueError as error:  # a product whose shapes do not fit
            raise CheckFailed("06.2", f"weight_gradient(out={shape_of(out)}, delta={shape_of(delta)}) raised "
                                      f"ValueError: {error}\nHint: {_SWAPPED}") from None
    return weight_gradient


def weight_gradient(fn) -> None:
    """Exercise 06.2: ``fn(out, delta)`` must return dE/dW = out^T delta / n (E averaged over n examples).

    Examples
    --------
    >>> weight_gradient(lambda out, delta: out.T @ delta / len(out))
    ✔ Exercise 06.2 passed: dE/dW = out^T delta / n: entry (i, j) is the mean of o_i delta_j over the batch.
    """
    cases = [{"out": o, "delta": _RNG.normal(size=(len(o), W.shape[1]))} for o, W, _ in _BATCHES]
    mistakes = [
        Mistake(lambda out, delta: out.T @ delta, "that is the sum over the batch; E is the average, so divide by n."),
        Mistake(lambda out, delta: delta.T @ out / len(out), "the result is transposed: entry (i, j) belongs to "
                                                             "w_ij, so rows follow out and columns follow delta: "
                                                             "out.T @ delta."),
        Mistake(lambda out, delta: np.outer(out.mean(axis=0), delta.mean(axis=0)),
                "that multiplies the batch averages; the gradient averages the products o_i delta_j example by "
                "example (out.T @ delta / n)."),
    ]
    expect_function("06.2", _weight_gradient_diagnosed(fn), cases, lambda out, delta: out.T @ delta / len(out),
                    name="weight_gradient", mistakes=mistakes)
    passed("06.2", "dE/dW = out^T delta / n: entry (i, j) is the mean of o_i delta_j over the batch.")


def bias_gradient(fn) -> None:
    """Exercise 06.3: ``fn(delta)`` must return dE/db = the mean of delta over the batch.

    Examples
    --------
    >>> bias_gradient(lambda delta: delta.mean(axis=0))
    ✔ Exercise 06.3 passed: a bias is a weight whose input is always 1, so dE/db_j is the mean of delta_j.
    """
    cases = [{"delta": _RNG.normal(size=(n, m))} for n, m in ((4, 2), (1, 5), (6, 3))]
    mistakes = [
        Mistake(lambda delta: delta.sum(axis=0), "that is the sum over the batch; E is the average, so take the mean."),
        Mistake(lambda delta: delta.mean(axis=1), "that averages over the neurons; average over the examples "
                                                  "(axis 0), one gradient per neuron."),
        Mistake(lambda delta: delta.mean(), "that averages everything into one number; there is one bias, and one "
                                            "gradient, per neuron: delta.mean(axis=0)."),
    ]
    expect_function("06.3", fn, cases, lambda delta: delta.mean(axis=0), name="bias_gradient", mistakes=mistakes)
    passed("06.3", "a bias is a weight whose input is always 1, so dE/db_j is the mean of delta_j.")


def _network(W, b):
    net = Network([W[0].shape[0]] + [w.shape[1] for w in W], "logistic")
    net.W, net.b = [w.copy() for w in W], [v.copy() for v in b]
    return net


def _reference(W, b, x, t):
    """The right gradients, from the course's :class:`Network` (a route independent of the mistakes' code)."""
    grads = _network(W, b).gradients(x, t)
    return {**labelled("dW", grads.dW), **labelled("db", grads.db)}


def _cases():
    rng = np.random.default_rng(7)
    cases = []
    for sizes, n in (((2, 3, 1), 4), ((3, 4, 4, 2), 5), ((2, 2, 2, 2, 1), 1)):
        W = [rng.normal(size=(a, c)) for a, c in zip(sizes, sizes[1:])]
        b = [rng.normal(size=c) for c in sizes[1:]]
        cases.append({"W": W, "b": b, "x": rng.normal(size=(n, sizes[0])), "t": rng.uniform(size=(n, sizes[-1]))})
    return cases


def _flawed(**flaws):
    """A mistake's gradients: :func:`backward_pass.flawed_backward` with one flaw, labelled."""
    def value(W, b, x, t):
        dW, db = flawed_backward(W, b, x, t, **flaws)
        return {**labelled("dW", dW), **labelled("db", db)}
    return value


_MISTAKES = backward_pass.mistakes(_flawed, averaged="dW and db", with_biases=True) + [
    Mistake(_flawed(biases=False), "these are the gradients of the network without its biases: the forward pass "
                                   "must add each layer's bias, net = out @ W[l] + b[l] (your layer_forward)."),
    Mistake(_flawed(bias_gradient="zero"), "the bias gradients are missing (zero): db[l] is the mean over the "
                                           "examples of the deltas of the layer the bias feeds (Exercise 06.3)."),
    Mistake(_flawed(bias_gradient="sum"), "the bias gradients are sums over the batch; E is the average, so db[l] "
                                          "is the mean of the deltas (Exercise 06.3)."),
]


def _diagnose(verdicts):
    if all(all(label.startswith("db") for label in wrong) for _, wrong in verdicts):
        return ("every dW[l] is right, so your deltas are; some db[l] are not: a bias is a weight whose input is "
                "always 1, so db[l] is the mean over the examples of the deltas of the layer it feeds (Exercise 06.3).")
    if backward_pass.last_layer_right(verdicts):
        return ("the output layer's dW and db are right in every case, so your output deltas are; earlier layers' "
                "are not, so look at how the deltas go back (Eq. 5): delta @ W[l].T, times the slope "
                "out (1 - out) of layer l, then dW[l - 1] from the outputs of layer l - 1.")
    return None


def _unpack(result, expected):
    depth = len(expected) // 2
    if not (isinstance(result, (list, tuple)) and len(result) == 2
            and all(isinstance(r, (list, tuple)) and len(r) == depth for r in result)):
        raise CheckFailed("06.4", f"backward should return two lists (dW, db), one array per layer in each "
                                  f"({depth} layers here); got {type(result).__name__} {shape_of(result)}")
    return dict(zip(expected, list(result[0]) + list(result[1])))


def _on_error(error, fn, case):
    if isinstance(error, (ValueError, IndexError)):
        W = case["W"]
        shapes = ", ".join(f"W[{l}] {w.shape}" for l, w in enumerate(W))
        return (f"here the layers are {shapes}, and x is {case['x'].shape}. Going forward, layer l's output "
                f"(n, W[l].shape[0]) times W[l] gives (n, W[l].shape[1]); going back, the deltas of layer l + 1 "
                "return through the same W[l] transposed. The input layer (l = 0) needs no delta. Print the "
                "shapes of your arrays to find the step that does not fit.")
    return None


def backward(fn) -> None:
    """Exercise 06.4: ``fn(W, b, x, t)`` must return (dW, db), lists of gradients for a logistic network of any depth.

    The gradients are compared array by array, each under its name (``dW[0]``, ``db[1]``); a wrong answer
    gets the hint of the mistake that explains every array of every case.

    Examples
    --------
    >>> backward(_reference_backward)
    ✔ Exercise 06.4 passed: one loop over the layers, backwards; no loop over the examples.
    """
    backward_pass.expect_gradients("06.4", fn, _cases(), _reference, name="backward", unpack=_unpack,
                                   mistakes=_MISTAKES, diagnose=_diagnose, on_error=_on_error)
    passed("06.4", "one loop over the layers, backwards; no loop over the examples.")


def count_paths(fn) -> None:
    """Exercise 06.5: ``fn(width, depth)`` must return the number of paths from one input to one output.

    The network has ``depth`` hidden layers of ``width`` neurons each, fully
    connected; a path picks one neuron in every hidden layer.

    Examples
    --------
    >>> count_paths(lambda width, depth: width ** depth)
    ✔ Exercise 06.5 passed: width ** depth paths: exponential in depth.
    """
    cases = [{"width": w, "depth": d} for w, d in ((2, 1), (3, 2), (10, 3), (4, 5), (1, 7), (5, 0))]
    mistakes = [
        Mistake(lambda width, depth: width * depth, "that counts the hidden neurons; a path chooses one neuron in "
                                                    "each layer, and the layers' choices multiply, they do not "
                                                    "add."),
        Mistake(lambda width, depth: depth ** width, "base and exponent are swapped: which number counts the "
                                                     "choices in one layer, and which the layers that choose?"),
        Mistake(lambda width, depth: width ** (depth + 1), "one factor too many: the input and the output are fixed; "
                                                          "only the depth hidden layers offer a choice."),
        Mistake(lambda width, depth: 2 ** depth, "that is 2 ** depth, two choices per layer as in a binary tree; "
                                                 "here each hidden layer offers a choice among all of its width "
                                                 "neurons, not between two."),
    ]
    values = [call("06.5", fn, *case.values(), name="count_paths") for case in cases]
    for case, value in zip(cases, values):  # an integer count, not a float approximation
        if isinstance(value, float) and not float(value).is_integer():
            hint = ""
            if all(np.isclose(float(v), float(c["width"]) ** (c["depth"] - 1)) for v, c in zip(values, cases)):
                hint = ("\nHint: that is width ** (depth - 1), one factor too few (an off-by-one): each of the "
                        "depth hidden layers offers width choices: count one factor per hidden layer.")
            raise CheckFailed("06.5", f"count_paths{tuple(case.values())} = {value} is not a whole number of "
                                      f"paths.{hint}")
    expect_function("06.5", fn, cases, lambda width, depth: width ** depth, name="count_paths", mistakes=mistakes)
    passed("06.5", "width ** depth paths: exponential in depth.")


def _random_network(rng):
    sizes = [int(v) for v in rng.integers(1, 5, size=int(rng.integers(2, 5)))]
    n = int(rng.integers(1, 6))
    W = [rng.normal(size=(a, c)) for a, c in zip(sizes, sizes[1:])]
    b = [rng.normal(size=c) for c in sizes[1:]]
    return W, b, rng.normal(size=(n, sizes[0])), rng.uniform(size=(n, sizes[-1]))


def _both_lists(result):
    dW, db = result
    return hidden.numbers(list(dW) + list(db))


def _reference_backward(W, b, x, t):
    grads = _network(W, b).gradients(x, t)
    return grads.dW, grads.db


HIDDEN = {
    "06.1": hidden.Function("layer_forward", lambda rng: [(rng.normal(size=(n, a)), rng.normal(size=(a, c)),
                                                           rng.normal(size=c)) for n, a, c in
                                                          rng.integers(1, 6, size=(3, 3))],
                            lambda out, W, b: out @ W + b),
    "06.2": hidden.Function("weight_gradient", lambda rng: [(rng.normal(size=(n, a)), rng.normal(size=(n, c)))
                                                            for n, a, c in rng.integers(1, 6, size=(3, 3))],
                            lambda out, delta: out.T @ delta / len(out)),
    "06.3": hidden.Function("bias_gradient", lambda rng: [(rng.normal(size=(n, c)),)
                                                          for n, c in rng.integers(1, 6, size=(3, 2))],
                            lambda delta: delta.mean(axis=0)),
    "06.4": hidden.Function("backward", lambda rng: [_random_network(rng) for _ in range(3)], _reference_backward,
                            reduce=_both_lists, rtol=1e-7),
    "06.5": hidden.Function("count_paths", lambda rng: [tuple(int(v) for v in rng.integers(1, 9, size=2))
                                                        for _ in range(4)], lambda width, depth: width ** depth),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
