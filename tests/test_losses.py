"""bp_course.losses: values, gradients, the average-over-examples condition, bad input."""

import numpy as np
import pytest

from bp_course import losses
from bp_course.gradcheck import compare, numerical_gradient

RNG = np.random.default_rng(7)


def _one_hot(labels, k):
    return np.eye(k)[labels]


def test_squared_error_values():
    assert losses.squared_error([0.6], [0.0]) == pytest.approx(0.18)
    assert losses.squared_error([1.0, 2.0], [0.0, 0.0]) == pytest.approx(2.5)  # one example, two outputs


def test_losses_are_averages_over_examples():
    """The seed text's first condition: E over a batch is the mean of the per-example errors."""
    y, t = RNG.normal(size=(5, 3)), _one_hot([0, 2, 1, 1, 0], 3)
    for loss in losses.LOSSES.values():
        per_example = [loss.value(y[p], t[p]) for p in range(5)]
        assert loss.value(y, t) == pytest.approx(np.mean(per_example), rel=1e-12)


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
@pytest.mark.parametrize("shape", [(3,), (4, 3)])
def test_gradient_matches_central_differences(name, shape):
    loss = losses.get_loss(name)
    y = RNG.normal(size=shape)
    t = _one_hot(RNG.integers(0, 3, size=shape[:-1] or None), 3)
    report = compare([loss.gradient(y, t)], numerical_gradient(lambda: loss.value(y, t), [y]))
    assert report.passed, str(report)


def test_softmax_cross_entropy_gradient_is_softmax_minus_target():
    net, t = np.array([[2.0, 1.0, 0.1]]), np.array([[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(losses.softmax_cross_entropy_gradient(net, t), losses.softmax(net) - t)


def test_softmax_is_stable_and_normalized():
    net = np.array([[1000.0, 1000.0, -1000.0], [-1e4, 0.0, 1e4]])
    p = losses.softmax(net)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0])
    assert np.isfinite(losses.softmax_cross_entropy(net, np.array([[0, 0, 1.0], [1.0, 0, 0]])))


def test_cross_entropy_value():
    assert losses.softmax_cross_entropy([0.0, 0.0], [1.0, 0.0]) == pytest.approx(np.log(2))


def test_target_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"targets t have shape \(4,\) but outputs y have shape \(4, 1\)"):
        losses.squared_error(np.zeros((4, 1)), np.zeros(4))


def test_cross_entropy_rejects_non_distributions():
    with pytest.raises(ValueError, match="probability distributions"):
        losses.softmax_cross_entropy([0.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="probability distributions"):
        losses.softmax_cross_entropy_gradient([0.0, 1.0], [1.5, -0.5])


def test_non_finite_values_are_rejected():
    with pytest.raises(ValueError, match=r"outputs y contains 1 non-finite value"):
        losses.squared_error([np.nan, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"targets t contains 1 non-finite"):
        losses.squared_error_gradient([0.0], [np.inf])


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match="unknown loss 'mse'; valid names are: logistic_cross_entropy, softmax_cross_entropy, squared_error"):
        losses.get_loss("mse")


def test_empty_batch_and_bad_rank():
    with pytest.raises(ValueError, match="hold no examples"):
        losses.squared_error(np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="must be 1-D"):
        losses.squared_error(np.zeros((1, 1, 1)), np.zeros((1, 1, 1)))


def test_logistic_cross_entropy_is_two_class_softmax_cross_entropy():
    """softmax(net, 0) = (phi(net), 1 - phi(net)): the logistic case is the softmax case with a zero logit."""
    rng = np.random.default_rng(4)
    net, t = rng.normal(size=(6, 1)) * 3, rng.uniform(size=(6, 1))
    pair, targets = np.hstack([net, np.zeros_like(net)]), np.hstack([t, 1 - t])
    assert losses.logistic_cross_entropy(net, t) == pytest.approx(losses.softmax_cross_entropy(pair, targets))
    np.testing.assert_allclose(losses.logistic_cross_entropy_gradient(net, t),
                               losses.softmax_cross_entropy_gradient(pair, targets)[:, :1])


def test_logistic_cross_entropy_gradient_is_y_minus_t_and_matches_differences():
    from bp_course.activations import logistic
    from bp_course.gradcheck import numerical_gradient
    net, t = np.array([[0.3, -2.0], [4.0, 1.0]]), np.array([[1.0, 0.0], [0.2, 1.0]])
    np.testing.assert_allclose(losses.logistic_cross_entropy_gradient(net, t), (logistic(net) - t) / 2)
    (numeric,) = numerical_gradient(lambda: losses.logistic_cross_entropy(net, t), net)
    np.testing.assert_allclose(losses.logistic_cross_entropy_gradient(net, t), numeric, rtol=1e-7)


def test_logistic_cross_entropy_is_stable_and_checks_targets():
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is harmless and silent
        assert losses.logistic_cross_entropy([[-800.0], [800.0]], [[1.0], [0.0]]) == pytest.approx(800.0)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        losses.logistic_cross_entropy([0.0], [2.0])
