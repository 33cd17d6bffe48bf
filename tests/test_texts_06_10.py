"""The texts of lessons 06-10 say what their own figures and code show (review of lessons 06-10)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from bp_course import diagnostics, gradcheck, linear_neuron
from bp_course.activations import logistic, logistic_prime

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"


def _cell(lesson, cell_id):
    """A cell's source with runs of whitespace made single spaces."""
    notebook = json.loads(next(SOLUTIONS.glob(f"{lesson}_*.ipynb")).read_text())
    cell = next(c for c in notebook["cells"] if c.get("id") == cell_id)
    return re.sub(r"\s+", " ", "".join(cell["source"]))


def _markdown(lesson):
    notebook = json.loads(next(SOLUTIONS.glob(f"{lesson}_*.ipynb")).read_text())
    return [re.sub(r"\s+", " ", "".join(c["source"])) for c in notebook["cells"] if c["cell_type"] == "markdown"]


def test_06_summary_puts_the_transpose_on_the_right_side():
    text = _cell("06", "summary")
    assert "carry the transpose on their matrix" not in text
    assert r"their $W o + b$ and $W^\top \delta$ are our $o W + b$ and $\delta W^\top$, transposed" in text


def test_06_the_path_sum_is_cheaper_at_depths_one_and_two_as_the_figure_shows():
    width = 10
    paths = {d: d * width ** d for d in (1, 2, 3)}
    backprop = {d: 3 * (2 * width + (d - 1) * width ** 2) for d in (1, 2, 3)}
    text = _cell("06", "cost")
    assert f"({paths[1]} multiplications against {backprop[1]}, {paths[2]} against {backprop[2]})" in text
    assert f"({paths[3]:,} against {backprop[3]})" in text
    assert paths[1] < backprop[1] and paths[2] < backprop[2] and paths[3] > backprop[3]


def test_07_thresholds_state_the_noise_floor_of_compare():
    text = _cell("07", "thresholds")
    assert r"$c\sqrt m\,(h^2 + \varepsilon/h)\max(|E|, 1)$" in text
    assert f"$c = {gradcheck.NOISE_FACTOR:g}$" in text


def test_07_sweep_says_where_float32_and_float64_part():
    """Issue 15: with the logistic computed through exp, float32's central difference no longer dips below float64's
    at h = 1e-2 (the tanh form's coincidence, which the text explained, twice); the text says what the curves show."""
    hs = 10.0 ** -np.arange(1, 11)
    exact = float(logistic_prime(1.0))
    e64, e32 = (gradcheck.difference_errors(logistic, exact, 1.0, hs, scheme="central", dtype=t)
                for t in (np.float64, np.float32))
    assert e32[0] == pytest.approx(e64[0], rel=1e-2) and np.all(e32[1:] > e64[1:])
    assert np.all(e32[hs <= 1e-8] == pytest.approx(exact, rel=1e-6))   # "flat at the size of the derivative"
    text = _cell("07", "sweep-read")
    assert "lies below the float64 one" not in text
    assert ("At $h = 10^{-1}$ the two central differences agree, both limited by truncation; from $h = 10^{-2}$ on, "
            "float32's rounding error is the larger term and its central difference lies above the float64 one."
            in text)


def test_08_output_layer_is_K_and_the_classes_are_C():
    text = " ".join(_markdown("08"))
    assert "(L)" not in text and "$K$" not in text and "^{K}" not in text
    assert r"\Delta^{(K)} = Y - T" in text and r"\text{NET}^{(K)} = (Y - T)/n" in text and "$C$ classes" in text


def test_08_summary_says_how_long_the_saturated_case_stays_stuck():
    assert "stays stuck for some two thousand steps" in _cell("08", "training-read")


def test_09_condition_number_cell_does_not_spell_the_centring_of_exercise_09_4():
    assert ".mean(axis=0)" not in _cell("09", "conditioning-code")
    x = np.array([[1.0, 4.0], [3.0, 4.0], [5.0, 1.0]])
    np.testing.assert_allclose(linear_neuron.centred(x), x - x.mean(axis=0))


@pytest.mark.parametrize("cell", ["digits-init-text", "init-scales"])
def test_10_the_logistic_factor_depends_on_the_scale(cell):
    text = _cell("10", cell)
    assert "whatever its scale" not in text and "whatever the scale of the weights" not in text
    assert "only by saturating the units" in text and "no scale gives both unsaturated outputs and a factor of 1" in text


def test_10_the_quoted_logistic_factors_are_measured():
    text = _cell("10", "digits-init-text")
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(200, 50)), rng.uniform(size=(200, 50))
    for s, quoted in ((1, 0.23), (2, 0.40), (4, 0.63), (8, 0.87), (16, 1.2)):
        p = diagnostics.layer_profile(diagnostics.deep_network(20, 50, "logistic", scale=s, seed=2), x, t)
        factor = (p.delta_norm[0] / p.delta_norm[-1]) ** (1 / 19)
        assert abs(factor - quoted) < 0.02, (s, factor)
    assert "0.23 per layer at weight scale 1, 0.40 at 2, 0.63 at 4, 0.87 at 8 and 1.2 (exploding) at 16" in text


def test_10_nielsen_quotes_the_printed_ratio_of_deltas():
    text = _cell("10", "nielsen")
    assert "million" not in text and "deltas several hundred thousand times smaller" in text
    notebook = json.loads(next(SOLUTIONS.glob("10_*.ipynb")).read_text())
    printed = "".join("".join(o.get("text", "")) for c in notebook["cells"] if c.get("id") == "vanishing-measure"
                      for o in c["outputs"])
    ratio = re.search(r"layer 1 gets (\S+) of the output layer's delta", printed).group(1)
    assert f"(the printed {ratio})" in text and 1e5 < 1 / float(ratio) < 1e6


def test_10_weight_factor_names_the_widths():
    text = _cell("10", "nielsen")
    assert "a sum of $n$ products" not in text
    assert r"$s\sqrt{n_{l+1}/n_l}$, which is $s$ here, where all widths are equal" in text


def test_10_recurrent_knife_edge_and_dead_units_and_depth():
    assert "no middle ground" not in _cell("10", "recurrent") and "knife-edge" in _cell("10", "recurrent")
    assert "usually stays dead, always in the first layer" in _cell("10", "clipping-after")
    dead = _cell("10", "dead-measure-text")
    assert "the same network" not in dead and "64-32×5-10" in dead
    end = _cell("10", "checkpointing")
    assert r"\sqrt n" not in end and r"\sqrt L" not in end and r"$O(\sqrt d)$ memory for a network of depth $d$" in end
    assert "1/n_in (LeCun; Xavier's 2/(n_in + n_out) for equal widths)" in end


def test_10_clip_by_norm_asks_for_new_arrays():
    assert "leave the arrays of `grads` unchanged" in _cell("10", "clipping")
