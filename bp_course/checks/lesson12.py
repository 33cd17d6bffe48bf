"""Checks for Lesson 12, "From backprop to automatic differentiation".

The learner's scalar reverse-mode engine, piece by piece: the local
derivatives of ``+`` and ``*`` (12.1) and of ``**``, ``exp``, ``logistic``
and ``tanh`` (12.2), each run on tiny graphs built with the learner's own
``Value`` class; ``backward()`` by a topological order (12.3), run on graphs
of the reference engine :mod:`bp_course.autodiff`, so its verdict does not
depend on 12.1-12.2; the tangent rules of dual numbers (12.4);
backpropagation through time for a one-unit recurrent network (12.5); and
the gradient of a shared convolution kernel (12.6).

Each check names the plausible mistake that explains every case it tried
("overwrote the gradient at a fan-out", "used the output instead of the
input", "forgot to seed the output gradient with 1", "visited a node before
all its parents" ...).
"""

from __future__ import annotations

import math

import numpy as np

from bp_course import autodiff, datasets
from bp_course.checks import hidden
from bp_course.checks.core import require  # noqa: F401 -- the lesson's narrative cells call check.require
from bp_course.checks.core import CheckFailed, Mistake, NotAttempted, _ShortError, expect_function, passed

__all__ = ["HIDDEN", "add_and_mul", "power_and_activations", "backward", "dual", "bptt", "kernel_gradient"]

_TOL = {"rtol": 1e-6, "atol": 1e-9}
"""One tolerance for the visible and the hidden checks: float32 arithmetic passes, any real slip does not."""


def _close(got, expected) -> bool:
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=np.float64)
    return got.shape == expected.shape and bool(np.all(np.isfinite(got))) and bool(np.allclose(got, expected, **_TOL))


def _num(v) -> str:
    return f"{v:.6g}"


# -- 12.1 and 12.2: one operation's forward step and local derivative ---------------------------------------------

_BINARY = ("add", "mul")
_SYMBOL = {"add": "a + b", "mul": "a * b", "pow": "a ** {k:g}", "exp": "a.exp()", "logistic": "a.logistic()",
           "tanh": "a.tanh()"}


def _apply(op, args, k):
    """Apply an operation through the operators and methods of whatever Value class made ``args``."""
    if op == "add":
        return args[0] + args[1]
    if op == "mul":
        return args[0] * args[1]
    if op == "pow":
        return args[0] ** k
    return getattr(args[0], op)()


def run_op(Value, op, k, leaves, grads, uses, g):
    """Build one operation on fresh leaves of ``Value`` and run its ``_backward`` once (kernel and grader).

    Parameters
    ----------
    Value : class
        The learner's (or the reference) Value class.
    op : str
        ``"add"``, ``"mul"``, ``"pow"``, ``"exp"``, ``"logistic"`` or ``"tanh"``.
    k : float
        The exponent of ``"pow"`` (ignored otherwise).
    leaves, grads : list of float
        The leaves' values, and the gradients they already hold (from other uses).
    uses : list of int
        Which leaf is each input of the operation (``[0, 0]``: a leaf used twice).
    g : float
        The gradient ``out.grad`` arriving from above.

    Returns
    -------
    list of float
        ``[out.data, leaf 0's grad, leaf 1's grad, ...]`` after ``out._backward()``.
    """
    nodes = [Value(v) for v in leaves]
    for node, g0 in zip(nodes, grads):
        node.grad = g0
    out = _apply(op, [nodes[i] for i in uses], k)
    out.grad = g
    out._backward()
    return [out.data] + [node.grad for node in nodes]


def _local(op, k, x, out, flaw):
    """The local derivatives d out / d input_i, right or with one flaw (for naming mistakes)."""
    if op == "add":
        return [1.0, 1.0]
    if op == "mul":
        return {"swapped": [x[0], x[1]], "like_add": [1.0, 1.0]}.get(flaw, [x[1], x[0]])
    a = x[0]
    if op == "pow":
        return [{"no_k": a ** (k - 1), "no_lower": k * a ** k, "output": k * out ** (k - 1)}.get(flaw, k * a ** (k - 1))]
    if op == "exp":
        return [a if flaw == "input" else out]
    if op == "logistic":
        return [{"input": a * (1 - a), "no_one_minus": out}.get(flaw, out * (1 - out))]
    return [{"input": 1 - a ** 2, "no_square": 1 - out}.get(flaw, 1 - out ** 2)]


def _forward(op, k, x):
    if op == "add":
        return x[0] + x[1]
    if op == "mul":
        return x[0] * x[1]
    if op == "pow":
        return x[0] ** k
    if op == "exp":
        return math.exp(x[0])
    if op == "logistic":
        return 1 / (1 + math.exp(-x[0]))
    return math.tanh(x[0])


def _simulate(op, k, leaves, grads, uses, g, flaw=None):
    """What a learner's operation with one flaw gives on a case of :func:`run_op`."""
    x = [leaves[i] for i in uses]
    out = _forward(op, k, x)
    result = list(grads)
    for position, (i, d) in enumerate(zip(uses, _local(op, k, x, out, flaw))):
        contribution = d if flaw == "no_chain" else d * g
        overwrite = flaw == "overwrite" or (flaw == "overwrite_b" and position == 1)
        result[i] = contribution if overwrite else result[i] + contribution
    return [out] + result


_OVERWRITE = ("you overwrote the gradient at a fan-out: `a.grad = ...` throws away what other uses of `a` have "
              "already sent back. A value used twice (a * a, or a weight used at every time step) gets the sum of "
              "the gradients from all its uses, so add to it: `+=`.")
_NO_CHAIN = ("the local derivative is not multiplied by out.grad, the gradient arriving from above. By the chain "
             "rule, d E/d a = (d E/d out) (d out/d a): out.grad times the local derivative.")
_OP_FLAWS = {
    "add": [("overwrite_b", "`b.grad = ...` overwrites what b already held (and, in `a + a`, a's first share): "
                            "write `+=` for b as for a.")],
    "mul": [("swapped", "each factor's derivative is the *other* factor: d(a b)/da = b, so a's gradient gets "
                        "b.data * out.grad."),
            ("like_add", "that is the rule of +, which passes out.grad on unchanged; for a * b the local derivative "
                         "with respect to a is b: a.grad += b.data * out.grad, and b.grad += a.data * out.grad."),
            ("overwrite_b", "`b.grad = ...` overwrites what b already held (and, in `a * a`, a's first share): "
                            "write `+=` for b as for a.")],
    "pow": [("no_k", "the factor k is missing: d(a^k)/da = k a^(k-1)."),
            ("no_lower", "the exponent must drop by one: d(a^k)/da = k a^(k-1), not k a^k."),
            ("output", "you used the output instead of the input: k a^(k-1) is taken at the input a.data, not at "
                       "out.data = a^k.")],
    "exp": [("input", "the derivative of e^a is e^a itself, which is the *output* out.data; you used the input "
                      "a.data.")],
    "logistic": [("input", "you used the input instead of the output: phi'(a) = phi(a) (1 - phi(a)) takes the "
                           "output phi(a) = out.data (Lesson 03), not the input a.data."),
                 ("no_one_minus", "the factor (1 - phi) is missing: phi' = phi (1 - phi).")],
    "tanh": [("input", "you used the input instead of the output: tanh'(a) = 1 - tanh(a)^2 squares the output "
                       "out.data = tanh(a), not the input a.data."),
             ("no_square", "tanh'(a) = 1 - tanh(a)^2: the output must be squared.")],
}

# (op, k, leaves, grads already held, uses, out.grad): each operation on plain inputs, on inputs that already hold
# a gradient from another use, and (for + and *) on one input used twice.
_OP_CASES = {
    "add": [("add", 0.0, [2.0, -3.0], [0.0, 0.0], [0, 1], 1.0),
            ("add", 0.0, [0.5, 1.5], [0.25, -1.0], [0, 1], 0.5),
            ("add", 0.0, [1.5], [0.0], [0, 0], 2.0)],
    "mul": [("mul", 0.0, [2.0, -3.0], [0.0, 0.0], [0, 1], 1.0),
            ("mul", 0.0, [0.5, 4.0], [0.25, -1.0], [0, 1], -0.5),
            ("mul", 0.0, [1.5], [0.5], [0, 0], 2.0)],
    "pow": [("pow", 3.0, [1.5], [0.0], [0], 1.0),
            ("pow", 3.0, [0.0], [0.0], [0], 1.0),
            ("pow", 1.0, [0.0], [0.5], [0], 2.0),
            ("pow", 2.0, [-0.7], [0.25], [0], 0.5),
            ("pow", -1.0, [2.0], [0.0], [0], -1.5)],
    "exp": [("exp", 0.0, [0.3], [0.0], [0], 1.0),
            ("exp", 0.0, [-1.2], [0.1], [0], 0.5)],
    "logistic": [("logistic", 0.0, [0.4], [0.0], [0], 1.0),
                 ("logistic", 0.0, [-2.0], [-0.3], [0], 2.0)],
    "tanh": [("tanh", 0.0, [0.5], [0.0], [0], 1.0),
             ("tanh", 0.0, [-1.1], [0.2], [0], 0.7)],
}


def _describe(case) -> str:
    op, k, leaves, grads, uses, g = case
    if op in _BINARY and uses == [0, 0]:
        text = f"{_SYMBOL[op].replace('b', 'a')} with a = {_num(leaves[0])} (one value used twice: a fan-out)"
    else:
        names = ["a", "b"][:len(leaves)]
        text = _SYMBOL[op].format(k=k) + " with " + ", ".join(f"{n} = {_num(v)}" for n, v in zip(names, leaves))
    held = [f"{n}.grad = {_num(v)}" for n, v in zip(["a", "b"], grads) if v != 0]
    if held:
        text += f" ({', '.join(held)} already, from another use)"
    return text + f", then out.grad = {_num(g)} arriving from above"


def _show(case, values) -> str:
    names = ["a", "b"][:len(case[2])]
    return "out.data = " + _num(values[0]) + ", " + ", ".join(f"{n}.grad = {_num(v)}" for n, v in zip(names, values[1:]))


def _run_learners(exercise, Value, case):
    try:
        return run_op(Value, *case)
    except NotImplementedError:
        raise NotAttempted(exercise) from None
    except _ShortError:
        raise
    except ZeroDivisionError as error:
        hint = ""
        if case[0] == "pow" and case[2][0] == 0:
            hint = ("\nHint: at a = 0 the derivative k a^(k-1) is perfectly finite (for k >= 1), but a formula "
                    "such as k * out.data / a.data divides by a = 0: compute it from the input, "
                    "k * a.data ** (k - 1).")
        raise CheckFailed(exercise, f"{_describe(case)}: ZeroDivisionError: {error}{hint}") from None
    except Exception as error:  # the learner's code may raise anything
        raise CheckFailed(exercise, f"{_describe(case)}: {type(error).__name__}: {error}") from None


def _probe_backward(Value, case):
    """Why no gradient changed: ``"returned"``, ``"out_changed"``, ``"not_attached"`` or ``"ran"``."""
    op, k, leaves, grads, uses, g = case
    try:
        nodes = [Value(v) for v in leaves]
        for node, g0 in zip(nodes, grads):
            node.grad = g0 or 0.5          # non-zero, so that adding them into out.grad shows
        out = _apply(op, [nodes[i] for i in uses], k)
        out.grad = g
        default = getattr(Value(0.0)._backward, "__code__", None)
        attached = getattr(out._backward, "__code__", None) is not default
        returned = out._backward()
    except Exception:  # the learner's code may raise anything; the first run already reported errors
        return "ran"
    if returned is not None:
        return "returned"
    if out.grad != g:
        return "out_changed"
    return "ran" if attached else "not_attached"


_NO_CHANGE = {
    "returned": "your `_backward` returns the gradients, but nobody reads what it returns: it must add them to "
                "the inputs' gradients, `a.grad += ...` and `b.grad += ...`.",
    "out_changed": "your `_backward` changed out.grad, not the inputs' gradients: the gradient flows from out "
                   "down to its inputs, `a.grad += (local derivative) * out.grad`.",
    "not_attached": "no gradient changed: did `_backward` run? The function must attach it to the output "
                    "(`out._backward = _backward`) and return out.",
    "ran": "your `_backward` ran but changed no input's gradient: it must add to `a.grad` (and `b.grad`), "
           "`a.grad += (local derivative) * out.grad`.",
}


def _differs_below_shown(shown, expected, values, wanted) -> str:
    if shown != expected:
        return ""
    scale = max(np.max(np.abs(np.asarray(wanted, dtype=float))), 1e-300)
    level = float(np.max(np.abs(np.asarray(values, dtype=float) - np.asarray(wanted, dtype=float)))) / scale
    return f" The numbers shown agree to 6 digits; yours differ at the {level:.0e} level (float32?)."


def _check_ops(exercise, Value, ops) -> None:
    if Value is Ellipsis:
        raise NotAttempted(exercise)
    if not isinstance(Value, type):
        if hasattr(Value, "data") and hasattr(Value, "_backward"):
            raise CheckFailed(exercise, f"pass the class Value itself, got an instance of {type(Value).__name__} "
                                        "(Value(1.0) is a node; the check needs Value, to make its own nodes)")
        raise CheckFailed(exercise, f"pass the class Value itself, got {type(Value).__name__}")
    for op in ops:
        cases = _OP_CASES[op]
        got = [_run_learners(exercise, Value, case) for case in cases]
        wrong = [(case, values) for case, values in zip(cases, got) if not _close(values, _simulate(*case))]
        if not wrong:
            continue
        case, values = wrong[0]
        shown = _show(case, values) if len(values) == len(case[2]) + 1 else repr(values)
        expected = _show(case, _simulate(*case))
        message = (f"{op}: {_describe(case)}: expected {expected}; got {shown}."
                   + _differs_below_shown(shown, expected, values, _simulate(*case)))
        flaws = _OP_FLAWS[op] + [("overwrite", _OVERWRITE), ("no_chain", _NO_CHAIN)]
        for flaw, hint in flaws:
            if all(_close(v, _simulate(*c, flaw)) for c, v in zip(cases, got)):
                raise CheckFailed(exercise, f"{message}\nHint: {hint}")
        if all(_close(v[1:], c[3]) for c, v in zip(cases, got)):
            raise CheckFailed(exercise, f"{message}\nHint: {_NO_CHANGE[_probe_backward(Value, case)]}")
        raise CheckFailed(exercise, message)


def add_and_mul(Value) -> None:
    """Exercise 12.1: the local derivatives of ``+`` and ``*``, run through the learner's ``Value`` class.

    Examples
    --------
    >>> add_and_mul(autodiff.Value)
    ✔ Exercise 12.1 passed: + passes out.grad on unchanged, * passes it on times the other factor, and a value used twice collects both gradients (+=).
    """
    _check_ops("12.1", Value, ("add", "mul"))
    passed("12.1", "+ passes out.grad on unchanged, * passes it on times the other factor, and a value used twice "
                   "collects both gradients (+=).")


def power_and_activations(Value) -> None:
    """Exercise 12.2: the local derivatives of ``** k``, ``exp``, ``logistic`` and ``tanh``.

    Examples
    --------
    >>> power_and_activations(autodiff.Value)
    ✔ Exercise 12.2 passed: k a^(k-1) at the input; e^a, phi (1 - phi) and 1 - tanh^2 from the output.
    """
    _check_ops("12.2", Value, ("pow", "exp", "logistic", "tanh"))
    passed("12.2", "k a^(k-1) at the input; e^a, phi (1 - phi) and 1 - tanh^2 from the output.")


# -- 12.3: backward() by a topological order ----------------------------------------------------------------------

_X, _T, _W = datasets.worked_example()


def _worked(v):
    """E of Lesson 05's 2-2-1 network as a function of its six weights (W[0] row by row, then W[1])."""
    W = [[v[0:2], v[2:4]], [[v[4]], [v[5]]]]
    return autodiff.network_error(W, [[0.0, 0.0], [0.0]], _X[None, :], _T[None, :])


def _two_outputs(v):
    """A 2-2-2 network's error on one example: each hidden output feeds two neurons (a fan-out)."""
    W = [[v[0:2], v[2:4]], [v[4:6], v[6:8]]]
    return autodiff.network_error(W, [[0.0, 0.0], [0.0, 0.0]], [[1.0, -0.5]], [[0.2, 0.9]])


def _shared(v):
    """a = x y feeds a * tanh(a): a node whose gradient arrives from two parents, the first reached first."""
    x, y = v
    a = x * y
    return a * a.tanh() + x


def _chain(v):
    """A chain without fan-out: exp(tanh(x)^2) / 2."""
    return (v[0].tanh() ** 2).exp() * 0.5


EXPRESSIONS = {"lesson 05's worked example (the six weights)": _worked,
               "a 2-2-2 network, one example (the eight weights)": _two_outputs,
               "a * a.tanh() + x with a = x * y": _shared,
               "(x.tanh() ** 2).exp() * 0.5": _chain}
"""Graphs the backward checks differentiate, by description (their inputs are the leaves)."""

_INPUTS = dict(zip(EXPRESSIONS, [np.concatenate([_W[0].ravel(), _W[1].ravel()]).tolist(),
                                 [0.3, -0.8, 0.5, 0.1, -0.6, 0.9, 0.4, -0.2], [0.7, -1.3], [0.6]]))


class SelfBackwardCalled(Exception):
    """Raised when a learner's ``backward(out)`` calls ``out.backward()`` instead of traversing the graph."""


class _GuardedValue(autodiff.Value):
    """A reference node whose ``.backward()`` refuses to run: Exercise 12.3 must write the traversal itself."""

    def backward(self) -> None:
        raise SelfBackwardCalled("don't call out.backward() inside backward: write the traversal yourself")


def run_backward(fn, expression, inputs):
    """Build a reference graph, let ``fn(out)`` fill its gradients, return the leaves' gradients (kernel and grader).

    Every node of the graph is a :class:`_GuardedValue`, so a ``backward`` that only calls ``out.backward()``
    (the reference engine's own) raises instead of passing.
    """
    leaves = [autodiff.Value(v) for v in inputs]
    out = EXPRESSIONS[expression](leaves)
    for node in autodiff.topological_order(out):
        node.__class__ = _GuardedValue
    fn(out)
    return [leaf.grad for leaf in leaves]


def _no_seed(out):
    for node in reversed(autodiff.topological_order(out)):
        node._backward()


def _leaves_first(out):
    out.grad = 1.0
    for node in autodiff.topological_order(out):
        node._backward()


def _each_path(out):
    def visit(node):
        node._backward()
        for child in node._children:
            visit(child)
    out.grad = 1.0
    visit(out)


def _unvisited_order(out):
    order = []

    def visit(node):
        for child in node._children:
            visit(child)
        order.append(node)
    visit(out)
    out.grad = 1.0
    for node in reversed(order):
        node._backward()


def _first_reached(out):
    seen = set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        node._backward()
        for child in node._children:
            visit(child)
    out.grad = 1.0
    visit(out)


_BACKWARD_MISTAKES = [
    (_no_seed, "every gradient is 0: you forgot to seed the output gradient with 1. Nothing has been sent back "
               "yet when backward() starts, so the output's own gradient must be set to d out/d out = 1 first; "
               "every other gradient is built from it."),
    (_leaves_first, "only the output's own local derivative had any effect: the nodes below it sent back "
                    "gradients they had not received yet (0). Either the local derivatives ran from the inputs "
                    "towards the output, or only `out._backward()` was called. Run every node's `_backward`, in "
                    "the *reverse* of the topological order: the output first, and every node only after all the "
                    "nodes that use it."),
    (_each_path, "a node used twice ran its `_backward` more than once, once per path that reaches it, so what it "
                 "passes on is counted again each time (and the work grows with the number of paths, Lesson 06). "
                 "Build a topological order (each node once) and run every node's `_backward` exactly once, in "
                 "reverse of that order."),
    (_unvisited_order, "a node reached along several paths ran its `_backward` more than once: your topological "
                       "order lists it once per path. Remember which nodes you have listed (a set) and list each "
                       "node once."),
    (_first_reached, "no topological order: a recursion that runs a node's `_backward` as soon as it reaches it "
                     "visits a node before all its parents (the nodes that use it) have sent their gradients, so "
                     "it passes on an incomplete gradient. First list the nodes so that each comes after all of "
                     "its children, then run `_backward` in reverse of that list."),
]


def _check_backward(exercise, fn, cases, reference):
    if fn is Ellipsis:
        raise NotAttempted(exercise)
    if not callable(fn):
        raise CheckFailed(exercise, f"expected the function backward, got {type(fn).__name__}")
    got = []
    for expression, inputs in cases:
        try:
            got.append(run_backward(fn, expression, inputs))
        except NotImplementedError:
            raise NotAttempted(exercise) from None
        except _ShortError:
            raise
        except SelfBackwardCalled as error:
            raise CheckFailed(exercise, f"backward on {expression}: {error}. out.backward() runs the engine's own "
                                        "backward; Exercise 12.3 is that traversal.") from None
        except RecursionError:
            raise CheckFailed(exercise, f"backward on {expression}: RecursionError. Does your recursion stop at "
                                        "a node it has already visited?") from None
        except Exception as error:  # the learner's code may raise anything
            raise CheckFailed(exercise, f"backward on {expression}: {type(error).__name__}: {error}") from None
    wrong = [(case, g) for case, g in zip(cases, got) if not _close(g, run_backward(reference, *case))]
    if not wrong:
        return
    (expression, inputs), g = wrong[0]
    message = (f"backward on {expression}: expected the inputs' gradients "
               f"{[round(v, 6) for v in run_backward(reference, expression, inputs)]}, got {[round(v, 6) for v in g]}.")
    for mistake, hint in _BACKWARD_MISTAKES:
        if all(_close(v, run_backward(mistake, *case)) for case, v in zip(cases, got)):
            raise CheckFailed(exercise, f"{message}\nHint: {hint}")
    raise CheckFailed(exercise, message)


def backward(fn) -> None:
    """Exercise 12.3: ``fn(out)`` must fill every node's ``grad`` with d out / d node, by reverse mode.

    It runs on graphs of the reference engine, so its verdict does not
    depend on Exercises 12.1-12.2.

    Examples
    --------
    >>> backward(autodiff.backward)
    ✔ Exercise 12.3 passed: seeded with d out/d out = 1, every node passes its gradient on once, after all its users: Lesson 05's six gradients come out of your engine.
    """
    _check_backward("12.3", fn, list(_INPUTS.items()), autodiff.backward)
    passed("12.3", "seeded with d out/d out = 1, every node passes its gradient on once, after all its users: "
                   "Lesson 05's six gradients come out of your engine.")


def _backward_cases(rng):
    return [(name, rng.normal(size=len(_INPUTS[name])).tolist()) for name in EXPRESSIONS]


# -- 12.4: dual numbers -------------------------------------------------------------------------------------------

class _FlawedDual:
    """Dual numbers with one flaw in the product or tanh rule (for naming mistakes)."""

    def __init__(self, val, dot, flaw):
        self.val, self.dot, self.flaw = float(val), float(dot), flaw

    def _dual(self, other):
        return other if isinstance(other, _FlawedDual) else _FlawedDual(other, 0.0, self.flaw)

    def __add__(self, other):
        other = self._dual(other)
        return _FlawedDual(self.val + other.val, self.dot + other.dot, self.flaw)

    __radd__ = __add__

    def __mul__(self, other):
        other = self._dual(other)
        dot = {"both_dots": self.dot * other.dot, "own_half": self.dot * other.val,
               "other_half": self.val * other.dot, "sum": self.dot + other.dot}.get(
            self.flaw, self.dot * other.val + self.val * other.dot)
        return _FlawedDual(self.val * other.val, dot, self.flaw)

    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._dual(other))

    def __rsub__(self, other):
        return self._dual(other) + (-self)

    def tanh(self):
        y = math.tanh(self.val)
        dot = {"no_chain": 1 - y * y, "input": (1 - self.val ** 2) * self.dot}.get(self.flaw, (1 - y * y) * self.dot)
        return _FlawedDual(y, dot, self.flaw)


def _dual_product(d):
    return d[0] * d[1]


def _dual_tanh(d):
    return d[0].tanh()


def _dual_neuron(d):
    return (d[0] * 0.5 - d[1] * 1.5 + 0.2).tanh() * d[1]


def _dual_square(d):
    return d[0] * d[0] + 3 * d[1]


DUAL_FUNCTIONS = {"x0 * x1": _dual_product, "x0.tanh()": _dual_tanh,
                  "(x0 * 0.5 - x1 * 1.5 + 0.2).tanh() * x1": _dual_neuron, "x0 * x0 + 3 * x1": _dual_square}
"""Functions the dual-number checks push dual numbers through, by their formula."""

_DUAL_CASES = [("x0 * x1", [2.0, -3.0], [1.0, 0.0]), ("x0 * x1", [0.5, 4.0], [0.3, -2.0]),
               ("x0.tanh()", [0.5, 0.0], [1.0, 0.0]), ("x0.tanh()", [-1.1, 0.0], [2.0, 0.0]),
               ("(x0 * 0.5 - x1 * 1.5 + 0.2).tanh() * x1", [0.8, 0.3], [0.0, 1.0]),
               ("x0 * x0 + 3 * x1", [1.5, 0.7], [1.0, 1.0])]


def run_dual(Dual, function, x, direction):
    """``function`` on dual numbers x + direction epsilon: ``[value, derivative along direction]`` (kernel and grader)."""
    out = DUAL_FUNCTIONS[function]([Dual(v, d) for v, d in zip(x, direction)])
    return [out.val, out.dot]


def _flawed_dual(flaw):
    return lambda val, dot: _FlawedDual(val, dot, flaw)


_DUAL_MISTAKES = [
    ("sum", "that is the rule of a sum, (a + b)' = a' + b'; a product needs the product rule, "
            "(a b)' = a' b + a b'."),
    ("both_dots", "multiplying the two derivatives is not the product rule: (a b)' = a' b + a b'."),
    ("own_half", "only half of the product rule: (a b)' = a' b + a b' has a term for each factor's derivative."),
    ("other_half", "only half of the product rule: (a b)' = a' b + a b' has a term for each factor's derivative."),
    ("no_chain", "tanh's derivative must be multiplied by self.dot, the derivative of its input (the chain rule "
                 "carried forward): (tanh(a))' = (1 - tanh(a)^2) a'."),
    ("input", "you used the input instead of the output: 1 - tanh(a)^2 squares the output tanh(a), not a."),
]


def dual(Dual) -> None:
    """Exercise 12.4: the tangent parts of the product and of tanh on dual numbers.

    Examples
    --------
    >>> dual(autodiff.Dual)
    ✔ Exercise 12.4 passed: the product rule and the chain rule, carried forward with every value.
    """
    exercise = "12.4"
    if Dual is Ellipsis:
        raise NotAttempted(exercise)
    if not isinstance(Dual, type):
        raise CheckFailed(exercise, f"pass the class Dual itself, got {type(Dual).__name__}")
    got = []
    for function, x, direction in _DUAL_CASES:
        where = f"{function} at x = {x} with dots {direction}"
        try:
            got.append(run_dual(Dual, function, x, direction))
        except NotImplementedError:
            raise NotAttempted(exercise) from None
        except Exception as error:  # the learner's code may raise anything
            raise CheckFailed(exercise, f"{where}: {type(error).__name__}: {error}") from None
    for (function, x, direction), values in zip(_DUAL_CASES, got):
        expected = run_dual(autodiff.Dual, function, x, direction)
        if _close(values, expected):
            continue
        message = (f"{function} at x = {x}, dots {direction}: expected val = {_num(expected[0])}, "
                   f"dot = {_num(expected[1])}; got val = {_num(values[0])}, dot = {_num(values[1])}.")
        for flaw, hint in _DUAL_MISTAKES:
            if all(_close(v, run_dual(_flawed_dual(flaw), *case)) for case, v in zip(_DUAL_CASES, got)):
                raise CheckFailed(exercise, f"{message}\nHint: {hint}")
        raise CheckFailed(exercise, message)
    passed(exercise, "the product rule and the chain rule, carried forward with every value.")


def _dual_cases(rng):
    return [(function, rng.normal(size=2).tolist(), rng.normal(size=2).tolist()) for function in DUAL_FUNCTIONS]


# -- 12.5: backpropagation through time ---------------------------------------------------------------------------

def _states(w, u, x):
    h = [0.0]
    for x_t in x:
        h.append(math.tanh(w * h[-1] + u * x_t))
    return h


def _bptt(w, u, x, target, flaw=None):
    """dE/dw and dE/du for h_t = tanh(w h_(t-1) + u x_t), h_0 = 0, E = (h_T - target)^2 / 2; optionally flawed."""
    x = [float(v) for v in np.ravel(x)]
    h = _states(w, u, x)
    T = len(x)
    dh = h[T] - target
    dE_dw = dE_du = 0.0
    for s in range(T, 0, -1):
        slope = 1 - (w * h[s - 1] + u * x[s - 1]) ** 2 if flaw == "input_slope" else 1 - h[s] ** 2
        dnet = dh * slope
        contribution_w, contribution_u = dnet * (h[s] if flaw == "h_now" else h[s - 1]), dnet * x[s - 1]
        if flaw == "overwrite":
            dE_dw, dE_du = contribution_w, contribution_u
        elif flaw != "last_only" or s == T:
            dE_dw, dE_du = dE_dw + contribution_w, dE_du + contribution_u
        dh = {"no_w": dnet, "no_pass": dh, "no_slope_back": w * dh}.get(flaw, dnet * w)
    if flaw == "mean":
        return dE_dw / T, dE_du / T
    return dE_dw, dE_du


_BPTT_CASES = [{"w": 0.8, "u": 0.5, "x": np.array([1.0, -0.5, 0.25]), "target": 0.3},
               {"w": -1.2, "u": 1.5, "x": np.array([0.5, 0.2, -0.4, 0.9, 0.1]), "target": -0.2},
               {"w": 0.3, "u": -0.7, "x": np.array([-1.0, 2.0, 0.5, 0.5, -0.3, 1.2, 0.0, 0.4]), "target": 0.5}]


def _bptt_mistake(flaw):
    return lambda w, u, x, target: _bptt(w, u, x, target, flaw)


_BPTT_MISTAKES = [
    Mistake(_bptt_mistake("last_only"), "that is only the last time step's share. The same w and u are used at "
                                        "every step, so their gradient is the sum of the shares of all T steps."),
    Mistake(_bptt_mistake("overwrite"), "that is only the first time step's share: the loop overwrote the gradient "
                                        "at each step (`dE_dw = ...`). A weight used at every step collects the "
                                        "sum of all its uses: `+=`."),
    Mistake(_bptt_mistake("mean"), "that is the average of the time steps' shares; the gradient of a shared weight "
                                   "is their sum."),
    Mistake(_bptt_mistake("h_now"), "step t's share of dE/dw multiplies its delta by the state that went *into* "
                                    "the step, h_(t-1), as a weight's gradient is its input times the delta "
                                    "(Lesson 05), not by the state it produced, h_t."),
    Mistake(_bptt_mistake("input_slope"), "you used the input instead of the output: tanh' = 1 - h_t^2 squares the "
                                          "state h_t = tanh(net_t), not the net input net_t."),
    Mistake(_bptt_mistake("no_w"), "the delta passed back to the previous step must go through the weight that "
                                   "carried h_(t-1) forward: dE/dh_(t-1) = w delta_t (Eq. 5 through time)."),
    Mistake(lambda w, u, x, target: tuple(-d for d in _bptt(w, u, x, target)),
            "both gradients have the wrong sign: dE/dh_T = h_T - target (the output minus the target), not "
            "target - h_T."),
    Mistake(lambda w, u, x, target: tuple(2 * d for d in _bptt(w, u, x, target)),
            "both gradients are twice too large: E = (h_T - target)^2 / 2, so dE/dh_T = h_T - target; the 1/2 "
            "cancels the 2."),
    Mistake(lambda w, u, x, target: _bptt(w, u, x, target)[::-1],
            "the pair is swapped: return (dE_dw, dE_du), the gradient of w first."),
    Mistake(_bptt_mistake("no_pass"), "dE/dh stays the output error at every step: it must be passed back a step "
                                      "at a time, dE/dh_(t-1) = w delta_t, through tanh' at each step."),
    Mistake(_bptt_mistake("no_slope_back"), "what goes back a step is w times dE/dh_t, without the step's slope: "
                                            "pass back the delta, dE/dh_(t-1) = w delta_t with delta_t = dE/dh_t "
                                            "tanh'(net_t) (Eq. 5 through time)."),
]


def bptt(fn) -> None:
    """Exercise 12.5: ``fn(w, u, x, target)`` must return (dE/dw, dE/du) summed over the time steps.

    Examples
    --------
    >>> bptt(lambda w, u, x, target: _bptt(w, u, x, target))
    ✔ Exercise 12.5 passed: one backward sweep through time, each step's share of dE/dw and dE/du added up.
    """
    expect_function("12.5", fn, _BPTT_CASES, lambda w, u, x, target: _bptt(w, u, x, target), name="bptt",
                    mistakes=_BPTT_MISTAKES, **_TOL)
    passed("12.5", "one backward sweep through time, each step's share of dE/dw and dE/du added up.")


def _bptt_cases(rng):
    cases = []
    for T in (1, 4, 9):
        cases.append((float(rng.normal()), float(rng.normal()), rng.normal(size=T), float(rng.uniform(-0.9, 0.9))))
    return cases


# -- 12.6: a shared convolution kernel ----------------------------------------------------------------------------

def _kernel_gradient(x, dE_dy, M):
    """dE/dw_k = sum_i dE/dy_i x_(i+k), for y_i = sum_k w_k x_(i+k)."""
    x, dE_dy = np.asarray(x, dtype=float), np.asarray(dE_dy, dtype=float)
    return np.array([dE_dy @ x[k:k + len(dE_dy)] for k in range(M)])


_CONV_CASES = [{"x": np.array([1.0, 2.0, -1.0, 0.5, 3.0]), "dE_dy": np.array([0.5, -1.0, 2.0]), "M": 3},
               {"x": np.array([0.2, -0.4, 1.5, 0.7, -1.1, 0.9]), "dE_dy": np.array([1.0, 0.3, -0.6, 0.4]), "M": 3},
               {"x": np.array([2.0, -1.0, 0.5, 1.0]), "dE_dy": np.array([0.25, -0.5, 1.0]), "M": 2}]

_CONV_MISTAKES = [
    Mistake(lambda x, dE_dy, M: np.array([dE_dy[0] * x[k] for k in range(M)]),
            "that is only the first position's share. Each w_k is used at every position i of the output, so its "
            "gradient is the sum over all positions of dE/dy_i times the input it met there."),
    Mistake(lambda x, dE_dy, M: np.array([dE_dy[-1] * x[len(dE_dy) - 1 + k] for k in range(M)]),
            "that is only the last position's share: the loop overwrote the gradient at each position. A shared "
            "weight collects the sum of all its uses: `+=`."),
    Mistake(lambda x, dE_dy, M: _kernel_gradient(x, dE_dy, M) / len(dE_dy),
            "that is the mean over the positions; the gradient of a shared weight is the sum of its uses."),
    Mistake(lambda x, dE_dy, M: np.convolve(np.asarray(x, dtype=float), np.asarray(dE_dy, dtype=float), "valid"),
            "np.convolve flips its second argument (a true convolution), but y_i = sum_k w_k x_(i+k) pairs "
            "dE/dy_i with x_(i+k) unflipped: use np.correlate(x, dE_dy, 'valid'), or flip dE_dy."),
    Mistake(lambda x, dE_dy, M: _kernel_gradient(x, dE_dy, M)[::-1],
            "the kernel is reversed: y_i = sum_k w_k x_(i+k) pairs w_k with x_(i+k), so dE/dw_k pairs dE/dy_i "
            "with x_(i+k) (k = 0 first)."),
]


def kernel_gradient(fn) -> None:
    """Exercise 12.6: ``fn(x, dE_dy, M)`` must return dE/dw for the 1-D convolution y_i = sum_k w_k x_(i+k).

    Examples
    --------
    >>> kernel_gradient(_kernel_gradient)
    ✔ Exercise 12.6 passed: each kernel weight is used at every position, and its gradient sums over them.
    """
    expect_function("12.6", fn, _CONV_CASES, _kernel_gradient, name="kernel_gradient", mistakes=_CONV_MISTAKES,
                    **_TOL)
    passed("12.6", "each kernel weight is used at every position, and its gradient sums over them.")


def _conv_cases(rng):
    cases = []
    for n, M in ((5, 2), (8, 3), (12, 4)):
        cases.append((rng.normal(size=n), rng.normal(size=n - M + 1), M))
    return cases


def _op_cases(ops):
    """Hidden cases of 12.1 or 12.2: each operation on fresh inputs and, for + and *, on one input used twice."""
    def cases(rng):
        drawn = []
        for op in ops:
            k = float(rng.integers(2, 4))
            for uses in ([[0, 1], [0, 0]] if op in _BINARY else [[0], [0]]):
                n = max(uses) + 1
                drawn.append((op, k, rng.uniform(0.3, 1.5, size=n).tolist(), rng.normal(size=n).tolist(), uses,
                              float(rng.normal())))
            if op == "pow":   # a = 0: k a^(k-1) is finite for k >= 1; k out / a is not
                drawn.append((op, k, [0.0], [float(rng.normal())], [0], float(rng.normal())))
        return drawn
    return cases


HIDDEN = {
    "12.1": hidden.Function("Value", _op_cases(("add", "mul")), autodiff.Value, call=run_op, **_TOL),
    "12.2": hidden.Function("Value", _op_cases(("pow", "exp", "logistic", "tanh")), autodiff.Value, call=run_op,
                            **_TOL),
    "12.3": hidden.Function("backward", _backward_cases, autodiff.backward, call=run_backward, **_TOL),
    "12.4": hidden.Function("Dual", _dual_cases, autodiff.Dual, call=run_dual, **_TOL),
    "12.5": hidden.Function("bptt", _bptt_cases, lambda w, u, x, target: _bptt(w, u, x, target), **_TOL),
    "12.6": hidden.Function("kernel_gradient", _conv_cases, _kernel_gradient, **_TOL),
}
"""The grader's checks, judged outside the student's kernel (:mod:`bp_course.checks.hidden`).

12.1, 12.2 and 12.4 call the learner's class by name: its operators run the
learner's operations (and their local derivatives) on inputs drawn at
grading time. 12.3 runs the learner's ``backward`` on graphs of the
reference engine.
"""
