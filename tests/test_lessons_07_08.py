"""Lessons 07 and 08 say what they compute (issue 11): text, figures and code agree with each other and with Lesson 06.

Each test reads the solution notebook (the source of the lesson) and, where a
claim is about numbers, recomputes them.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from bp_course import datasets, notebooks
from bp_course.activations import logistic
from bp_course.network import Network

ROOT = Path(__file__).resolve().parent.parent
L07 = notebooks.read(ROOT / "solutions" / "07_gradient_checking.ipynb")
L08 = notebooks.read(ROOT / "solutions" / "08_loss_functions.ipynb")


def _cell(nb, cell_id):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def _before(nb, cell_id):
    """The cells above ``cell_id``."""
    ids = [c.get("id") for c in nb.cells]
    return nb.cells[:ids.index(cell_id)]


def _markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _output(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


# -- Lesson 07 ------------------------------------------------------------------------

def test_07_reads_the_slopes_in_the_direction_the_axis_runs():
    """Item 7: the text names slopes 2 and -1 of error against h; the figure draws h growing to the right."""
    text = _cell(L07, "sweep-read").source
    assert "left to right, as $h$ shrinks" not in text and "Read the plot from left to right" not in text
    assert "$h$ grows to the right" in text and "slope 2" in text and "slope $-1$" in text
    # the figure itself: tests/test_plots.py::test_step_errors_draws_the_slopes_the_lesson_names


def test_07_says_why_its_backward_takes_the_network():
    """Item 18: lessons 05-07 write backward with three signatures; Lesson 07 says why its own differs."""
    text = "\n".join(c.source for c in _before(L07, "ex07-4-answer") if c.cell_type == "markdown")
    assert "backward(W, x, t)" in text and "backward(W, b, x, t)" in text
    assert re.search(r"because that list is what a gradient check perturbs", text)


def test_07_shows_the_names_argument_before_exercise_07_4():
    """Item 15: the answer needs compare(..., names=...); a cell above the exercise runs it and shows the report."""
    demos = [c for c in _before(L07, "ex07-4-answer")
             if c.cell_type == "code" and "gradcheck.compare(" in c.source and "names=" in c.source]
    assert demos, "no cell above Exercise 07.4 shows gradcheck.compare(..., names=...)"
    assert "failed: ['b[0]']" in _output(demos[0]) and "b[0]" in _output(demos[0])


def test_07_diagnoses_sit_behind_the_check():
    """07.5: the text under the exercise explains the bugs only inside a <details> block."""
    text = _cell(L07, "lessons-from-bugs").source
    details, rest = text.split("</details>", 1)
    assert details.lstrip().startswith("<details>") and "| D | `transposed` |" in details
    assert "transposed" not in rest and "bias_sum" not in rest and "Bug" not in rest


# -- Lesson 08 ------------------------------------------------------------------------

def _train(loss, output_layer, steps):
    """Lesson 08's confidently wrong start: outputs, weights (w1, w2, b) and deltas of both cases, per step."""
    x, t = datasets.two_cases()
    neuron = Network([2, 1], output_layer, loss=loss)
    neuron.W = [np.array([[-3.0], [6.0]])]
    ys, ws = [], []
    for _ in range(steps + 1):
        ys.append(logistic(neuron.forward(x).net[-1])[:, 0])
        ws.append([*neuron.W[0][:, 0], *neuron.b[0]])
        neuron.train_step(x, t, eta=1.0)
    return np.array(ys), np.array(ws), t[:, 0]


def test_08_training_story_is_what_the_run_does():
    """Item 3: both cases start equally wrong; case 1's gradient drags w1 and b down and buries case 2."""
    y, w, t = _train("squared_error", "logistic", 200)
    assert abs(t - y[0])[0] == pytest.approx(abs(t - y[0])[1], abs=1e-12)  # equally wrong: 0.953 each
    delta = (y - t) * y * (1 - y)
    assert delta[0, 0] == pytest.approx(-delta[0, 1], abs=1e-12)  # so the shared w1 and b do not move at first
    assert w[1, 0] == w[0, 0] and w[1, 2] == w[0, 2] and w[1, 1] < w[0, 1]
    assert abs(delta[10, 0]) > abs(delta[10, 1])  # case 1 left saturation first: its delta outweighs case 2's
    assert w[50, 0] < w[0, 0] - 1 and w[50, 2] < w[0, 2] - 1  # ... and drags w1 and b down
    assert y[200, 1] < y[0, 1] / 10 and abs(delta[200, 1]) < abs(delta[0, 1]) / 10  # case 2 deeper in saturation
    y_ce, _, _ = _train("logistic_cross_entropy", "identity", 20)
    assert np.all(np.diff(y_ce[:, 1]) >= 0)  # cross-entropy never pushes case 2 further in


def test_08_training_text_tells_that_story_with_the_printed_numbers():
    text = _cell(L08, "training-read").source
    assert "mildly wrong" not in text
    assert "0.953" in text and "deeper into" in text and "saturation" in text
    printed = _output(_cell(L08, "training-why-code"))
    for number in ("-4.30", "-1.30", "0.0474", "-0.0430"):
        assert number in printed, number
    assert "$w_1 = -4.30$ and $b = -1.30$" in text and "$0.047$" in text and "$-0.043$" in text


def test_08_deltas_are_those_of_lesson_06():
    """Item 4: a row of Delta is one example's dE_p/dnet, so Delta = Y - T and dE/dNET = (Y - T)/n."""
    everything = "\n".join(c.source for c in L08.cells)
    assert not re.search(r"\\Delta\^\{\([LK]\)\}\s*=\s*\(Y - T\)\s*/\s*n", everything)
    assert not re.search(r"delta\s*=\s*\(softmax\(.*\)\s*-\s*t\)\s*/\s*len", everything)
    assert r"\Delta^{(K)} = Y - T" in everything  # the output layer is K, as in lesson 06
    assert r"\partial E/\partial \text{NET}^{(K)} = (Y - T)/n" in everything


def test_08_1_says_how_to_read_the_conditions_before_the_exercise():
    """Item 9: a sum (n times an average) is ok, and no tie-break decides a verdict."""
    text = "\n".join(c.source for c in _before(L08, "ex08-1-answer") if c.cell_type == "markdown")
    assert "constant multiple of an average counts as an average" in text
    assert "same for every example" in text and "at most one" in text
    assert "name the first condition" not in text


def test_08_binary_cross_entropy_is_written_and_its_delta_derived():
    """Item 17: the binary cross-entropy, its delta y - t, the logistic as the two-class softmax, no delta_kj."""
    text = _markdown(L08)
    assert r"E_p = -\bigl(t \log y + (1 - t) \log(1 - y)\bigr)" in text
    assert r"\frac{y - t}{y(1 - y)}\, y(1 - y) = y - t" in text
    assert "two-class softmax" in text and "the logistic neuron is its two-class case" not in text
    assert r"\delta_{kj}" not in text and "[k = j]" in text
