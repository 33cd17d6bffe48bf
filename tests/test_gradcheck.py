"""bp_course.gradcheck: central differences, the relative-error report, and what it catches."""

import numpy as np
import pytest

from bp_course import gradcheck
from bp_course.network import Network


def test_numerical_gradient_of_a_known_function():
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    (g,) = gradcheck.numerical_gradient(lambda: float(np.sum(w ** 3)), [w])
    np.testing.assert_allclose(g, 3 * w ** 2, rtol=1e-9)


def test_arrays_are_restored_bit_for_bit():
    w = np.random.default_rng(0).normal(size=(3, 4))
    copy = w.copy()
    gradcheck.numerical_gradient(lambda: float(np.sum(np.sin(w))), w, h=1e-3)
    assert np.array_equal(w, copy)


def test_numerical_derivative_elementwise():
    z = np.linspace(-2, 2, 5)
    np.testing.assert_allclose(gradcheck.numerical_derivative(np.sin, z), np.cos(z), rtol=1e-9)


def test_compare_passes_within_tolerance_and_fails_outside():
    a = np.array([1.0, -2.0, 0.0])
    assert gradcheck.compare([a], [a * (1 + 1e-9)]).passed
    assert not gradcheck.compare([a], [a * (1 + 1e-5)]).passed


def test_entry_floor_accepts_tiny_absolute_noise_near_zero():
    """Entries whose true gradient is 0 pass with noise below the 1e-9 floor, fail above it."""
    big = np.array([5.0, 0.0])
    assert gradcheck.compare([big], [np.array([5.0, 1e-10])]).passed
    report = gradcheck.compare([big], [np.array([5.0, 1e-7])])
    assert not report.entry_ok[0]
    assert not report.passed


def test_report_values():
    report = gradcheck.compare([np.array([3.0, 4.0])], [np.array([3.0, 4.5])], names=["w"])
    assert report.norm_rel[0] == pytest.approx(0.5 / np.linalg.norm([3.0, 4.5]))
    assert report.max_entry_rel[0] == pytest.approx(0.5 / 4.5)
    assert "FAILED" in str(report) and "w" in str(report)


def test_both_zero_is_a_perfect_match():
    report = gradcheck.compare([np.zeros(3)], [np.zeros(3)])
    assert report.passed and report.norm_rel == [0.0] and report.max_entry_rel == [0.0]


def test_check_network_passes_for_correct_backprop():
    net = Network([3, 4, 2], "logistic", seed=0)
    report = gradcheck.check_network(net, np.ones((2, 3)), np.zeros((2, 2)))
    assert report.passed
    assert report.names == ["W[0]", "b[0]", "W[1]", "b[1]"]


def test_check_network_catches_a_broken_backward_pass(monkeypatch):
    """A backward pass that forgets phi' at the hidden layer is flagged."""
    net = Network([3, 4, 2], "logistic", seed=0)
    x, t = np.random.default_rng(1).normal(size=(5, 3)), np.zeros((5, 2))
    correct = net.gradients

    def broken(x_, t_):
        g = correct(x_, t_)
        fwd = net.forward(x_)
        g.dW[0] = fwd.out[0].T @ (g.delta[2] @ net.W[1].T)  # phi'(net) of the hidden layer left out
        return g

    monkeypatch.setattr(net, "gradients", broken)
    report = gradcheck.check_network(net, x, t)
    assert not report.passed
    assert report.norm_rel[0] > 0.1 and report.norm_rel[2] < 1e-7


def test_float32_gradients_fail_the_float64_tolerance():
    """The float64 tolerances are meaningful: float32 central differences miss them (Lesson 07)."""
    net = Network([3, 4, 2], "tanh", seed=0, dtype=np.float32)
    x = np.random.default_rng(2).normal(size=(4, 3)).astype(np.float32)
    t = np.zeros((4, 2), dtype=np.float32)
    report = gradcheck.check_network(net, x, t, h=1e-3)
    assert not report.passed
    assert report.worst < 1e-1


def test_bad_input():
    with pytest.raises(TypeError, match="floating-point NumPy array"):
        gradcheck.numerical_gradient(lambda: 0.0, [np.array([1, 2])])
    with pytest.raises(ValueError, match="single number"):
        w = np.zeros(2)
        gradcheck.numerical_gradient(lambda: w, [w])
    with pytest.raises(ValueError, match=r"analytic shape \(2,\) differs from numerical shape \(3,\)"):
        gradcheck.compare([np.zeros(2)], [np.zeros(3)])
    with pytest.raises(ValueError, match="2 analytic but 1 numerical"):
        gradcheck.compare([np.zeros(2), np.zeros(2)], [np.zeros(2)])
    with pytest.raises(ValueError, match="step h must be a positive finite number"):
        gradcheck.numerical_derivative(np.sin, 0.0, h=0)


def test_difference_quotients_have_the_orders_taylor_predicts():
    """Ten times smaller h: one-sided error ~10x smaller, central ~100x smaller (Lesson 07)."""
    hs = [1e-2, 1e-3]
    one = gradcheck.difference_errors(np.exp, 1.0, 0.0, hs, scheme="one-sided")
    central = gradcheck.difference_errors(np.exp, 1.0, 0.0, hs)
    assert one[0] / one[1] == pytest.approx(10, rel=0.01)
    assert central[0] / central[1] == pytest.approx(100, rel=0.01)


def test_difference_errors_show_float32_round_off():
    """In float32, 1 + 1e-8 rounds to 1: the quotient is 0 and the error is the derivative itself."""
    from bp_course.activations import logistic, logistic_prime
    exact = float(logistic_prime(1.0))
    err32 = gradcheck.difference_errors(logistic, exact, 1.0, [1e-2, 1e-8], dtype=np.float32)
    err64 = gradcheck.difference_errors(logistic, exact, 1.0, [1e-2, 1e-8], dtype=np.float64)
    assert err32[1] == pytest.approx(exact)
    assert err64[1] < 1e-7
    assert err32[0] < 1e-4


def test_difference_quotients_keep_the_precision_of_their_inputs():
    value = gradcheck.central_difference(np.tanh, np.float32(0.5), np.float32(1e-2))
    assert value.dtype == np.float32
    assert gradcheck.one_sided_difference(np.tanh, np.float32(0.5), np.float32(1e-2)).dtype == np.float32


def test_difference_errors_accepts_a_learners_scheme_and_refuses_bad_input():
    mine = gradcheck.difference_errors(np.sin, np.cos(0.3), 0.3, [1e-3], scheme=gradcheck.central_difference)
    assert mine[0] < 1e-6
    with pytest.raises(ValueError, match="unknown difference scheme 'centre'"):
        gradcheck.difference_errors(np.sin, 1.0, 0.0, [1e-3], scheme="centre")
    with pytest.raises(TypeError, match="float32 or float64"):
        gradcheck.difference_errors(np.sin, 1.0, 0.0, [1e-3], dtype=np.float16)
    with pytest.raises(ValueError, match="must all be positive"):
        gradcheck.difference_errors(np.sin, 1.0, 0.0, [1e-3, 0.0])


def test_report_names_the_failed_arrays():
    ok, bad = np.array([1.0, 2.0]), np.array([1.0, 2.5])
    report = gradcheck.compare([ok, ok, ok], [ok, bad, ok], names=["W[0]", "b[0]", "W[1]"])
    assert report.failed == ["b[0]"]
    assert gradcheck.compare([ok], [ok]).failed == []


def _least_squares_optimum(seed=0):
    """A linear network at the minimum of its squared error: the true gradient is 0, E is not."""
    rng = np.random.default_rng(seed)
    x, t = rng.normal(size=(10, 3)), rng.normal(size=(10, 1))
    net = Network([3, 1], "identity")
    solution = np.linalg.lstsq(np.hstack([x, np.ones((10, 1))]), t, rcond=None)[0]
    net.W[0][:], net.b[0][:] = solution[:3], solution[3]
    return net, x, t


@pytest.mark.parametrize("seed", range(3))
def test_a_correct_gradient_at_an_optimum_passes(seed):
    """Issue 11 item 25: gradients of 1e-16 against differences of 1e-12 have relative error 1, and are right."""
    net, x, t = _least_squares_optimum(seed)
    assert max(np.max(np.abs(g)) for g in net.gradients(x, t).as_list()) < 1e-14
    report = gradcheck.check_network(net, x, t)
    assert report.worst > 0.5  # the relative error of pure noise ...
    assert report.passed, str(report)  # ... below the noise floor
    assert max(report.norm_ratio) < 0.1


@pytest.mark.parametrize("seed", range(5))
def test_a_correct_gradient_passes_at_a_large_loss_scale(seed):
    """Issue 11 item 25: targets x 1e3 make E about 5e5, whose round-off alone gave 1e-7 to 1.4e-6 relative."""
    rng = np.random.default_rng(seed)
    x, t = rng.normal(size=(8, 4)), rng.uniform(size=(8, 3)) * 1e3
    net = Network([4, 5, 3], "logistic", seed=seed)
    report = gradcheck.check_network(net, x, t)
    assert report.worst > gradcheck.NORM_RTOL  # what the check without a floor refused
    assert report.passed, str(report)


def test_the_noise_floor_is_the_documented_formula():
    eps = np.finfo(np.float64).eps
    assert gradcheck.noise_floor(E=0.3, h=1e-5, size=16) == pytest.approx(10 * 4 * (1e-10 + eps / 1e-5))
    assert gradcheck.noise_floor(E=-2e3, h=1e-4, size=1) == pytest.approx(10 * (1e-8 + eps / 1e-4) * 2e3)
    assert gradcheck.noise_floor() == gradcheck.noise_floor(E=1.0) == gradcheck.noise_floor(E=1e-8)
    with pytest.raises(ValueError, match="step h must be a positive finite number"):
        gradcheck.noise_floor(h=0.0)


def test_the_floor_scales_with_the_loss_and_still_fails_real_errors():
    """A 1e-5 relative error fails at every scale; the same absolute noise passes only beside a large loss."""
    a = np.array([100.0, -50.0, 20.0])
    for E in (None, 1.0, 1e3):
        assert not gradcheck.compare([a], [a * (1 + 1e-5)], E=E).passed
    noisy = a + 1e-4
    assert not gradcheck.compare([a], [noisy], E=1.0).passed
    assert gradcheck.compare([a], [noisy], E=1e6).passed
    report = gradcheck.compare([a], [noisy], E=1.0)
    allowed = gradcheck.NORM_RTOL * np.linalg.norm(noisy) + gradcheck.noise_floor(1.0, size=3)
    assert report.norm_ratio[0] == pytest.approx(np.linalg.norm(noisy - a) / allowed)
