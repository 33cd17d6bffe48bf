"""Every figure the course draws fits a notebook's output area unshrunk, with legible text (issue 16).

JupyterLab shows an inline PNG at its pixel size, shrunk to the output
area's width when it is wider: Lesson 02's four panels (1331 pixels) were
shown at 73 %. Here every plotting function of :mod:`bp_course.plots` and
every explorer's figure is drawn as the lessons draw it, and measured as the
inline backend saves it (``bbox_inches="tight"``, at :data:`plots.DPI`):

* at most :data:`plots.MAX_WIDTH` inches (850 pixels) wide,
* no text smaller than :data:`plots.MIN_FONT_PX` pixels,
* no colour bar taller than the plot it belongs to.
"""

import itertools

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

from bp_course import datasets, history, plots, widgets
from bp_course.network import Network
from bp_course.training import History

X1, T1 = datasets.training_case()
X2, T2 = datasets.two_cases()
W_221 = [np.array([[0.4, -0.3], [0.2, 0.6]]), np.array([[0.5], [-0.4]])]
DIGITS = datasets.digits()


def _history():
    epochs = np.arange(11)
    return History(epoch=epochs, E_train=1 / (1 + epochs), E_test=1.2 / (1 + epochs),
                   accuracy_train=1 - 0.5 / (1 + epochs), accuracy_test=1 - 0.6 / (1 + epochs), seconds=np.ones(10))


# Each entry draws one function's figure the way (or the widest way) a lesson draws it.
FIGURES = {
    "error_parabola": lambda: plots.error_parabola(t=0.0, y=-2.0, tangent=True),
    "error_bowl": lambda: plots.error_bowl(X2, T2, w=[1.0, -1.0]),
    "error_contours": lambda: plots.error_contours(X2, T2, w=[2.0, -2.0]),
    "regime_paths": lambda: plots.regime_paths(X2, T2, [-0.5, -0.5], [0.05, 0.5, 1.3, 1.6]),
    "activation_curves": lambda: plots.activation_curves(),
    "error_curves": lambda: plots.error_curves({"a": [1.0, 0.5, 0.1], "b": [1.0, 0.9, 0.8]}, log=True),
    "lines": lambda: plots.lines([1, 2, 3], {"a": [1, 2, 3]}, xlabel="x", ylabel="y", title="t"),
    "growth": lambda: plots.growth([1, 2, 3], {"paths": [10, 100, 1000]}, xlabel="d", ylabel="n", title="t"),
    "step_errors": lambda: plots.step_errors([1e-1, 1e-2, 1e-3], {"central, float64": [1e-3, 1e-5, 1e-7]}),
    "network_diagram": lambda: plots.network_diagram([np.ones((3, 4)), np.ones((4, 4)), np.ones((4, 2))]),
    "paths_side_by_side": lambda: plots.paths_side_by_side(
        X2, T2, {name: {"a": [[-0.5, -0.5], [0.5, -0.5]]} for name in ("plain", "momentum", "Adam")}),
    "paths_panel": lambda: plots.paths_panel(X2, T2, {"a": [[-0.5, -0.5], [0.5, -0.5]]}),
    "learning_rate_sensitivity": lambda: plots.learning_rate_sensitivity([0.01, 0.1, 1.0], {"sgd": [0.5, 0.9, 0.8]}),
    "xor_regions": lambda: plots.xor_regions(Network([2, 3, 1], seed=0), *datasets.xor()),
    "hidden_space": lambda: plots.hidden_space(Network([2, 2, 1], seed=0), *datasets.xor()),
    "stuck_fractions": lambda: plots.stuck_fractions([1, 2, 3, 4, 5], [1.0, 0.2, 0.05, 0.0, 0.0], runs=100),
    "learning_curves": lambda: plots.learning_curves(_history()),
    "digit_images": lambda: plots.digit_images(DIGITS.x_test[:12], [f"predicted {k % 10}, true {(k + 3) % 10}"
                                                                    for k in range(12)]),
    "confusion_matrix": lambda: plots.confusion_matrix(np.arange(100).reshape(10, 10) * 3),
    "timeline": lambda: plots.timeline(history.EVENTS),
    "layer_norms": lambda: plots.layer_norms({"logistic": 0.25 ** np.arange(10)},
                                             predicted={"1/4": 0.25 ** np.arange(10)}),
    "layer_scales": lambda: plots.layer_scales({"He": [1.0, 1.0]}, {"He": [0.1, 0.1]}),
}

from explorers import EXPLORERS  # noqa: E402


def _figure(drawn):
    return drawn if isinstance(drawn, matplotlib.figure.Figure) else drawn.figure


def _all_axes(fig):
    """The figure's axes and their insets (where the course's colour bars are)."""
    return [a for ax in fig.axes for a in (ax, *ax.child_axes)]


def _measure(fig):
    """(saved width in pixels, [texts smaller than the minimum], [(colour bar height, plot height) too tall])."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    # what the inline backend saves: the tight box of the drawn artists plus a 0.1-inch pad
    width = (fig.get_tightbbox(renderer).width + 2 * 0.1) * plots.DPI
    small = [(text.get_text(), text.get_fontsize()) for text in fig.findobj(Text)
             if text.get_visible() and text.get_text().strip() and text.get_fontsize() * plots.DPI / 72
             < plots.MIN_FONT_PX]
    tall = []
    for ax in _all_axes(fig):
        colorbar = getattr(ax, "_colorbar", None)
        if colorbar is not None:
            parent = colorbar.mappable.axes
            bar, plot = ax.get_position().height, parent.get_position().height
            if bar > plot * (1 + 1e-6):
                tall.append((round(bar, 4), round(plot, 4)))
    return width, small, tall


def _check(fig, name):
    try:
        assert fig.dpi == plots.DPI, f"{name}: drawn at {fig.dpi} dpi"
        assert fig.get_figwidth() <= plots.MAX_WIDTH, f"{name}: {fig.get_figwidth()} inches wide"
        width, small, tall = _measure(fig)
        assert width <= plots.MAX_WIDTH * plots.DPI, f"{name}: saved {width:.0f} pixels wide"
        assert not small, f"{name}: text below {plots.MIN_FONT_PX} px: {small[:5]}"
        assert not tall, f"{name}: colour bar taller than its plot (figure fractions): {tall}"
    finally:
        plt.close(fig)


def test_the_limits_are_what_the_docs_say():
    assert plots.MAX_WIDTH * plots.DPI == 850 and plots.DPI == matplotlib.rcParamsDefault["figure.dpi"]
    assert plots.MIN_FONT_PX / plots.DPI * 72 < matplotlib.font_manager.font_scalings["small"] * 10


def test_every_plotting_function_is_measured():
    functions = {name for name in plots.__all__ if callable(getattr(plots, name))}
    assert functions == set(FIGURES), "add the new function to FIGURES"


@pytest.mark.parametrize("name", FIGURES)
def test_figure_fits_the_output_area_with_legible_text(name):
    _check(_figure(FIGURES[name]()), name)


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_figure_fits_the_output_area_with_legible_text(name):
    _check(EXPLORERS[name]().figure(), name)


def test_every_explorer_is_measured():
    assert {name for name in widgets.__all__ if name.endswith("_explorer")} == set(EXPLORERS)


def test_the_old_four_panel_row_and_side_colorbar_fail_the_measure():
    """The measure catches what the learner saw: four panels in a row, and a colour bar by ``fig.colorbar(ax=)``."""
    fig, axes = plt.subplots(1, 4, figsize=(13.2, 3.8), layout="constrained")
    assert _measure(fig)[0] > plots.MAX_WIDTH * plots.DPI
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(4.6, 4.2), layout="constrained")
    image = ax.contourf(np.arange(16.0).reshape(4, 4))
    ax.set_aspect("equal")
    fig.colorbar(image, ax=ax)
    assert _measure(fig)[2]
    plt.close(fig)


def test_digit_titles_do_not_overlap():
    ax = FIGURES["digit_images"]()
    fig = ax.figure
    fig.canvas.draw()
    boxes = [text.get_window_extent() for text in ax.texts]
    try:
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    finally:
        plt.close(fig)


# -- no panel drawn over another ----------------------------------------------------------------

def _overlapping(fig) -> list:
    """Pairs of panels drawn over each other: (title, title, overlap in pixels).

    A panel is a top-level axes with everything it draws (ticks, labels,
    title, legend, its inset colour bar), as ``get_tightbbox`` measures it.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [(ax.get_title() or ax.get_label(), ax.get_tightbbox(renderer)) for ax in fig.axes if ax.get_visible()]
    found = []
    for k, (name, box) in enumerate(panels):
        for other, other_box in panels[k + 1:]:
            common = matplotlib.transforms.Bbox.intersection(box, other_box)
            if common is not None and common.width * common.height > 1.0:
                found.append((name, other, f"{common.width:.0f} x {common.height:.0f} px"))
    return found


def _settings(explorer):
    """Each control of the explorer at each end of its range (each option of a drop-down), the others as they start."""
    for name, control in widgets.controls(explorer).items():
        start = control.value
        ends = control.options if hasattr(control, "options") else (control.min, control.max)
        if isinstance(control, widgets.ipywidgets.FloatLogSlider):
            ends = (control.base ** control.min, control.base ** control.max)
        for value in ends:
            control.value = value
            yield f"{name} = {value}"
        control.value = start


@pytest.mark.parametrize("name", FIGURES)
def test_no_panel_of_a_figure_is_drawn_over_another(name):
    fig = _figure(FIGURES[name]())
    try:
        assert not _overlapping(fig), f"{name}: {_overlapping(fig)}"
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", EXPLORERS)
def test_no_panel_of_an_explorer_is_drawn_over_another_at_any_end_of_its_sliders(name):
    """Lesson 11's momentum explorer drew "Error along the paths" over the heavy-ball panel."""
    explorer = EXPLORERS[name]()
    for setting in itertools.chain(["the start"], _settings(explorer)):  # each figure drawn at its setting
        fig = explorer.figure()
        try:
            assert not _overlapping(fig), f"{name} at {setting}: {_overlapping(fig)}"
        finally:
            plt.close(fig)


def test_the_old_momentum_layout_fails_the_overlap_measure():
    """Lesson 11's explorer as it was: the error axes added at the right of the two path panels, over the second."""
    path = [[-0.5, -0.5], [0.5, -0.5], [0.9, -0.9]]
    fig = plots.paths_side_by_side(X2, T2, {"plain descent": {"plain": path}, "heavy ball": {"momentum": path}})
    fig.set_size_inches(13, 4.2)
    plots.error_curves({"plain": [1.0, 0.5, 0.1]}, log=True, ax=fig.add_axes([0.70, 0.12, 0.28, 0.76]),
                       title="Error along the paths")
    try:
        assert ("heavy ball", "Error along the paths") in [pair[:2] for pair in _overlapping(fig)]
    finally:
        plt.close(fig)
