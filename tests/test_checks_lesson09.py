"""bp_course.checks.lesson09: the training loop, the gradient's length, standardization, condition number, symmetry."""

import re

import numpy as np
import pytest

from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson09 as check


def _hint(text):
    return "Hint: .*" + re.escape(text)


# -- learner-style answers, right and wrong, written independently of the check's own mistakes ----------------------

def train_right(net, x, t, eta, epochs):
    errors = []
    for _ in range(epochs):
        grads = net.gradients(x, t)
        errors.append(grads.E)
        net.step(grads, eta)
    return errors


def train_late(net, x, t, eta, epochs):
    errors = []
    for _ in range(epochs):
        net.step(net.gradients(x, t), eta)
        errors.append(net.error(x, t))
    return errors


def train_no_step(net, x, t, eta, epochs):
    return [net.gradients(x, t).E for _ in range(epochs)]


def train_uphill(net, x, t, eta, epochs):
    errors = []
    for _ in range(epochs):
        grads = net.gradients(x, t)
        errors.append(grads.E)
        for p, g in zip(net.params, grads.as_list()):
            p += eta * g
    return errors


def train_stale(net, x, t, eta, epochs):
    grads, errors = net.gradients(x, t), []
    for _ in range(epochs):
        errors.append(net.error(x, t))
        net.step(grads, eta)
    return errors


def train_online(net, x, t, eta, epochs):
    errors = []
    for _ in range(epochs):
        errors.append(net.error(x, t))
        for p in range(len(x)):
            net.train_step(x[p:p + 1], t[p:p + 1], eta)
    return errors


def train_summed(net, x, t, eta, epochs):
    errors = []
    for _ in range(epochs):
        grads = net.gradients(x, t)
        errors.append(grads.E)
        net.step(grads, eta * len(x))
    return errors


def train_one_extra(net, x, t, eta, epochs):
    return train_right(net, x, t, eta, epochs) + [net.error(x, t)]


def norm_right(net, x, t):
    return np.sqrt(sum(np.sum(g ** 2) for g in net.gradients(x, t).as_list()))


def standardize_right(x_train, x_test):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0
    return (x_train - mean) / std, (x_test - mean) / std


def condition_right(x):
    lam = np.linalg.eigvalsh(x.T @ x / len(x))
    return lam[-1] / lam[0]


TRUTH = {"same_net": True, "same_delta": True, "same_update": True, "more_epochs": False, "larger_eta": False,
         "like_one": True, "zero_start": False, "random_biases": True}


def test_correct_answers_pass(capsys):
    check.train(train_right)
    check.gradient_norm(norm_right)
    check.standardize(standardize_right)
    check.condition_number(condition_right)
    check.symmetry(dict(TRUTH))
    assert capsys.readouterr().out.count("✔ Exercise") == 5


def test_a_numpy_array_of_errors_and_np_bool_verdicts_pass_too(capsys):
    check.train(lambda net, x, t, eta, epochs: np.array(train_right(net, x, t, eta, epochs)))
    check.symmetry({k: np.bool_(v) for k, v in TRUTH.items()})
    assert capsys.readouterr().out.count("✔") == 2


@pytest.mark.parametrize("exercise,wrong,hint", [
    ("train", train_late, "your errors are each one step late"),
    ("train", train_no_step, "the weights never change"),
    ("train", train_uphill, "the weights move uphill"),
    ("train", train_stale, "every step uses the gradient of the first epoch"),
    ("train", train_online, "one step per example (online descent)"),
    ("train", train_summed, "each step is n times too long"),
    ("gradient_norm", lambda net, x, t: np.sqrt(sum(np.sum(g ** 2) for g in net.gradients(x, t).dW)),
     "the biases are missing"),
    ("gradient_norm", lambda net, x, t: sum(np.sum(g ** 2) for g in net.gradients(x, t).as_list()),
     "that is the squared length"),
    ("gradient_norm", lambda net, x, t: sum(np.linalg.norm(g) for g in net.gradients(x, t).as_list()),
     "adds up the lengths of the separate arrays"),
    ("gradient_norm", lambda net, x, t: np.sqrt(np.sum(net.gradients(x, t).dW[-1] ** 2)
                                                + np.sum(net.gradients(x, t).db[-1] ** 2)),
     "only the last layer's gradients"),
    ("gradient_norm", lambda net, x, t: np.sqrt(np.mean(np.concatenate([g.ravel() for g in
                                                                         net.gradients(x, t).as_list()]) ** 2)),
     "a root mean square"),
    ("standardize", lambda a, b: (standardize_right(a, a)[0], standardize_right(b, b)[0]),
     "the test set was standardized with its own mean and std"),
    ("standardize", lambda a, b: (lambda m, s: ((a - m) / s, (b - m) / s))(
        np.vstack([a, b]).mean(axis=0), np.where(np.vstack([a, b]).std(axis=0) > 0, np.vstack([a, b]).std(axis=0), 1)),
     "leaks into training"),
    ("standardize", lambda a, b: ((a - a.mean()) / a.std(), (b - a.mean()) / a.std()),
     "one mean and one std for all features"),
    ("standardize", lambda a, b: (a - a.mean(axis=0), b - a.mean(axis=0)), "only centres the features"),
    ("standardize", lambda a, b: ((a - a.mean(axis=0)) / (a.std(axis=0) + 1e-8),
                                  (b - a.mean(axis=0)) / (a.std(axis=0) + 1e-8)), "a small epsilon"),
    ("condition_number", lambda x: np.linalg.cond(x), "that is np.linalg.cond(x)"),
    ("condition_number", lambda x: 1 / condition_right(x), "the ratio is upside down"),
    ("condition_number", lambda x: np.linalg.cond(np.cov(x.T)), "np.cov subtracts the mean first"),
    ("condition_number", lambda x: np.linalg.eigvalsh(x.T @ x / len(x))[-1], "that is lambda_max alone"),
])
def test_plausible_mistakes_get_their_hint(exercise, wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        getattr(check, exercise)(wrong)


def test_standardize_names_the_division_by_zero_of_a_constant_feature():
    def divide_by_zero(a, b):
        with np.errstate(all="ignore"):
            return (a - a.mean(axis=0)) / a.std(axis=0), (b - a.mean(axis=0)) / a.std(axis=0)
    with pytest.raises(CheckFailed, match=r"nan or inf\. Hint: a feature that is constant in the training set"):
        check.standardize(divide_by_zero)


def test_standardize_names_a_wrong_form_of_the_result():
    with pytest.raises(CheckFailed, match=r"two arrays \(z_train, z_test\)"):
        check.standardize(lambda a, b: standardize_right(a, b)[0])
    with pytest.raises(CheckFailed, match=r"z_test should have the shape of its inputs"):
        check.standardize(lambda a, b: (standardize_right(a, b)[0], standardize_right(a, b)[1].T))


def test_train_names_a_wrong_count_of_errors_and_a_returned_network():
    with pytest.raises(CheckFailed, match="return one per epoch"):
        check.train(train_one_extra)
    with pytest.raises(CheckFailed, match="train returned the network"):
        check.train(lambda net, x, t, eta, epochs: (train_right(net, x, t, eta, epochs), net)[1])


def test_gradient_norm_must_not_step():
    def stepping(net, x, t):
        grads = net.gradients(x, t)
        net.step(grads, 0.1)
        return norm_right(net, x, t)
    with pytest.raises(CheckFailed, match="changed the network's weights"):
        check.gradient_norm(stepping)


def test_symmetry_reports_each_wrong_statement_with_its_reason():
    wrong = dict(TRUTH, more_epochs=True, zero_start=True)
    with pytest.raises(CheckFailed, match=r"2 of 8 answers") as failure:
        check.symmetry(wrong)
    assert "'more_epochs'" in str(failure.value) and "from the second step on" in str(failure.value)
    with pytest.raises(CheckFailed, match="answer True or False"):
        check.symmetry(dict(TRUTH, same_net="yes"))
    with pytest.raises(NotAttempted):
        check.symmetry({k: ... for k in TRUTH})


def test_stubs_are_not_attempted():
    def stub(*args):
        raise NotImplementedError
    for name in ("train", "gradient_norm", "standardize", "condition_number"):
        with pytest.raises(NotAttempted):
            getattr(check, name)(stub)
