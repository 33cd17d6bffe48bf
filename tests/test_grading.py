"""bp_course.grading end to end: a class of submissions, each a situation the grader must get right.

The class is built by tests/grading_class.py from the course's own notebooks
and graded once per lesson (module fixtures); each test then reads one part
of the result. Student cells get a short timeout (10 s) to keep the endless loop quick; the
course's own cells are bounded only by the run's limit, so a busy machine changes no verdict.
"""

import csv
import hashlib
import json
import subprocess
import sys

import pytest

import grading_class
from bp_course import grading
from bp_course.grading import reports

ROOT = grading_class.ROOT
SEED = 12345

# student -> (points per exercise of lesson 02, statuses that must appear)
EXPECTED_02 = {
    "full": ([1, 1, 1, 1], {}),
    "unsolved": ([0, 0, 0, 0], {"02.1": "not attempted", "02.4": "not attempted"}),
    "partial": ([0, 1, 0, 1], {"02.1": "failed", "02.3": "failed"}),
    "deleted_checks": ([0, 1, 1, 1], {"02.1": "failed"}),
    "edited_checks": ([0, 1, 1, 1], {"02.1": "failed"}),
    "skip_tags": ([0, 1, 1, 1], {"02.1": "failed"}),
    "stored_outputs": ([0, 0, 0, 0], {"02.1": "not attempted"}),
    "transformer": ([0, 0, 0, 0], {"02.1": "failed", "02.3": "failed"}),
    "monkeypatch": ([0, 1, 1, 1], {"02.1": "failed"}),
    "endless": ([1, 0, 1, 1], {"02.2": "timed out"}),
    "crash": ([1, 1, 0, 1], {"02.3": "crashed"}),
    "asks_input": ([1, 1, 1, 0], {"02.4": "error"}),
    "moved_ids": ([1, 1, 1, 1], {}),
    "duplicate": ([0, 1, 1, 1], {"02.1": "failed"}),
}


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    paths = grading_class.build(folder)
    digests = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in paths.items() if p.exists()}
    results02, seed = grading.grade_all(grading.collect([folder / "l02"]), course=ROOT, lesson="02", seed=SEED,
                                        jobs=2, cell_timeout=10, timeout=600)
    results00, _ = grading.grade_all(grading.collect([folder / "l00"]) + [paths["absent"]], course=ROOT, seed=SEED,
                                     jobs=2, cell_timeout=10, timeout=600)
    by_name = {r.student: r for r in results02 + results00}
    return {"paths": paths, "digests": digests, "results": by_name, "seed": seed, "folder": folder,
            "results02": results02}


@pytest.mark.parametrize("student", sorted(EXPECTED_02))
def test_each_lesson02_submission_gets_exactly_its_points(klass, student):
    result = klass["results"][student]
    points, statuses = EXPECTED_02[student]
    assert result.problem is None
    assert [o.exercise for o in result.outcomes] == ["02.1", "02.2", "02.3", "02.4"]
    got = [result.worth[o.exercise] if o.status == "passed" else 0 for o in result.outcomes]
    assert got == points, [(o.exercise, o.status, o.message) for o in result.outcomes]
    for exercise, status in statuses.items():
        assert next(o for o in result.outcomes if o.exercise == exercise).status == status
    assert result.score == sum(points) and result.max_score == 4


def test_a_mistake_is_not_punished_twice(klass):
    """02.2 calls gradient(); with the student's wrong 02.1 it would fail, with the reference filled in it passes."""
    outcomes = {o.exercise: o for o in klass["results"]["partial"].outcomes}
    assert outcomes["02.2"].status == "passed" and outcomes["02.4"].status == "passed"
    assert "Hint: the sign is flipped" in outcomes["02.1"].message
    assert "half the bound" in outcomes["02.3"].message


def test_tampering_gains_nothing_and_code_tricks_are_flagged(klass):
    results = klass["results"]
    assert results["transformer"].flags["02.1"] == ["uses input_transformers_post", "uses get_ipython"]
    assert results["monkeypatch"].flags["02.1"] == ["reassigns np.allclose"]
    assert "nbval comment marker" in results["skip_tags"].flags["02.1"][0]
    monkeypatched = results["monkeypatch"].outcomes[0]
    assert monkeypatched.hidden.passed == 0 and "the visible check passed, but" in monkeypatched.message
    assert not results["full"].flags and not results["deleted_checks"].flags


def test_hidden_checks_are_reported_by_count(klass):
    full = klass["results"]["full"]
    assert all(o.hidden is not None and o.hidden.ok for o in full.outcomes)
    assert [o.hidden.total for o in full.outcomes] == [3, 3, 1, 1]


def test_timeouts_crashes_and_input_cost_one_exercise(klass):
    results = klass["results"]
    assert "longer than 10 s" in results["endless"].outcomes[1].message
    assert "kernel died" in results["crash"].outcomes[2].message
    assert "StdinNotImplementedError" in results["asks_input"].outcomes[3].message
    assert results["asks_input"].flags == {"02.4": ["calls eval()"]}


def test_moved_and_duplicated_cells_are_graded_with_a_warning(klass):
    moved = klass["results"]["moved_ids"]
    assert len(moved.warnings) == 4 and "not found by its id; graded the cell that defines gradient" in moved.warnings[0]
    assert klass["results"]["duplicate"].warnings == [
        "exercise 02.1: its answer cell appears more than once; the last copy was graded"]


def test_bad_files_are_reported_and_the_batch_goes_on(klass):
    results = klass["results"]
    assert results["other_lesson"].problem == "this is lesson 00's notebook, not lesson 02's"
    assert results["not_json"].problem.startswith("not a notebook: the file is not valid JSON")
    assert results["no_cells"].problem == "not a notebook: JSON without notebook cells"
    assert "over the 20 MB limit" in results["huge"].problem
    assert results["absent"].problem == "no such file"
    empty = results["empty"]
    assert [o.status for o in empty.outcomes] == ["missing"] * 3 and empty.score == 0
    old = results["old_format"]
    assert old.score == 3 and old.warnings[0] == "converted from nbformat 3 to 4"
    assert results["full00"].score == 3
    assert results["unsolved00"].score == 0
    partial = results["partial00"]
    assert partial.score == 2 and [o.status for o in partial.outcomes] == ["passed", "failed", "passed"]
    assert "0.36 is (t - y)^2 without the factor 1/2" in partial.outcomes[1].message


def test_student_files_are_never_modified(klass):
    for name, digest in klass["digests"].items():
        assert hashlib.sha256(klass["paths"][name].read_bytes()).hexdigest() == digest, name
    assert klass["results"]["full"].sha256 == klass["digests"]["full"]


def test_reports(klass, tmp_path):
    results = klass["results02"]
    out = reports.write_reports(results, tmp_path / "grades", klass["seed"])
    with (out / "gradebook.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == len(results)
    partial = next(r for r in rows if r["student"] == "partial")
    assert (partial["02.1"], partial["02.2"], partial["total"], partial["max"]) == ("0", "1", "2", "4")
    assert next(r for r in rows if r["student"] == "monkeypatch")["review"] == "02.1: reassigns np.allclose"
    data = json.loads((out / "results" / "partial.json").read_text(encoding="utf-8"))
    assert data["score"] == 2 and data["max_score"] == 4
    assert [t["name"] for t in data["tests"]] == [f"Exercise 02.{k}" for k in range(1, 5)]
    assert {"name", "score", "max_score", "output"} <= set(data["tests"][0])
    assert data["extra_data"]["sha256"] == klass["digests"]["partial"] and "seed" not in data["extra_data"]
    assert {row["seed"] for row in rows} == {str(SEED)}  # the seed is the instructor's: gradebook only
    assert data["extra_data"]["versions"]["nbval"] != "not installed"
    feedback = (out / "feedback" / "partial.md").read_text(encoding="utf-8")
    assert "**Total: 2 of 4 points.**" in feedback and "Hint: the sign is flipped" in feedback
    hidden_text = (out / "feedback" / "monkeypatch.md").read_text(encoding="utf-8")
    assert "0 of 3 hidden checks passed" in hidden_text and "For the instructor to review" in hidden_text
    table = reports.table(results)
    assert "partial" in table and "2/4" in table and "this is lesson 00's notebook" in table
    html = reports.feedback_html(klass["results"]["partial"], SEED)
    assert html.startswith("<!DOCTYPE html>") and "<p><strong>Total: 2 of 4 points.</strong></p>" in html
    assert "<h2>Exercise 02.1: failed, 0/1 points</h2>" in html and "<pre>Exercise 02.1: gradient(" in html


def test_points_file_overrides_points_and_chooses_exercises(klass, tmp_path):
    policy_file = tmp_path / "points.json"
    policy_file.write_text('{"points": {"02.2": 3}, "exercises": ["02.1", "02.2"]}', encoding="utf-8")
    policy = grading.load_policy(policy_file)
    lesson = grading.batch.load_lesson(ROOT, "02")
    assert policy.worth(lesson) == {"02.1": 1, "02.2": 3}
    for bad, message in (('{"points": {"02.1": "two"}}', "non-negative numbers"), ("[1]", "expected an object"),
                         ('{"exercises": "02.1"}', "a list of exercise ids"), ("{", "not valid JSON")):
        policy_file.write_text(bad, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            grading.load_policy(policy_file)


def test_command_line(klass, tmp_path):
    paths = klass["paths"]
    result = subprocess.run([sys.executable, "-m", "bp_course", "grade", str(paths["full00"]), str(paths["not_json"]),
                             "--lesson", "00", "--out", str(tmp_path / "out"), "--seed", "7", "--feedback", "html"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "full00" in result.stdout and "3/3" in result.stdout and "not valid JSON" in result.stdout
    assert (tmp_path / "out" / "feedback" / "full00.html").is_file()
    bad = subprocess.run([sys.executable, "-m", "bp_course", "grade", str(paths["full00"]), "--lesson", "7"],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert bad.returncode == 2 and "two-digit lesson number" in bad.stderr
