"""Machinery shared by every lesson's checks.

A lesson's check function receives the learner's answer (a value or a
function), calls it through :func:`call`, compares with :func:`expect_close`
(which tries a list of plausible mistakes to name the likely one), and ends
with :func:`passed`.
"""

from __future__ import annotations

import copy
import re
import textwrap
import types
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # SymPy loads where a derivation is checked (lessons 03-05, 08), not in every lesson
    from bp_course import symbolic

__all__ = [
    "CheckFailed",
    "NotAttempted",
    "require",
    "not_attempted",
    "Mistake",
    "answer_value",
    "call",
    "expect_close",
    "expect_function",
    "expect_derivation",
    "expect_choices",
    "gradient_list",
    "flat",
    "passed",
    "format_value",
]


class _ShortError(AssertionError):
    """An error shown in a notebook as its message alone.

    IPython calls ``_render_traceback_`` instead of printing a traceback, so
    the learner sees the feedback and no frames from inside this package
    (and stored outputs hold no file paths).
    """

    def __init__(self, exercise: str, message: str):
        self.exercise = exercise
        self.message = message
        super().__init__(f"Exercise {exercise}: {message}")

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self.args[0]}"]


class CheckFailed(_ShortError):
    """The answer to an exercise is wrong; the message says how and why."""


WIDTH = 79
"""Characters per line of the messages the learner reads (and of the stubs :mod:`bp_course.release` writes)."""


class NotAttempted(_ShortError):
    """The answer cell still holds the stub of the released lesson.

    Parameters
    ----------
    exercise : str
        The exercise id (``"01.1"``).
    message : str, optional
        What to do; by default the check cell's advice. :func:`require`
        passes its own, for the narrative cells that use an answer.

    The message is shown wrapped at :data:`WIDTH` characters, between words,
    so the notebook never breaks it in the middle of one.
    """

    def __init__(self, exercise: str, message: str | None = None):
        super().__init__(
            exercise,
            message or "not attempted yet. Write your answer in the cell above (replace the `...` or "
                       "the `raise NotImplementedError(...)` line), run that cell, then run this check again.",
        )

    def _render_traceback_(self):
        text = f"{type(self).__name__}: {self.args[0]}"
        return [wrapped for line in text.splitlines()
                for wrapped in textwrap.wrap(line, WIDTH, break_long_words=False, break_on_hyphens=False) or [""]]


_STUB = re.compile(r"^Exercise (\S+) is not attempted yet")
"""The message of the stub a released answer cell raises (:func:`bp_course.release.STUB`)."""


def not_attempted(exercise: str, error: NotImplementedError) -> NotAttempted:
    """What a check says when the learner's answer raised a stub's ``NotImplementedError``.

    The stub may be another exercise's: an answer that calls an earlier
    answer still missing (``mean_error`` of 01.2 calling ``output`` of 01.1).
    Then the message names that exercise, the one to solve first.

    Examples
    --------
    >>> print(not_attempted("01.2", NotImplementedError("Exercise 01.1 is not attempted yet")))
    Exercise 01.1: not attempted yet. Your answer to 01.2 uses it: solve it first, then run this check again.
    """
    match = _STUB.match(str(error))
    if match is None or match.group(1) == exercise:
        return NotAttempted(exercise)
    return NotAttempted(match.group(1), f"not attempted yet. Your answer to {exercise} uses it: solve it first, "
                                        "then run this check again.")


def require(exercise: str, *answers) -> None:
    """Stop a narrative cell that uses an answer the learner has not written yet.

    A lesson's cell that draws or prints with an exercise's answer starts
    with ``check.require("01.1", output)``: while the answer is the released
    stub, the cell stops with one line naming the exercise to solve, instead
    of a traceback from deep inside NumPy or :mod:`bp_course.plots`.

    Parameters
    ----------
    exercise : str
        The exercise whose answers follow.
    *answers
        Its answers: values (``...`` while not attempted, also inside a
        list, tuple or dict) or functions and classes. A function is
        missing while its code still holds the stub's ``raise`` line, or
        while a function or class of the notebook that it calls does (then
        the exercise named is that one's, found in its stub).

    Raises
    ------
    NotAttempted
        Naming the exercise to solve first.

    Examples
    --------
    >>> require("01.3", 1.0, [2.0, 3.0])
    >>> require("01.3", [1.0, ...])
    Traceback (most recent call last):
    ...
    bp_course.checks.core.NotAttempted: Exercise 01.3: not attempted yet. This cell uses your answer to it: ...
    """
    for answer in answers:
        missing = _missing(answer, exercise, set())
        if missing:
            raise NotAttempted(missing, "not attempted yet. This cell uses your answer to it: solve it first, then "
                                        "run this cell again.")


def _missing(answer, exercise: str, seen: set):
    """The exercise whose stub ``answer`` still is or calls, or None when it is written."""
    if answer is Ellipsis:
        return exercise
    if isinstance(answer, (list, tuple)):
        return next((e for e in (_missing(a, exercise, seen) for a in answer) if e), None)
    if isinstance(answer, dict):
        return _missing(list(answer.values()), exercise, seen)
    if id(answer) in seen:
        return None
    seen.add(id(answer))
    if isinstance(answer, type):
        return _missing([v.__func__ if isinstance(v, (staticmethod, classmethod)) else v
                         for v in vars(answer).values() if isinstance(v, (types.FunctionType, staticmethod,
                                                                           classmethod))], exercise, seen)
    if not isinstance(answer, types.FunctionType):
        return None
    stub = _stub_in(answer.__code__)
    if stub:
        return stub
    called = [answer.__globals__.get(name) for name in _names(answer.__code__)]  # the notebook's own functions
    return _missing([f for f in called if isinstance(f, (type, types.FunctionType))
                     and getattr(f, "__module__", None) == answer.__module__], exercise, seen)


def _codes(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _stub_in(code):
    for inner in _codes(code):
        for const in inner.co_consts:
            match = _STUB.match(const) if isinstance(const, str) else None
            if match:
                return match.group(1)
    return None


def _names(code):
    return {name for inner in _codes(code) for name in inner.co_names}


class Mistake:
    """A plausible wrong answer and the hint that explains it.

    Parameters
    ----------
    value : array_like or callable
        What the mistake produces: a value for :func:`expect_close`, a
        function of the same arguments as the answer for :func:`expect_function`.
    hint : str
        Plain words naming the mistake, shown when the answer matches ``value``.
    """

    def __init__(self, value, hint: str):
        self.value = value
        self.hint = hint


def format_value(value) -> str:
    """A short, stable rendering of a number or array for feedback messages."""
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    if isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) and v.ndim > 1 for v in value):
        return "[" + ", ".join(f"array of shape {np.shape(v)}" for v in value) + "]"
    try:
        array = np.asarray(value)
    except ValueError:  # ragged
        return f"{value!r:.60}"
    if array.dtype == object:
        return f"{value!r:.60}"
    if array.ndim == 0:
        return f"{float(array):.6g}"
    return np.array2string(array, precision=6, separator=", ", suppress_small=True, max_line_width=100)


def answer_value(exercise: str, value, name: str):
    """Return a value answer, raising :class:`NotAttempted` for the stub's ``...``."""
    if value is Ellipsis:
        raise NotAttempted(exercise)
    return value


def call(exercise: str, fn, *args, name: str = "your function"):
    """Call a learner's function, turning its failures into feedback.

    Raises
    ------
    NotAttempted
        If the function still raises the stub's ``NotImplementedError``.
    CheckFailed
        If it is not callable, raises any other error, or returns ``None``.
    """
    if fn is Ellipsis:
        raise NotAttempted(exercise)
    if isinstance(fn, str):
        raise CheckFailed(exercise, f"expected a function, got the string {fn!r:.60}: that is a string; write a "
                                    "function with `def ...` and pass its name.")
    if not callable(fn):
        raise CheckFailed(exercise, f"expected a function, got {type(fn).__name__}. Pass the function itself, "
                                    "without calling it (no parentheses).")
    try:
        result = fn(*args)
    except NotImplementedError as error:
        raise not_attempted(exercise, error) from None
    except _ShortError:  # a check's own verdict, raised by a wrapper around the learner's function
        raise
    except Exception as error:  # the learner's code may raise anything
        shown = ", ".join(format_value(a) for a in args)
        raise CheckFailed(exercise, f"{name}({shown}) raised {type(error).__name__}: {error}") from None
    if result is None:
        raise CheckFailed(exercise, f"{name} returned None: did you forget the `return` statement?")
    return result


def _as_numbers(exercise: str, got, what: str):
    if callable(got) and not isinstance(got, np.ndarray):
        raise CheckFailed(exercise, f"{what} should be a number or an array of numbers, got the function "
                                    f"{format_value(got)} itself. Call it, with its arguments in parentheses, and "
                                    "store the number it returns.")
    if isinstance(got, (str, bytes, bool)) or got is None:
        raise CheckFailed(exercise, f"{what} should be a number or an array of numbers, got "
                                    f"{type(got).__name__} {got!r:.60}")
    try:
        array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(exercise, f"{what} should be a number or an array of numbers, got "
                                    f"{type(got).__name__} {got!r:.60}") from None
    return array


def _close(a, b, rtol, atol) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def expect_close(exercise: str, got, expected, *, what: str, mistakes=(), rtol=1e-6, atol=1e-9, describe=None):
    """Compare an answer with the expected value and explain any difference.

    Parameters
    ----------
    exercise : str
        The exercise id shown in messages (``"00.1"``).
    got, expected : array_like
        The learner's value and the correct one.
    what : str
        How the message names the value (``"squared_error(0.6, 0)"``).
    mistakes : sequence of Mistake
        Plausible wrong values, tried in order; the first one that matches
        ``got`` gives the hint.
    describe : callable, optional
        ``describe(got, expected, rtol, atol) -> str``: when given, the
        message never shows the expected value (a value answer would be
        pasted); it says "not right yet", with this hint when no mistake
        matches (:func:`bp_course.checks.values.expect_value`).

    Raises
    ------
    CheckFailed
        When ``got`` is not close to ``expected``.
    """
    got_array = _as_numbers(exercise, got, what)
    expected = np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected.shape and got_array.size == expected.size == 1:
        got_array = got_array.reshape(expected.shape)
    if got_array.shape != expected.shape:
        raise CheckFailed(exercise, f"{what} should have shape {expected.shape}, got shape {got_array.shape}.")
    if not np.all(np.isfinite(got_array)):
        raise CheckFailed(exercise, f"{what} is {format_value(got_array)}, which is not finite (nan or inf).")
    if _close(got_array, expected, rtol, atol):
        return
    if describe is None:
        message = f"{what}: expected {format_value(expected)}, got {format_value(got_array)}."
    else:
        message = f"{what} = {format_value(got_array)} is not right yet."
    for mistake in mistakes:
        if _close(got_array, mistake.value, rtol, atol):
            raise CheckFailed(exercise, f"{message}\nHint: {mistake.hint}")
    hint = describe(got_array, expected, rtol, atol) if describe else ""
    raise CheckFailed(exercise, message + (f"\nHint: {hint}" if hint else ""))


def expect_function(exercise: str, fn, cases, reference, *, name: str, mistakes=(), rtol=1e-6, atol=1e-9,
                    in_place: bool = True):
    """Try a learner's function on several cases and explain any difference.

    A mistake is only named when it explains the answers on *every* case,
    so one coincidence cannot produce a misleading hint.

    Parameters
    ----------
    exercise : str
        The exercise id shown in messages.
    fn : callable
        The learner's function.
    cases : sequence of dict
        Keyword arguments of each call, in order (``{"y": 0.6, "t": 0.0}``);
        they are passed positionally, in the order given, and as copies, so
        a function that changes its arguments in place cannot change the
        reference's.
    reference : callable
        The correct function.
    name : str
        The function's name in messages.
    mistakes : sequence of Mistake
        Plausible wrong functions with their hints.
    in_place : bool
        Whether to refuse a function whose values are right but which changed
        an argument (an array, or a list, tuple or dict of them) in place.
        ``False`` where the exercise's check says so in its own words.

    Raises
    ------
    NotAttempted, CheckFailed
        As :func:`call` and :func:`expect_close`.
    """
    got, first_wrong, changed = [], None, None
    for case in cases:
        args = tuple(case.values())
        given = copy.deepcopy(args)
        value = call(exercise, fn, *given, name=name)
        shown = ", ".join(f"{k}={format_value(v)}" for k, v in case.items())
        what = f"{name}({shown})"
        try:
            expect_close(exercise, value, reference(*args), what=what, rtol=rtol, atol=atol)
        except CheckFailed as failure:
            if first_wrong is None:
                first_wrong = failure
        if in_place and changed is None:
            changed = next((key for key, before, after in zip(case, args, given) if not _unchanged(before, after)),
                           None)
        got.append((value, args))
    if first_wrong is None:
        if changed is not None:
            raise CheckFailed(exercise, f"{name} returns the right values, but it changed its argument `{changed}` "
                                        f"in place, so the caller's `{changed}` changes too and the cells after this "
                                        f"one would work on wrong data.\nHint: `a = {changed}` does not copy, it gives "
                                        f"the same array a second name, so `a -= ...` or `a[...] = ...` changes "
                                        f"`{changed}` too. Build new arrays (`a = a - ...`, or start from "
                                        f"`np.array({changed}, dtype=float)`).")
        return
    for mistake in mistakes:
        if all(_explains(mistake, _as_numbers(exercise, value, name), args, rtol, atol) for value, args in got):
            raise CheckFailed(exercise, f"{first_wrong.message}\nHint: {mistake.hint}")
    raise first_wrong


def _unchanged(before, after) -> bool:
    """Whether an argument a learner's function received is as it was (arrays and containers of them).

    Only data is compared: numbers, arrays, and lists, tuples and dicts of
    them. Other objects (a ``Network`` an exercise asks to train, a function)
    count as unchanged.
    """
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and before.shape == after.shape and bool(
            np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
    if isinstance(before, (list, tuple)):
        return type(before) is type(after) and len(before) == len(after) and all(
            _unchanged(b, a) for b, a in zip(before, after))
    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(
            _unchanged(before[k], after[k]) for k in before)
    return True


def _explains(mistake: Mistake, value, args, rtol, atol) -> bool:
    """Whether a mistake's function gives ``value`` on ``args``; one that cannot run on them explains nothing.

    A mistake such as ``out @ W.T + b`` only runs where its shapes happen to
    fit: on other arguments it raises, and then it is not the learner's mistake.
    """
    try:
        with np.errstate(all="ignore"):
            return _close(value, mistake.value(*copy.deepcopy(args)), rtol, atol)
    except Exception:  # a mistake's own formula may fail on these arguments
        return False


_ECHO = 80  # the longest answer a derivation's failure message repeats; a longer one is "Your dE/dw"


def expect_derivation(exercise: str, answer, question: symbolic.Derivative) -> symbolic.Verdict:
    """Check a hand derivation with :func:`bp_course.symbolic.check_derivative`.

    Parameters
    ----------
    exercise : str
        The exercise id shown in messages.
    answer : sympy.Expr or str
        The learner's derivative; ``...`` means not attempted.
    question : bp_course.symbolic.Derivative
        What was asked.

    Returns
    -------
    bp_course.symbolic.Verdict
        The verdict of a right answer (its message says how it was confirmed).

    Raises
    ------
    NotAttempted, CheckFailed
        The latter with the checker's diagnosis as the hint, or with the
        reason an answer could not be read as a formula.
    """
    from bp_course import symbolic

    if answer is Ellipsis:
        raise NotAttempted(exercise)
    try:
        verdict = symbolic.check_derivative(answer, question)
    except symbolic.SymbolicInputError as error:
        raise CheckFailed(exercise, f"{question.title}: {error}") from None
    if verdict.correct:
        return verdict
    if verdict.hint:
        shown = str(answer)
        said = f"{question.title} = {shown}" if len(shown) <= _ECHO else f"Your {question.title}"
        raise CheckFailed(exercise, f"{said} is not right yet.\nHint: {verdict.hint}")
    raise CheckFailed(exercise, verdict.message)


def expect_choices(exercise: str, answer, key, choices, hints, *, item: str, items: str, plural: str,
                   example: str) -> None:
    """Check a dict answer that gives each of several items one of a few choices.

    Used where a learner classifies things (Lesson 07's bugs, Lesson 08's
    losses). Every wrong entry is reported at once, each with its own hint.

    Parameters
    ----------
    exercise : str
    answer : dict
        The learner's ``{item: choice}``; ``...`` (or all values ``...``) is not attempted.
    key : dict
        The right ``{item: choice}``, in the order items are reported.
    choices : iterable of str
        The valid choices.
    hints : dict
        ``{item: hint}`` shown when that item's choice is wrong.
    item, items : str
        What an item is called in messages, singular and plural (``"bug"``, ``"bugs"``).
    plural : str
        What the answers are called (``"diagnoses"``).
    example : str
        A short example of the expected dict, for a wrongly typed answer.

    Raises
    ------
    NotAttempted, CheckFailed
    """
    if answer is Ellipsis or (isinstance(answer, dict) and answer and all(v is Ellipsis for v in answer.values())):
        raise NotAttempted(exercise)
    if not isinstance(answer, dict):
        raise CheckFailed(exercise, f"the answer should be a dict such as {example}, got {type(answer).__name__}")
    choices = list(choices)
    unknown = sorted(repr(k) for k in answer if k not in key)
    if unknown:
        raise CheckFailed(exercise, f"unknown {item if len(unknown) == 1 else items} {', '.join(unknown)}; the "
                                    f"{items} are {', '.join(repr(k) for k in key)}")
    missing = [repr(k) for k in key if answer.get(k, Ellipsis) is Ellipsis]
    if missing:
        raise CheckFailed(exercise, f"no answer yet for {item if len(missing) == 1 else items} {', '.join(missing)}")
    for k in key:
        if answer[k] not in choices:
            raise CheckFailed(exercise, f"{answer[k]!r} for {item} {k!r} is not one of "
                                        f"{', '.join(repr(c) for c in choices)}")
    wrong = [k for k in key if answer[k] != key[k]]
    if wrong:
        lines = [f"{item} {k!r}: not {answer[k]!r}. Hint: {hints[k]}" for k in wrong]
        raise CheckFailed(exercise, f"{len(wrong)} of {len(key)} {plural} are not right yet.\n" + "\n".join(lines))


def flat(arrays) -> np.ndarray:
    """Arrays laid end to end in one vector, so a list of gradients compares as one value."""
    return np.concatenate([np.ravel(a) for a in arrays])


def gradient_list(exercise: str, fn, shapes, *, name: str, what: str):
    """Wrap a learner's function that returns a list of gradient arrays, for :func:`expect_function`.

    The wrapper checks that the result is a list (or tuple) of arrays with
    the expected shapes, naming the first that is not ("transposed?" when
    its shape is reversed), and returns them laid end to end (:func:`flat`).

    Parameters
    ----------
    exercise : str
    fn : callable
        The learner's function.
    shapes : callable
        ``shapes(*args) -> list of (label, shape)``: what the result should hold.
    name : str
        The function's name in messages.
    what : str
        How messages describe the result (``"a list of two arrays [dW0, dW1]"``).
    """
    if not callable(fn):
        return fn

    def wrapped(*args):
        result = fn(*args)
        expected = shapes(*args)
        if not isinstance(result, (list, tuple)) or len(result) != len(expected):
            raise CheckFailed(exercise, f"{name} should return {what}, got {type(result).__name__} "
                                        f"{format_value(result)}")
        for got, (label, shape) in zip(result, expected):
            if np.shape(got) != tuple(shape):
                hint = " (transposed?)" if np.shape(got) == tuple(shape)[::-1] else ""
                raise CheckFailed(exercise, f"{label} should have shape {tuple(shape)}; got {np.shape(got)}{hint}.")
        return flat(result)

    wrapped.__name__ = name
    return wrapped


def passed(exercise: str, message: str) -> None:
    """Print the one-line success message of a check."""
    print(f"✔ Exercise {exercise} passed: {message}")
