"""bp_course.checks.lesson05: the 2-2-1 network by hand, and the backward pass in code."""

import re

import numpy as np
import pytest

from bp_course import datasets
from bp_course.activations import logistic
from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson05 as check
from bp_course.network import Network

X, T, W = datasets.worked_example()


def _hint(text):
    return "Hint: .*" + re.escape(text)


def _reference():
    """The same numbers from the course's Network (zero biases): an independent route."""
    net = Network([2, 2, 1], "logistic")
    net.W = [w.copy() for w in W]
    forward = net.forward(X)
    grads = net.backward(forward, T)
    return forward, grads


def _backward(W, x, t):
    o_h = logistic(x @ W[0])
    y = logistic(o_h @ W[1])
    delta_o = (y - t) * y * (1 - y)
    delta_h = (delta_o @ W[1].T) * o_h * (1 - o_h)
    return [x.T @ delta_h / len(x), o_h.T @ delta_o / len(x)]


def test_correct_answers_pass(capsys):
    forward, grads = _reference()
    check.forward(forward.out[1], forward.y[0])
    check.forward(forward.out[1].round(6), round(float(forward.y[0]), 6))   # six decimals, as by hand
    check.delta_output(grads.delta[2][0])
    check.delta_hidden(grads.delta[1])
    check.gradients(grads.dW[0], grads.dW[1])
    check.backward(_backward)
    check.backward(lambda W, x, t: tuple(_backward(W, x, t)))
    assert capsys.readouterr().out.count("✔ Exercise") == 7


def test_forward_mistakes():
    forward, _ = _reference()
    with pytest.raises(CheckFailed, match=_hint("those are the net inputs")):
        check.forward(X @ W[0], forward.y[0])
    with pytest.raises(CheckFailed, match=_hint("W[0] is transposed")):
        check.forward(logistic(X @ W[0].T), forward.y[0])
    with pytest.raises(CheckFailed, match=_hint("feeds the hidden *net inputs* forward")):
        check.forward(forward.out[1], logistic((X @ W[0]) @ W[1])[0])
    with pytest.raises(NotAttempted):
        check.forward(..., ...)


def test_delta_mistakes():
    forward, grads = _reference()
    y = forward.y[0]
    with pytest.raises(CheckFailed, match=_hint("the sign is flipped")):
        check.delta_output(-grads.delta[2][0])
    with pytest.raises(CheckFailed, match=_hint("(Eq. 3) is missing")):
        check.delta_output(y - 1.0)
    o_h = forward.out[1]
    backpropagated = W[1][:, 0] * grads.delta[2][0]
    with pytest.raises(CheckFailed, match=_hint("needs the hidden neuron's own slope")):
        check.delta_hidden(backpropagated)
    with pytest.raises(CheckFailed, match=_hint("the weights w_jl are missing")):
        check.delta_hidden(grads.delta[2][0] * o_h * (1 - o_h))
    with pytest.raises(CheckFailed, match=_hint("uses the output's slope")):
        check.delta_hidden(backpropagated * y * (1 - y))


def test_gradient_mistakes():
    forward, grads = _reference()
    with pytest.raises(CheckFailed, match=_hint("dW0 is transposed")):
        check.gradients(grads.dW[0].T, grads.dW[1])
    with pytest.raises(CheckFailed, match=_hint("inputs are o_hidden, not x")):
        check.gradients(grads.dW[0], np.outer(X, grads.delta[2]))
    with pytest.raises(CheckFailed, match=r"dW1 should have shape \(2, 1\), got shape \(1, 2\)"):
        check.gradients(grads.dW[0], grads.dW[1].T)


@pytest.mark.parametrize("wrong,message", [
    (lambda W, x, t: [x.T @ ((logistic(logistic(x @ W[0]) @ W[1]) - t) * logistic(logistic(x @ W[0]) @ W[1])
                             * (1 - logistic(logistic(x @ W[0]) @ W[1])) @ W[1].T) / len(x),
                      _backward(W, x, t)[1]], "Hint: the hidden deltas lack their slope"),
    (lambda W, x, t: [g * len(x) for g in _backward(W, x, t)], "Hint: that sums over the examples"),
    (lambda W, x, t: [g.T for g in _backward(W, x, t)], r"dE/dW\[1\] \(for layer sizes 2-2-1\) should have shape \(2, 1\); got \(1, 2\) \(transposed\?\)"),
    (lambda W, x, t: _backward(W, x, t)[0], "should return a list of two arrays"),
])
def test_backward_mistakes(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check.backward(wrong)


def test_backward_transposed_shape_is_named():
    with pytest.raises(CheckFailed) as info:
        check.backward(lambda W, x, t: [_backward(W, x, t)[0], _backward(W, x, t)[1].T])
    assert "(transposed?)" in str(info.value)
