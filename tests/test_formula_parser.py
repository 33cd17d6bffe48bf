"""bp_course.symbolic's formula reader against hostile strings: nothing is evaluated, everything is refused
cleanly (or, for a numerically negligible add-on, judged without an unbounded proof), and the course's own
notation (phi(net), phi(z) ...) is read wherever the course taught it (issue 12 item 1, issue 11 item 14)."""

import builtins
import importlib
import pathlib
import re
import types

import numpy as np
import pytest
import sympy as sp
import sympy.parsing.sympy_parser

from bp_course import symbolic
from bp_course.checks import hidden
from bp_course.checks.core import CheckFailed
from bp_course.symbolic import SymbolicInputError, check_derivative, read_expression

LOGISTIC = symbolic.logistic_derivative()
TANH = symbolic.tanh_derivative()
NEURON = symbolic.single_neuron()
SOFTMAX = symbolic.softmax_cross_entropy()
RIGHT_04_4 = "(y - t) * y * (1 - y) * x1"
np.random.default_rng(0)  # NumPy imports numpy.random lazily, with namedtuple's eval: not while eval is forbidden

HOSTILE = [  # (question, text, words the refusal must contain)
    (LOGISTIC, 'phi*(1-phi)*len([exec("open(\'/tmp/pwned\', \'w\')")])', "unknown function len()"),
    (LOGISTIC, "Symbol(open('/etc/hostname').read())", "unknown function Symbol()"),
    (LOGISTIC, "__import__('os').system('true')", "attribute access"),
    (LOGISTIC, "__import__('os')", "unknown function __import__()"),
    (LOGISTIC, "().__class__.__bases__[0].__subclasses__()", "is not part of a formula"),
    (LOGISTIC, "z.__class__", "attribute access"),
    (LOGISTIC, "(lambda: z)()", "only a function's name can be called"),
    (LOGISTIC, "lambda z: z", "a lambda"),
    (LOGISTIC, "[z for z in (1, 2)]", "a list comprehension"),
    (LOGISTIC, "sum(z for z in (1, 2))", "unknown function sum()"),
    (LOGISTIC, "f'{z}'", "an f-string"),
    (LOGISTIC, "'z'", "text and other constants"),
    (LOGISTIC, "b'z'", "text and other constants"),
    (LOGISTIC, "exp(z=1)", "exactly one argument"),
    (LOGISTIC, "exp(*[z])", "exactly one argument"),
    (LOGISTIC, "exp(z, z)", "exactly one argument"),
    (LOGISTIC, "z if z else z", "'if ... else'"),
    (LOGISTIC, "z, z", "a comma"),
    (LOGISTIC, "z[0]", "indexing"),
    (LOGISTIC, "(z := 1)", "the := operator"),
    (LOGISTIC, "z // 2", "'//'"),
    (LOGISTIC, "z % 2", "'%'"),
    (LOGISTIC, "z > 0", "a comparison"),
    (LOGISTIC, "not z", "'not'"),
    (LOGISTIC, "diff(1/(1+exp(-z)), z)", "unknown function diff()"),
    (LOGISTIC, "integrate(phi, z)", "unknown function integrate()"),
    (LOGISTIC, "Derivative(phi, z)", "unknown function Derivative()"),
    (LOGISTIC, "Subs(z, z, 1)", "unknown function Subs()"),
    (LOGISTIC, "N(phi*(1-phi))", "unknown function N()"),
    (LOGISTIC, "sin(z)", "unknown function sin() (did you mean sinh?)"),
    (LOGISTIC, "sech(z/2)**2/4", "unknown function sech()"),
    (LOGISTIC, "Piecewise((phi, z > 0), (phi, True))", "unknown function Piecewise()"),
    (LOGISTIC, "factorial(10**6)", "unknown function factorial()"),
    (LOGISTIC, "sqrt(z)", "unknown function sqrt()"),
    (LOGISTIC, "phi*(1-phi) + 1j", "imaginary number"),
    (LOGISTIC, "phi*(1-phi) + I", "imaginary unit"),
    (LOGISTIC, "phi*(1-phi) + (-1)**0.5", "not real-valued"),
    (SOFTMAX["dE/dnet1"], "y1 - t1 + log(-1)", "not real-valued"),
    (LOGISTIC, "9**9**9", "exponent 387420489"),
    (LOGISTIC, "10**10**10", "exponent 10000000000"),
    (LOGISTIC, "(z**64)**64", "inside another power"),
    (LOGISTIC, "z**z", "exponents must be plain numbers"),
    (LOGISTIC, "1000000**64", "digits"),
    (LOGISTIC, "-" * 990 + "z", "nested more than"),
    (LOGISTIC, "(" * 10000 + "z" + ")" * 10000, "characters long"),
    (LOGISTIC, "(" * 250 + "z" + ")" * 250, "could not read"),
    (LOGISTIC, "exp(" * 45 + "z" + ")" * 45, "nested more than"),
    (NEURON["dE/dw1"], "+".join(["x1*x2"] * 150), "too long"),
    (LOGISTIC, "*".join(["phi"] * 100), "exponent 65"),
    (LOGISTIC, "zoo*z", "infinity"),
    (LOGISTIC, "oo", "infinity"),
    (LOGISTIC, "nan", "nan"),
    (LOGISTIC, "z/0", "divides by zero"),
    (LOGISTIC, "z/(1 - 1)", "divides by zero"),
    (LOGISTIC, "1" * 900, "far too large"),
    (LOGISTIC, "1e400 * z", "far too large"),
    (LOGISTIC, "1e300 * z", "far too large"),
    (LOGISTIC, "z + " * 2000 + "z", "characters long"),
    (LOGISTIC, "ｅｘｐ(-z)", "FULLWIDTH"),
    (LOGISTIC, "φ*(1-φ)", "write 'phi' instead"),
    (LOGISTIC, "phi\u200b*(1-phi)", "ZERO WIDTH SPACE"),
    (LOGISTIC, "phi\u202e*(1-phi)", "RIGHT-TO-LEFT OVERRIDE"),
    (LOGISTIC, "phi\x00", "unnamed"),
    (LOGISTIC, "e**(-z)", "write exp(1)"),
    (LOGISTIC, "pi*z", "pi does not appear"),
    (LOGISTIC, "sigmoid(z)", "unknown function sigmoid()"),
    (LOGISTIC, "phii*(1-phi)", "unknown name(s) phii (did you mean phi?)"),
    (LOGISTIC, "exp", "exp is a function: write exp(...)"),
    (LOGISTIC, "np", "np alone"),
    (LOGISTIC, "np.sin(z)", "drop the np. (formulas use plain names), and sin()"),
    (LOGISTIC, "z.real", "attribute access"),
    (NEURON["dE/dw1"], "y(net) * x1", "y is a quantity, not a function"),
    (NEURON["dE/dw1"], "phi * x1", "phi is a function: write phi(...)"),
    (SOFTMAX["dE/dnet1"], "tanh(net1)", "unknown function tanh()"),
]


@pytest.mark.parametrize("question,text,words", HOSTILE, ids=[repr(t[:30]) for _, t, _ in HOSTILE])
def test_hostile_strings_are_refused_with_the_checkers_own_error(question, text, words):
    with pytest.raises(SymbolicInputError) as info:
        check_derivative(text, question)
    message = str(info.value)
    assert words in message
    assert len(message) < 400
    if len(text) > 60:
        assert text[:61] not in message  # long text is cut short in the message


@pytest.mark.parametrize("question,text,words", HOSTILE, ids=[repr(t[:30]) for _, t, _ in HOSTILE])
def test_the_hidden_judge_fails_hostile_strings_without_raising(question, text, words):
    spec = hidden.Derivation("answer", question)
    assert spec.judge([hidden.to_json(text)], [], 7) == hidden.Verdict(0, 1)


def test_messages_echo_at_most_a_short_piece_of_the_text():
    secret = "x" * 500
    with pytest.raises(SymbolicInputError) as info:
        check_derivative(f"z + Symbol('{secret}')", LOGISTIC)
    assert secret[:61] not in str(info.value)
    assert "..." in str(info.value)


def test_no_code_in_the_answer_runs(tmp_path):
    target = tmp_path / "pwned"
    with pytest.raises(SymbolicInputError):
        check_derivative(f'phi*(1-phi)*len([exec("open({str(target)!r}, \'w\')")])', LOGISTIC)
    assert not target.exists()


@pytest.fixture
def evaluated(monkeypatch):
    """sympify, parse_expr and lambdify raise; eval and exec record every text they are given.

    (SymPy's polynomial code exec's monomial routines it generates, and Python's imports exec modules:
    neither holds the learner's text, which the tests below check.)
    """
    def forbidden(*args, **kwargs):
        raise AssertionError("evaluated")

    texts = []

    def recording(real):
        def run(code, *args, **kwargs):
            texts.append(code if isinstance(code, str) else getattr(code, "co_filename", repr(code)))
            return real(code, *args, **kwargs)
        return run

    monkeypatch.setattr(builtins, "exec", recording(builtins.exec))
    monkeypatch.setattr(builtins, "eval", recording(builtins.eval))
    for owner, name in ((sp, "sympify"), (sp, "lambdify"), (sympy.parsing.sympy_parser, "parse_expr"),
                        (sp, "parse_expr")):
        monkeypatch.setattr(owner, name, forbidden, raising=False)
    return texts


def _holds_answer(texts, answer: str) -> bool:
    words = set(re.findall(r"[A-Za-z_]\w{2,}|\d{3,}", answer)) - {"exp", "phi"}  # its names and numbers
    return any(answer in t or any(w in t for w in words) for t in texts)


@pytest.mark.parametrize("question,text", [
    (LOGISTIC, "phi * (1 - phi)"), (LOGISTIC, "exp(-z) / (1 + exp(-z))^2"), (TANH, "1 - tanh(z)^2"),
    (NEURON["dE/dw1"], RIGHT_04_4), (SOFTMAX["dE/dnet1"], "y1 - t1"), (SOFTMAX["dy1/dnet2"], "-y1*y2"),
])
def test_right_answers_are_checked_without_evaluating_their_text(evaluated, question, text):
    verdict = check_derivative(text, question)
    assert verdict.correct and verdict.proved
    assert text not in evaluated and not any(text in t for t in evaluated)


def test_mistakes_and_refusals_evaluate_no_text_either(evaluated):
    assert check_derivative("phi * (1 + phi)", LOGISTIC).mistake == "phi (1 + phi)"
    assert check_derivative("(t - y) * y * (1 - y) * x1", NEURON["dE/dw1"]).mistake == "sign"
    for question, text, _ in HOSTILE:
        with pytest.raises(SymbolicInputError):
            check_derivative(text, question)
        assert not _holds_answer(evaluated, text), text
    assert not _holds_answer(evaluated, "Symbol(open('/etc/hostname').read())")


def test_the_module_source_calls_no_evaluator():
    source = pathlib.Path(symbolic.__file__).read_text()
    assert not re.search(r"\b(eval|exec|sympify|parse_expr)\(", source)
    reading = source[:source.index("# -- the lessons' models")]
    assert "lambdify" not in reading  # numbers come from a node-by-node NumPy walk, not generated code


@pytest.mark.parametrize("power", ["(x1+x2+w1+w2+t)**10", "(x1+x2+w1+w2+t)**4*(x1-x2)**3", "(x1+x2+w1+w2)**6",
                                   "((x1+x2+w1+w2+t)**8)**8", "exp(60*w1*x1)"])
def test_a_negligible_add_on_is_a_near_miss_judged_without_the_proof(monkeypatch, power):
    """1e-30 * (...) is not equal to the derivative as a function: wrong, named a near miss; no proof is tried.

    (Before issue 12's exact verdict it passed: the numbers agreed in float64.)
    """
    def no_proof(*args, **kwargs):
        raise AssertionError("the proof was attempted")

    monkeypatch.setattr(sp, "cancel", no_proof)
    verdict = check_derivative(f"{RIGHT_04_4} + 1e-30*{power}", NEURON["dE/dw1"])
    assert not verdict.correct and not verdict.proved
    if "**8)**8" not in power and "exp" not in power:  # those two are large at some points, not a near miss
        assert verdict.mistake == "approximation"
        assert "comes close to the derivative but is not equal to it" in verdict.message


def test_a_decimal_too_small_to_write_out_in_60_digits_is_refused():
    with pytest.raises(SymbolicInputError, match=r"contains the number 1e-300: decimals count exactly"):
        check_derivative(f"{RIGHT_04_4} + 1e-300*x1", NEURON["dE/dw1"])


def test_a_proof_cut_off_by_the_deadline_leaves_the_exact_verdict(monkeypatch):
    monkeypatch.setattr(symbolic, "_PROOF_SECONDS", 1e-6)
    verdict = check_derivative(RIGHT_04_4, NEURON["dE/dw1"])
    assert verdict.correct and not verdict.proved
    assert "it equals the exact derivative at 6 random points, to 48 digits" in verdict.message


def test_the_deadline_restores_the_previous_alarm_handler():
    import signal
    before = signal.getsignal(signal.SIGALRM)
    with symbolic._deadline(5.0):
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
    assert signal.getsignal(signal.SIGALRM) is before and signal.getitimer(signal.ITIMER_REAL)[0] == 0


# -- the course's notation, wherever it was taught (issue 11 item 14) --------------------------------------

@pytest.mark.parametrize("question,text", [
    (LOGISTIC, "phi(z) * (1 - phi(z))"),
    (LOGISTIC, "phi*(1 - phi)"),
    (TANH, "4 * phi(2*z) * (1 - phi(2*z))"),
    (TANH, "(cosh(z)**2 - sinh(z)**2) / cosh(z)**2"),
    (NEURON["dy/dnet"], "phi(net) * (1 - phi(net))"),
    (NEURON["dE/dw1"], "(phi(net) - t) * phi(net) * (1 - phi(net)) * x1"),
    (NEURON["dE/dw1"], "(phi(w1*x1 + w2*x2) - t) * y * (1 - y) * x1"),
    (NEURON["dE/dy"], "y - t"),
    (SOFTMAX["dE/dnet1"], "exp(net1)/(exp(net1) + exp(net2) + exp(net3)) - t1"),
])
def test_the_course_notation_is_read_where_it_was_taught(question, text):
    assert check_derivative(text, question).correct


def test_phi_of_the_output_is_still_named_as_the_mistake():
    verdict = check_derivative("(y - t) * phi(y) * (1 - phi(y)) * x1", NEURON["dE/dw1"])
    assert verdict.mistake == "phi'(out)"


@pytest.mark.parametrize("exercise,check_name,prefix,text", [
    ("03.1", "logistic_derivative", "np", "np.exp(-z) / (1 + np.exp(-z))**2"),
    ("04.2", "dy_dnet", "np", "np.exp(-net) / (1 + np.exp(-net))**2"),
    ("04.4", "dE_dw1", "math", "(y - t) * math.exp(-net) / (1 + exp(-net))**2 * x1"),
    ("08.5", "output_delta", "numpy", "numpy.exp(net1) / (exp(net1) + exp(net2) + exp(net3)) - t1"),
])
def test_a_numpy_prefix_gets_drop_the_prefix(exercise, check_name, prefix, text):
    check = importlib.import_module(f"bp_course.checks.lesson{exercise[:2]}")
    with pytest.raises(CheckFailed, match=re.escape(f"drop the {prefix}.: write exp(...)")):
        getattr(check, check_name)(text)


def test_phi_in_04_2_is_accepted_by_the_lessons_check(capsys):
    from bp_course.checks import lesson04
    lesson04.dy_dnet("phi(net) * (1 - phi(net))")
    assert "✔ Exercise 04.2 passed" in capsys.readouterr().out


# -- SymPy expressions go through the same rules --------------------------------------------------------

net, z = sp.Symbol("net"), sp.Symbol("z")


@pytest.mark.parametrize("question,answer,words", [
    (LOGISTIC, sp.Derivative(1 / (1 + sp.exp(-z)), z), "Derivative"),
    (LOGISTIC, sp.sin(z), "sin"),
    (LOGISTIC, z + sp.I, "not real-valued"),
    (LOGISTIC, z * sp.pi, "Pi"),
    (LOGISTIC, sp.Function("sigmoid")(z), "sigmoid()"),
    (LOGISTIC, z ** 100, "exponent 100"),
    (LOGISTIC, z * 10 ** 30, "far too large"),
    (LOGISTIC, sp.Symbol("x") * z, "unknown name(s) x"),
])
def test_sympy_answers_are_held_to_the_same_whitelist(question, answer, words):
    with pytest.raises(SymbolicInputError, match=re.escape(words)):
        check_derivative(answer, question)


def test_a_learners_phi_function_is_the_courses_phi():
    phi = sp.Function("phi")
    assert check_derivative(phi(net) * (1 - phi(net)), NEURON["dy/dnet"]).correct


def test_a_visible_sympy_answer_and_its_hidden_text_get_the_same_verdict():
    y, t, x1 = sp.symbols("y t x1")
    for answer in [(y - t) * y * (1 - y) * x1, (y - t) * sp.exp(-sp.Symbol("net")) * x1, x1 * sp.exp(1)]:
        visible = check_derivative(answer, NEURON["dE/dw1"]).correct
        text = hidden.from_json(hidden.to_json(answer))
        assert check_derivative(text, NEURON["dE/dw1"]).correct == visible


def test_read_expression_builds_the_same_expression_as_sympy_would():
    q = NEURON["dE/dw1"]
    x1, t, y = symbolic.symbols("x1", "t", "y")
    built = read_expression("(y - t) * y * (1 - y) * x1", q)
    expected = symbolic._expand_definitions((y - t) * y * (1 - y) * x1, q)
    assert sp.simplify(built - expected) == 0
    assert read_expression("2^3 * z", LOGISTIC) == 8 * symbolic.symbols("z")[0]  # ^ is a power, as documented
    assert read_expression("1 - z^2", TANH) == 1 - symbolic.symbols("z")[0] ** 2  # with the power's precedence


def test_numeric_values_come_from_numpy_node_by_node():
    q = LOGISTIC
    points = symbolic._points(q, 4, 0)
    expr = read_expression("exp(-z) / (1 + exp(-z))**2", q)
    np.testing.assert_allclose(symbolic._values(expr, q, points),
                               np.exp(-points["z"]) / (1 + np.exp(-points["z"])) ** 2)


def test_a_comment_after_the_formula_is_dropped_unread(tmp_path):
    """Python's tokenizer drops a # comment before the syntax tree exists: harmless, and nothing in it runs."""
    target = tmp_path / "pwned"
    assert check_derivative("phi*(1-phi) # my answer", LOGISTIC).correct
    verdict = check_derivative(f"phi*(1-phi) # __import__('os').system('touch {target}')", LOGISTIC)
    assert verdict.correct and not target.exists()
