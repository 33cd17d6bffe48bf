"""A class of submissions for the grading tests, built from the course's own notebooks.

Each student stands for one situation the grader must handle (see EXPECTED
in tests/test_grading.py). Building them from solutions/ and lessons/ keeps
the fixtures in step with the lessons.
"""

import json
from pathlib import Path

import nbformat

from bp_course import notebooks

ROOT = Path(__file__).resolve().parent.parent
LESSON02 = "02_gradient_descent.ipynb"
LESSON00 = "00_how_to_use_this_course.ipynb"

WRONG_GRADIENT = "def gradient(w, x, t):\n    return (t - x @ w) @ x / len(x)"
TRANSFORMER = ("def gradient(w, x, t):\n    return (x @ w - t) @ x / len(x)\n"
               "get_ipython().input_transformers_post.append(\n"
               "    lambda lines: [\"print('✔ Exercise passed')\\n\"])")
MONKEYPATCH = ("import numpy as np\nnp.allclose = lambda *a, **k: True\n"  # wrong (sign), with shapes right
               "def gradient(w, x, t):\n    return (np.ravel(t) - x @ w) @ x / len(x)")
ENDLESS = "def descent(w0, x, t, eta, steps):\n    while True:\n        pass"
CRASH = "import os\nos._exit(1)"
ASKS_INPUT = "etas = eval(input('etas? '))"


def _solution(name):
    return notebooks.read(ROOT / "solutions" / name)


def _cell(nb, exercise, role="answer"):
    return next(c for c in nb.cells if notebooks.role(c) == role and notebooks.exercise(c) == exercise)


def _with(name, **answers):
    """The solution notebook with some answer cells rewritten (keys like e02_1)."""
    nb = _solution(name)
    for key, source in answers.items():
        _cell(nb, key[1:].replace("_", ".")).source = source
    return nb


def build(folder: Path) -> dict:
    """Write the class into ``folder`` (lesson 02 in ``folder/l02``, lesson 00 in ``folder/l00``); return their paths."""
    l02, l00 = folder / "l02", folder / "l00"
    l02.mkdir(parents=True)
    l00.mkdir(parents=True)
    paths = {}

    def save(nb, directory, student):
        path = directory / f"{student}.ipynb"
        notebooks.write(nb, path)
        paths[student] = path

    save(_solution(LESSON02), l02, "full")
    save(notebooks.read(ROOT / "lessons" / LESSON02), l02, "unsolved")
    save(_with(LESSON02, e02_1=WRONG_GRADIENT, e02_3="eta_max = 1 / np.linalg.eigvalsh(x.T @ x / len(x)).max()"),
         l02, "partial")
    nb = _with(LESSON02, e02_1=WRONG_GRADIENT)
    nb.cells = [c for c in nb.cells if notebooks.role(c) != "check"]
    save(nb, l02, "deleted_checks")
    nb = _with(LESSON02, e02_1=WRONG_GRADIENT)
    _cell(nb, "02.1", "check").source = "print('✔ Exercise 02.1 passed: (edited by the student)')"
    save(nb, l02, "edited_checks")
    nb = _with(LESSON02, e02_1=WRONG_GRADIENT)
    check = _cell(nb, "02.1", "check")
    check.metadata["tags"] = ["raises-exception", "nbval-skip"]
    check.source = "# NBVAL_SKIP\n" + check.source
    _cell(nb, "02.1").source = "# NBVAL_SKIP\n" + WRONG_GRADIENT
    save(nb, l02, "skip_tags")
    nb = _solution(LESSON02)  # outputs of a solved run kept, answers emptied
    for cell in nb.cells:
        if notebooks.role(cell) == "answer":
            cell.source = ""
    save(nb, l02, "stored_outputs")
    save(_with(LESSON02, e02_1=TRANSFORMER), l02, "transformer")
    save(_with(LESSON02, e02_1=MONKEYPATCH), l02, "monkeypatch")
    save(_with(LESSON02, e02_2=ENDLESS), l02, "endless")
    save(_with(LESSON02, e02_3=CRASH), l02, "crash")
    save(_with(LESSON02, e02_4=ASKS_INPUT), l02, "asks_input")
    nb = _solution(LESSON02)
    for index, cell in enumerate(nb.cells):
        if notebooks.role(cell) == "answer":
            cell["id"] = f"renamed-{index}"
    save(nb, l02, "moved_ids")
    nb = _solution(LESSON02)
    answer = _cell(nb, "02.1")
    copy = nbformat.from_dict(json.loads(json.dumps(answer)))
    copy.source = WRONG_GRADIENT
    nb.cells.insert(nb.cells.index(answer) + 2, copy)
    nb.nbformat_minor = 4  # duplicate ids are invalid in 4.5; older files carry them anyway
    (l02 / "duplicate.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    paths["duplicate"] = l02 / "duplicate.ipynb"
    save(_solution(LESSON00), l02, "other_lesson")

    save(_solution(LESSON00), l00, "full00")
    save(notebooks.read(ROOT / "lessons" / LESSON00), l00, "unsolved00")
    save(_with(LESSON00, e00_2="E = 0.36"), l00, "partial00")
    old = nbformat.convert(_solution(LESSON00), 3)
    (l00 / "old_format.ipynb").write_text(nbformat.writes(old, version=3), encoding="utf-8")
    paths["old_format"] = l00 / "old_format.ipynb"
    empty = nbformat.v4.new_notebook()
    empty.metadata[notebooks.META] = {"lesson": "00"}
    save(empty, l00, "empty")
    huge = _solution(LESSON00)
    next(c for c in huge.cells if c.cell_type == "code").outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="x" * 21_000_000)]
    save(huge, l00, "huge")
    (l00 / "not_json.ipynb").write_text("this is not a notebook", encoding="utf-8")
    paths["not_json"] = l00 / "not_json.ipynb"
    (l00 / "no_cells.ipynb").write_text('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', encoding="utf-8")
    paths["no_cells"] = l00 / "no_cells.ipynb"
    paths["absent"] = l00 / "absent.ipynb"
    return paths
