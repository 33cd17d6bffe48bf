"""Checks for Lesson 10, "When gradients misbehave".

Eq. 5's factor per layer predicted from the slopes, gradient clipping by
norm, the share of dead ReLU units, the variance of a net input (the
derivation behind LeCun's and He's initializations), and the bytes of
stored outputs a backward pass needs.
"""

from __future__ import annotations

import numpy as np

from bp_course import clipping, diagnostics
from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import CheckFailed, Mistake, call, expect_function, gradient_list, passed

__all__ = ["HIDDEN", "predicted_ratio", "clip_by_norm", "dead_fraction", "net_variance", "activation_bytes"]


# -- 10.1: the factor per layer, from Eq. 5 ------------------------------------------------

def _rms(a):
    return np.sqrt(np.mean(a ** 2))


def _predicted_ratio(scale, out):
    return scale * _rms(out * (1 - out))


def _ratio_cases(rng, count=3):
    cases = []
    for _ in range(count):
        n, m = (int(v) for v in rng.integers(2, 9, size=2))
        cases.append((float(rng.uniform(0.3, 6.0)), rng.uniform(0.01, 0.99, size=(n, m))))
    return cases


def predicted_ratio(fn) -> None:
    """Exercise 10.1: ``fn(scale, out)``: Eq. 5's factor ||delta^(l)|| / ||delta^(l+1)|| for a logistic layer.

    ``out`` holds the layer's outputs for a batch (one row per example); the
    prediction is the weight scale times the root mean square of the slopes
    out (1 - out).

    Examples
    --------
    >>> predicted_ratio(lambda scale, out: scale * np.sqrt(np.mean((out * (1 - out)) ** 2)))
    ✔ Exercise 10.1 passed: ||delta^(l)|| / ||delta^(l+1)|| ≈ scale × rms of phi'(net) = out (1 - out), at most scale / 4.
    """
    rng = np.random.default_rng(10)
    cases = [{"scale": s, "out": o} for s, o in _ratio_cases(rng, 4)]
    mistakes = [
        Mistake(lambda scale, out: scale / 4, "that is the bound, with every unit at its steepest point "
                                             "(phi'(0) = 1/4); predict with this layer's own slopes "
                                             "phi'(net) = out (1 - out), which are smaller."),
        Mistake(lambda scale, out: scale * np.mean(out * (1 - out)),
                "that is the mean slope; a norm adds up squares, so take the root of the mean of the squared "
                "slopes (the root mean square)."),
        Mistake(lambda scale, out: scale * np.sqrt(np.mean(out * (1 - out))),
                "square the slopes before averaging, then take the root: sqrt(mean(slope ** 2))."),
        Mistake(lambda scale, out: _rms(out * (1 - out)), "the weights are missing: Eq. 5 first multiplies by W^T, which "
                                                     "scales a norm by the weight scale, then by the slopes."),
        Mistake(lambda scale, out: scale, "the slopes are missing: Eq. 5 multiplies every delta by "
                                          "phi'(net) = out (1 - out) after the weights."),
        Mistake(lambda scale, out: scale * _rms(out), "phi'(net) of the logistic is out (1 - out), not out itself."),
        Mistake(lambda scale, out: 1 / _predicted_ratio(scale, out),
                "that is upside down: the ratio is the lower layer's norm over the upper one's, "
                "delta^(l) = (delta^(l+1) W^T) * phi'(net^(l))."),
    ]
    expect_function("10.1", fn, cases, _predicted_ratio, name="predicted_ratio", mistakes=mistakes)
    passed("10.1", "||delta^(l)|| / ||delta^(l+1)|| ≈ scale × rms of phi'(net) = out (1 - out), at most scale / 4.")


# -- 10.2: clipping by norm ------------------------------------------------------------------

def _norm(grads):
    return np.sqrt(sum(np.sum(g ** 2) for g in grads))


def _clip_entries(grads, threshold):
    return [np.clip(g, -threshold, threshold) for g in grads]


def _always_scaled(grads, threshold):
    return [g * threshold / _norm(grads) for g in grads]


def _divided_only(grads, threshold):
    norm = _norm(grads)
    return [g / norm if norm > threshold else g for g in grads]


def _per_layer(grads, threshold):
    return [g * threshold / np.linalg.norm(g) if np.linalg.norm(g) > threshold else g for g in grads]


def _clip_cases(rng, count=4):
    cases = []
    for k in range(count):
        shapes = [(int(rng.integers(1, 4)), int(rng.integers(1, 4))), (int(rng.integers(1, 4)),)][: 1 + (k % 2 == 0)]
        grads = [rng.normal(scale=3.0, size=shape) for shape in shapes]
        norm = float(_norm(grads))
        threshold = norm * (0.3 if k < count - 1 else 1.7)  # the last case is below the threshold
        cases.append((grads, threshold))
    return cases


def _shapes(grads, threshold):
    return [(f"the result's entry {l}", np.shape(g)) for l, g in enumerate(grads)]


def _leaves_the_caller_alone(fn) -> None:
    """Raise CheckFailed when ``fn`` changes the caller's gradients (or their list) instead of returning new ones."""
    grads = [np.array([[3.0, -4.0], [12.0, 0.0]]), np.array([0.0, 0.5])]
    kept, arrays = [g.copy() for g in grads], list(grads)
    call("10.2", fn, grads, 2.0, name="clip_by_norm")
    same_list = len(grads) == len(arrays) and all(g is a for g, a in zip(grads, arrays))
    if not same_list or not all(np.array_equal(a, k) for a, k in zip(arrays, kept)):
        raise CheckFailed("10.2", "your clip_by_norm returns the right values, but it changes the caller's "
                                  "gradients too (g *= ... or grads[i] = ... writes into the arrays you were "
                                  "given).\nHint: return new arrays, [g * factor for g in grads]; the caller may "
                                  "still need its gradients (to log their norm, or to check them) after clipping. (PyTorch's "
                                  "clip_grad_norm_, with its trailing underscore, is the in-place kind; this "
                                  "exercise asks for new arrays.)")


def clip_by_norm(fn) -> None:
    """Exercise 10.2: ``fn(grads, threshold)``: the gradients rescaled to a global norm of at most ``threshold``.

    Examples
    --------
    >>> clip_by_norm(clipping.clip_by_norm)
    ✔ Exercise 10.2 passed: above the threshold c, every gradient is multiplied by c / ||g||; below it, nothing changes. The direction is kept.
    """
    rng = np.random.default_rng(11)
    cases = [{"grads": [np.array([[3.0, -4.0], [12.0, 0.0]]), np.array([0.0, 0.5])], "threshold": 2.0},
             {"grads": [np.array([0.3, -0.4])], "threshold": 1.0}]
    cases += [{"grads": g, "threshold": c} for g, c in _clip_cases(rng)]
    answer = gradient_list("10.2", fn, _shapes, name="clip_by_norm",
                           what="a list of arrays shaped like grads, one per entry of grads")
    mistakes = [
        Mistake(lambda g, c: np.concatenate([a.ravel() for a in _clip_entries(g, c)]),
                "you clipped each entry instead of the norm: np.clip cuts every component to [-c, c], which changes "
                "the gradient's direction. Rescale the whole gradient by c / ||g|| instead."),
        Mistake(lambda g, c: np.concatenate([a.ravel() for a in _always_scaled(g, c)]),
                "you scaled when the norm is below the threshold too: a gradient shorter than c must stay as it "
                "is; rescale only when ||g|| > c."),
        Mistake(lambda g, c: np.concatenate([a.ravel() for a in _divided_only(g, c)]),
                "you divided by the norm without multiplying by the threshold: g / ||g|| has length 1; the "
                "clipped gradient is c * g / ||g||, of length c."),
        Mistake(lambda g, c: np.concatenate([a.ravel() for a in _per_layer(g, c)]),
                "you clipped each array by its own norm; the norm is that of all the gradients together "
                "(every array laid end to end), so that one factor rescales them all and the direction is kept."),
    ]
    expect_function("10.2", answer, cases,
                    lambda g, c: np.concatenate([a.ravel() for a in clipping.clip_by_norm(g, c)]),
                    name="clip_by_norm", mistakes=mistakes, in_place=False)
    _leaves_the_caller_alone(fn)
    passed("10.2", "above the threshold c, every gradient is multiplied by c / ||g||; below it, nothing changes. "
                   "The direction is kept.")


# -- 10.3: dead ReLUs ------------------------------------------------------------------------------

def _relu_batch(rng, n, m, dead):
    out = np.maximum(rng.normal(size=(n, m)), 0.0)
    out[:, :dead] = 0.0
    out[0, dead:] = np.abs(out[0, dead:]) + 0.1  # every other unit fires at least once
    out[1:, -1] = 0.0  # and one of them only once
    return out[:, rng.permutation(m)]


def dead_fraction(fn) -> None:
    """Exercise 10.3: ``fn(out)``: the share of a ReLU layer's units that output 0 for every example.

    Examples
    --------
    >>> dead_fraction(lambda out: np.mean(np.all(out == 0, axis=0)))
    ✔ Exercise 10.3 passed: a unit is dead when it is 0 for every example: it passes no delta back, so its weights never change.
    """
    rng = np.random.default_rng(12)
    cases = [{"out": _relu_batch(rng, n, m, dead)} for n, m, dead in ((5, 6, 2), (8, 4, 1), (4, 10, 5), (6, 3, 0))]
    mistakes = [
        Mistake(lambda out: np.mean(out == 0), "that is the share of zero entries: a unit silent for some examples "
                                              "still learns from the others. A dead unit is 0 for *every* example: "
                                              "np.all(out == 0, axis=0)."),
        Mistake(lambda out: np.mean(np.any(out > 0, axis=0)), "that is the share of live units, the ones active at "
                                                              "least once; the dead are the rest."),
        Mistake(lambda out: np.mean(np.all(out == 0, axis=1)), "axis 1 runs over the units, so that is the share of "
                                                               "examples for which every unit is silent; the units "
                                                               "are the columns (axis 0 runs over the examples)."),
        Mistake(lambda out: np.sum(np.all(out == 0, axis=0)), "that is the number of dead units; divide by the "
                                                              "number of units for the share."),
        Mistake(lambda out: 100 * np.mean(np.all(out == 0, axis=0)),
                "that is a percentage, 100 times too large: the share asked for is a fraction between 0 and 1."),
    ]
    expect_function("10.3", fn, cases, lambda out: np.mean(np.all(out == 0, axis=0)), name="dead_fraction",
                    mistakes=mistakes)
    passed("10.3", "a unit is dead when it is 0 for every example: it passes no delta back, so its weights never "
                   "change.")


# -- 10.4: the variance of a net input ------------------------------------------------------------

_VARIANCE_CASES = ((10, 0.1, 2.0), (1, 0.5, 0.3), (64, 1 / 64, 0.7), (3, 2.0, 0.25), (100, 0.02, 1.0))


def net_variance(fn) -> None:
    """Exercise 10.4: ``fn(n_in, var_w, var_o)``: Var(net) for n_in independent zero-mean weights and inputs.

    Examples
    --------
    >>> net_variance(lambda n_in, var_w, var_o: n_in * var_w * var_o)
    ✔ Exercise 10.4 passed: Var(net) = n_in Var(w) Var(o): variances of independent terms add, and the variance of a product of independent zero-mean factors is the product of their variances.
    """
    cases = [{"n_in": n, "var_w": w, "var_o": o} for n, w, o in _VARIANCE_CASES]
    mistakes = [
        Mistake(lambda n_in, var_w, var_o: var_w * var_o, "that is the variance of one term w_i o_i; net adds n_in "
                                                          "of them, and the variances of independent terms add."),
        Mistake(lambda n_in, var_w, var_o: n_in ** 2 * var_w * var_o,
                "n_in is squared: Var(a X) = a^2 Var(X) holds for one term multiplied by a, but net is a sum of "
                "n_in *independent* terms, whose variances simply add: n_in times one term's variance."),
        Mistake(lambda n_in, var_w, var_o: np.sqrt(n_in) * var_w * var_o,
                "sqrt(n_in) is how the standard deviation grows; the variance grows by n_in itself."),
        Mistake(lambda n_in, var_w, var_o: n_in * (var_w + var_o),
                "for a product of independent zero-mean factors the variances multiply: "
                "Var(w o) = E[w^2] E[o^2] = Var(w) Var(o)."),
        Mistake(lambda n_in, var_w, var_o: n_in * np.sqrt(var_w * var_o),
                "that mixes a standard deviation into a variance: Var(w o) = Var(w) Var(o), no square root."),
    ]
    expect_function("10.4", fn, cases, lambda n_in, var_w, var_o: n_in * var_w * var_o, name="net_variance",
                    mistakes=mistakes)
    passed("10.4", "Var(net) = n_in Var(w) Var(o): variances of independent terms add, and the variance of a product "
                   "of independent zero-mean factors is the product of their variances.")


# -- 10.5: the memory of the backward pass --------------------------------------------------------

_BYTES_CASES = (([784, 256, 256, 10], 256, 8), ([2, 3, 1], 4, 8), ([64, 32, 32, 32, 10], 100, 4),
                ([5, 5], 1, 8), ([10, 20, 30, 40], 7, 2))


def activation_bytes(fn) -> None:
    """Exercise 10.5: ``fn(sizes, batch, itemsize)``: bytes of the layer outputs kept for the backward pass.

    Examples
    --------
    >>> activation_bytes(diagnostics.activation_bytes)
    ✔ Exercise 10.5 passed: batch × (sum of the layer widths, input included) × bytes per number: linear in depth and in batch size.
    """
    cases = [{"sizes": list(s), "batch": n, "itemsize": b} for s, n, b in _BYTES_CASES]
    mistakes = [
        Mistake(lambda sizes, batch, itemsize: batch * sum(sizes[1:]) * itemsize,
                "the input x is missing: dW[0] = x^T delta[1] needs it, so it is kept like every layer's output."),
        Mistake(lambda sizes, batch, itemsize: batch * sum(sizes[:-1]) * itemsize,
                "the output layer is missing: the output delta (y - t) y (1 - y) needs y = out[L]."),
        Mistake(lambda sizes, batch, itemsize: sum(sizes) * itemsize,
                "that is one example; every example of the batch keeps its own outputs: multiply by batch."),
        Mistake(lambda sizes, batch, itemsize: batch * sum(sizes),
                "that counts numbers; each takes itemsize bytes (8 for float64): multiply by itemsize."),
        Mistake(lambda sizes, batch, itemsize: 8 * batch * sum(sizes) * itemsize,
                "that counts bits; itemsize is already in bytes (a byte has 8 bits)."),
        Mistake(lambda sizes, batch, itemsize: sum(a * b for a, b in zip(sizes, sizes[1:])) * itemsize,
                "that counts the weights, which are stored once whatever the batch; the backward pass needs every "
                "layer's outputs, for every example."),
        Mistake(lambda sizes, batch, itemsize: batch * (sizes[0] + 2 * sum(sizes[1:])) * itemsize,
                "that keeps net and out for every layer; the logistic's slope out (1 - out) comes from out, so the "
                "outputs alone are enough."),
    ]
    for case in cases:  # a whole number of bytes
        value = call("10.5", fn, *case.values(), name="activation_bytes")
        if isinstance(value, (float, np.floating)) and not float(value).is_integer():
            raise CheckFailed("10.5", f"activation_bytes{tuple(case.values())} = {value} is not a whole number "
                                      "of bytes.")
    expect_function("10.5", fn, cases, lambda sizes, batch, itemsize: batch * sum(sizes) * itemsize,
                    name="activation_bytes", mistakes=mistakes)
    passed("10.5", "batch × (sum of the layer widths, input included) × bytes per number: linear in depth and in "
                   "batch size.")


# -- hidden checks -----------------------------------------------------------------------------------

def _random_clip_cases(rng):
    return [(grads, threshold) for grads, threshold in _clip_cases(rng, 4)]


def _dead_cases(rng):
    cases = []
    for _ in range(3):
        n, m = (int(v) for v in rng.integers(3, 9, size=2))
        cases.append((_relu_batch(rng, n, m, int(rng.integers(0, m))),))
    return cases


def _variance_cases(rng):
    return [(int(rng.integers(1, 200)), float(rng.uniform(0.001, 2.0)), float(rng.uniform(0.05, 3.0)))
            for _ in range(4)]


def _bytes_cases(rng):
    cases = []
    for _ in range(4):
        sizes = [int(v) for v in rng.integers(1, 300, size=int(rng.integers(2, 7)))]
        cases.append((sizes, int(rng.integers(1, 513)), int(rng.choice([2, 4, 8]))))
    return cases


HIDDEN = {
    "10.1": hidden.Function("predicted_ratio", _ratio_cases, _predicted_ratio),
    "10.2": hidden.Function("clip_by_norm", _random_clip_cases, clipping.clip_by_norm),
    "10.3": hidden.Function("dead_fraction", _dead_cases, lambda out: np.mean(np.all(out == 0, axis=0))),
    "10.4": hidden.Function("net_variance", _variance_cases, lambda n_in, var_w, var_o: n_in * var_w * var_o),
    "10.5": hidden.Function("activation_bytes", _bytes_cases, diagnostics.activation_bytes),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
