"""bp_course.diagnostics: per-layer norms follow Eq. 5, dead units and stored bytes are counted right (Lesson 10)."""

import numpy as np
import pytest

from bp_course import diagnostics
from bp_course.activations import logistic
from bp_course.network import Network


def _batch(width, n=50, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, width)), rng.uniform(size=(n, width))


def test_deep_network_has_the_asked_scale_and_shape():
    net = diagnostics.deep_network(6, 40, "relu", scale=2.0, seed=1, output="identity")
    assert net.sizes == [40] * 7 and [a.name for a in net.activations] == ["relu"] * 5 + ["identity"]
    stds = np.array([w.std() for w in net.W])
    np.testing.assert_allclose(stds * np.sqrt(40), 2.0, rtol=0.1)
    with pytest.raises(ValueError, match="depth must be a positive integer"):
        diagnostics.deep_network(0, 4)
    with pytest.raises(ValueError, match="weight scale"):
        diagnostics.deep_network(2, 4, scale=-1.0)


def test_layer_profile_reports_the_norms_of_the_networks_own_gradients():
    net = diagnostics.deep_network(4, 5, "logistic", seed=2)
    x, t = _batch(5)
    profile = diagnostics.layer_profile(net, x, t)
    grads = net.gradients(x, t)
    np.testing.assert_allclose(profile.delta_norm, [np.linalg.norm(d) for d in grads.delta[1:]])
    np.testing.assert_allclose(profile.dW_norm, [np.linalg.norm(g) for g in grads.dW])
    forward = net.forward(x)
    np.testing.assert_allclose(profile.out_std, [o.std() for o in forward.out[1:]])
    np.testing.assert_allclose(profile.slope_rms, [np.sqrt(np.mean((o * (1 - o)) ** 2)) for o in forward.out[1:]])
    np.testing.assert_allclose(profile.ratios, profile.delta_norm[:-1] / profile.delta_norm[1:])


def test_one_neuron_chain_shrinks_exactly_by_weight_times_slope():
    """A chain of single neurons: Eq. 5 gives the ratio exactly, |w| phi'(net)."""
    net = Network([1] * 6, "logistic", seed=0, init=1.0)
    net.W = [np.array([[w]]) for w in (0.8, -1.5, 2.0, 0.5, 1.2)]
    x, t = np.array([[0.3]]), np.array([[1.0]])
    profile = diagnostics.layer_profile(net, x, t)
    out = net.forward(x).out
    expected = [abs(net.W[l + 1][0, 0]) * (out[l + 1] * (1 - out[l + 1])).item() for l in range(4)]
    np.testing.assert_allclose(profile.ratios, expected, rtol=1e-12)


def test_logistic_deltas_vanish_and_relu_he_keeps_them():
    x, t = _batch(30, n=100)
    logistic_ratios = diagnostics.layer_profile(diagnostics.deep_network(10, 30, "logistic"), x, t).ratios
    assert np.all(logistic_ratios < 0.26) and np.all(logistic_ratios > 0.15)
    he = diagnostics.layer_profile(diagnostics.deep_network(10, 30, "relu", scale=np.sqrt(2)), x, t).delta_norm
    assert 0.1 < he[0] / he[-1] < 10.0   # against 4^-9, about 4e-6, for the logistic


def test_delta_norms_and_slope_rms():
    assert diagnostics.delta_norms([[3.0, 4.0], np.zeros((2, 2))]).tolist() == [5.0, 0.0]
    assert diagnostics.slope_rms([0.0, 0.5]) == pytest.approx(np.sqrt(0.125))
    with pytest.raises(ValueError, match="empty"):
        diagnostics.slope_rms([])


def test_dead_fraction_counts_units_silent_for_every_example():
    out = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 0.0, 0.0]])
    assert diagnostics.dead_fraction(out) == 0.5   # units 0 and 2; unit 1 fired once, unit 3 once
    with pytest.raises(ValueError, match="shape"):
        diagnostics.dead_fraction([1.0, 0.0])


def test_activation_bytes_equals_what_the_network_stores_in_out():
    net = Network([7, 5, 3, 2], "logistic")
    forward = net.forward(np.zeros((11, 7)))
    assert diagnostics.activation_bytes(net.sizes, 11) == sum(o.nbytes for o in forward.out)
    assert diagnostics.activation_bytes([7, 5], 2, itemsize=4) == 2 * 12 * 4
    with pytest.raises(ValueError, match="batch must be a positive integer"):
        diagnostics.activation_bytes([2, 2], 0)
    with pytest.raises(ValueError, match="at least two"):
        diagnostics.activation_bytes([2], 3)


def test_repeated_matrix_grows_like_its_largest_eigenvalue():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    W = Q @ np.diag([1.2, 0.5, 0.4, 0.3, 0.2, 0.1]) @ Q.T   # symmetric, eigenvalues known
    norms = diagnostics.repeated_matrix_norms(W, rng.normal(size=6), 40)
    assert norms[-1] / norms[-2] == pytest.approx(1.2, rel=1e-6)
    shrinking = diagnostics.repeated_matrix_norms(W / 1.5, rng.normal(size=6), 40)
    assert shrinking[-1] / shrinking[-2] == pytest.approx(0.8, rel=1e-6)
    with_slopes = diagnostics.repeated_matrix_norms(W, rng.normal(size=6), 40, "tanh")
    assert np.all(with_slopes[1:] <= norms[0] * 1.2 ** np.arange(1, 41) * 10)
    with pytest.raises(ValueError, match="square"):
        diagnostics.repeated_matrix_norms(np.ones((2, 3)), [1.0, 1.0], 2)
