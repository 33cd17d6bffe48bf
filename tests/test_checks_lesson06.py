"""bp_course.checks.lesson06: layers as matrices, biases, the backward pass of any depth, path counting."""

import re

import numpy as np
import pytest

from bp_course.checks import CheckFailed
from bp_course.checks import lesson06 as check


def _hint(text):
    return "Hint: .*" + re.escape(text)


def _logistic(z):
    return 1 / (1 + np.exp(-z))


def _backward(W, b, x, t, slope=True):
    outs = [x]
    for w, v in zip(W, b):
        outs.append(_logistic(outs[-1] @ w + v))
    delta = (outs[-1] - t) * outs[-1] * (1 - outs[-1])
    dW, db = [None] * len(W), [None] * len(W)
    for l in reversed(range(len(W))):
        dW[l], db[l] = outs[l].T @ delta / len(x), delta.mean(axis=0)
        delta = delta @ W[l].T * (outs[l] * (1 - outs[l]) if slope else 1.0)
    return dW, db


def test_correct_answers_pass(capsys):
    check.layer_forward(lambda out, W, b: out @ W + b)
    check.weight_gradient(lambda out, delta: out.T @ delta / len(out))
    check.bias_gradient(lambda delta: delta.mean(axis=0))
    check.backward(_backward)
    check.count_paths(lambda width, depth: width ** depth)
    assert capsys.readouterr().out.count("✔ Exercise") == 5


def test_manual_reference_agrees_with_the_network_class():
    """The mistakes are built on a hand-written backward pass; it must equal Network's when nothing is broken."""
    for case in check._cases():
        manual = check._reference(**case, average=False)
        n = len(case["x"])
        network = check._reference(**case)
        for a, b in zip(manual, network):
            np.testing.assert_allclose(a / n, b, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("exercise,wrong,hint", [
    ("layer_forward", lambda out, W, b: out @ W, "the bias b is missing"),
    ("layer_forward", lambda out, W, b: out @ W + b.sum(), "the bias is a vector"),
    ("weight_gradient", lambda out, delta: out.T @ delta, "that is the sum over the batch"),
    ("weight_gradient", lambda out, delta: delta.T @ out / len(out), "the result is transposed"),
    ("bias_gradient", lambda delta: delta.sum(axis=0), "that is the sum over the batch"),
    ("bias_gradient", lambda delta: delta.mean(axis=1), "averages over the neurons"),
    ("backward", lambda W, b, x, t: _backward(W, b, x, t, slope=False), "the hidden deltas lack phi'(net)"),
    ("count_paths", lambda width, depth: width * depth, "that counts the hidden neurons"),
    ("count_paths", lambda width, depth: depth ** width, "base and exponent are swapped"),
    ("count_paths", lambda width, depth: width ** (depth + 1), "one factor too many"),
])
def test_plausible_mistakes_get_their_hint(exercise, wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        getattr(check, exercise)(wrong)


def test_backward_shape_and_type_errors_are_named():
    with pytest.raises(CheckFailed, match=r"dW\[0\] should have shape \(2, 3\); got \(3, 2\) \(transposed\?\)"):
        check.backward(lambda W, b, x, t: ([g.T for g in _backward(W, b, x, t)[0]], _backward(W, b, x, t)[1]))
    with pytest.raises(CheckFailed, match="two lists"):
        check.backward(lambda W, b, x, t: _backward(W, b, x, t)[0])


def test_count_paths_refuses_a_fractional_count():
    with pytest.raises(CheckFailed, match="not a whole number"):
        check.count_paths(lambda width, depth: width ** depth + 0.5)
