"""bp_course.network: backprop (the recursive delta rule) against central differences, and bad input."""

import itertools

import numpy as np
import pytest

from bp_course.activations import ACTIVATIONS
from bp_course.gradcheck import ENTRY_ATOL, ENTRY_RTOL, NORM_RTOL, check_network, compare, numerical_gradient
from bp_course.network import Network, TrainingDiverged

ACTS = sorted(ACTIVATIONS)


def _data(net, n, seed):
    """Inputs (with an always-zero feature) and targets suited to the network's loss."""
    rng = np.random.default_rng(seed)
    shape = (n, net.sizes[0]) if n else (net.sizes[0],)
    x = rng.normal(size=shape)
    x[..., 0] = 0.0  # weights fed by this input have gradient exactly 0, analytically and numerically
    k = net.sizes[-1]
    if net.loss.name == "softmax_cross_entropy":
        t = np.eye(k)[rng.integers(0, k, size=n or None)]
    elif net.loss.name == "logistic_cross_entropy":
        t = rng.uniform(size=shape[:-1] + (k,))
    else:
        t = rng.normal(size=shape[:-1] + (k,))
    return x, t


CASES = [
    (depth, act, loss, n)
    for depth, act, loss, n in itertools.product([1, 2, 3, 4], ACTS,
                                                 ["squared_error", "softmax_cross_entropy", "logistic_cross_entropy"],
                                                 [0, 5])
]


@pytest.mark.parametrize("depth,activation,loss,n", CASES,
                         ids=[f"depth{d}-{a}-{l}-{'single' if n == 0 else 'batch'}" for d, a, l, n in CASES])
def test_backprop_matches_central_differences(depth, activation, loss, n):
    """Norm-wise rel. error <= 1e-7 and |a - n| <= 1e-6 max(|a|, |n|) + 1e-9 per entry, h = 1e-5."""
    acts = [activation] * depth
    if loss != "squared_error":
        acts[-1] = "identity"  # the loss applies the softmax or logistic; at depth 1 this is (softmax) regression
    # ReLU has no derivative at net = 0: take the first seed whose nets stay clear of the kink.
    for seed in range(depth * 100 + ACTS.index(activation) * 10 + n, 10**6, 1000):
        sizes = list(np.random.default_rng(seed).integers(2, 5, size=depth + 1))
        net = Network(sizes, acts, loss=loss, seed=seed)
        x, t = _data(net, n, seed)
        if activation != "relu" or all(np.min(np.abs(z)) > 1e-4 for z in net.forward(x).net[1:]):
            break
    report = check_network(net, x, t, h=1e-5)
    assert report.passed, str(report)
    assert report.worst <= NORM_RTOL


def test_tolerances_are_the_documented_ones():
    assert (NORM_RTOL, ENTRY_RTOL, ENTRY_ATOL) == (1e-7, 1e-6, 1e-9)


def test_zero_input_gives_exactly_zero_weight_gradient():
    net = Network([3, 4, 2], "tanh", seed=3)
    x, t = _data(net, 6, 3)
    g = net.gradients(x, t)
    assert np.all(g.dW[0][0] == 0.0)


def test_batch_gradient_is_mean_of_example_gradients():
    """A reference written independently: a Python loop over examples (what the package avoids)."""
    net = Network([3, 5, 4, 2], ["relu", "tanh", "logistic"], seed=11)
    x, t = _data(net, 7, 11)
    batch = net.gradients(x, t).as_list()
    singles = [net.gradients(x[p], t[p]).as_list() for p in range(7)]
    for k, g in enumerate(batch):
        np.testing.assert_allclose(g, np.mean([s[k] for s in singles], axis=0), rtol=1e-12, atol=1e-15)


def test_single_example_keeps_one_dimensional_arrays():
    net = Network([2, 2, 1], "logistic", seed=0)
    fwd = net.forward([1.0, 1.0])
    assert [a.shape for a in fwd.out] == [(2,), (2,), (1,)]
    g = net.backward(fwd, [0.0])
    assert g.delta[0] is None and [d.shape for d in g.delta[1:]] == [(2,), (1,)]
    np.testing.assert_allclose(g.dW[1], np.outer(fwd.out[1], g.delta[2]))


def test_deltas_follow_eq_4_and_eq_5():
    """Output delta (y - t) phi'(net) and hidden delta (W delta) phi'(net), written out for a 2-2-1 net."""
    net = Network([2, 2, 1], "logistic", seed=5)
    x, t = np.array([0.3, -0.7]), np.array([1.0])
    fwd = net.forward(x)
    g = net.backward(fwd, t)
    o1, y = fwd.out[1], fwd.out[2]
    delta_out = (y - t) * y * (1 - y)
    delta_hidden = (net.W[1] @ delta_out) * o1 * (1 - o1)
    np.testing.assert_allclose(g.delta[2], delta_out)
    np.testing.assert_allclose(g.delta[1], delta_hidden)
    np.testing.assert_allclose(g.dW[0], np.outer(x, delta_hidden))
    assert g.delta[0] is None  # dE/dx only on request
    np.testing.assert_allclose(net.backward(fwd, t, input_delta=True).delta[0], net.W[0] @ delta_hidden)


def test_input_gradient_delta0_matches_central_differences():
    net = Network([3, 4, 2], "tanh", seed=2)
    x, t = _data(net, 4, 2)
    x[:, 0] = 0.5
    report = compare([net.backward(net.forward(x), t, input_delta=True).delta[0]], numerical_gradient(lambda: net.error(x, t), [x]))
    assert report.passed, str(report)


def test_seed_makes_initialization_deterministic():
    a, b, c = Network([4, 3, 2], seed=1), Network([4, 3, 2], seed=1), Network([4, 3, 2], seed=2)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
    assert not np.array_equal(a.W[0], c.W[0])
    assert all(np.all(bias == 0) for bias in a.b)


@pytest.mark.parametrize("init,std", [("lecun", np.sqrt(1 / 400)), ("he", np.sqrt(2 / 400)),
                                      ("xavier", np.sqrt(2 / 800)), (0.3, 0.3)])
def test_initialization_scale(init, std):
    w = Network([400, 400], init=init, seed=0).W[0]
    assert w.std() == pytest.approx(std, rel=0.02)


def test_gradient_descent_lowers_the_error():
    net = Network([2, 3, 1], "logistic", seed=4)
    x, t = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[1.0], [0.0]])
    errors = [net.train_step(x, t, eta=0.5) for _ in range(50)]
    assert errors[-1] < errors[0]
    assert all(later <= earlier + 1e-12 for earlier, later in zip(errors, errors[1:]))


def test_step_is_w_minus_eta_gradient():
    net = Network([2, 2], "identity", seed=0)
    before = [p.copy() for p in net.params]
    g = net.gradients([[1.0, 2.0]], [[0.0, 1.0]])
    net.step(g, 0.1)
    for p, p0, dp in zip(net.params, before, g.as_list()):
        np.testing.assert_allclose(p, p0 - 0.1 * dp)


def test_float32_network_stays_float32():
    net = Network([3, 4, 2], "logistic", seed=0, dtype=np.float32)
    x = np.ones((2, 3), dtype=np.float32)
    g = net.gradients(x, np.zeros((2, 2), dtype=np.float32))
    assert net.predict(x).dtype == np.float32
    assert all(d.dtype == np.float32 for d in g.as_list())


def test_repr_names_layers():
    assert repr(Network([2, 2, 1])) == "Network(2-2-1, activations=[logistic, logistic], loss='squared_error', dtype=float64)"


# -- bad input -------------------------------------------------------------------

def test_wrong_input_width():
    with pytest.raises(ValueError, match=r"expected 2 input features, got 3"):
        Network([2, 2, 1]).forward([[1.0, 2.0, 3.0]])


def test_wrong_target_shape():
    net = Network([2, 2, 1])
    with pytest.raises(ValueError, match=r"expected targets of shape \(4, 1\) .* got shape \(4,\)"):
        net.gradients(np.zeros((4, 2)), np.zeros(4))


def test_non_finite_inputs_and_targets():
    net = Network([2, 1])
    with pytest.raises(ValueError, match=r"inputs x contains 1 non-finite value"):
        net.forward([np.nan, 1.0])
    with pytest.raises(ValueError, match=r"targets t contains 1 non-finite value"):
        net.gradients([1.0, 1.0], [np.inf])


def test_non_numeric_inputs():
    with pytest.raises(TypeError, match="inputs x must be numbers"):
        Network([2, 1]).forward("1, 1")


def test_unknown_activation_and_loss():
    with pytest.raises(ValueError, match="unknown activation 'sigmoid'; valid names are: identity, logistic, relu, tanh"):
        Network([2, 1], "sigmoid")
    with pytest.raises(ValueError, match="unknown loss 'cross_entropy'; valid names are: logistic_cross_entropy, "
                                         "softmax_cross_entropy, squared_error .did you mean"):
        Network([2, 1], loss="cross_entropy")
    with pytest.raises(ValueError, match="unknown initialization 'glorot'"):
        Network([2, 1], init="glorot")


def test_cross_entropy_losses_need_identity_output():
    with pytest.raises(ValueError, match="applies the softmax itself: use activation 'identity' on the output layer, "
                                         "not 'logistic'"):
        Network([2, 3], "logistic", loss="softmax_cross_entropy")
    with pytest.raises(ValueError, match="applies the logistic itself: use activation 'identity'"):
        Network([2, 1], "logistic", loss="logistic_cross_entropy")


@pytest.mark.parametrize("eta,error", [(0, ValueError), (-0.1, ValueError), (np.nan, ValueError),
                                       (np.inf, ValueError), ("0.1", TypeError), (None, TypeError),
                                       (True, TypeError)])
def test_learning_rate_must_be_positive_finite(eta, error):
    net = Network([2, 1])
    with pytest.raises(error, match="learning rate eta must be a positive"):
        net.train_step([1.0, 1.0], [0.0], eta)


@pytest.mark.parametrize("sizes,message", [([2], "at least an input and an output"),
                                           ([2, 0, 1], "positive integers"), ([2, 1.5], "positive integers"),
                                           ("2-1", "list of layer widths"), (3, "list of layer widths")])
def test_bad_sizes(sizes, message):
    with pytest.raises((ValueError, TypeError), match=message):
        Network(sizes)


def test_activation_count_must_match_layers():
    with pytest.raises(ValueError, match="got 3 activation names for 2 layers"):
        Network([2, 2, 1], ["tanh", "tanh", "tanh"])


def test_integer_dtype_rejected():
    with pytest.raises(TypeError, match="dtype must be a floating type"):
        Network([2, 1], dtype=int)


def test_the_network_learns_the_digits():
    """A correctness test, not a timing one: two epochs lift test accuracy far above chance (10 %)."""
    from bp_course import datasets
    d = datasets.digits()
    net = Network([64, 30, 10], "logistic", seed=0)
    before = net.accuracy(d.x_test, d.labels_test)
    for epoch in range(2):
        net.train_epoch(d.x_train, datasets.one_hot(d.labels_train), eta=3.0, batch_size=10, seed=epoch)
    after = net.accuracy(d.x_test, d.labels_test)
    assert before < 0.3 and after > 0.8


def test_train_epoch_is_the_same_as_train_steps_on_the_same_batches():
    rng = np.random.default_rng(3)
    x, t = rng.normal(size=(23, 4)), rng.uniform(size=(23, 3))
    a, b = Network([4, 5, 3], "tanh", seed=1), Network([4, 5, 3], "tanh", seed=1)
    a.train_epoch(x, t, eta=0.5, batch_size=5, seed=7)
    order = np.random.default_rng(7).permutation(23)
    for start in range(0, 23, 5):
        idx = order[start:start + 5]
        b.train_step(x[idx], t[idx], eta=0.5)
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


TRAINING_CASES = [(depth, act, loss) for depth, act, loss in itertools.product(
    [1, 2, 3], ACTS, ["squared_error", "softmax_cross_entropy", "logistic_cross_entropy"])]


@pytest.mark.parametrize("depth,activation,loss", TRAINING_CASES,
                         ids=[f"depth{d}-{a}-{l}" for d, a, l in TRAINING_CASES])
def test_train_epoch_is_the_delta_rule_for_every_depth_activation_and_loss(depth, activation, loss):
    """Issue 15: train_epoch's own loop (bias stacked under W, one column per example, in-place activations) takes
    the same steps as gradients() and step() on the same batches, the last one smaller, for any network."""
    acts = [activation] * depth
    if loss != "squared_error":
        acts[-1] = "identity"
    sizes = [4, 5, 3, 3][:depth] + [3]
    a, b = Network(sizes, acts, loss=loss, seed=depth), Network(sizes, acts, loss=loss, seed=depth)
    x, t = _data(a, 23, seed=depth)
    for epoch, batch_size in enumerate([5, 23, 5, 1]):      # plans of several sizes, reused
        a.train_epoch(x, t, eta=0.05, batch_size=batch_size, seed=epoch)
        order = np.random.default_rng(epoch).permutation(23)
        for start in range(0, 23, batch_size):
            idx = order[start:start + batch_size]
            b.step(b.gradients(x[idx], t[idx]), 0.05)
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-13)


def _afresh(net):
    """A new network like ``net``, with copies of its weights and none of its kept work arrays."""
    copy = Network(net.sizes, [a.name for a in net.activations], loss=net.loss.name)
    copy.W, copy.b = [w.copy() for w in net.W], [v.copy() for v in net.b]
    return copy


def test_train_epoch_sees_weights_and_data_changed_between_epochs():
    """The epoch's copies (weights, shuffled data) are made afresh each epoch: weights set by hand, data changed in
    place or of another size, another activation, all count, as in a network that never trained before."""
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(12, 3)), rng.uniform(size=(12, 2))
    net = Network([3, 4, 2], seed=0)
    net.train_epoch(x, t, 0.5, batch_size=4, seed=0)
    net.W[0] = np.full((3, 4), 0.1)                          # a new array
    net.b[1][:] = 0.3                                        # the old one, changed in place
    x *= 2.0
    for change in (lambda: None, lambda: net.activations.__setitem__(0, ACTIVATIONS["tanh"])):
        change()
        for x_epoch, t_epoch, batch_size in ((x, t, 4), (x[:7], t[:7], 3)):
            reference = _afresh(net)
            net.train_epoch(x_epoch, t_epoch, 0.5, batch_size=batch_size, seed=1)
            reference.train_epoch(x_epoch, t_epoch, 0.5, batch_size=batch_size, seed=1)
            for p, q in zip(net.params, reference.params):
                np.testing.assert_array_equal(p, q)


def test_train_epoch_in_float32_keeps_its_dtype_and_its_exp_finite():
    """Lesson 07's float32: the epoch's copies are float32 too, and the logistic's e^net is capped at e^88 there."""
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(23, 4)).astype(np.float32), rng.uniform(size=(23, 3)).astype(np.float32)
    a, b = (Network([4, 5, 3], "logistic", dtype=np.float32, seed=1) for _ in range(2))
    a.train_epoch(x, t, 0.5, batch_size=5, seed=0)
    order = np.random.default_rng(0).permutation(23)
    for start in range(0, 23, 5):
        b.step(b.gradients(x[order[start:start + 5]], t[order[start:start + 5]]), 0.5)
    assert all(p.dtype == np.float32 for p in a.params)
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)
    a.train_epoch(100 * x, t, 0.5, batch_size=5, seed=1)    # |net| far beyond 88, where e^net overflows float32
    assert all(np.isfinite(p).all() for p in a.params)


@pytest.mark.parametrize("bad", ["x", "t", "both"])
def test_train_epoch_names_nan_in_its_data_before_any_step(bad):
    """The check for nan and inf runs on the epoch's shuffled copies (issue 15), with the same errors as before:
    inputs first, then targets; no step is taken."""
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(9, 3)), rng.uniform(size=(9, 2))
    if bad in ("x", "both"):
        x[4, 1] = np.inf
    if bad in ("t", "both"):
        t[7, 0] = np.nan
    net = Network([3, 4, 2], seed=0)
    before = [p.copy() for p in net.params]
    name = "targets t" if bad == "t" else "inputs x"
    with pytest.raises(ValueError, match=rf"{name} contains 1 non-finite value\(s\)"):
        net.train_epoch(x, t, 0.5, batch_size=4, seed=0)
    assert all(np.array_equal(p, q) for p, q in zip(net.params, before))


def test_train_epoch_on_saturated_logistic_units_is_silent():
    """net far beyond +-709, where e^net overflows, inside train_epoch's overflow trap: no TrainingDiverged, no
    warning, the slopes exactly 0 or tiny, the weights finite (the exp form must not overflow)."""
    net = Network([1, 2, 1], "logistic", seed=0)
    net.W[0][:] = [[5.0, -5.0]]
    net.train_epoch([[-1000.0], [1000.0], [0.5]], [[1.0], [0.0], [0.5]], 1.0, batch_size=2, seed=0)
    assert all(np.isfinite(p).all() for p in net.params)


def test_train_epoch_checks_its_input():
    net = Network([2, 1])
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        net.train_epoch([[1.0, 2.0]], [[0.0]], 0.1, 0)
    with pytest.raises(ValueError, match=r"expected targets of shape \(1, 1\)"):
        net.train_epoch([[1.0, 2.0]], [[0.0, 1.0]], 0.1, 1)
    with pytest.raises(ValueError, match="needs a batch x"):
        net.train_epoch([1.0, 2.0], [0.0], 0.1, 1)
    with pytest.raises(ValueError, match="non-finite"):
        net.train_epoch([[np.nan, 2.0]], [[0.0]], 0.1, 1)


def test_reuse_writes_into_the_networks_own_arrays_and_default_does_not():
    net = Network([3, 4, 2], "logistic", seed=0)
    x1, x2 = np.ones((5, 3)), np.zeros((5, 3))
    kept = net.forward(x1)
    again = net.forward(x2)
    assert not np.array_equal(kept.y, again.y)  # fresh arrays: the first result survives
    first = net.forward(x1, reuse=True)
    y1 = first.y.copy()
    second = net.forward(x2, reuse=True)
    assert first.y is second.y and not np.array_equal(y1, second.y)  # reused: overwritten, as documented
    g_fresh = net.backward(net.forward(x1), np.zeros((5, 2)))
    g_reused = net.backward(net.forward(x1, reuse=True), np.zeros((5, 2)), reuse=True)
    for a, b in zip(g_fresh.as_list(), g_reused.as_list()):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_accuracy():
    net = Network([2, 2], "identity")
    net.W[0] = np.eye(2)
    assert net.accuracy([[1.0, 0.0], [0.0, 1.0], [3.0, 1.0]], [0, 1, 1]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="one label per example"):
        net.accuracy([[1.0, 0.0]], [0, 1])


@pytest.mark.parametrize("loss,t,message", [
    ("softmax_cross_entropy", [[0.0, 2.0]] * 6, r"probability distributions.*row 0 sums to 2\.0"),
    ("logistic_cross_entropy", [[5.0, 0.0]] * 6, r"probabilities in \[0, 1\].*6 entries outside, from 5 to 5"),
])
def test_train_epoch_refuses_the_targets_gradients_refuses(loss, t, message):
    """Issue 11 item 20: one validation of the targets for train_epoch, train_step and gradients."""
    x = np.random.default_rng(0).normal(size=(6, 3))
    net = Network([3, 2], "identity", loss=loss)
    before = [p.copy() for p in net.params]
    for call in (lambda: net.gradients(x, t), lambda: net.train_step(x, t, 0.1),
                 lambda: net.train_epoch(x, t, 0.1, batch_size=2)):
        with pytest.raises(ValueError, match=message):
            call()
    assert all(np.array_equal(p, q) for p, q in zip(net.params, before))


def _diverging():
    """A linear network whose error grows at eta = 5 (its Hessian's largest eigenvalue is above 2 / 5)."""
    rng = np.random.default_rng(0)
    return Network([3, 4, 1], "identity"), rng.normal(size=(20, 3)), rng.normal(size=(20, 1))


def test_a_diverging_epoch_stops_naming_its_step_and_restores_the_weights():
    """Issue 11 item 21: no nan or inf weights, no NumPy warning (pytest turns them into errors): a clear error."""
    net, x, t = _diverging()
    net.train_epoch(x, t, 5.0, batch_size=5, seed=0)  # the first epoch stays finite
    before = [p.copy() for p in net.params]
    with pytest.raises(TrainingDiverged, match=r"training diverged at step 3 of 4 of this epoch \(shuffled examples "
                                               r"10-14: overflow in its arithmetic\)\. The learning rate eta = 5 is "
                                               r"too large .* try a smaller one \(eta = 0\.5, say\)"):
        net.train_epoch(x, t, 5.0, batch_size=5, seed=1)
    assert all(np.array_equal(p, q) for p, q in zip(net.params, before))


def test_a_diverging_train_step_raises_the_same_error_and_keeps_its_weights():
    net, x, t = _diverging()
    with pytest.raises(TrainingDiverged, match=r"training diverged in this train_step \(.*\)\. The learning rate "
                                               r"eta = 5 is too large"):
        for _ in range(20):
            before = [p.copy() for p in net.params]
            net.train_step(x, t, 5.0)
    assert all(np.isfinite(p).all() and np.array_equal(p, q) for p, q in zip(net.params, before))


def test_non_finite_weights_that_no_overflow_flagged_are_caught_at_the_end_of_the_epoch(monkeypatch):
    """The backstop: a nan written without a floating-point flag (here by hand) still stops the epoch."""
    net, x, t = _diverging()
    before = [p.copy() for p in net.params]
    backward = net._train_backward

    def poisoned(plan, *args):
        backward(plan, *args)
        plan.Wb[0][0, 0] = np.nan  # W[0]'s first weight, in the arrays the epoch updates

    monkeypatch.setattr(net, "_train_backward", poisoned)
    with pytest.raises(TrainingDiverged,
                       match=r"during this epoch of 4 step\(s\): W\[0\], b\[0\], W\[1\], b\[1\] became nan or inf"):
        net.train_epoch(x, t, 0.01, batch_size=5)
    assert all(np.array_equal(p, q) for p, q in zip(net.params, before))


def test_training_refuses_weights_that_are_already_not_finite():
    net, x, t = _diverging()
    net.b[1][0] = np.inf
    with pytest.raises(ValueError, match=r"b\[1\] already held nan or inf before this epoch"):
        net.train_epoch(x, t, 0.01, batch_size=5)
    with pytest.raises(ValueError, match=r"b\[1\] already held nan or inf before this train_step"):
        net.train_step(x, t, 0.01)


@pytest.mark.parametrize("labels,error,message", [
    ([0, 5, 1], ValueError, r"class indices 0\.\.2 \(one per output\), got 1 outside: 5 \(label of example 1\)"),
    ([0, -1, 1], ValueError, r"got 1 outside: -1"),
    (["a", "b", "c"], TypeError, r"integer class indices, got an array of <U1"),
    ([0.0, 1.0, 2.0], TypeError, r"float64 \(these floats are whole numbers: pass labels.astype\(int\)\)"),
    ([0.5, 1.0, 2.0], TypeError, r"integer class indices, got an array of float64$"),
    ([True, False, True], TypeError, r"got an array of bool"),
    ([[0], [1], [2]], ValueError, r"one label per example, a 1-D array of 3, got labels of shape \(3, 1\)"),
    ("012", TypeError, r"got str"),
])
def test_accuracy_validates_its_labels(labels, error, message):
    """Issue 11 item 22: [0, 5, 1] gave 0.667 and ['a', 'b', 'c'] gave 0.0."""
    net = Network([3, 3], "identity")
    with pytest.raises(error, match=message):
        net.accuracy(np.eye(3), labels)


def test_accuracy_of_one_example():
    net = Network([2, 2], "identity")
    net.W[0] = np.eye(2)
    assert net.accuracy([0.0, 1.0], [1]) == 1.0
