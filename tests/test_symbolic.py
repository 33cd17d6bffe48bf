"""bp_course.symbolic: equivalent forms pass, each classic mistake is named, bad input is refused cleanly."""

import numpy as np
import sympy as sp
import pytest

from bp_course import symbolic
from bp_course.symbolic import SymbolicInputError, check_derivative

LOGISTIC = symbolic.logistic_derivative()
NEURON = symbolic.single_neuron()
z = sp.Symbol("z")  # a learner's own symbol: no assumptions, matched by name


@pytest.mark.parametrize("answer", [
    "phi * (1 - phi)",
    "exp(-z) / (1 + exp(-z))^2",
    "exp(z) / (1 + exp(z))**2",
    "phi - phi**2",
    sp.exp(-z) / (1 + sp.exp(-z)) ** 2,
    1 / (4 * sp.cosh(z / 2) ** 2),
])
def test_equivalent_forms_of_the_logistic_derivative_pass(answer):
    verdict = check_derivative(answer, LOGISTIC)
    assert verdict.correct and verdict.mistake is None
    assert "dphi/dz is right" in verdict.message


def test_proof_is_reported_when_sympy_finds_it():
    assert check_derivative("phi * (1 - phi)", LOGISTIC).proved


@pytest.mark.parametrize("answer,mistake,words", [
    ("phi * (1 + phi)", "phi (1 + phi)", "wrong sign inside"),
    ("exp(-z) / (1 + exp(-z))", "unsquared denominator", "must be squared"),
    ("-exp(-z) / (1 + exp(-z))^2", "sign", "inner derivative of e^-z"),
    ("2 * phi * (1 - phi)", "factor 2", "twice the correct value"),
])
def test_logistic_mistakes_are_named(answer, mistake, words):
    verdict = check_derivative(answer, LOGISTIC)
    assert not verdict.correct and verdict.mistake == mistake
    assert words in verdict.message


@pytest.mark.parametrize("key,answer", [
    ("dE/dy", "y - t"),
    ("dy/dnet", "y * (1 - y)"),
    ("dy/dnet", "exp(-net) / (1 + exp(-net))**2"),
    ("dnet/dw1", "x1"),
    ("dE/dw1", "(y - t) * y * (1 - y) * x1"),
    ("dE/dw1", "-(t - y) * y * (1 - y) * x1"),
    ("dE/dw1", "(1/(1 + exp(-w1*x1 - w2*x2)) - t) * exp(-net) / (1 + exp(-net))^2 * x1"),
])
def test_chain_rule_factors_and_product_pass(key, answer):
    assert check_derivative(answer, NEURON[key]).correct


@pytest.mark.parametrize("answer,mistake,words", [
    ("(t - y) * y * (1 - y) * x1", "sign", "not t - y"),
    ("2 * (y - t) * y * (1 - y) * x1", "factor 2", "cancels the 1/2 of E"),
    ("(y - t) * y * (1 - y)", "missing x1 (dnet/dw1, Eq. 2)", "x1 (dnet/dw1, Eq. 2) is missing"),
    ("(y - t) * x1", "missing y (1 - y) (dy/dnet, Eq. 3)", "y (1 - y) (dy/dnet, Eq. 3) is missing"),
    ("(y - t) * (y * (1 - y))**2 * x1", "repeated y (1 - y) (dy/dnet, Eq. 3)", "applied twice"),
    ("(y - t) * y * (1 - y) * x2", "wrt w2", "with respect to w2"),
    ("(y - t) * y * (1 - y) * w1", "wrt x1", "with respect to x1"),
    ("(y - t) * exp(-y) / (1 + exp(-y))**2 * x1", "phi'(out)", "evaluated at the output y"),
    ("y * (1 - y) * x1", "missing y - t (dE/dy, Eq. 4)", "y - t (dE/dy, Eq. 4) is missing"),
])
def test_chain_rule_mistakes_are_named(answer, mistake, words):
    verdict = check_derivative(answer, NEURON["dE/dw1"])
    assert not verdict.correct
    assert verdict.mistake == mistake, verdict.message
    assert words in verdict.message


def test_factor_mistakes():
    assert check_derivative("t - y", NEURON["dE/dy"]).mistake == "sign"
    assert check_derivative("2*(y - t)", NEURON["dE/dy"]).mistake == "factor 2"
    assert "phi'(y)" in check_derivative("exp(-y)/(1 + exp(-y))^2", NEURON["dy/dnet"]).message
    assert "rate of its input" in check_derivative("w1", NEURON["dnet/dw1"]).message
    assert check_derivative("x2", NEURON["dnet/dw1"]).mistake == "wrt w2"


def test_unrecognised_wrong_answer_gives_a_numeric_counterexample():
    verdict = check_derivative("z**3", LOGISTIC)
    assert not verdict.correct and verdict.mistake is None
    assert "your formula gives" in verdict.message and "but the derivative is" in verdict.message


def test_numbers_decide_where_symbolic_simplification_alone_could_not():
    """abs(z) equals sqrt(z**2) for real z; the verdict never rests on simplify alone."""
    q = symbolic.Derivative(title="d|z|/dz", of=sp.sqrt(symbolic.symbols("z")[0] ** 2), wrt="z", variables=("z",),
                            definitions={}, numeric=lambda z: abs(z), domain={"z": (0.5, 2.0)},
                            functions=("sqrt",))
    assert check_derivative("z / sqrt(z**2)", q).correct
    assert not check_derivative("-1", q).correct


@pytest.mark.parametrize("answer,words", [
    (None, "expected a SymPy expression or a string"),
    ([1, 2], "expected a SymPy expression or a string, got list"),
    (..., "expected a SymPy expression or a string"),
    (sp.Eq(z, 1), "an equation or a set cannot be compared"),
    ("", "empty string"),
    ("phi * (1 -", "could not read"),
    ("phi(z", "could not read"),
    ("2z", "with * for products"),
    ("sigmoid(z)", "unknown function sigmoid()"),
    ("w3 * z", "unknown name(s) w3"),
    (sp.Symbol("x") * z, "unknown name(s) x"),
    ("2**2**2**2**2**2", "exponent"),
    ("z**100000", "exponent"),
    ("123456789123 * z", "far too large"),
    ("z + " * 400 + "z", "characters long"),
])
def test_bad_input_is_refused_with_a_clear_message(answer, words):
    with pytest.raises(SymbolicInputError, match=None) as info:
        check_derivative(answer, LOGISTIC)
    assert words in str(info.value)


def test_allowed_names_are_listed():
    with pytest.raises(SymbolicInputError, match=r"you can use x1, x2, w1, w2, t, net, y; functions exp\(\)"):
        check_derivative("w3", NEURON["dE/dw1"])


def test_sympys_own_derivatives_pass_when_given_as_answers():
    """SymPy's derivative, read back through the whitelist, is right (the NumPy models: see below)."""
    for question in [LOGISTIC, *NEURON.values()]:
        assert check_derivative(question.correct(), question).correct, question.title


TANH = symbolic.tanh_derivative()


@pytest.mark.parametrize("answer", ["1 - tanh(z)**2", "1/cosh(z)^2", "4/(exp(z) + exp(-z))^2",
                                    1 - sp.tanh(z) ** 2])
def test_equivalent_forms_of_the_tanh_derivative_pass(answer):
    verdict = check_derivative(answer, TANH)
    assert verdict.correct, verdict.message


@pytest.mark.parametrize("answer,mistake,words", [
    ("tanh(z) * (1 - tanh(z))", "logistic pattern", "logistic's pattern"),
    ("1 + tanh(z)^2", "1 + tanh^2", "sign is wrong"),
    ("1 - tanh(z)", "1 - tanh", "not squared"),
    ("cosh(z)^2", "cosh^2", "upside down"),
])
def test_tanh_mistakes_are_named(answer, mistake, words):
    verdict = check_derivative(answer, TANH)
    assert not verdict.correct and verdict.mistake == mistake and words in verdict.message


def test_network_gradients_by_sympy_match_the_networks_backward_pass():
    import numpy as np

    from bp_course import datasets
    from bp_course.network import Network

    rng = np.random.default_rng(3)
    for sizes in ((2, 2, 1), (3, 2, 2), (2, 3, 2, 1)):
        net = Network(list(sizes), "logistic", seed=1)
        x, t = rng.normal(size=sizes[0]), rng.uniform(size=sizes[-1])
        expected = net.gradients(x, t).dW
        for got, want in zip(symbolic.network_gradients(net.W, x, t), expected):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)
    x, t, W = datasets.worked_example()
    assert symbolic.network_gradients(W, x, t)[1].shape == (2, 1)


def test_network_gradients_refuses_mismatched_or_large_networks():
    import numpy as np

    with pytest.raises(ValueError, match="shapes do not chain"):
        symbolic.network_gradients([np.ones((2, 2)), np.ones((3, 1))], [1.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="at most 40 weights"):
        symbolic.network_gradients([np.ones((5, 5)), np.ones((5, 5))], np.ones(5), np.ones(5))


def test_softmax_cross_entropy_questions_have_the_textbook_answers():
    """SymPy's own derivatives equal y1 (1 - y1), -y1 y2 and y1 - t1 (using t1 + t2 + t3 = 1)."""
    q = symbolic.softmax_cross_entropy()
    for key, answer in (("dy1/dnet1", "y1*(1 - y1)"), ("dy1/dnet2", "-y1*y2"), ("dE/dnet1", "y1 - t1")):
        expr = symbolic.read_expression(answer, q[key])
        assert sp.simplify(q[key].correct() - expr) == 0
        verdict = symbolic.check_derivative(answer, q[key])
        assert verdict.correct and verdict.proved


def test_softmax_cross_entropy_numeric_models_are_independent_and_stable():
    """The NumPy references agree with the SymPy models, and survive nets far beyond exp's range."""
    q = symbolic.softmax_cross_entropy()
    points = {"net1": np.array([0.3]), "net2": np.array([-1.2]), "net3": np.array([2.0]),
              "t1": np.array([0.2]), "t2": np.array([0.3])}
    for key in ("dy1/dnet1", "dE/dnet1"):
        names = q[key].variables
        f = sp.lambdify([sp.Symbol(n, real=True) for n in names], q[key].of)
        assert q[key].numeric(**{n: points[n] for n in names}) == pytest.approx(f(*[points[n][0] for n in names]))
    big = q["dE/dnet1"].numeric(net1=np.array([800.0]), net2=np.array([0.0]), net3=np.array([-800.0]),
                                t1=np.array([1.0]), t2=np.array([0.0]))
    assert np.isfinite(big).all() and big[0] == pytest.approx(0.0, abs=1e-12)


# -- the verdict is exact: equal as functions, not close in float64 (issue 12) ---------------------------

from difference_quotients import CASES, EXERCISES, IDS  # noqa: E402

QUESTIONS = {"03.1": LOGISTIC, "03.3": TANH, "04.1": NEURON["dE/dy"], "04.2": NEURON["dy/dnet"],
             "04.3": NEURON["dnet/dw1"], "04.4": NEURON["dE/dw1"],
             "08.4": symbolic.softmax_cross_entropy()["dy1/dnet2"], "08.5": symbolic.softmax_cross_entropy()["dE/dnet1"]}
EXACT = {("04.1", "central"), ("04.1", "Richardson"), ("04.3", "central"), ("04.3", "one-sided"),
         ("04.3", "Richardson")}  # a polynomial of degree <= 2: these quotients equal the derivative exactly


@pytest.mark.parametrize("exercise,kind,text", CASES, ids=IDS)
def test_a_difference_quotient_is_named_not_accepted(exercise, kind, text):
    verdict = check_derivative(text, QUESTIONS[exercise])
    assert not verdict.correct and verdict.mistake == "difference quotient", verdict.message
    if (exercise, kind) in EXACT:
        assert "happens to equal the derivative exactly" in verdict.hint and "Simplify it" in verdict.hint
    else:
        assert verdict.hint.startswith("this is a numerical approximation of the derivative (a difference "
                                       "quotient), not the derivative itself: it agrees with the derivative to about")


def _central_quotient(k: int, h: str) -> str:
    """The central difference of order 2k for phi'(z), with exact weights: a Richardson extrapolation."""
    steps = range(-k, k + 1)
    weights = sp.finite_diff_weights(1, list(steps), 0)[1][-1]
    return "(" + "+".join(f"({w})*phi(z+{j}*{h})" for j, w in zip(steps, weights) if w) + f")/{h}"


def test_a_richardson_quotient_of_any_order_and_step_is_refused():
    """Orders 2..16, steps 1e-1..1e-24: none agrees to all but 12 of the 500 digits (the order that might needs
    k > (500 - 12) / 24 = 20 steps a side, longer than an answer may be)."""
    for k in range(1, 9):
        for e in range(1, 25):
            verdict = check_derivative(_central_quotient(k, f"1e-{e}"), LOGISTIC, prove=False)
            assert not verdict.correct, (k, e)


def test_sixty_digits_alone_would_pass_a_richardson_quotient(monkeypatch):
    """Why the second, finer precision: at 60 digits a 5-point quotient with h = e^-28 agrees to 48 digits.

    A step written as exp(-28) is no number inside a sum, so the structural mark of f(z + h) misses it: only
    the numbers can refuse it, and at 500 digits they do.
    """
    text = _central_quotient(2, "exp(-28)")
    verdict = check_derivative(text, LOGISTIC, prove=False)
    assert not verdict.correct and verdict.mistake == "approximation"
    assert "A numerical approximation (a difference quotient)" in verdict.message
    monkeypatch.setattr(symbolic, "_FINE", symbolic._COARSE)
    monkeypatch.setattr(symbolic, "_DIGITS_FINE", symbolic._DIGITS)
    assert check_derivative(text, LOGISTIC, prove=False).correct


def test_decimals_count_exactly():
    (z_,) = symbolic.symbols("z")
    assert symbolic.read_expression("0.1*z", LOGISTIC) == z_ / 10
    assert check_derivative("0.25/cosh(0.5*z)**2", LOGISTIC).correct
    assert check_derivative(1 / (4 * sp.cosh(sp.Float(0.5) * z) ** 2), LOGISTIC).correct  # a SymPy Float too
    verdict = check_derivative("0.333333333333*3*phi*(1 - phi)", LOGISTIC)
    assert not verdict.correct and verdict.mistake == "approximation"
    assert "a rounded number (0.333 for 1/3)" in verdict.message and "about 12 digits" in verdict.message


def test_a_negligible_add_on_is_not_the_derivative():
    """Equal as functions means exactly: 1e-20 more is a different function (it used to pass in float64)."""
    verdict = check_derivative("phi*(1 - phi) + 1e-20", LOGISTIC)
    assert not verdict.correct and verdict.mistake == "approximation"
    assert "or a small added term" in verdict.message


@pytest.mark.parametrize("exercise", sorted(QUESTIONS))
def test_the_exact_derivative_agrees_with_the_numpy_model(exercise):
    """SymPy's derivative (the verdict's reference) and a central difference of the NumPy model: two hands."""
    q = QUESTIONS[exercise]
    points = symbolic._points(q, 6, 0)
    h = 1e-5
    plus = {**points, q.wrt: points[q.wrt] + h}
    minus = {**points, q.wrt: points[q.wrt] - h}
    numeric = (q.numeric(**plus) - q.numeric(**minus)) / (2 * h)
    exact = [float(symbolic._exact(q.correct(), {v: symbolic._COARSE.mpf(float(points[v][i])) for v in q.variables},
                                   symbolic._COARSE, {})) for i in range(6)]
    np.testing.assert_allclose(exact, numeric, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("question,text,words", [
    (QUESTIONS["08.5"], "y1 - t1 + log(net1 - 5)", "takes the log of a number <= 0"),
    (LOGISTIC, "phi*(1 - phi) + (z - 5)**0.5", "root of a negative number"),
    (LOGISTIC, "exp(exp(exp(z)))", "overflows"),
    (LOGISTIC, "exp(" * 30 + "z" + ")" * 30, "overflows"),
    (LOGISTIC, "tanh(exp(exp(z)))*exp(-" + "exp(" * 20 + "z" + ")" * 21, "overflows"),
])
def test_an_answer_without_a_value_at_a_check_point_is_wrong_with_the_reason(question, text, words):
    verdict = check_derivative(text, question)
    assert not verdict.correct and "your formula has no value at" in verdict.message
    assert words in verdict.message
