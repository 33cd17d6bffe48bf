"""Checks for Lesson 09, "Training for real".

The full-batch training loop on top of :class:`bp_course.network.Network`,
the length of the gradient (which tells a plateau from a minimum), the
stuck XOR runs told apart as plateau or trap, inputs standardized with the
training set's statistics, the condition number of the linear neuron's
Hessian, and why equal initial weights never break their symmetry (Eq. 5).
"""

from __future__ import annotations

import copy

import numpy as np

from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import (CheckFailed, Mistake, call, expect_choices, expect_function, flat, format_value,
                                   passed)
from bp_course.network import Network

__all__ = ["HIDDEN", "STATEMENTS", "STUCK_SEEDS", "train", "gradient_norm", "stuck_kind", "standardize",
           "condition_number", "symmetry"]


class _Net:
    """A network a check builds for a case, shown in messages as the learner would write it: ``Network([2, 2, 1])``."""

    def __init__(self, sizes, seed):
        self.sizes, self.seed = tuple(int(n) for n in sizes), int(seed)

    def __repr__(self):
        return f"Network({list(self.sizes)})"

    def build(self) -> Network:
        return Network(list(self.sizes), "logistic", seed=self.seed)


def _shown(value) -> str:
    """An argument as a message shows it: arrays by their shape, so a message stays short."""
    if isinstance(value, np.ndarray) and (value.ndim > 1 or value.size > 4):
        return f"array of shape {value.shape}"
    return format_value(value) if not isinstance(value, _Net) else repr(value)


def _difference(label, got, want, rtol, atol):
    """None when ``got`` is close to ``want``; otherwise one line naming the shape or the first differing entries."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return f"{label} should have shape {want.shape}, got shape {got.shape}."
    with np.errstate(all="ignore"):
        bad = ~np.isfinite(got) | ~np.isclose(got, want, rtol=rtol, atol=atol)
    if not bad.any():
        return None
    entries = "; ".join(f"{label}[{', '.join(str(int(i)) for i in index)}] expected {want[tuple(index)]:.6g}, got "
                        f"{got[tuple(index)]:.6g}" for index in np.argwhere(bad)[:3])
    return f"{label} (shape {want.shape}) differs in {int(bad.sum())} of {bad.size} entries, first {entries}."


def _matches(fn, parts, args, rtol, atol) -> bool:
    """Whether a mistake's function gives ``parts`` on ``args`` (one that cannot run on them explains nothing)."""
    try:
        with np.errstate(all="ignore"):
            want = fn(*copy.deepcopy(args))
        return all(_difference("", g, w, rtol, atol) is None for g, w in zip(parts, want))
    except Exception:  # a mistake's own formula may fail on these arguments
        return False


def _expect_parts(exercise, fn, cases, reference, *, name, labels, mistakes=(), rtol=1e-6, atol=1e-9):
    """Like :func:`~bp_course.checks.core.expect_function`, for functions whose result has labelled parts.

    ``fn``, ``reference`` and each mistake's function take a case's values
    and return one array per label; a message names each part that differs
    by its label and shows only its first differing entries.
    """
    got, first = [], None
    for case in cases:
        args = tuple(case.values())
        parts = call(exercise, fn, *copy.deepcopy(args), name=name)
        lines = [line for line in (_difference(label, g, w, rtol, atol)
                                   for label, g, w in zip(labels, parts, reference(*copy.deepcopy(args)))) if line]
        if lines and first is None:
            first = f"{name}({', '.join(f'{k}={_shown(v)}' for k, v in case.items())}):\n" + "\n".join(lines)
        got.append((parts, args))
    if first is None:
        return
    for mistake in mistakes:
        if all(_matches(mistake.value, parts, args, rtol, atol) for parts, args in got):
            raise CheckFailed(exercise, f"{first}\nHint: {mistake.hint}")
    raise CheckFailed(exercise, first)


def _first_wrong(exercise, answer, key, hints, *, item, items, plural, example):
    """:func:`~bp_course.checks.core.expect_choices`, but a wrong answer learns how many are wrong and one hint.

    With two choices per item, a hint for every wrong item would hand over the whole key at once.
    """
    try:
        expect_choices(exercise, answer, key, sorted(set(key.values()), key=str), hints, item=item, items=items,
                       plural=plural, example=example)
    except CheckFailed as failure:
        wrong = [k for k in key if isinstance(answer, dict) and answer.get(k, ...) is not Ellipsis
                 and answer.get(k) != key[k]]
        if "not right yet" not in failure.message or not wrong:
            raise
        k = wrong[0]
        raise CheckFailed(exercise, f"{len(wrong)} of {len(key)} {plural} are not right yet. The first: {item} "
                                    f"{k!r}, not {answer[k]!r}. Hint: {hints[k]}") from None


# -- 09.1 the training loop -----------------------------------------------------------------------------------------

def _reference_train(net, x, t, eta, epochs, *, record="before", move=1.0, fresh=True, online=False, scale=1.0):
    """Full-batch gradient descent; the keywords build the plausible mistakes."""
    errors = []
    move = {"n": len(x), "1/n": 1 / len(x)}.get(move, move) if isinstance(move, str) else move
    scale = len(x) if scale == "n" else scale
    grads = net.gradients(x, t)
    for _ in range(epochs):
        if online:
            errors.append(net.error(x, t))
            for x_p, t_p in zip(x, t):
                g = net.gradients(x_p[None], t_p[None])
                for p, d in zip(net.params, g.as_list()):
                    p -= eta * d
            continue
        if fresh:
            grads = net.gradients(x, t)
        if record == "before":
            errors.append(scale * net.error(x, t))
        for p, d in zip(net.params, grads.as_list()):
            p -= move * eta * d
        if record == "after":
            errors.append(net.error(x, t))
    return np.array(errors)


def _trained(fn):
    """``fn(net, x, t, eta, epochs)`` as a check calls it: on a fresh network, returning [errors, final weights]."""
    def train(net, x, t, eta, epochs):
        network = net.build()
        errors = fn(network, x, t, eta, epochs)
        if errors is None:
            raise CheckFailed("09.1", "train returned None: did you forget the `return`? Return the list of errors, "
                                      "one per epoch.")
        if isinstance(errors, Network):
            raise CheckFailed("09.1", "train returned the network; return the list of errors, one per epoch (the "
                                      "network itself is trained in place).")
        try:
            errors = np.asarray(errors, dtype=np.float64)
        except (TypeError, ValueError):
            raise CheckFailed("09.1", f"train returned a {type(errors).__name__}, expected a list of errors (one "
                                      f"number per epoch).") from None
        if errors.ndim == 0:
            raise CheckFailed("09.1", f"train returned one number ({float(errors):.6g}), expected a list of errors, "
                                      f"one per epoch.")
        errors = errors.reshape(-1)
        if errors.size != epochs:
            raise CheckFailed("09.1", f"train({net!r}, x, t, eta, epochs={epochs}) returned {errors.size} error "
                                      f"value(s); return one per epoch, E measured before that epoch's step "
                                      f"({epochs} in all).")
        return [errors, flat(network.params)]
    return train


def _call_train(fn, sizes, seed, x, t, eta, epochs):
    """The hidden check's call: train the case's network with ``fn``; the errors and the final weights end to end."""
    return _trained(fn)(_Net(sizes, seed), x, t, eta, epochs)


def _train_cases(rng):
    cases = []
    for sizes, n in (((2, 2, 1), 4), ((3, 4, 2), 5), ((2, 3, 1), 6)):
        x = rng.normal(size=(n, sizes[0]))
        cases.append((sizes, int(rng.integers(0, 1000)), x, rng.uniform(size=(n, sizes[-1])),
                      float(rng.uniform(0.5, 3.0)), int(rng.integers(3, 12))))
    return cases


def train(fn) -> None:
    """Exercise 09.1: ``fn(net, x, t, eta, epochs)`` trains ``net`` in place by full-batch gradient descent.

    It takes ``epochs`` steps w <- w - eta dE/dw, each with the gradient of
    the error averaged over all examples at the current weights, and returns
    the ``epochs`` errors E measured before each step.

    Examples
    --------
    >>> train(_reference_train)
    ✔ Exercise 09.1 passed: each epoch, one gradient of E over all examples at the current weights, one step down it.
    """
    cases = [{"net": _Net(sizes, seed), "x": x, "t": t, "eta": eta, "epochs": epochs}
             for sizes, seed, x, t, eta, epochs in _train_cases(np.random.default_rng(9))]

    def mistake(**how):
        return _trained(lambda net, x, t, eta, epochs: _reference_train(net, x, t, eta, epochs, **how))

    mistakes = [
        Mistake(mistake(record="after"), "your errors are each one step late: record E before the step "
                                         "(grads.E is the error at the weights the gradient was taken at)."),
        Mistake(mistake(move=0.0), "the weights never change: after computing the gradient, take the step "
                                   "(net.step(grads, eta), or subtract eta times each gradient from its parameter)."),
        Mistake(mistake(move=-1.0), "the weights move uphill and the error grows: subtract eta times the gradient."),
        Mistake(mistake(fresh=False), "every step uses the gradient of the first epoch: compute the gradient anew "
                                      "inside the loop, at the current weights."),
        Mistake(mistake(online=True), "that takes one step per example (online descent); full-batch gradient "
                                      "descent takes one step per epoch, with the gradient of E averaged over all "
                                      "examples: net.gradients(x, t) on the whole batch."),
        Mistake(mistake(move="n"), "each step is n times too long: did you add up per-example gradients? "
                                   "E is the average over the examples, and so is its gradient."),
        Mistake(mistake(move="1/n"), "each step is n times too short: did you divide eta by the number of examples? "
                                     "net.gradients(x, t) already averages over them; step by eta itself."),
        Mistake(mistake(scale="n"), "your errors are n times too large (the weights are right): E is the average "
                                    "over the examples, as grads.E gives it; record it as it is, not times n."),
    ]
    answer = _trained(fn) if callable(fn) else fn
    _expect_parts("09.1", answer, cases, _trained(_reference_train), name="train", labels=("errors", "final weights"),
                  mistakes=mistakes, rtol=1e-7)
    passed("09.1", "each epoch, one gradient of E over all examples at the current weights, one step down it.")


# -- 09.2 the length of the gradient ---------------------------------------------------------------------------------

def _reference_gradient_norm(net, x, t, *, biases=True, root=True, per_array=False, layers=None, mean=False):
    grads = net.gradients(x, t)
    arrays = grads.as_list() if biases else list(grads.dW)
    if layers == "last":
        arrays = [grads.dW[-1], grads.db[-1]]
    if per_array:
        return sum(np.sqrt(np.sum(g ** 2)) for g in arrays)
    squares = sum(np.sum(g ** 2) for g in arrays)
    if mean:
        squares = squares / sum(g.size for g in arrays)
    return np.sqrt(squares) if root else squares


def _measured(fn):
    """``fn(net, x, t)`` as a check calls it: on a fresh network with nonzero biases, which it must not change."""
    def gradient_norm(net, x, t):
        network = net.build()
        network.b = [np.linspace(-0.5, 0.5, b.size) for b in network.b]  # biases that matter
        before = [p.copy() for p in network.params]
        value = fn(network, x, t)
        if any(not np.array_equal(p, q) for p, q in zip(network.params, before)):
            raise CheckFailed("09.2", "gradient_norm changed the network's weights: measure the gradient, take no "
                                      "step.")
        if value is None:
            raise CheckFailed("09.2", "gradient_norm returned None: did you forget the `return`?")
        try:
            number = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            number = None
        if number is None or number.size != 1:
            raise CheckFailed("09.2", f"gradient_norm returned a {type(value).__name__}"
                                      f"{'' if number is None else f' of shape {number.shape}'}, expected one "
                                      f"number: the length of the whole gradient.")
        return float(number.reshape(()))
    return gradient_norm


def _call_gradient_norm(fn, sizes, seed, x, t):
    """The hidden check's call: ``fn`` on the case's network."""
    return _measured(fn)(_Net(sizes, seed), x, t)


def _norm_cases(rng):
    return [(sizes, int(rng.integers(0, 1000)), rng.normal(size=(n, sizes[0])), rng.uniform(size=(n, sizes[-1])))
            for sizes, n in (((2, 2, 1), 4), ((3, 4, 2), 5), ((2, 3, 3, 1), 3))]


def gradient_norm(fn) -> None:
    """Exercise 09.2: ``fn(net, x, t)`` returns the length of the whole gradient, every dE/dW and dE/db in one vector.

    Examples
    --------
    >>> gradient_norm(_reference_gradient_norm)
    ✔ Exercise 09.2 passed: ||grad E|| = sqrt of the sum of the squares of every dE/dw and dE/db.
    """
    cases = [{"net": _Net(sizes, seed), "x": x, "t": t}
             for sizes, seed, x, t in _norm_cases(np.random.default_rng(10))]

    def mistake(**how):
        return _measured(lambda net, x, t: _reference_gradient_norm(net, x, t, **how))

    mistakes = [
        Mistake(mistake(biases=False), "the biases are missing: they are parameters too, and a plateau or a minimum "
                                       "needs every dE/db near 0 as well (use grads.as_list(), or dW and db)."),
        Mistake(mistake(root=False), "that is the squared length; take the square root of the sum of squares."),
        Mistake(mistake(per_array=True), "that adds up the lengths of the separate arrays; the gradient is one "
                                         "vector: add the squares of all entries first, then take one square root."),
        Mistake(mistake(layers="last"), "only the last layer's gradients are counted; include every layer."),
        Mistake(mistake(mean=True), "that divides by the number of parameters (a root mean square); the length of "
                                    "a vector is the root of the plain sum of squares."),
    ]
    answer = _measured(fn) if callable(fn) else fn
    expect_function("09.2", answer, cases, _measured(_reference_gradient_norm), name="gradient_norm",
                    mistakes=mistakes)
    passed("09.2", "||grad E|| = sqrt of the sum of the squares of every dE/dw and dE/db.")


# -- 09.3 plateau or trap ---------------------------------------------------------------------------------------

STUCK_SEEDS = (6, 29, 50, 77)
"""The stuck 2-2-1 XOR runs of Exercise 09.3, trained on from epoch 2000 to 4000."""

_KIND = {6: "trap", 29: "plateau", 50: "trap", 77: "plateau"}

_EVIDENCE = {
    6: "seed 6's error hardly moves (0.0631, 0.0629, 0.0628, near 1/16) while its gradient keeps shrinking (3.2e-4 "
       "to 1.4e-4) and its weights keep growing (||w|| 15.5 to 17.1): it heads for weights at infinity, where the "
       "error would still be 1/16. A trap: more training does not help.",
    29: "seed 29's gradient at epoch 2000 is the smallest of the four (2.9e-5), but it does not keep shrinking: it "
        "grows to 7.2e-4 and 1.0e-3, and the error falls from 0.125 to 0.0018. A plateau, crossed.",
    50: "seed 50's error hardly moves (0.0839, 0.0837, 0.0836, near 1/12) while its gradient keeps shrinking (3.1e-4 "
        "to 1.5e-4) and its weights keep growing (||w|| 12.8 to 14.2). A trap: more training does not help.",
    77: "seed 77 sat near 1/12 at epoch 2000, but by epoch 3000 its error is 0.0031 and by 4000 0.0009; its "
        "gradient grew (5.1e-4 to 1.3e-3) while it escaped. A plateau, crossed.",
}


def stuck_kind(answer) -> None:
    """Exercise 09.3: ``answer`` maps each seed of :data:`STUCK_SEEDS` to ``"plateau"`` or ``"trap"``.

    Examples
    --------
    >>> stuck_kind(dict(_KIND))
    ✔ Exercise 09.3 passed: a plateau is crossed (the gradient grows again and E falls); in a trap E stays put while the gradient shrinks and the weights grow.
    """
    if isinstance(answer, dict):
        for key, value in answer.items():
            if value is not Ellipsis and value not in ("plateau", "trap"):
                raise CheckFailed("09.3", f"seed {key!r}: answer \"plateau\" or \"trap\", got {value!r}")
    _first_wrong("09.3", answer, _KIND, _EVIDENCE, item="seed", items="seeds", plural="labels",
                 example='{6: "plateau", 29: "trap", ...}')
    passed("09.3", "a plateau is crossed (the gradient grows again and E falls); in a trap E stays put while the "
                   "gradient shrinks and the weights grow.")


# -- 09.4 standardizing with the training set's statistics ----------------------------------------------------------

def _unscaled(std, mean):
    """The std to divide by: 1 where a feature is constant in training (std 0, or rounding away from 0)."""
    return np.where(std > 1e-12 * (1.0 + np.abs(mean)), std, 1.0)


def _reference_standardize(x_train, x_test):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std = _unscaled(std, mean)
    return (x_train - mean) / std, (x_test - mean) / std


def _standardize_cases():
    rng = np.random.default_rng(11)
    cases = []
    for n_train, n_test, k in ((8, 4, 3), (20, 6, 5), (5, 3, 2)):
        scale, shift = rng.uniform(0.5, 4.0, size=k), rng.uniform(-3.0, 3.0, size=k)
        x_train = shift + scale * rng.normal(size=(n_train, k))
        x_test = shift + 1.5 * scale * rng.normal(size=(n_test, k)) + 0.7
        x_train[:, 0] = 0.0          # a pixel that never varies in training ...
        x_test[:, 0] = rng.uniform(0.1, 1.0, size=n_test)   # ... but does in the test set
        cases.append({"x_train": x_train, "x_test": x_test})
    return cases


_NOT_FINITE = ("your result holds nan or inf. Hint: a feature that is constant in the training set has standard "
               "deviation 0, and dividing by 0 gives nan (0 / 0) or inf. Divide such a feature by 1 instead (keep "
               "every std above 0 as it is and put 1 where it is 0), so it comes out as x - mean, unscaled; the "
               "digits have three such pixels.")


def _standardized_pair(fn):
    """Wrap the learner's ``standardize`` to return [z_train, z_test], naming a wrong form or an in-place change."""
    def standardize(x_train, x_test):
        before = x_train.copy(), x_test.copy()
        result = fn(x_train, x_test)
        for x, kept, name in ((x_train, before[0], "x_train"), (x_test, before[1], "x_test")):
            if not np.array_equal(x, kept):
                raise CheckFailed("09.4", f"standardize changed its input {name} in place (x -= mean, or x /= std): "
                                          f"called on digits.x_train, that would quietly change the digits for the "
                                          f"rest of the notebook. Leave the inputs as they are and return new "
                                          f"arrays: z = (x - mean) / std.")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailed("09.4", f"standardize should return two arrays (z_train, z_test), got "
                                      f"{type(result).__name__} {format_value(result)}")
        z_train, z_test = (np.asarray(z, dtype=np.float64) for z in result)
        for z, x, name in ((z_train, x_train, "z_train"), (z_test, x_test, "z_test")):
            if z.shape != x.shape:
                raise CheckFailed("09.4", f"{name} should have the shape of its inputs, {x.shape}; got {z.shape}.")
        if not (np.all(np.isfinite(z_train)) and np.all(np.isfinite(z_test))):
            raise CheckFailed("09.4", _NOT_FINITE)
        return [z_train, z_test]

    return standardize


def _with(stats, *, fix=None):
    """A standardize that takes its mean and std from ``stats(x_train, x_test)`` (the plausible mistakes)."""
    def standardize(x_train, x_test):
        (m_train, s_train), (m_test, s_test) = stats(x_train, x_test)
        s_train, s_test = (np.where(s > 0, s, 1.0) for s in (s_train, s_test))
        z_train, z_test = (x_train - m_train) / s_train, (x_test - m_test) / s_test
        return fix(x_train, z_train, z_test) if fix else (z_train, z_test)
    return _standardized_pair(standardize)


def _per_feature(x):
    return x.mean(axis=0), x.std(axis=0)


def _both(x_train, x_test):
    return _per_feature(np.concatenate([x_train, x_test]))


def _nan_to_num(x_train, x_test):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return np.nan_to_num((x_train - mean) / std), np.nan_to_num((x_test - mean) / std)


def _constant_to_zero(x_train, z_train, z_test):
    z_test = z_test.copy()
    z_test[:, x_train.std(axis=0) == 0] = 0.0
    return z_train, z_test


def standardize(fn) -> None:
    """Exercise 09.4: ``fn(x_train, x_test)`` returns both sets standardized with the training set's statistics.

    Each feature (column) has the training set's mean subtracted and is
    divided by the training set's (population) standard deviation; a
    feature whose training standard deviation is 0 is divided by 1. The
    inputs are left unchanged.

    Examples
    --------
    >>> standardize(_reference_standardize)
    ✔ Exercise 09.4 passed: both sets with the training set's per-pixel mean and std; constant pixels divided by 1.
    """
    cases = _standardize_cases()
    mistakes = [
        Mistake(_with(lambda a, b: (_per_feature(a), _per_feature(b))),
                "the test set was standardized with its own mean and std. Use the training set's statistics for "
                "both: the test set stands for new data you have not seen, and the network was trained on inputs "
                "shifted and scaled by the training statistics."),
        Mistake(_with(lambda a, b: (_both(a, b), _both(a, b))),
                "the statistics come from the training and the test set together, so the test set leaks into "
                "training; compute them from x_train alone."),
        Mistake(_with(lambda a, b: ((a.mean(), a.std()), (a.mean(), a.std()))),
                "one mean and one std for all features at once; compute them per feature (per pixel): "
                "mean and std along axis 0, over the examples."),
        Mistake(_with(lambda a, b: ((a.mean(axis=1, keepdims=True), a.std(axis=1, keepdims=True)),
                                    (b.mean(axis=1, keepdims=True), b.std(axis=1, keepdims=True)))),
                "that standardizes each example (row) over its features; standardize each feature (column) over "
                "the training examples: axis 0."),
        Mistake(_with(lambda a, b: ((a.mean(axis=0), np.ones(a.shape[1])), (a.mean(axis=0), np.ones(a.shape[1])))),
                "that only centres the features; also divide by the training set's standard deviation."),
        Mistake(_with(lambda a, b: ((np.zeros(a.shape[1]), a.std(axis=0)), (np.zeros(a.shape[1]), a.std(axis=0)))),
                "that only rescales the features; also subtract the training set's mean."),
        Mistake(_with(lambda a, b: ((a.mean(axis=0), a.std(axis=0, ddof=1)),) * 2),
                "that divides by the sample standard deviation (ddof=1, a sum over n - 1); standardize with the "
                "population standard deviation, np.std's default (ddof=0, a sum over n)."),
        Mistake(_with(lambda a, b: ((a.mean(axis=0), a.var(axis=0)),) * 2),
                "that divides by the variance (a.var), the square of the standard deviation; divide by the "
                "standard deviation itself (a.std(axis=0))."),
        Mistake(_standardized_pair(_nan_to_num),
                "np.nan_to_num hides the division by 0 but does not undo it: a pixel constant in training becomes 0 "
                "there, and in the test set, where it varies, x / 0 = inf becomes 1.8e308. Divide such a feature by "
                "1 instead, before dividing, so it comes out as x - mean."),
        Mistake(_with(lambda a, b: (_per_feature(a),) * 2, fix=_constant_to_zero),
                "a pixel constant in training was set to 0 in the test set; it should come out there as x - mean "
                "(divided by 1), like every value of a feature whose training std is 0: the test set can hold "
                "values the training set never had."),
        Mistake(_standardized_pair(lambda a, b: ((a - a.mean(axis=0)) / (a.std(axis=0) + 1e-8),
                                                 (b - a.mean(axis=0)) / (a.std(axis=0) + 1e-8))),
                "a small epsilon added to the std keeps 0 / 0 away, but a feature that is constant in training "
                "and varies in the test set is then divided by 1e-8: its test values become enormous. Divide "
                "constant features by 1 instead: keep every std above 0 as it is and put 1 where it is 0."),
    ]
    answer = _standardized_pair(fn) if callable(fn) else fn
    _expect_parts("09.4", answer, cases, _standardized_pair(_reference_standardize), name="standardize",
                  labels=("z_train", "z_test"), mistakes=mistakes)
    passed("09.4", "both sets with the training set's per-pixel mean and std; constant pixels divided by 1.")


# -- 09.5 the condition number --------------------------------------------------------------------------------------

def _reference_condition_number(x):
    lam = np.linalg.eigvalsh(x.T @ x / len(x))
    return lam[-1] / lam[0]


def _condition_cases(rng):
    cases = []
    for n, k in ((6, 2), (10, 3), (25, 5)):
        x = rng.normal(size=(n, k)) * rng.uniform(0.3, 3.0, size=k) + rng.uniform(0.5, 2.0, size=k)
        cases.append((x,))
    return cases


def condition_number(fn) -> None:
    """Exercise 09.5: ``fn(x)`` returns lambda_max / lambda_min of the linear neuron's Hessian H = x^T x / n.

    Examples
    --------
    >>> condition_number(_reference_condition_number)
    ✔ Exercise 09.5 passed: the condition number lambda_max / lambda_min of H = x^T x / n.
    """
    cases = [{"x": x} for (x,) in _condition_cases(np.random.default_rng(12))]  # n > k: x @ x.T is singular

    def eigen(x, f):
        lam = np.linalg.eigvalsh(x.T @ x / len(x))
        return f(lam)

    mistakes = [
        Mistake(lambda x: np.linalg.cond(x),
                "that is np.linalg.cond(x), the ratio of the singular values of x: its square root. The Hessian "
                "is x^T x / n, whose eigenvalues are the squared singular values (over n)."),
        Mistake(lambda x: eigen(x, lambda lam: lam[0] / lam[-1]), "the ratio is upside down: lambda_max / lambda_min, "
                                                                  "at least 1."),
        Mistake(lambda x: eigen(x, lambda lam: lam[-1]), "that is lambda_max alone; divide by lambda_min."),
        Mistake(lambda x: (lambda lam: lam[-1] / lam[0])(np.linalg.eigvalsh(x @ x.T / len(x))),
                "that is x @ x.T / n, the n x n matrix of products between examples; the Hessian is the k x k "
                "x.T @ x / n (one row and column per input). With more examples than inputs, x @ x.T has "
                "eigenvalues that are 0 but for rounding, of either sign, and the ratio explodes."),
        Mistake(lambda x: np.linalg.cond(np.cov(x, rowvar=False)),
                "the inputs were centred first (x - x.mean(axis=0), or np.cov, which centres them): that is the "
                "Hessian for centred inputs. The linear neuron sees the inputs as they are: H = x^T x / n."),
    ]
    expect_function("09.5", fn, cases, _reference_condition_number, name="condition_number", mistakes=mistakes,
                    rtol=1e-6)
    passed("09.5", "the condition number lambda_max / lambda_min of H = x^T x / n.")


# -- 09.6 symmetry -------------------------------------------------------------------------------------------------

STATEMENTS = {
    "same_net": "Before training, the three hidden neurons have the same net input for every example.",
    "same_delta": "At every step, the three hidden deltas are equal, example by example.",
    "same_update": "At every step, the three hidden neurons' incoming weights change by the same amount.",
    "more_epochs": "After enough epochs the three hidden neurons become different.",
    "larger_eta": "A larger learning rate would make them different.",
    "like_one": "The network can do no better than a 2-1-1 network (one hidden neuron).",
    "zero_start": "Starting from all weights 0 instead, the hidden neurons' incoming weights would never change.",
    "random_biases": "Random hidden biases (with the weights still all equal) would break the symmetry.",
}
"""Statements of Exercise 09.6 about a 2-3-1 logistic network whose weights all start at the same value c != 0."""

_TRUTH = {"same_net": True, "same_delta": True, "same_update": True, "more_epochs": False, "larger_eta": False,
          "like_one": True, "zero_start": True, "random_biases": True}

_WHY = {
    "same_net": "net_j = sum_i w_ij x_i + b_j, and every w_ij is c and every b_j is 0: the same sum for every j.",
    "same_delta": "Eq. 5: delta_j = (sum_l w_jl delta_l) phi'(net_j). The single output delta is shared; the "
                  "weights w_j1 into the output are equal, and so are the net_j. Every factor is the same for "
                  "every j.",
    "same_update": "dE/dw_ij = o_i delta_j (Eq. 1-2): o_i is the same input for every j, and the deltas are equal "
                   "(Eq. 5), so every neuron's incoming weights change alike, and stay equal after the step.",
    "more_epochs": "after each step the weights are equal again, so the next step is the same for every neuron "
                   "too (Eq. 5 at every step); no number of epochs separates them (in floating point, the same "
                   "operations on the same numbers give the same results).",
    "larger_eta": "eta multiplies every neuron's (equal) gradient by the same factor: equal steps stay equal.",
    "like_one": "three identical neurons compute the same o; the output sees 3 w o, which one hidden neuron with "
                "output weight 3w computes too, and a 2-1-1 network cannot separate XOR.",
    "zero_start": "with every weight and bias 0, y = 1/2 for every case, which is the mean of the XOR targets: the "
                  "output deltas (1/2 - t) phi'(0) average to 0, so every gradient, hidden and output, is exactly 0 "
                  "and nothing moves at all (try it with your train). With targets whose mean is not 1/2 the output "
                  "weights would move first and the hidden ones from the second step on, all alike.",
    "random_biases": "different biases give different net_j, so different phi'(net_j) and deltas (Eq. 5): the "
                     "neurons start apart and move apart.",
}


def symmetry(answer) -> None:
    """Exercise 09.6: ``answer`` maps each key of :data:`STATEMENTS` to True or False.

    Examples
    --------
    >>> symmetry(dict(_TRUTH))
    ✔ Exercise 09.6 passed: equal weights give equal deltas (Eq. 5) and equal updates, step after step: break the symmetry at the start.
    """
    if isinstance(answer, dict):
        for key, value in answer.items():
            if value is not Ellipsis and not isinstance(value, (bool, np.bool_)):
                raise CheckFailed("09.6", f"statement {key!r}: answer True or False, got {value!r}")
    _first_wrong("09.6", answer, _TRUTH, _WHY, item="statement", items="statements", plural="answers",
                 example="{'same_net': True, ...}")
    passed("09.6", "equal weights give equal deltas (Eq. 5) and equal updates, step after step: break the "
                   "symmetry at the start.")


# -- hidden checks --------------------------------------------------------------------------------------------------

def _train_hidden_cases(rng):
    cases = []
    for _ in range(3):
        sizes = tuple(int(v) for v in rng.integers(1, 5, size=3))
        n = int(rng.integers(1, 7))
        cases.append((sizes, int(rng.integers(0, 10**6)), rng.normal(size=(n, sizes[0])),
                      rng.uniform(size=(n, sizes[-1])), float(rng.uniform(0.2, 3.0)), int(rng.integers(1, 10))))
    return cases


def _norm_hidden_cases(rng):
    cases = []
    for _ in range(3):
        sizes = tuple(int(v) for v in rng.integers(1, 5, size=int(rng.integers(2, 5))))
        n = int(rng.integers(1, 6))
        cases.append((sizes, int(rng.integers(0, 10**6)), rng.normal(size=(n, sizes[0])),
                      rng.uniform(size=(n, sizes[-1]))))
    return cases


def _standardize_hidden_cases(rng):
    cases = []
    for _ in range(3):
        n_train, n_test, k = int(rng.integers(3, 12)), int(rng.integers(1, 6)), int(rng.integers(2, 6))
        x_train = rng.normal(size=(n_train, k)) * rng.uniform(0.2, 5.0, size=k) + rng.normal(size=k)
        x_test = rng.normal(size=(n_test, k)) * 2 + 1
        constant = int(rng.integers(0, k))
        x_train[:, constant] = float(rng.integers(-8, 9)) / 4  # one value, exact in binary: its std is exactly 0
        cases.append((x_train, x_test))
    return cases


def _call_standardize(fn, x_train, x_test):
    """The hidden check's call: [z_train, z_test]; a function that changes its inputs in place fails the case."""
    return _standardized_pair(fn)(x_train.copy(), x_test.copy())


HIDDEN = {
    "09.1": hidden.Function("train", _train_hidden_cases, _reference_train, call=_call_train, rtol=1e-7),
    "09.2": hidden.Function("gradient_norm", _norm_hidden_cases, _reference_gradient_norm,
                            call=_call_gradient_norm),
    "09.3": hidden.Value(("stuck_kinds",), stuck_kind),
    "09.4": hidden.Function("standardize", _standardize_hidden_cases, _reference_standardize, call=_call_standardize),
    "09.5": hidden.Function("condition_number", _condition_cases, _reference_condition_number),
    "09.6": hidden.Value(("statements",), symmetry),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
