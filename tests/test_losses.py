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


def test_softmax_targets_must_sum_to_one_to_rounding():
    """Issue 11 item 23: rows off by 1e-9 were accepted although softmax - t is then not dE/dnet."""
    net = np.array([[0.3, -1.0, 2.0]])
    off = np.array([[0.2, 0.3, 0.5 + 1e-9]])
    for f in (losses.softmax_cross_entropy, losses.softmax_cross_entropy_gradient):
        with pytest.raises(ValueError, match=r"row 0 sums to 1\.000000001, further from 1 than rounding "
                                             r"\(2\.7e-15 for 3 classes\): renormalize"):
            f(net, off)
    # what the bound protects: for such a row the exact gradient is softmax * sum(t) - t, not softmax - t
    (numeric,) = numerical_gradient(lambda: float(-np.sum(off * losses._log_softmax(net))), net.copy())
    assert not np.allclose(losses.softmax(net) - off, numeric, rtol=0, atol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rounded_distributions_pass_and_their_gradient_is_the_losss(dtype):
    """Label smoothing, softmax outputs and float32 rows sum to 1 only to rounding: accepted."""
    rng = np.random.default_rng(3)
    k = 10
    smoothed = (0.9 * np.eye(k)[rng.integers(0, k, size=20)] + 0.1 / k).astype(dtype)
    soft = losses.softmax(rng.normal(size=(20, k)) * 5).astype(dtype)
    uniform = np.full((4, 7), 1 / 7, dtype=dtype)
    for t in (smoothed, soft, uniform):
        losses.check_distributions(t)
    assert np.any(soft.sum(axis=1) != 1)  # not exactly 1: the tolerance is what accepts them
    if dtype == np.float64:
        net = rng.normal(size=(20, k))
        (numeric,) = numerical_gradient(lambda: losses.softmax_cross_entropy(net, soft), net)
        assert compare([losses.softmax_cross_entropy_gradient(net, soft)], [numeric]).passed
    else:  # float32 rows are float32-rounded: as float64 they are off by 1e-8, as documented, and refused
        with pytest.raises(ValueError, match="further from 1 than rounding"):
            losses.check_distributions(soft.astype(np.float64))


def test_negative_softmax_targets_are_counted():
    with pytest.raises(ValueError, match="t has 1 negative entry$"):
        losses.check_distributions(np.array([1.5, -0.5]))


def test_empty_outputs_get_a_clear_error():
    """Issue 11 item 24: softmax raised NumPy's reduction error, squared_error returned 0.0."""
    with pytest.raises(ValueError, match=r"softmax needs at least one class along the last axis of net, "
                                         r"got shape \(2, 0\)"):
        losses.softmax(np.zeros((2, 0)))
    with pytest.raises(ValueError, match=r"softmax needs at least one class.*got shape \(\)"):
        losses.softmax(1.0)
    for f in (losses.squared_error, losses.squared_error_gradient):
        with pytest.raises(ValueError, match=r"outputs y have shape \(3, 0\): no outputs per example"):
            f(np.zeros((3, 0)), np.zeros((3, 0)))
    with pytest.raises(ValueError, match=r"outputs net have shape \(0,\): no outputs"):
        losses.softmax_cross_entropy([], [])
