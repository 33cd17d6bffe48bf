"""bp_course.checks.lesson06: layers as matrices, biases, the backward pass of any depth, path counting."""

import re

import numpy as np
import pytest

from bp_course.checks import CheckFailed
from bp_course.checks import lesson06 as check
from bp_course.checks.backward_pass import flawed_backward, labelled


def _hint(text):
    return "Hint: .*" + re.escape(text)


def _logistic(z):
    return 1 / (1 + np.exp(-z))


def _backward(W, b, x, t, slope=True, sign=1, output_slope="net", divide="n", biases=True, db_zero=False,
              overwrite=False):
    """Lesson 06's backward pass, written out here, right by default or with one learner's flaw."""
    outs = [x]
    for w, v in zip(W, b):
        outs.append(_logistic(outs[-1] @ w + (v if biases else 0)))
    y = outs[-1]
    delta = sign * (y - t) * {"net": y * (1 - y), "of_output": _logistic(y) * (1 - _logistic(y))}[output_slope]
    n = {"n": len(x), "all": t.size}[divide]
    dW, db = [None] * len(W), [None] * len(W)
    for l in reversed(range(len(W))):
        if overwrite:
            for p in range(len(x)):  # one example at a time, each assignment replacing the last
                dW[l] = np.outer(outs[l][p], delta[p]) / n
        else:
            dW[l] = outs[l].T @ delta / n
        db[l] = np.zeros(delta.shape[1]) if db_zero else delta.sum(axis=0) / n
        delta = delta @ W[l].T * (outs[l] * (1 - outs[l]) if slope else 1.0)
    return dW, db


def test_correct_answers_pass(capsys):
    check.layer_forward(lambda out, W, b: out @ W + b)
    check.weight_gradient(lambda out, delta: out.T @ delta / len(out))
    check.bias_gradient(lambda delta: delta.mean(axis=0))
    check.backward(_backward)
    check.count_paths(lambda width, depth: width ** depth)
    assert capsys.readouterr().out.count("✔ Exercise") == 5


def test_flawed_backward_without_flaws_agrees_with_the_network_class():
    """The mistakes are built on a hand-written backward pass; it must equal Network's when nothing is broken."""
    for case in check._cases():
        dW, db = flawed_backward(**case)
        reference = check._reference(**case)
        for label, value in {**labelled("dW", dW), **labelled("db", db)}.items():
            np.testing.assert_allclose(value, reference[label], rtol=1e-10, atol=1e-14)
        for label, value in {**labelled("dW", _backward(**case)[0]), **labelled("db", _backward(**case)[1])}.items():
            np.testing.assert_allclose(value, reference[label], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("exercise,wrong,hint", [
    ("layer_forward", lambda out, W, b: out @ W, "the bias b is missing"),
    ("layer_forward", lambda out, W, b: out @ W + b.sum(), "the bias is a vector"),
    ("weight_gradient", lambda out, delta: out.T @ delta, "that is the sum over the batch"),
    ("weight_gradient", lambda out, delta: delta.T @ out / len(out), "the result is transposed"),
    ("bias_gradient", lambda delta: delta.sum(axis=0), "that is the sum over the batch"),
    ("bias_gradient", lambda delta: delta.mean(axis=1), "averages over the neurons"),
    ("layer_forward", lambda out, W, b: out @ W.T + b, "W is transposed: W[l] is stored (inputs, outputs)"),
    ("backward", lambda W, b, x, t: _backward(W, b, x, t, slope=False), "the hidden deltas lack their slope"),
    # Issue 11, item 12: the capstone's mistakes, each named.
    ("backward", lambda W, b, x, t: _backward(W, b, x, t, sign=-1), "every gradient has the opposite sign"),
    ("backward", lambda W, b, x, t: _backward(W, b, x, t, output_slope="of_output"),
     "phi' is evaluated at the neuron's output"),
    ("backward", lambda W, b, x, t: _backward(W, b, x, t, overwrite=True), "the last example alone (divided by n)"),
    ("backward", lambda W, b, x, t: _backward(W, b, x, t, divide="all"), "every gradient is 1/n_out of the right one"),
    ("backward", lambda W, b, x, t: _backward(W, b, x, t, biases=False),
     "the gradients of the network without its biases"),
    ("backward", lambda W, b, x, t: _backward(W, b, x, t, db_zero=True), "the bias gradients are missing (zero)"),
    ("count_paths", lambda width, depth: width * depth, "that counts the hidden neurons"),
    ("count_paths", lambda width, depth: depth ** width, "base and exponent are swapped"),
    ("count_paths", lambda width, depth: width ** (depth + 1), "one factor too many"),
    ("count_paths", lambda width, depth: 2 ** depth, "two choices per layer as in a binary tree"),
])
def test_plausible_mistakes_get_their_hint(exercise, wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        getattr(check, exercise)(wrong)


def test_backward_shape_and_type_errors_are_named():
    with pytest.raises(CheckFailed, match=r"dW\[0\] should have shape \(2, 3\), like the array it is the gradient of; "
                                          r"got \(3, 2\) \(transposed\?\)"):
        check.backward(lambda W, b, x, t: ([g.T for g in _backward(W, b, x, t)[0]], _backward(W, b, x, t)[1]))
    with pytest.raises(CheckFailed, match="two lists"):
        check.backward(lambda W, b, x, t: _backward(W, b, x, t)[0])


def test_backward_compares_named_arrays_and_shows_arguments_as_shapes():
    """Issue 11, item 12: each array under its name, the arguments as shapes, not a flat list cut mid-array."""
    def biases_off(W, b, x, t):
        dW, db = _backward(W, b, x, t)
        return dW, [v * 1.01 for v in db]

    with pytest.raises(CheckFailed) as info:
        check.backward(biases_off)
    message = str(info.value)
    assert ("backward(W=[array (2, 3), array (3, 1)], b=[array (3,), array (1,)], x=array (4, 2), t=array (4, 1)) "
            "is not right yet:") in message
    assert "  dW[0]: right\n  dW[1]: right\n  db[0]: expected [" in message
    assert "Hint: every dW[l] is right, so your deltas are; some db[l] are not" in message
    assert "array([" not in message


def test_layer_forward_with_w_transposed_is_named_when_it_raises():
    """Issue 11, item 13: out @ W.T raises a shape error on a non-square W; the check names the transpose."""
    with pytest.raises(CheckFailed) as info:
        check.layer_forward(lambda out, W, b: out @ W.T + b)
    message = str(info.value)
    assert message.startswith("Exercise 06.1: layer_forward(out=array (4, 3), W=array (3, 2), b=array (2,)) raised "
                              "ValueError")
    assert "Hint: W is transposed" in message


def test_a_raising_layer_forward_is_reported_with_shapes_and_no_false_hint():
    with pytest.raises(CheckFailed) as info:
        check.layer_forward(lambda out, W, b: out @ W[:, :1] @ b)
    assert "layer_forward(out=array (4, 3), W=array (3, 2), b=array (2,)) raised ValueError" in str(info.value)
    assert "Hint" not in str(info.value)


def test_count_paths_refuses_a_fractional_count():
    with pytest.raises(CheckFailed, match="not a whole number"):
        check.count_paths(lambda width, depth: width ** depth + 0.5)


@pytest.mark.parametrize("fn", [lambda out, W, b: out @ W - b, lambda out, W, b: _logistic(out @ W + b)])
def test_layer_forward_wrong_answers_get_feedback_not_a_crash(fn):
    with pytest.raises(CheckFailed, match=r"layer_forward\(out="):
        check.layer_forward(fn)


def test_weight_gradient_with_the_transposes_swapped_is_named():
    with pytest.raises(CheckFailed, match=_hint("O^T Delta, out.T @ delta. The transposes are swapped")):
        check.weight_gradient(lambda out, delta: out @ delta.T / len(out))


def test_count_paths_off_by_one_is_named():
    with pytest.raises(CheckFailed, match=_hint("width ** (depth - 1), one factor too few (an off-by-one)")):
        check.count_paths(lambda width, depth: width ** (depth - 1))


def test_a_backward_that_calls_the_stub_of_06_1_names_06_1():
    """06.4 written with the learner's layer_forward, 06.1 not solved yet: solve 06.1 first, not '06.4 not attempted'."""
    from bp_course.checks import NotAttempted

    def layer_forward(out, W, b):
        raise NotImplementedError("Exercise 06.1 is not attempted yet")

    def backward(W, b, x, t):
        layer_forward(x, W[0], b[0])

    with pytest.raises(NotAttempted, match=r"^Exercise 06\.1: not attempted yet\. Your answer to 06\.4 uses it"):
        check.backward(backward)



@pytest.mark.parametrize("wrong,hint", [
    (lambda out, W, b: W @ out + b, "W @ out has the factors the wrong way round"),
    (lambda out, W, b: 1 / (1 + np.exp(-(out @ W + b))), "that is the layer's output phi(net)"),
])
def test_layer_forward_with_w_first_or_the_activation_applied_is_named(wrong, hint):
    with pytest.raises(CheckFailed, match="Hint: .*" + re.escape(hint)):
        check.layer_forward(wrong)
