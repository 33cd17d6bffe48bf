"""The grader's parts on their own: the suspicious-code scan, reading submissions, student names, the build."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

import grading_attacks

from bp_course import notebooks
from bp_course.grading import batch, runner, sandbox, submission, suspicious

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("source,flags", [
    ("def f(y, t):\n    return y - t", []),
    ("np.allclose = lambda *a, **k: True", ["reassigns np.allclose"]),
    ("import numpy\nnumpy.testing.assert_allclose = print", ["reassigns numpy.testing.assert_allclose"]),
    ("setattr(np, 'isclose', None)", ["calls setattr() on np"]),
    ("check.expect_close = None", ["reassigns check.expect_close"]),
    ("get_ipython().input_transformers_post.append(f)", ["uses input_transformers_post", "uses get_ipython"]),
    ("import builtins\nbuiltins.print = None", ["imports builtins", "reassigns builtins.print"]),
    ("import sys\nsys.modules['numpy'] = None", ["reassigns sys.modules", "uses sys.modules"]),
    ("from bp_course.checks import lesson02\nlesson02.gradient = f", ["imports bp_course.checks",
                                                                     "reassigns lesson02.gradient"]),
    ("x = eval('1 + 1')", ["calls eval()"]),
    ("import importlib\nm = importlib.import_module('bp_course.che' + 'cks.less' + 'on00')",  # no scan reads it
     ["imports importlib", "resolves a name at run time (import_module)"]),
    ("# NBVAL_SKIP\nx = 1", ["contains an nbval comment marker (# NBVAL_...)"]),
    ("w = w - 0.1 * g\nresult.value = 3", []),  # attributes of ordinary objects are fine
    ("def broken(:", []),
])
def test_scan(source, flags):
    assert suspicious.scan(source, {"np", "numpy", "check", "bp_course"}) == flags


def test_module_aliases_come_from_the_lessons_imports():
    aliases = suspicious.module_aliases(["import numpy as np\nfrom bp_course.checks import lesson07 as check",
                                         "from bp_course import bugs, gradcheck"])
    assert {"np", "check", "bugs", "gradcheck"} <= aliases


@pytest.mark.parametrize("path,name", [("class/alice.ipynb", "alice"),
                                       ("class/bob/07_gradient_checking.ipynb", "bob"),
                                       ("carol_07.ipynb", "carol_07"),
                                       ("submitted/dan/07_gradient_checking/07_gradient_checking.ipynb", "dan")])
def test_student_name(path, name):
    assert submission.student_name(Path(path)) == name


def test_answers_by_id_then_by_the_names_they_define(tmp_path):
    lesson = submission.load_lesson(ROOT, "02")
    nb = notebooks.read(ROOT / "solutions" / "02_gradient_descent.ipynb")
    answers = [c for c in nb.cells if notebooks.role(c) == "answer"]
    answers[0]["id"] = "retyped"
    nb.cells.remove(answers[2])  # 02.3 deleted
    path = tmp_path / "s.ipynb"
    notebooks.write(nb, path)
    sub = submission.read_submission(path)
    submission.extract_answers(sub, lesson)
    assert sub.lesson == "02" and set(sub.answers) == {"02.1", "02.2", "02.4"}
    assert sub.answers["02.1"] == answers[0].source
    assert sub.warnings == ["exercise 02.1: answer cell not found by its id; graded the cell that defines gradient",
                            "exercise 02.3: answer cell missing (deleted?)"]


def test_a_repeated_answer_cell_id_in_nbformat_4_5_grades_the_last_copy_with_a_warning(tmp_path):
    """nbformat's validation renames a repeated id (so the first copy was graded, with no warning): not used."""
    lesson = submission.load_lesson(ROOT, "00")
    nb = json.loads(notebooks.render(notebooks.read(ROOT / "solutions" / "00_how_to_use_this_course.ipynb")))
    assert nb["nbformat_minor"] >= 5  # what Jupyter writes today
    index = next(k for k, c in enumerate(nb["cells"]) if c.get("id") == "ex00-1-answer")
    wrong = {**nb["cells"][index], "source": "def squared_error(y, t):\n    return (t - y) ** 2\n"}
    nb["cells"].insert(index + 1, wrong)
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    sub = submission.read_submission(path)
    submission.extract_answers(sub, lesson)
    assert sub.answers["00.1"] == wrong["source"]
    assert sub.warnings == ["exercise 00.1: its answer cell appears more than once; the last copy was graded"]


@pytest.mark.parametrize("source,problem", [
    ({"a": 1}, "not a readable notebook: the source of code cell 5 is not text"),
    (None, "not a readable notebook: the source of code cell 5 is not text"),
    ("[" * 100_000, "not a notebook: its JSON is nested too deeply to read"),
])
def test_a_notebook_that_is_not_quite_one_is_a_clear_error(tmp_path, source, problem):
    nb = json.loads(notebooks.render(notebooks.read(ROOT / "solutions" / "00_how_to_use_this_course.ipynb")))
    assert nb["cells"][5]["id"] == "ex00-1-answer"
    nb["cells"][5]["source"] = source
    text = json.dumps(nb) if not isinstance(source, str) else json.dumps(nb).replace(json.dumps(source),
                                                                                    source + "]" * 100_000)
    path = tmp_path / "s.ipynb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(submission.SubmissionError) as error:
        submission.read_submission(path)
    assert str(error.value) == problem


def test_metadata_a_student_rewrites_changes_no_role_exercise_or_points(tmp_path):
    """Cells re-labelled (a check as an answer worth 100, an answer as narrative), an exercise of its own, the
    notebook claiming points: the answers are still taken by cell id, and the points are the course's (red team)."""
    from bp_course.grading import batch

    nb = notebooks.read(ROOT / "solutions" / "00_how_to_use_this_course.ipynb")
    nb.metadata["bp_course"] = {"lesson": "00", "points": 100, "exercises": {"00.1": 100}}
    for cell in nb.cells:
        meta = cell.metadata.get("bp_course", {})
        if meta.get("role") == "check":
            cell.metadata["bp_course"] = {**meta, "role": "answer", "points": 100}
            cell.source = "def squared_error(y, t):\n    return 0"
        elif meta.get("role") == "answer":
            cell.metadata["bp_course"] = {**meta, "role": "narrative", "points": 100}
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"bp_course": {"role": "answer", "exercise": "00.9",
                                                                                "points": 50}}))
    path = tmp_path / "00_mine.ipynb"
    notebooks.write(nb, path)
    result, answers = batch._read_one(path, "s", path.name, ROOT, "00", batch.Policy(), {})
    reference = submission.load_lesson(ROOT, "00").reference
    assert result.problem is None and result.worth == {"00.1": 1, "00.2": 1, "00.3": 1}
    assert answers == {e: reference[f"ex{e.replace('.', '-')}-answer"] for e in ("00.1", "00.2", "00.3")}


def test_lesson_from_the_file_name_when_metadata_is_gone(tmp_path):
    nb = notebooks.read(ROOT / "solutions" / "00_how_to_use_this_course.ipynb")
    nb.metadata.pop("bp_course")
    path = tmp_path / "00_mine.ipynb"
    notebooks.write(nb, path)
    assert submission.read_submission(path).lesson == "00"
    other = tmp_path / "mine.ipynb"
    notebooks.write(nb, other)
    assert submission.read_submission(other).lesson is None


def test_unknown_lesson_is_a_clear_error():
    with pytest.raises(submission.SubmissionError, match="the course has no lesson '42'"):
        submission.load_lesson(ROOT, "42")


def test_build_inserts_probe_before_each_check_and_restore_after_it_and_strips_markers():
    lesson = submission.load_lesson(ROOT, "00")
    nb, roles = runner.build(lesson, {"00.1": "# NBVAL_SKIP\ndef squared_error(y, t):\n    return 0"})
    kinds = [kind for kind, exercise in roles if exercise == "00.1"]
    assert kinds == ["answer", "probe", "check", "restore"]
    answer = next(c for c in nb.cells if c["id"] == lesson.answer_ids["00.1"])
    assert answer.source.startswith("# (marker removed by the grader) NBVAL_SKIP")
    restore = next(c for c in nb.cells if c["id"] == "grader-restore-00-1")
    assert restore.source == lesson.reference[lesson.answer_ids["00.1"]]
    assert all(not c.metadata for c in nb.cells)  # no tags or metadata reach the run
    nbformat.validate(nb)


def test_a_course_cell_that_hangs_ends_the_grading_at_the_overall_limit_not_a_loop():
    """Course cells are not held to the students' short cell timeout; the whole run's limit ends a hang."""
    lesson = submission.load_lesson(ROOT, "00")
    hang = nbformat.v4.new_code_cell("while True:\n    pass", id="course-hangs")
    first_answer = next(i for i, c in enumerate(lesson.notebook.cells) if notebooks.role(c) == "answer")
    lesson.notebook.cells.insert(first_answer, hang)
    answers = {e: lesson.reference[i] for e, i in lesson.answer_ids.items()}
    outcomes = runner.grade_answers(lesson, answers, seed=1, cell_timeout=2, timeout=20)
    assert [o.status for o in outcomes] == ["timed out"] * 3
    assert outcomes[0].message == "the lesson did not finish within 20 s"


def test_only_cells_where_student_code_is_live_get_the_short_timeout():
    """Answer to restore: short (student code runs there); setup, narrative and later cells: the run's limit."""
    roles = [("narrative", None), ("answer", "00.1"), ("narrative", None), ("probe", "00.1"), ("check", "00.1"),
             ("restore", "00.1"), ("narrative", None), ("answer", "00.2"), ("probe", "00.2"), ("check", "00.2"),
             ("restore", "00.2")]
    assert runner.cell_timeouts(roles, 5, 600) == [600, 5, 5, 5, 5, 5, 600, 5, 5, 5, 5]


def test_the_overall_limit_stops_a_run_and_says_so():
    lesson = submission.load_lesson(ROOT, "00")
    answers = {e: lesson.reference[i] for e, i in lesson.answer_ids.items()}
    outcomes = runner.grade_answers(lesson, answers, seed=1, cell_timeout=30, timeout=1)
    assert [o.status for o in outcomes] == ["timed out"] * 3
    assert outcomes[0].message == "the lesson did not finish within 1 s"


# -- borrowing through the lesson's checks module, functions' insides, any alias path (issue 12 red-team) -------

SPY00 = grading_attacks.CHECK_BORROWER  # the red-team's own source, graded end to end in test_grading_attacks

ORACLE_07_2 = '''best_h = {}
for _k in ("float64", "float32"):
    for _e in range(1, 12):
        _trial = dict(best_h, **{_k: 10.0 ** -_e})
        _trial.setdefault("float32" if _k == "float64" else "float64", 0.5)
        try:
            check.best_h(_trial)
        except Exception as _err:
            if f"[{_k!r}]" in str(_err):
                continue
        best_h[_k] = 10.0 ** -_e
        break
'''


def _lesson_scope(name):
    nb = notebooks.read(ROOT / "lessons" / name)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    return suspicious.module_aliases(code), suspicious.course_aliases(code)


@pytest.mark.parametrize("lesson,exercise,source,flags", [
    ("00_how_to_use_this_course.ipynb", "00.1", SPY00,
     ["uses the lesson's checks module (check)", "reads a function's insides (__globals__)"]),
    ("07_gradient_checking.ipynb", "07.1",
     "def central_difference(f, z, h):\n    return check.gradcheck.central_difference(f, z, h)\n",
     ["uses the course's own gradcheck.central_difference (the answer to 07.1)",
      "uses the lesson's checks module (check)"]),
    ("07_gradient_checking.ipynb", "07.2", ORACLE_07_2, ["uses the lesson's checks module (check)"]),
    ("07_gradient_checking.ipynb", "07.3",
     "def relative_error(a, n):\n    return check.gradcheck.norm_relative_error(a, n)\n",
     ["uses the course's own gradcheck.norm_relative_error (the answer to 07.3)"]),
    ("07_gradient_checking.ipynb", "07.4", "def gradient_check(backward, network, x, t):\n"
                                           "    return check._reference_gradient_check(backward, network, x, t)\n",
     ["uses the lesson's checks module (check)"]),
    ("07_gradient_checking.ipynb", "07.5", "diagnosis = dict(check.bugs.MYSTERIES)\n",
     ["uses the course's own bugs.MYSTERIES (the answer to 07.5)"]),
    ("07_gradient_checking.ipynb", "07.3", "import importlib\nrelative_error = importlib.import_module("
                                           "'bp_course.gradcheck').norm_relative_error",
     ["uses the course's own gradcheck.norm_relative_error (the answer to 07.3)"]),
    ("07_gradient_checking.ipynb", "07.1", "f = (lambda: 0).__code__\ng = f.__closure__, f.__defaults__, "
                                           "f.__kwdefaults__",
     ["reads a function's insides (__code__)", "reads a function's insides (__closure__)",
      "reads a function's insides (__defaults__)", "reads a function's insides (__kwdefaults__)"]),
    ("07_gradient_checking.ipynb", "07.1", "g = globals()\nv = vars(gradcheck)", ["calls globals()", "calls vars()"]),
    ("07_gradient_checking.ipynb", "07.1", "f = getattr(gradcheck, 'numerical_gradient')",
     ["calls getattr() on gradcheck"]),
    ("07_gradient_checking.ipynb", "07.1", "name = 'central' + '_difference'\nf = getattr(my_module, name)",
     ["calls getattr() with a computed name"]),
])
def test_borrowing_through_any_path_is_flagged_by_name(lesson, exercise, source, flags):
    """The red-team's sources: each took full marks unflagged; now each is flagged for what it reaches."""
    modules, aliases = _lesson_scope(lesson)
    reasons = suspicious.scan(source, modules, exercise, aliases)
    for flag in flags:
        assert flag in reasons, reasons


def test_the_visible_check_is_not_named_as_the_courses_implementation():
    modules, aliases = _lesson_scope("00_how_to_use_this_course.ipynb")
    reasons = suspicious.scan("f = check.squared_error", modules, "00.1", aliases)
    assert reasons == ["uses the lesson's checks module (check)"]


# The red-team's second round (issue 12): ways around the first flags, each flagged now.
EVASIONS = [
    ('from bp_course import gradcheck as _g\ndef central_difference(f, z, h):\n'
     '    return _g.__dict__["central_" + "difference"](f, z, h)\n', "07.1",
     "reaches attributes by a computed name or through other objects (__dict__)"),
    ('from bp_course import checks as _c\n_m = _c.__dict__["lesson" + "07"]\n', "07.2", "imports bp_course.checks"),
    ("import __main__\nbest_h = __main__.check\n", "07.2", "imports __main__"),
    ('import sys as _s\n_s.displayhook.shell.events.register("pre_run_cell", print)\n', "07.1", "uses displayhook"),
    ('best_h = {k: check._good_h(k) for k in ("float64", "float32")}\n', "07.2",
     "uses a private name of the course (_good_h)"),
    ('from operator import attrgetter\ncentral_difference = attrgetter("central_" + "difference")(gradcheck)\n',
     "07.1", "reaches attributes by a computed name or through other objects (attrgetter)"),
]


# The third round: a module under a local name, a resolver of dotted strings, SymPy taking the derivative.
EVASIONS += [  # the source of the cells run before, the restore cells' references among them (red team)
    ("import linecache\nraise RuntimeError(str(linecache.cache))\n", "07.2", "imports linecache"),
    ("import dis\nraise RuntimeError(dis.Bytecode(central_difference).dis())\n", "07.2", "imports dis"),
]
EVASIONS += [
    ("def central_difference(f, z, h):\n    m = gradcheck\n    return m.central_difference(f, z, h)\n", "07.1",
     "uses the course's own gradcheck.central_difference (the answer to 07.1)"),
    ("for m in [bugs]:\n    diagnosis = dict(m.MYSTERIES)\n", "07.5",
     "uses the course's own bugs.MYSTERIES (the answer to 07.5)"),
    ("import pkgutil\n_m = pkgutil.resolve_name('bp_course.ch' + 'ecks.less' + 'on07:_good_h')\n", "07.2",
     "resolves a name at run time (resolve_name)"),
    ("from functools import reduce\nf = reduce(getattr, ['central_difference'], gradcheck)\n", "07.1",
     "uses getattr as a value"),
]


@pytest.mark.parametrize("source,exercise,flag", [
    ("dE_dy = sp.diff(sp.Rational(1, 2) * (t - y) ** 2, y)", "04.1", "lets SymPy or the course take the derivative (diff)"),
    ("s = symbolic\ndy_dnet = s.single_neuron()['dy/dnet'].correct()", "04.2",
     "uses the course's own symbolic.single_neuron (the answer to 04.2)"),
    ("dE_dw1 = sp.Derivative(E, w1).doit()", "04.4", "lets SymPy or the course take the derivative (Derivative)"),
])
def test_sympy_taking_the_derivative_is_flagged(source, exercise, flag):
    modules, aliases = _lesson_scope("04_chain_rule_one_layer.ipynb")
    assert flag in suspicious.scan(source, modules, exercise, aliases)


def test_a_borrowed_object_left_in_a_module_or_a_container_is_held_where_it_is_read():
    held = suspicious.held({"07.1": "np.loot = check.gradcheck\nbox.append(check)\n",
                            "07.2": "best_h = np.loot.H\n", "07.3": "relative_error = box[0].x\n",
                            "07.4": "gradient_check = np.mean\n"},
                           {"07.1": ["uses the lesson's checks module (check)"]}, {}, {"np", "check"})
    assert set(held) == {"07.1", "07.2", "07.3"}
    assert held["07.2"] == "uses np.loot, bound by the held answer to 07.1"


@pytest.mark.parametrize("source,exercise,flag", EVASIONS, ids=[e[2][:40] for e in EVASIONS])
def test_ways_around_the_flags_are_flagged(source, exercise, flag):
    modules, aliases = _lesson_scope("07_gradient_checking.ipynb")
    assert flag in suspicious.scan(source, modules, exercise, aliases)


def test_no_reference_solution_raises_a_flag():
    """Every lesson's reference answers, scanned as the grader scans a submission, raise nothing."""
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = notebooks.read(path)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        modules, aliases = suspicious.module_aliases(code), suspicious.course_aliases(code)
        for cell in nb.cells:
            if notebooks.role(cell) == "answer":
                assert suspicious.scan(cell.source, modules, notebooks.exercise(cell), aliases) == [], \
                    (path.name, notebooks.exercise(cell))


# -- holding the points of flagged answers (and of what uses their names) for the instructor -------------------

def _held(answers):
    lesson = submission.load_lesson(ROOT, "00")
    code = [c.source for c in lesson.notebook.cells if c.cell_type == "code"]
    modules, aliases = suspicious.module_aliases(code), suspicious.course_aliases(code)
    flags = {e: f for e, s in answers.items() if (f := suspicious.scan(s, modules, e, aliases))}
    restored = {e: submission.defined_names(lesson.reference[lesson.answer_ids[e]]) for e in lesson.exercises}
    return suspicious.held(answers, flags, restored)


def test_a_borrowed_object_is_held_in_every_answer_that_uses_it():
    held = _held({"00.1": SPY00, "00.2": "E = _got['00.2']\n",
                  "00.3": "def error_derivative(y, t):\n    return _got['00.3'](y, t)\n"})
    assert set(held) == {"00.1", "00.2", "00.3"}
    assert held["00.2"] == "uses _got, bound by the held answer to 00.1"


def test_a_name_the_grader_restored_carries_nothing_over():
    """00.1 is flagged; 00.2 calls squared_error, which the restore cell after 00.1's check rebound: not held."""
    frame = grading_attacks.FRAME_BORROWER.replace("NAME", "squared_error")
    held = _held({"00.1": frame, "00.2": "E = squared_error(0.6, 0.0)\n", "00.3": "def error_derivative(y, t):\n"
                                                                                   "    return y - t\n"})
    assert set(held) == {"00.1"}
    held = _held({"00.1": frame, "00.2": "E = _borrowed(0.6, 0.0)\n", "00.3": "error_derivative = None\n"})
    assert set(held) == {"00.1", "00.2"}


def test_genuine_answers_are_never_held():
    lesson = submission.load_lesson(ROOT, "00")
    assert _held({e: lesson.reference[i] for e, i in lesson.answer_ids.items()}) == {}


def test_hold_turns_only_passed_outcomes_into_held_and_accepting_keeps_the_points():
    from bp_course.grading import batch
    lesson = submission.load_lesson(ROOT, "00")
    answers = {"00.1": SPY00, "00.2": "E = _got['00.2']\n", "00.3": "def error_derivative(y, t):\n    return y\n"}
    result = batch.StudentResult("s", Path("s.ipynb"), worth=dict(lesson.exercises),
                                 flags={"00.1": ["uses the lesson's checks module (check)"]})
    result.outcomes = [runner.Outcome("00.1", "passed"), runner.Outcome("00.2", "passed"),
                       runner.Outcome("00.3", "failed", "wrong")]
    batch.hold(result, answers, lesson)
    assert [o.status for o in result.outcomes] == ["held", "held", "failed"] and result.score == 0
    assert "held for the instructor's review: the answer uses the lesson's checks module" in result.outcomes[0].message
    assert result.outcomes[2].message == "wrong"


# -- nbval's comment markers, by nbval's own rule -------------------------------------------------------------

MARKER_SOURCES = [
    "## NBVAL_SKIP\ndef squared_error(y, t):\n    return 0.5 * (t - y) ** 2\n",
    "E = 0.18\nimport os\nos._exit(0)\n\x0c# NBVAL_RAISES_EXCEPTION\n",
    "def error_derivative(y, t):\n    return y - t\n## NBVAL_RAISES_EXCEPTION\nraise ValueError('x')\n",
    "x = 1\u2028 ###   NBVAL_CHECK_OUTPUT  \r\n",
    "    #PYTEST_VALIDATE_IGNORE_OUTPUT",
]


def test_the_marker_list_is_nbvals():
    from nbval import plugin
    assert set(plugin.comment_markers) == suspicious._NBVAL_MARKERS


@pytest.mark.parametrize("source", MARKER_SOURCES)
def test_every_marker_nbval_would_read_is_flagged_and_defused(source):
    from nbval import plugin
    assert list(plugin.find_comment_markers(source))  # nbval reads a marker here...
    assert "contains an nbval comment marker (# NBVAL_...)" in suspicious.scan(source)
    defused = runner.without_nbval_markers(source)
    assert list(plugin.find_comment_markers(defused)) == []  # ... and none after the grader's filter
    assert defused.count("\n") == source.count("\n") and "(marker removed by the grader)" in defused


def test_marker_lookalikes_are_left_alone():
    source = "x = 1  # NBVAL_SKIP\n# NBVAL_SKIP please\ns = '# not a marker'\n"
    assert runner.without_nbval_markers(source) == source
    assert suspicious.scan(source) == []


def test_one_time_budget_for_the_whole_submission_across_reruns(monkeypatch):
    """A rerun after a timeout gets what is left of ``timeout``, not a fresh one; then the rest times out."""
    lesson = submission.load_lesson(ROOT, "00")
    answers = {e: "while True:\n    pass\n" for e in lesson.answer_ids}
    now, given = [0.0], []

    def fake_run(workdir, cell_timeout, timeout, state, limits, roles):
        given.append(timeout)
        now[0] += min(timeout, 60)  # each run spends a minute of the budget, or what is left of it
        stuck = next(i for i, (kind, e) in enumerate(roles) if kind == "answer" and e not in replaced_so_far())
        return [("passed", "")] * stuck + [("failed", "Timeout of 5 seconds exceeded")], []

    def replaced_so_far():
        return {e for e, t in zip(lesson.exercises, given[:-1])}  # one more exercise replaced per run

    monkeypatch.setattr(runner, "_clock", lambda: now[0], raising=False)
    monkeypatch.setattr(runner, "_run_pytest", fake_run)
    outcomes = runner.grade_answers(lesson, answers, seed=1, cell_timeout=5, timeout=100,
                                    state=runner.sandbox.Status(False, "test"))
    assert given == [100, 40]  # the second run gets the 40 s left, and there is no third
    assert [o.status for o in outcomes] == ["timed out"] * 3
    assert outcomes[2].message == "the submission's 100 s were spent before this exercise could run again"


# -- the grader's own pytest process: capped address space, capped output per cell ------------------------------

def _stream(text, parent="cell-1"):
    return {"msg_type": "stream", "parent_header": {"msg_id": parent}, "content": {"name": "stdout", "text": text}}


def test_a_cells_outputs_are_cut_at_the_cap_and_other_cells_keep_theirs():
    from bp_course.grading import nbval_plugin
    spent = {}
    texts = [nbval_plugin.cap_output(_stream("y" * 400), spent, limit=1000)["content"]["text"] for _ in range(4)]
    assert [len(t) for t in texts[:2]] == [400, 400]
    assert texts[2].startswith("y" * 200 + "\n[output cut by the grader") and texts[3] == ""
    assert sum(len(t) - len(t.lstrip("y")) for t in texts) == 1000  # never more than the cap
    display = {"msg_type": "display_data", "parent_header": {"msg_id": "cell-1"}, "content": {"data": {"a": "z" * 9}}}
    assert nbval_plugin.cap_output(display, spent, limit=1000)["content"]["data"] == {}
    assert nbval_plugin.cap_output(_stream("fine", "cell-2"), spent, limit=1000)["content"]["text"] == "fine"
    error = {"msg_type": "error", "parent_header": {"msg_id": "cell-2"},
             "content": {"ename": "ValueError", "evalue": "v" * 10 ** 6, "traceback": ["t"] * 10 ** 5 + ["last"]}}
    content = nbval_plugin.cap_output(error, spent)["content"]
    assert len(content["evalue"]) == 10_000 and len(content["traceback"]) == 50 and content["traceback"][-1] == "last"


def test_nbval_reads_every_kernel_message_through_the_cap(monkeypatch):
    from nbval import plugin as nbval
    from bp_course.grading import nbval_plugin
    monkeypatch.setattr(nbval.IPyNbFile, "get_kernel_message", nbval.IPyNbFile.get_kernel_message)
    monkeypatch.setattr(nbval_plugin, "MAX_CELL_OUTPUT", 10)
    nbval_plugin._cap_nbval_outputs()

    class Kernel:
        def get_message(self, stream, timeout=None):
            return _stream("x" * 10 ** 6)

    class File:
        kernel = Kernel()

    text = nbval.IPyNbFile.get_kernel_message(File())["content"]["text"]
    assert len(text) < 10 ** 5 and "output cut by the grader" in text


def test_the_graders_pytest_runs_with_a_capped_address_space():
    import resource
    import subprocess
    import sys
    code = "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"
    done = subprocess.run([*runner.pytest_prefix(3 * 2 ** 30), "-c", code], capture_output=True, text=True, timeout=60)
    assert int(done.stdout) == 3 * 2 ** 30 and runner.PYTEST_MEMORY == 4 * 2 ** 30
    hog = "x = bytearray(2 * 2 ** 30)"
    done = subprocess.run([*runner.pytest_prefix(2 ** 30), "-c", hog], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "MemoryError" in done.stderr


def test_only_the_probe_cells_outputs_are_recorded(tmp_path, monkeypatch):
    """A hook that shows probe-like output after every cell fills no record: only the grader's probe cells count."""
    import json
    from types import SimpleNamespace
    from bp_course.grading import nbval_plugin, probe
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv("BP_GRADE_RECORD", str(record))
    monkeypatch.delenv("BP_GRADE_TIMEOUTS", raising=False)
    forged = {"output_type": "display_data", "data": {probe.MIME: "x" * 1000}}
    for number, cell_id in enumerate(["ex00-1-answer", "grader-probe-00-1", "grader-restore-00-1"]):
        item = SimpleNamespace(cell_num=number, cell={"id": cell_id}, test_outputs=[forged],
                               parent=SimpleNamespace(kernel=None), config=None)
        hook = nbval_plugin.pytest_runtest_call.__wrapped__(item) if hasattr(
            nbval_plugin.pytest_runtest_call, "__wrapped__") else nbval_plugin.pytest_runtest_call(item)
        next(hook)
        with pytest.raises(StopIteration):
            next(hook)
    entries = [json.loads(line) for line in record.read_text().splitlines()]
    assert [len(e["probe"]) for e in entries] == [0, 1, 0]
def test_no_pytest_plugin_of_the_environment_joins_the_graders_run(tmp_path, monkeypatch):
    """A plugin installed beside the course (entry point ``pytest11``) could reorder or repeat the cells: not loaded."""
    (tmp_path / "sneaky_plugin.py").write_text(
        "import os, pathlib\n"
        "def pytest_configure(config):\n"
        "    pathlib.Path(os.environ['SNEAKY_MARK']).write_text('loaded')\n", encoding="utf-8")
    info = tmp_path / "sneaky_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sneaky-plugin\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[pytest11]\nsneaky = sneaky_plugin\n", encoding="utf-8")
    mark = tmp_path / "mark.txt"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", str(ROOT))]))
    monkeypatch.setenv("SNEAKY_MARK", str(mark))
    probe = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert mark.exists(), probe.stdout + probe.stderr  # the plugin is installed: a plain pytest loads it
    mark.unlink()
    lesson = submission.load_lesson(ROOT, "00")
    answers = {e: lesson.reference[i] for e, i in lesson.answer_ids.items()}
    outcomes = runner.grade_answers(lesson, answers, seed=1, cell_timeout=30, timeout=300)
    assert [o.status for o in outcomes] == ["passed"] * 3
    assert not mark.exists()
    command = runner.pytest_command(30)
    assert command[command.index("nbval.plugin") - 1] == "-p"


def test_the_graders_pytest_skips_an_unused_import_and_still_validates_notebooks():
    """rfc3987_syntax (jsonschema's optional iri checks, a second to import) stays out; nbformat still validates."""
    code = ("import sys\n"
            "from bp_course.grading import nbval_plugin  # loaded first, as in the grader's pytest\n"
            "import nbformat\n"
            "print(sys.modules['rfc3987_syntax'])\n"
            "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1')])\n"
            "nbformat.validate(nb)\n"
            "del nb.cells[0]['outputs']\n"
            "try:\n"
            "    nbformat.validate(nb)\n"
            "except nbformat.ValidationError:\n"
            "    print('invalid notebook refused')\n")
    env = dict(os.environ, BP_GRADE_RUNTIME="/nonexistent", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["None", "invalid", "notebook", "refused"], done.stderr


def test_nbval_formats_kernel_messages_only_for_a_debug_log_that_is_on(monkeypatch, caplog):
    import logging
    import pprint
    from nbval import kernel, plugin
    from bp_course.grading import nbval_plugin
    monkeypatch.setattr(plugin.IPyNbFile, "get_kernel_message", plugin.IPyNbFile.get_kernel_message)
    monkeypatch.setattr(kernel, "pformat", kernel.pformat)
    monkeypatch.setattr(kernel, "KernelManager", kernel.KernelManager)
    monkeypatch.setenv("BP_GRADE_RUNTIME", "/nonexistent")
    nbval_plugin.pytest_configure(None)
    formatted = []

    class Message(dict):
        def __repr__(self):
            formatted.append(1)
            return "{'msg_type': 'stream'}"

    class Client:
        def get_iopub_msg(self, timeout=None):
            return Message(msg_type="stream")

    running = kernel.RunningKernel.__new__(kernel.RunningKernel)
    running.kc = Client()
    running.get_message("iopub")
    assert formatted == []
    with caplog.at_level(logging.DEBUG, logger="nbval"):
        running.get_message("iopub")
    assert formatted and pprint.pformat(Message()) in caplog.text


def test_a_kernel_of_a_lesson_without_derivations_does_not_load_sympy():
    """SymPy (a third of a second per kernel) loads only where a formula is checked or judged."""
    code = ("import sys\n"
            "from bp_course import datasets, gradcheck, linear_neuron, plots, widgets  # lesson 02's setup cell\n"
            "from bp_course.checks import lesson02 as check\n"
            "from bp_course.grading import probe  # the probe cell, which imports bp_course.checks.hidden\n"
            "from bp_course.checks import hidden\n"
            "print('sympy' in sys.modules)\n"
            "from bp_course.checks import lesson03\n"
            "print('sympy' in sys.modules)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "True"], done.stderr


def test_by_default_one_more_submission_than_cores_is_graded_at_once(monkeypatch):
    """A run waits now and then with no CPU in use (kernel start-up, messages); the extra job fills the gaps."""
    from bp_course.grading import batch
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert batch.default_jobs() == 3
    started = []

    class Pool:
        def __init__(self, max_workers):
            started.append(max_workers)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(batch, "ThreadPoolExecutor", Pool)
    batch.grade_all([], course=ROOT, lesson="00", seed=1)
    batch.grade_all([], course=ROOT, lesson="00", seed=1, jobs=1)
    assert started == [3, 1]


def test_the_grading_kernel_starts_without_a_debugger_or_an_input_history_database(tmp_path):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from bp_course.grading import sandbox
    env = sandbox.prepare_kernel(tmp_path, sandbox.Limits(), sandbox.status())

    class KernelManager(KernelManager):  # as the grader's plugin does: the kernel's own user reads its file
        def write_connection_file(self, **kwargs):
            super().write_connection_file(**kwargs)
            if env.get("BP_GRADE_OWNER"):
                os.chown(self.connection_file, int(env["BP_GRADE_OWNER"]), int(env["BP_GRADE_OWNER"]))

    km = KernelManager(kernel_name=sandbox.KERNEL_NAME, transport=env["BP_GRADE_TRANSPORT"],
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "jupyter" / "kernels")]),
                       connection_file=str(tmp_path / "runtime" / "kernel.json"))
    km.start_kernel()
    outputs = []
    try:
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=120)
        client.execute_interactive("import sys; print(sys.modules.get('debugpy'), get_ipython().history_manager.enabled)",
                                   timeout=120, output_hook=outputs.append)
        client.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    assert text.split() == ["None", "False"]


# -- the sandbox's writable filesystems have a size -----------------------------------------------------------

def test_the_sandboxs_tmp_and_scratch_are_sized_tmpfs(tmp_path):
    from bp_course.grading import sandbox
    state = sandbox.Status(True, bwrap="/usr/bin/bwrap", user_namespace=True, sized=True)
    argv = sandbox.kernel_argv(tmp_path / "scratch", tmp_path / "runtime", sandbox.Limits(disk=5 * 2 ** 20), state)
    mounts = [argv[i:i + 4] for i in range(len(argv)) if argv[i] == "--size"]
    assert mounts == [["--size", str(5 * 2 ** 20), "--tmpfs", "/tmp"],
                      ["--size", str(5 * 2 ** 20), "--tmpfs", sandbox.INSIDE_WORK]]
    assert str(tmp_path / "scratch") not in argv  # nothing of the grader's disk is the kernel's to fill
    assert sandbox.Limits().disk == 256 * 2 ** 20


def test_python_under_tmp_is_bound_on_top_of_the_sandboxs_tmp(tmp_path, monkeypatch):
    """A CI checkout in /tmp: its virtual environment must be mounted after /tmp's tmpfs, not hidden by it."""
    from bp_course.grading import sandbox
    venv = Path("/tmp/some-checkout/.venv")
    monkeypatch.setattr(sandbox, "_python_folders", lambda: [Path("/usr/lib/python3"), venv])
    state = sandbox.Status(True, bwrap="/usr/bin/bwrap", user_namespace=True, sized=True)
    argv = sandbox.kernel_argv(tmp_path / "scratch", tmp_path / "runtime", sandbox.Limits(), state)
    tmpfs = next(i for i in range(len(argv) - 1) if argv[i:i + 2] == ["--tmpfs", "/tmp"])
    assert argv.index(str(venv)) > tmpfs


def test_as_root_the_sandbox_drops_to_an_unprivileged_user(tmp_path):
    """Grading as root: no user namespace (whose user would be root outside), the launcher becomes nobody."""
    import base64
    import json
    from bp_course.grading import sandbox
    state = sandbox.Status(True, bwrap="/usr/bin/bwrap", sized=True, owner=sandbox.UNPRIVILEGED)
    argv = sandbox.kernel_argv(tmp_path / "scratch", tmp_path / "runtime", sandbox.Limits(), state)
    assert "--unshare-user" not in argv
    assert argv[1:5] == ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    assert [argv[i:i + 6] for i in range(len(argv)) if argv[i] == "--perms" and argv[i + 1] == "1777"] == [
        ["--perms", "1777", "--size", str(sandbox.Limits().disk), "--tmpfs", "/tmp"],
        ["--perms", "1777", "--size", str(sandbox.Limits().disk), "--tmpfs", sandbox.INSIDE_WORK]]
    config = json.loads(base64.b64decode(argv[-2]))
    assert config["owner"] == sandbox.UNPRIVILEGED and config["limits"]["RLIMIT_NPROC"] >= sandbox.Limits().processes
    assert "os.setuid(cfg[\"owner\"])" in argv[-3]


def test_writing_past_the_size_fails_inside_the_sandbox(tmp_path):
    import subprocess
    import sys
    from bp_course.grading import sandbox
    state = sandbox.status()
    if not (state.sandboxed and state.sized):
        pytest.skip(f"no bubblewrap with --size here ({state.reason or 'bwrap older than 0.7'})")
    (tmp_path / "runtime").mkdir()
    args = sandbox._bwrap_args(state.bwrap, None, tmp_path / "runtime", state.user_namespace, disk=2 ** 20,
                               owner=state.owner)
    code = ("import errno\nfor path in ('/tmp/big', 'big'):\n    try:\n        open(path, 'wb').write(b'x' * 2 ** 21)\n"
            "        print(path, 'written')\n    except OSError as e:\n        print(path, errno.errorcode[e.errno])\n")
    done = subprocess.run([*args, sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[:2] == ["/tmp/big ENOSPC", "big ENOSPC"], done.stderr


def test_remove_tree_removes_any_depth_and_follows_no_link(tmp_path):
    """The run's work folder goes however deep the kernel nested folders, with links and locked folders in it."""
    outside = tmp_path / "keep.txt"
    outside.write_text("kept", encoding="utf-8")
    outside.chmod(0o644)
    top = tmp_path / "work"
    (top / "runtime").mkdir(parents=True)
    here = os.getcwd()
    try:
        os.chdir(top / "runtime")
        for _ in range(2000):  # 2000 levels of 100-character names: a path of 200 kB, beyond PATH_MAX
            os.mkdir("d" * 100)
            os.chdir("d" * 100)
        os.symlink(outside, "link")
        os.symlink(tmp_path, "folder-link")
        os.mkdir("locked")
        Path("locked", "file").write_text("x", encoding="utf-8")
        os.chmod("locked", 0)
    finally:
        os.chdir(here)
    runner.remove_tree(top)
    assert not top.exists()
    assert outside.read_text(encoding="utf-8") == "kept" and outside.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_temporary_folder_too_long_for_the_kernels_sockets_is_avoided_or_named(monkeypatch, tmp_path):
    """Under a long TMPDIR the sandboxed kernel's ipc sockets would pass 107 bytes and no cell could run."""
    monkeypatch.setattr(tempfile, "tempdir", "/" + "t" * 60)
    assert runner.work_parent(sandboxed=False) is None  # tcp: no socket paths
    assert runner.work_parent() == "/tmp"
    with runner._work_folder() as folder:
        assert folder.parent == Path("/tmp")
        assert len(str(folder / "runtime" / "kernel-12345678.json-65535")) <= runner.SOCKET_PATH_MAX
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(sandbox.SandboxUnavailable, match=r"too long a path for the kernel's sockets .*set TMPDIR"):
        runner.work_parent()
    monkeypatch.setattr(tempfile, "tempdir", "/var/tmp")
    assert runner.work_parent() is None  # a short one is used as it is


def test_an_answer_too_deep_to_parse_is_flagged_and_the_rest_of_the_submission_is_read(tmp_path):
    """A 200 000-term sum made Python's parser raise RecursionError: the whole submission 'could not be graded'."""
    nb = notebooks.read(ROOT / "solutions" / "00_how_to_use_this_course.ipynb")
    answer = next(c for c in nb.cells if notebooks.role(c) == "answer" and notebooks.exercise(c) == "00.2")
    answer.source = "E = " + "+".join(["0"] * 200_000)
    path = tmp_path / "00_deep.ipynb"
    notebooks.write(nb, path)
    result, answers = batch._read_one(path, "s", path.name, ROOT, "00", batch.Policy(), {})
    assert result.problem is None and set(answers) == {"00.1", "00.2", "00.3"}
    assert result.flags == {"00.2": [suspicious.TOO_DEEP]}
    restored = {e: set() for e in answers}
    assert "00.2" in suspicious.held(answers, result.flags, restored)


def test_a_notebook_saved_with_a_byte_order_mark_is_read_with_a_warning(tmp_path):
    """Notepad saves UTF-8 with a BOM; json.loads refused it as 'not valid JSON'."""
    path = tmp_path / "00_bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + (ROOT / "solutions" / "00_how_to_use_this_course.ipynb").read_bytes())
    read = submission.read_submission(path)
    assert read.lesson == "00" and any("byte-order mark" in w for w in read.warnings)
    path.write_bytes(b"\xef\xbb\xbf" + b"{not json")
    with pytest.raises(submission.SubmissionError, match="not valid JSON"):
        submission.read_submission(path)


@pytest.mark.parametrize("extra,shown", [(1, "20,000,001 bytes"), (260_000, "20.3 MB")])
def test_a_file_over_the_size_limit_says_by_how_much(tmp_path, extra, shown):
    path = tmp_path / "00_big.ipynb"
    with open(path, "wb") as file:
        file.truncate(submission.MAX_BYTES + extra)
    with pytest.raises(submission.SubmissionError, match=f"the file is {shown}, over the 20 MB limit"):
        submission.read_submission(path)
