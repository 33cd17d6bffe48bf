"""Every solved lesson in JupyterLab: runs without errors, draws its figures, and its explorers respond.

Each lesson is opened from a temporary copy of ``solutions/``, its outputs
cleared, and run with Run → Run All Cells in headless Chromium; then every
explorer's sliders are dragged and moved with the arrow keys (see
``jupyterlab_driver.run_lesson``). A failure names the screenshot to look at.
"""

import pytest
from jupyterlab_driver import LESSONS, MIN_INK, explorer_cells, same_axes, solution, stored_figures

EXPLORING = [name for name in LESSONS if explorer_cells(name)]


def lesson_id(name):
    return name[:2]


@pytest.mark.parametrize("name", LESSONS, ids=lesson_id)
def test_solved_lesson_runs_without_an_error_in_jupyterlab(name, lesson_runs):
    run = lesson_runs.get(name)
    problems = run.problems()
    assert not problems, "\n".join(problems) + f"\n(screenshots in {run.folder})"


@pytest.mark.parametrize("name", LESSONS, ids=lesson_id)
def test_every_figure_is_a_drawn_image(name, lesson_runs):
    run = lesson_runs.get(name)
    expected = stored_figures(name)  # an explorer's cell stores the static figure of its last setting
    assert len(run.figures) == expected, f"{len(run.figures)} figures on the page, {expected} expected ({run.folder})"
    for figure in run.figures:
        assert figure.natural_width > 0, f"the image of cell {figure.cell} did not decode: see {figure.screenshot}"
        assert figure.ink >= MIN_INK, f"the figure of cell {figure.cell} is blank: see {figure.screenshot}"


@pytest.mark.parametrize("name", LESSONS, ids=lesson_id)
def test_widgets_render_as_widgets(name, lesson_runs):
    """No "Error displaying widget", no widget shown as its text repr, one explorer per explorer cell."""
    run = lesson_runs.get(name)
    problems = run.widget_problems()
    assert not problems, "\n".join(problems)
    assert [e.cell for e in run.explorers] == explorer_cells(name), f"explorers rendered: see {run.folder}"


@pytest.mark.parametrize("name", EXPLORING, ids=lesson_id)
def test_explorers_redraw_when_their_sliders_move(name, lesson_runs):
    run = lesson_runs.get(name)
    for explorer in run.explorers:
        assert explorer.controls, f"the explorer of cell {explorer.cell} has no sliders: see {explorer.screenshots}"
        assert not explorer.problems, "\n".join(explorer.problems)


# -- the defects issue 16 lists, as a learner sees them --------------------------------------


@pytest.mark.parametrize("name", EXPLORING, ids=lesson_id)
def test_explorer_sliders_line_up(name, lesson_runs):
    """The sliders of one explorer start at the same x, whatever their labels."""
    for explorer in lesson_runs.get(name).explorers:
        lefts = explorer.slider_lefts
        assert max(lefts) - min(lefts) <= 1.0, (
            f"the sliders {explorer.controls} of cell {explorer.cell} start at x = {lefts}: see {explorer.screenshots[0]}")


@pytest.mark.parametrize("name", LESSONS, ids=lesson_id)
def test_figures_are_shown_at_their_full_size(name, lesson_runs):
    """A figure wider than the notebook is scaled down, and its labels with it (lesson 02's was at 73%).

    The page is 1366 px wide (``jupyterlab_driver.VIEWPORT``), the file browser open, as JupyterLab starts.
    """
    for figure in lesson_runs.get(name).figures:
        assert figure.shown_width >= 0.9 * figure.natural_width, (
            f"the figure of cell {figure.cell} is shown at {figure.shown_width / figure.natural_width:.0%} "
            f"of its size ({figure.natural_width} px wide, the output area {figure.room:.0f} px; "
            f"screenshots in {lesson_runs.get(name).folder})")


def test_a_saved_explorer_shows_its_last_figure_when_reopened(lesson_runs):
    """Lesson 01 saved, its kernel shut down, reopened: each explorer's cell shows the figure of its last setting.

    The sliders are gone: JupyterLab's widget manager says "Error displaying
    widget: model not found" for a widget whose state was not saved, the
    words lesson 00 quotes when it tells the learner to run the cell again
    (after the cells above it: the kernel is new); run so, the sliders and
    their figure are back.
    """
    run = lesson_runs.get("01_learning_as_optimization.ipynb")
    reopened = dict(run.reopened)
    rerun = reopened.pop("rerun")
    assert sorted(reopened) == explorer_cells(run.name)
    lesson00 = "".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                       for c in solution("00_how_to_use_this_course.ipynb")["cells"])
    for cell, shown in reopened.items():
        assert len(shown["images"]) == 1, f"cell {cell} shows {len(shown['images'])} figures after reopening ({run.folder})"
        assert shown["images"][0]["natural_width"] > 0 and shown["images"][0]["ink"] >= MIN_INK, (
            f"cell {cell}: the figure after reopening is blank or broken ({run.folder})")
        said = shown["text"].strip()
        assert not said or (said in lesson00 and "Run the cell again" in lesson00), (
            f"cell {cell} reopened says {said[:200]!r}, which lesson 00 does not prepare the learner for")
    # what the learner does to bring the sliders back in the new kernel, as lesson 00 says it
    assert "Run All Above Selected Cell" in lesson00
    assert rerun["sliders"] >= 1, f"cell {rerun['cell']} run again shows no sliders: see {rerun['screenshot']}"


def test_the_point_on_the_bowl_is_visible_at_the_minimum(lesson_runs):
    """Lesson 01's bowl explorer at w = (1, -1), E = 0 (exercise 01.3): the point is seen on the surface."""
    run = lesson_runs.get("01_learning_as_optimization.ipynb")
    assert run.extra["bowl_point_pixels"] >= 20, (
        f"{run.extra['bowl_point_pixels']} point-coloured pixels on the surface panel: see {run.extra['bowl_screenshot']}")


def test_the_parabola_axes_stay_put_while_its_slider_moves(lesson_runs):
    """Lesson 01's parabola explorer: the same axis limits at every y (they jumped with the tangent's ends).

    Compared as the learner sees them: the tick marks and labels of both
    axes, pixel for pixel, in the figures the browser showed at each step.
    """
    run = lesson_runs.get("01_learning_as_optimization.ipynb")
    shown = run.explorers[0].figures + run.extra["parabola_figures"]
    first_setting, first_shot, first = shown[0]
    assert len(shown) >= 4, [what for what, _, _ in shown]
    for setting, shot, png in shown[1:]:
        assert same_axes(first, png), (
            f"the parabola's axes differ between {first_setting} and {setting}: see {first_shot} and {shot}")
