r"""Deliberately broken backward passes, for Lesson 07's "find the bug".

Each broken pass is the correct :data:`REFERENCE` with one edit, the kind of
slip that every implementer of backpropagation makes once: a transposed
matrix, a missing derivative factor, phi' taken of the output instead of
net, a wrong bias gradient, gradients overwritten where they must be summed
over examples, a layer index off by one. The edits are kept here as text
(:data:`EDITS`), so the learner reads complete, runnable source
(:func:`source`) and the fix of every bug is, by construction, the reference.

The network is logistic in every layer with the squared error averaged over
the batch (Lesson 06). Every layer has the same width in the lesson
(:data:`SIZES`): with layers of different widths most of these bugs would
stop at a shape error, and a square network is exactly where they survive
to give wrong numbers silently.

Each pass has the signature ``backward(network, x, t)`` and returns the
gradients in the order of :attr:`bp_course.network.Network.params`,
``[dW[0], db[0], dW[1], db[1], ...]``.
"""

from __future__ import annotations

import numpy as np

from bp_course._validate import choose
from bp_course.activations import logistic
from bp_course.network import Network

__all__ = ["REFERENCE", "EDITS", "CAUSES", "MYSTERIES", "SIZES", "source", "backward", "reference_backward",
           "lesson_network"]

REFERENCE = '''\
def backward(network, x, t):
    """Gradients [dW[0], db[0], dW[1], db[1], ...] of the squared error, averaged over the batch."""
    W, b, n = network.W, network.b, len(x)
    out = [x]
    for l in range(len(W)):
        out.append(logistic(out[l] @ W[l] + b[l]))
    y = out[-1]
    delta = (y - t) * y * (1 - y)
    dW, db = [None] * len(W), [None] * len(W)
    for l in reversed(range(len(W))):
        dW[l] = out[l].T @ delta / n
        db[l] = delta.sum(axis=0) / n
        if l > 0:
            delta = (delta @ W[l].T) * out[l] * (1 - out[l])
    return [g for pair in zip(dW, db) for g in pair]
'''
"""The correct backward pass (Lesson 06's vectorized delta rule), as source text."""

EDITS = {
    "transposed": ("delta = (delta @ W[l].T) * out[l] * (1 - out[l])",
                   "delta = (delta @ W[l]) * out[l] * (1 - out[l])"),
    "missing_slope": ("delta = (delta @ W[l].T) * out[l] * (1 - out[l])",
                      "delta = delta @ W[l].T"),
    "slope_of_output": ("delta = (y - t) * y * (1 - y)",
                        "delta = (y - t) * logistic(y) * (1 - logistic(y))"),
    "bias_sum": ("db[l] = delta.sum(axis=0) / n",
                 "db[l] = delta.sum(axis=0)"),
    "overwritten": ("dW[l] = out[l].T @ delta / n",
                    "for p in range(n):  # one example at a time\n"
                    "            dW[l] = np.outer(out[l][p], delta[p]) / n"),
    "off_by_one": ("dW[l] = out[l].T @ delta / n",
                   "dW[l] = out[l + 1].T @ delta / n"),
}
"""``cause -> (correct line, broken replacement)``: one edit of :data:`REFERENCE` per bug."""

CAUSES = {
    "transposed": "a weight matrix used untransposed where Eq. 5 needs its transpose",
    "missing_slope": "a missing derivative factor: the hidden deltas lack phi'(net)",
    "slope_of_output": "phi' evaluated at the output y instead of at net",
    "bias_sum": "a wrong bias gradient: summed over the batch, not averaged",
    "overwritten": "gradients overwritten example by example where they must be summed",
    "off_by_one": "an off-by-one layer index: the weight gradient uses the wrong layer's outputs",
}
"""The causes a learner chooses from, with a plain description of each."""

MYSTERIES = {"A": "off_by_one", "B": "missing_slope", "C": "bias_sum", "D": "transposed", "E": "overwritten",
             "F": "slope_of_output"}
"""The anonymous labels Lesson 07 shows, and the cause behind each (the answer key)."""

SIZES = (4, 4, 4, 4)
"""The lesson's network: three layers of weights, every layer 4 wide."""

_NAMESPACE = {"np": np, "logistic": logistic}


def _cause(name: str) -> str:
    """A cause from its name or its mystery label ("A" ... "F")."""
    if isinstance(name, str) and name in MYSTERIES:
        return MYSTERIES[name]
    return choose(name, EDITS, "bug (a cause or a label A-F)")


def source(name: str | None = None) -> str:
    """The source text of a broken backward pass, or of the reference with ``name=None``.

    Parameters
    ----------
    name : str, optional
        A label of :data:`MYSTERIES` (``"A"``) or a cause of :data:`EDITS`.

    Examples
    --------
    >>> "delta.sum(axis=0) / n" in source()
    True
    >>> "delta.sum(axis=0) / n" in source("bias_sum")
    False
    """
    if name is None:
        return REFERENCE
    correct, broken = EDITS[_cause(name)]
    if REFERENCE.count(correct) != 1:  # a guard on EDITS itself, so an edit can never silently do nothing
        raise RuntimeError(f"the edit {name!r} does not match exactly one line of the reference")
    return REFERENCE.replace(correct, broken)


def backward(name: str | None = None):
    """The broken backward pass ``name`` as a function (the reference with ``name=None``).

    Examples
    --------
    >>> net = lesson_network()
    >>> x, t = np.ones((2, 4)), np.zeros((2, 4))
    >>> [g.shape for g in backward("C")(net, x, t)][:2]
    [(4, 4), (4,)]
    """
    label = "reference" if name is None else name
    namespace = dict(_NAMESPACE)
    exec(compile(source(name), f"<backward pass {label}>", "exec"), namespace)  # noqa: S102 - our own text
    function = namespace["backward"]
    function.__qualname__ = function.__name__ = "backward" if name is None else f"backward_{label}"
    return function


reference_backward = backward()
"""The correct backward pass, compiled from :data:`REFERENCE`."""


def lesson_network(seed: int = 7) -> Network:
    """The 4-4-4-4 logistic network of Lesson 07, with non-zero biases so their gradients are tested.

    Examples
    --------
    >>> lesson_network().sizes
    [4, 4, 4, 4]
    """
    network = Network(list(SIZES), "logistic", seed=seed, init=1.0)
    rng = np.random.default_rng(seed + 1)
    network.b = [0.5 * rng.standard_normal(v.shape) for v in network.b]
    return network
