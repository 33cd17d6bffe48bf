"""bp_course.datasets: the seed text's training case and XOR, exactly."""

import numpy as np

from bp_course import datasets


def test_training_case_is_1_1_0():
    x, t = datasets.training_case()
    assert x.shape == (1, 2) and t.shape == (1, 1)
    assert x.tolist() == [[1.0, 1.0]] and t.tolist() == [[0.0]]
    assert x.dtype == t.dtype == np.float64


def test_xor_truth_table():
    x, t = datasets.xor()
    assert x.shape == (4, 2) and t.shape == (4, 1)
    np.testing.assert_array_equal(t[:, 0], np.logical_xor(x[:, 0], x[:, 1]).astype(float))


def test_data_are_fresh_copies():
    x, _ = datasets.xor()
    x[:] = 7
    assert datasets.xor()[0].max() == 1.0


def test_two_cases_make_a_strict_bowl_with_minimum_at_1_minus_1():
    from bp_course import linear_neuron

    x, t = datasets.two_cases()
    assert x.tolist() == [[1.0, 1.0], [1.0, 0.0]] and t.ravel().tolist() == [0.0, 1.0]
    assert np.linalg.eigvalsh(linear_neuron.hessian(x)).min() > 0.1
    np.testing.assert_allclose(np.linalg.solve(x, t.ravel()), [1.0, -1.0])
    assert float(linear_neuron.error([1.0, -1.0], x, t)) == 0.0


def test_worked_example_is_the_2_2_1_network_of_lesson_05():
    x, t, W = datasets.worked_example()
    assert x.tolist() == [0.5, 1.0] and t.tolist() == [1.0]
    assert [w.shape for w in W] == [(2, 2), (2, 1)]
    W[0][0, 0] = 9.0
    assert datasets.worked_example()[2][0][0, 0] == 0.4
