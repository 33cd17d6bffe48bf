"""Lesson 02's descent figures, read from the data they draw: the regimes look like what the text says.

Issue 11, item 1: from the old start (1.5, -1.8), almost on the flat
eigenvector of H, the "oscillate" panel did not oscillate and the "diverge"
panel ended near the minimum. These tests read the paths out of the
matplotlib lines of the figures and project them on the eigenvectors of H.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bp_course import datasets, linear_neuron, notebooks, plots

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "solutions" / "02_gradient_descent.ipynb"
X, T = datasets.two_cases()
W_STAR = np.linalg.solve(X, T[:, 0])                           # (1, -1)
STEEP = np.linalg.eigh(linear_neuron.hessian(X))[1][:, -1]     # eigenvector of lambda_max


def _drawn_paths(fig) -> dict:
    """regime name -> the path drawn in its panel, as an (m, 2) array read from the Line2D."""
    paths = {}
    for ax in fig.axes:
        (line,) = [line for line in ax.get_lines() if line.get_label().endswith("steps")]
        paths[ax.get_title().splitlines()[-1]] = np.asarray(line.get_xydata())
    return paths


def _behaviour(paths) -> dict:
    """What each drawn path does, in the words of the lesson's text."""
    steep = {name: (path - W_STAR) @ STEEP for name, path in paths.items()}
    distance = {name: np.linalg.norm(path - W_STAR, axis=1) for name, path in paths.items()}
    s = steep["oscillate"]
    return {
        "oscillate crosses the valley at every step, visibly": bool(np.all(s[1:] * s[:-1] < 0) and abs(s[1]) > 0.1),
        "diverge: every crossing lands further out": bool(np.all(np.diff(np.abs(steep["diverge"])) > 0)
                                                          and np.all(steep["diverge"][1:] * steep["diverge"][:-1] < 0)),
        "diverge: the distance to the minimum grows": bool(distance["diverge"][-1] > 1.2 * distance["diverge"][0]),
        "converge never crosses the valley": bool(np.all(steep["converge"] * steep["converge"][0] > 0)),
        "creep is still far from the minimum": bool(distance["creep"][-1] > 0.5 * distance["creep"][0]),
    }


def _lesson_regime_figure():
    """Run the lesson's own cells that the regime figure depends on, and return the figure it draws."""
    cells = {cell.get("id"): cell.source for cell in notebooks.read(LESSON).cells}
    namespace = {}
    for cell_id in ("setup", "ex02-3-answer", "ex02-4-answer", "regime-figure"):
        exec(cells[cell_id], namespace)  # noqa: S102 - the course's own solution cells
    return namespace["w0"], namespace["_"]


def test_the_lesson_regime_figure_shows_each_regime():
    w0, fig = _lesson_regime_figure()
    try:
        behaviour = _behaviour(_drawn_paths(fig))
    finally:
        plt.close(fig)
    assert all(behaviour.values()), behaviour
    # w0 excites both eigen-directions of H (the old start had a steep component of 0.005)
    flat = np.linalg.eigh(linear_neuron.hessian(X))[1][:, 0]
    assert abs((w0 - W_STAR) @ STEEP) > 0.3 and abs((w0 - W_STAR) @ flat) > 0.3


@pytest.mark.parametrize("start,shows", [((-0.5, -0.5), True), ((1.5, -1.8), False)])
def test_regime_paths_from_the_lesson_start_show_each_regime_and_the_old_start_did_not(start, shows):
    fig = plots.regime_paths(X, T, start, [0.05, 0.5, 1.3, 1.6], steps=20)
    try:
        behaviour = _behaviour(_drawn_paths(fig))
    finally:
        plt.close(fig)
    assert all(behaviour.values()) == shows, behaviour


def test_the_lesson_starts_every_path_at_w0():
    """Paths, regime figure, bound check and Newton step all start at the setup's w0, not at a literal."""
    sources = {cell.get("id"): cell.source for cell in notebooks.read(LESSON).cells}
    assert "w0 = np.array([-0.5, -0.5])" in sources["setup"]
    for cell_id in ("path-plot-code", "regime-figure", "confirm-code", "condition-code", "newton-code"):
        assert "w0" in sources[cell_id] and "1.8" not in sources[cell_id], cell_id


def test_regime_paths_takes_the_etas_of_exercise_02_4_in_regime_order_and_explains_a_missing_answer():
    etas = {"diverge": 1.6, "creep": 0.05, "oscillate": 1.3, "converge": 0.5}
    fig = plots.regime_paths(X, T, (-0.5, -0.5), etas, steps=5)
    try:
        assert [ax.get_title().splitlines()[-1] for ax in fig.axes] == list(linear_neuron.REGIMES)
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="etas is not filled in yet: solve Exercise 02.4 first"):
        plots.regime_paths(X, T, (-0.5, -0.5), ...)
