"""bp_course.optimizers: hand-computed steps, PyTorch's documented formulas, in-place updates, clear errors.

The "PyTorch" references below are the update rules as printed in PyTorch's documentation of
``torch.optim.SGD`` (momentum, dampening tau = 0), ``Adagrad`` (lr_decay 0), ``RMSprop`` and ``Adam``
(weight decay 0, no amsgrad), written out here in NumPy; torch itself is not needed.
"""

import numpy as np
import pytest

from bp_course import optimizers
from bp_course.network import Network

RNG = np.random.default_rng(5)
GRADIENTS = [RNG.normal(size=3) * 10.0 ** RNG.integers(-2, 2) for _ in range(7)]
W0 = np.array([0.5, -1.0, 2.0])


def _run(optimizer_class, **options):
    w = W0.copy()
    opt = optimizer_class([w], **options)
    path = [w.copy()]
    for g in GRADIENTS:
        opt.step([g])
        path.append(w.copy())
    return np.array(path)


# -- hand-computed steps ------------------------------------------------------------------

def test_sgd_step_by_hand():
    w = np.array([1.0, -1.0])
    optimizers.SGD([w], eta=0.1).step([np.array([2.0, 0.5])])
    np.testing.assert_allclose(w, [0.8, -1.05])


def test_momentum_two_steps_by_hand():
    """v1 = -0.1 * 2 = -0.2, w1 = 0.8; v2 = 0.5 * -0.2 - 0.1 * 1 = -0.2, w2 = 0.6."""
    w = np.array([1.0])
    opt = optimizers.Momentum([w], eta=0.1, beta=0.5)
    opt.step([np.array([2.0])])
    np.testing.assert_allclose((w, opt.v[0]), ([0.8], [-0.2]))
    opt.step([np.array([1.0])])
    np.testing.assert_allclose((w, opt.v[0]), ([0.6], [-0.2]))


def test_adagrad_two_steps_by_hand():
    """G = 9, step 0.3 * 3 / 3 = 0.3; then G = 25, step 0.3 * 4 / 5 = 0.24."""
    w = np.array([0.0])
    opt = optimizers.AdaGrad([w], eta=0.3, eps=0.0)
    opt.step([np.array([3.0])])
    np.testing.assert_allclose(w, [-0.3])
    opt.step([np.array([4.0])])
    np.testing.assert_allclose((w, opt.G[0]), ([-0.54], [25.0]))


def test_rmsprop_step_by_hand():
    """s = 0.5 * 0 + 0.5 * 16 = 8, step 0.1 * 4 / sqrt(8)."""
    w = np.array([1.0])
    optimizers.RMSProp([w], eta=0.1, rho=0.5, eps=0.0).step([np.array([4.0])])
    np.testing.assert_allclose(w, [1.0 - 0.4 / np.sqrt(8.0)])


def test_adam_first_two_steps_by_hand():
    """t = 1: m_hat = g, v_hat = g^2, step eta sign(g); t = 2 with g = 0: m = 0.9 m1, v = 0.999 v1."""
    w = np.array([0.0])
    opt = optimizers.Adam([w], eta=0.1, eps=0.0)
    opt.step([np.array([-5.0])])
    np.testing.assert_allclose(w, [0.1])
    opt.step([np.array([0.0])])
    m_hat = 0.9 * 0.1 * -5.0 / (1 - 0.9 ** 2)
    v_hat = 0.999 * 0.001 * 25.0 / (1 - 0.999 ** 2)
    np.testing.assert_allclose(w, [0.1 - 0.1 * m_hat / np.sqrt(v_hat)])
    assert opt.t == 2


# -- PyTorch's documented formulas ------------------------------------------------------------

def _pytorch_sgd_momentum(lr, mu):
    theta, path = W0.copy(), [W0.copy()]
    b = None
    for t, g in enumerate(GRADIENTS, start=1):
        b = g.copy() if t == 1 else mu * b + (1 - 0.0) * g       # tau (dampening) = 0
        theta = theta - lr * b
        path.append(theta)
    return np.array(path)


def _pytorch_adagrad(lr, eps):
    theta, state_sum, path = W0.copy(), np.zeros(3), [W0.copy()]
    for g in GRADIENTS:
        state_sum = state_sum + g ** 2
        theta = theta - lr * g / (np.sqrt(state_sum) + eps)
        path.append(theta)
    return np.array(path)


def _pytorch_rmsprop(lr, alpha, eps):
    theta, v, path = W0.copy(), np.zeros(3), [W0.copy()]
    for g in GRADIENTS:
        v = alpha * v + (1 - alpha) * g ** 2
        theta = theta - lr * g / (np.sqrt(v) + eps)
        path.append(theta)
    return np.array(path)


def _pytorch_adam(lr, beta1, beta2, eps):
    theta, m, v, path = W0.copy(), np.zeros(3), np.zeros(3), [W0.copy()]
    for t, g in enumerate(GRADIENTS, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta)
    return np.array(path)


def test_sgd_is_pytorch_sgd_without_momentum():
    np.testing.assert_allclose(_run(optimizers.SGD, eta=0.05), _pytorch_sgd_momentum(0.05, 0.0), rtol=1e-12)


def test_heavy_ball_equals_pytorch_momentum_for_a_constant_learning_rate():
    """PyTorch's b = mu b + g, theta -= lr b is the heavy ball with v = -lr b (Lesson 11)."""
    np.testing.assert_allclose(_run(optimizers.Momentum, eta=0.05, beta=0.9), _pytorch_sgd_momentum(0.05, 0.9),
                               rtol=1e-12, atol=1e-15)


def test_the_two_momentum_forms_differ_when_the_learning_rate_changes():
    """The rescaling is exact only for a constant rate: PyTorch multiplies the whole buffer by the current lr."""
    w, theta, b = W0.copy(), W0.copy(), np.zeros(3)
    heavy = optimizers.Momentum([w], eta=0.1, beta=0.9)
    for k, g in enumerate(GRADIENTS[:3]):
        lr = 0.1 if k < 2 else 0.01
        heavy.eta = lr
        heavy.step([g])
        b = 0.9 * b + g
        theta = theta - lr * b
    assert not np.allclose(w, theta)


def test_adagrad_rmsprop_adam_equal_pytorch_formulas():
    np.testing.assert_allclose(_run(optimizers.AdaGrad, eta=0.01, eps=1e-10), _pytorch_adagrad(0.01, 1e-10),
                               rtol=1e-12)
    np.testing.assert_allclose(_run(optimizers.RMSProp, eta=0.01, rho=0.99, eps=1e-8),
                               _pytorch_rmsprop(0.01, 0.99, 1e-8), rtol=1e-12)
    np.testing.assert_allclose(_run(optimizers.Adam, eta=0.001, beta1=0.9, beta2=0.999, eps=1e-8),
                               _pytorch_adam(0.001, 0.9, 0.999, 1e-8), rtol=1e-12)


def test_defaults_are_pytorchs():
    adam = optimizers.Adam([np.zeros(1)])
    assert (adam.eta, adam.beta1, adam.beta2, adam.eps) == (0.001, 0.9, 0.999, 1e-8)
    rms = optimizers.RMSProp([np.zeros(1)], eta=0.01)
    assert (rms.rho, rms.eps) == (0.99, 1e-8)
    assert optimizers.AdaGrad([np.zeros(1)], eta=0.01).eps == 1e-10


# -- state per parameter, in place, on a network ---------------------------------------------------

@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_each_parameter_keeps_its_own_state(name):
    """Two arrays stepped together move exactly as each stepped alone."""
    a, b = np.array([1.0, 2.0]), np.array([[0.5], [-0.5]])
    both = optimizers.make(name, [a, b], 0.05)
    alone_a, alone_b = a.copy(), b.copy()
    opt_a, opt_b = optimizers.make(name, [alone_a], 0.05), optimizers.make(name, [alone_b], 0.05)
    for k in range(3):
        ga, gb = np.array([1.0, -2.0]) * (k + 1), np.array([[0.1], [3.0]]) / (k + 1)
        both.step([ga, gb])
        opt_a.step([ga])
        opt_b.step([gb])
    np.testing.assert_allclose(a, alone_a, rtol=1e-12)
    np.testing.assert_allclose(b, alone_b, rtol=1e-12)


@pytest.mark.parametrize("name,eta", [("sgd", 0.5), ("momentum", 0.05), ("adagrad", 0.05), ("rmsprop", 0.01),
                                      ("adam", 0.01)])
def test_training_updates_the_networks_own_arrays_and_lowers_the_error(name, eta):
    net = Network([2, 3, 1], "logistic", seed=1)
    arrays = net.params
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([[0.0], [1.0], [1.0], [1.0]])
    run = optimizers.train(net, optimizers.make(name, net.params, eta), x, t, epochs=30, batch_size=2, seed=0)
    assert all(p is q for p, q in zip(net.params, arrays))
    assert not run.diverged and len(run.errors) == 31 and run.errors[-1] < run.errors[0]


def test_step_accepts_a_networks_gradients():
    net = Network([2, 1], "identity", seed=0)
    before = [p.copy() for p in net.params]
    grads = net.gradients([[1.0, 2.0]], [[1.0]])
    optimizers.SGD(net.params, 0.1).step(grads)
    for p, p0, g in zip(net.params, before, grads.as_list()):
        np.testing.assert_allclose(p, p0 - 0.1 * g)


def test_training_is_deterministic_and_marks_divergence():
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    t = np.array([[1.0], [0.0]])
    runs = []
    for _ in range(2):
        net = Network([2, 4, 1], "identity", seed=3)
        runs.append(optimizers.train(net, optimizers.SGD(net.params, 0.01), x, t, epochs=3, batch_size=1, seed=2))
    np.testing.assert_array_equal(runs[0].errors, runs[1].errors)
    net = Network([2, 4, 1], "identity", seed=3)
    run = optimizers.train(net, optimizers.SGD(net.params, 1e3), x, t, epochs=50, batch_size=1, seed=2)
    assert run.diverged and np.all(np.isfinite(run.errors)) and len(run.errors) < 51


def test_digits_comparison_starts_every_run_from_the_same_weights():
    a, b = optimizers.digits_network(0), optimizers.digits_network(0)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
    result = optimizers.digits_comparison(etas=(0.1,), epochs=1)
    assert len({float(result.errors[name][0][0]) for name in result.names}) == 1   # the same E before training
    x_train, _, x_val, _, x_test, _ = optimizers.digits_split()
    assert (len(x_train), len(x_val), len(x_test)) == (1150, 288, 359)


# -- clear errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("make,message", [
    (lambda: optimizers.SGD(np.zeros(2), 0.1), "params must be a list of arrays"),
    (lambda: optimizers.SGD([[1.0, 2.0]], 0.1), r"params\[0\] must be a NumPy array of floats"),
    (lambda: optimizers.SGD([np.zeros(2)], -0.1), "learning rate eta"),
    (lambda: optimizers.Momentum([np.zeros(2)], 0.1, beta=1.0), r"momentum beta must be a number in \[0, 1\)"),
    (lambda: optimizers.Adam([np.zeros(2)], 0.1, beta2=1.5), "beta2 must be a number"),
    (lambda: optimizers.make("adamw", [np.zeros(2)], 0.1), "unknown optimizer 'adamw'; choose one of 'sgd'"),
])
def test_bad_construction_is_refused_clearly(make, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make()


def test_bad_gradients_are_refused_clearly():
    opt = optimizers.Adam([np.zeros(2), np.zeros((2, 2))])
    with pytest.raises(ValueError, match="got 1 gradients for 2 parameter arrays"):
        opt.step([np.zeros(2)])
    with pytest.raises(ValueError, match=r"gradient 1 has shape \(2,\), its parameter \(2, 2\)"):
        opt.step([np.zeros(2), np.zeros(2)])
    assert opt.t == 0   # a refused step is not counted


def test_train_refuses_an_optimizer_of_another_network():
    net, other = Network([2, 1], seed=0), Network([2, 1], seed=1)
    with pytest.raises(ValueError, match="build it on network.params"):
        optimizers.train(net, optimizers.SGD(other.params, 0.1), [[1.0, 0.0]], [[1.0]], epochs=1, batch_size=1)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        optimizers.train(net, optimizers.SGD(net.params, 0.1), [[1.0, 0.0]], [[1.0]], epochs=1, batch_size=0)
