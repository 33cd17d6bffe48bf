"""Flagging answer code that reaches into the grading machinery, and holding its points for an instructor to review.

The hidden checks keep their references in the grader, so no code in the
kernel can read them; but the visible checks run in the kernel and hold
working references, and the package itself implements what the exercises
ask, so an answer can borrow a correct function from them. A flag names
such code, and the points of a flagged answer are *held* (:func:`held`):
the exercise earns nothing until the instructor accepts it
(``--accept-flagged``; docs/instructors.md, section 6). It points the instructor at code
that has no business in an exercise answer: touching IPython's input
transformers, ``builtins`` or ``sys.modules``, reassigning attributes of
NumPy or of the course's modules, nbval comment markers, running generated
code; reaching for the course's own implementation of the same exercise
(:data:`IMPLEMENTATIONS`) by any path, for the lesson's checks module
(``check``: the visible checks and what they import), for a function's
insides (``__globals__``, ``__closure__``...), ``globals()``, ``vars()`` or
a computed ``getattr``, for the hidden checks (``HIDDEN``), for the
caller's frames (``sys._getframe``, ``inspect``, tracebacks), for
``solutions/`` or the package's files; searching the filesystem, starting
processes, sending signals, or writing where Python or IPython read their
configuration.
"""

from __future__ import annotations

import ast
import re

__all__ = ["scan", "held", "module_aliases", "course_aliases", "IMPLEMENTATIONS"]

IMPLEMENTATIONS = {
    "00.1": {"bp_course.losses": {"squared_error"}},
    "00.3": {"bp_course.losses": {"squared_error_gradient"}},
    "01.2": {"bp_course.linear_neuron": {"error"}, "bp_course.losses": {"squared_error"}},
    "02.1": {"bp_course.linear_neuron": {"gradient"}, "bp_course.losses": {"squared_error_gradient"}},
    "02.2": {"bp_course.linear_neuron": {"descent_path"}},
    "02.3": {"bp_course.linear_neuron": {"stability_bound", "hessian"}},
    "02.4": {"bp_course.linear_neuron": {"regime", "REGIMES", "CREEP"}},
    "03.1": {"bp_course.activations": {"logistic_prime", "logistic_prime_from_out"},
             "bp_course.symbolic": {"logistic_derivative"}},
    "03.2": {"bp_course.gradcheck": {"central_difference", "numerical_derivative"}},
    "03.3": {"bp_course.activations": {"tanh_prime"}, "bp_course.symbolic": {"tanh_derivative"}},
    "03.4": {"bp_course.activations": {"relu_prime"}},
    "04.1": {"bp_course.symbolic": {"single_neuron"}},
    "04.2": {"bp_course.symbolic": {"single_neuron"}, "bp_course.activations": {"logistic_prime"}},
    "04.3": {"bp_course.symbolic": {"single_neuron"}},
    "04.4": {"bp_course.symbolic": {"single_neuron"}},
    "04.5": {"bp_course.network": {"Network"}},
    "05.1": {"bp_course.network": {"Network"}, "bp_course.symbolic": {"network_gradients"}},
    "05.2": {"bp_course.network": {"Network"}, "bp_course.symbolic": {"network_gradients"}},
    "05.3": {"bp_course.network": {"Network"}, "bp_course.symbolic": {"network_gradients"}},
    "05.4": {"bp_course.network": {"Network"}, "bp_course.symbolic": {"network_gradients"}},
    "05.5": {"bp_course.network": {"Network"}, "bp_course.symbolic": {"network_gradients"}},
    "06.1": {"bp_course.network": {"Network"}},
    "06.2": {"bp_course.network": {"Network"}},
    "06.3": {"bp_course.network": {"Network"}},
    "06.4": {"bp_course.network": {"Network"}},
    "07.1": {"bp_course.gradcheck": {"central_difference", "numerical_derivative"}},
    "07.3": {"bp_course.gradcheck": {"norm_relative_error"}},
    "07.4": {"bp_course.gradcheck": {"check_network"}},
    "07.5": {"bp_course.bugs": {"MYSTERIES", "EDITS"}},
    "08.2": {"bp_course.losses": {"softmax"}},
    "08.3": {"bp_course.losses": {"softmax_cross_entropy", "logistic_cross_entropy"}},
    "08.4": {"bp_course.symbolic": {"softmax_cross_entropy"}},
    "08.5": {"bp_course.symbolic": {"softmax_cross_entropy"}, "bp_course.losses": {"softmax_cross_entropy_gradient"}},
}
"""For each exercise, the course's own implementation of it: ``{module: names}``. An answer that uses one is flagged."""

_FRAMES = {"_getframe", "f_back", "f_locals", "f_globals", "tb_frame", "tb_next", "gi_frame", "cr_frame",
           "currentframe", "getouterframes", "getinnerframes", "__traceback__", "_current_frames"}
_PROCESSES = {"fork", "forkpty", "setsid", "setpgrp", "kill", "killpg", "system", "popen", "spawnl", "spawnv",
              "execv", "execve", "execl", "execvp", "daemon", "Popen", "Process", "pidfd_open"}
_FILESYSTEM = {"walk", "listdir", "scandir", "glob", "rglob", "iterdir"}
_PROCESS_MODULES = ("subprocess", "multiprocessing", "signal", "threading", "ctypes", "pty")
_THIRD_PARTY = {"np", "numpy", "sys", "builtins", "math", "sp", "sympy", "plt", "matplotlib"}
"""Module names whose private attributes are not the course's (``np._NoValue``)."""
_CONFIG_TEXT = ("site-packages", "dist-packages", ".pth", "sitecustomize", "usercustomize", "startup", ".ipython",
                "ipython_config", "matplotlibrc", "/proc", "lesson0", "checks/")

_IPYTHON = {"get_ipython", "input_transformers_post", "input_transformers_cleanup", "ast_transformers",
            "InteractiveShell", "register_magic_function", "displayhook", "excepthook", "user_ns", "user_global_ns",
            "events", "__main__"}
_DYNAMIC = {"exec", "eval", "compile", "__import__"}
_AS_VALUES = {"getattr", "setattr", "delattr", "vars", "globals", "locals", "exec", "eval", "compile", "__import__",
              "breakpoint", "open"}
"""Builtins an answer has no use for as a value (``reduce(getattr, names, module)``), or at all (``open``)."""
_RESOLVERS = {"resolve_name", "import_module", "find_spec", "load_module", "exec_module", "get_loader",
              "run_module", "run_path", "argv"}
"""Attributes that turn a string built at run time into a module or an object (``pkgutil.resolve_name``)."""
_DERIVING = {"diff", "Derivative", "doit", "integrate", "idiff", "series", "fdiff", "lambdify", "derivative",
             "correct", "gradient", "jacobian"}
"""Names through which SymPy or the course takes a derivative: not an answer to a derivation exercise."""
DERIVATIONS = frozenset({"03.1", "03.3", "04.1", "04.2", "04.3", "04.4", "08.4", "08.5"})
"""The exercises whose answer is a derivative written by hand."""
_INTERNALS = {"__globals__", "__closure__", "__code__", "__defaults__", "__kwdefaults__"}
_NAMESPACES = {"__dict__", "__getattribute__", "__self__", "__func__", "__wrapped__", "__subclasses__", "__mro__",
               "__bases__", "__base__", "__reduce__", "__reduce_ex__", "attrgetter", "methodcaller", "getattr_static"}
"""Ways to reach an object's attributes by a name built at run time, or from an object to others."""
TOO_DEEP = "is nested too deeply for the grader to read (so it cannot be checked)"
"""The flag of an answer whose syntax tree is too deep to walk: held for the instructor's eyes, like any flag."""
_NBVAL_MARKERS = frozenset({"PYTEST_VALIDATE_IGNORE_OUTPUT", "NBVAL_IGNORE_OUTPUT", "NBVAL_CHECK_OUTPUT",
                            "NBVAL_RAISES_EXCEPTION", "NBVAL_SKIP"})
"""The comment markers of ``nbval.plugin.comment_markers`` (nbval 0.11), checked against nbval's own in the tests."""


def nbval_marker(line: str) -> bool:
    """Whether nbval reads ``line`` as a comment marker (its ``find_comment_markers`` rule, for one line).

    nbval splits a cell with ``str.splitlines`` (so a form feed or a Unicode
    line separator ends a line too), strips the line, and takes a line that
    starts with ``#`` as a marker when, stripped of *all* its leading ``#``
    and whitespace, it is one of the markers: ``## NBVAL_SKIP`` counts.

    Examples
    --------
    >>> nbval_marker("  ## NBVAL_SKIP "), nbval_marker("# NBVAL_SKIP it"), nbval_marker("x = 1  # NBVAL_SKIP")
    (True, False, False)
    """
    line = line.strip()
    return line.startswith("#") and line.lstrip("#").strip() in _NBVAL_MARKERS


def _has_nbval_marker(source: str) -> bool:
    return any(nbval_marker(line) for line in source.splitlines())


def _imports(sources):
    """The ``import`` and ``from ... import`` statements of some cells (cells that do not parse are skipped)."""
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        yield from (node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)))


def module_aliases(sources) -> set:
    """Names bound to modules by the imports in some cells (``np``, ``check``, ``plots`` ...)."""
    names = {"np", "numpy", "bp_course", "sys", "builtins"}
    for node in _imports(sources):
        if isinstance(node, ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def course_aliases(sources) -> dict:
    """``{name: what it is bound to}`` for the imports from ``bp_course`` in some cells.

    ``from bp_course import gradcheck`` binds ``gradcheck`` to ``bp_course.gradcheck``;
    ``from bp_course.network import Network`` binds ``Network`` to ``bp_course.network.Network``.
    """
    found = {}
    for node in _imports(sources):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("bp_course"):
                    found[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else "bp_course"
        elif (node.module or "").startswith("bp_course"):
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _implementation_flags(tree, exercise, aliases, modules) -> list:
    """Uses of the course's own implementation of ``exercise`` (:data:`IMPLEMENTATIONS`), by any path.

    An attribute that bears one of its names is flagged on whatever object
    it is read from (``gradcheck.central_difference``, and as well
    ``check.gradcheck.central_difference``, ``m = gradcheck;
    m.central_difference`` or
    ``importlib.import_module("bp_course.gradcheck").central_difference``),
    but for ``self.``/``cls.`` (a class of the student's own).
    """
    wanted = IMPLEMENTATIONS.get(exercise, {})
    full = {f"{module}.{name}" for module, names in wanted.items() for name in names}
    names = {name for names in wanted.values() for name in names}
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    roots = set(modules) | set(aliases) | {"bp_course"}
    flags = []
    for node in ast.walk(tree):
        hit = None
        if isinstance(node, ast.Attribute) and node.attr in names:
            root = _dotted(node.value, aliases)
            if root and f"{root}.{node.attr}" in full:
                hit = f"{root}.{node.attr}"
            elif not (  # check.squared_error is the visible check (flagged as the checks module); a class's own
                    isinstance(node.value, ast.Name) and (aliases.get(node.value.id, "").startswith("bp_course.checks")
                                                          or node.value.id in ("self", "cls"))):
                hit = next(f for f in sorted(full) if f.endswith("." + node.attr))  # on any object: m = gradcheck
        elif isinstance(node, ast.Name) and node.id not in defined and aliases.get(node.id) in full:
            hit = aliases[node.id]
        elif isinstance(node, ast.ImportFrom) and node.module:
            hit = next((f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in full), None)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
            hit = next(f for f in sorted(full) if f.endswith("." + node.value))
        if hit:
            flags.append(f"uses the course's own {hit.removeprefix('bp_course.')} (the answer to {exercise})")
    return flags


def _chain_root(node):
    """The name an attribute, subscript or call chain starts from (``check`` in ``check.bugs.MYSTERIES``)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node, aliases):
    """The module a name or attribute chain stands for (``gradcheck`` -> ``bp_course.gradcheck``), or None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    base = aliases.get(node.id, "bp_course" if node.id == "bp_course" else None)
    return ".".join([base, *reversed(parts)]) if base else None


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _reflection_flags(tree, checks, modules, course) -> list:
    """The lesson's checks module, functions' insides, ``globals()``/``vars()``, computed ``getattr``/``setattr``.

    ``checks`` are the names the lesson binds to its checks module (the
    setup cell's ``check``): an answer has no use for them, and through
    them reaches the visible checks' references and the package.
    """
    flags = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in checks:
            flags.append(f"uses the lesson's checks module ({node.id})")
        elif isinstance(node, ast.Attribute) and node.attr in _INTERNALS:
            flags.append(f"reads a function's insides ({node.attr})")
        elif isinstance(node, ast.Attribute) and node.attr in _NAMESPACES or \
                isinstance(node, ast.Name) and node.id in _NAMESPACES - {"__dict__"}:
            flags.append(f"reaches attributes by a computed name or through other objects "
                         f"({getattr(node, 'attr', None) or node.id})")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") and \
                _chain_root(node.value) in set(course) | checks | {"bp_course"} | (set(modules) - _THIRD_PARTY):
            flags.append(f"uses a private name of the course ({node.attr})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in ("globals", "vars"):
                flags.append(f"calls {name}()")
            elif name in ("getattr", "setattr", "delattr", "hasattr") and node.args:
                root = _chain_root(node.args[0])
                if name in ("getattr", "hasattr") and root in set(course) | checks | {"bp_course"}:
                    flags.append(f"calls {name}() on {root}")
                if len(node.args) > 1 and not (isinstance(node.args[1], ast.Constant)
                                               and isinstance(node.args[1].value, str)):
                    flags.append(f"calls {name}() with a computed name")
    return flags


def scan(source: str, modules=frozenset({"np", "numpy", "bp_course"}), exercise=None, aliases=None) -> list:
    """Reasons an answer's code deserves a look, one short phrase each (empty when none).

    Parameters
    ----------
    source : str
        The answer cell's code.
    modules : set of str
        Names bound to modules in the lesson (see :func:`module_aliases`).
    exercise : str, optional
        The exercise it answers, to flag the course's own implementation of it.
    aliases : dict, optional
        The lesson's imports from ``bp_course`` (see :func:`course_aliases`).

    Examples
    --------
    >>> scan("np.allclose = lambda *a, **k: True")
    ['reassigns np.allclose']
    >>> scan("def f(y, t):\\n    return y - t")
    []
    """
    flags = []
    if _has_nbval_marker(source):
        flags.append("contains an nbval comment marker (# NBVAL_...)")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return flags
    except (RecursionError, MemoryError):
        return flags + [TOO_DEEP]
    try:
        return flags + _scan_tree(tree, source, modules, exercise, aliases)
    except (RecursionError, MemoryError):
        return flags + [TOO_DEEP]


def _scan_tree(tree, source: str, modules, exercise, aliases) -> list:
    flags = []
    checks = {name for name, target in (aliases or {}).items() if target.startswith("bp_course.checks")}
    modules = set(modules) | module_aliases([source])
    course = {**(aliases or {}), **course_aliases([source])}
    if exercise:
        flags += _implementation_flags(tree, exercise, course, modules)
    flags += _reflection_flags(tree, checks, modules, course)
    direct = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in _AS_VALUES and (node.id == "open" or id(node) not in direct):
            flags.append(f"uses {node.id} {'(opens a file)' if node.id == 'open' else 'as a value'}")
        elif isinstance(node, ast.Attribute) and node.attr in _RESOLVERS:
            flags.append(f"resolves a name at run time ({node.attr})")
        elif exercise in DERIVATIONS and (isinstance(node, ast.Attribute) and node.attr in _DERIVING
                                          or isinstance(node, ast.Name) and node.id in _DERIVING):
            flags.append(f"lets SymPy or the course take the derivative "
                         f"({getattr(node, 'attr', None) or node.id})")
        if isinstance(node, (ast.Name, ast.Attribute)) and (getattr(node, "id", None) == "HIDDEN"
                                                            or getattr(node, "attr", None) == "HIDDEN"):
            flags.append("reads the hidden checks (HIDDEN)")
        elif isinstance(node, ast.Attribute) and node.attr in _FRAMES or \
                isinstance(node, ast.Attribute) and node.attr == "stack" and _root(node) == "inspect":
            flags.append(f"walks the call stack ({node.attr})")
        elif isinstance(node, ast.Attribute) and node.attr in ("__file__", "__path__", "__spec__", "__loader__"):
            flags.append(f"looks for the course's files ({node.attr})")
        elif isinstance(node, ast.Attribute) and node.attr in _PROCESSES and _root(node) in ("os", "subprocess",
                                                                                             "multiprocessing", "pty"):
            flags.append(f"starts processes or sends signals ({_root(node)}.{node.attr})")
        elif isinstance(node, ast.Attribute) and node.attr in _FILESYSTEM:
            flags.append(f"searches the filesystem ({node.attr})")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            if "solutions" in text or ".ipynb" in text:
                flags.append("looks for the solutions or a notebook file")
            elif any(marker in text for marker in _CONFIG_TEXT):
                flags.append(f"names a configuration or system path ({node.value[:40]!r})")
        if isinstance(node, ast.Name) and node.id in _IPYTHON | {"__builtins__"}:
            flags.append(f"uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in _IPYTHON | {"modules"}:
            if node.attr == "modules" and _root(node) != "sys":
                continue
            flags.append(f"uses {'sys.modules' if node.attr == 'modules' else node.attr}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.split(".")[0] in ("builtins", "IPython", "ctypes", "gc", "importlib", "inspect", "site",
                                          "__main__", "operator", "pkgutil", "runpy", "pickle", "marshal", "copyreg",
                                          "shelve", "zipimport", "types", "linecache", "dis") or \
                        name.startswith(("bp_course.checks", "bp_course.grading")):
                    flags.append(f"imports {name}")
                elif isinstance(node, ast.ImportFrom) and name == "bp_course" and \
                        any(a.name in ("checks", "grading") for a in node.names):
                    flags.append(f"imports bp_course.{next(a.name for a in node.names if a.name in ('checks', 'grading'))}")
                elif name.split(".")[0] in _PROCESS_MODULES:
                    flags.append(f"starts processes or sends signals (imports {name})")
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


def _bound(tree) -> set:
    """Names a cell binds anywhere in it (assignments, defs, loop targets), except by ``import``.

    A name bound by an import holds what any cell may import itself (that
    is flagged where it is the exercise's own implementation), not an
    object the cell made or took from the machinery.
    """
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _carriers(tree, modules) -> set:
    """What a held cell can leave a borrowed object in, besides the names it binds.

    Attribute chains it assigns (``np.loot = ...`` gives ``"np.loot"``), and
    names it changes without binding them (``box.append(...)``,
    ``box[0] = ...``, ``box.attr = ...``), unless they are modules.
    """
    found = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, ast.Attribute):
                found.add(ast.unparse(target))
            base = target
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if base is not target and isinstance(base, ast.Name) and base.id not in modules:
                found.add(base.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id not in modules:
            found.add(node.func.value.id)
    return found


def held(answers: dict, flags: dict, restored: dict, modules=frozenset()) -> dict:
    """The exercises whose points wait for the instructor: ``{exercise: reason}``.

    A flagged answer is held; so is a later answer that uses a name a held
    answer bound (the borrowed object travels between cells: ``_got`` filled
    in 03.1's cell and read in 03.2's), unless the grader's restore cell
    rebound that name to the reference before the later answer ran; or an
    attribute chain it assigned (``np.loot``), or a name it changed in place
    (``box.append(...)``). Modules (``modules``: the lesson's) do not carry:
    a held cell that calls ``np.mean`` taints nothing.

    Parameters
    ----------
    answers : dict
        ``{exercise: source}`` in the order the cells run.
    flags : dict
        ``{exercise: [reason, ...]}`` from :func:`scan`.
    restored : dict
        ``{exercise: names}`` the restore cell after the exercise's check binds.

    Examples
    --------
    >>> held({"1": "_got = steal()", "2": "x = _got", "3": "y = 2"}, {"1": ["calls steal"]}, {})
    {'1': 'calls steal', '2': 'uses _got, bound by the held answer to 1'}
    """
    out, tainted = {}, {}
    for exercise, source in answers.items():
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} | \
            {ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Attribute)} if tree else set()
        if flags.get(exercise):
            out[exercise] = ", ".join(flags[exercise])
        else:
            borrowed = sorted(used & set(tainted))
            if borrowed:
                out[exercise] = f"uses {borrowed[0]}, bound by the held answer to {tainted[borrowed[0]]}"
        if exercise in out and tree is not None:
            for name in _bound(tree) | _carriers(tree, set(modules)):
                tainted.setdefault(name, exercise)
        for name in restored.get(exercise, ()):
            tainted.pop(name, None)
    return out
