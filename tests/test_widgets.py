"""bp_course.widgets: setting the sliders updates the computed point, error and path."""

import numpy as np
import pytest

from bp_course import datasets, linear_neuron, widgets
from bp_course.activations import logistic

X1, T1 = datasets.training_case()
X2, T2 = datasets.two_cases()


def test_parabola_explorer_follows_the_y_slider():
    explorer = widgets.parabola_explorer(t=0.5)
    slider = widgets.controls(explorer)["y"]
    assert slider.min == pytest.approx(-1.5) and slider.max == pytest.approx(2.5)
    for y in (-1.0, 0.5, 2.0):
        slider.value = y
        point = explorer.result
        assert point.y == pytest.approx(y)
        assert point.E == pytest.approx(0.5 * (0.5 - y) ** 2) and point.dE_dy == pytest.approx(y - 0.5)


def test_bowl_explorer_follows_both_weight_sliders():
    explorer = widgets.bowl_explorer(X2, T2)
    controls = widgets.controls(explorer)
    controls["w1"].value, controls["w2"].value = 1.0, -1.0
    assert explorer.result.w == (1.0, -1.0) and explorer.result.E == 0.0  # the bowl's single minimum
    controls["w2"].value = 0.5
    w = np.array([1.0, 0.5])
    assert explorer.result.y == pytest.approx(tuple(X2 @ w))
    assert explorer.result.E == pytest.approx(float(linear_neuron.error(w, X2, T2)))
    assert explorer.result.gradient == pytest.approx(tuple(linear_neuron.gradient(w, X2, T2)))


def test_bowl_explorer_shows_the_valley_of_the_single_case():
    explorer = widgets.bowl_explorer(X1, T1, draw=False)
    controls = widgets.controls(explorer)
    for w1 in (-1.5, 0.0, 1.25):
        controls["w1"].value, controls["w2"].value = w1, -w1
        assert explorer.result.E == 0.0


def test_descent_explorer_recomputes_the_path_for_each_setting():
    explorer = widgets.descent_explorer(X2, T2)
    controls = widgets.controls(explorer)
    assert all(not widget.continuous_update for widget in controls.values())
    controls["w1"].value, controls["w2"].value, controls["steps"].value = 1.5, -0.5, 7
    controls["eta"].value = 0.5
    run = explorer.result
    np.testing.assert_allclose(run.path, linear_neuron.descent_path([1.5, -0.5], X2, T2, 0.5, 7))
    np.testing.assert_allclose(run.errors, linear_neuron.error(run.path, X2, T2))
    assert run.regime == "converge" and run.eta_max == pytest.approx(linear_neuron.stability_bound(X2))


def test_descent_explorer_slider_reaches_every_regime():
    explorer = widgets.descent_explorer(X2, T2, draw=False)
    eta = widgets.controls(explorer)["eta"]
    seen = set()
    for value in np.geomspace(10 ** eta.min, 10 ** eta.max, 40):
        eta.value = value
        seen.add(explorer.result.regime)
    assert seen == set(linear_neuron.REGIMES)


def test_diverging_path_stops_without_overflow():
    explorer = widgets.descent_explorer(X1, T1, draw=True)
    controls = widgets.controls(explorer)
    controls["steps"].value = 100
    controls["eta"].value = 1.9
    run = explorer.result
    assert run.regime == "diverge" and np.all(np.isfinite(run.errors)) and len(run.path) < 101


def test_activation_explorer_slope_is_the_derivative():
    explorer = widgets.activation_explorer()
    controls = widgets.controls(explorer)
    controls["net"].value = 1.0
    assert explorer.result.out == pytest.approx(logistic(1.0))
    assert explorer.result.slope == pytest.approx(logistic(1.0) * (1 - logistic(1.0)))
    controls["name"].value = "tanh"
    assert explorer.result.slope == pytest.approx(1 - np.tanh(1.0) ** 2)
    controls["name"].value = "relu"
    controls["net"].value = 0.0
    assert explorer.result.slope == 0.0


def test_pure_functions_refuse_bad_input():
    with pytest.raises(ValueError, match="did you mean 'logistic'"):
        widgets.activation_point("logistc", 0.0)
    with pytest.raises(ValueError, match="learning rate eta must be a positive"):
        widgets.descent_run(X1, T1, -0.1, 0.0, 0.0, 3)


# -- Lesson 10 ---------------------------------------------------------------------------

def test_depth_scale_explorer_recomputes_the_profile_for_each_setting():
    explorer = widgets.depth_scale_explorer(draw=False)
    controls = widgets.controls(explorer)
    assert not controls["depth"].continuous_update and not controls["scale"].continuous_update
    controls["depth"].value, controls["scale"].value = 12, 1.0
    profile = explorer.result
    assert profile.depth == 12 and profile.delta_norm.shape == (12,) and profile.bound == 0.25
    np.testing.assert_array_equal(profile.delta_norm, widgets.gradient_profile(12, 1.0, "logistic").delta_norm)
    assert 0.15 < profile.ratio < 0.25   # logistic: below scale x max phi'
    controls["activation"].value = "relu"
    controls["scale"].value = 4.0
    assert explorer.result.ratio > 2   # ReLU at four times He's scale / sqrt(2): exploding
    assert explorer.result.delta_norm[0] > 1e3 * explorer.result.delta_norm[-1]


def test_gradient_profile_is_deterministic_and_its_ratio_is_the_geometric_mean():
    a, b = widgets.gradient_profile(8, 2.0, "tanh"), widgets.gradient_profile(8, 2.0, "tanh")
    np.testing.assert_array_equal(a.delta_norm, b.delta_norm)
    assert a.ratio == pytest.approx((a.delta_norm[0] / a.delta_norm[-1]) ** (1 / 7))
    assert a.bound == 2.0


def test_momentum_explorer_runs_both_methods_and_trains_only_on_release():
    explorer = widgets.momentum_explorer(X2, T2)
    controls = widgets.controls(explorer)
    assert all(not widget.continuous_update for widget in controls.values())
    controls["w1"].value, controls["w2"].value, controls["steps"].value = -0.5, -0.5, 40
    controls["eta"].value, controls["beta"].value = 1.6, 0.2        # Lesson 11's best heavy ball
    run = explorer.result
    assert run.path.shape == run.plain_path.shape == (41, 2)
    assert np.allclose(run.path[-1], [1.0, -1.0], atol=1e-8)         # converges ...
    assert np.max(np.abs(run.plain_path[-1])) > 10                    # ... where plain descent (eta > eta_max) diverges
    np.testing.assert_allclose(run.errors, linear_neuron.error(run.path, X2, T2))
    controls["beta"].value = 0.0
    np.testing.assert_allclose(explorer.result.path, explorer.result.plain_path)


def test_momentum_run_stops_a_diverging_path_before_overflow():
    run = widgets.momentum_run(X2, T2, eta=5.0, beta=0.9, w1=1.0, w2=1.0, steps=500)
    assert len(run.path) < 501 and np.all(np.isfinite(run.errors))
