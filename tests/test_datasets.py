"""bp_course.datasets: the seed text's training case and XOR, exactly."""

import numpy as np
import pytest

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


def test_digits_shapes_types_and_ranges():
    d = datasets.digits()
    assert d.x_train.shape == (1438, 64) and d.x_test.shape == (359, 64)
    assert d.x_train.dtype == d.x_test.dtype == np.float64
    assert d.labels_train.dtype == d.labels_test.dtype == np.int64
    assert d.x_train.min() == 0.0 and d.x_train.max() == 1.0 and d.x_test.max() <= 1.0
    assert set(np.unique(d.labels_train)) == set(np.unique(d.labels_test)) == set(range(10))
    # the pixels are counts 0..16 scaled by 1/16: multiples of 1/16 exactly
    assert np.array_equal(d.x_train * 16, np.round(d.x_train * 16))


def test_digits_split_is_deterministic_stratified_and_disjoint():
    a, b = datasets.digits(), datasets.digits()
    assert np.array_equal(a.x_test, b.x_test) and np.array_equal(a.labels_train, b.labels_train)
    other = datasets.digits(seed=1)
    assert not np.array_equal(a.x_test, other.x_test)
    counts = np.bincount(a.labels_test, minlength=10) / np.bincount(np.r_[a.labels_train, a.labels_test])
    assert np.all(np.abs(counts - 0.2) < 0.01)  # every digit split 80/20
    train_rows = {row.tobytes() for row in a.x_train}
    duplicates_within = len(a.x_train) - len(train_rows)
    assert sum(row.tobytes() in train_rows for row in a.x_test) <= duplicates_within + 2  # no image in both, bar copies
    with pytest.raises(ValueError, match="test_fraction must be a number between 0 and 1"):
        datasets.digits(test_fraction=1.5)


def test_digits_file_integrity(tmp_path, monkeypatch):
    import hashlib
    assert hashlib.sha256(datasets.DIGITS_FILE.read_bytes()).hexdigest() == datasets.DIGITS_SHA256
    with np.load(datasets.DIGITS_FILE) as archive:
        assert archive["images"].shape == (1797, 64) and archive["images"].dtype == np.uint8
        assert archive["images"].max() == 16 and np.bincount(archive["labels"]).tolist() == [
            178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    damaged = tmp_path / "digits.npz"
    damaged.write_bytes(datasets.DIGITS_FILE.read_bytes()[:-10] + b"0123456789")
    monkeypatch.setattr(datasets, "DIGITS_FILE", damaged)
    with pytest.raises(ValueError, match="is damaged"):
        datasets.digits()


def test_digits_licence_and_source_are_stated():
    readme = (datasets.DIGITS_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "10.24432/C50P49" in readme and datasets.DIGITS_SHA256 in readme


def test_one_hot():
    assert datasets.one_hot(np.array([1, 0]), classes=2).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    with pytest.raises(ValueError, match="lie in 0..9"):
        datasets.one_hot(np.array([10]))
    with pytest.raises(ValueError, match="1-D array of integers"):
        datasets.one_hot(np.array([0.5]))
