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


@pytest.mark.parametrize("dW0", [
    lambda x, delta_output: np.outer(x, delta_output),            # 2 x 1
    lambda x, delta_output: np.outer(x, [delta_output[0]]),      # 2 x 1, from the number
    lambda x, delta_output: x * delta_output,                   # 2
    lambda x, delta_output: np.outer(x, [delta_output[0]] * 2),  # 2 x 2, one column per hidden neuron
])
def test_dW0_from_the_output_delta_is_named(dW0):
    forward, grads = _reference()
    with pytest.raises(CheckFailed, match=_hint("dW0 is built from delta_output")) as info:
        check.gradients(dW0(X, grads.delta[2]), grads.dW[1])
    assert "expected" not in info.value.message


def test_dW0_from_the_hidden_deltas_still_passes_next_to_the_output_delta_hint(capsys):
    forward, grads = _reference()
    check.gradients(np.outer(X, grads.delta[1]), np.outer(forward.out[1], grads.delta[2]))
    assert "✔ Exercise 05.4 passed" in capsys.readouterr().out


def _flawed(**flaws):
    """A backward pass with one of a learner's flaws, written out here (not built from the check's own mistakes)."""
    def backward(W, x, t):
        o_h = logistic(x @ W[0])
        y = logistic(o_h @ W[1])
        slope_o = {"net": y * (1 - y), "of_output": logistic(y) * (1 - logistic(y))}[flaws.get("output", "net")]
        net_h = x @ W[0]
        slope_h = {"net": o_h * (1 - o_h), "of_output": logistic(o_h) * (1 - logistic(o_h)),
                   "net_formula": net_h * (1 - net_h), "none": 1.0}[flaws.get("hidden", "net")]
        delta_o = flaws.get("sign", 1) * (y - t) * slope_o
        delta_h = (delta_o @ W[1].T) * slope_h
        n = {"n": len(x), "all": t.size, "sum": 1}[flaws.get("divide", "n")]
        if flaws.get("overwrite"):
            dW0, dW1 = None, None
            for p in range(len(x)):  # one example at a time, each assignment replacing the last
                dW0 = np.outer(x[p], delta_h[p]) / n
                dW1 = np.outer(o_h[p], delta_o[p]) / n
            return [dW0, dW1]
        return [x.T @ delta_h / n, o_h.T @ delta_o / n]
    return backward


@pytest.mark.parametrize("wrong,message", [
    (_flawed(hidden="none"), "Hint: the hidden deltas lack their slope"),
    (lambda W, x, t: [g * len(x) for g in _backward(W, x, t)], "Hint: those are sums over the examples"),
    (lambda W, x, t: [g.T for g in _backward(W, x, t)],
     r"dW\[1\] should have shape \(2, 1\), like the array it is the gradient of; got \(1, 2\) \(transposed\?\)"),
    (lambda W, x, t: _backward(W, x, t)[0], "should return a list of two arrays"),
    # Issue 11, item 12: the capstone's mistakes, each named.
    (_flawed(sign=-1), "Hint: every gradient has the opposite sign: the output delta starts from dE/dy = y - t"),
    (_flawed(output="of_output", hidden="of_output"), r"Hint: phi' is evaluated at the neuron's output: "
                                                       r"phi'\(o\) = phi\(o\) \(1 - phi\(o\)\) is phi'\(phi\(net\)\)"),
    (_flawed(output="of_output"), r"\(Here: in the output layer.\)"),
    (_flawed(hidden="net_formula"), r"Hint: o \(1 - o\) is applied to the net input"),
    (_flawed(overwrite=True), "Hint: those are the gradients of the last example alone"),
    (_flawed(divide="all"), r"Hint: every gradient is 1/n_out of the right one \(exactly half with two outputs\)"),
])
def test_backward_mistakes(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check.backward(wrong)


def test_backward_compares_named_arrays_and_shows_arguments_as_shapes():
    """Issue 11, item 12: no flat list of numbers, no argument cut mid-array."""
    def slightly_off(W, x, t):
        dW0, dW1 = _backward(W, x, t)
        return [dW0 * 1.01, dW1]

    with pytest.raises(CheckFailed) as info:
        check.backward(slightly_off)
    message = str(info.value)
    assert "backward(W=[array (2, 2), array (2, 1)], x=array (1, 2), t=array (1, 1)) is not right yet" in message
    assert "  dW[0]: expected [[-0.007296, 0.005776], [-0.014592, 0.011552]], got [[" in message
    assert "  dW[1]: right" in message
    assert "Hint: dW[1] is right in every case, so your output deltas are" in message


def test_averaging_over_all_entries_gives_exactly_half_with_two_outputs():
    """The mistake the hint names is real: np.mean over n * n_out entries halves every gradient of a 2-output net."""
    case = check._cases()[2]
    assert case["t"].shape[1] == 2
    right, halved = _backward(*case.values()), _flawed(divide="all")(*case.values())
    for a, b in zip(right, halved):
        np.testing.assert_allclose(b, a / 2)


def test_backward_shape_error_names_w1():
    """Issue 11, item 13: Eq. 5 through W[0] instead of W[1] raises a shape error; the check says why."""
    def through_w0(W, x, t):
        o_h = logistic(x @ W[0])
        y = logistic(o_h @ W[1])
        delta_o = (y - t) * y * (1 - y)
        delta_h = (delta_o @ W[0].T) * o_h * (1 - o_h)
        return [x.T @ delta_h / len(x), o_h.T @ delta_o / len(x)]

    with pytest.raises(CheckFailed, match=r"raised ValueError: .*\nHint: a product whose shapes do not fit.*"
                                          r"back through the weights they came through, W\[1\] \(not W\[0\]\)"):
        check.backward(through_w0)


def test_delta_hidden_through_the_first_layer_is_named():
    """Issue 11, item 13: 05.3 with W[0] in place of W[1]."""
    forward, grads = _reference()
    o_h = forward.out[1]
    for w in (W[0][:, 0], W[0][0, :]):
        with pytest.raises(CheckFailed, match=_hint("those weights are from W[0]")):
            check.delta_hidden(w * grads.delta[2][0] * o_h * (1 - o_h))


# -- review fixes (learner items 1, 2, 8, 9, 12, 13) --------------------------------------------------------

def _right(W, x, t):
    o_h = logistic(x @ W[0])
    y = logistic(o_h @ W[1])
    delta_o = (y - t) * y * (1 - y)
    delta_h = (delta_o @ W[1].T) * o_h * (1 - o_h)
    return [x.T @ delta_h / len(x), o_h.T @ delta_o / len(x)]


def test_backward_that_changes_W_in_place_fails_visibly_and_hidden():
    def in_place(W, x, t):
        g = _right(W, x, t)
        W[0] -= 1
        return g

    with pytest.raises(CheckFailed, match=r"backward changed the arrays it was given.*W\[0\]"):
        check.backward(in_place)
    spec = check.HIDDEN["05.5"]
    cases = spec.cases(np.random.default_rng(3))
    results = spec.results(in_place, cases)
    assert all("changed the arrays" in r.get("error", "") for r in results), results
    assert spec.judge(results, cases, 0).passed == 0
    assert spec.judge(spec.results(_right, cases), cases, 0).ok


def test_backward_accepts_float32_visibly_and_hidden(capsys):
    def float32(W, x, t):
        return [g.astype(np.float32) for g in _right([w.astype(np.float32) for w in W], x.astype(np.float32),
                                                      t.astype(np.float32))]

    check.backward(float32)
    assert "passed" in capsys.readouterr().out
    spec = check.HIDDEN["05.5"]
    cases = spec.cases(np.random.default_rng(4))
    assert spec.judge(spec.results(float32, cases), cases, 0).ok


def test_backward_with_a_flattened_target_names_the_broadcast():
    def flat_t(W, x, t):
        return _right(W, x, t.ravel())

    with pytest.raises(CheckFailed, match=_hint("y - t.ravel() then broadcasts")) as info:
        check.backward(flat_t)
    assert "not W[0]" not in info.value.message


def test_backward_returning_updated_weights_is_named():
    with pytest.raises(CheckFailed, match=_hint("weights after a step")):
        check.backward(lambda W, x, t: [w - 0.5 * g for w, g in zip(W, _right(W, x, t))])


_O_H = logistic(X @ W[0])
_NET_O = _O_H @ W[1]
_Y = logistic(_NET_O)
_D_O = (_Y - T) * _Y * (1 - _Y)
_D_H = (W[1] @ _D_O) * _O_H * (1 - _O_H)


def test_delta_output_net_for_out_is_named():
    with pytest.raises(CheckFailed, match=_hint("net (1 - net) is not the slope")):
        check.delta_output(((_Y - T) * _NET_O * (1 - _NET_O))[0])


def test_gradients_sign_flipped_is_named():
    with pytest.raises(CheckFailed, match=_hint("the sign is flipped")):
        check.gradients(-np.outer(X, _D_H), -np.outer(_O_H, _D_O))


@pytest.mark.parametrize("call", [
    lambda: check.forward(_O_H * 1.3, _Y[0]),
    lambda: check.forward(_O_H, _Y[0] * 1.3),
    lambda: check.delta_output(_D_O[0] * 1.3),
    lambda: check.delta_hidden(_D_H * 1.3),
    lambda: check.gradients(np.outer(X, _D_H) * 1.3, np.outer(_O_H, _D_O)),
])
def test_value_answers_do_not_print_the_expected_value(call):
    with pytest.raises(CheckFailed) as info:
        call()
    assert "expected" not in info.value.message


def test_backward_given_a_string_says_so():
    with pytest.raises(CheckFailed, match="got the string .*Write a function with def"):
        check.backward("x.T @ delta")
