"""bp_course.training: the per-epoch history of SGD, the many-seeds XOR trainer, lines through weight space."""

import numpy as np
import pytest

from bp_course import datasets, training
from bp_course.network import Network


def _full_batch(net, x, t, eta, epochs):
    """Full-batch gradient descent written out with Network, the reference of many_seeds."""
    errors, norms = [], []
    for _ in range(epochs + 1):
        grads = net.gradients(x, t)
        errors.append(grads.E)
        norms.append(np.sqrt(sum(np.sum(g ** 2) for g in grads.as_list())))
        net.step(grads, eta)
    return np.array(errors), np.array(norms)


def test_many_seeds_is_network_training_run_by_run():
    """Every run of the batched trainer equals training that Network alone: errors, gradient norms, final weights."""
    x, t = datasets.xor()
    runs = training.many_seeds(x, t, [1, 3, 2], [4, 11], eta=2.5, epochs=60)
    assert runs.E.shape == runs.grad_norm.shape == (61, 3, 2)
    for i, width in enumerate(runs.widths):
        for k, seed in enumerate(runs.seeds):
            net = Network([2, width, 1], "logistic", seed=seed)
            errors, norms = _full_batch(net, x, t, 2.5, 60)
            np.testing.assert_allclose(runs.E[:, i, k], errors, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(runs.grad_norm[:, i, k], norms, rtol=1e-10, atol=1e-15)
            trained = Network([2, width, 1], "logistic", seed=seed)
            _full_batch(trained, x, t, 2.5, 59)  # the step after the last recorded error is not taken
            for a, b in zip(runs.network(width, seed).params, trained.params):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_many_seeds_on_other_inputs_than_xor():
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(7, 3)), rng.uniform(size=(7, 1))
    runs = training.many_seeds(x, t.ravel(), [2], [5], eta=0.5, epochs=10)
    errors, _ = _full_batch(Network([3, 2, 1], seed=5), x, t, 0.5, 10)
    np.testing.assert_allclose(runs.E[:, 0, 0], errors, rtol=1e-12)


def test_stuck_fraction_of_xor_falls_with_width():
    """The lesson's measurement: one hidden neuron never solves XOR, five always do (2000 epochs, eta 4)."""
    x, t = datasets.xor()
    runs = training.many_seeds(x, t, [1, 2, 5], range(20), eta=4.0, epochs=2000)
    fractions = runs.stuck_fraction(0.01)
    assert fractions[0] == 1.0 and fractions[2] == 0.0 and 0 < fractions[1] < 1
    assert runs.stuck(0.01).shape == (3, 20)


@pytest.mark.parametrize("kwargs,message", [
    ({"widths": [0]}, "a hidden width must be an integer of at least 1"),
    ({"widths": []}, "at least one width and one seed"),
    ({"eta": -1.0}, "learning rate eta must be a positive finite number"),
    ({"epochs": 1.5}, "epochs must be an integer"),
    ({"t": np.zeros((4, 2))}, "one target per example"),
])
def test_many_seeds_refuses_bad_input(kwargs, message):
    x, t = datasets.xor()
    arguments = {"x": x, "t": t, "widths": [2], "seeds": [0], "eta": 1.0, "epochs": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        training.many_seeds(**arguments)


def test_runs_network_refuses_a_run_that_was_not_trained():
    x, t = datasets.xor()
    runs = training.many_seeds(x, t, [2], [0, 1], eta=1.0, epochs=1)
    with pytest.raises(ValueError, match="no run of width 3 and seed 0"):
        runs.network(3, 0)


def test_fit_records_what_train_epoch_does_and_measures_both_sets():
    d = datasets.digits()
    x, t = d.x_train[:200], datasets.one_hot(d.labels_train[:200])
    x_test, t_test = d.x_test[:50], datasets.one_hot(d.labels_test[:50])
    net = Network([64, 8, 10], ["logistic", "identity"], loss="softmax_cross_entropy", seed=3)
    history = training.fit(net, x, t, eta=0.5, epochs=3, batch_size=20, x_test=x_test, t_test=t_test, seed=4)
    reference = Network([64, 8, 10], ["logistic", "identity"], loss="softmax_cross_entropy", seed=3)
    rng = np.random.default_rng(4)
    E_train, accuracy_test = [reference.error(x, t)], [reference.accuracy(x_test, d.labels_test[:50])]
    for _ in range(3):
        reference.train_epoch(x, t, 0.5, 20, seed=rng)
        E_train.append(reference.error(x, t))
        accuracy_test.append(reference.accuracy(x_test, d.labels_test[:50]))
    np.testing.assert_allclose(history.E_train, E_train, rtol=1e-12)
    np.testing.assert_allclose(history.accuracy_test, accuracy_test)
    assert history.epoch.tolist() == [0, 1, 2, 3] and len(history.seconds) == 3
    assert history.E_test.shape == history.accuracy_train.shape == (4,)
    for a, b in zip(net.params, reference.params):
        np.testing.assert_array_equal(a, b)


def test_fit_accuracy_of_a_single_output_thresholds_at_one_half():
    x, t = datasets.xor()
    net = Network([2, 1], "logistic")
    net.W, net.b = [np.array([[1.0], [1.0]])], [np.array([-0.5])]  # y > 1/2 unless both inputs are 0
    history = training.fit(net, x, t, eta=1e-12, epochs=0, batch_size=4, x_test=x, t_test=t)
    assert history.accuracy_train.tolist() == [0.75]


@pytest.mark.parametrize("kwargs,error,message", [
    ({"net": "net"}, TypeError, "must be a bp_course.network.Network"),
    ({"batch_size": 0}, ValueError, "batch_size must be an integer of at least 1"),
    ({"t_test": np.zeros((4, 2))}, ValueError, "the test set needs inputs"),
    ({"x": np.zeros((4, 3))}, ValueError, "expected 2 input features"),
])
def test_fit_refuses_bad_input(kwargs, error, message):
    x, t = datasets.xor()
    arguments = {"net": Network([2, 2, 1]), "x": x, "t": t, "eta": 1.0, "epochs": 1, "batch_size": 2,
                 "x_test": x, "t_test": t, **kwargs}
    net = arguments.pop("net")
    with pytest.raises(error, match=message):
        training.fit(net, **arguments)


def test_error_along_a_line_is_error_at_the_moved_weights_and_restores_them():
    x, t = datasets.xor()
    net = Network([2, 3, 1], seed=2)
    before = [p.copy() for p in net.params]
    direction = training.random_direction(net, seed=5)
    assert training.vector_norm(direction) == pytest.approx(1.0)
    E = training.error_along(net, x, t, direction, [-1.0, 0.0, 2.0])
    moved = Network([2, 3, 1], seed=2)
    for p, d in zip(moved.params, direction):
        p += 2.0 * d
    assert E[2] == pytest.approx(moved.error(x, t)) and E[1] == pytest.approx(net.error(x, t))
    for p, q in zip(net.params, before):
        np.testing.assert_array_equal(p, q)
    with pytest.raises(ValueError, match="one array per parameter"):
        training.error_along(net, x, t, direction[:-1], [0.0])


def test_the_local_paraboloid_fits_near_and_not_far():
    """The lesson's claim: the second-order Taylor polynomial matches E close to the weights, not far away."""
    x, t = datasets.xor()
    net = Network([2, 2, 1], seed=0)
    for _ in range(2000):
        net.train_step(x, t, 4.0)
    direction, h = training.random_direction(net, seed=1), 1e-3
    E_minus, E_0, E_plus = training.error_along(net, x, t, direction, [-h, 0.0, h])
    slope, curvature = (E_plus - E_minus) / (2 * h), (E_plus - 2 * E_0 + E_minus) / h ** 2
    for s, close in ((0.2, True), (8.0, False)):
        E = training.error_along(net, x, t, direction, [s])[0]
        parabola = E_0 + slope * s + 0.5 * curvature * s ** 2
        assert (abs(E - parabola) < 0.01 * abs(E)) == close
