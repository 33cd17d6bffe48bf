"""bp_course.checks.lesson09: the training loop, the gradient's length, plateau or trap, standardization,
condition number, symmetry."""

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


def standardize_divide_by_zero(a, b):
    with np.errstate(all="ignore"):
        return (a - a.mean(axis=0)) / a.std(axis=0), (b - a.mean(axis=0)) / a.std(axis=0)


def condition_right(x):
    lam = np.linalg.eigvalsh(x.T @ x / len(x))
    return lam[-1] / lam[0]


TRUTH = {"same_net": True, "same_delta": True, "same_update": True, "more_epochs": False, "larger_eta": False,
         "like_one": True, "zero_start": True, "random_biases": True}
KINDS = {6: "trap", 29: "plateau", 50: "trap", 77: "plateau"}


def test_correct_answers_pass(capsys):
    check.train(train_right)
    check.gradient_norm(norm_right)
    check.standardize(standardize_right)
    check.condition_number(condition_right)
    check.symmetry(dict(TRUTH))
    check.stuck_kind(dict(KINDS))
    assert capsys.readouterr().out.count("✔ Exercise") == 6


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
    ("condition_number", lambda x: np.linalg.cond(np.cov(x.T)), "or np.cov, which centres them"),
    ("condition_number", lambda x: (lambda c: (lambda lam: lam[-1] / lam[0])(np.linalg.eigvalsh(c.T @ c / len(c))))(
        x - x.mean(0)), "the inputs were centred first (x - x.mean(axis=0)"),
    ("condition_number", lambda x: (lambda lam: lam[-1] / lam[0])(np.linalg.eigvalsh(x @ x.T / len(x))),
     "that is x @ x.T / n, the n x n matrix"),
    ("train", lambda net, x, t, eta, epochs: [(lambda g: (net.step(g, eta / len(x)), g.E)[1])(net.gradients(x, t))
                                              for _ in range(epochs)], "each step is n times too short"),
    ("train", lambda net, x, t, eta, epochs: [(lambda g: (net.step(g, eta), g.E * len(x))[1])(net.gradients(x, t))
                                              for _ in range(epochs)], "your errors are n times too large"),
    ("standardize", lambda a, b: ((a - a.mean(0)) / np.where(a.std(0, ddof=1) > 0, a.std(0, ddof=1), 1),
                                  (b - a.mean(0)) / np.where(a.std(0, ddof=1) > 0, a.std(0, ddof=1), 1)),
     "sample standard deviation (ddof=1"),
    ("standardize", lambda a, b: ((a - a.mean(0)) / np.where(a.var(0) > 0, a.var(0), 1),
                                  (b - a.mean(0)) / np.where(a.var(0) > 0, a.var(0), 1)), "divides by the variance"),
    ("standardize", lambda a, b: tuple(np.nan_to_num(z) for z in standardize_divide_by_zero(a, b)),
     "np.nan_to_num hides the division by 0"),
    ("standardize", lambda a, b: (standardize_right(a, b)[0],
                                  np.where(a.std(0) == 0, 0.0, standardize_right(a, b)[1])),
     "a pixel constant in training was set to 0 in the test set"),
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


def test_symmetry_reports_how_many_are_wrong_and_one_hint_only():
    wrong = {k: True for k in TRUTH}  # all True: two of them are wrong
    with pytest.raises(CheckFailed, match=r"2 of 8 answers are not right yet\. The first: statement 'more_epochs'") \
            as failure:
        check.symmetry(wrong)
    assert "larger_eta" not in str(failure.value) and str(failure.value).count("Hint:") == 1
    with pytest.raises(CheckFailed, match="answer True or False"):
        check.symmetry(dict(TRUTH, same_net="yes"))
    with pytest.raises(NotAttempted):
        check.symmetry({k: ... for k in TRUTH})


def test_zero_start_is_true_on_xor_as_the_learners_train_shows():
    from bp_course import datasets
    from bp_course.network import Network
    x, t = datasets.xor()
    net = Network([2, 3, 1], "logistic")
    net.W, net.b = [np.zeros((2, 3)), np.zeros((3, 1))], [np.zeros(3), np.zeros(1)]
    errors = train_right(net, x, t, 4.0, 200)
    assert all(not p.any() for p in net.params) and errors[-1] == 0.125
    with pytest.raises(CheckFailed, match=r"'zero_start', not False\. Hint: with every weight and bias 0, y = 1/2"):
        check.symmetry(dict(TRUTH, zero_start=False))


def test_stuck_kind_names_the_evidence_for_one_wrong_label():
    with pytest.raises(CheckFailed, match=r"1 of 4 labels .* seed 6, not 'plateau'\. Hint: .*gradient keeps "
                                          r"shrinking .*weights keep growing"):
        check.stuck_kind({**KINDS, 6: "plateau"})
    with pytest.raises(CheckFailed, match=r"2 of 4 labels .* seed 29, not 'trap'\. Hint: .*grows to 7\.2e-4"):
        check.stuck_kind({6: "trap", 29: "trap", 50: "trap", 77: "trap"})
    with pytest.raises(CheckFailed, match=r"seed 77, not 'trap'\. Hint: .*escaped"):
        check.stuck_kind({**KINDS, 77: "trap"})
    with pytest.raises(CheckFailed, match='answer "plateau" or "trap"'):
        check.stuck_kind({**KINDS, 6: "minimum"})
    with pytest.raises(NotAttempted):
        check.stuck_kind({k: ... for k in KINDS})


def test_train_messages_show_the_learners_call_and_label_errors_and_weights():
    def no_return(net, x, t, eta, epochs):
        train_right(net, x, t, eta, epochs)
    with pytest.raises(CheckFailed, match=r"train returned None: did you forget the `return`\?"):
        check.train(no_return)
    with pytest.raises(CheckFailed, match=r"train returned a dict, expected a list of errors"):
        check.train(lambda net, x, t, eta, epochs: {"E": train_right(net, x, t, eta, epochs)})
    with pytest.raises(CheckFailed) as failure:
        check.train(train_late)
    message = str(failure.value)
    assert message.startswith("Exercise 09.1: train(net=Network([2, 2, 1]), x=array of shape (4, 2)")
    assert "\nerrors (shape" in message and "\nfinal weights (shape" not in message  # late errors, right weights
    with pytest.raises(CheckFailed) as failure:
        check.train(train_stale)
    assert "\nerrors (shape" in str(failure.value) and "\nfinal weights (shape" in str(failure.value)
    with pytest.raises(CheckFailed, match=r"gradient_norm\(net=Network\(\[2, 2, 1\]\)"):
        check.gradient_norm(lambda net, x, t: 2 * norm_right(net, x, t))
    with pytest.raises(CheckFailed, match=r"gradient_norm returned None: did you forget"):
        check.gradient_norm(lambda net, x, t: None)
    with pytest.raises(CheckFailed, match=r"gradient_norm returned a list of shape \(4,\), expected one number"):
        check.gradient_norm(lambda net, x, t: [np.linalg.norm(g) for g in net.gradients(x, t).as_list()])


def test_standardize_messages_are_short_and_labelled():
    with pytest.raises(CheckFailed) as failure:
        check.standardize(lambda a, b: (standardize_right(a, a)[0], standardize_right(b, b)[0]))
    message = str(failure.value)
    assert "x_train=array of shape (8, 3), x_test=array of shape (4, 3)" in message
    assert "z_test (shape (4, 3)) differs in" in message and "z_train" not in message.split("\n")[1]
    assert len(message) < 800, len(message)


def test_standardize_rejects_a_change_in_place_of_its_inputs():
    def in_place(x_train, x_test):
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        std[std == 0] = 1.0
        x_train -= mean
        x_train /= std
        x_test -= mean
        x_test /= std
        return x_train, x_test
    with pytest.raises(CheckFailed, match=r"changed its input x_train in place"):
        check.standardize(in_place)
    spec = check.HIDDEN["09.4"]
    for seed in range(5):
        cases = spec.cases(np.random.default_rng(seed))
        assert not spec.judge(spec.results(in_place, cases), cases, seed).ok


def test_standardize_hints_do_not_hand_over_the_model_line():
    with pytest.raises(CheckFailed) as failure:
        check.standardize(standardize_divide_by_zero)
    assert "np.where" not in str(failure.value)
    with pytest.raises(CheckFailed) as failure:
        check.standardize(lambda a, b: ((a - a.mean(0)) / (a.std(0) + 1e-8), (b - a.mean(0)) / (a.std(0) + 1e-8)))
    assert "np.where" not in str(failure.value)


@pytest.mark.parametrize("seed", range(8))
def test_hidden_standardize_passes_every_right_zero_handling_and_fails_none(seed):
    spec = check.HIDDEN["09.4"]
    cases = spec.cases(np.random.default_rng(seed))
    assert all(np.ptp(x_train, axis=0).min() == 0 and x_train.std(axis=0).min() == 0 for x_train, _ in cases)

    def tolerant(a, b):
        mean, std = a.mean(axis=0), a.std(axis=0)
        std = np.where(std > 1e-8, std, 1.0)
        return (a - mean) / std, (b - mean) / std

    for right in (standardize_right, tolerant):
        assert spec.judge(spec.results(right, cases), cases, seed).ok
    assert spec.judge(spec.results(standardize_divide_by_zero, cases), cases, seed).passed == 0


def test_stubs_are_not_attempted():
    def stub(*args):
        raise NotImplementedError
    for name in ("train", "gradient_norm", "standardize", "condition_number"):
        with pytest.raises(NotAttempted):
            getattr(check, name)(stub)
