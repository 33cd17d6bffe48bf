"""What a learner sees of the bowl, the parabola and the explorers (issue 16, part 1).

Read from the matplotlib artists, the widgets' layout, the kernel's messages
and the stored notebooks, without a browser:

* the point on the 3-D bowl is drawn on top of the surface, also at E = 0,
  with its shadow on the floor, and emphasised and unclipped on the contours;
* the descent explorer names "error E" once, and every explorer's sliders
  share one description width and one length;
* the parabola's axes stay put while y moves, and its legend hides no point;
* an explorer's figure is an ordinary output of its cell, replaced in place
  when a slider moves (so the saved notebook shows the last setting).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mpl_toolkits.mplot3d.art3d import Poly3DCollection

from bp_course import datasets, notebooks, plots, widgets
from explorers import EXPLORERS

ROOT = Path(__file__).resolve().parent.parent
X1, T1 = datasets.training_case()
X2, T2 = datasets.two_cases()


# -- the bowl ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("w", [(1.0, -1.0), (-1.5, 1.5), (0.5, 0.5)], ids=["E=0", "E=0 far", "E>0"])
def test_the_point_on_the_bowl_is_drawn_above_the_surface_with_its_shadow(w):
    fig = plots.error_bowl(X1, T1, w=w)
    try:
        surface_ax, contours = fig.axes
        assert surface_ax.computed_zorder is False  # artists drawn in zorder, not sorted by depth
        (surface,) = [c for c in surface_ax.collections if isinstance(c, Poly3DCollection)]
        point = next(c for c in surface_ax.collections if c.get_label() == "the point w")
        shadow = next(c for c in surface_ax.collections if c.get_label() == "shadow on the floor")
        assert point.get_zorder() > surface.get_zorder() and shadow.get_zorder() > surface.get_zorder()
        xs, ys, zs = point._offsets3d
        assert (float(xs[0]), float(ys[0])) == w and float(zs[0]) == pytest.approx(0.5 * (w[0] + w[1]) ** 2)
        assert float(shadow._offsets3d[2][0]) == pytest.approx(surface_ax.get_zlim()[0])  # on the floor
        assert float(zs[0]) >= surface_ax.get_zlim()[0]
    finally:
        plt.close(fig)


def test_the_point_on_the_contours_is_emphasised_and_never_clipped():
    ax = plots.error_contours(X2, T2, w=[2.0, -2.0])  # on the corner of the square the sliders reach
    try:
        (marker,) = [line for line in ax.get_lines() if line.get_label().startswith("$w = ")]
        assert marker.get_clip_on() is False
        assert marker.get_markersize() >= 12 and marker.get_zorder() > max(c.get_zorder() for c in ax.collections)
    finally:
        plt.close(ax.figure)


def _one_point_markers(ax):
    """The marked single points of a panel: the point w, the start of each descent path."""
    return [line for line in ax.get_lines() if line.get_marker() not in (None, "None", "") and len(line.get_xdata()) == 1]


@pytest.mark.parametrize("name", ["bowl_explorer", "descent_explorer", "momentum_explorer"])
def test_the_marked_point_is_whole_on_every_corner_of_the_square(name):
    """The point w (bowl) and each path's start (descent, momentum) on the sliders' corners: drawn unclipped."""
    explorer = EXPLORERS[name]()
    w1, w2 = widgets.controls(explorer)["w1"], widgets.controls(explorer)["w2"]
    for corner in [(w1.min, w2.min), (w1.min, w2.max), (w1.max, w2.min), (w1.max, w2.max)]:
        w1.value, w2.value = corner
        fig = explorer.figure()
        try:
            markers = [line for ax in fig.axes if ax.name != "3d" for line in _one_point_markers(ax)]
            assert markers, f"{name}: no marked point at w = {corner}"
            for line in markers:
                assert (line.get_xdata()[0], line.get_ydata()[0]) == corner
                assert line.get_clip_on() is False, f"{name}: the marker at w = {corner} is clipped at the edge"
        finally:
            plt.close(fig)


def test_a_path_starting_outside_the_square_keeps_its_start_clipped():
    """Unclipped only where it is inside: a start off the panel is not drawn over the panels beside it."""
    ax = plots.paths_panel(X2, T2, {"far": [[3.0, 0.0], [1.0, 0.0]]})
    try:
        (start,) = _one_point_markers(ax)
        assert start.get_clip_on() is True
    finally:
        plt.close(ax.figure)


# -- the parabola -------------------------------------------------------------------------------------

def test_the_parabola_axes_stay_put_over_the_whole_slider_range():
    explorer = widgets.parabola_explorer(t=0.0)
    y = widgets.controls(explorer)["y"]
    limits = set()
    for value in (y.min, -1.0, 0.0, 1.2, y.max):
        y.value = value
        fig = explorer.figure()
        limits.add((fig.axes[0].get_xlim(), fig.axes[0].get_ylim()))
        plt.close(fig)
    assert limits == {((-2.0, 2.0), (-0.2, 2.1))}


@pytest.mark.parametrize("y", [-2.0, -1.0, 0.0, 1.2, 2.0])
def test_the_parabola_legend_hides_no_point(y):
    ax = plots.error_parabola(t=0.0, y=y, tangent=True)
    fig = ax.figure
    try:
        fig.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        assert not legend.overlaps(ax.get_window_extent())  # outside the plot: nothing there to hide
        point = ax.transData.transform((y, 0.5 * y ** 2))
        assert not legend.contains(*point)
    finally:
        plt.close(fig)


# -- the explorers' layout -------------------------------------------------------------------------------



@pytest.mark.parametrize("name", EXPLORERS)
def test_every_control_of_an_explorer_shares_one_description_width_and_length(name):
    controls = widgets.controls(EXPLORERS[name]()).values()
    assert {c.style.description_width for c in controls} == {widgets.DESCRIPTION_WIDTH}
    assert {c.layout.width for c in controls} == {widgets.SLIDER_WIDTH}
    longest = max(len(c.description) for c in controls)
    assert longest * 0.6 <= float(widgets.DESCRIPTION_WIDTH.removesuffix("em"))  # no description is cut


def test_the_descent_explorer_says_error_E_once():
    fig = widgets.descent_explorer(X2, T2).figure()
    try:
        labels = [text.get_text() for ax in fig.axes for inset in (ax, *ax.child_axes)
                  for text in (inset.xaxis.label, inset.yaxis.label)]
        assert labels.count("error $E$") == 1, labels
    finally:
        plt.close(fig)


# -- the explorer's figure is an ordinary, saved output ----------------------------------------------

def _messages(kc, msg_id, timeout=60):
    """IOPub messages answering request ``msg_id``, until the kernel is idle again."""
    got = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        got.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return got


def test_a_slider_move_replaces_the_figure_output_in_place_outside_the_output_widget():
    """The kernel side of JupyterLab's view: display, then a slider moved from the browser (a comm message).

    JupyterLab's ``Output`` widget keeps every message that arrives while its
    ``msg_id`` is set and drops all but new outputs, so the update must come
    after the widget has stopped capturing.
    """
    km = notebooks.kernel_manager()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        code = "from bp_course import widgets\nwidgets.parabola_explorer(t=0.0)"
        shown = _messages(kc, kc.execute(code))
        models = {m["content"]["comm_id"]: m["content"]["data"]["state"]["_model_name"]
                  for m in shown if m["msg_type"] == "comm_open"}
        displays = [m["content"] for m in shown if m["msg_type"] in ("display_data", "execute_result")]
        assert [sorted(d["data"]) for d in displays] == [
            ["application/vnd.jupyter.widget-view+json", "text/plain"], ["image/png", "text/plain"]]
        display_id = displays[1]["transient"]["display_id"]
        (slider,) = [comm for comm, model in models.items() if model == "FloatSliderModel"]
        (output,) = [comm for comm, model in models.items() if model == "OutputModel"]

        move = kc.session.msg("comm_msg", {"comm_id": slider, "data": {"method": "update", "state": {"value": -2.0},
                                                                       "buffer_paths": []}})
        kc.shell_channel.send(move)
        answer = _messages(kc, move["header"]["msg_id"])
        capturing, seen = False, []
        for m in answer:
            data = m["content"].get("data", {})
            if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == output and "msg_id" in data.get("state", {}):
                capturing = bool(data["state"]["msg_id"])
            if m["msg_type"] in ("display_data", "update_display_data", "execute_result"):
                seen.append((m["msg_type"], m["content"].get("transient", {}).get("display_id"), capturing))
        assert seen == [("update_display_data", display_id, False)]
        updated = next(m for m in answer if m["msg_type"] == "update_display_data")["content"]["data"]
        assert updated["image/png"] != displays[1]["data"]["image/png"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_the_explorer_text_fallback_says_how_to_bring_the_sliders_back():
    bundle = widgets.bowl_explorer(X1, T1)._repr_mimebundle_()
    assert bundle["text/plain"] == "[sliders: run this cell to bring them back]"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_every_explorer_cell_stores_a_static_figure_of_its_last_setting():
    """The saved notebook shows the explorer's figure without a kernel (the widget itself is not saved)."""
    cells = [(path.name, cell) for path in sorted((ROOT / "solutions").glob("*.ipynb"))
             for cell in notebooks.read(path).cells
             if cell.cell_type == "code" and "_explorer(" in cell.source and "widgets." in cell.source]
    assert len(cells) == len(EXPLORERS)
    for name, cell in cells:
        kinds = [sorted(out.get("data", {})) for out in cell.outputs]
        assert kinds == [["image/png", "text/plain"]], (name, cell.get("id"), kinds)
