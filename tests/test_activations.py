"""bp_course.activations: values, derivatives against independent references, bad input."""

import decimal
from decimal import Decimal

import numpy as np
import pytest
import sympy

from bp_course import activations as act
from bp_course.gradcheck import numerical_derivative
from bp_course.network import Network

Z = np.linspace(-6, 6, 49)


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_derivative_matches_central_differences(name):
    """phi' beside each phi agrees with a central difference away from ReLU's kink."""
    a = act.get_activation(name)
    z = Z[np.abs(Z) > 1e-3]
    np.testing.assert_allclose(a.prime(z), numerical_derivative(a.phi, z), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_network_forms_agree_with_phi_and_phi_prime(name):
    """The forms the network writes into its own arrays, raw(net, out) and derivative(net, out, into), equal phi, phi'."""
    a = act.get_activation(name)
    out, into = np.full_like(Z, np.nan), np.full_like(Z, np.nan)
    a.raw(Z, out)
    np.testing.assert_allclose(out, a.phi(Z), rtol=1e-15, atol=1e-16)
    a.derivative(Z, out, into)
    np.testing.assert_allclose(into, a.prime(Z), rtol=1e-12, atol=1e-15)


def test_logistic_derivative_is_phi_times_one_minus_phi_symbolically():
    """SymPy, an independent reference, confirms phi' = phi (1 - phi) at sample points."""
    z = sympy.Symbol("z")
    phi = 1 / (1 + sympy.exp(-z))
    assert sympy.simplify(sympy.diff(phi, z) - phi * (1 - phi)) == 0
    dphi = sympy.lambdify(z, sympy.diff(phi, z), "numpy")
    np.testing.assert_allclose(act.logistic_prime(Z), dphi(Z), rtol=1e-12)
    np.testing.assert_allclose(act.logistic_prime_from_out(act.logistic(Z)), dphi(Z), rtol=1e-12)


def test_logistic_is_finite_and_silent_for_huge_inputs():
    """No overflow warning (warnings are errors in this suite) and exact limits."""
    z = np.array([-1e308, -1000.0, -745.0, -50.0, 0.0, 50.0, 1000.0, 1e308, -np.inf, np.inf])
    out = act.logistic(z)
    assert np.all(np.isfinite(out))
    assert out[0] == 0.0 and out[-3] == 1.0 and out[-2] == 0.0 and out[-1] == 1.0
    assert out[4] == 0.5
    np.testing.assert_allclose(act.logistic(Z), 1 / (1 + np.exp(-Z)), rtol=1e-15, atol=0)
    assert np.all(np.isfinite(act.logistic_prime(z))) and act.logistic_prime(z)[[0, -1, -2]].tolist() == [0.0] * 3


def test_logistic_keeps_float32():
    assert act.logistic(np.zeros(3, dtype=np.float32)).dtype == np.float32


def test_relu_derivative_at_zero_is_zero_by_convention():
    assert act.relu_prime(0.0) == 0.0
    assert act.relu_prime([-1e-300, 1e-300]).tolist() == [0.0, 1.0]


def test_tanh_is_rescaled_logistic():
    np.testing.assert_allclose(act.tanh(Z), 2 * act.logistic(2 * Z) - 1, atol=1e-15)


def test_scalars_work():
    assert float(act.identity(2.5)) == 2.5
    assert float(act.logistic_prime(0)) == 0.25
    assert float(act.tanh_prime(0)) == 1.0


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown activation 'sigmoid'; valid names are: identity, "
                                         r"logistic, relu, tanh"):
        act.get_activation("sigmoid")
    with pytest.raises(ValueError, match=r"did you mean 'logistic'\?"):
        act.get_activation("logistc")


@pytest.mark.parametrize("bad", ["1.0", None, [1, [2, 3]], np.array(["a"]), 1 + 2j])
def test_non_numeric_input_is_a_type_error(bad):
    with pytest.raises(TypeError, match="net must be"):
        act.logistic(bad)


EPS = np.finfo(np.float64).eps
TAIL_GRID = np.concatenate([np.linspace(-700.0, 700.0, 14001),                    # steps of 0.1, both tails
                            np.random.default_rng(15).uniform(-40.0, 40.0, 4000),  # where phi leaves 0 and 1
                            [-708.5, -40.0, -37.0, -1e-300, 0.0, 5e-324, 36.7, 37.0, 40.0, 699.9]])


def _exact_logistic(z):
    """phi(z) and phi'(z) = e^z / (1 + e^z)^2 of the float z, to 40 significant digits (Decimal(z) is exact)."""
    e = Decimal(float(z)).exp()
    return e / (1 + e), e / ((1 + e) * (1 + e))


def _largest_relative_error(values, exact):
    """max |v - x| / x over the grid, computed in 40-digit arithmetic (no rounding of the reference to float)."""
    return float(max(abs(Decimal(float(v)) - x) / x for v, x in zip(values, exact)))


@pytest.fixture(scope="module")
def exact_on_grid():
    with decimal.localcontext() as context:
        context.prec = 40
        pairs = [_exact_logistic(z) for z in TAIL_GRID]
    return [p for p, _ in pairs], [d for _, d in pairs]


def test_logistic_is_exact_to_two_epsilons_over_minus_700_to_700(exact_on_grid):
    """Issue 15: relative error below 1e-15 everywhere in [-700, 700], tails included.

    With e = exp(z) within one ulp (NumPy's and glibc's exp), e / (1 + e)
    has a relative error of at most 2 eps = 4.4e-16 (the error of e enters
    scaled by 1 - phi, plus two roundings); measured: 3.0e-16 on this grid, 3.7e-16 on a denser one. The old
    (1 + tanh(z / 2)) / 2 form had 1.7e-4 at z = -30 and gave 0 at -40.
    """
    with decimal.localcontext() as context:
        context.prec = 40
        error = _largest_relative_error(act.logistic(TAIL_GRID), exact_on_grid[0])
    assert error <= 2 * EPS, f"largest relative error of phi: {error:.2e}"


def test_logistic_prime_is_exact_to_three_epsilons_in_both_tails(exact_on_grid):
    """phi'(z) = phi(z) / (1 + e^z): relative error at most 3 eps = 6.7e-16 (measured 5.0e-16), also where
    phi rounds to 1 and phi (1 - phi) is 0 (z > 37)."""
    with decimal.localcontext() as context:
        context.prec = 40
        error = _largest_relative_error(act.logistic_prime(TAIL_GRID), exact_on_grid[1])
    assert error <= 3 * EPS, f"largest relative error of phi': {error:.2e}"
    right_tail = TAIL_GRID >= 40.0  # phi rounds to 1 from z = 37.5 on
    assert np.all(act.logistic_prime_from_out(act.logistic(TAIL_GRID[right_tail])) == 0.0)  # why prime avoids it


def test_the_networks_logistic_forms_are_the_public_ones_to_the_bit():
    """raw and activate (the forward pass and the training loop) compute phi exactly as logistic does; derivative
    and times_slope give phi' as accurately as logistic_prime."""
    a = act.get_activation("logistic")
    out, keep = np.empty_like(TAIL_GRID), np.empty_like(TAIL_GRID)
    a.raw(TAIL_GRID, out)
    np.testing.assert_array_equal(out, act.logistic(TAIL_GRID))
    z = TAIL_GRID.copy()
    a.activate(z, keep)
    np.testing.assert_array_equal(z, act.logistic(TAIL_GRID))
    into, slope = np.empty_like(TAIL_GRID), np.ones_like(TAIL_GRID)
    a.derivative(TAIL_GRID, out, into)
    a.times_slope(slope, z, keep)
    for computed in (into, slope):
        np.testing.assert_allclose(computed, act.logistic_prime(TAIL_GRID), rtol=4 * EPS, atol=0)


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_training_forms_agree_with_phi_and_phi_prime(name):
    """activate(z, keep) and times_slope(delta, out, keep), the in-place forms of train_epoch, equal phi and phi'."""
    a = act.get_activation(name)
    z, keep, delta = Z.copy(), np.full_like(Z, np.nan), np.full_like(Z, 3.0)
    a.activate(z, keep)
    np.testing.assert_allclose(z, a.phi(Z), rtol=1e-15, atol=1e-16)
    a.times_slope(delta, z, keep)
    np.testing.assert_allclose(delta, 3.0 * a.prime(Z), rtol=1e-12, atol=1e-15)


def test_logistic_silent_and_exact_limits_in_float32():
    z = np.array([-1e30, -200.0, 0.0, 200.0, np.inf], dtype=np.float32)
    assert act.logistic(z).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0] and act.logistic(z).dtype == np.float32
    assert np.all(np.isfinite(act.logistic_prime(z)))


@pytest.mark.parametrize("x,t", [(-40.0, 1.0), (40.0, 0.0)])
def test_a_saturated_one_weight_network_still_gets_its_gradient(x, t):
    """Issue 15's example: W = 1, x = -40 (target 1) had dE/dW = 0 instead of 1.7e-16, as phi(-40) came out 0;
    x = 40 (target 0) is the right tail, where phi (1 - phi) is 0. gradients() and train_epoch both get it."""
    with decimal.localcontext() as context:
        context.prec = 40
        phi, slope = _exact_logistic(x)
        dE_dW = float((phi - Decimal(t)) * slope * Decimal(x))       # Eq. 1-4: (y - t) phi'(net) x
    assert abs(dE_dW) == pytest.approx(1.6993417021166355e-16, rel=1e-12)
    net = Network([1, 1], "logistic")
    net.W[0][:] = 1.0
    g = net.gradients([[x]], [[t]])
    assert g.dW[0][0, 0] == pytest.approx(dE_dW, rel=4 * EPS)
    eta = 1e15                                                       # a step large enough to read dE/dW back
    net.train_epoch([[x]], [[t]], eta, batch_size=1)
    assert (1.0 - net.W[0][0, 0]) / eta == pytest.approx(dE_dW, rel=1e-14)
