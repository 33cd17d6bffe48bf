"""What Lessons 05 and 06 say, held to the numbers: the error of several outputs, the conventions
table, the column-form remark, the path-sum count, the cost claims, the backward signatures (issue 11)."""

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from bp_course import gradcheck, notebooks
from bp_course.activations import logistic
from bp_course.checks import lesson05, lesson06

ROOT = Path(__file__).resolve().parent.parent


def _cells(lesson):
    (path,) = (ROOT / "solutions").glob(f"{lesson}_*.ipynb")
    return {c.id: " ".join(c.source.split()) for c in notebooks.read(path).cells}


L05, L06 = _cells("05"), _cells("06")


# -- item 8: the error of several outputs -------------------------------------------------------

def test_lesson05_section1_defines_the_error_of_several_outputs():
    text = L05["eq5"]
    assert r"E_p = \tfrac{1}{2}\sum_{k} (t_k - o_k)^2" in text
    assert r"the average **over the examples only**, $E = \frac{1}{n}\sum_{p=1}^{n} E_p$" in text
    assert "E = \\frac{1}{n}\\sum_p E_p$ of section 1" in L05["in-code"]


def test_the_stated_error_is_the_one_the_check_differentiates():
    """Central differences of E = 1/n sum_p 1/2 sum_k (t_pk - o_pk)^2 give 05.5's reference gradients;
    np.mean over all n * n_out entries gives exactly half of them for two outputs."""
    rng = np.random.default_rng(3)
    W = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    x, t = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))

    def outputs():
        return logistic(logistic(x @ W[0]) @ W[1])

    stated = gradcheck.numerical_gradient(lambda: 0.5 * np.sum((t - outputs()) ** 2, axis=1).mean(), W)
    mean_of_all = gradcheck.numerical_gradient(lambda: 0.5 * np.mean((t - outputs()) ** 2), W)
    for a, b, c in zip(lesson05._backward(W, x, t), stated, mean_of_all):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-10)
        np.testing.assert_allclose(c, a / 2, rtol=1e-6, atol=1e-10)


# -- item 16: symbols and conventions -------------------------------------------------------------

def test_lesson06_uses_K_for_the_output_layer_and_no_longer_L():
    assert r"\Delta^{(K)} = (O^{(K)} - T)" in L06["delta-rule"]
    for cell in ("delta-rule", "summary"):
        assert r"\Delta^{(L)}" not in L06[cell]


def test_lesson06_column_form_remark_is_corrected():
    """The old remark put no transpose in its formula and then said the transpose was 'on the other side'."""
    text = L06["delta-rule"]
    assert "with the transpose on the other side" not in text
    assert r"$(w^{l+1})^\top \delta^{l+1}$: their matrix is the transpose of ours" in text


def test_conventions_table_has_the_four_columns_and_the_translations():
    text = L06["delta-rule"]
    assert "| | this course | glossary entry | Nielsen, ch. 2 | CS231n notes |" in text
    assert "$w_l$, into layer $l$: our `W[l-1]`" in text
    assert "$w^l$, into layer $l$, shape (outputs, inputs): our `W[l-2].T`" in text
    assert r"$\delta^l = ((w^{l+1})^\top \delta^{l+1}) \odot \sigma'(z^l)$ (BP2)" in text


def test_the_tables_translation_to_nielsen_gives_the_same_deltas():
    """Nielsen numbers the input layer 1 and stores w^l = W[l-2].T (outputs, inputs), one example per column;
    his BP1-BP2 and BP4 then give the course's row-form deltas and gradients, example by example."""
    rng = np.random.default_rng(4)
    sizes = [3, 4, 5, 2]
    W = [rng.normal(size=(a, c)) for a, c in zip(sizes, sizes[1:])]
    b = [rng.normal(size=c) for c in sizes[1:]]
    x, t = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    L = len(sizes)                                            # Nielsen's last layer: layers 1 .. L
    w = {l: W[l - 2].T for l in range(2, L + 1)}              # the table's translation
    dW_course, _ = lesson06._reference_backward(W, b, x, t)
    dW_nielsen = {l: np.zeros_like(w[l]) for l in w}
    for p in range(len(x)):
        a = {1: x[p][:, None]}
        z = {}
        for l in range(2, L + 1):
            z[l] = w[l] @ a[l - 1] + b[l - 2][:, None]
            a[l] = logistic(z[l])
        delta = {L: (a[L] - t[p][:, None]) * a[L] * (1 - a[L])}             # BP1
        for l in range(L - 1, 1, -1):
            delta[l] = (w[l + 1].T @ delta[l + 1]) * a[l] * (1 - a[l])      # BP2
        for l in w:
            dW_nielsen[l] += delta[l] @ a[l - 1].T / len(x)                 # BP4, averaged over the batch
    for l in w:
        np.testing.assert_allclose(dW_nielsen[l].T, dW_course[l - 2], rtol=1e-10, atol=1e-14)


def test_lesson05_keeps_L_for_the_set_of_eq5_only():
    assert "call them $L = \\{l_1, l_2, \\dots\\}$ (the name Wikipedia's Eq. 5 uses; in Lessons 05 and 06 our $L$ " \
           "means nothing else)" in L05["eq5"]


# -- item 5: the cost claims -------------------------------------------------------------------------

def _multiplications_of_all_path_sums(width, depth):
    """Brute force: each weight's gradient as its own sum over the paths through it, `depth` products per path."""
    layers = [[0]] + [list(range(width))] * depth + [[0]]
    paths = list(itertools.product(*layers))                 # a path picks one neuron in every layer
    total = 0
    for l in range(len(layers) - 1):                          # every weight: an edge (i in layer l, j in layer l + 1)
        for i, j in itertools.product(layers[l], layers[l + 1]):
            through = sum(1 for path in paths if path[l] == i and path[l + 1] == j)
            total += through * depth
    return total


@pytest.mark.parametrize("width,depth", [(2, 1), (3, 2), (2, 4), (4, 3)])
def test_the_plotted_path_count_is_a_lower_bound_by_a_factor_depth_plus_one(width, depth):
    plotted = depth * width ** depth                           # the figure's "sum over paths"
    assert _multiplications_of_all_path_sums(width, depth) == (depth + 1) * plotted


def test_lesson06_calls_the_path_count_a_lower_bound():
    text = L06["paths-plot"]
    assert "That count is a **lower bound**" in text
    assert "so all the gradients together cost about `depth + 1` times as much again" in text
    assert r"about $d\,(d + 1)\, w^d$ for all the gradients" in text
    assert '"sum over paths (lower bound)": by_paths' in L06["paths-plot-code"]


def test_lesson06_states_the_timing_as_a_measurement_not_a_law():
    text = L06["cost-why"]
    assert "usually above the count" not in text
    assert "about as much as a matrix product" not in text
    assert "depends on the machine" in text and "not as a law" in text
    assert "another machine measured this cell at 1.65 ×, below the count" in text
    # the figures quoted from the benchmark are the benchmark's
    readme = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    assert re.search(r"784-256-256-10 \| 256 \| fresh \(default\) \| [\d.]+ \| [\d.]+ \| 2\.9\d", readme)
    assert re.search(r"784-256-256-10 \| 256 \| reused \(training\) \| [\d.]+ \| [\d.]+ \| 2\.0\d", readme)
    # issue 15: train_epoch's own loop, from benchmarks/train_step.py's table
    assert "`Network.train_epoch`, whose loop puts each bias inside its matrix product" in text
    assert "measured 2.2 ×, next to the count" in text
    assert re.search(r"\| after \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| 2\.(1[5-9]|2[0-4]) \|", readme)


# -- item 18: why the backward signatures differ ----------------------------------------------------

def test_each_backward_signature_says_why():
    assert ("The signature is the smallest that fits this network: it has no biases, so the weights `W` are its "
            "only parameters") in L05["in-code"]
    assert ("The signature grows from Lesson 05's `backward(W, x, t)` because the network now has biases: a second "
            "list of parameters beside `W`") in L06["chain"]
