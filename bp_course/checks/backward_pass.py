"""Checking a learner's backward pass gradient by gradient (Lessons 05 and 06).

A backward pass returns several arrays (``dW[0]``, ``db[1]`` ...). Laid end
to end they make a list of 6-20 numbers that says nothing about *which*
gradient is wrong, so :func:`expect_gradients` compares them array by array,
under their names; it shows the arguments as shapes, not as numbers cut
mid-array; and it names a mistake only when that mistake explains every
array of every case.
"""

from __future__ import annotations

import copy

import numpy as np

from bp_course.activations import logistic
from bp_course.checks.core import CheckFailed, Mistake, NotAttempted, _ShortError, not_attempted
from bp_course.checks.values import _factor, float32_tolerance

__all__ = ["shape_of", "call", "expect_gradients", "labelled", "flawed_backward", "mistakes", "last_layer_right"]


def shape_of(value) -> str:
    """An argument as a learner needs to see it: an array as its shape, a list of arrays as a list of shapes.

    Examples
    --------
    >>> shape_of(np.zeros((2, 3)))
    'array (2, 3)'
    >>> shape_of([np.zeros((2, 2)), np.zeros((2, 1))])
    '[array (2, 2), array (2, 1)]'
    >>> shape_of(0.5)
    '0.5'
    """
    if isinstance(value, np.ndarray):
        return f"array {value.shape}"
    if isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
        inner = ", ".join(shape_of(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return f"{value!r:.40}"


def _signature(name: str, case: dict) -> str:
    return f"{name}(" + ", ".join(f"{k}={shape_of(v)}" for k, v in case.items()) + ")"


def call(exercise: str, fn, case: dict, *, name: str, on_error=None):
    """Call ``fn`` on a copy of ``case``'s values; a failure is reported with the arguments as shapes.

    Parameters
    ----------
    exercise : str
    fn : callable
        The learner's function.
    case : dict
        The arguments by name, passed positionally in this order.
    name : str
        The function's name in messages.
    on_error : callable, optional
        ``on_error(error, fn, case) -> str or None``: a hint for an error the
        learner's function raised (a matrix product whose shapes do not fit, say).

    Raises
    ------
    NotAttempted
        If the function still raises the stub's ``NotImplementedError``.
    CheckFailed
        If ``fn`` is not callable, raises, or returns None.
    """
    if fn is Ellipsis:
        raise NotAttempted(exercise)
    if isinstance(fn, str):
        raise CheckFailed(exercise, f"expected a function, got the string {fn!r:.40}: that is text, not code. "
                                    f"Write a function with def ... return ..., and pass its name, {name}.")
    if not callable(fn):
        raise CheckFailed(exercise, f"expected a function, got {type(fn).__name__}. Pass the function itself, "
                                    "without calling it (no parentheses).")
    try:
        result = fn(*copy.deepcopy(tuple(case.values())))
    except NotImplementedError as error:
        raise not_attempted(exercise, error) from None
    except _ShortError:
        raise
    except Exception as error:  # the learner's code may raise anything
        message = f"{_signature(name, case)} raised {type(error).__name__}: {error}"
        hint = on_error(error, fn, case) if on_error is not None else None
        raise CheckFailed(exercise, message + (f"\nHint: {hint}" if hint else "")) from None
    if result is None:
        raise CheckFailed(exercise, f"{name} returned None: did you forget the `return` statement?")
    return result


def _one_line(array: np.ndarray) -> str:
    text = np.array2string(array, precision=6, separator=", ", suppress_small=True, max_line_width=10**6)
    return " ".join(text.split())


def _as_arrays(exercise: str, got: dict, expected: dict, signature: str) -> dict:
    """The learner's arrays as float arrays, each with the shape of the expected one, or a named complaint."""
    arrays = {}
    for label, want in expected.items():
        value = got[label]
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise CheckFailed(exercise, f"{signature}: {label} should be an array of numbers, got "
                                        f"{type(value).__name__}.") from None
        if array.shape != want.shape:
            transposed = " (transposed?)" if array.shape == want.shape[::-1] and array.ndim == 2 else ""
            raise CheckFailed(exercise, f"{signature}: {label} should have shape {want.shape}, like the array it is "
                                        f"the gradient of; got {array.shape}{transposed}.")
        if not np.all(np.isfinite(array)):
            raise CheckFailed(exercise, f"{signature}: {label} holds nan or inf.")
        arrays[label] = array
    return arrays


def _close(a, b, rtol, atol) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _ratio(got: dict, expected: dict):
    """The one factor c with got = c * expected for every array, if there is one (and it is not 1)."""
    return _factor(np.concatenate([np.ravel(a) for a in got.values()]),
                   np.concatenate([np.ravel(a) for a in expected.values()]))


def expect_gradients(exercise: str, fn, cases, reference, *, name: str, unpack, mistakes=(), diagnose=None,
                     on_error=None, rtol=1e-7, atol=1e-10):
    """Try a learner's backward pass on several cases and say which gradients are wrong, and why.

    Parameters
    ----------
    exercise : str
        The exercise id shown in messages.
    fn : callable
        The learner's function.
    cases : sequence of dict
        The arguments of each call by name (passed positionally, as copies).
    reference : callable
        ``reference(*args) -> dict``: the right gradients by label (``{"dW[0]": ..., "db[0]": ...}``).
    name : str
        The function's name in messages.
    unpack : callable
        ``unpack(result, expected) -> dict``: the learner's result as arrays by the same labels;
        raises :class:`CheckFailed` saying what the result should be when it has another form.
    mistakes : sequence of Mistake
        Plausible wrong passes, each ``Mistake(value(*args) -> dict, hint)``; one is named only when it
        explains every array of every case.
    diagnose : callable, optional
        ``diagnose(verdicts) -> str or None``, with ``verdicts`` one ``(labels, wrong labels)`` per case:
        a hint from which gradients are wrong, used when no mistake explains the answer.
    on_error : callable, optional
        As in :func:`call`.

    Raises
    ------
    NotAttempted, CheckFailed
    """
    results, first = [], None
    for case in cases:
        args = tuple(case.values())
        signature = _signature(name, case)
        expected = reference(*copy.deepcopy(args))
        raw = unpack(call(exercise, fn, case, name=name, on_error=on_error), expected)
        got = _as_arrays(exercise, raw, expected, signature)
        tolerance = float32_tolerance(raw.values(), rtol, atol)
        wrong = [label for label in expected if not _close(got[label], expected[label], *tolerance)]
        results.append((args, got, list(expected), wrong))
        if wrong and first is None:
            first = (signature, got, expected, wrong)
    if first is None:
        return
    signature, got, expected, wrong = first
    lines = [f"{signature} is not right yet:"]
    for label in expected:
        if label in wrong:
            lines.append(f"  {label}: expected {_one_line(expected[label])}, got {_one_line(got[label])}")
        else:
            lines.append(f"  {label}: right")
    message = "\n".join(lines)
    for mistake in mistakes:
        if all(all(_close(value[label], want, rtol, atol) for label, want in mistake.value(*copy.deepcopy(args)).items())
               for args, value, _, _ in results):
            raise CheckFailed(exercise, f"{message}\nHint: {mistake.hint}")
    c = _ratio(got, expected)
    if c is not None:
        message += f"\nEvery entry is {c:.6g} times the right one: a constant factor, the same for every weight."
    hint = diagnose([(labels, wrong) for _, _, labels, wrong in results]) if diagnose is not None else None
    raise CheckFailed(exercise, message + (f"\nHint: {hint}" if hint else ""))


def labelled(prefix: str, arrays) -> dict:
    """The arrays by name: ``labelled("dW", [a, b]) == {"dW[0]": a, "dW[1]": b}``."""
    return {f"{prefix}[{l}]": np.asarray(a, dtype=np.float64) for l, a in enumerate(arrays)}


def _slope(kind: str, net, out):
    if kind == "net":            # right: phi'(net) = o (1 - o) (Lesson 03)
        return out * (1 - out)
    if kind == "of_output":      # phi' evaluated at the output: phi'(o) = phi(o) (1 - phi(o))
        return logistic(out) * (1 - logistic(out))
    if kind == "net_formula":    # o (1 - o) written with the net input in place of the output
        return net * (1 - net)
    if kind == "none":
        return 1.0
    raise ValueError(f"unknown slope {kind!r}")


def flawed_backward(W, b, x, t, *, sign=1, output_slope="net", hidden_slope="net", divide="n", last_only=False,
                    biases=True, bias_gradient="mean"):
    """A logistic network's backward pass (Lesson 06), right by default, or with one of a learner's flaws.

    The squared error E = 1/n sum_p 1/2 sum_k (t_pk - o_pk)^2 (Lesson 05, section 1). The flaws are
    the mistakes the checks of 05.5 and 06.4 name.

    Parameters
    ----------
    W, b : list of ndarray
        Weights ``(inputs, outputs)`` and biases of every layer.
    x, t : ndarray
        Inputs ``(n, n_in)`` and targets ``(n, n_out)``, one row per example.
    sign : {1, -1}
        -1: the output delta starts from t - y instead of y - t.
    output_slope, hidden_slope : {"net", "of_output", "net_formula", "none"}
        The slope phi' used in the output layer and in the hidden layers: right (``"net"``),
        phi' evaluated at the output, o (1 - o) applied to net, or left out.
    divide : {"n", "sum", "entries"}
        The gradients averaged over the n examples (right), summed, or averaged over all n * n_out entries.
    last_only : bool
        The weight gradients of the last example alone, as a loop over the examples that overwrites leaves them.
    biases : bool
        False: the forward pass leaves the biases out.
    bias_gradient : {"mean", "zero", "sum", "last"}
        How the bias gradients are formed: right, missing, summed over the batch, or overwritten
        example by example (the last example's delta alone).

    Returns
    -------
    (dW, db) : two lists of ndarray
    """
    outs, nets = [x], [None]
    for W_l, b_l in zip(W, b):
        nets.append(outs[-1] @ W_l + (b_l if biases else 0))
        outs.append(logistic(nets[-1]))
    divisor = {"n": len(x), "sum": 1, "entries": np.size(t)}[divide]
    delta = sign * (outs[-1] - t) * _slope(output_slope, nets[-1], outs[-1])
    dW, db = [None] * len(W), [None] * len(W)
    for l in reversed(range(len(W))):
        rows = slice(-1, None) if last_only else slice(None)
        dW[l] = outs[l][rows].T @ delta[rows] / divisor
        db[l] = {"mean": delta.sum(axis=0) / divisor, "zero": np.zeros(delta.shape[1]),
                 "sum": delta.sum(axis=0), "last": delta[-1] / divisor}[bias_gradient]
        if l > 0:
            delta = (delta @ W[l].T) * _slope(hidden_slope, nets[l], outs[l])
    return dW, db


_SLOPES = {
    "of_output": "phi' is evaluated at the neuron's output: phi'(o) = phi(o) (1 - phi(o)) is phi'(phi(net)). "
                 "The slope belongs at net; for the logistic it is written with the output you already have, "
                 "phi'(net) = o (1 - o), with no second phi.",
    "net_formula": "o (1 - o) is applied to the net input: net (1 - net) is not the slope. phi'(net) = o (1 - o) "
                   "takes the neuron's output o = phi(net).",
}


def mistakes(flawed, *, averaged: str, with_biases: bool) -> list:
    """The mistakes of a backward pass that 05.5 and 06.4 both name, each with its hint.

    Parameters
    ----------
    flawed : callable
        ``flawed(**flaws)`` -> a mistake's value function, the flaws of :func:`flawed_backward`.
    averaged : str
        What the right gradients divide by n, in the lesson's words (``"the gradients"``).
    with_biases : bool
        Whether the network has biases (Lesson 06) or not (Lesson 05).
    """
    found = [
        Mistake(flawed(sign=-1), "every gradient has the opposite sign: the output delta starts from dE/dy = y - t "
                                 "(Eq. 4), not t - y. (t - y) points downhill; the gradient points uphill."),
        Mistake(flawed(hidden_slope="none"), "the hidden deltas lack their slope: after the product with the "
                                             "weights, multiply by phi'(net) = o (1 - o) of the hidden layer "
                                             "(delta_j = (sum_l w_jl delta_l) phi'(net_j))."),
        Mistake(flawed(output_slope="none"), "the output deltas lack their slope: delta = (y - t) phi'(net) = "
                                             "(y - t) y (1 - y) (Eq. 3 and 4)."),
    ]
    for kind, text in _SLOPES.items():
        for (output, hidden), where in (((kind, "net"), "in the output layer"), (("net", kind), "in the hidden layers"),
                                        ((kind, kind), "in every layer")):
            found.append(Mistake(flawed(output_slope=output, hidden_slope=hidden), f"{text} (Here: {where}.)"))
    found += [
        Mistake(flawed(divide="entries"),
                "every gradient is 1/n_out of the right one (exactly half with two outputs): you averaged over all "
                "n * n_out entries of the error (np.mean of the squares, or a division by t.size). The error of "
                "one example sums over its outputs, E_p = 1/2 sum_k (t_k - o_k)^2, and E averages over the n "
                f"examples only (Lesson 05, section 1): divide {averaged} by n = len(x)."),
        Mistake(flawed(divide="sum"), f"those are sums over the examples; E is their average, so divide {averaged} by n."),
    ]
    overwritten = ("those are the gradients of the last example alone{}: a loop over the examples that assigns "
                   "dW = ... overwrites what the earlier examples gave. Add all the examples' contributions up "
                   "(+=) and divide by n once, or let one matrix product out.T @ delta do the sum over the rows.")
    for flaws, divided in (({}, " (divided by n)"), ({"divide": "sum"}, "")):
        found.append(Mistake(flawed(last_only=True, **flaws), overwritten.format(divided)))
        if with_biases:
            found.append(Mistake(flawed(last_only=True, bias_gradient="last", **flaws), overwritten.format(divided)))
    return found


def last_layer_right(verdicts) -> bool:
    """True when the output layer's gradients are right in every case and some other gradient is wrong.

    The output layer's gradients are the last ``dW`` (and ``db``) of each case's labels.
    """
    def last(labels, prefix):
        mine = [label for label in labels if label.startswith(prefix)]
        return mine[-1:] if mine else []

    wrong_somewhere = False
    for labels, wrong in verdicts:
        if set(last(labels, "dW") + last(labels, "db")) & set(wrong):
            return False
        wrong_somewhere = wrong_somewhere or bool(wrong)
    return wrong_somewhere
