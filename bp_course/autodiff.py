r"""The course's reference automatic differentiation: a scalar reverse-mode engine and dual numbers (Lesson 12).

Lesson 12 has the learner build the same engine in the notebook (its own
``Value`` class); this module is the reference the checks and tests compare
with, and the lesson does not import it. As in micrograd, every operation
writes its local derivative next to its forward step:

* :class:`Value` records each operation as a node of a computational graph
  with a ``_backward`` closure that passes the node's gradient on to its
  inputs, **adding** to theirs (``+=``), since a value used twice receives a
  gradient from each use; :func:`backward` runs the closures in reverse
  topological order, after seeding the output with d out / d out = 1.
  This is reverse mode, and on a network's error graph it is the delta
  rule of Lesson 05 (Eq. 5).
* :class:`Dual` carries a value and its derivative along one direction
  forward (forward mode); :func:`forward_gradient` needs one pass per input.

Only what the lesson uses is here: ``+``, ``-``, ``*``, ``/``, ``**`` with a
constant exponent, ``exp``, ``logistic`` and ``tanh``.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Value", "Dual", "topological_order", "backward", "gradient", "forward_gradient", "network_error"]


def _logistic(z: float) -> float:
    """phi(z) = 1 / (1 + e^-z) for a Python float, without overflow for large negative z."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class Value:
    r"""A scalar node of a computational graph: its value, its gradient, and how to pass the gradient on.

    Parameters
    ----------
    data : float
        The node's value, computed in the forward pass.
    children : tuple of Value, optional
        The nodes this one was computed from (none for an input or a constant).

    Attributes
    ----------
    data : float
    grad : float
        d out / d self, once :func:`backward` has run on ``out``; 0 before.

    Examples
    --------
    Lesson 12, section 1: f = x y + x at x = 2, y = -3, so df/dx = y + 1 and df/dy = x.

    >>> x, y = Value(2.0), Value(-3.0)
    >>> f = x * y + x
    >>> f.backward()
    >>> f.data, x.grad, y.grad
    (-4.0, -2.0, 2.0)
    """

    def __init__(self, data, children=()):
        self.data = float(data)
        self.grad = 0.0
        self._children = tuple(children)
        self._backward = lambda: None  # an input or a constant passes nothing on

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other):
        other = _as_value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad                       # d(a + b)/da = 1
            other.grad += out.grad                      # d(a + b)/db = 1
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad          # d(a b)/da = b
            other.grad += self.data * out.grad          # d(a b)/db = a
        out._backward = _backward
        return out

    def __pow__(self, k):
        if isinstance(k, Value):
            raise TypeError("only constant exponents are supported: a ** k with k a number, not a Value")
        k = float(k)
        out = Value(self.data ** k, (self,))

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad   # d(a^k)/da = k a^(k-1), at the input a
        out._backward = _backward
        return out

    def exp(self):
        """e^a; its derivative is e^a itself, the output."""
        out = Value(math.exp(self.data), (self,))

        def _backward():
            self.grad += out.data * out.grad            # d(e^a)/da = e^a
        out._backward = _backward
        return out

    def logistic(self):
        """phi(a) = 1 / (1 + e^-a); phi'(a) = phi (1 - phi), from the output (Lesson 03)."""
        out = Value(_logistic(self.data), (self,))

        def _backward():
            self.grad += out.data * (1 - out.data) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        """tanh(a); tanh'(a) = 1 - tanh(a)^2, from the output (Lesson 03)."""
        out = Value(math.tanh(self.data), (self,))

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_as_value(other))

    def __truediv__(self, other):
        return self * _as_value(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rtruediv__(self, other):
        return _as_value(other) * self ** -1

    def backward(self) -> None:
        """Fill ``grad`` of every node this one depends on with d self / d node (see :func:`backward`)."""
        backward(self)


def _as_value(x) -> Value:
    return x if isinstance(x, Value) else Value(x)


def topological_order(out) -> list:
    """Every node ``out`` depends on, each after all the nodes it was computed from (Lesson 12, section 2).

    A depth-first search that appends a node once all its children are in
    the list; iterative, so a graph thousands of nodes deep (a long
    recurrent unrolling) does not reach Python's recursion limit. Works on
    any objects with a ``_children`` tuple.

    Examples
    --------
    >>> x = Value(1.0)
    >>> y = x * x
    >>> [node is x for node in topological_order(y + x)]
    [True, False, False]
    """
    order, done, stack = [], set(), [(out, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in done:
            continue
        done.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node._children) if id(child) not in done)
    return order


def backward(out) -> None:
    r"""Reverse mode: seed d out/d out = 1, then run every node's local derivative from the output back.

    Each node's ``_backward`` runs once, after every node that uses it has
    added its share to the node's gradient, which the reverse of
    :func:`topological_order` guarantees. On the error graph of a network
    this is the recursive delta rule (Lesson 05, Eq. 5; Lesson 12, section 2).
    Gradients accumulate: call it on a fresh graph.
    """
    out.grad = 1.0
    for node in reversed(topological_order(out)):
        node._backward()


def gradient(f, x) -> list:
    """The gradient of a scalar function of ``len(x)`` numbers by one reverse-mode pass (Lesson 12).

    Parameters
    ----------
    f : callable
        ``f(list of Value) -> Value``, built from the operations of :class:`Value`.
    x : sequence of float

    Examples
    --------
    >>> gradient(lambda v: v[0] * v[1] + v[0].tanh(), [0.0, 3.0])
    [4.0, 0.0]
    """
    leaves = [Value(v) for v in x]
    backward(f(leaves))
    return [leaf.grad for leaf in leaves]


class Dual:
    r"""A dual number a + a' epsilon with epsilon^2 = 0: a value and its derivative, carried forward (Lesson 12, section 3).

    Each operation applies the rule of its derivative to the tangent part, so
    f(x + x' epsilon) = f(x) + f'(x) x' epsilon.

    Parameters
    ----------
    val : float
        The value a.
    dot : float, optional
        The derivative a' along the chosen direction (the seed: 1 for the input differentiated, 0 for the others).

    Examples
    --------
    >>> y = Dual(2.0, 1.0) * Dual(2.0, 1.0) + 1   # x^2 + 1 at x = 2
    >>> y.val, y.dot
    (5.0, 4.0)
    """

    def __init__(self, val, dot=0.0):
        self.val = float(val)
        self.dot = float(dot)

    def __repr__(self) -> str:
        return f"Dual(val={self.val:.6g}, dot={self.dot:.6g})"

    def __add__(self, other):
        other = _as_dual(other)
        return Dual(self.val + other.val, self.dot + other.dot)

    def __mul__(self, other):
        other = _as_dual(other)
        return Dual(self.val * other.val, self.dot * other.val + self.val * other.dot)   # the product rule

    def __pow__(self, k):
        k = float(k)
        return Dual(self.val ** k, k * self.val ** (k - 1) * self.dot)

    def exp(self):
        e = math.exp(self.val)
        return Dual(e, e * self.dot)

    def logistic(self):
        y = _logistic(self.val)
        return Dual(y, y * (1 - y) * self.dot)

    def tanh(self):
        y = math.tanh(self.val)
        return Dual(y, (1 - y * y) * self.dot)

    def __neg__(self):
        return Dual(-self.val, -self.dot)

    def __sub__(self, other):
        return self + (-_as_dual(other))

    def __truediv__(self, other):
        return self * _as_dual(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_dual(other) - self

    def __rtruediv__(self, other):
        return _as_dual(other) * self ** -1


def _as_dual(x) -> Dual:
    return x if isinstance(x, Dual) else Dual(x)


def forward_gradient(f, x) -> list:
    """The gradient of a scalar function by forward mode: one pass per input, that input seeded with 1 (Lesson 12).

    Parameters
    ----------
    f : callable
        ``f(list of Dual) -> Dual``.
    x : sequence of float

    Examples
    --------
    >>> forward_gradient(lambda v: v[0] * v[1] + v[0].tanh(), [0.0, 3.0])
    [4.0, 0.0]
    """
    x = [float(v) for v in x]
    return [f([Dual(v, 1.0 if j == i else 0.0) for j, v in enumerate(x)]).dot for i in range(len(x))]


def network_error(W, b, x, t):
    r"""The squared error of a logistic network as one graph of Values, one scalar operation at a time (Lesson 12).

    The same model as :class:`bp_course.network.Network` with logistic units
    and ``loss="squared_error"``: net = out W + b, out = phi(net) layer by
    layer, E = (1/n) sum_p 1/2 sum_k (t_pk - y_pk)^2.

    Parameters
    ----------
    W, b : list of 2-D and 1-D arrays of Value (nested lists work too)
        ``W[l][i][j]`` is w_ij from neuron i of layer l to neuron j of layer l + 1.
    x, t : array_like
        Inputs ``(n, n_in)`` and targets ``(n, n_out)``, numbers.

    Returns
    -------
    Value
        E, whose ``backward()`` fills the weights' ``grad``.

    Examples
    --------
    >>> W = [[[Value(0.5)]]]
    >>> E = network_error(W, [[Value(0.0)]], [[2.0]], [[1.0]])
    >>> E.backward()
    >>> round(W[0][0][0].grad, 6)   # (y - t) y (1 - y) x, y = phi(0.5 * 2)
    -0.105754
    """
    x, t = np.atleast_2d(np.asarray(x, dtype=float)), np.atleast_2d(np.asarray(t, dtype=float))
    if len(x) != len(t):
        raise ValueError(f"x has {len(x)} examples but t has {len(t)}")
    E = Value(0.0)
    for x_p, t_p in zip(x.tolist(), t.tolist()):
        out = x_p
        for W_l, b_l in zip(W, b):
            out = [sum((out[i] * W_l[i][j] for i in range(len(out))), b_l[j]).logistic() for j in range(len(b_l))]
        if len(out) != len(t_p):
            raise ValueError(f"the network has {len(out)} outputs but the targets have {len(t_p)}")
        E = E + 0.5 * sum((t_k - y_k) ** 2 for y_k, t_k in zip(out, t_p))
    return E * (1.0 / len(x))
