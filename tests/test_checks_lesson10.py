"""bp_course.checks.lesson10: Eq. 5's factor per layer, clipping by norm, dead ReLUs, Var(net), stored bytes."""

import re

import numpy as np
import pytest

from bp_course import clipping, diagnostics
from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson10 as check


def _hint(text):
    return "Hint: .*" + re.escape(text)


def _rms(a):
    return np.sqrt(np.mean(a ** 2))


def _clip(grads, c):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * c / norm for g in grads] if norm > c else [g.copy() for g in grads]


def test_correct_answers_pass(capsys):
    check.predicted_ratio(lambda scale, out: scale * _rms(out * (1 - out)))
    check.clip_by_norm(_clip)
    check.clip_by_norm(clipping.clip_by_norm)
    check.dead_fraction(lambda out: np.mean(np.all(out == 0, axis=0)))
    check.dead_fraction(lambda out: 1 - np.count_nonzero(out.max(axis=0)) / out.shape[1])
    check.net_variance(lambda n_in, var_w, var_o: n_in * var_w * var_o)
    check.activation_bytes(lambda sizes, batch, itemsize: batch * sum(sizes) * itemsize)
    check.activation_bytes(lambda sizes, batch, itemsize: float(batch * sum(sizes) * itemsize))
    assert capsys.readouterr().out.count("✔ Exercise") == 8


def _np_clip(grads, c):
    return [np.clip(g, -c, c) for g in grads]


def _always(grads, c):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * c / norm for g in grads]


def _divided(grads, c):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g / norm for g in grads] if norm > c else grads


def _each_own_norm(grads, c):
    return [g * c / np.linalg.norm(g) if np.linalg.norm(g) > c else g for g in grads]


@pytest.mark.parametrize("exercise,wrong,hint", [
    ("predicted_ratio", lambda scale, out: scale / 4, "that is the bound"),
    ("predicted_ratio", lambda scale, out: scale * np.mean(out * (1 - out)), "that is the mean slope"),
    ("predicted_ratio", lambda scale, out: scale * np.sqrt(np.mean(out * (1 - out))), "square the slopes"),
    ("predicted_ratio", lambda scale, out: _rms(out * (1 - out)), "the weights are missing"),
    ("predicted_ratio", lambda scale, out: scale, "the slopes are missing"),
    ("predicted_ratio", lambda scale, out: scale * _rms(out), "not out itself"),
    ("predicted_ratio", lambda scale, out: 1 / (scale * _rms(out * (1 - out))), "that is upside down"),
    ("clip_by_norm", _np_clip, "you clipped each entry instead of the norm"),
    ("clip_by_norm", _always, "you scaled when the norm is below the threshold"),
    ("clip_by_norm", _divided, "you divided by the norm without multiplying by the threshold"),
    ("clip_by_norm", _each_own_norm, "you clipped each array by its own norm"),
    ("dead_fraction", lambda out: np.mean(out == 0), "that is the share of zero entries"),
    ("dead_fraction", lambda out: np.mean(np.any(out > 0, axis=0)), "that is the share of live units"),
    ("dead_fraction", lambda out: np.mean(np.all(out == 0, axis=1)), "axis 1 runs over the units"),
    ("dead_fraction", lambda out: np.sum(np.all(out == 0, axis=0)), "that is the number of dead units"),
    ("dead_fraction", lambda out: 100 * np.mean(np.all(out == 0, axis=0)), "that is a percentage"),
    ("net_variance", lambda n_in, var_w, var_o: var_w * var_o, "that is the variance of one term"),
    ("net_variance", lambda n_in, var_w, var_o: n_in ** 2 * var_w * var_o, "n_in is squared"),
    ("net_variance", lambda n_in, var_w, var_o: np.sqrt(n_in) * var_w * var_o, "sqrt(n_in) is how the standard"),
    ("net_variance", lambda n_in, var_w, var_o: n_in * (var_w + var_o), "the variances multiply"),
    ("net_variance", lambda n_in, var_w, var_o: n_in * np.sqrt(var_w * var_o), "no square root"),
    ("activation_bytes", lambda sizes, batch, itemsize: batch * sum(sizes[1:]) * itemsize, "the input x is missing"),
    ("activation_bytes", lambda sizes, batch, itemsize: batch * sum(sizes[:-1]) * itemsize,
     "the output layer is missing"),
    ("activation_bytes", lambda sizes, batch, itemsize: sum(sizes) * itemsize, "that is one example"),
    ("activation_bytes", lambda sizes, batch, itemsize: batch * sum(sizes), "that counts numbers"),
    ("activation_bytes", lambda sizes, batch, itemsize: 8 * batch * sum(sizes) * itemsize, "that counts bits"),
    ("activation_bytes", lambda sizes, batch, itemsize: sum(a * b for a, b in zip(sizes, sizes[1:])) * itemsize,
     "that counts the weights"),
    ("activation_bytes", lambda sizes, batch, itemsize: batch * (sizes[0] + 2 * sum(sizes[1:])) * itemsize,
     "that keeps net and out"),
])
def test_plausible_mistakes_get_their_hint(exercise, wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        getattr(check, exercise)(wrong)


def test_the_three_named_clipping_mistakes_are_told_apart_from_the_right_answer():
    """Each named mistake differs from clip_by_norm on some case, and matches its own hint only."""
    hints = {_np_clip: "clipped each entry", _always: "scaled when the norm is below", _divided: "divided by the norm"}
    for wrong, hint in hints.items():
        with pytest.raises(CheckFailed) as failure:
            check.clip_by_norm(wrong)
        message = str(failure.value)
        assert hint in message and sum(h in message for h in hints.values()) == 1


def test_wrong_shapes_and_types_are_named():
    with pytest.raises(CheckFailed, match="should return a list of arrays shaped like grads"):
        check.clip_by_norm(lambda grads, c: clipping.global_norm(grads))
    with pytest.raises(CheckFailed, match=r"should have shape \(\)"):
        check.predicted_ratio(lambda scale, out: scale * out * (1 - out))
    with pytest.raises(CheckFailed, match="not a whole number of bytes"):
        check.activation_bytes(lambda sizes, batch, itemsize: batch * sum(sizes) * itemsize + 0.5)


def test_stubs_are_not_attempted():
    def stub(*args):
        raise NotImplementedError("write this")
    for name in ("predicted_ratio", "clip_by_norm", "dead_fraction", "net_variance", "activation_bytes"):
        with pytest.raises(NotAttempted):
            getattr(check, name)(stub)
        with pytest.raises(NotAttempted):
            getattr(check, name)(...)


def test_the_prediction_matches_a_measured_deep_network():
    """The quantity 10.1 asks for predicts the measured ratio of a logistic network to within 15 %."""
    rng = np.random.default_rng(3)
    net = diagnostics.deep_network(10, 30, "logistic", scale=1.0, seed=3)
    x, t = rng.normal(size=(200, 30)), rng.uniform(size=(200, 30))
    forward = net.forward(x)
    measured = diagnostics.layer_profile(net, x, t).ratios
    predicted = np.array([check._predicted_ratio(1.0, o) for o in forward.out[1:-1]])
    assert np.all(np.abs(measured / predicted - 1) < 0.15), (measured, predicted)


def test_clip_by_norm_that_changes_the_callers_gradients_is_named():
    def clip(grads, threshold):
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
        if norm > threshold:
            for g in grads:
                g *= threshold / norm
        return grads
    with pytest.raises(CheckFailed, match=r"changes the caller's gradients.*\n" + _hint("return new arrays")):
        check.clip_by_norm(clip)


def test_clip_by_norm_that_replaces_the_callers_list_entries_is_named():
    def clip(grads, threshold):
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
        for i, g in enumerate(grads):
            grads[i] = g * min(1.0, threshold / norm)
        return grads
    with pytest.raises(CheckFailed, match="changes the caller's gradients"):
        check.clip_by_norm(clip)
