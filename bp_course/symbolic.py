r"""Checking hand derivations with SymPy and with numbers (Lessons 03-05, 08).

A learner writes a derivative, as a SymPy expression or a string such as
``"(y - t) * y * (1 - y) * x1"``. :func:`check_derivative` then

1. reads it, allowing only the question's names (``x1``, ``w1``, ``t``,
   ``y``, ``net`` ...) and a few functions (``exp``, ``log``, ``tanh``),
   and substitutes the named quantities (``y = phi(net)``,
   ``net = w1 x1 + w2 x2``) so every answer is in the same variables;
2. **decides numerically**: the answer must equal a central difference of an
   independent NumPy model of the quantity at several random points, so a
   blind spot of symbolic simplification can neither pass a wrong answer nor
   fail a right one;
3. tries to **prove** the equality symbolically (``cancel`` of the
   difference, fast and bounded), and says whether it could;
4. when the answer is wrong, **names the mistake** by comparing it with the
   correct derivative: a wrong sign, a factor 2 from the 1/2 convention, a
   missing or repeated chain-rule factor, phi'(y) taken for phi'(net), or a
   derivative with respect to the wrong variable.

Bad input (not an expression, unknown names, unreadable strings, huge
numbers) raises :class:`SymbolicInputError` with a plain message, and no
check runs longer than a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from tokenize import TokenError
from typing import Callable

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from bp_course.activations import logistic

__all__ = [
    "SymbolicInputError",
    "Derivative",
    "Verdict",
    "symbols",
    "read_expression",
    "check_derivative",
    "logistic_derivative",
    "tanh_derivative",
    "single_neuron",
    "network_gradients",
    "softmax_cross_entropy",
]

FUNCTIONS = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "cosh": sp.cosh, "sinh": sp.sinh, "sqrt": sp.sqrt}
"""Functions a written answer may use, besides + - * / and powers."""

# ^ is read as a power, as learners write it. No implicit multiplication: it
# would read "phi(z)" as phi * z, silently, instead of refusing it.
_TRANSFORMATIONS = standard_transformations + (convert_xor,)
_MAX_CHARS = 1000
_MAX_OPS = 400
_MAX_INTEGER = 10**6
_MAX_EXPONENT = 64


class SymbolicInputError(ValueError):
    """An answer that cannot be checked as a formula; the message says why."""


def symbols(*names: str) -> tuple:
    """The course's SymPy symbols: real-valued, so |x|, sqrt(x^2) simplify as on paper.

    Examples
    --------
    >>> x1, w1 = symbols("x1", "w1")
    >>> x1.is_real
    True
    """
    return tuple(sp.Symbol(name, real=True) for name in names)


@dataclass(frozen=True)
class Derivative:
    """One derivative question of a lesson's model: d(of)/d(wrt).

    Attributes
    ----------
    title : str
        How messages name it (``"dE/dw1"``).
    of : sympy.Expr
        The differentiated quantity, in the free ``variables``.
    wrt : str
        The variable differentiated by.
    variables : tuple of str
        The independent variables, with ``domain`` giving their sample ranges.
    definitions : dict
        Named quantities a learner may use (``"y"``, ``"net"``), each a SymPy
        expression in the variables and earlier definitions.
    numeric : callable
        The same quantity written with NumPy, ``numeric(**values)``: the
        independent reference the answer's numbers are checked against.
    domain : dict
        ``name -> (low, high)``, where random check points are drawn.
    factors : dict
        ``description -> expression``: the chain-rule factors, used to
        diagnose a missing or repeated factor.
    mistakes : tuple
        Further ``(name, expression, hint)`` triples specific to the
        question; they are tried before the generic ones.
    squared_error : bool
        Whether the quantity comes from E = 1/2 (t - y)^2, so a factor 2
        points at the 1/2 convention.
    """

    title: str
    of: sp.Expr
    wrt: str
    variables: tuple
    definitions: dict
    numeric: Callable
    domain: dict
    factors: dict = field(default_factory=dict)
    mistakes: tuple = ()
    squared_error: bool = False

    @property
    def names(self) -> list:
        """Every name an answer may use, variables first."""
        return list(self.variables) + [n for n in self.definitions if n not in self.variables]

    def correct(self) -> sp.Expr:
        """The derivative, by SymPy, in the variables."""
        return sp.diff(self.of, _symbol(self.wrt))


@dataclass
class Verdict:
    """The outcome of :func:`check_derivative`.

    Attributes
    ----------
    correct : bool
        True when the answer equals the derivative at every check point.
    proved : bool
        True when SymPy also proved the difference to be exactly 0.
    mistake : str or None
        A short name of the diagnosed mistake (``"sign"``, ``"factor 2"``,
        ``"missing x1 ..."``, ``"repeated y (1 - y) ..."``, ``"phi'(out)"``,
        ``"wrt w2"``), or None.
    message : str
        Plain-words feedback for the learner.
    hint : str or None
        The diagnosis alone, when a mistake was named.
    """

    correct: bool
    proved: bool
    mistake: str | None
    message: str
    hint: str | None = None


def _symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _allowed(question: Derivative) -> str:
    return ", ".join(question.names) + "; functions " + ", ".join(f"{f}()" for f in FUNCTIONS)


def _guard(expr, question: Derivative, shown: str) -> None:
    for node in sp.preorder_traversal(expr):
        if isinstance(node, AppliedUndef):
            raise SymbolicInputError(f"{shown} uses the unknown function {node.func}(); "
                                     f"you can use {_allowed(question)}")
        if isinstance(node, sp.Integer) and abs(int(node)) > _MAX_INTEGER:
            raise SymbolicInputError(f"{shown} contains the number {str(node)[:20]}..., far too large for a derivative")
        if isinstance(node, sp.Pow):
            exponent = node.exp
            if exponent.is_number and (not exponent.is_Atom or abs(float(exponent)) > _MAX_EXPONENT):
                raise SymbolicInputError(f"{shown} has the exponent {str(exponent)[:30]}; "
                                         f"exponents beyond {_MAX_EXPONENT} are not plausible here")
    if sp.count_ops(expr) > _MAX_OPS:
        raise SymbolicInputError(f"{shown} is too long to be a plausible answer; simplify it by hand first")


def read_expression(answer, question: Derivative) -> sp.Expr:
    """Turn an answer into a SymPy expression in the question's variables.

    Parameters
    ----------
    answer : sympy.Expr, number or str
        A learner's derivative. Symbols are matched by name, so symbols the
        learner made with ``sympy.symbols`` work as well as the course's.
    question : Derivative
        Gives the allowed names and the definitions substituted in.

    Raises
    ------
    SymbolicInputError
        For anything that is not a formula in the allowed names.

    Examples
    --------
    >>> q = logistic_derivative()
    >>> read_expression("phi*(1 - phi)", q)
    (1 - 1/(1 + exp(-z)))/(1 + exp(-z))
    """
    names = question.names
    local = {name: _symbol(name) for name in names}
    if isinstance(answer, str):
        text = answer.strip()
        if not text:
            raise SymbolicInputError("the answer is an empty string; write a formula such as "
                                     f"'{question.wrt} * 2'")
        if len(text) > _MAX_CHARS:
            raise SymbolicInputError(f"the answer is {len(text)} characters long; a derivative here is much shorter")
        shown = repr(text)
        try:
            raw = parse_expr(text, local_dict={**local, **FUNCTIONS}, transformations=_TRANSFORMATIONS,
                             evaluate=False)
        except (SyntaxError, TokenError, TypeError, ValueError, AttributeError) as error:
            raise SymbolicInputError(f"could not read {shown} as a formula ({type(error).__name__}: {error}); "
                                     f"use {_allowed(question)}, with * for products and ** or ^ for powers") from None
        if not isinstance(raw, sp.Basic):
            raise SymbolicInputError(f"{shown} is not a formula")
        _guard(raw, question, shown)
        expr = parse_expr(text, local_dict={**local, **FUNCTIONS}, transformations=_TRANSFORMATIONS)
    elif isinstance(answer, bool) or answer is None or answer is Ellipsis:
        raise SymbolicInputError(f"expected a SymPy expression or a string, got {answer!r}")
    elif isinstance(answer, (int, float, np.integer, np.floating)):
        expr = sp.sympify(float(answer))
        shown = "the answer"
    elif isinstance(answer, sp.Basic):
        if not isinstance(answer, sp.Expr):
            raise SymbolicInputError(f"expected a SymPy expression, got a {type(answer).__name__} "
                                     f"({str(answer)[:40]}); an equation or a set cannot be compared")
        shown = "the answer"
        _guard(answer, question, shown)
        expr = answer
    else:
        raise SymbolicInputError(f"expected a SymPy expression or a string, got {type(answer).__name__}")
    unknown = sorted(str(s) for s in expr.free_symbols if str(s) not in names)
    if unknown:
        raise SymbolicInputError(f"{shown} uses the unknown name(s) {', '.join(unknown)}; "
                                 f"you can use {_allowed(question)}")
    expr = expr.xreplace({s: local[str(s)] for s in expr.free_symbols})
    return _expand_definitions(expr, question)


def _expand_definitions(expr, question: Derivative):
    definitions = {_symbol(n): e for n, e in question.definitions.items() if n not in question.variables}
    for _ in range(len(definitions) + 1):
        if not expr.free_symbols & definitions.keys():
            break
        expr = expr.xreplace(definitions)
    return expr


def _points(question: Derivative, n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {v: rng.uniform(*question.domain[v], size=n) for v in question.variables}


def _values(expr, question: Derivative, points: dict) -> np.ndarray:
    args = [_symbol(v) for v in question.variables]
    with np.errstate(all="ignore"):
        f = sp.lambdify(args, expr, modules="numpy")
        value = f(*[points[v] for v in question.variables])
    return np.broadcast_to(np.asarray(value, dtype=float), points[question.variables[0]].shape)


def _central_difference(question: Derivative, points: dict, h: float = 1e-5) -> np.ndarray:
    plus, minus = dict(points), dict(points)
    plus[question.wrt] = points[question.wrt] + h
    minus[question.wrt] = points[question.wrt] - h
    return (question.numeric(**plus) - question.numeric(**minus)) / (2 * h)


def _matches(a, b, rtol=1e-6, atol=1e-9) -> bool:
    return bool(np.all(np.isfinite(a)) and np.allclose(a, b, rtol=rtol, atol=atol))


def _is_zero(expr) -> bool:
    try:
        return sp.cancel(sp.together(sp.expand(expr.rewrite(sp.exp)))) == 0
    except Exception:  # SymPy may give up; the numeric verdict stands
        return False


def _candidates(question: Derivative, correct):
    """Plausible wrong answers: (short name, expression, hint), specific ones first."""
    for name, expr, hint in question.mistakes:
        yield name, _expand_definitions(sp.sympify(expr), question), hint
    half = " of E = 1/2 (t - y)^2" if question.squared_error else ""
    yield "sign", -correct, ("the sign is wrong." + (" Check the inner derivative of (t - y): d/dy 1/2 (t - y)^2 "
                                                     "= -(t - y) = y - t, not t - y." if question.squared_error else ""))
    yield "factor 2", 2 * correct, f"twice the correct value: the 2 of the power rule cancels the 1/2{half}."
    yield "factor 1/2", correct / 2, f"half the correct value: the 2 of the power rule should cancel the 1/2{half}."
    for description, factor in question.factors.items():
        yield f"missing {description}", correct / factor, f"the factor {description} is missing from the chain rule."
        yield f"repeated {description}", correct * factor, (f"there is an extra factor {description}: "
                                                            "is it applied twice?")
    for name in question.variables:
        if name != question.wrt:
            other = sp.diff(question.of, _symbol(name))
            if other != 0:
                yield f"wrt {name}", other, (f"that is the derivative with respect to {name}; this question "
                                             f"asks for the derivative with respect to {question.wrt}.")


def check_derivative(answer, question: Derivative, *, n_points: int = 6, seed: int = 0) -> Verdict:
    """Check a hand-derived derivative symbolically and numerically.

    Parameters
    ----------
    answer : sympy.Expr or str
        The learner's derivative.
    question : Derivative
        What was asked.
    n_points : int, optional
        How many random points the numeric check uses.
    seed : int, optional
        Seed of those points (fixed, so feedback is reproducible).

    Returns
    -------
    Verdict

    Raises
    ------
    SymbolicInputError
        When the answer cannot be read as a formula in the allowed names.

    Examples
    --------
    >>> q = logistic_derivative()
    >>> check_derivative("phi * (1 - phi)", q).correct
    True
    >>> check_derivative("phi * (1 + phi)", q).mistake
    'phi (1 + phi)'
    """
    expr = read_expression(answer, question)
    points = _points(question, n_points, seed)
    reference = _central_difference(question, points)
    got = _values(expr, question, points)
    correct = question.correct()
    if _matches(got, reference):
        proved = _is_zero(expr - correct)
        how = ("proved equal by SymPy and confirmed" if proved else
               "SymPy could not simplify the difference to 0, but it agrees")
        return Verdict(True, proved, None, f"{question.title} is right: {how} numerically at {n_points} points.")
    for name, candidate, hint in _candidates(question, correct):
        values = _values(candidate, question, points)
        if _matches(values, reference):
            continue  # a candidate equal to the right answer names no mistake
        if _matches(got, values):
            return Verdict(False, False, name, f"{question.title} is not right yet: {hint}", hint=hint)
    worst = int(np.argmax(np.abs(got - reference)))
    at = ", ".join(f"{v}={points[v][worst]:.3g}" for v in question.variables)
    return Verdict(False, False, None, f"{question.title} is not right yet: at {at} your formula gives "
                                       f"{got[worst]:.6g}, but the derivative is {reference[worst]:.6g}.")


# -- the lessons' models --------------------------------------------------------------

def _phi(u):
    return 1 / (1 + sp.exp(-u))


def logistic_derivative() -> Derivative:
    r"""Lesson 03: d phi / d z for the logistic phi(z) = 1 / (1 + e^{-z}).

    An answer may use ``z`` and ``phi`` (which stands for phi(z)).
    """
    (z,) = symbols("z")
    phi = _phi(z)
    return Derivative(
        title="dphi/dz", of=phi, wrt="z", variables=("z",), definitions={"phi": phi},
        numeric=lambda z: logistic(z), domain={"z": (-4.0, 4.0)},
        mistakes=(
            ("phi (1 + phi)", phi * (1 + phi), "phi (1 + phi) has the wrong sign inside: the derivative is phi (1 - phi)."),
            ("unsquared denominator", sp.exp(-z) / (1 + sp.exp(-z)), "the denominator (1 + e^-z) must be squared: d/dz (1 + e^-z)^-1 "
                                            "= -(1 + e^-z)^-2 * (-e^-z)."),
            ("sign", -sp.exp(-z) / (1 + sp.exp(-z)) ** 2, "the sign is wrong: the inner derivative of e^-z is -e^-z, "
                                                  "and it meets the - of the power rule."),
            ("phi^2", phi ** 2, "phi^2 is missing the e^-z: the derivative is phi (1 - phi)."),
        ),
    )


def tanh_derivative() -> Derivative:
    r"""Lesson 03: d tanh(z) / d z, which is 1 - tanh(z)^2.

    An answer may use ``z`` and the functions ``tanh``, ``cosh``, ``exp`` ...

    Examples
    --------
    >>> check_derivative("1 - tanh(z)**2", tanh_derivative()).correct
    True
    """
    (z,) = symbols("z")
    th = sp.tanh(z)
    return Derivative(
        title="dtanh/dz", of=th, wrt="z", variables=("z",), definitions={},
        numeric=lambda z: np.tanh(z), domain={"z": (-2.5, 2.5)},
        mistakes=(
            ("logistic pattern", th * (1 - th), "tanh (1 - tanh) is the logistic's pattern phi (1 - phi); "
                                                "tanh' has its own: 1 - tanh^2."),
            ("1 + tanh^2", 1 + th ** 2, "the sign is wrong: d/dz tanh = 1 - tanh^2, which is at most 1."),
            ("1 - tanh", 1 - th, "the tanh is not squared: d/dz tanh = 1 - tanh(z)^2."),
            ("cosh^2", sp.cosh(z) ** 2, "cosh^2 is upside down: d/dz tanh = 1 / cosh^2 = 1 - tanh^2."),
        ),
    )


def single_neuron() -> dict:
    r"""Lesson 04: the four derivatives of a logistic neuron with squared error.

    Model: net = w1 x1 + w2 x2, y = phi(net), E = 1/2 (t - y)^2. Returns
    questions keyed ``"dE/dy"`` (Eq. 4), ``"dy/dnet"`` (Eq. 3),
    ``"dnet/dw1"`` (Eq. 2) and ``"dE/dw1"`` (Eq. 1, the product).
    """
    x1, x2, w1, w2, t, y_, net_ = symbols("x1", "x2", "w1", "w2", "t", "y", "net")
    net = w1 * x1 + w2 * x2
    y = _phi(net)
    E = sp.Rational(1, 2) * (t - y) ** 2
    domain = {"x1": (-2.0, 2.0), "x2": (-2.0, 2.0), "w1": (-2.0, 2.0), "w2": (-2.0, 2.0), "t": (0.0, 1.0),
              "y": (0.05, 0.95), "net": (-3.0, 3.0)}
    weights = ("x1", "x2", "w1", "w2", "t")
    phi_prime_of_out = _phi(y_) * (1 - _phi(y_))

    def numeric_E(x1, x2, w1, w2, t):
        return 0.5 * (t - logistic(w1 * x1 + w2 * x2)) ** 2

    return {
        "dE/dy": Derivative(
            title="dE/dy", of=sp.Rational(1, 2) * (t - y_) ** 2, wrt="y", variables=("y", "t"), definitions={},
            numeric=lambda y, t: 0.5 * (t - y) ** 2, domain=domain, squared_error=True),
        "dy/dnet": Derivative(
            title="dy/dnet", of=_phi(net_), wrt="net", variables=("net",), definitions={"y": _phi(net_)},
            numeric=lambda net: logistic(net), domain=domain,
            mistakes=(("phi'(out)", phi_prime_of_out.xreplace({y_: _phi(net_)}),
                       "that is phi'(y), the derivative evaluated at the output: evaluate phi' at net, "
                       "phi'(net) = y (1 - y)."),)),
        "dnet/dw1": Derivative(
            title="dnet/dw1", of=net, wrt="w1", variables=weights[:4], definitions={"net": net},
            numeric=lambda x1, x2, w1, w2: w1 * x1 + w2 * x2, domain=domain,
            mistakes=(("weight for input", w1, "that is the weight w1; net changes with w1 at the rate of its input, x1."),
                      ("constant 1", sp.Integer(1), "only one term of net depends on w1, and it is w1 * x1, so the rate is x1."))),
        "dE/dw1": Derivative(
            title="dE/dw1", of=E, wrt="w1", variables=weights, definitions={"net": net, "y": y},
            numeric=numeric_E, domain=domain, squared_error=True,
            factors={"x1 (dnet/dw1, Eq. 2)": x1, "y (1 - y) (dy/dnet, Eq. 3)": y * (1 - y),
                     "y - t (dE/dy, Eq. 4)": y - t},
            mistakes=(("phi'(out)", (y - t) * _phi(y) * (1 - _phi(y)) * x1,
                       "phi' is evaluated at the output y: Eq. 3 needs phi'(net) = y (1 - y), not phi'(y)."),)),
    }


def network_gradients(W, x, t) -> list:
    r"""Lesson 05: dE/dW of a logistic network by SymPy, differentiating the *whole* error.

    The network has no biases and a logistic activation in every layer after
    the input; E = 1/2 sum_k (t_k - y_k)^2 for one example. Every weight is a
    symbol, the error is one nested expression in all of them, and each
    derivative is taken by SymPy directly, without any delta or recursion:
    an independent reference for a hand-written backward pass.

    Parameters
    ----------
    W : sequence of array_like
        ``W[l]`` of shape ``(n_l, n_{l+1})``. Small networks only: at most
        40 weights.
    x : array_like, shape (n_0,)
        One input.
    t : array_like, shape (n_L,)
        Its target.

    Returns
    -------
    list of ndarray
        dE/dW[l], shaped like ``W[l]``.

    Examples
    --------
    >>> [g.round(6).tolist() for g in network_gradients([[[0.0], [0.0]]], [1.0, 1.0], [1.0])]
    [[[-0.125], [-0.125]]]
    """
    W = [np.asarray(w, dtype=np.float64) for w in W]
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    t = np.asarray(t, dtype=np.float64).reshape(-1)
    if not W or any(w.ndim != 2 for w in W) or W[0].shape[0] != x.size or W[-1].shape[1] != t.size \
            or any(a.shape[1] != b.shape[0] for a, b in zip(W, W[1:])):
        raise ValueError(f"shapes do not chain: x {x.shape}, W {[w.shape for w in W]}, t {t.shape}")
    if sum(w.size for w in W) > 40:
        raise ValueError("network_gradients is meant for the small networks of Lesson 05 (at most 40 weights)")
    weights = [sp.Matrix(w.shape[0], w.shape[1], lambda i, j, l=l: sp.Symbol(f"w{l}_{i}{j}", real=True))
               for l, w in enumerate(W)]
    out = sp.Matrix([[sp.Float(v) for v in x]])
    for matrix in weights:
        out = (out * matrix).applyfunc(_phi)
    E = sum(sp.Rational(1, 2) * (sp.Float(t_k) - out[k]) ** 2 for k, t_k in enumerate(t))
    values = {matrix[i, j]: w[i, j] for matrix, w in zip(weights, W) for i in range(w.shape[0])
              for j in range(w.shape[1])}
    order = [s for matrix in weights for s in matrix]
    gradient = sp.lambdify(order, [sp.diff(E, s) for s in order], modules="math")(*[values[s] for s in order])
    result, start = [], 0
    for w in W:
        result.append(np.array(gradient[start:start + w.size], dtype=np.float64).reshape(w.shape))
        start += w.size
    return result


def softmax_cross_entropy() -> dict:
    r"""Lesson 08: derivatives of a three-class softmax and of its cross-entropy.

    Model: y_k = e^{net_k} / (e^{net1} + e^{net2} + e^{net3}) and
    E = -(t1 log y1 + t2 log y2 + t3 log y3) for one example, whose target
    is a probability distribution, so t3 = 1 - t1 - t2 (a one-hot target is
    the special case of one t_k = 1). Returns questions keyed
    ``"dy1/dnet1"``, ``"dy1/dnet2"`` (the softmax's Jacobian) and
    ``"dE/dnet1"`` (which is y1 - t1). Answers may use ``net1``, ``net2``,
    ``net3``, ``t1``, ``t2``, ``t3``, ``y1``, ``y2``, ``y3``.

    Examples
    --------
    >>> q = softmax_cross_entropy()
    >>> check_derivative("y1 - t1", q["dE/dnet1"]).correct
    True
    >>> check_derivative("-y1 * y2", q["dy1/dnet2"]).correct
    True
    """
    net1, net2, net3, t1, t2 = symbols("net1", "net2", "net3", "t1", "t2")
    nets = (net1, net2, net3)
    total = sum(sp.exp(n) for n in nets)
    y1, y2, y3 = (sp.exp(n) / total for n in nets)
    t3 = 1 - t1 - t2
    E = -(t1 * sp.log(y1) + t2 * sp.log(y2) + t3 * sp.log(y3))
    softmax_vars = ("net1", "net2", "net3")
    ce_vars = softmax_vars + ("t1", "t2")
    definitions = {"y1": y1, "y2": y2, "y3": y3, "t3": t3}
    domain = {"net1": (-2.0, 2.0), "net2": (-2.0, 2.0), "net3": (-2.0, 2.0), "t1": (0.05, 0.45), "t2": (0.05, 0.45)}

    def numeric_y1(net1, net2, net3):
        nets_ = np.stack([net1, net2, net3])
        e = np.exp(nets_ - nets_.max(axis=0))
        return e[0] / e.sum(axis=0)

    def numeric_E(net1, net2, net3, t1, t2):
        nets_ = np.stack([net1, net2, net3])
        shifted = nets_ - nets_.max(axis=0)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=0))
        return -(t1 * log_y[0] + t2 * log_y[1] + (1 - t1 - t2) * log_y[2])

    jacobian_hint = ("y1 (1 - y1) is dy1/dnet1, the diagonal of the softmax's Jacobian; for dy1/dnet2, net2 "
                     "only enters y1 through the denominator, which gives -y1 y2.")
    return {
        "dy1/dnet1": Derivative(
            title="dy1/dnet1", of=y1, wrt="net1", variables=softmax_vars, definitions=definitions,
            numeric=numeric_y1, domain=domain,
            mistakes=(("y1", y1, "that is y1 itself: the numerator e^net1 gives y1, but net1 is also in the "
                                 "denominator, which subtracts y1^2: y1 (1 - y1)."),)),
        "dy1/dnet2": Derivative(
            title="dy1/dnet2", of=y1, wrt="net2", variables=softmax_vars, definitions=definitions,
            numeric=numeric_y1, domain=domain,
            mistakes=(("diagonal", y1 * (1 - y1), jacobian_hint),
                      ("diagonal of y2", y2 * (1 - y2), jacobian_hint),
                      ("zero", sp.Integer(0), "y1 does depend on net2: e^net2 is in the denominator of every "
                                              "softmax output. Differentiate e^net1 / sum with the quotient rule."))),
        "dE/dnet1": Derivative(
            title="dE/dnet1", of=E, wrt="net1", variables=ce_vars, definitions=definitions,
            numeric=numeric_E, domain=domain,
            mistakes=(
                ("dE/dy1 only", -t1 / y1, "that is dE/dy1 alone: y1 depends on net1 through the softmax, and "
                                          "y2 and y3 do too. Sum dE/dy_k * dy_k/dnet1 over k."),
                ("one path", -t1 * (1 - y1), "that keeps only the path through y1 (dE/dy1 * dy1/dnet1). net1 also "
                                             "changes y2 and y3, since it is in their denominator: add "
                                             "dE/dy2 * dy2/dnet1 and dE/dy3 * dy3/dnet1 (each dy_k/dnet1 = -y_k y1)."),
                ("logistic slope kept", (y1 - t1) * y1 * (1 - y1),
                 "that is the squared-error pattern (y - t) y (1 - y); with cross-entropy the slope y1 (1 - y1) "
                 "cancels against the 1/y of the logarithm."),
                ("forgot sum t = 1", y1 * (t1 + t2) - t1,
                 "almost: the sum over k gives y1 (t1 + t2 + t3) - t1, and the targets sum to 1."),
            )),
    }
