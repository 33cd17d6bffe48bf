"""bp_course.clipping: clipping by norm keeps the direction and caps the length (Lesson 10)."""

import numpy as np
import pytest

from bp_course import clipping


def test_long_gradients_are_rescaled_to_the_threshold_in_the_same_direction():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=4)]
    norm = clipping.global_norm(grads)
    assert norm == pytest.approx(np.linalg.norm(np.concatenate([g.ravel() for g in grads])))
    clipped = clipping.clip_by_norm(grads, norm / 10)
    assert clipping.global_norm(clipped) == pytest.approx(norm / 10)
    for before, after in zip(grads, clipped):
        np.testing.assert_allclose(after, before / 10)


def test_short_gradients_are_left_alone_and_inputs_unchanged():
    grads = [np.array([0.3, -0.4])]
    kept = grads[0].copy()
    clipped = clipping.clip_by_norm(grads, 1.0)
    np.testing.assert_array_equal(clipped[0], kept)
    clipping.clip_by_norm([np.array([30.0, -40.0])], 1.0)
    np.testing.assert_array_equal(grads[0], kept)
    assert clipped[0] is not grads[0]


def test_clipping_is_not_entrywise():
    clipped = clipping.clip_by_norm([np.array([3.0, 0.1])], 1.0)[0]
    assert clipped[0] / clipped[1] == pytest.approx(30.0)   # np.clip would give 1.0 / 0.1


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="list of arrays"):
        clipping.clip_by_norm(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="threshold"):
        clipping.clip_by_norm([np.ones(3)], 0.0)
    with pytest.raises(ValueError, match="non-finite"):
        clipping.global_norm([np.array([np.inf])])
