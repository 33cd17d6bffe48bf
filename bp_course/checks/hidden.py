"""Hidden checks: how the grader judges an exercise outside the student's kernel.

Each lesson's checks module ends with ``HIDDEN = {exercise: spec}``. The
visible check cell runs in the student's kernel, where code can interfere
with it (monkeypatching ``np.allclose``, say). A hidden check cannot be
touched that way: the kernel only *computes* the student's values, a probe
(:mod:`bp_course.grading.probe`) shows them as plain JSON in its own cell's
output (recorded by the grader as the cell runs), and
the grading process compares them with the reference.

Three kinds of spec:

* :class:`Function` for answers that are functions. The grader draws fresh
  inputs at grading time (``cases(rng)``), the kernel calls the student's
  function on them, and the grader compares the results with the
  reference's on the same inputs.
* :class:`Value` for answers that are values (numbers, arrays, dicts, a
  tuple). The kernel only serializes them; the grader runs the lesson's
  own check function on them, in its own process.
* :class:`Derivation` for formulas checked by :mod:`bp_course.symbolic`:
  the grader re-checks the formula at check points drawn from a seed chosen
  at grading time.

Adding an exercise: write its visible check in ``lessonNN.py`` and add one
entry to that module's ``HIDDEN``; ``tests/test_hidden.py`` proves that
every exercise of every lesson has a hidden check, that the reference
solution passes it and that a wrong answer fails it.
"""

from __future__ import annotations

import contextlib
import decimal
import fractions
import importlib
import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:  # SymPy loads where a formula is judged, not in every kernel that probes a function
    from bp_course import symbolic

__all__ = ["Function", "Value", "Derivation", "Verdict", "spec", "to_json", "from_json", "numbers", "linear_batches",
           "call_each", "probe_plan"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one exercise's hidden checks.

    Attributes
    ----------
    passed, total : int
        How many hidden checks passed, out of how many.
    """

    passed: int
    total: int

    @property
    def ok(self) -> bool:
        """True when every hidden check passed (and there was at least one)."""
        return self.total > 0 and self.passed == self.total


def spec(exercise: str):
    """The hidden check of an exercise (``"07.4"``), from ``HIDDEN`` in its lesson's checks module."""
    return importlib.import_module(f"bp_course.checks.lesson{exercise[:2]}").HIDDEN[exercise]


def linear_batches(rng, count: int = 3) -> list:
    """Random cases ``(w, x, t)`` of a linear neuron: k weights, a batch of n examples, n targets (Lessons 01-02)."""
    cases = []
    for _ in range(count):
        n, k = rng.integers(1, 6), rng.integers(1, 4)
        cases.append((rng.normal(size=k), rng.normal(size=(n, k)), rng.normal(size=n)))
    return cases


def numbers(value):
    """A result as nested lists of floats, for comparison and JSON.

    A list of arrays of one shape (a path returned as a list of rows) is
    stacked, as ``np.array`` would; arrays of different shapes (a list of
    gradients) are laid end to end.
    """
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        if len({v.shape for v in value}) == 1:
            value = np.stack(value)
        else:
            value = np.concatenate([np.ravel(v) for v in value])
    return np.asarray(value, dtype=np.float64).tolist()


def _close(got, expected, rtol, atol) -> bool:
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=np.float64)
    if got.size == expected.size == 1:
        got = got.reshape(expected.shape)
    return got.shape == expected.shape and bool(np.all(np.isfinite(got))) and bool(
        np.allclose(got, expected, rtol=rtol, atol=atol))


def _numeric(value) -> bool:
    try:
        np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def _plain_call(fn, *case):
    return fn(*case)


def _qualified(fn) -> str:
    """``module:name`` of a module-level function, for the kernel to import (it never receives the function)."""
    if "." in fn.__qualname__ or "<" in fn.__qualname__:
        raise ValueError(f"{fn.__qualname__} must be a module-level function: the kernel imports it by name")
    return f"{fn.__module__}:{fn.__qualname__}"


def call_each(fn, cases, call=None, reduce=None) -> list:
    """``fn`` on every case: ``{"value": ...}`` or ``{"error": "..."}`` each.

    Runs in the kernel's probe on the student's function (with no reference
    in reach) and in the grader on the reference, so both go through the
    same ``call`` and ``reduce``.
    """
    call, reduce = call or _plain_call, reduce or numbers
    out = []
    for case in cases:
        try:
            with np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
                out.append({"value": reduce(call(fn, *case))})
        except Exception as error:  # the student's function may raise anything
            out.append({"error": f"{type(error).__name__}: {error}"[:300]})
    return out


def probe_plan(spec, cases) -> dict:
    """What the probe of an exercise needs in the kernel: never the reference, only names and inputs."""
    if isinstance(spec, Function):
        return spec.plan(cases)
    return {"kind": "values", "names": list(spec.names)}


@dataclass(frozen=True)
class Function:
    """A hidden check of a function answer on inputs drawn at grading time.

    Parameters
    ----------
    name : str
        The name the answer cell defines (``"squared_error"``).
    cases : callable
        ``cases(rng) -> list of tuples``: the inputs, drawn from the grader's
        generator. They are pickled into the probe cell (data to the kernel;
        results come back as JSON), so they hold arrays, numbers, strings and
        module-level functions only.
    reference : callable
        The correct function.
    call : callable, optional
        ``call(fn, *case)``: how the kernel and the grader call a function on
        a case, when that is more than ``fn(*case)`` (building a network
        from a seed, say). A module-level function: the kernel imports it by
        name, as the spec itself (and its reference) never reaches the kernel.
    reduce : callable, optional
        Result -> JSON-able value; :func:`numbers` by default. Module-level too.
    rtol, atol : float
        Tolerances of the comparison, for numeric results.
    """

    name: str
    cases: Callable
    reference: Callable
    call: Callable = _plain_call
    reduce: Callable = numbers
    rtol: float = 1e-6
    atol: float = 1e-9

    @property
    def names(self) -> tuple:
        """The answer names the probe reads from the kernel."""
        return (self.name,)

    def results(self, fn, cases) -> list:
        """``fn`` on every case: ``{"value": ...}`` or ``{"error": "..."}`` each (the grader's side; see :func:`call_each`)."""
        return call_each(fn, cases, self.call, self.reduce)

    def plan(self, cases) -> dict:
        """What the kernel's probe needs: the answer's name, the inputs, and the call/reduce helpers by name only."""
        return {"kind": "function", "names": [self.name], "cases": cases,
                "call": None if self.call is _plain_call else _qualified(self.call),
                "reduce": None if self.reduce is numbers else _qualified(self.reduce)}

    def judge(self, probed, cases, seed) -> Verdict:
        """Compare the kernel's results with the reference's on the same cases (runs in the grader)."""
        expected = self.results(self.reference, cases)
        if not isinstance(probed, list) or len(probed) != len(cases):
            return Verdict(0, len(cases))
        good = 0
        for got, want in zip(probed, expected):
            if not isinstance(got, dict) or "value" not in got:
                continue
            if _numeric(want["value"]):
                good += _close(got["value"], want["value"], self.rtol, self.atol)
            else:  # names, verdicts: compared exactly
                good += got["value"] == want["value"]
        return Verdict(good, len(cases))


@dataclass(frozen=True)
class Value:
    """A hidden check of value answers: the lesson's check, run by the grader on the serialized values.

    Parameters
    ----------
    names : tuple of str
        The names the answer cell assigns, in the order the check takes them.
    check : callable
        The lesson's check function, ``check(*values)``.
    """

    names: tuple
    check: Callable

    def judge(self, probed, cases, seed) -> Verdict:
        if not isinstance(probed, list) or len(probed) != len(self.names):
            return Verdict(0, 1)
        try:
            values = [from_json(v) for v in probed]
            with contextlib.redirect_stdout(io.StringIO()):
                self.check(*values)
        except Exception:  # CheckFailed, NotAttempted, or a malformed value: each fails like a wrong answer
            return Verdict(0, 1)
        return Verdict(1, 1)


@dataclass(frozen=True)
class Derivation:
    """A hidden check of a formula, at check points drawn from the grading seed.

    Parameters
    ----------
    name : str
        The name the answer cell assigns (a string or a SymPy expression).
    question : bp_course.symbolic.Derivative
        What was asked.
    """

    name: str
    question: symbolic.Derivative

    @property
    def names(self) -> tuple:
        return (self.name,)

    def judge(self, probed, cases, seed) -> Verdict:
        """1 of 1 for a right formula, 0 of 1 otherwise; never raises, whatever the probed text holds.

        The text is read by :func:`bp_course.symbolic.read_expression`, which
        evaluates none of it; any error at all (a refused formula, or one that
        SymPy or NumPy chokes on) fails the exercise like a wrong answer. The
        verdict is exact equality with the derivative at 8 points drawn from
        the seed (:func:`bp_course.symbolic._agreement`), bounded by the
        reader's limits; the symbolic proof, whose time no alarm can bound in
        the grader's worker threads, is not run (``prove=False``).
        """
        try:
            if not isinstance(probed, list) or len(probed) != 1:
                return Verdict(0, 1)
            answer = from_json(probed[0])
            if not isinstance(answer, (str, int, float)) or isinstance(answer, bool):
                return Verdict(0, 1)
            from bp_course import symbolic

            verdict = symbolic.check_derivative(str(answer), self.question, n_points=8, seed=seed,
                                                 prove=False)
            return Verdict(int(verdict.correct), 1)
        except Exception:  # SymbolicInputError, or anything a hostile string provokes: a failing verdict
            return Verdict(0, 1)


# -- plain JSON for values crossing from the kernel to the grader ----------------------------------

def to_json(value, depth: int = 0):
    """A value as JSON-able data, tagged so :func:`from_json` can rebuild it (runs in the kernel).

    Numbers, strings, None and Ellipsis; lists, tuples and dicts of them;
    NumPy arrays; SymPy expressions (as their text). Exact numbers
    (``Fraction``, ``Decimal``, SymPy's ``Rational``, ``Integer``, ``Float``)
    become floats (integers stay integers), as a float is what a check
    expects. Anything else becomes its type name, which no check accepts.
    """
    if depth > 20:
        return {"type": "too deep"}
    if value is Ellipsis:
        return {"type": "ellipsis"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, fractions.Fraction, decimal.Decimal)) or _sympy_number(value):
        if getattr(value, "is_Integer", False):
            return int(value)
        try:
            value = float(value)
        except (TypeError, ValueError, OverflowError):
            return {"type": "unsupported", "name": type(value).__name__}
        return value if math.isfinite(value) else {"type": "float", "text": repr(value)}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return {"type": "array", "data": to_json(value.tolist(), depth + 1)}
    if isinstance(value, np.ndarray) and value.dtype.kind == "O":  # exact numbers in an array: as floats
        try:
            return {"type": "array", "data": to_json(value.astype(np.float64).tolist(), depth + 1)}
        except (TypeError, ValueError):
            return {"type": "unsupported", "name": "ndarray of objects"}
    if isinstance(value, (list, tuple)):
        return {"type": type(value).__name__, "items": [to_json(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"type": "dict", "items": [[to_json(k, depth + 1), to_json(v, depth + 1)] for k, v in value.items()]}
    if type(value).__module__.startswith("sympy"):
        return {"type": "formula", "text": str(value)}
    return {"type": "unsupported", "name": type(value).__name__}


def _sympy_number(value) -> bool:
    return type(value).__module__.startswith("sympy") and getattr(value, "is_Number", False) is True


def from_json(data):
    """Rebuild a value written by :func:`to_json` (runs in the grader; never evaluates code)."""
    if not isinstance(data, dict):
        return data
    kind = data.get("type")
    if kind == "ellipsis":
        return Ellipsis
    if kind == "float":
        return float(data["text"])
    if kind == "array":
        return np.asarray(from_json(data["data"]), dtype=np.float64)
    if kind in ("list", "tuple"):
        items = [from_json(v) for v in data["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        return {_hashable(from_json(k)): from_json(v) for k, v in data["items"]}
    if kind == "formula":
        return str(data["text"])
    raise ValueError(f"a value of an unsupported type ({data.get('name', kind)})")


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key
