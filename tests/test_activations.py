"""bp_course.activations: values, derivatives against independent references, bad input."""

import numpy as np
import pytest
import sympy

from bp_course import activations as act
from bp_course.gradcheck import numerical_derivative

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
    np.testing.assert_allclose(act.logistic(Z), 1 / (1 + np.exp(-Z)), rtol=1e-13, atol=1e-16)  # the tanh form


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
