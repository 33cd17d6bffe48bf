"""bp_course.linear_neuron: the error bowl, its gradient and curvature, and the learning-rate regimes."""

import numpy as np
import pytest

from bp_course import linear_neuron as ln
from bp_course.gradcheck import compare, numerical_gradient

CASE_X, CASE_T = [[1.0, 1.0]], [0.0]
TWO_X, TWO_T = [[1.0, 1.0], [1.0, -0.5]], [0.0, 1.0]


def test_single_case_error_is_half_square_of_w1_plus_w2():
    w = np.random.default_rng(0).normal(size=(7, 2))
    np.testing.assert_allclose(ln.error(w, CASE_X, CASE_T), 0.5 * (w[:, 0] + w[:, 1]) ** 2)


def test_grid_evaluation_matches_pointwise():
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-2, 2, 3)), axis=-1)
    E = ln.error(grid, TWO_X, TWO_T)
    assert E.shape == (3, 4)
    assert E[1, 2] == pytest.approx(ln.error(grid[1, 2], TWO_X, TWO_T))


def test_gradient_matches_central_differences():
    w = np.array([0.3, -1.2])
    numeric = numerical_gradient(lambda: float(ln.error(w, TWO_X, TWO_T)), [w])
    assert compare([ln.gradient(w, TWO_X, TWO_T)], numeric).passed


def test_single_case_is_a_trough_two_cases_a_bowl():
    """Eigenvalues 2 and 0 for (1, 1, 0): a valley of minima along w1 = -w2; a second case makes both positive."""
    np.testing.assert_allclose(np.linalg.eigvalsh(ln.hessian(CASE_X)), [0.0, 2.0], atol=1e-12)
    assert np.all(np.linalg.eigvalsh(ln.hessian(TWO_X)) > 0.1)
    valley = np.array([[a, -a] for a in np.linspace(-3, 3, 7)])
    np.testing.assert_allclose(ln.error(valley, CASE_X, CASE_T), 0.0, atol=1e-15)


def test_hessian_is_the_gradients_derivative():
    w, dw = np.array([0.2, 0.1]), np.array([1e-3, -2e-3])
    change = ln.gradient(w + dw, TWO_X, TWO_T) - ln.gradient(w, TWO_X, TWO_T)
    np.testing.assert_allclose(change, ln.hessian(TWO_X) @ dw, rtol=1e-9)


@pytest.mark.parametrize("x,t", [(CASE_X, CASE_T), (TWO_X, TWO_T)])
def test_stability_bound_is_exact(x, t):
    """Just below 2/lambda_max the error falls; just above, it grows without bound."""
    bound = ln.stability_bound(x)
    w0 = np.array([1.0, 2.0])
    below = ln.descent_path(w0, x, t, 0.98 * bound, 400)
    above = ln.descent_path(w0, x, t, 1.02 * bound, 2000)
    assert ln.error(below[-1], x, t) < 1e-6  # both data sets can be fitted exactly: the minimum of E is 0
    assert np.max(np.abs(above[-1])) > 1e6


def test_regimes_and_what_they_look_like():
    bound = ln.stability_bound(CASE_X)  # 1.0
    assert [ln.regime(f * bound, CASE_X) for f in (0.04, 0.3, 0.7, 1.1)] == list(ln.REGIMES)
    path = ln.descent_path([1.0, 0.0], CASE_X, CASE_T, 0.8 * bound, 6)
    s = path.sum(axis=1)  # w1 + w2 = y: its sign flips at every step when oscillating
    assert np.all(np.sign(s[1:]) == -np.sign(s[:-1]))
    smooth = ln.descent_path([1.0, 0.0], CASE_X, CASE_T, 0.3 * bound, 6).sum(axis=1)
    assert np.all(smooth > 0) and np.all(np.diff(smooth) < 0)


def test_one_step_to_the_valley_at_half_the_bound():
    path = ln.descent_path([0.7, 0.5], CASE_X, CASE_T, 0.5 * ln.stability_bound(CASE_X), 1)
    assert path[-1].sum() == pytest.approx(0.0, abs=1e-15)


def test_diverging_path_stops_before_overflow():
    path = ln.descent_path([1.0, 1.0], CASE_X, CASE_T, 5.0, 10_000)
    assert len(path) < 100 and np.all(np.isfinite(path))


def test_bad_input():
    with pytest.raises(ValueError, match="expected weights with 2 entries"):
        ln.error([1.0, 2.0, 3.0], CASE_X, CASE_T)
    with pytest.raises(ValueError, match="one target per example, 2 in all"):
        ln.gradient([0.0, 0.0], TWO_X, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="learning rate eta must be a positive finite number"):
        ln.descent_path([0.0, 0.0], CASE_X, CASE_T, -0.1, 3)
    with pytest.raises(ValueError, match="steps must be a non-negative integer"):
        ln.descent_path([0.0, 0.0], CASE_X, CASE_T, 0.1, 2.5)
    with pytest.raises(ValueError, match="inputs are all zero"):
        ln.stability_bound([[0.0, 0.0]])
