"""bp_course.plots, Lesson 09's figures: what each draws is the data it was given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bp_course import datasets, plots  # noqa: E402
from bp_course.network import Network  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_xor_regions_draws_the_output_and_each_hidden_neuron_with_the_cases():
    x, t = datasets.xor()
    fig = plots.xor_regions(Network([2, 3, 1], seed=0), x, t)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["output $y$", "hidden neuron 1", "hidden neuron 2",
                                                 "hidden neuron 3"]
    for ax in panels:  # two scatter groups: the t = 0 and the t = 1 cases, at their inputs
        offsets = np.vstack([c.get_offsets() for c in ax.collections if hasattr(c, "get_offsets")
                             and len(c.get_offsets()) == 2])
        assert sorted(map(tuple, offsets.tolist())) == sorted(map(tuple, x.tolist()))


def test_xor_regions_and_hidden_space_refuse_other_networks():
    x, t = datasets.xor()
    with pytest.raises(ValueError, match="one hidden layer and 1 output"):
        plots.xor_regions(Network([2, 2, 2, 1]), x, t)
    with pytest.raises(ValueError, match="this network has 3"):
        plots.hidden_space(Network([2, 3, 1]), x, t)
    with pytest.raises(ValueError, match="resolution must be an integer of at least 2"):
        plots.xor_regions(Network([2, 2, 1]), x, t, resolution=1)


def test_hidden_space_puts_each_case_at_its_hidden_outputs():
    x, t = datasets.xor()
    net = Network([2, 2, 1], seed=4)
    ax = plots.hidden_space(net, x, t)
    drawn = np.vstack([c.get_offsets() for c in ax.collections])
    hidden = net.forward(x).out[1]
    expected = np.vstack([hidden[t[:, 0] == 0], hidden[t[:, 0] == 1]])
    np.testing.assert_allclose(drawn, expected)


def test_stuck_fractions_bars_are_the_fractions():
    ax = plots.stuck_fractions([1, 2, 3], [1.0, 0.25, 0.0], runs=100)
    assert [p.get_height() for p in ax.patches] == [1.0, 0.25, 0.0]
    assert "100 seeds" in ax.get_title()
    with pytest.raises(ValueError, match="3 widths but 2 fractions"):
        plots.stuck_fractions([1, 2, 3], [1.0, 0.2], runs=10)


def test_learning_curves_draw_training_and_test_of_error_and_accuracy():
    from types import SimpleNamespace
    h = SimpleNamespace(epoch=np.arange(3), E_train=[1.0, 0.5, 0.3], E_test=[1.0, 0.6, 0.4],
                        accuracy_train=[0.1, 0.8, 0.9], accuracy_test=[0.1, 0.7, 0.85])
    left, right = plots.learning_curves(h).axes
    assert [line.get_ydata().tolist() for line in left.get_lines()] == [h.E_train, h.E_test]
    assert [line.get_ydata().tolist() for line in right.get_lines()] == [h.accuracy_train, h.accuracy_test]
    assert left.get_yscale() == "log"


def test_digit_images_show_each_image_with_its_title():
    images = np.arange(3 * 64, dtype=float).reshape(3, 64) % 17 / 16
    ax = plots.digit_images(images, ["a", "b", "c"], columns=2)
    assert [text.get_text() for text in ax.texts] == ["a", "b", "c"]
    mosaic = ax.images[0].get_array()
    np.testing.assert_array_equal(mosaic[4:12, 1:9], images[0].reshape(8, 8))
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        plots.digit_images(images[:2], ["a"])
    with pytest.raises(ValueError, match=r"images must be \(m, 64\)"):
        plots.digit_images(np.zeros((2, 10)), ["a", "b"])


def test_confusion_matrix_image_and_counts():
    matrix = np.array([[5, 0, 1], [0, 7, 0], [2, 0, 3]])
    ax = plots.confusion_matrix(matrix)
    np.testing.assert_allclose(ax.images[0].get_array(), np.log1p(matrix))
    assert sorted(text.get_text() for text in ax.texts) == ["1", "2", "3", "5", "7"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    with pytest.raises(ValueError, match="square"):
        plots.confusion_matrix(np.zeros((2, 3)))
