r"""Checking hand derivations with SymPy and with numbers (Lessons 03-05, 08).

A learner writes a derivative, as a SymPy expression or a string such as
``"(y - t) * y * (1 - y) * x1"``. :func:`check_derivative` then

1. reads it **without evaluating any of it**: a string goes through
   Python's ``ast.parse`` and a whitelist of nodes (numbers, the
   question's names such as ``x1``, ``w1``, ``t``, ``y``, ``net``, the
   operators + - * / ** (or ^), and one-argument calls of the question's
   functions, such as ``exp`` or the course's ``phi``), from which the
   SymPy expression is built by hand; limits on length, nesting, numbers
   and exponents apply first; a decimal counts exactly (0.1 is 1/10), and a
   ``#`` comment is dropped by Python's parser, like any comment (it is
   never read, so it is harmless). It then substitutes the named quantities
   (``y = phi(net)``, ``net = w1 x1 + w2 x2``) so every answer is in the
   same variables;
2. **decides exactly**: the answer must equal SymPy's exact derivative of
   the question's function as a function: both are evaluated node by node
   in 60-digit arithmetic at several random points (and in 500 digits at
   two of them) and must agree to all but a dozen digits (see
   :func:`_agreement`). A blind spot of symbolic simplification can neither
   pass a wrong answer nor fail a right one, and a numerical approximation
   (a difference quotient, even Richardson-extrapolated) is wrong, and
   named as such;
3. for a right answer's message only, tries to **prove** the equality
   symbolically (``cancel`` of the difference, under a size budget and an
   alarm, so only on the main thread; see :func:`_is_zero`), and says
   whether it could. The grader's hidden check skips it;
4. when the answer is wrong, **names the mistake** by comparing it with the
   correct derivative: a wrong sign, a factor 2 from the 1/2 convention, a
   missing or repeated chain-rule factor, phi'(y) taken for phi'(net), or a
   derivative with respect to the wrong variable.

Bad input (not a formula, unknown names or functions, Python code, complex
or huge numbers) raises :class:`SymbolicInputError` with a plain message,
in milliseconds (``benchmarks/formula_parser.py``).
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import math
import signal
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

import mpmath
import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

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


def _phi(u):
    """The logistic function as a SymPy expression: the course's phi (Lesson 03, Eq. of Section 1)."""
    return 1 / (1 + sp.exp(-u))


FUNCTIONS = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "cosh": sp.cosh, "sinh": sp.sinh, "sqrt": sp.sqrt,
             "phi": _phi}
"""Every function a written answer can name; each question allows a few of them (``Derivative.functions``).

``phi(u)`` is the course's logistic function 1 / (1 + e^-u), taught in Lesson 03.
"""

_SPECIAL = {sp.exp: "exp", sp.log: "log", sp.tanh: "tanh", sp.cosh: "cosh", sp.sinh: "sinh"}

# Limits, all enforced before SymPy builds (or simplifies) anything large.
_MAX_CHARS = 1000        # text length
_MAX_NODES = 400         # Python syntax-tree nodes of a string, SymPy tree nodes of an expression
_MAX_DEPTH = 40          # nesting depth of either tree
_MAX_INTEGER = 10**6     # an integer written in the answer
_MAX_FLOAT = 1e6         # a decimal number written in the answer (read exactly: 0.1 is 1/10; see _decimal)
_MAX_DIGITS = 60         # numerator or denominator of a number SymPy computes from them
_MAX_EXPONENT = 64       # |exponent| of a power, nested powers multiplied (SymPy folds (x^a)^b into x^(ab))
_MAX_PROOF_TERMS = 400   # estimated terms of the expanded difference for which the proof is attempted
_MAX_PROOF_DEGREE = 24   # estimated total degree of the expanded difference, likewise
_PROOF_SECONDS = 10.0    # deadline of the symbolic proof, which only words the message (where an alarm can be
#                          set; see _is_zero): right answers inside the size budget take under 1 s
_DIGITS = 60             # working precision (decimal digits) of the exact comparison at every check point
_DIGITS_FINE = 500       # ... and at the first _FINE_POINTS of them (see _agreement: why two precisions)
_FINE_POINTS = 2
_MARGIN = 12             # digits a right answer may lose to rounding: agreement must reach precision - _MARGIN
_MAX_BITS = 1000         # |value| < 2^1000 at every node of an evaluated expression, else it "overflows"
_MAX_ARGUMENT = 10**4    # |argument| of exp, cosh, sinh beyond which they overflow (or underflow) here
_SHOWN = 60              # characters of the learner's text echoed in a message

_PREFIXES = ("np", "numpy", "sp", "sympy", "math")
_WORDS = {  # Python constructs a formula never needs, in plain words
    "Attribute": "attribute access with '.'", "Subscript": "indexing with [ ]", "Lambda": "a lambda",
    "ListComp": "a list comprehension", "SetComp": "a set comprehension", "DictComp": "a dict comprehension",
    "GeneratorExp": "a generator expression", "JoinedStr": "an f-string", "FormattedValue": "an f-string",
    "Compare": "a comparison", "BoolOp": "'and' / 'or'", "IfExp": "'if ... else'", "Tuple": "a comma (a tuple)",
    "List": "a list [ ]", "Dict": "a dict { }", "Set": "a set { }", "NamedExpr": "the := operator",
    "Starred": "a starred argument (*args)", "Await": "'await'", "Yield": "'yield'", "YieldFrom": "'yield'",
    "Slice": "a slice",
}
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.FloorDiv: "//",
              ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
              ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.Not: "not", ast.USub: "-", ast.UAdd: "+"}
_UNICODE = {"φ": "phi", "ϕ": "phi", "·": "*", "×": "*", "−": "-", "–": "-", "²": "**2", "³": "**3",
            "⁻": "**-", "÷": "/", "σ": "phi"}
_CONSTANTS = {
    "I": "the imaginary unit is not allowed: every derivative here is real-valued",
    "j": "the imaginary unit is not allowed: every derivative here is real-valued",
    "oo": "infinity is not a value a derivative here can take",
    "inf": "infinity is not a value a derivative here can take",
    "zoo": "infinity is not a value a derivative here can take",
    "nan": "nan (not a number) is not a value a derivative here can take",
    "pi": "pi does not appear in these derivatives",
    "e": "for Euler's number e write exp(1), and e^x as exp(x)",
}


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
        The same quantity written with NumPy, ``numeric(**values)``: an
        independent model, whose central difference the tests compare with
        the exact derivative :meth:`correct` (the verdict uses the latter).
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
    functions : tuple of str
        The functions an answer may call, keys of ``FUNCTIONS``: those the
        exercise names and those the course taught before it (``phi`` from
        Lesson 03 on, as ``phi(net)``).
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
    functions: tuple = ("exp",)

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
        True when the answer equals the exact derivative at every check point,
        in high-precision arithmetic (see :func:`_agreement`).
    proved : bool
        True when SymPy also proved the difference to be exactly 0 (only
        attempted for the message; see :func:`_is_zero`).
    mistake : str or None
        A short name of the diagnosed mistake (``"sign"``, ``"factor 2"``,
        ``"missing x1 ..."``, ``"repeated y (1 - y) ..."``, ``"phi'(out)"``,
        ``"wrt w2"``, ``"difference quotient"``, ``"approximation"``), or None.
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
    return ", ".join(question.names) + "; functions " + ", ".join(f"{f}()" for f in question.functions)


def _shown(text: str) -> str:
    """The learner's text for a message: quoted, and cut short (a message never repeats long input)."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def _did_you_mean(name: str, choices) -> str:
    close = difflib.get_close_matches(name.lower(), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


# -- reading a string: Python's own syntax tree, checked node by node, built into SymPy by hand -------------

class _Reader:
    """Builds a SymPy expression from a whitelisted Python syntax tree, for one question.

    Nothing of the text is ever evaluated: each node of ``ast.parse(text,
    mode="eval")`` is checked against a short list (numbers, the question's
    names, + - * / **, unary minus, calls of the question's functions with one
    positional argument) and turned into the SymPy object it stands for. A
    decimal becomes the exact rational of its shortest text (:func:`_decimal`).
    A ``# comment`` after the formula never reaches the tree (Python's
    tokenizer drops it), so ``"phi*(1-phi) # my answer"`` is read as
    ``phi*(1-phi)``: nothing in a comment is read, let alone run.
    """

    def __init__(self, question: Derivative, shown: str):
        self.question, self.shown = question, shown
        self.names = question.names
        self.functions = question.functions

    def fail(self, why: str):
        raise SymbolicInputError(f"{self.shown}: {why}; you can use {_allowed(self.question)}, "
                                 "with * for products and ** or ^ for powers")

    def build(self, node):
        kind = type(node).__name__
        if isinstance(node, ast.Expression):
            return self.build(node.body)
        if isinstance(node, ast.Constant):
            return self.number(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                self.fail(f"the operator {_OPERATORS.get(type(node.op), kind)!r} is not part of a formula")
            operand = self.build(node.operand)
            return _checked(-operand if isinstance(node.op, ast.USub) else operand, self.shown)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            self.attribute(node)
        self.fail(f"{_WORDS.get(kind, 'this construct (' + kind + ')')} is not part of a formula")

    def number(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
            self.fail("text and other constants are not part of a formula")
        if isinstance(value, complex):
            raise SymbolicInputError(f"{self.shown} contains an imaginary number ({value!r}): every derivative "
                                     "here is real-valued")
        if isinstance(value, int):
            if abs(value) > _MAX_INTEGER:
                raise SymbolicInputError(f"{self.shown} contains the number {str(value)[:20]}..., far too "
                                         "large for a derivative")
            return sp.Integer(value)
        if not math.isfinite(value) or abs(value) > _MAX_FLOAT:
            raise SymbolicInputError(f"{self.shown} contains the number {value!r}, far too large for a derivative")
        return _decimal(value, self.shown)

    def name(self, name: str):
        if name in self.names:
            return _symbol(name)
        if name == "E" and "exp" in self.functions:
            return sp.E  # how SymPy prints exp(1)
        if name in FUNCTIONS and name in self.functions:
            self.fail(f"{name} is a function: write {name}(...)")
        if name in _PREFIXES:
            self.fail(f"{name} alone is not a formula")
        if name in _CONSTANTS or name == "E":
            raise SymbolicInputError(f"{self.shown}: {_CONSTANTS.get(name, _CONSTANTS['e'])}")
        self.fail(f"uses the unknown name(s) {name[:30]}{_did_you_mean(name, self.names)}")

    def binary(self, node):
        # A chain a + b - c * d ... is a left spine in Python's tree: walk it in a loop, so long sums and
        # products need no deep recursion (nor count as deep nesting in _check_size).
        spine = []
        while isinstance(node, ast.BinOp):
            spine.append(node)
            node = node.left
        result = self.build(node)
        for step in reversed(spine):
            result = self.combine(step.op, result, self.build(step.right))
        return result

    def combine(self, op, left, right):
        kind = type(op)
        if kind not in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow):
            self.fail(f"the operator {_OPERATORS.get(kind, kind.__name__)!r} is not part of a formula")
        if kind is ast.Add:
            return _checked(left + right, self.shown)
        if kind is ast.Sub:
            return _checked(left - right, self.shown)
        if kind is ast.Mult:
            return _checked(left * right, self.shown)
        if kind is ast.Div:
            if right == 0:
                raise SymbolicInputError(f"{self.shown} divides by zero")
            return _checked(left / right, self.shown)
        return _power(left, right, self.shown)

    def call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute):
            self.attribute(func, called=True)
        if not isinstance(func, ast.Name):
            self.fail("only a function's name can be called, as in exp(-z)")
        name = func.id
        if name == "phi" and name in self.functions and name in self.names and any(
                isinstance(inner, ast.Name) and inner.id == "phi" for inner in ast.walk(node)
                if inner is not func):
            raise SymbolicInputError(f"{self.shown}: phi(...) is read as phi applied to what the parentheses "
                                     "hold, so phi(1 - phi) is the logistic of 1 - phi. For a product, write the "
                                     "*: phi*(1 - phi)")
        if name not in self.functions:
            if name == "sech" and "cosh" in self.functions:
                raise SymbolicInputError(f"{self.shown} uses the unknown function sech(): sech is not available "
                                         "here, write 1/cosh(z)**2 for sech(z)**2")
            if name in self.names:
                self.fail(f"{name} is a quantity, not a function: write {name} without (...)")
            if name == "phi":
                self.fail("phi is not one of this question's names")
            known = list(self.functions)
            raise SymbolicInputError(f"{self.shown} uses the unknown function {name[:30]}()"
                                     f"{_did_you_mean(name, known)}; you can use {_allowed(self.question)}")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            self.fail(f"{name}() takes exactly one argument, as in {name}(z), without keywords or *")
        return _checked(FUNCTIONS[name](self.build(node.args[0])), self.shown)

    def attribute(self, node, called: bool = False):
        prefix = node.value.id if isinstance(node.value, ast.Name) else None
        if prefix in _PREFIXES and called:
            attr = node.attr
            if attr in self.functions:
                self.fail(f"drop the {prefix}.: write {attr}(...)")
            self.fail(f"drop the {prefix}. (formulas use plain names), and {attr[:30]}() is not one of this "
                      "question's functions")
        self.fail(f"{_WORDS['Attribute']} is not part of a formula")


def _decimal(value, shown: str) -> sp.Rational:
    """A decimal number as the exact rational its shortest text denotes: 0.1 is 1/10, not the binary double.

    The verdict compares exact values (:func:`_agreement`), so ``0.1*x`` must be ``x/10``. A decimal that needs
    more than ``_MAX_DIGITS`` digits written out exactly (1e-300 is 1/10^300) is refused: so small a number
    plays no part in a derivative here.
    """
    exact = sp.Rational(repr(float(value)))
    if max(abs(exact.p), exact.q).bit_length() > 3.33 * _MAX_DIGITS:
        raise SymbolicInputError(f"{shown} contains the number {float(value)!r}: decimals count exactly "
                                 f"(0.1 is 1/10), and this one needs more than {_MAX_DIGITS} digits, far too "
                                 "small to play a part in a derivative here")
    return exact


def _checked(expr, shown: str):
    """Refuse a freshly built node (looking at it and its direct parts, where SymPy's arithmetic lands) that is
    not a finite real number, or whose numbers grew too large; :func:`_final_check` walks the whole tree once."""
    for part in (expr, *expr.args):
        _check_atom(part, shown)
    return expr


def _check_atom(part, shown: str) -> None:
    if part in (sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise SymbolicInputError(f"{shown} is infinite or undefined somewhere (a division by zero, or log(0))")
    if part is sp.I or (part.is_number and part.is_Atom and part.is_real is False):
        raise SymbolicInputError(f"{shown} is not real-valued (an even root or a log of a negative number): "
                                 "every derivative here is real")
    if isinstance(part, sp.Rational) and max(abs(part.p), part.q).bit_length() > 3.33 * _MAX_DIGITS:
        raise SymbolicInputError(f"{shown} computes a number with more than {_MAX_DIGITS} digits, "
                                 "far too large for a derivative")
    if isinstance(part, sp.Float) and not abs(float(part)) <= 10.0 ** _MAX_DIGITS:
        raise SymbolicInputError(f"{shown} computes the number {str(part)[:20]}, far too large for a derivative")
    if isinstance(part, sp.Pow) and part.exp.is_Number and not abs(float(part.exp)) <= _MAX_EXPONENT:
        raise SymbolicInputError(f"{shown} has a power with the exponent {str(part.exp)[:30]}; exponents beyond "
                                 f"{_MAX_EXPONENT} are not plausible here")


def _final_check(expr, shown: str):
    """Walk the finished expression once: every node finite, real, of modest size (and no more than the limit)."""
    for count, part in enumerate(sp.preorder_traversal(expr)):
        if count > 20 * _MAX_NODES:
            raise SymbolicInputError(f"{shown} is too long to be a plausible answer; simplify it by hand first")
        _check_atom(part, shown)
        if part.has(sp.I) if part.is_Atom else False:
            raise SymbolicInputError(f"{shown} is not real-valued")
    return expr


def _power(base, exponent, shown: str):
    """base ** exponent, once the exponent is known to be a plain number of modest size (nested ones too)."""
    if not exponent.is_Number:
        raise SymbolicInputError(f"{shown} has the exponent {str(exponent)[:30]}: exponents must be plain numbers "
                                 "here (write e^x as exp(x))")
    limit = _MAX_EXPONENT / max(_exponent_depth(base), 1)
    if not abs(float(exponent)) <= limit:
        raise SymbolicInputError(f"{shown} has the exponent {str(exponent)[:30]}"
                                 f"{' inside another power' if limit < _MAX_EXPONENT else ''}; exponents beyond "
                                 f"{_MAX_EXPONENT} are not plausible here")
    if base.is_Number and base != 0:
        size = abs(float(exponent)) * max(abs(math.log10(abs(float(base)))) if base.is_Float else
                                          math.log10(max(abs(base.p), base.q)), 1.0)
        if size > _MAX_DIGITS:
            raise SymbolicInputError(f"{shown} computes a number with about {int(size)} digits, far too large "
                                     "for a derivative")
    if base == 0 and exponent.is_negative:
        raise SymbolicInputError(f"{shown} divides by zero")
    return _checked(base ** exponent, shown)


def _exponent_depth(expr) -> float:
    """The largest product of |exponents| of nested powers within expr (1 for none)."""
    if isinstance(expr, sp.Pow) and expr.exp.is_Number:
        return abs(float(expr.exp)) * max(_exponent_depth(expr.base), 1.0)
    if not expr.args:
        return 1.0
    return max(_exponent_depth(a) for a in expr.args)


def _parse(text: str, question: Derivative):
    shown = _shown(text)
    if len(text) > _MAX_CHARS:
        raise SymbolicInputError(f"the answer is {len(text)} characters long; a derivative here is much shorter")
    odd = next((c for c in text if not (c.isascii() and (c.isprintable() or c in " \t\n"))), None)
    if odd is not None:
        suggestion = _UNICODE.get(odd)
        raise SymbolicInputError(f"{shown} contains the character {odd!r} ({unicodedata.name(odd, 'unnamed')})"
                                 + (f": write {suggestion!r} instead" if suggestion else
                                    ": write formulas with plain ASCII letters, digits and + - * / ** ( )"))
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        why = type(error).__name__ + (f": {error.msg}" if isinstance(error, SyntaxError) else "")
        raise SymbolicInputError(f"could not read {shown} as a formula ({why[:80]}); use {_allowed(question)}, "
                                 "with * for products and ** or ^ for powers") from None
    _check_size(tree, shown)
    try:
        return _final_check(_Reader(question, shown).build(tree), shown)
    except SymbolicInputError:
        raise
    except Exception as error:  # SymPy's own arithmetic failing on an odd input: still the learner's input
        raise SymbolicInputError(f"could not read {shown} as a formula ({type(error).__name__}); use "
                                 f"{_allowed(question)}") from None


def _check_size(tree, shown: str) -> None:
    """Count nodes and nesting depth without recursion, before anything is built from the tree.

    The left operand of an arithmetic operator does not count as a level: ``a + b + c`` is a chain, read in a
    loop (``_Reader.binary``), not nesting.
    """
    count, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > _MAX_NODES:
            raise SymbolicInputError(f"{shown} is too long to be a plausible answer; simplify it by hand first")
        if depth > _MAX_DEPTH:
            raise SymbolicInputError(f"{shown} is nested more than {_MAX_DEPTH} levels deep; simplify it "
                                     "by hand first")
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.expr_context, ast.operator, ast.unaryop)):
                continue  # Load, Add, USub ...: parts of their node, not nodes of the formula
            chained = isinstance(node, ast.BinOp) and child is node.left and isinstance(child, ast.BinOp)
            stack.append((child, depth if chained else depth + 1))


# -- reading a SymPy expression: the same rules, applied to its tree -----------------------------------------

def _rebuild(expr, question: Derivative, depth: int = 0, budget: list | None = None):
    """A learner's SymPy expression rebuilt from the allowed pieces only, with the string reader's limits."""
    budget = [_MAX_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise SymbolicInputError("the answer is too long to be a plausible answer; simplify it by hand first")
    if depth > _MAX_DEPTH:
        raise SymbolicInputError(f"the answer is nested more than {_MAX_DEPTH} levels deep")
    shown = "the answer"
    if isinstance(expr, sp.Symbol):
        if expr.name not in question.names:
            raise SymbolicInputError(f"the answer uses the unknown name(s) {expr.name[:30]}"
                                     f"{_did_you_mean(expr.name, question.names)}; you can use {_allowed(question)}")
        return _symbol(expr.name)
    if expr is sp.E and "exp" in question.functions:
        return sp.E
    if expr is sp.I or expr in (sp.zoo, sp.oo, -sp.oo, sp.nan):
        _check_atom(expr, shown)
    if isinstance(expr, sp.Integer):
        if abs(int(expr)) > _MAX_INTEGER:
            raise SymbolicInputError(f"the answer contains the number {str(expr)[:20]}..., far too large "
                                     "for a derivative")
        return expr
    if isinstance(expr, sp.Float):  # the decimal SymPy prints, as the hidden check reads it from the text
        if not expr.is_finite:
            _check_atom(sp.zoo, shown)
        return _checked(_decimal(float(sp.Rational(str(expr))), shown), shown)
    if isinstance(expr, sp.Rational):
        return _checked(expr, shown)
    name = _SPECIAL.get(expr.func) or (str(expr.func) if isinstance(expr, AppliedUndef) else None)
    arithmetic = isinstance(expr, (sp.Add, sp.Mul, sp.Pow))
    if not arithmetic and (name not in question.functions or len(expr.args) != 1):
        what = f"{name}()" if name else type(expr).__name__
        raise SymbolicInputError(f"the answer uses {what[:30]}, which is not allowed here; you can use "
                                 f"{_allowed(question)}")
    args = [_rebuild(a, question, depth + 1, budget) for a in expr.args]
    if isinstance(expr, sp.Add):
        return _checked(sp.Add(*args), shown)
    if isinstance(expr, sp.Mul):
        return _checked(sp.Mul(*args), shown)
    if isinstance(expr, sp.Pow):
        return _power(args[0], args[1], shown)
    return _checked(FUNCTIONS[name](args[0]), shown)


def read_expression(answer, question: Derivative) -> sp.Expr:
    """Turn an answer into a SymPy expression in the question's variables, without evaluating any code.

    A string is read with Python's ``ast.parse`` and every node checked
    against a whitelist (numbers, the question's names, + - * / ** or ^,
    unary minus, one-argument calls of the question's functions); SymPy
    objects are then built by hand, and a SymPy expression is rebuilt from
    the same pieces. Limits on length, nesting, numbers and exponents apply
    before anything large is built, so a hostile string is refused in
    milliseconds.

    Parameters
    ----------
    answer : sympy.Expr, number or str
        A learner's derivative. Symbols are matched by name, so symbols the
        learner made with ``sympy.symbols`` work as well as the course's.
    question : Derivative
        Gives the allowed names and functions, and the definitions substituted in.

    Raises
    ------
    SymbolicInputError
        For anything that is not a real-valued formula in the allowed names.

    Examples
    --------
    >>> q = logistic_derivative()
    >>> read_expression("phi*(1 - phi)", q)
    (1 - 1/(1 + exp(-z)))/(1 + exp(-z))
    >>> read_expression("np.exp(-z)", q)
    Traceback (most recent call last):
    ...
    bp_course.symbolic.SymbolicInputError: 'np.exp(-z)': drop the np.: write exp(...); you can use z, phi; functions exp(), tanh(), cosh(), sinh(), phi(), with * for products and ** or ^ for powers
    """
    if isinstance(answer, str):
        text = answer.strip()
        if not text:
            raise SymbolicInputError("the answer is an empty string; write a formula such as "
                                     f"'{question.wrt} * 2'")
        expr = _parse(text, question)
    elif isinstance(answer, bool) or answer is None or answer is Ellipsis:
        raise SymbolicInputError(f"expected a SymPy expression or a string, got {str(answer)[:20]}")
    elif isinstance(answer, (int, float, np.integer, np.floating)):
        if not math.isfinite(float(answer)) or abs(float(answer)) > _MAX_FLOAT:
            raise SymbolicInputError(f"the answer {float(answer)!r} is not a plausible derivative here")
        expr = _decimal(float(answer), "the answer")
    elif isinstance(answer, sp.Basic):
        if not isinstance(answer, sp.Expr):
            raise SymbolicInputError(f"expected a SymPy expression, got a {type(answer).__name__} "
                                     f"({str(answer)[:40]}); an equation or a set cannot be compared")
        try:
            expr = _final_check(_rebuild(answer, question), "the answer")
        except SymbolicInputError:
            raise
        except Exception as error:
            raise SymbolicInputError(f"could not read the answer as a formula ({type(error).__name__})") from None
    else:
        raise SymbolicInputError(f"expected a SymPy expression or a string, got {type(answer).__name__}")
    return _expand_definitions(expr, question)


def _expand_definitions(expr, question: Derivative):
    definitions = {_symbol(n): e for n, e in question.definitions.items() if n not in question.variables}
    for _ in range(len(definitions) + 1):
        if not expr.free_symbols & definitions.keys():
            break
        expr = expr.xreplace(definitions)
    return expr


# -- numbers: the expression evaluated node by node with NumPy (no generated code) -----------------------

_NUMPY = {sp.exp: np.exp, sp.log: np.log, sp.tanh: np.tanh, sp.cosh: np.cosh, sp.sinh: np.sinh,
          sp.Abs: np.abs, sp.sign: np.sign}  # SymPy writes sqrt(z**2) of a real z as Abs(z), with slope sign(z)


def _points(question: Derivative, n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {v: rng.uniform(*question.domain[v], size=n) for v in question.variables}


def _evaluate(expr, points: dict, memo: dict):
    if expr in memo:
        return memo[expr]
    if isinstance(expr, sp.Symbol):
        value = points[expr.name]
    elif expr.is_Number or expr is sp.E:
        value = float(expr)
    elif isinstance(expr, sp.Add):
        value = sum(_evaluate(a, points, memo) for a in expr.args)
    elif isinstance(expr, sp.Mul):
        value = 1.0
        for a in expr.args:
            value = value * _evaluate(a, points, memo)
    elif isinstance(expr, sp.Pow):
        value = np.power(np.asarray(_evaluate(expr.base, points, memo), dtype=float), float(expr.exp))
    elif expr.func in _NUMPY and len(expr.args) == 1:
        value = _NUMPY[expr.func](np.asarray(_evaluate(expr.args[0], points, memo), dtype=float))
    else:
        raise SymbolicInputError(f"cannot evaluate {type(expr).__name__} numerically")
    memo[expr] = value
    return value


def _values(expr, question: Derivative, points: dict) -> np.ndarray:
    with np.errstate(all="ignore"):
        value = _evaluate(expr, points, {})
        return np.broadcast_to(np.asarray(value, dtype=float), points[question.variables[0]].shape)


def _matches(a, b, rtol=1e-6, atol=1e-9) -> bool:
    return bool(np.all(np.isfinite(a)) and np.allclose(a, b, rtol=rtol, atol=atol))


# -- the verdict: exact values at random points, in high precision (mpmath), node by node -----------------

class _Undefined(Exception):
    """An expression that has no finite real value at a point; the message says why, in plain words."""


def _context(digits: int):
    """A private mpmath context at ``digits`` decimal digits: never changed after creation, so threads share it."""
    context = mpmath.MPContext()
    context.dps = digits
    return context


_COARSE, _FINE = _context(_DIGITS), _context(_DIGITS_FINE)


def _exact(expr, point: dict, ctx, memo: dict):
    """The value of ``expr`` at ``point`` (name -> mpf), computed node by node in the context ``ctx``.

    Only the nodes the reader builds are known: numbers (integers and rationals, exact; E), the question's
    symbols, +, *, powers with a number as exponent, and exp, log, tanh, cosh, sinh (sqrt is a power; SymPy
    writes sqrt(z^2) of a real z as Abs(z), whose derivative is sign(z)). Anything else, and every value that
    is not a finite real number of modest size, raises :class:`_Undefined`. No code is generated or run.
    """
    if expr in memo:
        return memo[expr]
    if isinstance(expr, sp.Symbol):
        value = point[expr.name]
    elif isinstance(expr, sp.Rational):  # Integer included
        value = ctx.mpf(expr.p) / expr.q
    elif isinstance(expr, sp.Float):  # the reader makes none; a question's own expression might
        value = ctx.mpf(expr._mpf_)
    elif expr is sp.E:
        value = ctx.e + 0
    elif isinstance(expr, sp.Add):
        value = ctx.fsum(_exact(a, point, ctx, memo) for a in expr.args)
    elif isinstance(expr, sp.Mul):
        value = ctx.fprod(_exact(a, point, ctx, memo) for a in expr.args)
    elif isinstance(expr, sp.Pow) and expr.exp.is_Rational:
        value = _power_value(_exact(expr.base, point, ctx, memo), expr.exp, ctx)
    elif len(expr.args) == 1 and expr.func in _MP_FUNCTIONS:
        value = _MP_FUNCTIONS[expr.func](_exact(expr.args[0], point, ctx, memo), ctx)
    else:
        raise _Undefined(f"{type(expr).__name__} cannot be evaluated here")
    if not ctx.isfinite(value) or (value and ctx.mag(value) > _MAX_BITS):
        raise _Undefined("it overflows (a value beyond 10^300)")
    memo[expr] = value
    return value


def _power_value(base, exponent: sp.Rational, ctx):
    if base == 0 and exponent < 0:
        raise _Undefined("it divides by zero")
    if exponent.q == 1:
        return base ** int(exponent.p)
    if base < 0:
        raise _Undefined("it takes a root of a negative number (not real)")
    return ctx.power(base, ctx.mpf(exponent.p) / exponent.q)


def _bounded(function):
    def run(u, ctx):
        if abs(u) > _MAX_ARGUMENT:
            raise _Undefined(f"it overflows ({function.__name__}() of a number beyond {_MAX_ARGUMENT})")
        return function(u, ctx)
    run.__name__ = function.__name__
    return run


def _log(u, ctx):
    if u <= 0:
        raise _Undefined("it takes the log of a number <= 0")
    return ctx.log(u)


_MP_FUNCTIONS = {
    sp.exp: _bounded(lambda u, ctx: ctx.exp(u)), sp.cosh: _bounded(lambda u, ctx: ctx.cosh(u)),
    sp.sinh: _bounded(lambda u, ctx: ctx.sinh(u)), sp.log: _log,
    sp.tanh: lambda u, ctx: ctx.tanh(u) if abs(u) <= _MAX_ARGUMENT else ctx.sign(u),
    sp.Abs: lambda u, ctx: abs(u), sp.sign: lambda u, ctx: ctx.sign(u),
}
for _name, _function in zip(("exp", "cosh", "sinh"), (sp.exp, sp.cosh, sp.sinh)):
    _MP_FUNCTIONS[_function].__name__ = _name


@dataclass
class _Agreement:
    """How the answer compares with the exact derivative, point by point (see :func:`_agreement`)."""

    equal: bool
    answer: list     # mpf, or the reason (str) it has no value, at each point: 60 digits
    correct: list    # mpf at each point: 60 digits
    digits: float    # the fewest digits on which answer and derivative agree, over the points
    worst: int       # the point where they agree least


def _relative_gap(a, c, ctx):
    scale = max(abs(a), abs(c))
    return abs(a - c) / scale if scale else ctx.mpf(0)


def _agreement(expr, correct, question: Derivative, points: dict) -> _Agreement:
    """Compare the answer with the exact derivative at the check points: equal as functions, or not.

    Both are evaluated exactly node by node (:func:`_exact`) at every point
    in ``_DIGITS``-digit arithmetic, and at the first ``_FINE_POINTS`` also
    in ``_DIGITS_FINE`` digits; they must agree to all but ``_MARGIN`` digits
    of each precision. A right answer in any form does: only rounding
    separates it from the derivative. A numerical approximation does not:
    a difference quotient with step h differs from the derivative by its
    truncation error (about h^2 for a central one, h^(2k) for a Richardson
    extrapolation of order 2k), and its rounding error at precision P is
    about 10^-P / h, so agreeing to P - m digits needs h > 10^-m and
    h^(2k) < 10^-(P-m): with m = 12 and P = 500, an extrapolation of order
    more than 40, far longer than the 1000 characters an answer may have.
    The fine precision is what rules out these high orders; the coarse one,
    at every point, keeps the check fast (``benchmarks/formula_parser.py``).
    """
    n = len(points[question.variables[0]])
    answer, exact, digits, equal, worst = [], [], float(_DIGITS), True, 0
    for i in range(n):
        for ctx, precision in ((_COARSE, _DIGITS), (_FINE, _DIGITS_FINE)):
            if ctx is _FINE and (i >= _FINE_POINTS or not equal):
                break
            point = {v: ctx.mpf(float(points[v][i])) for v in question.variables}
            c = _exact(correct, point, ctx, {})
            try:
                a = _exact(expr, point, ctx, {})
            except _Undefined as why:
                a = str(why)
            except (ArithmeticError, ValueError, TypeError, RecursionError):
                a = "it cannot be evaluated there"
            if ctx is _COARSE:
                answer.append(a)
                exact.append(c)
            if isinstance(a, str):
                equal, digits, worst = False, 0.0, i
                continue
            gap = _relative_gap(a, c, ctx)
            if gap > ctx.mpf(10) ** (_MARGIN - precision):
                equal = False
                if float(-ctx.log10(gap)) < digits:
                    digits, worst = max(float(-ctx.log10(gap)), 0.0), i
    return _Agreement(equal, answer, exact, digits, worst)


# -- the proof: attempted only within a budget that bounds its time ------------------------------------

def _expansion(expr, memo: dict) -> tuple:
    """(terms, degree): upper estimates for ``expand(expr)``, counting each function value as one variable.

    An Add adds terms, a Mul multiplies them, a power (a_1 + ... + a_k)^n has
    at most C(n + k - 1, k - 1) terms; degrees add in a product and multiply
    in a power. The argument of exp(), tanh() ... counts as its own expansion
    (expand works inside it), and the generator it makes counts with the
    degree of its argument's coefficients (exp(60 z) is a 60th power).
    """
    if expr in memo:
        return memo[expr]
    if expr.is_Atom:
        result = (1, 0 if expr.is_Number or expr is sp.E else 1)
    elif isinstance(expr, sp.Add):
        parts = [_expansion(a, memo) for a in expr.args]
        result = (sum(p[0] for p in parts), max(p[1] for p in parts))
    elif isinstance(expr, sp.Mul):
        parts = [_expansion(a, memo) for a in expr.args]
        result = (math.prod(p[0] for p in parts), sum(p[1] for p in parts))
    elif isinstance(expr, sp.Pow) and expr.exp.is_Number:
        terms, degree = _expansion(expr.base, memo)
        n = math.ceil(abs(float(expr.exp)))
        result = (math.comb(n + terms - 1, terms - 1) if terms > 1 else 1, n * degree)
    else:
        inner_terms, _ = _expansion(expr.args[0], memo) if expr.args else (1, 0)
        scale = max((abs(float(c)) for c in expr.args[0].atoms(sp.Number)), default=1.0) if expr.args else 1.0
        result = (inner_terms, inner_terms * max(1, math.ceil(scale)))
    memo[expr] = result
    return result


class _ProofTimeout(BaseException):
    """Raised by the alarm of :func:`_deadline`; a BaseException, so no ``except Exception`` inside SymPy eats it."""


@contextlib.contextmanager
def _deadline(seconds: float):
    """Interrupt the block after ``seconds`` with :class:`_ProofTimeout`; yields whether the alarm is armed.

    The alarm is only set where it is safe: in the main thread (where Python runs signal handlers), on a
    system with ``setitimer``, and when no other timer is running (pytest-timeout's, say), which it would
    clobber. Elsewhere (a worker thread) it yields False and the caller must not start unbounded work. The
    previous handler is restored afterwards.
    """
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield False
        return

    def stop(signum, frame):
        raise _ProofTimeout

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _is_zero(answer, correct) -> bool | None:
    """Try to prove answer - correct == 0; None when the proof was not attempted or not finished in time.

    The proof only words the message of a right answer ("proved equal by
    SymPy"): the verdict is :func:`_agreement`'s, already taken, and stands
    whatever happens here. The hidden check (``hidden.Derivation``) never
    asks for it. The proof (``cancel`` of the expanded difference, every
    function rewritten as exp) is the costly step, and its cost cannot be
    predicted well: add-ons such as 1e-30 (x1 + ... + t)^10, or a dozen
    fractions 1/(2 + exp(w1)) each with a new exp, made it run for minutes.
    So it runs only under two bounds, and not at all where the second is
    unavailable (a worker thread):

    * a **budget**, deterministic: the answer's estimated expansion
      (:func:`_expansion`) may have at most twice the terms of the correct
      derivative's plus 8, and at most 4 more degrees, and never more than
      ``_MAX_PROOF_TERMS`` terms or ``_MAX_PROOF_DEGREE`` degrees. Every
      right answer the course expects is far inside it; bulky add-ons are
      not attempted at all.
    * a **deadline** of ``_PROOF_SECONDS`` by ``SIGALRM``, for what the
      budget lets through (see :func:`_deadline`). A clock alone would make
      the message depend on the machine's load, and a thread cannot be
      killed; a subprocess per check would cost a second (importing SymPy)
      and cannot be forked safely from a multi-threaded kernel. Right answers
      are proved in well under a second, so the deadline only cuts off
      hostile input (``benchmarks/formula_parser.py`` measures both).
    """
    try:
        with _deadline(_PROOF_SECONDS) as armed:
            if not armed:
                return None
            given, wanted = answer.rewrite(sp.exp), correct.rewrite(sp.exp)
            terms, degree = _expansion(given, {})
            limit_terms, limit_degree = _expansion(wanted, {})
            if (terms > min(2 * limit_terms + 8, _MAX_PROOF_TERMS)
                    or degree > min(limit_degree + 4, _MAX_PROOF_DEGREE)):
                return None
            return sp.cancel(sp.together(sp.expand(given - wanted))) == 0
    except _ProofTimeout:
        return None
    except Exception:  # SymPy may give up; the numeric verdict stands
        return False


def _candidates(question: Derivative, correct):
    """Plausible wrong answers: (short name, expression, hint), specific ones first."""
    for name, expr, hint in question.mistakes:
        yield name, _expand_definitions(expr, question), hint
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


def check_derivative(answer, question: Derivative, *, n_points: int = 6, seed: int = 0,
                     prove: bool = True) -> Verdict:
    """Check a hand-derived derivative: is it equal, as a function, to the exact derivative?

    Parameters
    ----------
    answer : sympy.Expr or str
        The learner's derivative.
    question : Derivative
        What was asked.
    n_points : int, optional
        How many random points the comparison uses.
    seed : int, optional
        Seed of those points (fixed, so feedback is reproducible).
    prove : bool, optional
        Whether to try, for a right answer's message, a symbolic proof
        (:func:`_is_zero`; bounded by an alarm, so only on the main thread).
        The verdict never depends on it; the grader passes False.

    Returns
    -------
    Verdict

    Raises
    ------
    SymbolicInputError
        When the answer cannot be read as a formula in the allowed names.

    Notes
    -----
    The verdict is :func:`_agreement`'s: the answer and SymPy's exact
    derivative of the question's function, evaluated node by node in
    60-digit (and, at two points, 500-digit) arithmetic, must agree to all
    but a dozen digits at every random point. A numerical approximation,
    such as a difference quotient, agrees to a few digits only and is named
    as such. The float64 values serve the messages: a named mistake
    (:func:`_candidates`) or a point where the answer goes wrong.

    Examples
    --------
    >>> q = logistic_derivative()
    >>> check_derivative("phi * (1 - phi)", q).correct
    True
    >>> check_derivative("phi * (1 + phi)", q).mistake
    'phi (1 + phi)'
    >>> check_derivative("(phi(z + 0.00001) - phi(z - 0.00001)) / 0.00002", q).mistake
    'difference quotient'
    """
    expr = read_expression(answer, question)
    correct = question.correct()
    points = _points(question, n_points, seed)
    try:
        agreement = _agreement(expr, correct, question, points)
    except RecursionError:
        raise SymbolicInputError("the answer is nested too deeply to be evaluated") from None
    if agreement.equal and _steps_by_h(expr, question.wrt):
        hint = (f"this is a difference quotient, as in (f({question.wrt} + h) - f({question.wrt})) / h: here it "
                f"happens to equal the derivative exactly, since the function is a polynomial of low degree in "
                f"{question.wrt}, but the exercise asks for the derivative's own formula. Simplify it until no step "
                f"h is left, or derive it with the rules.")
        return Verdict(False, False, "difference quotient", f"{question.title} is not right yet: {hint}", hint=hint)
    if agreement.equal:
        proved = _is_zero(expr, correct) if prove else None
        how = (f"proved equal by SymPy and confirmed numerically at {n_points} points" if proved else
               f"it equals the exact derivative at {n_points} random points, to {_DIGITS - _MARGIN} digits and "
               f"more" + ("; SymPy could not simplify the difference to 0" if proved is False else ""))
        return Verdict(True, bool(proved), None, f"{question.title} is right: {how}.")
    return _diagnosis(expr, correct, question, points, agreement)


def _diagnosis(expr, correct, question: Derivative, points: dict, agreement: _Agreement) -> Verdict:
    """The Verdict of a wrong answer: a named mistake, a near miss, or a point where it goes wrong."""
    got = np.array([np.nan if isinstance(a, str) else float(a) for a in agreement.answer])
    reference = np.array([float(c) for c in agreement.correct])
    at_point = lambda i: ", ".join(f"{v}={points[v][i]:.3g}" for v in question.variables)  # noqa: E731
    if isinstance(agreement.answer[agreement.worst], str):
        return Verdict(False, False, None, f"{question.title} is not right yet: your formula has no value at "
                                           f"{at_point(agreement.worst)}: {agreement.answer[agreement.worst]}; "
                                           f"the derivative there is {reference[agreement.worst]:.6g}.")
    if agreement.digits >= 3:
        return _near_miss(expr, question, agreement.digits, at_point(agreement.worst))
    for name, candidate, hint in _candidates(question, correct):
        try:
            values = _values(candidate, question, points)
        except Exception:  # a candidate NumPy cannot evaluate names no mistake
            continue
        if _matches(values, reference):
            continue  # a candidate equal to the right answer names no mistake
        if _matches(got, values):
            return Verdict(False, False, name, f"{question.title} is not right yet: {hint}", hint=hint)
    worst = int(np.argmax(np.abs(got - reference)))
    return Verdict(False, False, None, f"{question.title} is not right yet: at {at_point(worst)} your formula "
                                       f"gives {got[worst]:.6g}, but the derivative is {reference[worst]:.6g}.")


def _near_miss(expr, question: Derivative, digits: float, at: str) -> Verdict:
    """An answer that agrees with the derivative to some digits but is not equal to it as a function."""
    agree = f"it agrees with the derivative to about {int(digits)} digits at {at}"
    if _steps_by_h(expr, question.wrt):
        hint = (f"this is a numerical approximation of the derivative (a difference quotient), not the derivative "
                f"itself: {agree}, but a derivative is an exact formula. Derive it with the rules (the chain "
                f"rule, the quotient rule) instead of stepping {question.wrt} by a small h.")
        return Verdict(False, False, "difference quotient", f"{question.title} is not right yet: {hint}", hint=hint)
    hint = (f"your formula comes close to the derivative but is not equal to it: {agree}. A numerical "
            "approximation (a difference quotient), a rounded number (0.333 for 1/3) or a small added term each "
            "make such a near miss; the derivative is an exact formula.")
    return Verdict(False, False, "approximation", f"{question.title} is not right yet: {hint}", hint=hint)


def _steps_by_h(expr, wrt: str) -> bool:
    """Whether ``wrt`` appears shifted by a number somewhere, as in f(z + h): a difference quotient's mark.

    SymPy adds up the numbers of a sum as it builds it (``y + 1 - 1`` is ``y``), so a shift that is left
    stands inside a product or a function, where no derivative of the course's questions has one.
    """
    variable = _symbol(wrt)
    for part in sp.preorder_traversal(expr):
        if isinstance(part, sp.Add) and any(a.is_Number for a in part.args) \
                and any(a == variable or (a.is_Mul and variable in a.args) for a in part.args):
            return True
    return False


# -- the lessons' models --------------------------------------------------------------

_LESSON_03 = ("exp", "tanh", "cosh", "sinh", "phi")
"""Functions Lesson 03 teaches (phi, the logistic, in Section 1; tanh = sinh / cosh in Section 5): an answer
may call them in Lessons 03 and 04, as ``phi(z)``, ``phi(net)``, ``phi(2*z)``."""
_LESSON_08 = ("exp", "log", "phi")
"""Exercise 08.4 names exp and log; phi is the course's notation since Lesson 03."""

def logistic_derivative() -> Derivative:
    r"""Lesson 03: d phi / d z for the logistic phi(z) = 1 / (1 + e^{-z}).

    An answer may use ``z`` and ``phi`` (which stands for phi(z)).
    """
    (z,) = symbols("z")
    phi = _phi(z)
    return Derivative(
        title="dphi/dz", of=phi, wrt="z", variables=("z",), definitions={"phi": phi},
        numeric=lambda z: logistic(z), domain={"z": (-4.0, 4.0)}, functions=_LESSON_03,
        mistakes=(
            ("phi (1 + phi)", phi * (1 + phi), "phi (1 + phi) has the wrong sign inside: the derivative is phi (1 - phi)."),
            ("unsquared denominator", sp.exp(-z) / (1 + sp.exp(-z)), "the denominator (1 + e^-z) must be squared: d/dz (1 + e^-z)^-1 "
                                            "= -(1 + e^-z)^-2 * (-e^-z)."),
            ("sign", -sp.exp(-z) / (1 + sp.exp(-z)) ** 2, "the sign is wrong: the inner derivative of e^-z is -e^-z, "
                                                  "and it meets the - of the power rule."),
            ("phi^2", phi ** 2, "phi^2 is missing the e^-z: the derivative is phi (1 - phi)."),
            ("phi itself", phi, "that is phi itself; the exercise asks for its derivative: apply the chain rule "
                                "to (1 + e^-z)^-1."),
            ("z for phi", z * (1 - z), "that has the input z where the output belongs: in the shortcut both "
                                       "factors are phi (that is, phi(z)), not z."),
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
        numeric=lambda z: np.tanh(z), domain={"z": (-2.5, 2.5)}, functions=_LESSON_03,
        mistakes=(
            ("logistic pattern", th * (1 - th), "tanh (1 - tanh) is the logistic's pattern phi (1 - phi); "
                                                "tanh' has its own: 1 - tanh^2."),
            ("1 + tanh^2", 1 + th ** 2, "the sign is wrong: d/dz tanh = 1 - tanh^2, which is at most 1."),
            ("1 - tanh", 1 - th, "the tanh is not squared: d/dz tanh = 1 - tanh(z)^2."),
            ("cosh^2", sp.cosh(z) ** 2, "cosh^2 is upside down: d/dz tanh = 1 / cosh^2 = 1 - tanh^2."),
            ("inner 2z", 2 * _phi(2 * z) * (1 - _phi(2 * z)),
             "the chain-rule factor of the inner function is missing: tanh(z) = 2 phi(2z) - 1, and "
             "d/dz phi(2z) = phi'(2z) * 2, so the factor 2 of the inner 2z multiplies the 2 in front."),
        ),
    )


NET_FOR_OUT = ("o (1 - o) is applied to the net input: net (1 - net) is not the slope. phi'(net) = o (1 - o) "
               "takes the neuron's output o = phi(net), here y (1 - y).")
"""The hint for the output and the net input mixed up in the logistic's slope (Lessons 04-06)."""


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

    lesson = {"functions": _LESSON_03}
    return {
        "dE/dy": Derivative(
            title="dE/dy", of=sp.Rational(1, 2) * (t - y_) ** 2, wrt="y", variables=("y", "t"), definitions={},
            numeric=lambda y, t: 0.5 * (t - y) ** 2, domain=domain, squared_error=True, **lesson),
        "dy/dnet": Derivative(
            title="dy/dnet", of=_phi(net_), wrt="net", variables=("net",), definitions={"y": _phi(net_)},
            numeric=lambda net: logistic(net), domain=domain, **lesson,
            mistakes=(("phi'(out)", phi_prime_of_out.xreplace({y_: _phi(net_)}),
                       "that is phi'(y), the derivative evaluated at the output: evaluate phi' at net, "
                       "phi'(net) = y (1 - y)."),
                      ("net (1 - net)", net_ * (1 - net_), NET_FOR_OUT))),
        "dnet/dw1": Derivative(
            title="dnet/dw1", of=net, wrt="w1", variables=weights[:4], definitions={"net": net},
            numeric=lambda x1, x2, w1, w2: w1 * x1 + w2 * x2, domain=domain, **lesson,
            mistakes=(("weight for input", w1, "that is the weight w1; net changes with w1 at the rate of its input, x1."),
                      ("constant 1", sp.Integer(1), "only one term of net depends on w1, and it is w1 * x1, so the rate is x1."))),
        "dE/dw1": Derivative(
            title="dE/dw1", of=E, wrt="w1", variables=weights, definitions={"net": net, "y": y},
            numeric=numeric_E, domain=domain, squared_error=True, **lesson,
            factors={"x1 (dnet/dw1, Eq. 2)": x1, "y (1 - y) (dy/dnet, Eq. 3)": y * (1 - y),
                     "y - t (dE/dy, Eq. 4)": y - t},
            mistakes=(("phi'(out)", (y - t) * _phi(y) * (1 - _phi(y)) * x1,
                       "phi' is evaluated at the output y: Eq. 3 needs phi'(net) = y (1 - y), not phi'(y)."),
                      ("net (1 - net)", (y - t) * net * (1 - net) * x1, NET_FOR_OUT))),
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
            numeric=numeric_y1, domain=domain, functions=_LESSON_08,
            mistakes=(("y1", y1, "that is y1 itself: the numerator e^net1 gives y1, but net1 is also in the "
                                 "denominator, which subtracts y1^2: y1 (1 - y1)."),)),
        "dy1/dnet2": Derivative(
            title="dy1/dnet2", of=y1, wrt="net2", variables=softmax_vars, definitions=definitions,
            numeric=numeric_y1, domain=domain, functions=_LESSON_08,
            mistakes=(("diagonal", y1 * (1 - y1), jacobian_hint),
                      ("diagonal of y2", y2 * (1 - y2), jacobian_hint),
                      ("zero", sp.Integer(0), "y1 does depend on net2: e^net2 is in the denominator of every "
                                              "softmax output. Differentiate e^net1 / sum with the quotient rule."))),
        "dE/dnet1": Derivative(
            title="dE/dnet1", of=E, wrt="net1", variables=ce_vars, definitions=definitions,
            numeric=numeric_E, domain=domain, functions=_LESSON_08,
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
