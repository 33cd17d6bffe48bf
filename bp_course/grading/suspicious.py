"""Flagging answer code that reaches into the grading machinery, for an instructor to review.

A flag is not a verdict: the grade never depends on it (hidden checks are
judged outside the kernel, so such code gains nothing). It points the
instructor at code that has no business in an exercise answer: touching
IPython's input transformers, ``builtins`` or ``sys.modules``, reassigning
attributes of NumPy or of the course's modules, nbval comment markers, or
running generated code.
"""

from __future__ import annotations

import ast
import re

__all__ = ["scan", "module_aliases"]

_IPYTHON = {"get_ipython", "input_transformers_post", "input_transformers_cleanup", "ast_transformers",
            "InteractiveShell", "register_magic_function"}
_DYNAMIC = {"exec", "eval", "compile", "__import__"}
_NBVAL_MARKER = re.compile(r"^\s*#\s*NBVAL_\w+", re.M)


def module_aliases(sources) -> set:
    """Names bound to modules by the imports in some cells (``np``, ``check``, ``plots`` ...)."""
    names = {"np", "numpy", "bp_course", "sys", "builtins"}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.update(alias.asname or alias.name for alias in node.names)
    return names


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def scan(source: str, modules=frozenset({"np", "numpy", "bp_course"})) -> list:
    """Reasons an answer's code deserves a look, one short phrase each (empty when none).

    Parameters
    ----------
    source : str
        The answer cell's code.
    modules : set of str
        Names bound to modules in the lesson (see :func:`module_aliases`).

    Examples
    --------
    >>> scan("np.allclose = lambda *a, **k: True")
    ['reassigns np.allclose']
    >>> scan("def f(y, t):\\n    return y - t")
    []
    """
    flags = []
    if _NBVAL_MARKER.search(source):
        flags.append("contains an nbval comment marker (# NBVAL_...)")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return flags
    modules = set(modules) | module_aliases([source])
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in _IPYTHON | {"__builtins__"}:
            flags.append(f"uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in _IPYTHON | {"modules"}:
            if node.attr == "modules" and _root(node) != "sys":
                continue
            flags.append(f"uses {'sys.modules' if node.attr == 'modules' else node.attr}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.split(".")[0] in ("builtins", "IPython", "ctypes", "gc") or \
                        name.startswith(("bp_course.checks", "bp_course.grading")):
                    flags.append(f"imports {name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _DYNAMIC:
            flags.append(f"calls {node.func.id}()")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
                and node.args and _root(node.args[0]) in modules:
            flags.append(f"calls {node.func.id}() on {_root(node.args[0])}")
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            while isinstance(target, ast.Subscript):  # sys.modules["numpy"] = ... changes sys.modules
                target = target.value
            if isinstance(target, ast.Attribute) and _root(target) in modules:
                flags.append(f"{'deletes' if isinstance(node, ast.Delete) else 'reassigns'} {ast.unparse(target)}")
    return list(dict.fromkeys(flags))
