"""bp_course.bugs: each broken backward pass is really broken, the gradient check flags it, and its fix passes."""

import numpy as np
import pytest

from bp_course import bugs, gradcheck

NAMES = ["W[0]", "b[0]", "W[1]", "b[1]", "W[2]", "b[2]"]

# Which arrays each bug breaks: on a batch of several examples, and on a single example.
SIGNATURES = {
    "transposed": (NAMES[:4], NAMES[:4]),
    "missing_slope": (NAMES[:4], NAMES[:4]),
    "slope_of_output": (NAMES, NAMES),
    "bias_sum": (["b[0]", "b[1]", "b[2]"], []),
    "overwritten": (["W[0]", "W[1]", "W[2]"], []),
    "off_by_one": (["W[0]", "W[1]", "W[2]"], ["W[0]", "W[1]", "W[2]"]),
}


def _check(backward, n, seed=3):
    network = bugs.lesson_network()
    rng = np.random.default_rng(seed)
    x, t = rng.uniform(size=(n, 4)), rng.uniform(size=(n, 4))
    numeric = gradcheck.numerical_gradient(lambda: network.error(x, t), network.params)
    return gradcheck.compare(backward(network, x, t), numeric, NAMES)


def test_every_cause_has_an_edit_a_description_and_one_mystery_label():
    assert set(bugs.EDITS) == set(bugs.CAUSES) == set(bugs.MYSTERIES.values())
    assert len(bugs.MYSTERIES) == len(bugs.EDITS)


@pytest.mark.parametrize("cause", sorted(bugs.EDITS))
def test_each_edit_changes_exactly_one_place_of_the_reference(cause):
    correct, broken = bugs.EDITS[cause]
    assert bugs.REFERENCE.count(correct) == 1
    assert bugs.source(cause) != bugs.REFERENCE
    assert bugs.source(cause).replace(broken, correct) == bugs.REFERENCE  # the fix restores the reference


@pytest.mark.parametrize("cause", sorted(bugs.EDITS))
def test_the_gradient_check_flags_each_bug_where_expected(cause):
    on_batch, on_one = SIGNATURES[cause]
    batch = _check(bugs.backward(cause), n=8)
    assert not batch.passed
    assert batch.failed == on_batch
    assert _check(bugs.backward(cause), n=1).failed == on_one


@pytest.mark.parametrize("cause", sorted(bugs.EDITS))
def test_the_fixed_pass_passes(cause):
    correct, broken = bugs.EDITS[cause]
    fixed_source = bugs.source(cause).replace(broken, correct)
    namespace = {"np": np, "logistic": bugs.logistic}
    exec(fixed_source, namespace)
    for n in (1, 8):
        report = _check(namespace["backward"], n)
        assert report.passed, str(report)


def test_reference_equals_the_network_class():
    network = bugs.lesson_network()
    rng = np.random.default_rng(0)
    x, t = rng.uniform(size=(5, 4)), rng.uniform(size=(5, 4))
    for a, b in zip(bugs.reference_backward(network, x, t), network.gradients(x, t).as_list()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_labels_and_causes_name_the_same_pass():
    for label, cause in bugs.MYSTERIES.items():
        assert bugs.source(label) == bugs.source(cause)


def test_unknown_bug_names_are_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="unknown bug.*did you mean 'transposed'"):
        bugs.source("transpose")
    with pytest.raises(TypeError, match="given by name"):
        bugs.backward(3)


def test_lesson_network_has_non_zero_biases_and_square_layers():
    network = bugs.lesson_network()
    assert all(np.all(b != 0) for b in network.b)
    assert all(w.shape == (4, 4) for w in network.W)


@pytest.mark.parametrize("cause", sorted(bugs.EDITS))
@pytest.mark.parametrize("n", [1, 8])
def test_each_bug_is_caught_by_a_wide_margin_and_the_right_arrays_by_none(cause, n):
    """The noise floor of the norm-wise test (gradcheck.noise_floor) leaves every bug far outside the tolerance.

    The broken arrays miss the norm-wise tolerance, floor included, by a factor above 1000 (measured: 2.5e4 at
    the least); the arrays a bug leaves right stay well inside it.
    """
    broken = SIGNATURES[cause][0 if n > 1 else 1]
    report = _check(bugs.backward(cause), n)
    for name, ratio in zip(NAMES, report.norm_ratio):
        if name in broken:
            assert ratio > 1e3, (name, ratio)
        else:
            assert ratio < 0.1, (name, ratio)
