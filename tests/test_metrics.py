"""bp_course.metrics: the confusion matrix."""

import numpy as np
import pytest

from bp_course import metrics


def test_confusion_matrix_counts_each_pair_and_sums_to_n():
    labels = np.array([0, 0, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 2, 0, 2])
    matrix = metrics.confusion_matrix(labels, predicted, classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert matrix.sum() == len(labels) and np.trace(matrix) == 4


@pytest.mark.parametrize("labels,predicted,message", [
    ([0, 1], [0], "2 labels but 1 predictions"),
    ([0, 3], [0, 1], r"labels must lie in 0..2"),
    ([0.0, 1.0], [0, 1], "integer class labels"),
])
def test_confusion_matrix_refuses_bad_labels(labels, predicted, message):
    with pytest.raises(ValueError, match=message):
        metrics.confusion_matrix(np.array(labels), np.array(predicted), classes=3)
