"""bp_course.release: solutions become student lessons; authoring mistakes are named."""

import copy
import shutil

import pytest

from bp_course import notebooks, release
from bp_course.__main__ import main

FIXTURE = "99_fixture_solution.ipynb"


@pytest.fixture
def solution(files):
    return notebooks.read(files / FIXTURE)


def _cell(nb, cell_id):
    return next(c for c in nb.cells if c["id"] == cell_id)


def test_function_answer_becomes_a_stub_naming_the_exercise(solution):
    lesson = release.release_notebook(solution)
    source = _cell(lesson, "double-answer").source
    assert source.splitlines() == ['def double(v):', '    "Twice v."',
                                   "    # write your code here, in place of the next line",
                                   '    raise NotImplementedError("Exercise 99.1 is not attempted yet")']


def test_top_level_answer_binds_its_names_to_ellipsis(solution):
    source = _cell(release.release_notebook(solution), "pair-answer").source
    assert source.splitlines() == [
        "a = ...  # your answer",
        "b = ...  # your answer",
        "# replace each ... above with your answer, then delete the next line",
        'raise NotImplementedError("Exercise 99.2 is not attempted yet")',
        "print(a + b)",
    ]


def test_no_solution_text_survives(solution):
    text = notebooks.render(release.release_notebook(solution))
    assert "secret" not in text and release.BEGIN not in text and release.END not in text


def test_outputs_cleared_ids_kept_roles_and_points_recorded(solution):
    lesson = release.release_notebook(solution)
    assert [c["id"] for c in lesson.cells] == [c["id"] for c in solution.cells]
    assert all(c.outputs == [] and c.execution_count is None for c in lesson.cells if c.cell_type == "code")
    assert [notebooks.role(c) for c in lesson.cells] == ["narrative", "narrative", "answer", "check", "answer", "check"]
    assert _cell(lesson, "double-answer").metadata["bp_course"] == {"role": "answer", "exercise": "99.1", "points": 2}
    assert _cell(lesson, "pair-check").metadata["bp_course"] == {"role": "check", "exercise": "99.2", "points": 1.5}
    assert lesson.metadata["bp_course"]["exercises"] == [{"id": "99.1", "points": 2}, {"id": "99.2", "points": 1.5}]
    assert "widgets" not in lesson.metadata


def test_release_does_not_change_its_input(solution):
    before = notebooks.render(solution)
    release.release_notebook(solution)
    assert notebooks.render(solution) == before


def test_solution_answers_fill_the_lesson_back(solution):
    lesson = release.release_notebook(solution)
    solved = notebooks.with_answers(lesson, notebooks.answer_sources(solution))
    assert _cell(solved, "double-answer").source == _cell(solution, "double-answer").source
    assert _cell(solved, "double-check").source == _cell(lesson, "double-check").source


def _broken(solution, edit):
    nb = copy.deepcopy(solution)
    edit(nb)
    return nb


@pytest.mark.parametrize("edit,message", [
    (lambda nb: setattr(_cell(nb, "double-answer"), "source", "def double(v):\n    ### BEGIN SOLUTION\n    return 2 * v"),
     "has no ### END SOLUTION"),
    (lambda nb: setattr(_cell(nb, "double-answer"), "source", "### END SOLUTION"), "without a ### BEGIN"),
    (lambda nb: setattr(_cell(nb, "double-answer"), "source",
                        "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"), "inside another"),
    (lambda nb: setattr(_cell(nb, "double-answer"), "source", "x = 1  ### BEGIN SOLUTION"), "stand alone"),
    (lambda nb: setattr(_cell(nb, "double-answer"), "source", "def double(v):\n    return 2 * v"),
     "needs a ### BEGIN SOLUTION"),
    (lambda nb: setattr(_cell(nb, "setup"), "source", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
     "markers in a cell whose role is 'narrative'"),
    (lambda nb: nb.cells.remove(_cell(nb, "pair-check")), r"exercise\(s\) 99.2 have no check cell"),
    (lambda nb: _cell(nb, "double-answer").metadata["bp_course"].pop("points"), "needs positive 'points'"),
    (lambda nb: _cell(nb, "double-answer").metadata["bp_course"].pop("exercise"), "without an 'exercise' id"),
    (lambda nb: _cell(nb, "double-check").metadata["bp_course"].update(exercise="42.0"), "which has no answer cell"),
    (lambda nb: _cell(nb, "setup").metadata.update(bp_course={"role": "hint"}), "unknown role 'hint'"),
    (lambda nb: _cell(nb, "setup").update(id="intro"), "duplicate cell id 'intro'"),
    (lambda nb: setattr(_cell(nb, "pair-answer"), "source", "### BEGIN SOLUTION\na = (\n### END SOLUTION"),
     "the solution does not parse"),
])
def test_authoring_mistakes_are_named(solution, edit, message):
    with pytest.raises(release.AuthoringError, match=message):
        release.release_notebook(_broken(solution, edit), "solutions/99_fixture.ipynb")


def test_release_and_check_on_folders(tmp_path, files, capsys):
    solutions, lessons = tmp_path / "solutions", tmp_path / "lessons"
    solutions.mkdir()
    shutil.copy(files / FIXTURE, solutions / FIXTURE)
    args = ["--solutions", str(solutions), "--lessons", str(lessons)]
    assert main(["release", "--check", *args]) == 1
    assert "missing" in capsys.readouterr().err
    assert main(["release", *args]) == 0
    assert main(["release", "--check", *args]) == 0
    lesson = lessons / FIXTURE
    lesson.write_text(lesson.read_text().replace("not attempted", "NOT attempted"))
    assert main(["release", "--check", *args]) == 1
    assert f"{lesson} (differs from what" in capsys.readouterr().err
    (lessons / "98_orphan.ipynb").write_text("{}")
    assert release.stale(solutions, lessons) == [f"{lesson} (differs from what {solutions / FIXTURE} releases)",
                                                 f"{lessons / '98_orphan.ipynb'} (no solution notebook)"]
    assert main(["release", *args]) == 0
    assert not (lessons / "98_orphan.ipynb").exists()
    assert release.stale(solutions, lessons) == []


def test_release_reports_authoring_errors_with_status_2(tmp_path, files, capsys):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nb = notebooks.read(files / FIXTURE)
    nb.cells = [c for c in nb.cells if c["id"] != "double-check"]
    notebooks.write(nb, solutions / FIXTURE)
    assert main(["release", "--solutions", str(solutions), "--lessons", str(tmp_path / "lessons")]) == 2
    assert "99.1 have no check cell" in capsys.readouterr().err


def test_badly_named_solution_is_rejected(tmp_path, files):
    (tmp_path / "s").mkdir()
    shutil.copy(files / FIXTURE, tmp_path / "s" / "Lesson One.ipynb")
    with pytest.raises(release.AuthoringError, match="NN_lowercase_words.ipynb: Lesson One.ipynb"):
        release.stale(tmp_path / "s", tmp_path / "l")
