"""Hidden checks: every exercise has one, the reference passes it, a wrong answer fails it, values cross safely."""

import importlib
import math
from pathlib import Path

import numpy as np
import pytest

from bp_course import notebooks
from bp_course.checks import hidden
from bp_course.grading import batch

ROOT = Path(__file__).resolve().parent.parent
LESSON_NAMES = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))


def _lesson_exercises(name):
    nb = notebooks.read(ROOT / "lessons" / name)
    return [notebooks.exercise(c) for c in nb.cells if notebooks.role(c) == "answer"]


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_every_exercise_has_a_hidden_check_named_after_its_answer(name):
    module = importlib.import_module(f"bp_course.checks.lesson{name[:2]}")
    assert list(module.HIDDEN) == _lesson_exercises(name)
    solution = notebooks.read(ROOT / "solutions" / name)
    for cell in solution.cells:
        if notebooks.role(cell) == "answer":
            spec = module.HIDDEN[notebooks.exercise(cell)]
            for answer_name in spec.names:  # the names the probe will read are the ones the answer defines
                assert answer_name in cell.source, (notebooks.exercise(cell), answer_name)


def _function_specs():
    for name in LESSON_NAMES:
        module = importlib.import_module(f"bp_course.checks.lesson{name[:2]}")
        for exercise, spec in module.HIDDEN.items():
            if isinstance(spec, hidden.Function):
                yield exercise, spec


@pytest.mark.parametrize("exercise,spec", list(_function_specs()), ids=[e for e, _ in _function_specs()])
def test_function_checks_pass_the_reference_and_fail_wrong_functions(exercise, spec):
    cases = spec.cases(np.random.default_rng(99))
    assert cases, exercise
    reference = spec.results(spec.reference, cases)
    assert all("value" in r for r in reference), reference
    assert spec.judge(reference, cases, 0).ok
    assert spec.judge(reference[:-1], cases, 0).passed == 0  # a truncated probe file earns nothing

    def wrong(*args):
        return 7.5

    def raising(*args):
        raise ZeroDivisionError("oops")

    assert not spec.judge(spec.results(wrong, cases), cases, 0).ok
    errors = spec.results(raising, cases)
    assert not spec.judge(errors, cases, 0).ok
    if spec.call is hidden._plain_call:  # the error text is what the report can show
        assert errors[0] == {"error": "ZeroDivisionError: oops"}


def test_function_cases_change_with_the_seed():
    spec = importlib.import_module("bp_course.checks.lesson01").HIDDEN["01.2"]
    a, b = spec.cases(np.random.default_rng([1, 0])), spec.cases(np.random.default_rng([2, 0]))
    assert not all(np.array_equal(x, y) for x, y in zip(a[0], b[0]))


@pytest.mark.parametrize("exercise,right,wrong", [
    ("00.2", 0.18, 0.36),
    ("02.3", None, 0.5),
    ("07.2", {"float64": 1e-5, "float32": 1e-2}, {"float64": 1e-10, "float32": 1e-2}),
    ("08.1", None, {}),
    ("09.3", {6: "trap", 29: "plateau", 50: "trap", 77: "plateau"}, {6: "plateau", 29: "plateau", 50: "trap", 77: "plateau"}),
    ("09.6", {"same_net": True, "same_delta": True, "same_update": True, "more_epochs": False, "larger_eta": False,
              "like_one": True, "zero_start": True, "random_biases": True},
     {"same_net": True, "same_delta": True, "same_update": True, "more_epochs": True, "larger_eta": False,
      "like_one": True, "zero_start": True, "random_biases": True}),
])
def test_value_checks_run_the_lessons_check_in_the_grader(exercise, right, wrong):
    spec = importlib.import_module(f"bp_course.checks.lesson{exercise[:2]}").HIDDEN[exercise]
    if right is not None:
        assert spec.judge([hidden.to_json(right)], [], 0).ok
    assert not spec.judge([hidden.to_json(wrong)], [], 0).ok
    assert not spec.judge([hidden.to_json(...)], [], 0).ok
    assert not spec.judge("not a list", [], 0).ok


@pytest.mark.parametrize("exercise,right,wrong", [
    ("03.1", "phi * (1 - phi)", "phi * (1 + phi)"),
    ("04.4", "(y - t) * y * (1 - y) * x1", "(y - t) * y * (1 - y)"),
    ("08.5", "y1 - t1", "t1 - y1"),
])
def test_derivation_checks_use_the_grading_seed(exercise, right, wrong):
    spec = importlib.import_module(f"bp_course.checks.lesson{exercise[:2]}").HIDDEN[exercise]
    for seed in (1, 2):
        assert spec.judge([hidden.to_json(right)], [], seed).ok
        assert not spec.judge([hidden.to_json(wrong)], [], seed).ok
    assert not spec.judge([hidden.to_json("import os")], [], 1).ok  # unreadable text fails, nothing runs
    assert not spec.judge([hidden.to_json([1, 2])], [], 1).ok


def test_json_round_trip_of_answer_values():
    import sympy as sp
    values = [0.18, 3, "text", None, ..., (1.0, 2.0), [1, [2, 3]], {"a": 1.0, "b": [True]},
              np.array([[1.0, 2.0]]), np.float32(0.5), np.int64(4), float("nan"), sp.Symbol("y") - 1]
    for value in values:
        back = hidden.from_json(hidden.to_json(value))
        if isinstance(value, np.ndarray):
            assert np.array_equal(back, value)
        elif isinstance(value, float) and math.isnan(value):
            assert math.isnan(back)
        elif type(value).__module__.startswith("sympy"):
            assert back == "y - 1"
        else:
            assert back == value and type(back) in (type(value), float, int)
    assert hidden.to_json(object()) == {"type": "unsupported", "name": "object"}
    with pytest.raises(ValueError, match="unsupported type"):
        hidden.from_json({"type": "unsupported", "name": "object"})


def test_every_solution_gets_full_marks_from_the_grader():
    """End to end for all lessons: the reference answers pass every visible and hidden check."""
    paths = [ROOT / "solutions" / name for name in LESSON_NAMES]
    results, _ = batch.grade_all(paths, course=ROOT, seed=2026, jobs=2, cell_timeout=60, timeout=300)
    for result in results:
        assert result.problem is None, (result.path, result.problem)
        assert result.score == result.max_score > 0, [(o.exercise, o.status, o.message) for o in result.outcomes]


def test_a_path_returned_as_a_list_of_rows_is_the_path():
    """A correct descent returned as a list of arrays (review of lesson 11): stacked like np.array, not laid end to end."""
    rows = [np.array([0.0, 1.0]), np.array([0.5, 0.5]), np.array([0.75, 0.25])]
    assert hidden.numbers(rows) == hidden.numbers(np.array(rows))
    grads = [np.ones((2, 3)), np.zeros(3)]
    assert hidden.numbers(grads) == [1.0] * 6 + [0.0] * 3


def test_numpy_booleans_travel_as_booleans():
    """A statement computed as np.all(...) (review of lesson 09) is a bool, not 'unsupported'."""
    assert hidden.to_json(np.bool_(True)) is True
    assert hidden.from_json(hidden.to_json({"zero_start": np.bool_(False)})) == {"zero_start": False}


# -- the derivation judge: exact, no proof, bounded in the grader's worker threads (issue 12) -------------

from difference_quotients import CASES, EXERCISES, IDS  # noqa: E402

RIGHT_04_4 = "(y - t) * y * (1 - y) * x1"
GENERATORS = ["w1", "w2", "x1", "x2", "t", "w1*x1", "w2*x2", "w1*w2", "x1*x2", "w1 + x2", "w2 + x1", "t*w1"]


def _fractions(numerator: str) -> str:
    """The red team's stall: twelve fractions, each with its own exp generator, added to a right answer."""
    return RIGHT_04_4 + "".join(f" + {numerator}/({k + 2} + exp({g}))" for k, g in enumerate(GENERATORS))


@pytest.mark.parametrize("exercise,kind,text", CASES, ids=IDS)
def test_a_difference_quotient_scores_nothing_in_the_grader(exercise, kind, text):
    spec = importlib.import_module(f"bp_course.checks.{EXERCISES[exercise][0]}").HIDDEN[exercise]
    for seed in (1, 2):
        assert spec.judge([hidden.to_json(text)], [], seed) == hidden.Verdict(0, 1)


def test_the_grader_never_attempts_the_proof(monkeypatch):
    from bp_course import symbolic

    def no_proof(*args, **kwargs):
        raise AssertionError("the proof was attempted")

    monkeypatch.setattr(symbolic, "_is_zero", no_proof)
    for exercise, right in (("03.1", "phi * (1 - phi)"), ("04.4", RIGHT_04_4), ("08.5", "y1 - t1")):
        spec = importlib.import_module(f"bp_course.checks.lesson{exercise[:2]}").HIDDEN[exercise]
        assert spec.judge([hidden.to_json(right)], [], 3) == hidden.Verdict(1, 1)


@pytest.mark.parametrize("text,score", [
    (_fractions("1e-300"), 0),   # the red team's string: 1e-300 is refused (more than 60 digits, exactly)
    (_fractions("1e-30"), 0),    # a near miss at 60 digits
    (_fractions("exp(-200)"), 0),  # below 60 digits: the 500-digit points refuse it
    (_fractions("(tanh(w1) - sinh(w1)/cosh(w1))"), 1),  # exactly right, twelve generators: no proof to stall
    (_fractions("exp(-20000)"), 0),  # exp beyond its range: no value, no unbounded arithmetic
    (RIGHT_04_4 + "".join(f"+tanh({k}*w1)-sinh({k}*w1)/cosh({k}*w1)" for k in range(1, 22)), 1),  # the most
    #                                          distinct functions a right answer within the reader's limits can hold
])
def test_stalling_add_ons_are_judged_in_a_worker_thread_without_stalling(text, score):
    """In a worker thread no alarm bounds SymPy; the judge must finish anyway (30 s proves no stall, not speed)."""
    spec = importlib.import_module("bp_course.checks.lesson04").HIDDEN["04.4"]
    verdicts = []
    worker = __import__("threading").Thread(target=lambda: verdicts.append(spec.judge([hidden.to_json(text)], [], 5)),
                                            daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the judge stalled in a worker thread"
    assert verdicts == [hidden.Verdict(score, 1)]
