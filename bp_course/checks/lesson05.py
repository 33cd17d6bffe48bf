"""Checks for Lesson 05, "The recursive delta rule".

The 2-2-1 logistic network of :func:`bp_course.datasets.worked_example`,
worked by hand (forward values, the output delta, the hidden deltas of
Eq. 5, the weight gradients), then the backward pass written in code.
"""

from __future__ import annotations

import numpy as np

from bp_course import datasets
from bp_course.activations import logistic
from bp_course.checks import backward_pass, hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course import symbolic
from bp_course.checks.core import CheckFailed, Mistake, answer_value, passed
from bp_course.checks.values import expect_value

__all__ = ["HIDDEN", "forward", "delta_output", "delta_hidden", "gradients", "backward"]

_X, _T, _W = datasets.worked_example()
_NET_H = _X @ _W[0]
_O_H = logistic(_NET_H)
_NET_O = _O_H @ _W[1]
_Y = logistic(_NET_O)
_DELTA_O = (_Y - _T) * _Y * (1 - _Y)
_DELTA_H = (_W[1] @ _DELTA_O) * _O_H * (1 - _O_H)


def forward(o_hidden, y) -> None:
    """Exercise 05.1: the hidden outputs o_hidden (shape (2,)) and the output y of the worked example.

    Examples
    --------
    >>> forward([0.598688, 0.610639], 0.513769)
    ✔ Exercise 05.1 passed: o_hidden = [0.598688, 0.610639], y = 0.513769.
    """
    o_hidden = answer_value("05.1", o_hidden, "o_hidden")
    y = answer_value("05.1", y, "y")
    transposed = logistic(_X @ _W[0].T)
    expect_value("05.1", o_hidden, _O_H, what="o_hidden", rtol=1e-5, atol=1e-6, mistakes=[
        Mistake(_NET_H, "those are the net inputs net_j = sum_i w_ij x_i; the outputs are o_j = phi(net_j)."),
        Mistake(transposed, "W[0] is transposed: w_ij goes from input i (row) to hidden neuron j (column), "
                            "so net_j = sum_i x_i w_ij is x @ W[0]."),
    ])
    expect_value("05.1", y, _Y[0], what="y", rtol=1e-5, atol=1e-6, mistakes=[
        Mistake(_NET_O[0], "that is the output neuron's net input; y = phi(net)."),
        Mistake(logistic(_NET_H @ _W[1])[0], "that feeds the hidden *net inputs* forward; the next layer receives "
                                             "the hidden *outputs* o_j = phi(net_j)."),
    ])
    passed("05.1", f"o_hidden = [{_O_H[0]:.6f}, {_O_H[1]:.6f}], y = {_Y[0]:.6f}.")


def delta_output(delta) -> None:
    """Exercise 05.2: the output neuron's delta, (y - t) phi'(net) with phi'(net) = y (1 - y).

    Examples
    --------
    >>> delta_output(-0.121466)
    ✔ Exercise 05.2 passed: delta_output = (y - t) y (1 - y) = -0.121466.
    """
    delta = answer_value("05.2", delta, "delta_output")
    expect_value("05.2", delta, _DELTA_O[0], what="delta_output", rtol=1e-5, atol=1e-7, mistakes=[
        Mistake(-_DELTA_O[0], "the sign is flipped: dE/dy = y - t (Eq. 4)."),
        Mistake((_Y - _T)[0], "the factor phi'(net) = y (1 - y) (Eq. 3) is missing: delta = dE/dnet, not dE/dy."),
        Mistake(((_Y - _T) * logistic(_Y) * (1 - logistic(_Y)))[0],
                "phi' is evaluated at the output y; it belongs at net: phi'(net) = y (1 - y)."),
        Mistake(((_Y - _T) * _NET_O * (1 - _NET_O))[0], symbolic.NET_FOR_OUT),
    ])
    passed("05.2", f"delta_output = (y - t) y (1 - y) = {_DELTA_O[0]:.6f}.")


_FIRST_LAYER = ("those weights are from W[0], the layer from the inputs into the hidden neurons. The output's delta "
                "returns through the weights that carried the hidden outputs forward to the output neuron, "
                "w_{j,out} = W[1][j, 0].")


def delta_hidden(delta) -> None:
    """Exercise 05.3: the hidden deltas of Eq. 5, delta_j = (sum_l w_jl delta_l) o_j (1 - o_j).

    Examples
    --------
    >>> delta_hidden([-0.014592, 0.011552])
    ✔ Exercise 05.3 passed: delta_hidden = [-0.014592, 0.011552]: each hidden neuron's share of the output's delta, times its own slope.
    """
    delta = answer_value("05.3", delta, "delta_hidden")
    backpropagated = _W[1] @ _DELTA_O
    expect_value("05.3", delta, _DELTA_H, what="delta_hidden", rtol=1e-4, atol=1e-7, mistakes=[
        Mistake(backpropagated, "that is dE/do_j = sum_l w_jl delta_l (Eq. 5) alone; delta_j = dE/dnet_j also needs "
                                "the hidden neuron's own slope phi'(net_j) = o_j (1 - o_j)."),
        Mistake(_DELTA_O * _O_H * (1 - _O_H), "the weights w_jl are missing: the output's delta reaches hidden "
                                              "neuron j through the weight w_jl."),
        Mistake(backpropagated * _Y * (1 - _Y), "that uses the output's slope y (1 - y); each hidden neuron needs "
                                                "its own, o_j (1 - o_j)."),
        Mistake(backpropagated * _NET_H * (1 - _NET_H), "o_j (1 - o_j) takes the hidden *outputs* o_j, not the "
                                                        "net inputs net_j."),
        Mistake(-_DELTA_H, "the sign is flipped; start from delta_output = (y - t) y (1 - y)."),
        *[Mistake(w * _DELTA_O * _O_H * (1 - _O_H), _FIRST_LAYER) for w in (_W[0][:, 0], _W[0][0, :])],
        *[Mistake(w * _DELTA_O, _FIRST_LAYER + " (And each hidden delta also needs its own slope o_j (1 - o_j).)")
          for w in (_W[0][:, 0], _W[0][0, :])],
    ])
    passed("05.3", f"delta_hidden = [{_DELTA_H[0]:.6f}, {_DELTA_H[1]:.6f}]: each hidden neuron's share of the "
                   "output's delta, times its own slope.")


_SIGN = ("the sign is flipped: dE/dw_ij = o_i delta_j with the deltas as they are, and delta_output starts from "
         "dE/dy = y - t (Eq. 4), not t - y.")


_OUTPUT_DELTA_FOR_DW0 = ("dW0 is built from delta_output, the output neuron's delta; the first layer's weights "
                         "end at the hidden neurons, so w_ij needs the delta of the neuron it feeds, hidden "
                         "neuron j (Exercise 05.3).")


def _output_delta_for_dW0(dW0) -> bool:
    """Whether ``dW0`` holds x_i delta_output in any shape (np.outer(x, delta_output) is 2 x 1)."""
    try:
        got = np.asarray(dW0, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    wrong = np.outer(_X, _DELTA_O)
    if got.shape == (2, 2):
        return bool(np.allclose(got, np.hstack([wrong, wrong]), rtol=1e-4, atol=1e-8))
    return got.size == wrong.size and bool(np.allclose(got.ravel(), wrong.ravel(), rtol=1e-4, atol=1e-8))


def gradients(dW0, dW1) -> None:
    """Exercise 05.4: dE/dW[0] (2 x 2) and dE/dW[1] (2 x 1), from dE/dw_ij = o_i delta_j.

    Examples
    --------
    >>> gradients(np.outer(_X, _DELTA_H), np.outer(_O_H, _DELTA_O))
    ✔ Exercise 05.4 passed: dE/dw_ij = o_i delta_j for all six weights.
    """
    dW0 = answer_value("05.4", dW0, "dW0")
    dW1 = answer_value("05.4", dW1, "dW1")
    if _output_delta_for_dW0(dW0):
        raise CheckFailed("05.4", f"dW0 is not right yet.\nHint: {_OUTPUT_DELTA_FOR_DW0}")
    expect_value("05.4", dW0, np.outer(_X, _DELTA_H), what="dW0", rtol=1e-4, atol=1e-8, mistakes=[
        Mistake(np.outer(_DELTA_H, _X), "dW0 is transposed: entry (i, j) belongs to w_ij, input i to hidden j, "
                                        "so it is x_i delta_j (np.outer(x, delta_hidden))."),
        Mistake(np.outer(_X, _W[1] @ _DELTA_O), "that uses dE/do_j instead of the delta dE/dnet_j: the slope "
                                                "o_j (1 - o_j) is missing."),
        Mistake(-np.outer(_X, _DELTA_H), _SIGN),
    ])
    expect_value("05.4", dW1, np.outer(_O_H, _DELTA_O), what="dW1", rtol=1e-4, atol=1e-8, mistakes=[
        Mistake(np.outer(_NET_H, _DELTA_O), "the weight's input is the hidden *output* o_i, not its net input."),
        Mistake(np.outer(_X, _DELTA_O), "the weights of the second layer start at the hidden neurons, so their "
                                        "inputs are o_hidden, not x."),
        Mistake(-np.outer(_O_H, _DELTA_O), _SIGN),
    ])
    passed("05.4", "dE/dw_ij = o_i delta_j for all six weights.")


def _backward(W, x, t):
    """The reference: Eq. 5 for a batch, the error averaged over the examples (Lesson 05, section 3)."""
    o_h = logistic(x @ W[0])
    y = logistic(o_h @ W[1])
    delta_o = (y - t) * y * (1 - y)
    delta_h = (delta_o @ W[1].T) * o_h * (1 - o_h)
    return [x.T @ delta_h / len(x), o_h.T @ delta_o / len(x)]


def _cases():
    rng = np.random.default_rng(5)
    cases = [{"W": [w.copy() for w in _W], "x": _X[None, :], "t": _T[None, :]}]
    for sizes, n in (((2, 2, 1), 4), ((3, 4, 2), 5), ((2, 3, 3), 3)):
        W = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:])]
        cases.append({"W": W, "x": rng.normal(size=(n, sizes[0])), "t": rng.uniform(size=(n, sizes[-1]))})
    return cases


def _flawed(**flaws):
    """A mistake's gradients: the two-layer pass without biases, with one flaw of :func:`backward_pass.flawed_backward`."""
    def value(W, x, t):
        dW, _ = backward_pass.flawed_backward(W, [np.zeros(w.shape[1]) for w in W], x, t, **flaws)
        return backward_pass.labelled("dW", dW)
    return value


_MISTAKES = backward_pass.mistakes(_flawed, averaged="the gradients", with_biases=False)


def _diagnose(verdicts):
    if backward_pass.last_layer_right(verdicts):
        return ("dW[1] is right in every case, so your output deltas are; dW[0] is not, so look at the hidden "
                "deltas, Eq. 5: the output deltas go back through the weights W[1] they came through, times "
                "each hidden neuron's own slope o_h (1 - o_h), and dW[0] pairs them with the inputs x.")
    return None


def _flat_target_backward(W, x, t):
    """:func:`_backward` with the slip ``y - t.ravel()``: t of shape (n,) against y of shape (n, 1)."""
    return _backward(W, x, np.ravel(t))


_FLAT_TARGET = ("t has shape (n, 1), one row per example like the outputs y. t.ravel() (or t[:, 0]) makes it (n,), "
                "and y - t.ravel() then broadcasts to an (n, n) table, every output minus every target, so the "
                "deltas have the wrong shape and the next product no longer fits. Keep t as it is: y - t is (n, 1).")


def _on_error(error, fn, case):
    W, x, t = case.values()
    try:
        _flat_target_backward(*(np.array(a, copy=True) if isinstance(a, np.ndarray) else [w.copy() for w in a]
                                for a in (W, x, t)))
    except Exception as slip:  # the slip's own error, compared with the learner's
        if type(slip) is type(error) and str(slip) == str(error):
            return _FLAT_TARGET
    if isinstance(error, ValueError) and ("matmul" in str(error) or "shapes" in str(error)
                                          or "broadcast" in str(error)):
        W, x, t = case.values()
        return (f"a product whose shapes do not fit. Here x is {x.shape}, W[0] {W[0].shape}, W[1] {W[1].shape}: "
                f"the hidden outputs x @ W[0] are ({len(x)}, {W[0].shape[1]}), the output deltas ({len(x)}, "
                f"{W[1].shape[1]}), and Eq. 5 sends the output deltas back through the weights they came "
                f"through, W[1] (not W[0]): ({len(x)}, {W[1].shape[1]}) @ W[1].T is ({len(x)}, {W[0].shape[1]}). "
                "Print the shapes of your arrays to find the product that does not fit.")
    return None


def _unpack(result, expected):
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        raise CheckFailed("05.5", f"backward should return a list of two arrays [dW0, dW1], the gradients of W[0] "
                                  f"and W[1]; got {type(result).__name__} {backward_pass.shape_of(result)}")
    return dict(zip(expected, result))


_IN_PLACE = ("backward changed the arrays it was given: after the call, the caller's "
             "{name} holds other numbers. A backward pass only measures the slope; whoever called it still needs "
             "the weights as they were (to take the step, or to check the gradient).\nHint: an in-place update "
             "(W[0] -= ..., w += ...) reaches the caller's arrays. Leave W, x and t as they are and return new "
             "arrays.")


def _call_backward(fn, W, x, t):
    """``fn(W, x, t)``, refused when it changes W, x or t in place (Exercise 05.5, visible and hidden check).

    Raises
    ------
    CheckFailed
        When an argument changed.
    """
    before = ([np.array(w, copy=True) for w in W], np.array(x, copy=True), np.array(t, copy=True))
    result = fn(W, x, t)
    changed = [f"W[{l}]" for l, (w, old) in enumerate(zip(W, before[0])) if not np.array_equal(w, old)]
    changed += [name for name, a, old in (("x", x, before[1]), ("t", t, before[2])) if not np.array_equal(a, old)]
    if changed:
        raise CheckFailed("05.5", _IN_PLACE.format(name=" and ".join(changed)))
    return result


def _updated(eta):
    """A mistake's value: the weights after a step of ``eta``, W - eta dE/dW, returned in place of the gradients."""
    def value(W, x, t):
        return backward_pass.labelled("dW", [w - eta * g for w, g in zip(W, _backward(W, x, t))])
    return value


_MISTAKES += [Mistake(_updated(eta), f"those are the weights after a step, W - {eta:g} * gradient; backward "
                                     "returns the gradients dE/dW themselves, with no step taken.")
              for eta in (0.01, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0)]


def backward(fn) -> None:
    """Exercise 05.5: ``fn(W, x, t)`` must return [dE/dW[0], dE/dW[1]] for a batch.

    The network is logistic in both layers, has no biases, and E is the
    squared error summed over the outputs and averaged over the examples
    (rows of ``x`` and ``t``), Lesson 05 section 1. The gradients are
    compared array by array; a wrong answer gets the hint of the mistake
    that explains every array of every case.

    Examples
    --------
    >>> backward(_backward)
    ✔ Exercise 05.5 passed: the recursive delta rule, for any layer sizes and batches.
    """
    answer = (lambda W, x, t: _call_backward(fn, W, x, t)) if callable(fn) else fn
    backward_pass.expect_gradients("05.5", answer, _cases(), lambda W, x, t: backward_pass.labelled("dW", _backward(W, x, t)),
                               name="backward", unpack=_unpack, mistakes=_MISTAKES, diagnose=_diagnose,
                               on_error=_on_error)
    passed("05.5", "the recursive delta rule, for any layer sizes and batches.")


def _network_cases(rng):
    cases = []
    for _ in range(3):
        a, h, c, n = (int(v) for v in rng.integers(1, 5, size=4))
        cases.append(([rng.normal(size=(a, h)), rng.normal(size=(h, c))], rng.normal(size=(n, a)),
                      rng.uniform(size=(n, c))))
    return cases


HIDDEN = {
    "05.1": hidden.Value(("o_hidden", "y"), forward),
    "05.2": hidden.Value(("delta_output",), delta_output),
    "05.3": hidden.Value(("delta_hidden",), delta_hidden),
    "05.4": hidden.Value(("dW0", "dW1"), gradients),
    "05.5": hidden.Function("backward", _network_cases, lambda W, x, t: _backward(W, x, t), call=_call_backward,
                            rtol=1e-5, atol=1e-7),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
