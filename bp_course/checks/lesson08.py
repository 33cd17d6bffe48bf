"""Checks for Lesson 08, "Loss functions".

The two conditions a loss must meet for backpropagation, the softmax, the
cross-entropy averaged over examples, and the derivatives of softmax
cross-entropy (by hand, checked by :mod:`bp_course.symbolic`).
"""

from __future__ import annotations

import numpy as np

from bp_course import symbolic
from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import (CheckFailed, Mistake, call, expect_choices, expect_derivation, expect_function,
                                   format_value, passed)
from bp_course.losses import softmax as _softmax

__all__ = ["HIDDEN", "CANDIDATES", "VERDICTS", "conditions", "softmax", "cross_entropy", "softmax_slope", "output_delta"]

CANDIDATES = {
    "mean squared error": "E = 1/n sum_p 1/2 ||t_p - y_p||^2",
    "total squared error": "E = sum_p 1/2 ||t_p - y_p||^2  (a sum: n times the mean)",
    "mean cross-entropy": "E = -1/n sum_p sum_k t_pk log y_pk",
    "worst example": "E = max_p 1/2 ||t_p - y_p||^2",
    "median absolute error": "E = median_p sum_k |t_pk - y_pk|",
    "squared error + weight decay": "E = 1/n sum_p 1/2 ||t_p - y_p||^2 + lambda/2 sum of w^2 over all weights",
}
"""Candidate losses of Exercise 08.1, with their formulas (p runs over the n examples, k over the C outputs).

Each breaks at most one of the two conditions, read as the lesson states
them before the exercise: a constant multiple of an average counts as an
average, and so does an average plus a term that is the same for every
example (it can be added into every E_p).
"""

VERDICTS = {
    "ok": "meets both conditions",
    "not_average": "is not an average over the examples of per-example errors E_p",
    "not_outputs": "depends on the weights other than through the network's outputs y_p",
}
"""The verdicts a learner chooses from in Exercise 08.1."""

_QUESTIONS = symbolic.softmax_cross_entropy()

_ANSWERS = {"mean squared error": "ok", "total squared error": "ok", "mean cross-entropy": "ok",
            "worst example": "not_average", "median absolute error": "not_average",
            "squared error + weight decay": "not_outputs"}

_HINTS = {
    "total squared error": "a sum is n times the average of the same E_p, and a constant multiple of an average "
                           "counts as an average (it is the average of n E_p); the factor n only rescales the "
                           "gradient, and so the learning rate.",
    "mean squared error": "it is an average of 1/2 ||t_p - y_p||^2, and each of those depends on the weights only "
                          "through y_p.",
    "mean cross-entropy": "it is an average over examples, and each -sum_k t_pk log y_pk depends on the weights only "
                          "through y_p.",
    "worst example": "a maximum is not an average: its gradient comes from one example alone, and which one changes "
                     "from step to step, so the per-example gradients of backprop cannot be averaged into it. Each "
                     "E_p is still a function of y_p.",
    "median absolute error": "a median is not an average of per-example errors: it picks one example (the middle "
                             "one), so per-example gradients cannot be averaged into its gradient. Each "
                             "sum_k |t_pk - y_pk| is still a function of y_p.",
    "squared error + weight decay": "the decay term is the same for every example, so E is still an average, of "
                                    "E_p = 1/2 ||t_p - y_p||^2 + lambda/2 sum w^2; but that term depends on the "
                                    "weights directly, not through the outputs y: backprop starts from dE/dy and "
                                    "never reaches it.",
}


def conditions(answer) -> None:
    """Exercise 08.1: ``answer`` maps each name of :data:`CANDIDATES` to one of :data:`VERDICTS`.

    Examples
    --------
    >>> conditions(dict(_ANSWERS))  # doctest: +NORMALIZE_WHITESPACE
    ✔ Exercise 08.1 passed: backprop needs an average over examples of errors that each depend on the outputs alone.
    Weight decay is still used everywhere, as a separate term: its gradient lambda w is added to each weight's
    gradient directly, next to backpropagation, not through it.
    """
    expect_choices("08.1", answer, _ANSWERS, VERDICTS, _HINTS, item="loss", items="losses", plural="verdicts",
                   example="{'mean squared error': 'ok', ...}")
    passed("08.1", "backprop needs an average over examples of errors that each depend on the outputs alone. "
                   "Weight decay is still used everywhere, as a separate term: its gradient lambda w is added to each "
                   "weight's gradient directly, next to backpropagation, not through it.")


def _columns_of_shifted(net):
    """Each row shifted by its maximum, as a stable softmax does, then normalized over the wrong axis, 0."""
    e = np.exp(net - net.max(axis=1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax(fn) -> None:
    """Exercise 08.2: ``fn(net)`` must return the softmax of every row of ``net`` (examples x classes), stably.

    Examples
    --------
    >>> def sm(net):
    ...     e = np.exp(net - net.max(axis=1, keepdims=True))
    ...     return e / e.sum(axis=1, keepdims=True)
    >>> softmax(sm)
    ✔ Exercise 08.2 passed: every row is positive and sums to 1, even for net = 1000.
    """
    rng = np.random.default_rng(8)
    cases = [{"net": rng.normal(size=(4, 3))}, {"net": rng.normal(size=(1, 5)) * 3},
             {"net": np.array([[2.0, 2.0], [-1.0, 3.0], [0.0, 5.0]])}]
    mistakes = [
        Mistake(lambda net: np.exp(net) / np.exp(net).sum(axis=0, keepdims=True),
                "that normalizes each column (over the examples); normalize each row, over the classes: axis=1."),
        Mistake(lambda net: np.exp(net) / np.exp(net).sum(), "that divides by one sum over the whole batch; each "
                                                              "example's row must sum to 1 (sum with axis=1, "
                                                              "keepdims=True)."),
        Mistake(lambda net: net / net.sum(axis=1, keepdims=True), "the exponentials are missing: y_k = e^net_k / "
                                                                  "sum_m e^net_m."),
        Mistake(_columns_of_shifted, "that normalizes each column (over the examples); normalize each row, over "
                                     "the classes: axis=1."),
        Mistake(lambda net: 1 / (1 + np.exp(-net)), "that is the logistic of each net input on its own; the softmax "
                                                    "divides each e^net_k by the sum over its row, so the row sums "
                                                    "to 1."),
    ]
    fn = _keepdims_diagnosed(fn)
    expect_function("08.2", fn, cases, _softmax, name="softmax", mistakes=mistakes)
    big = np.array([[1000.0, 999.0, 0.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        value = np.asarray(call("08.2", fn, big.copy(), name="softmax"), dtype=np.float64)
    if value.shape != big.shape or not np.all(np.isfinite(value)):
        raise CheckFailed("08.2", f"softmax({format_value(big)}) gave {format_value(value)}: e^1000 overflows.\n"
                                  "Hint: subtract each row's maximum from net first; the softmax does not change "
                                  "(the factor e^-max cancels) and no exponent exceeds 0.")
    if not np.allclose(value, _softmax(big)):
        raise CheckFailed("08.2", f"softmax({format_value(big)}) should be {format_value(_softmax(big))}, got "
                                  f"{format_value(value)}")
    apart = np.array([[1000.0, 999.0], [0.0, -1.0]])  # one row far below the other
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        value = np.asarray(call("08.2", fn, apart.copy(), name="softmax"), dtype=np.float64)
    if value.shape != apart.shape or not np.allclose(value, _softmax(apart)):
        raise CheckFailed("08.2", f"softmax({format_value(apart)}) should be {format_value(_softmax(apart))}, got "
                                  f"{format_value(value)}.\nHint: subtract each row's own maximum (axis=1, "
                                  "keepdims=True): with the maximum of the whole array, every exponent of a row far "
                                  "below it underflows to 0, and that row becomes 0 / 0.")
    passed("08.2", "every row is positive and sums to 1, even for net = 1000.")


def _keepdims_diagnosed(fn):
    """The learner's softmax, whose broadcasting errors get a hint about ``keepdims=True``."""
    if not callable(fn):
        return fn

    def softmax(net):
        try:
            return fn(net)
        except NotImplementedError:
            raise
        except ValueError as error:
            if "broadcast" not in str(error):
                raise
            raise CheckFailed("08.2", f"softmax(net of shape {np.shape(net)}) raised ValueError: {error}\nHint: "
                                      "e.sum(axis=1) (and net.max(axis=1)) have shape (n,), one number per row, which "
                                      "NumPy lines up with the columns of an (n, C) array. Keep the summed axis, "
                                      "e.sum(axis=1, keepdims=True), of shape (n, 1), so that each row is divided "
                                      "by its own sum.") from None
    return softmax


def _cross_entropy(y, t):
    return -np.sum(t * np.log(y)) / len(y)


def cross_entropy(fn) -> None:
    """Exercise 08.3: ``fn(y, t)`` must return -1/n sum_p sum_k t_pk log y_pk for a batch of probabilities y.

    Examples
    --------
    >>> cross_entropy(lambda y, t: -np.sum(t * np.log(y)) / len(y))
    ✔ Exercise 08.3 passed: the mean over examples of -log(probability of the right class).
    """
    rng = np.random.default_rng(9)
    cases = []
    for n, k in ((4, 3), (1, 5), (6, 2)):
        y = _softmax(rng.normal(size=(n, k)))
        cases.append({"y": y, "t": np.eye(k)[rng.integers(0, k, size=n)]})
    mistakes = [
        Mistake(lambda y, t: -np.sum(t * np.log(y)), "that is the sum over the examples; the loss is their average, "
                                                     "so divide by the number of examples."),
        Mistake(lambda y, t: np.sum(t * np.log(y)) / len(y), "the sign is missing: log y is negative for y < 1, so "
                                                             "E = -mean sum t log y is positive."),
        Mistake(lambda y, t: -np.mean(t * np.log(y)), "np.mean over the whole array divides by examples x classes; "
                                                      "sum over the classes, average over the examples only."),
        Mistake(lambda y, t: -np.sum(t * np.log10(y)) / len(y),
                "that is the logarithm to base 10; the cross-entropy uses the natural logarithm (base e), so your "
                "value is too small by the factor ln 10 ≈ 2.3."),
        Mistake(lambda y, t: -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)) / len(y),
                "the (1 - t) log(1 - y) terms make that the binary cross-entropy, which treats every output as a "
                "separate yes/no probability; the softmax's outputs are one distribution over the classes, and the "
                "categorical cross-entropy of Section 3 has no (1 - t) terms."),
    ]
    expect_function("08.3", fn, cases, _cross_entropy, name="cross_entropy", mistakes=mistakes)
    passed("08.3", "the mean over examples of -log(probability of the right class).")


def softmax_slope(answer) -> None:
    """Exercise 08.4: ``answer`` is dy1/dnet2 of the three-class softmax, in net1-3 and y1-3.

    Examples
    --------
    >>> softmax_slope("-y1 * y2")  # doctest: +NORMALIZE_WHITESPACE
    ✔ Exercise 08.4 passed: dy1/dnet2 is right: proved equal by SymPy and confirmed numerically at 6 points.
    dy1/dnet2 = -y1 y2. In general dy_k/dnet_j = y_k ([k = j] - y_j), where [k = j] is 1 if k = j and 0
    otherwise: y_k (1 - y_k) on the diagonal, -y_k y_j off it.
    """
    verdict = expect_derivation("08.4", answer, _QUESTIONS["dy1/dnet2"])
    passed("08.4", f"{verdict.message} dy1/dnet2 = -y1 y2. In general dy_k/dnet_j = y_k ([k = j] - y_j), where "
                   "[k = j] is 1 if k = j and 0 otherwise: y_k (1 - y_k) on the diagonal, -y_k y_j off it.")


def output_delta(answer) -> None:
    """Exercise 08.5: ``answer`` is dE/dnet1 of softmax cross-entropy with three classes.

    Examples
    --------
    >>> output_delta("y1 - t1")  # doctest: +NORMALIZE_WHITESPACE
    ✔ Exercise 08.5 passed: dE/dnet1 is right: proved equal by SymPy and confirmed numerically at 6 points.
    Everything but y1 - t1 cancels (the targets sum to 1): dE_p/dnet_j = y_j - t_j for every output j, with no
    phi' factor. For a batch the deltas are Delta = Y - T, one row per example, and the gradient of the averaged
    E is dE/dNET = (Y - T)/n.
    """
    verdict = expect_derivation("08.5", answer, _QUESTIONS["dE/dnet1"])
    passed("08.5", f"{verdict.message} Everything but y1 - t1 cancels (the targets sum to 1): dE_p/dnet_j = y_j - t_j "
                   "for every output j, with no phi' factor. For a batch the deltas are Delta = Y - T, one row per "
                   "example, and the gradient of the averaged E is dE/dNET = (Y - T)/n.")


def _probability_cases(rng):
    cases = []
    for n, k in rng.integers(1, 6, size=(3, 2)) + np.array([0, 1]):
        cases.append((_softmax(rng.normal(size=(n, k))), np.eye(k)[rng.integers(0, k, size=n)]))
    return cases


HIDDEN = {
    "08.1": hidden.Value(("verdicts",), conditions),
    "08.2": hidden.Function("softmax", lambda rng: [(rng.normal(size=(3, 4)) * 5,), (rng.normal(size=(1, 2)),),
                                                    (np.array([[700.0, -5.0, 699.0]]),)], _softmax),
    "08.3": hidden.Function("cross_entropy", _probability_cases, _cross_entropy),
    "08.4": hidden.Derivation("dy1_dnet2", _QUESTIONS["dy1/dnet2"]),
    "08.5": hidden.Derivation("dE_dnet1", _QUESTIONS["dE/dnet1"]),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`)."""
