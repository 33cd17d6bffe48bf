"""bp_course.checks.lesson11: the heavy ball, its best settings, RMSProp, Adam's bias correction, Adam, and eta on the digits."""

import re

import numpy as np
import pytest

from bp_course import linear_neuron
from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson11 as check


def _hint(text):
    return "Hint: .*" + re.escape(text)


# -- right answers pass --------------------------------------------------------------

def _heavy_ball(w0, x, t, eta, beta, steps):
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path = [w]
    for _ in range(steps):
        v = beta * v - eta * linear_neuron.gradient(w, x, t)
        w = w + v
        path.append(w)
    return np.array(path)


def _pytorch_momentum(w0, x, t, eta, beta, steps):
    """PyTorch's documented form, b <- mu b + g, w <- w - lr b: the same path for a constant learning rate."""
    w = np.array(w0, dtype=float)
    b = np.zeros_like(w)
    path = [w]
    for _ in range(steps):
        b = beta * b + linear_neuron.gradient(w, x, t)
        w = w - eta * b
        path.append(w)
    return np.array(path)


def _rmsprop(w, g, s, eta, rho, eps):
    s = rho * s + (1 - rho) * g ** 2
    return w - eta * g / (np.sqrt(s) + eps), s


def _adam(w0, gradients, eta, beta1, beta2, eps):
    w = np.array(w0, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    path = [w]
    for step, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        w = w - eta * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps)
        path.append(w)
    return np.array(path)


RIGHT_ETA = {"sgd": 1.0, "momentum": 0.3, "adam": 0.01}


def test_correct_answers_pass(capsys):
    check.heavy_ball(_heavy_ball)
    check.heavy_ball(_pytorch_momentum)
    check.best_heavy_ball(1.6, 0.2)
    check.rmsprop_step(_rmsprop)
    check.first_step_ratio(0.1 / np.sqrt(0.001))
    check.adam(_adam)
    check.best_eta(dict(RIGHT_ETA))
    assert capsys.readouterr().out.count("✔ Exercise") == 7


def test_the_lessons_sweep_has_the_values_the_lesson_states():
    result = check.comparison()
    assert {name: result.best(name) for name in result.names} == RIGHT_ETA
    assert result.val_accuracy["adam"][1] == result.val_accuracy["adam"][2]   # the tie the lesson mentions


# -- 11.1 -----------------------------------------------------------------------------

def _carry_less(w0, x, t, eta, beta, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        v = np.zeros_like(w)
        v = beta * v - eta * linear_neuron.gradient(w, x, t)
        w = w + v
        path.append(w)
    return np.array(path)


def _w_first(w0, x, t, eta, beta, steps):
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path = [w]
    for _ in range(steps):
        g = linear_neuron.gradient(w, x, t)
        w = w + v
        v = beta * v - eta * g
        path.append(w)
    return np.array(path)


def _w_then_v(w0, x, t, eta, beta, steps):
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path = [w]
    for _ in range(steps):
        w = w + v
        v = beta * v - eta * linear_neuron.gradient(w, x, t)
        path.append(w)
    return np.array(path)


def _in_place(w0, x, t, eta, beta, steps):
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path = [w]
    for _ in range(steps):
        v = beta * v - eta * linear_neuron.gradient(w, x, t)
        w += v
        path.append(w)
    return np.array(path)


@pytest.mark.parametrize("wrong,hint", [
    (lambda w0, x, t, eta, beta, steps: _heavy_ball(w0, x, t, -eta, beta, steps), "the velocity points uphill"),
    (_w_first, "w moved with the old velocity before v was updated"),
    (_w_then_v, "the update order is swapped, so your first step goes nowhere"),
    (_carry_less, "the velocity is not carried from step to step"),
    (lambda w0, x, t, eta, beta, steps: _heavy_ball(w0, x, t, (1 - beta) * eta, beta, steps),
     "that is a running average of the gradients"),
    (lambda *a: _heavy_ball(*a)[1:], "the path lacks its first row"),
    (_in_place, "every row of your path is the final weight vector"),
])
def test_heavy_ball_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.heavy_ball(wrong)


def test_heavy_ball_stub_and_errors():
    with pytest.raises(NotAttempted):
        check.heavy_ball(...)
    with pytest.raises(CheckFailed, match="returned None"):
        check.heavy_ball(lambda *a: None)


# -- 11.2 -----------------------------------------------------------------------------

LAM_MIN, LAM_MAX = np.linalg.eigvalsh(linear_neuron.hessian(np.array([[1.0, 1.0], [1.0, 0.0]])))
KAPPA = LAM_MAX / LAM_MIN
RATE = (np.sqrt(KAPPA) - 1) / (np.sqrt(KAPPA) + 1)


@pytest.mark.parametrize("eta,beta,hint", [
    (2 / (LAM_MIN + LAM_MAX), 0.2, "that is plain descent's best eta"),
    (4 / (LAM_MIN + LAM_MAX), 0.2, "the square roots are missing"),
    (0.8, 0.2, "did you take the Hessian of the sum"),
    (1.6, RATE, "that is sqrt(beta), the rate"),
    (1.6, ((KAPPA - 1) / (KAPPA + 1)) ** 2, "the heavy ball's formula has sqrt(kappa)"),
    (1.6, (KAPPA - 1) / (KAPPA + 1), "that is plain descent's rate"),
])
def test_best_heavy_ball_mistakes_get_their_hint(eta, beta, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.best_heavy_ball(eta, beta)


def test_best_heavy_ball_swapped_and_stub():
    with pytest.raises(CheckFailed, match="swapped"):
        check.best_heavy_ball(0.2, 1.6)
    with pytest.raises(NotAttempted):
        check.best_heavy_ball(..., 0.2)
    with pytest.raises(CheckFailed, match="eta_hb"):
        check.best_heavy_ball("1.6", 0.2)


def test_the_optimum_really_is_the_fastest_heavy_ball():
    """Eq. 11.2: the predicted rate sqrt(beta) is the spectral radius, and nearby settings are slower."""
    def radius(eta, beta):
        rates = []
        for lam in (LAM_MIN, LAM_MAX):
            rates.append(max(abs(np.roots([1, -(1 + beta - eta * lam), beta]))))
        return max(rates)
    eta, beta = check.optimal_heavy_ball(LAM_MIN, LAM_MAX)
    assert radius(eta, beta) == pytest.approx(RATE, rel=1e-6)
    for d_eta, d_beta in ((0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)):
        assert radius(eta + d_eta, beta + d_beta) > RATE


# -- 11.3 -----------------------------------------------------------------------------

@pytest.mark.parametrize("wrong,hint", [
    (lambda w, g, s, eta, rho, eps: (w - eta * g / ((rho * s + (1 - rho) * g ** 2) + eps),
                                     rho * s + (1 - rho) * g ** 2), "the square root is missing"),
    (lambda w, g, s, eta, rho, eps: (w - eta * g / np.sqrt(rho * s + (1 - rho) * g ** 2 + eps),
                                     rho * s + (1 - rho) * g ** 2), "eps is inside the square root"),
    (lambda w, g, s, eta, rho, eps: (w - eta * g / (np.sqrt(rho * s + (1 - rho) * g) + eps),
                                     rho * s + (1 - rho) * g), "it must average their squares"),
    (lambda w, g, s, eta, rho, eps: (w - eta * g / (np.sqrt(s + g ** 2) + eps), s + g ** 2), "AdaGrad's sum"),
    (lambda w, g, s, eta, rho, eps: (w - eta * g / (np.sqrt((1 - rho) * s + rho * g ** 2) + eps),
                                     (1 - rho) * s + rho * g ** 2), "rho and 1 - rho are swapped"),
    (lambda w, g, s, eta, rho, eps: (w - eta * g / (np.sqrt(s) + eps), rho * s + (1 - rho) * g ** 2),
     "the step used the old s"),
    (lambda w, g, s, eta, rho, eps: (w - eta * g * (np.sqrt(rho * s + (1 - rho) * g ** 2) + eps),
                                     rho * s + (1 - rho) * g ** 2), "the step multiplies by sqrt(s)"),
])
def test_rmsprop_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.rmsprop_step(wrong)


@pytest.mark.parametrize("wrong,hint", [
    (lambda w, g, s, eta, rho, eps: (w - eta * g / np.sqrt(rho * s + (1 - rho) * g ** 2),
                                     rho * s + (1 - rho) * g ** 2), "eps is left out"),
    (lambda w, g, s, eta, rho, eps: _rmsprop(w, g, s, eta, rho, eps)[::-1], "the pair is swapped"),
])
def test_rmsprop_eps_left_out_and_swapped_pair_get_their_hint(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.rmsprop_step(wrong)


def _rmsprop_in_place(w, g, s, eta, rho, eps):
    s *= rho
    s += (1 - rho) * g ** 2
    w -= eta * g / (np.sqrt(s) + eps)
    return w, s


def _heavy_ball_in_place(w0, x, t, eta, beta, steps):
    w = np.asarray(w0)
    v = np.zeros_like(w)
    path = [w.copy()]
    for _ in range(steps):
        v = beta * v - eta * linear_neuron.gradient(w, x, t)
        w += v
        path.append(w.copy())
    return np.array(path)


@pytest.mark.parametrize("check_fn,wrong", [(check.heavy_ball, _heavy_ball_in_place),
                                           (check.rmsprop_step, _rmsprop_in_place)])
def test_answers_that_change_their_arguments_in_place_are_refused(check_fn, wrong):
    """Lesson 11's later cells reuse w0: an answer that changes it in place breaks them (w0 becomes (1, -1))."""
    with pytest.raises(CheckFailed, match="in place"):
        check_fn(wrong)


def test_rmsprop_refuses_a_result_that_is_not_the_pair():
    with pytest.raises(CheckFailed, match=re.escape("should return the tuple (w_new, s_new)")):
        check.rmsprop_step(lambda w, g, s, eta, rho, eps: _rmsprop(w, g, s, eta, rho, eps)[0])
    with pytest.raises(CheckFailed, match="s_new should have shape"):
        check.rmsprop_step(lambda w, g, s, eta, rho, eps: (_rmsprop(w, g, s, eta, rho, eps)[0], 0.0))


# -- 11.4 -----------------------------------------------------------------------------

@pytest.mark.parametrize("ratio,hint", [
    (0.1, "that is the bias of m alone"),
    (1 / np.sqrt(0.001), "that is the bias of sqrt(v) alone"),
    (100.0, "the square root is missing"),
    (np.sqrt(0.001) / 0.1, "that is upside down"),
    (1.0, "the question is how large the step is *without* the correction"),
    (0.9 / np.sqrt(0.999), "the new gradient gets the small weight 1 - beta1"),
    (0.001 * 0.1 / np.sqrt(0.001), "eta cancels"),
])
def test_first_step_ratio_mistakes_get_their_hint(ratio, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.first_step_ratio(ratio)


def test_first_step_ratio_accepts_three_digits_and_refuses_stubs():
    check.first_step_ratio(3.162)
    with pytest.raises(NotAttempted):
        check.first_step_ratio(...)
    with pytest.raises(CheckFailed, match="should be a number"):
        check.first_step_ratio("3.16")


# -- 11.5 -----------------------------------------------------------------------------

def _adam_variant(*, correct=(True, True), start=1, eps_inside=False, root=True, square=True):
    def fn(w0, gradients, eta, beta1, beta2, eps):
        w = np.array(w0, dtype=float)
        m, v = np.zeros_like(w), np.zeros_like(w)
        path = [w]
        for step, g in enumerate(gradients, start=start):
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * (g ** 2 if square else g)
            m_hat = m / (1 - beta1 ** step) if correct[0] else m
            v_hat = v / (1 - beta2 ** step) if correct[1] else v
            denominator = np.sqrt(v_hat + eps) if eps_inside else (np.sqrt(v_hat) if root else v_hat) + eps
            w = w - eta * m_hat / denominator
            path.append(w)
        return np.array(path)
    return fn


@pytest.mark.parametrize("wrong,hint", [
    (_adam_variant(correct=(False, False)), "no bias correction"),
    (_adam_variant(start=0), "1 - beta^0 = 0: t counts the steps from 1"),
    (_adam_variant(start=2), "the correction uses beta^(t + 1)"),
    (_adam_variant(correct=(True, False)), "only m is bias-corrected"),
    (_adam_variant(correct=(False, True)), "only v is bias-corrected"),
    (_adam_variant(eps_inside=True), "eps is inside the square root"),
    (_adam_variant(root=False), "the square root is missing"),
    (_adam_variant(square=False), "it must average their squares, g**2"),
    (lambda w0, gradients, eta, *rest: _adam(w0, gradients, -eta, *rest), "the weights move uphill"),
])
def test_adam_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.adam(wrong)


def _adam_correcting_the_state(w0, gradients, eta, beta1, beta2, eps):
    w = np.array(w0, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    path = [w]
    for step, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        m /= 1 - beta1 ** step
        v /= 1 - beta2 ** step
        w = w - eta * m / (np.sqrt(v) + eps)
        path.append(w)
    return np.array(path)


def _adam_frozen_t(w0, gradients, eta, beta1, beta2, eps):
    w = np.array(w0, dtype=float)
    m, v, step = np.zeros_like(w), np.zeros_like(w), 1
    path = [w]
    for g in gradients:
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        w = w - eta * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps)
        path.append(w)
    return np.array(path)


def _adam_appending_then_changing(w0, gradients, eta, beta1, beta2, eps):
    w = np.array(w0, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    path = [w]
    for step, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        w -= eta * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps)
        path.append(w)
    return np.array(path)


def _adam_efficient_form(w0, gradients, eta, beta1, beta2, eps):
    w = np.array(w0, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    path = [w]
    for step, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        alpha = eta * np.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        w = w - alpha * m / (np.sqrt(v) + eps)
        path.append(w)
    return np.array(path)


@pytest.mark.parametrize("wrong,hint", [
    (_adam_correcting_the_state, "the running means themselves were bias-corrected"),
    (_adam_frozen_t, "t stays 1"),
    (_adam_appending_then_changing, "every row of your path is the final weight vector"),
    (_adam_efficient_form, "eps is added to sqrt(v_hat)"),
])
def test_adam_state_step_count_aliasing_and_efficient_form_get_their_hint(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.adam(wrong)


def test_adam_names_no_bias_correction_at_the_first_step():
    """The issue's wording: without the correction the check says "no bias correction"."""
    with pytest.raises(CheckFailed, match=r"(?s)expected the path.*Hint: no bias correction"):
        check.adam(_adam_variant(correct=(False, False)))


def test_adam_wrong_shape_stub_and_unknown_mistake():
    with pytest.raises(CheckFailed, match="the start w0 and one row per gradient"):
        check.adam(lambda *a: _adam(*a)[1:])
    with pytest.raises(NotAttempted):
        check.adam(...)
    with pytest.raises(CheckFailed, match="expected the path") as failure:
        check.adam(lambda *a: _adam(*a) * 1.5)
    assert "Hint" not in str(failure.value)


# -- 11.6 -----------------------------------------------------------------------------

@pytest.mark.parametrize("choice,message", [
    ({**RIGHT_ETA, "sgd": 0.3}, "sgd: eta = 0.3 reaches 0.913 on the validation set; a larger one reaches more"),
    ({**RIGHT_ETA, "momentum": 1.0}, "momentum: eta = 1 reaches 0.281 on the validation set; a smaller one"),
    ({**RIGHT_ETA, "adam": 0.1}, "adam: eta = 0.1 reaches 0.875"),
])
def test_best_eta_points_the_way_without_giving_the_answer(choice, message):
    with pytest.raises(CheckFailed, match=re.escape(message)):
        check.best_eta(choice)


def test_best_eta_at_a_tie_wants_the_smallest_eta():
    """Adam ties at 0.01 and 0.03 on validation; only 0.01 keeps the lesson's 'within one point on test' true."""
    result = check.comparison()
    assert result.val_accuracy["adam"][1] == result.val_accuracy["adam"][2]
    assert result.best("adam") == 0.01
    with pytest.raises(CheckFailed, match=re.escape("adam: eta = 0.03 ties for the best validation accuracy")) as e:
        check.best_eta({**RIGHT_ETA, "adam": 0.03})
    assert "choose the smallest eta among the ties" in str(e.value)
    chosen = [result.test_accuracy[name][result.etas.index(RIGHT_ETA[name])] for name in result.names]
    assert max(chosen) - min(chosen) < 0.01   # final-read: "within one percentage point on the test set"


def test_best_eta_names_a_choice_made_on_the_test_set():
    result = check.comparison()
    by_test = {name: result.etas[int(np.argmax(result.test_accuracy[name]))] for name in result.names}
    assert by_test != RIGHT_ETA   # on these data the test set would choose differently
    with pytest.raises(CheckFailed, match="the test set must not choose anything"):
        check.best_eta(by_test)


@pytest.mark.parametrize("choice,message", [
    ({"sgd": 1.0}, "missing: 'momentum', 'adam'"),
    ({**RIGHT_ETA, "rmsprop": 0.01}, "unknown: 'rmsprop'"),
    ({**RIGHT_ETA, "sgd": 0.5}, "is not one of the swept learning rates"),
    ({**RIGHT_ETA, "sgd": "1.0"}, "should be one of the swept learning rates"),
    ([1.0, 0.3, 0.01], "should be a dict"),
])
def test_best_eta_refuses_malformed_answers(choice, message):
    with pytest.raises(CheckFailed, match=re.escape(message)):
        check.best_eta(choice)


def test_best_eta_stub_is_not_attempted():
    with pytest.raises(NotAttempted):
        check.best_eta(...)
    with pytest.raises(NotAttempted):
        check.best_eta({"sgd": ..., "momentum": ..., "adam": ...})


# -- the notebook's text says what its figures and tables show -------------------------------

def _cells():
    import nbformat
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "solutions" / "11_better_descent.ipynb"
    return {cell.get("id"): cell for cell in nbformat.read(path, as_version=4).cells}


def test_adagrad_and_rmsprop_are_compared_at_the_same_eta_and_the_text_says_what_the_plot_shows():
    cells = _cells()
    code = cells["adaptive-bowl-code"].source
    assert "AdaGrad([w_ada], eta=eta)" in code and "RMSProp([w_rms], eta=eta" in code
    assert "Paths of AdaGrad and RMSProp" in code
    last = [line for line in cells["adaptive-bowl-code"].outputs[0]["text"].splitlines() if "step 60" in line][0]
    ada, rms = (float(part.split("distance")[1].split(";")[0].strip()) for part in last.split(";  "))
    assert ada < rms   # AdaGrad settles, RMSProp hovers at a scale of about eta
    read = cells["adaptive-read"].source
    assert "does no harm" in read and "hovers" in read and "non-convex" in read
    assert "weights keep moving" not in read


def test_lesson11_text_fixes():
    cells = _cells()
    assert "m$ times $-\\eta/(1 - \\beta_1)$" in cells["adam"].source
    assert "a velocity as in momentum" not in cells["adam"].source
    assert "in the code `t` stays the targets" in cells["momentum"].source
    assert "multiplies the\nrate per step by about" in cells["measured-read"].source
    assert "2(1 + \\beta)" in cells["explorer-text"].source
    assert "half a decade to a decade lower" in cells["sensitivity"].source
    assert "the smallest of the tied learning rates" in cells["sensitivity"].source



@pytest.mark.parametrize("answer,shown", [((1.0, 0.2), "eta_hb = 1 is not right yet"),
                                          ((1.6, 0.7), "beta_hb = 0.7 is not right yet")])
def test_best_heavy_ball_describes_a_wrong_value_without_giving_the_right_one(answer, shown):
    """Values are the answer itself: the message must not print the expected 1.6 or 0.2 (as 00.2's never shows 0.18)."""
    eta, beta = check.optimal_heavy_ball(*check._eigenvalues())
    with pytest.raises(CheckFailed) as info:
        check.best_heavy_ball(*answer)
    message = info.value.message
    assert shown in message and "expected" not in message
    assert f"{eta:.6g}" not in message.replace(f"{answer[0]:g}", "") or answer[0] == eta
    assert f"{beta:.6g}" not in message.replace(f"{answer[1]:g}", "") or answer[1] == beta


def test_first_step_ratio_describes_a_wrong_value_without_giving_the_right_one():
    with pytest.raises(CheckFailed) as info:
        check.first_step_ratio(2.0)
    assert "first_step_ratio = 2 is not right yet" in info.value.message
    assert "expected" not in info.value.message and "3.16" not in info.value.message
