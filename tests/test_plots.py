"""bp_course.plots: every figure is titled, labelled, in the course palette, and refuses bad input clearly."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from bp_course import datasets, plots

X1, T1 = datasets.training_case()
X2, T2 = datasets.two_cases()


def _line_colors(ax):
    return {to_hex(line.get_color()) for line in ax.get_lines()}


def test_palette_is_okabe_ito():
    assert plots.COLORS["blue"] == "#0072B2" and plots.COLORS["vermillion"] == "#D55E00"
    assert all(name in plots.COLORS for name in plots.CYCLE)


def test_parabola_has_its_minimum_at_the_target_and_marks_the_point():
    ax = plots.error_parabola(t=0.5, y=1.5, tangent=True)
    curve = ax.get_lines()[0]
    ys, E = curve.get_xdata(), curve.get_ydata()
    assert ys[np.argmin(E)] == pytest.approx(0.5) and E.min() == pytest.approx(0.0)
    np.testing.assert_allclose(E, 0.5 * (0.5 - ys) ** 2)
    tangent = ax.get_lines()[3]
    slope = np.diff(tangent.get_ydata()) / np.diff(tangent.get_xdata())
    assert slope[0] == pytest.approx(1.0)  # dE/dy = y - t
    assert "t = 0.5" in ax.get_title() and ax.get_ylabel() == "error $E$"
    assert _line_colors(ax) <= {c.lower() for c in plots.COLORS.values()}


def test_bowl_has_surface_and_contours_with_labels():
    fig = plots.error_bowl(X1, T1, w=[1.0, 0.5])
    surface, contours = fig.axes[0], fig.axes[1]
    assert surface.name == "3d" and surface.get_zlabel() == "$E$"
    assert contours.get_xlabel() == "weight $w_1$" and "E = 1.125" in contours.get_legend().get_texts()[0].get_text()
    assert fig.get_suptitle()


def test_contours_draw_each_path_from_its_start():
    path = np.array([[1.5, -0.5], [1.2, -0.8], [1.0, -1.0]])
    ax = plots.error_contours(X2, T2, paths={"eta = 0.5": path})
    drawn = ax.get_lines()[0]
    np.testing.assert_array_equal(drawn.get_xdata(), path[:, 0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["eta = 0.5"]


def test_regime_paths_titles_give_the_regime_of_each_eta():
    fig = plots.regime_paths(X2, T2, [1.5, -1.5], [0.05, 0.5, 1.2, 1.6], steps=10)
    titles = [ax.get_title() for ax in fig.axes]
    assert [t.split("\n")[1] for t in titles] == ["creep", "converge", "oscillate", "diverge"]


def test_activation_curves_plot_phi_and_its_derivative():
    fig = plots.activation_curves(["logistic", "tanh"])
    left, right = fig.axes
    net = left.get_lines()[0].get_xdata()
    np.testing.assert_allclose(right.get_lines()[0].get_ydata(),
                               left.get_lines()[0].get_ydata() * (1 - left.get_lines()[0].get_ydata()))
    np.testing.assert_allclose(right.get_lines()[1].get_ydata(), 1 - np.tanh(net) ** 2)


def test_relu_derivative_is_drawn_with_a_gap_at_the_kink():
    fig = plots.activation_curves("relu")
    prime = fig.axes[1].get_lines()[0]
    assert np.isnan(prime.get_ydata()[prime.get_xdata() == 0]).all()


def test_error_curves_one_line_per_run_and_log_scale():
    ax = plots.error_curves({"a": [1.0, 0.5, 0.25], "b": [1.0, 0.1, 0.01]}, log=True)
    assert len(ax.get_lines()) == 2 and ax.get_yscale() == "log"


@pytest.mark.parametrize("call,message", [
    (lambda: plots.error_contours(np.ones((2, 3)), [0.0, 0.0]), "two weights; got inputs with 3 features"),
    (lambda: plots.error_parabola(t=0.0, span=-1.0), "span must be a positive"),
    (lambda: plots.activation_curves(["sigmoid"]), "did you mean 'logistic'"),
    (lambda: plots.error_curves({}), "curves is empty"),
    (lambda: plots.regime_paths(X2, T2, [0.0, 0.0], []), "etas is empty"),
    (lambda: plots.error_contours(X2, T2, levels=1), "levels must be an integer of at least 2"),
    (lambda: plots.error_contours(X2, T2, w=[np.nan, 0.0]), "weights w contains 1 non-finite"),
])
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_importing_plots_changes_no_global_style():
    import importlib

    import matplotlib

    before = dict(matplotlib.rcParams)
    importlib.reload(plots)
    assert dict(matplotlib.rcParams) == before


def test_figures_are_not_left_open_by_explorers():
    from bp_course import widgets

    before = len(plt.get_fignums())
    explorer = widgets.descent_explorer(X2, T2)
    widgets.controls(explorer)["eta"].value = 1.0
    assert len(plt.get_fignums()) == before


W_221 = [np.array([[0.4, -0.3], [0.2, 0.6]]), np.array([[0.5], [-0.4]])]


def test_network_diagram_labels_every_edge_and_value():
    out = [[0.5, 1.0], [0.6, 0.61], [0.51]]
    ax = plots.network_diagram(W_221, out=out, delta=[[0.01, -0.02], [-0.12]])
    texts = [t.get_text() for t in ax.texts]
    for w in ("0.4", "-0.3", "0.2", "0.6", "0.5", "-0.4"):
        assert w in texts
    assert sum(t.startswith("o = ") for t in texts) == 5
    assert sorted(t for t in texts if t.startswith("δ")) == ["δ = -0.02", "δ = -0.12", "δ = 0.01"]
    assert {"input", "hidden 1", "output"} <= set(texts)


@pytest.mark.parametrize("kwargs,message", [
    (dict(W=[np.ones((2, 2)), np.ones((3, 1))]), r"W\[1\] has shape \(3, 1\); expected \(2, n\)"),
    (dict(W=W_221, out=[[1.0, 2.0]]), "one array per layer"),
    (dict(W=W_221, delta=[[1.0, 2.0, 3.0], [1.0]]), r"delta\[1\] should hold 2 value\(s\)"),
    (dict(W=[]), "W is empty"),
])
def test_network_diagram_refuses_mismatched_shapes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.network_diagram(**kwargs)


def test_growth_draws_each_quantity_against_size():
    ax = plots.growth([1, 2, 3], {"a": [1, 2, 3], "b": [10, 100, 1000]}, xlabel="depth", ylabel="n", title="t")
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"] and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="'a' has 2 values for 3 x values"):
        plots.growth([1, 2, 3], {"a": [1, 2]}, xlabel="d", ylabel="n", title="t")


def test_step_errors_draws_log_log_with_float32_dashed():
    hs = [1e-1, 1e-2, 1e-3]
    ax = plots.step_errors(hs, {"central, float64": [1e-4, 1e-6, 0.0], "central, float32": [1e-4, 1e-6, 1e-5]})
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    solid, dashed = ax.get_lines()
    assert solid.get_linestyle() == "-" and dashed.get_linestyle() == "--"
    np.testing.assert_array_equal(solid.get_ydata(), [1e-4, 1e-6, 1e-18])  # an exact 0 is drawn at the floor


def _drawn_slope(ax, line, h_right, h_left):
    """The slope a reader sees between two points of ``line``: decades up per decade to the right, on screen."""
    to_screen = ax.transData.transform
    hs, errors = line.get_xdata(), line.get_ydata()
    points = to_screen([(h, errors[list(hs).index(h)]) for h in (h_left, h_right)])
    decade = np.abs(to_screen([(1.0, 1.0), (10.0, 10.0)])[1] - to_screen([(1.0, 1.0), (10.0, 10.0)])[0])
    (x0, y0), (x1, y1) = points
    return ((y1 - y0) / decade[1]) / ((x1 - x0) / decade[0])


def test_step_errors_draws_the_slopes_the_lesson_names():
    """Issue 11, item 7: Lesson 07 reads slopes 2 and -1 of error against h; the axis must run h to the right."""
    from bp_course import gradcheck
    from bp_course.activations import logistic, logistic_prime

    hs = 10.0 ** -np.arange(1, 11)
    errors = gradcheck.difference_errors(logistic, float(logistic_prime(1.0)), 1.0, hs)
    ax = plots.step_errors(hs, {"central, float64": errors})
    ax.figure.canvas.draw()
    assert not ax.xaxis_inverted() and ax.get_xlim()[0] < ax.get_xlim()[1]
    line = ax.get_lines()[0]
    assert _drawn_slope(ax, line, 1e-1, 1e-3) == pytest.approx(2, abs=0.1)  # truncation, large h: slope 2
    assert _drawn_slope(ax, line, 1e-6, 1e-10) == pytest.approx(-1, abs=0.5)  # round-off, small h: about -1


def test_step_errors_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="2 errors for 3 steps"):
        plots.step_errors([1e-1, 1e-2, 1e-3], {"c": [1.0, 2.0]})


def test_lines_draws_plain_lines_on_a_linear_axis_by_default():
    ax = plots.lines([0.0, 0.5, 1.0], {"squared error": [0.0, 0.125, 0.0], "cross-entropy": [1.0, 0.5, 0.0]},
                     xlabel="y", ylabel="|delta|", title="Output deltas")
    assert ax.get_yscale() == "linear"
    first, second = ax.get_lines()
    assert first.get_marker() in ("None", "", None) and second.get_label() == "cross-entropy"
    np.testing.assert_array_equal(second.get_ydata(), [1.0, 0.5, 0.0])
    with pytest.raises(ValueError, match="curves is empty"):
        plots.lines([1.0], {}, xlabel="x", ylabel="y", title="t")


# -- Lesson 10 ---------------------------------------------------------------------------

def test_layer_norms_draws_one_point_per_layer_on_a_log_axis():
    ax = plots.layer_norms({"measured": [1e-4, 4e-4, 0.0]}, predicted={"bound": [2e-4, 5e-4, 2e-3]})
    measured, bound = ax.get_lines()
    assert measured.get_xdata().tolist() == [1, 2, 3] and ax.get_yscale() == "log"
    assert np.isnan(measured.get_ydata()[2])   # a zero norm cannot sit on a log axis: left out, not faked
    assert bound.get_linestyle() == "--" and measured.get_linestyle() == "-"
    assert _line_colors(ax) <= {c.lower() for c in plots.COLORS.values()}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["measured", "bound"]
    assert [h.get_marker() for h in ax.get_legend().legend_handles] == ["o", ""]
    with pytest.raises(ValueError, match="curves is empty"):
        plots.layer_norms({})
    with pytest.raises(ValueError, match="used twice"):
        plots.layer_norms({"a": [1.0]}, predicted={"a": [1.0]})


def test_layer_scales_shows_forward_and_backward_side_by_side():
    fig = plots.layer_scales({"He": [1.0, 1.1, 0.9]}, {"He": [0.2, 0.2, 0.2]}, title="ReLU")
    left, right = fig.axes
    assert "outputs" in left.get_ylabel() and "deltas" in right.get_ylabel()
    np.testing.assert_allclose(right.get_lines()[0].get_ydata(), [0.2, 0.2, 0.2])
    assert fig.get_suptitle() == "ReLU"
    plt.close(fig)


def test_timeline_labels_each_event_with_its_year_and_who_in_order():
    from bp_course.history import EVENTS
    ax = plots.timeline(reversed(EVENTS))
    texts = [t.get_text() for t in ax.texts]
    assert texts[0].startswith("1960\nHenry J. Kelley") and texts[-1] == "1993\nEric A. Wan"
    assert [int(t.split("\n")[0]) for t in texts] == sorted(e.year for e in EVENTS)
    heights = [t.get_position()[1] for t in ax.texts]
    assert all(a * b < 0 for a, b in zip(heights, heights[1:]))  # neighbours alternate above and below the axis
    assert ax.get_xlabel() == "year" and ax.get_title()
    with pytest.raises(ValueError, match="events is empty"):
        plots.timeline([])


def test_paths_side_by_side_draws_one_panel_per_method_and_hides_diverged_points():
    fig = plots.paths_side_by_side(X2, T2[:, 0], {"plain": {"p": [[-0.5, -0.5], [1.0, 0.0], [1e6, 1e6]]},
                                                  "heavy ball": {"h": [[-0.5, -0.5], [0.5, -0.5]]}}, title="T")
    assert [ax.get_title() for ax in fig.axes] == ["plain", "heavy ball"] and fig._suptitle.get_text() == "T"
    drawn = fig.axes[0].get_lines()[0]
    assert drawn.get_xdata().tolist() == [-0.5, 1.0]   # the point far outside is left out
    with pytest.raises(ValueError, match="panels is empty"):
        plots.paths_side_by_side(X2, T2[:, 0], {})


def test_learning_rate_sensitivity_uses_a_log_eta_axis_and_checks_lengths():
    ax = plots.learning_rate_sensitivity([0.01, 0.1, 1.0], {"sgd": [0.2, 0.9, 0.8], "adam": [0.9, 0.7, 0.1]})
    assert ax.get_xscale() == "log" and ax.get_xlabel() == r"learning rate $\eta$"
    assert [line.get_label() for line in ax.get_lines()] == ["sgd", "adam"]
    assert _line_colors(ax) <= {c.lower() for c in plots.COLORS.values()}
    with pytest.raises(ValueError, match="'sgd' has 2 accuracies for 3 learning rates"):
        plots.learning_rate_sensitivity([0.01, 0.1, 1.0], {"sgd": [0.2, 0.9]})
    with pytest.raises(ValueError, match="positive"):
        plots.learning_rate_sensitivity([0.0, 0.1], {"sgd": [0.2, 0.9]})


def test_timeline_labels_do_not_overlap_and_hide_the_stems_behind_them():
    """Review of lesson 12: Dreyfus's 1962 stem ran through Kelley's 1960 label."""
    from bp_course.history import EVENTS
    ax = plots.timeline(EVENTS)
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    stems = [line for line in ax.lines if len(line.get_xdata()) == 2]
    for text in ax.texts:
        patch = text.get_bbox_patch()
        assert patch is not None and patch.get_facecolor()[:3] == (1.0, 1.0, 1.0)
        assert text.get_zorder() > max(stem.get_zorder() for stem in stems)
