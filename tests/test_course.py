"""The course as shipped: lessons match solutions, notebooks are clean, checks can fail, docs are true."""

import ast
import gc
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bp_course import notebooks, release

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LESSON_NAMES = [p.name for p in SOLUTIONS]


def test_there_are_lessons():
    assert "00_how_to_use_this_course.ipynb" in LESSON_NAMES


def test_lessons_are_released_from_the_current_solutions():
    """Fails when a solution was edited without `python -m bp_course release`."""
    assert release.stale(ROOT / "solutions", ROOT / "lessons") == []


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_no_solution_text_in_the_lesson(name):
    solution = notebooks.read(ROOT / "solutions" / name)
    lesson_text = (ROOT / "lessons" / name).read_text(encoding="utf-8")
    assert release.BEGIN not in lesson_text and release.END not in lesson_text
    for cell in solution.cells:
        if notebooks.role(cell) != "answer":
            continue
        lines = cell.source.splitlines()
        for start, end, _ in release.solution_blocks(cell.source):
            for line in lines[start + 1:end]:
                code = line.strip()
                if len(code) >= 8 and not code.startswith("#"):
                    assert code not in lesson_text, f"solution line {code!r} appears in lessons/{name}"


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_each_lesson_has_at_least_three_checked_exercises(name):
    meta = notebooks.read(ROOT / "lessons" / name).metadata["bp_course"]
    ids = [e["id"] for e in meta["exercises"]]
    assert len(ids) >= 3
    assert all(i.startswith(name[:2] + ".") for i in ids), ids
    assert meta["lesson"] == name[:2] and meta["title"]


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_no_text_cell_says_a_sentence_twice(name):
    """A merge once left a paragraph of lesson 06 three times over, and one of lesson 07 twice."""
    said = {}
    for cell in notebooks.read(ROOT / "solutions" / name).cells:
        if cell.cell_type != "markdown":
            continue
        for sentence in re.split(r"(?<=[.!?:])\s+", re.sub(r"\s+", " ", cell.source)):
            if len(sentence.split()) >= 8:
                assert sentence not in said, f"cell {cell.get('id')} repeats, from cell {said[sentence]}: {sentence!r}"
                said[sentence] = cell.get("id")


def _bound_names(source: str) -> set:
    """The names a cell binds at its top level (assignments, for targets, def and class)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        targets = {ast.Assign: lambda n: n.targets, ast.AugAssign: lambda n: [n.target],
                   ast.AnnAssign: lambda n: [n.target], ast.For: lambda n: [n.target]}.get(type(node), lambda n: [])
        names |= {leaf.id for target in targets(node) for leaf in ast.walk(target) if isinstance(leaf, ast.Name)}
    return names


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_no_cell_rebinds_a_sympy_symbol_of_the_lesson(name):
    """Lesson 04's section 4 once set t and w1 to numbers: going back to 04.1 then met 'got ndarray' from its check."""
    cells = [cell for cell in notebooks.read(ROOT / "solutions" / name).cells if cell.cell_type == "code"]
    symbols = {}
    for cell in cells:
        for node in ast.parse(cell.source).body:
            func = node.value.func if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) else None
            if getattr(func, "attr", getattr(func, "id", None)) in ("symbols", "Symbol"):
                symbols.update({leaf.id: cell.get("id") for target in node.targets for leaf in ast.walk(target)
                                if isinstance(leaf, ast.Name)})
    for cell in cells:
        rebound = {s for s in _bound_names(cell.source) & set(symbols) if symbols[s] != cell.get("id")}
        assert not rebound, f"cell {cell.get('id')} rebinds the SymPy symbol(s) {sorted(rebound)}"


_DIRTY = {
    "a memory address": re.compile(r"0x[0-9a-fA-F]{6,}"),
    "an absolute path": re.compile(r"(/home/|/work/|/tmp/|/usr/|/root/|site-packages|[A-Z]:\\\\)"),
    "a warning": re.compile(r"Warning\b|warnings\.warn"),
    "a timing": re.compile(r"(Wall time|CPU times|\d+(\.\d+)? ?(ms|µs|s) ± |\d+\.\d+ ?(s(ec(onds)?)?|ms|µs)\b)"),
}

_MEASURES_TIME = re.compile(r"perf_counter|process_time|time\.time\(|\.seconds\b|timeit")


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_cells_that_measure_the_machine_store_no_output(name):
    """A cell reading a clock is tagged `timing`: nbval ignores it and `execute` stores nothing, so no stale figure."""
    nb = notebooks.read(ROOT / "solutions" / name)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and _MEASURES_TIME.search(cell.source):
            assert notebooks.TIMING in tags and "nbval-ignore-output" in tags, \
                f"cell {cell.id} of {name} reads a clock: tag it {notebooks.TIMING!r} and 'nbval-ignore-output'"
        if notebooks.TIMING in tags:
            assert cell.outputs == [], f"cell {cell.id} of {name} stores a timing: re-run python -m bp_course execute"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # nbclient leaves its zmq sockets to gc
def test_execute_stores_no_output_for_a_timing_cell(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1.5)", metadata={"tags": [notebooks.TIMING]}),
                                         nbformat.v4.new_code_cell("print(2.5)")])
    notebooks.execute(nb, tmp_path)
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count == 1
    assert nb.cells[1].outputs[0]["text"] == "2.5\n"
    gc.collect()  # the sockets' warnings are raised here, inside this test, not in the next one


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_stored_outputs_are_clean_and_in_order(name):
    """No stderr, warnings, addresses, paths or timings; cells ran once each, top to bottom."""
    nb = notebooks.read(ROOT / "solutions" / name)
    counts = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        counts.append(cell.execution_count)
        for output in cell.outputs:
            assert not (output.output_type == "stream" and output.name == "stderr"), f"cell {index} wrote to stderr"
            text = str(output.get("text", "")) + str(output.get("evalue", "")) + \
                "".join(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))
            for what, pattern in _DIRTY.items():
                assert not pattern.search(text), f"cell {index} of {name} shows {what}: {text[:200]!r}"
    assert counts == list(range(1, len(counts) + 1)), "re-run the notebook top to bottom (python -m bp_course execute)"


def _nbval_lax(notebook, tmp_path, name):
    """Run `pytest --nbval-lax` on a notebook in a fresh folder, as a learner would."""
    path = tmp_path / name
    notebooks.write(notebook, path)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", "--color=no", str(path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )


# The README's self-check command, as a learner runs it, on Lesson 00. That every lesson's unsolved cells stop with
# the course's message is tests/test_unsolved_lessons.py (one kernel per lesson, every cell); that every solved lesson
# runs is the strict nbval run of solutions/ with `release --check` (lessons/ is solutions/ without the answers).
SELF_CHECKED = [LESSON_NAMES[0]]


@pytest.mark.parametrize("name", SELF_CHECKED)
def test_unsolved_lesson_fails_nbval_lax_and_says_not_attempted(name, tmp_path):
    lesson = notebooks.read(ROOT / "lessons" / name)
    result = _nbval_lax(lesson, tmp_path, name)
    assert result.returncode == 1, result.stdout[-2000:]
    for exercise in lesson.metadata["bp_course"]["exercises"]:
        assert f"Exercise {exercise['id']}" in result.stdout and "not attempted yet" in result.stdout


@pytest.mark.parametrize("name", SELF_CHECKED)
def test_solved_lesson_passes_nbval_lax(name, tmp_path):
    lesson = notebooks.read(ROOT / "lessons" / name)
    solved = notebooks.with_answers(lesson, notebooks.answer_sources(notebooks.read(ROOT / "solutions" / name)))
    result = _nbval_lax(solved, tmp_path, name)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " failed" not in result.stdout


WRONG_ANSWERS = [
    ("00_how_to_use_this_course.ipynb", "ex00-3-answer", "def error_derivative(y, t):\n    return t - y",
     "00.3", "Hint: the sign is flipped"),
    ("01_learning_as_optimization.ipynb", "ex01-4-answer", "case = (2.0, 2.0, 1.0)",
     "01.4", "multiple of (1, 1)"),
    ("01_learning_as_optimization.ipynb", "ex01-2-answer",
     "def mean_error(w, x, t):\n    return np.mean(0.5 * (t - output(w, x)) ** 2)",
     "01.2", "broadcasts it to a table of shape (2, 2)"),
    ("02_gradient_descent.ipynb", "ex02-2-answer",
     "def descent(w0, x, t, eta, steps):\n    w = np.array(w0, dtype=float)\n    path = [w]\n"
     "    for _ in range(steps):\n        w -= eta * gradient(w, x, t)\n        path.append(w)\n"
     "    return np.array(path)", "02.2", "Append a copy"),
    ("02_gradient_descent.ipynb", "ex02-2-answer",
     "def descent(w0, x, t, eta, steps):\n    w = w0\n    path = [w.copy()]\n"
     "    for _ in range(steps):\n        w -= eta * gradient(w, x, t)\n        path.append(w.copy())\n"
     "    return np.array(path)", "02.2", "descent changed w0 in place"),
    ("03_the_logistic_neuron.ipynb", "ex03-1-answer", 'dphi_dz = "exp(-z) / (1 + exp(-z))"',
     "03.1", "Hint: the denominator (1 + e^-z) must be squared"),
    ("04_chain_rule_one_layer.ipynb", "ex04-4-answer", "dE_dw1 = (y - t) * y * (1 - y)",
     "04.4", "Hint: the factor x1 (dnet/dw1, Eq. 2) is missing"),
    ("04_chain_rule_one_layer.ipynb", "ex04-5-answer",
     "def step(w, x, t, eta):\n    y = logistic(x @ w)\n    w -= eta * ((y - t) * y * (1 - y)) @ x / len(x)\n"
     "    return w", "04.5", "Leave w as it is and return a new array"),
    ("05_recursive_delta_rule.ipynb", "ex05-5-answer",
     "def backward(W, x, t):\n    o_h = logistic(x @ W[0])\n    out = logistic(o_h @ W[1])\n"
     "    d_out = (out - t) * out * (1 - out)\n    d_h = d_out @ W[1].T\n"
     "    return [x.T @ d_h / len(x), o_h.T @ d_out / len(x)]", "05.5", "Hint: the hidden deltas lack their slope"),
    ("06_backprop_in_matrix_form.ipynb", "ex06-5-answer",
     "def count_paths(width, depth):\n    return width * depth", "06.5", "Hint: that counts the hidden neurons"),
    ("07_gradient_checking.ipynb", "ex07-5-answer",
     'diagnosis = {"A": "off_by_one", "B": "transposed", "C": "bias_sum", "D": "missing_slope", '
     '"E": "overwritten", "F": "slope_of_output"}', "07.5", "which index of W runs over the layer above"),
    ("08_loss_functions.ipynb", "ex08-5-answer", 'dE_dnet1 = "-t1 * (1 - y1)"', "08.5",
     "Hint: that keeps only the path through y1"),
    ("09_training_for_real.ipynb", "ex09-4-answer",
     "def standardize(x_train, x_test):\n    def z(x):\n        std = x.std(axis=0)\n"
     "        return (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)\n    return z(x_train), z(x_test)",
     "09.4", "Hint: the test set was standardized with its own mean and std"),
    ("10_when_gradients_misbehave.ipynb", "ex10-2-answer",
     "def clip_by_norm(grads, threshold):\n    return [np.clip(g, -threshold, threshold) for g in grads]", "10.2",
     "Hint: you clipped each entry instead of the norm"),
    ("11_better_descent.ipynb", "ex11-5-answer",
     "def adam(w0, gradients, eta, beta1, beta2, eps):\n    w = np.array(w0, dtype=float)\n"
     "    m, v = np.zeros_like(w), np.zeros_like(w)\n    path = [w]\n    for g in gradients:\n"
     "        m = beta1 * m + (1 - beta1) * g\n        v = beta2 * v + (1 - beta2) * g ** 2\n"
     "        w = w - eta * m / (np.sqrt(v) + eps)\n        path.append(w)\n    return np.array(path)",
     "11.5", "Hint: no bias correction"),
    ("12_from_backprop_to_autodiff.ipynb", "ex12-1-answer",
     "def add(a, b):\n    out = Value(a.data + b.data, (a, b))\n    def _backward():\n        a.grad = out.grad\n"
     "        b.grad = out.grad\n    out._backward = _backward\n    return out\n\n"
     "def mul(a, b):\n    out = Value(a.data * b.data, (a, b))\n    def _backward():\n"
     "        a.grad += b.data * out.grad\n        b.grad += a.data * out.grad\n    out._backward = _backward\n"
     "    return out", "12.1", "Hint: you overwrote the gradient at a fan-out"),
]


@pytest.mark.parametrize("name,cell,wrong,exercise,hint", WRONG_ANSWERS, ids=[w[0][:2] for w in WRONG_ANSWERS])
def test_a_plausible_wrong_answer_fails_its_check_with_the_hint(name, cell, wrong, exercise, hint, tmp_path):
    """End to end, as a learner meets it: nbval-lax on the lesson with one wrong answer among right ones."""
    answers = notebooks.answer_sources(notebooks.read(ROOT / "solutions" / name))
    assert cell in answers
    answers[cell] = wrong
    solved_but_one = notebooks.with_answers(notebooks.read(ROOT / "lessons" / name), answers)
    result = _nbval_lax(solved_but_one, tmp_path, name)
    assert result.returncode == 1
    assert "1 failed" in result.stdout, result.stdout[-2000:]
    assert f"CheckFailed: Exercise {exercise}" in result.stdout and hint in result.stdout


def test_every_lesson_has_an_end_to_end_wrong_answer_test():
    assert sorted({w[0] for w in WRONG_ANSWERS}) == LESSON_NAMES


# -- the README, CI and requirements tell the truth ---------------------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_commands():
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", README, flags=re.S)
    return [b.strip() for b in blocks]


def test_readme_gives_the_open_and_test_commands():
    commands = _readme_commands()
    assert any(c.endswith("jupyter lab --ServerApp.root_dir=. lessons/00_how_to_use_this_course.ipynb") and "pip install -r requirements.txt" in c
               for c in commands)
    assert any(c.endswith("&& pytest -n auto") and "pip install -r requirements.txt" in c for c in commands)


def test_ci_runs_exactly_the_readme_test_command():
    test_command = next(c for c in _readme_commands() if c.endswith("&& pytest -n auto"))
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_readme_lesson_table_is_one_unbroken_table():
    """A blank line inside a Markdown table ends it: the rows after it would render as plain text."""
    lines = README.splitlines()
    rows = [i for i, line in enumerate(lines) if re.match(r"^\| \d\d \|", line)]
    assert rows == list(range(rows[0], rows[0] + len(LESSON_NAMES)))


def test_readme_lesson_table_lists_every_lesson_with_working_links():
    for name in LESSON_NAMES:
        assert f"(lessons/{name})" in README, f"README's lesson table lacks lessons/{name}"
    for target in re.findall(r"\]\((?!https?://|#)([^)]+)\)", README):
        assert (ROOT / target).exists(), f"README links to missing {target}"


def _specifiers(lines):
    result = {}
    for line in lines:
        line = line.split("#")[0].strip().strip('",')
        match = re.match(r"^([A-Za-z0-9_.-]+)\s*([<>=!~].*)$", line)
        if match:
            result[match.group(1).lower()] = match.group(2).replace(" ", "")
    return result


def test_requirements_and_pyproject_agree_on_ranges():
    requirements = _specifiers((ROOT / "requirements.txt").read_text().splitlines())
    pyproject = (ROOT / "pyproject.toml").read_text()
    dependencies = _specifiers(re.search(r"dependencies = \[(.*?)\]", pyproject, re.S).group(1).splitlines())
    for package in ("jupyterlab", "numpy", "matplotlib", "ipywidgets", "sympy", "nbval", "pytest"):
        assert package in requirements, f"requirements.txt lacks {package}"
    for package, spec in dependencies.items():
        if package in requirements:
            assert requirements[package] == spec, f"{package}: {requirements[package]} vs {spec}"
    assert "-e ." in (ROOT / "requirements.txt").read_text()
