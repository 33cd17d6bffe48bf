"""From solution notebooks to student lessons (``python -m bp_course release``).

``solutions/NN_name.ipynb`` is the source: solved, with outputs. Exercise
code sits between two marker lines, as in nbgrader::

    def squared_error(y, t):
        ### BEGIN SOLUTION
        return 0.5 * (t - y) ** 2
        ### END SOLUTION

The release writes ``lessons/NN_name.ipynb`` in which

* the code between the markers becomes a stub that raises
  ``NotImplementedError`` naming the exercise, under a comment that says
  what to replace (at the top level of a cell,
  each variable the solution assigns is first set to ``...``, so the check
  cell can say "not attempted" instead of failing on an undefined name);
* outputs and execution counts are cleared, widget state dropped;
* cell ids are kept, and every cell's role, exercise and points are
  written into its metadata for grading (see :mod:`bp_course.notebooks`).

The release is a pure function of the solution notebook, so
``release --check`` can regenerate each lesson in memory and compare.
"""

from __future__ import annotations

import ast
import copy
import re
import textwrap
from pathlib import Path

from bp_course import notebooks
from bp_course.notebooks import META

__all__ = ["BEGIN", "END", "STUB", "AuthoringError", "release_notebook", "solution_blocks", "release", "stale"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = "Exercise {exercise} is not attempted yet"
"""The message of the ``NotImplementedError`` a stub raises; :func:`bp_course.checks.core.require` finds
the exercise a narrative cell needs by it."""
_MARKER = re.compile(r"^(\s*)(### (BEGIN|END) SOLUTION)\s*$")
_LESSON_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


class AuthoringError(ValueError):
    """A solution notebook breaks the authoring rules; the message names the cell."""


def _where(path, index) -> str:
    return f"{Path(path).name if path else 'notebook'}, cell {index}"


def solution_blocks(source: str, where: str = "cell"):
    """Split a cell's source at the solution markers.

    Returns
    -------
    list of (start, end, indent)
        Line indices of each BEGIN and END marker, and the BEGIN line's indentation.

    Raises
    ------
    AuthoringError
        For unmatched or nested markers.
    """
    blocks, start, indent = [], None, ""
    for number, line in enumerate(source.splitlines()):
        match = _MARKER.match(line)
        if not match:
            if BEGIN in line or END in line:
                raise AuthoringError(f"{where}: a solution marker must stand alone on its line: {line.strip()!r}")
            continue
        if match.group(3) == "BEGIN":
            if start is not None:
                raise AuthoringError(f"{where}: {BEGIN} inside another solution block (line {number + 1})")
            start, indent = number, match.group(1)
        else:
            if start is None:
                raise AuthoringError(f"{where}: {END} without a {BEGIN} (line {number + 1})")
            blocks.append((start, number, indent))
            start = None
    if start is not None:
        raise AuthoringError(f"{where}: {BEGIN} on line {start + 1} has no {END}")
    return blocks


def _assigned_names(code: str, where: str):
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError as error:
        raise AuthoringError(f"{where}: the solution does not parse ({error.msg}, line {error.lineno})") from None
    names = []

    def collect(target):
        if isinstance(target, ast.Name) and target.id not in names:
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                collect(element)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                collect(target)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            collect(node.target)
    return names


def _stub(block_lines, indent: str, exercise_id: str, where: str):
    """The lines that replace a solution block: short enough (at most 79 characters) to read whole in the editor."""
    raise_line = f'{indent}raise NotImplementedError("{STUB.format(exercise=exercise_id)}")'
    if indent:
        return [f"{indent}# write your code here, in place of the next line", raise_line]
    names = _assigned_names("\n".join(block_lines), where)
    if not names:
        return ["# write your code here, in place of the next line", raise_line]
    return [*(f"{name} = ...  # your answer" for name in names),
            "# replace each ... above with your answer, then delete the next line", raise_line]


def _strip_solutions(source: str, exercise_id: str, where: str) -> str:
    lines = source.splitlines()
    blocks = solution_blocks(source, where)
    if not blocks:
        raise AuthoringError(f"{where}: an answer cell needs a {BEGIN} ... {END} block")
    result, position = [], 0
    for start, end, indent in blocks:
        result.extend(lines[position:start])
        result.extend(_stub(lines[start + 1:end], indent, exercise_id, where))
        position = end + 1
    result.extend(lines[position:])
    return "\n".join(result)


def _exercise_table(nb, path):
    """Validate roles and return ``{exercise id: points}`` in notebook order."""
    exercises, checked, ids = {}, set(), set()
    for index, cell in enumerate(nb.cells):
        where = _where(path, index)
        cell_id = cell.get("id")
        if not cell_id:
            raise AuthoringError(f"{where}: the cell has no id (save the notebook as nbformat 4.5 or newer)")
        if cell_id in ids:
            raise AuthoringError(f"{where}: duplicate cell id {cell_id!r}")
        ids.add(cell_id)
        meta = cell.get("metadata", {}).get(META, {})
        kind = meta.get("role", "narrative")
        if kind not in notebooks.ROLES:
            raise AuthoringError(f"{where}: unknown role {kind!r}; valid roles are {', '.join(notebooks.ROLES)}")
        has_markers = BEGIN in cell.source or END in cell.source
        if kind != "answer":
            if has_markers:
                raise AuthoringError(f"{where}: solution markers in a cell whose role is {kind!r}, not 'answer'")
            if kind == "check":
                if meta.get("exercise") not in exercises:
                    raise AuthoringError(f"{where}: check cell for exercise {meta.get('exercise')!r}, "
                                         "which has no answer cell above it")
                checked.add(meta["exercise"])
            continue
        if cell.cell_type != "code":
            raise AuthoringError(f"{where}: an answer cell must be a code cell")
        exercise_id, points = meta.get("exercise"), meta.get("points")
        if not isinstance(exercise_id, str) or not exercise_id:
            raise AuthoringError(f"{where}: answer cell without an 'exercise' id in its metadata")
        if exercise_id in exercises:
            raise AuthoringError(f"{where}: a second answer cell for exercise {exercise_id!r}")
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
            raise AuthoringError(f"{where}: exercise {exercise_id!r} needs positive 'points' in its metadata")
        exercises[exercise_id] = points
    unchecked = [e for e in exercises if e not in checked]
    if unchecked:
        raise AuthoringError(f"{Path(path).name if path else 'notebook'}: exercise(s) {', '.join(unchecked)} "
                             "have no check cell")
    return exercises


def release_notebook(solution, path=None):
    """Return the student version of a solution notebook (the input is not changed).

    Parameters
    ----------
    solution : NotebookNode
        A solution notebook following the authoring rules of this module.
    path : path, optional
        Only used to name the notebook in error messages.

    Raises
    ------
    AuthoringError
        When a rule is broken; the message names the notebook and cell.
    """
    exercises = _exercise_table(solution, path)
    nb = copy.deepcopy(solution)
    nb.metadata.pop("widgets", None)
    lesson_meta = dict(nb.metadata.get(META, {}))
    lesson_meta["exercises"] = [{"id": e, "points": p} for e, p in exercises.items()]
    nb.metadata[META] = lesson_meta
    for index, cell in enumerate(nb.cells):
        meta = dict(cell.metadata.get(META, {}))
        meta["role"] = meta.get("role", "narrative")
        if meta["role"] == "answer":
            cell.source = _strip_solutions(cell.source, meta["exercise"], _where(path, index))
        if meta["role"] == "check":
            meta["points"] = exercises[meta["exercise"]]
        cell.metadata[META] = meta
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def _releases(solutions_dir, lessons_dir):
    """Yield (solution path, lesson path, released text) for every solution notebook."""
    sources = sorted(Path(solutions_dir).glob("*.ipynb"))
    bad = [p.name for p in sources if not _LESSON_NAME.match(p.name)]
    if bad:
        raise AuthoringError(f"solution notebooks must be named NN_lowercase_words.ipynb: {', '.join(bad)}")
    for source in sources:
        yield source, Path(lessons_dir) / source.name, notebooks.render(release_notebook(notebooks.read(source), source))


def _orphans(sources, lessons_dir):
    expected = {source.name for source in sources}
    return [p for p in sorted(Path(lessons_dir).glob("*.ipynb")) if p.name not in expected]


def release(solutions_dir="solutions", lessons_dir="lessons"):
    """Write every lesson from its solution notebook; returns the paths written or removed.

    Lessons without a solution notebook are removed, so ``lessons/`` mirrors
    ``solutions/`` exactly.
    """
    Path(lessons_dir).mkdir(exist_ok=True)
    written, sources = [], []
    for source, target, text in _releases(solutions_dir, lessons_dir):
        sources.append(source)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    for orphan in _orphans(sources, lessons_dir):
        orphan.unlink()
        written.append(orphan)
    return written


def stale(solutions_dir="solutions", lessons_dir="lessons"):
    """Names of lessons that are missing, out of date, or have no solution notebook."""
    problems, sources = [], []
    for source, target, text in _releases(solutions_dir, lessons_dir):
        sources.append(source)
        if not target.exists():
            problems.append(f"{target} (missing)")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"{target} (differs from what {source} releases)")
    problems.extend(f"{orphan} (no solution notebook)" for orphan in _orphans(sources, lessons_dir))
    return problems
