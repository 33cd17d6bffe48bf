"""The harness's checks can fail: a notebook with each defect they look for, run like a lesson."""

import json

import jupyterlab_driver as driver
import pytest

BLANK_FIGURE = """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.axis("off")
plt.show()"""

WIDGET_AS_TEXT = """from IPython.display import display
display({"text/plain": "IntSlider(value=3, max=10)"}, raw=True)"""

MISSING_MODEL = """from IPython.display import display
display({"application/vnd.jupyter.widget-view+json": {"model_id": "0" * 32, "version_major": 2, "version_minor": 0},
         "text/plain": "a widget"}, raw=True)"""

# Laid out as bp_course.widgets.Explorer is (the sliders, then the figure as a display output of its
# own), but a slider move redraws nothing.
FROZEN_EXPLORER = """import ipywidgets
from IPython.display import display, Image
display(ipywidgets.interactive(lambda v: None, v=ipywidgets.IntSlider(value=3, max=10)))
display(Image(data=open("frozen.png", "rb").read()), display_id=True)"""

FROZEN_PNG = """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([0, 1], [0, 1])
fig.savefig("frozen.png")
plt.close(fig)"""


def _notebook(sources):
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
                       "source": source} for i, source in enumerate(sources)],
            "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def broken_run(lab_page, jupyterlab, tmp_path_factory):
    sources = [BLANK_FIGURE, WIDGET_AS_TEXT, MISSING_MODEL, FROZEN_PNG, FROZEN_EXPLORER, 'raise ValueError("boom")']
    folder = jupyterlab.root_dir / "harness"
    folder.mkdir(exist_ok=True)
    (folder / "broken.ipynb").write_text(json.dumps(_notebook(sources)), encoding="utf-8")
    # The frozen explorer can never redraw, however long one waits: a short wait for the redraw finds
    # that out on any machine (every other wait keeps its generous limit).
    return driver.run_lesson(lab_page, "broken.ipynb", tmp_path_factory.mktemp("harness"), set(), 1,
                             path="harness/broken.ipynb", update_timeout=3_000)


def test_an_error_output_is_reported(broken_run):
    assert any("cell 5" in p and "ValueError: boom" in p and "cell5.png" in p for p in broken_run.problems()), \
        broken_run.problems()


def test_a_blank_figure_is_found(broken_run):
    blank = [f for f in broken_run.figures if f.cell == 0]
    assert blank and blank[0].ink < driver.MIN_INK and blank[0].screenshot.exists()


def test_a_widget_shown_as_text_and_a_missing_model_are_reported(broken_run):
    problems = broken_run.widget_problems()
    assert any("cell 1" in p and "plain text" in p and "cell1.png" in p for p in problems), problems
    assert any("cell 2" in p and "Error displaying widget" in p and "cell2.png" in p for p in problems), problems


def test_an_explorer_whose_figure_does_not_follow_its_slider_is_reported(broken_run):
    [explorer] = broken_run.explorers
    assert explorer.problems and all("was not redrawn" in p and ".png" in p for p in explorer.problems), explorer.problems


# -- the axis comparison, on figures saved as the inline backend saves them (no browser needed) --------------

def _inline_png(ax) -> bytes:
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(ax.figure)
    return buffer.getvalue()


def test_same_axes_tells_a_moved_point_from_moved_axes():
    from bp_course import plots

    here, there = (_inline_png(plots.error_parabola(t=0.0, y=y, tangent=True)) for y in (-2.0, 1.2))
    assert driver.same_axes(here, there) and not driver.same_pixels(here, there)
    jumped = plots.error_parabola(t=0.0, y=1.2, tangent=True)
    jumped.set_xlim(-2.26, 3.46)  # where the old parabola's axis went at y = 2: autoscaled to the tangent's ends
    assert not driver.same_axes(here, _inline_png(jumped))
    taller = plots.error_parabola(t=0.0, y=1.2, tangent=True)
    taller.set_ylim(-0.2, 3.0)
    assert not driver.same_axes(here, _inline_png(taller))
