"""bp_course.autodiff: the reference engine against the course's Network, central differences and forward mode."""

import math

import numpy as np
import pytest

from bp_course import autodiff, datasets
from bp_course.autodiff import Dual, Value
from bp_course.gradcheck import numerical_gradient
from bp_course.network import Network


def _leaves(arrays):
    return [[[Value(v) for v in row] if np.ndim(a) == 2 else Value(row) for row in a] for a in arrays]


def _grads(nodes):
    return [np.array([[v.grad for v in row] if isinstance(row, list) else row.grad for row in layer]) for layer in nodes]


@pytest.mark.parametrize("sizes,n,seed", [((2, 2, 1), 1, 0), ((3, 4, 2), 5, 1), ((4, 3, 3, 2), 3, 2),
                                          ((1, 5, 1), 7, 3), ((2, 6, 4, 3, 1), 2, 4)])
def test_engine_reproduces_networks_delta_rule_on_random_networks(sizes, n, seed):
    rng = np.random.default_rng(seed)
    net = Network(list(sizes), "logistic", seed=seed)
    net.b = [rng.normal(size=b.shape) for b in net.b]
    x, t = rng.normal(size=(n, sizes[0])), rng.uniform(size=(n, sizes[-1]))
    W, b = _leaves(net.W), _leaves(net.b)
    E = autodiff.network_error(W, b, x, t)
    E.backward()
    g = net.gradients(x, t)
    assert E.data == pytest.approx(g.E, rel=1e-13)
    for got, expected in zip(_grads(W) + _grads(b), g.dW + g.db):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_engine_reproduces_lesson_05s_hand_worked_gradients():
    x, t, W = datasets.worked_example()
    nodes = _leaves(W)
    autodiff.network_error(nodes, [[0.0, 0.0], [0.0]], [x], [t]).backward()
    dW0, dW1 = _grads(nodes)
    np.testing.assert_allclose(dW1.ravel(), [-0.07272, -0.074172], atol=5e-7)   # Lesson 05, Exercise 05.4
    np.testing.assert_allclose(dW0[1], [-0.014592, 0.011552], atol=5e-7)


FUNCTIONS = [
    (lambda v: v[0] * v[1] + v[0], [2.0, -3.0]),
    (lambda v: (v[0] * v[1]).tanh() * (v[0] * v[1]) + v[0] / v[1], [0.7, -1.3]),
    (lambda v: (v[0] ** 3 - 2 * v[1]).exp().logistic() * (1 - v[2]) ** -1, [0.4, 0.9, 0.2]),
    (lambda v: sum((v[i] - v[i - 1]) ** 2 for i in range(1, 4)) / 3.0, [0.1, -0.5, 1.5, 2.0]),
]


@pytest.mark.parametrize("f,x", FUNCTIONS)
def test_reverse_mode_against_central_differences_and_forward_mode(f, x):
    reverse = autodiff.gradient(f, x)
    point = np.array(x)
    numeric = numerical_gradient(lambda: f([Value(v) for v in point]).data, point)[0]
    np.testing.assert_allclose(reverse, numeric, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(autodiff.forward_gradient(f, x), reverse, rtol=1e-12, atol=1e-14)


def test_a_value_used_twice_collects_both_gradients():
    x = Value(3.0)
    y = x * x + x          # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0


def test_topological_order_lists_children_first_and_each_node_once():
    x, y = Value(1.0), Value(2.0)
    a = x * y
    out = a * a.tanh() + x
    order = autodiff.topological_order(out)
    assert len(order) == len({id(n) for n in order}) == 6
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        assert all(position[id(c)] < position[id(node)] for c in node._children)
    assert order[-1] is out


def test_a_graph_deeper_than_the_recursion_limit_works():
    """A recurrent unit unrolled over 5000 steps: the iterative search does not overflow the stack."""
    w = Value(0.5)
    h = Value(0.0)
    for _ in range(5000):
        h = (w * h + 0.01).tanh()
    h.backward()
    assert math.isfinite(w.grad) and w.grad != 0.0


def test_dual_numbers_carry_exact_derivatives():
    for f, x in FUNCTIONS[:3]:
        for i in range(len(x)):
            out = f([Dual(v, 1.0 if j == i else 0.0) for j, v in enumerate(x)])
            assert out.val == pytest.approx(f([Value(v) for v in x]).data)
    y = Dual(0.3, 1.0).logistic()
    assert y.dot == pytest.approx(y.val * (1 - y.val))


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="only constant exponents"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ValueError, match="x has 2 examples but t has 1"):
        autodiff.network_error([[[Value(1.0)]]], [[Value(0.0)]], [[1.0], [2.0]], [[0.0]])
    with pytest.raises(ValueError, match="the network has 1 outputs but the targets have 2"):
        autodiff.network_error([[[Value(1.0)]]], [[Value(0.0)]], [[1.0]], [[0.0, 1.0]])


def test_logistic_does_not_overflow_for_large_inputs():
    assert Value(-1000.0).logistic().data == 0.0
    assert Dual(1000.0).logistic().val == 1.0
