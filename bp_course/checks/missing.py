"""What a learner sees when a cell fails because an answer is not there yet (issue 16).

:func:`bp_course.checks.core.require` guards the lessons' narrative cells,
and the checks name the exercise whose stub an answer runs into. Some cells
fail before any course code runs, on a partly solved lesson:

* an answer cell whose code uses an earlier answer that is still ``...``
  (``0.02 * eta_max`` while Exercise 02.3 is unsolved): a ``TypeError``
  about ``'ellipsis'``;
* a check or narrative cell whose answer cell stopped before defining its
  name (``check.error_at_y(E)``): a ``NameError``;
* a cell that calls a function of the notebook whose body is still a stub.

:func:`install` (run when :mod:`bp_course.checks` is imported in a kernel)
has IPython show those errors through :func:`explain`: where it can name
the exercise, a few lines of at most :data:`~bp_course.checks.core.WIDTH`
characters say which one to solve or which cell to run; every other error
keeps IPython's traceback.
"""

from __future__ import annotations

import ast
import linecache
import re
import sys
import textwrap
import types

from bp_course.checks.core import _STUB, WIDTH

__all__ = ["explain", "install"]

_EXPLAINED = (NameError, TypeError, AttributeError, ValueError, NotImplementedError)
_EXERCISE = re.compile(r"^Exercise (\d\d\.\d+)\b")


def explain(error: BaseException, cell: str, namespace: dict, history=(), raised_in_function: bool = False):
    """The lines that explain ``error`` of a cell by a missing answer, or None.

    Parameters
    ----------
    error : BaseException
        What the cell raised.
    cell : str
        The cell's source.
    namespace : dict
        The kernel's variables (IPython's ``user_ns``).
    history : sequence of str
        The cells run so far (IPython's ``In``): a stub run there says which
        exercise a placeholder ``...`` belongs to, and a check run there
        which exercise a name belongs to.
    raised_in_function : bool
        Whether the error was raised inside a function the cell called
        (rather than by the cell's own lines).

    Returns
    -------
    list of str or None
        The message, wrapped at :data:`WIDTH` characters.

    Examples
    --------
    >>> explain(TypeError("unsupported operand"), "etas = {'creep': 0.02 * eta_max}", {"eta_max": ...},
    ...         ['eta_max = ...  # your answer\\nraise NotImplementedError("Exercise 02.3 is not attempted yet")'])[0]
    'TypeError: eta_max is still `...`: exercise 02.3 is not attempted yet. Solve it'
    """
    name = type(error).__name__
    if isinstance(error, NotImplementedError):
        stub = _STUB.match(str(error))
        if stub is None or not raised_in_function:
            return None
        text = (f"{name}: Exercise {stub.group(1)} is not attempted yet. This cell uses your answer to it: "
                "solve it first, then run this cell again.")
    elif isinstance(error, NameError):
        sources = [cell, *reversed(list(history))]  # a check cell run before names its answer's exercise
        exercise = next(filter(None, (_checked_by(s, getattr(error, "name", None), namespace) for s in sources)), None)
        if exercise is None:
            return None
        text = (f"{name}: name '{error.name}' is not defined. Exercise {exercise}'s answer cell defines it: run "
                "that cell (if it stops with an error, fix that first), then run this cell again.")
    else:
        placeholders = sorted(n for n in _loaded(cell) if namespace.get(n, None) is Ellipsis)
        if not placeholders:
            return None
        shown = ", ".join(placeholders) + (" is" if len(placeholders) == 1 else " are")
        exercise = next(filter(None, (_stub_assigning(n, history) for n in placeholders)), None)
        if exercise is None:
            text = (f"{name}: {shown} still `...`, an answer's placeholder: write that answer and run its "
                    "cell, then run this cell again.")
        else:
            text = (f"{name}: {shown} still `...`: exercise {exercise} is not attempted yet. Solve it first, "
                    "then run this cell again.")
    return textwrap.wrap(text, WIDTH, break_long_words=False, break_on_hyphens=False)


def _tree(cell: str):
    try:
        return ast.parse(cell)
    except SyntaxError:
        return ast.parse("")


def _loaded(cell: str) -> set:
    return {node.id for node in ast.walk(_tree(cell)) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def _checked_by(cell: str, name, namespace: dict):
    """The exercise of the course call in ``cell`` that takes ``name``: ``check.require("NN.k", name)`` or a check."""
    for call in (node for node in ast.walk(_tree(cell)) if isinstance(node, ast.Call)):
        arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
        if not any(isinstance(node, ast.Name) and node.id == name for a in arguments for node in ast.walk(a)):
            continue
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            continue
        module = namespace.get(func.value.id)
        if not (isinstance(module, types.ModuleType) and module.__name__.startswith("bp_course.checks.")):
            continue
        if func.attr == "require":
            first = call.args[0] if call.args else None
            exercise = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
            if re.fullmatch(r"\d\d\.\d+", exercise):
                return exercise
            continue
        match = _EXERCISE.match(getattr(getattr(module, func.attr, None), "__doc__", None) or "")
        if match:
            return match.group(1)
    return None


def _stub_assigning(name: str, history) -> str | None:
    """The exercise of the latest stub run that set ``name = ...``."""
    assigns = re.compile(rf"^\s*{re.escape(name)}\s*=\s*\.\.\.", re.M)
    for source in reversed(list(history)):
        stub = re.search(r'NotImplementedError\("Exercise (\d\d\.\d+) is not attempted yet"\)', source or "")
        if stub and assigns.search(source):
            return stub.group(1)
    return None


def _show(shell, etype, value, tb, tb_offset=None):
    """IPython's handler for :data:`_EXPLAINED`: :func:`explain`'s lines, or IPython's own traceback."""
    lines = None
    try:
        cell_frame = tb.tb_next if tb is not None and tb.tb_next is not None else tb
        last = cell_frame
        while last is not None and last.tb_next is not None:
            last = last.tb_next
        if cell_frame is not None and cell_frame.tb_frame.f_code.co_name == "<module>":
            cell = "".join(linecache.getlines(cell_frame.tb_frame.f_code.co_filename))
            lines = explain(value, cell, shell.user_ns, shell.user_ns.get("In", ()),
                            raised_in_function=last is not None and last.tb_frame.f_code.co_name != "<module>")
    except Exception:  # never let the explanation hide the error itself
        lines = None
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # for %debug and %tb, as IPython does
    stb = lines or shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    shell._showtraceback(etype, value, stb)
    return stb


def install(shell=None) -> bool:
    """Have the running IPython kernel show :data:`_EXPLAINED` errors through :func:`explain`.

    Does nothing outside IPython, or where another handler is installed.
    Returns whether the course's handler is in place.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if shell.custom_exceptions not in ((), _EXPLAINED):
        return False
    shell.set_custom_exc(_EXPLAINED, _show)
    return True
