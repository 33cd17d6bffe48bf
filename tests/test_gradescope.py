"""The Gradescope autograder (issue 16): built once, laid out as /autograder in a temporary root, run end to end.

Each test unzips the autograder into ``ROOT/source`` as Gradescope does,
copies ``run_autograder`` to ``ROOT``, puts a submission in
``ROOT/submission`` and runs the scripts with ``AUTOGRADER_ROOT=ROOT`` and
this Python (``BP_AUTOGRADER_PYTHON``), then validates
``ROOT/results/results.json`` against the fields Gradescope documents.
Grading a lesson-00 submission takes a few seconds; only three tests start
a kernel.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from bp_course import notebooks
from bp_course.__main__ import main
from bp_course.grading import runner, safetext, sandbox
from bp_course.grading.submission import load_lesson
from bp_course.platforms import gradescope

COURSE = Path(__file__).resolve().parent.parent
LESSON = "00_how_to_use_this_course.ipynb"
SANDBOXED = sandbox.status().sandboxed
needs_bwrap = pytest.mark.skipif(not SANDBOXED, reason=f"no working bubblewrap here ({sandbox.status().reason})")
SECRET = "grader-secret-3f9a1c77d2"

# Gradescope's results.json, from its "Autograder Specifications" (gradescope-autograders.readthedocs.io, specs):
# every field is optional; "score" is required at the top level or on each test.
FORMATS = ("text", "simple_format", "html", "md", "ansi")
VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")
NUMBER = (int, float)
TOP_FIELDS = {"score": NUMBER, "execution_time": NUMBER, "output": str, "output_format": FORMATS,
              "test_output_format": FORMATS, "test_name_format": FORMATS, "visibility": VISIBILITY,
              "stdout_visibility": VISIBILITY, "extra_data": dict, "tests": list, "leaderboard": list}
TEST_FIELDS = {"score": NUMBER, "max_score": NUMBER, "status": ("passed", "failed"), "name": str,
               "name_format": FORMATS, "number": str, "output": str, "output_format": FORMATS, "tags": list,
               "visibility": VISIBILITY, "extra_data": dict}


def _check_fields(record: dict, fields: dict, where: str) -> None:
    unknown = set(record) - set(fields)
    assert not unknown, f"{where}: fields Gradescope does not document: {sorted(unknown)}"
    for key, value in record.items():
        kind = fields[key]
        if isinstance(kind, tuple) and all(isinstance(k, str) for k in kind):
            assert value in kind, f"{where}.{key} = {value!r}, not one of {kind}"
        else:
            assert isinstance(value, kind) and not isinstance(value, bool), f"{where}.{key} = {value!r}"


def validate(results: dict, points: dict) -> None:
    """results.json as Gradescope documents it, with one test per exercise worth the course's points."""
    _check_fields(results, TOP_FIELDS, "results")
    assert "score" in results, "no top-level score"
    assert results["output_format"] == "text" and results["test_output_format"] == "text"
    assert results["test_name_format"] == "text"
    assert results["stdout_visibility"] == "hidden"  # the log holds the hidden checks' seed
    assert [t["number"] for t in results["tests"]] == list(points)
    for test in results["tests"]:
        _check_fields(test, TEST_FIELDS, f"test {test.get('name')}")
        assert test["max_score"] == points[test["number"]]
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
    assert results["score"] == sum(t["score"] for t in results["tests"])
    assert 0 <= results["score"] <= sum(points.values()) == results["extra_data"]["max_score"]


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    """The lesson-00 autograder zip, built once (requiring the sandbox where it works here)."""
    return gradescope.build("00", tmp_path_factory.mktemp("zip"), course=COURSE, require_sandbox=SANDBOXED)


@pytest.fixture(scope="module")
def points() -> dict:
    """The course's points table for lesson 00."""
    return load_lesson(COURSE, "00").exercises


def lay_out(root: Path, archive: Path) -> Path:
    """``root`` as Gradescope lays out /autograder: source/ (the zip), run_autograder, submission/, results/."""
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def run_script(root: Path, script: Path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "BP_AUTOGRADER_PYTHON": sys.executable,
                   "BP_TEST_SECRET": SECRET, **env}
    return subprocess.run(["bash", str(script)], env=environment, capture_output=True, text=True, timeout=300)


def grade(root: Path, **env) -> dict:
    """Run ``run_autograder`` as Gradescope does, in a process of its own; return results.json."""
    done = run_script(root, root / "run_autograder", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def grade_here(root: Path) -> dict:
    """What ``run_autograder`` runs, in this process: for the cases that start no kernel (seconds saved each)."""
    assert gradescope.run(root) == 0
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def solved() -> str:
    lesson = notebooks.read(COURSE / "lessons" / LESSON)
    return notebooks.render(notebooks.with_answers(lesson, notebooks.answer_sources(
        notebooks.read(COURSE / "solutions" / LESSON))))


# -- the zip ---------------------------------------------------------------------------------------------

def test_zip_holds_the_scripts_the_pinned_requirements_and_one_lesson(autograder):
    with zipfile.ZipFile(autograder) as zipped:
        names = zipped.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in zipped.infolist()}
        requirements = zipped.read("requirements.txt").decode().splitlines()
        config = json.loads(zipped.read("autograder.json"))
    assert {"setup.sh", "run_autograder", "requirements.txt", "autograder.json"} <= set(names)
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert [n for n in names if n.startswith("course/") and n.endswith(".ipynb")] == [
        f"course/lessons/{LESSON}", f"course/solutions/{LESSON}"]
    assert "course/bp_course/grading/batch.py" in names and "course/bp_course/data/digits.npz" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    pins = dict(line.split("==") for line in requirements if line and not line.startswith("#"))
    for package in gradescope.GRADING_PACKAGES + ("pyzmq", "jupyter_client"):  # and what they need
        assert pins[next(name for name in pins if name.lower().replace("-", "_") == package.lower())] == \
            metadata.version(package)
    with zipfile.ZipFile(autograder) as zipped:  # the grader needs the solution's answers, not its figures
        solution = json.loads(zipped.read(f"course/solutions/{LESSON}"))
    assert not any(cell.get("outputs") for cell in solution["cells"])
    assert config["lesson"] == "00" and config["python"] == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_the_same_course_builds_the_same_zip(autograder, tmp_path):
    again = gradescope.build("00", tmp_path, course=COURSE, require_sandbox=SANDBOXED)
    assert again.read_bytes() == autograder.read_bytes()


def test_cli_builds_and_refuses_bad_input_with_a_clear_message(tmp_path, capsys):
    assert main(["autograder", "--lesson", "00", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "gradescope-lesson-00.zip").is_file()
    assert main(["autograder", "--lesson", "99", "--out", str(tmp_path)]) == 2
    assert "the course has no lesson '99'" in capsys.readouterr().err
    bad = tmp_path / "points.json"
    bad.write_text('{"points": {"07.1": 2}}', encoding="utf-8")
    assert main(["autograder", "--lesson", "00", "--out", str(tmp_path), "--points", str(bad)]) == 2
    assert "lesson 00 has no exercise 07.1" in capsys.readouterr().err


# -- setup.sh, the part without the network --------------------------------------------------------------

def test_setup_checks_python_packages_and_lesson_offline(autograder, tmp_path):
    root = lay_out(tmp_path, autograder)
    done = run_script(root, root / "source" / "setup.sh", BP_AUTOGRADER_OFFLINE="1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lesson 00 (00_how_to_use_this_course.ipynb)" in done.stdout and "3 points in all" in done.stdout


def test_setup_fails_on_a_package_version_other_than_the_pinned_one(autograder, tmp_path, capsys):
    root = lay_out(tmp_path, autograder)
    requirements = root / "source" / "requirements.txt"
    requirements.write_text(requirements.read_text().replace(f"numpy=={metadata.version('numpy')}",
                                                             "numpy==1.0.0"))
    assert gradescope.check(root) == 1
    assert f"numpy {metadata.version('numpy')} is installed, but the autograder pins 1.0.0" in capsys.readouterr().err


# -- run_autograder on submissions ------------------------------------------------------------------------

def test_solved_submission_earns_every_point_and_a_second_notebook_is_ignored(autograder, points, tmp_path):
    root = lay_out(tmp_path, autograder)
    (root / "submission" / LESSON).write_text(solved(), encoding="utf-8")
    scratch = notebooks.read(COURSE / "lessons" / "01_learning_as_optimization.ipynb")
    notebooks.write(scratch, root / "submission" / "scratch.ipynb")
    results = grade(root)
    validate(results, points)
    assert results["score"] == sum(points.values()) == 3
    assert "3 of 3 points" in results["output"]
    assert f"Graded {LESSON}, lesson 00's notebook; ignored the other notebook(s): scratch.ipynb" in results["output"]
    assert results["extra_data"]["sandboxed"] is SANDBOXED


def test_unsolved_submission_earns_nothing_and_says_not_attempted(autograder, points, tmp_path):
    root = lay_out(tmp_path, autograder)
    shutil.copy(COURSE / "lessons" / LESSON, root / "submission" / "my_work.ipynb")
    results = grade(root)
    validate(results, points)
    assert results["score"] == 0
    assert all("not attempted" in t["output"] for t in results["tests"])


@needs_bwrap
def test_tampered_submission_earns_only_its_genuine_answer(autograder, points, tmp_path):
    """A check cell edited to print a pass, an answer that reads the solutions, an error that dumps the environment."""
    root = lay_out(tmp_path, autograder)
    nb = notebooks.read(COURSE / "lessons" / LESSON)
    cells = {cell["id"]: cell for cell in nb.cells}
    cells["ex00-1-answer"].source = ("import os\n\ndef squared_error(y, t):\n"
                                     "    raise RuntimeError(repr(dict(os.environ)))\n")
    cells["ex00-1-check"].source = 'print("✔ exercise 00.1 passed")'
    cells["ex00-2-answer"].source = (
        "import glob, json\n"
        f"found = glob.glob('/autograder/source/course/solutions/*.ipynb') + glob.glob({str(root)!r} + "
        "'/source/course/solutions/*.ipynb')\n"
        "cell = [c for c in json.load(open(found[0]))['cells'] if c['id'] == 'ex00-2-answer'][0]\n"
        "exec(''.join(cell['source']))\n")
    cells["ex00-3-answer"].source = "def error_derivative(y, t):\n    return y - t\n"
    notebooks.write(nb, root / "submission" / LESSON)
    results = grade(root)
    validate(results, points)
    assert [t["score"] for t in results["tests"]] == [0, 0, 1]
    assert "00.2" in results["extra_data"]["review"]
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    assert SECRET not in text and str(root) not in text
    assert "E = squared_error(y, t[0, 0])" not in text  # the reference answer of 00.2


def test_a_file_that_is_not_json_is_reported_with_the_points_table(autograder, points, tmp_path):
    root = lay_out(tmp_path, autograder)
    (root / "submission" / LESSON).write_text('{"cells": [', encoding="utf-8")
    results = grade_here(root)
    validate(results, points)
    assert results["score"] == 0
    assert "This submission could not be graded: not a notebook: the file is not valid JSON" in results["output"]


def test_no_notebook_says_what_to_submit(autograder, points, tmp_path):
    root = lay_out(tmp_path, autograder)
    results = grade_here(root)
    validate(results, points)
    assert results["output"] == f"No notebook (.ipynb file) was submitted: submit your {LESSON}."
    (root / "submission" / "answers.py").write_text("E = 0.08\n", encoding="utf-8")
    results = grade_here(root)
    assert "(the submission holds answers.py)" in results["output"]


def test_another_lessons_notebook_or_a_link_is_reported_not_graded(autograder, points, tmp_path):
    root = lay_out(tmp_path, autograder)
    shutil.copy(COURSE / "lessons" / "01_learning_as_optimization.ipynb", root / "submission")
    results = grade_here(root)
    validate(results, points)
    assert "could not be graded: this is lesson 01's notebook, not lesson 00's" in results["output"]
    (root / "submission" / "01_learning_as_optimization.ipynb").unlink()
    (tmp_path / "elsewhere.ipynb").write_text(solved(), encoding="utf-8")
    (root / "submission" / LESSON).symlink_to(tmp_path / "elsewhere.ipynb")
    results = grade_here(root)
    validate(results, points)
    assert results["score"] == 0 and "refused: the submission is a symbolic link" in results["output"]


def test_two_notebooks_of_the_lesson_are_refused_by_name(autograder, points, tmp_path):
    root = lay_out(tmp_path, autograder)
    for name in ("mine.ipynb", "mine\x1b[2J_copy.ipynb"):
        (root / "submission" / name).write_text(solved(), encoding="utf-8")
    results = grade_here(root)
    validate(results, points)
    assert results["score"] == 0
    assert results["output"] == ("2 of the notebooks submitted are lesson 00's (mine\\x1b[2J_copy.ipynb, mine.ipynb): "
                                 f"submit only one, your {LESSON}.")


def test_a_required_sandbox_that_does_not_work_grades_nothing(autograder, points, tmp_path, monkeypatch):
    root = lay_out(tmp_path, autograder)
    config = root / "source" / "autograder.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "require_sandbox": True}))
    (root / "submission" / LESSON).write_text(solved(), encoding="utf-8")
    monkeypatch.setenv("BP_COURSE_BWRAP", "")  # no bubblewrap
    results = grade_here(root)
    validate(results, points)
    assert results["score"] == 0 and results["output"] == gradescope.SANDBOX_REFUSED


def test_a_points_file_changes_the_tests_and_their_worth(tmp_path):
    chosen = tmp_path / "points.json"
    chosen.write_text('{"points": {"00.1": 2}, "exercises": ["00.1", "00.3"]}', encoding="utf-8")
    archive = gradescope.build("00", tmp_path / "zip", course=COURSE, points=chosen)
    root = lay_out(tmp_path / "root", archive)
    results = grade_here(root)
    validate(results, {"00.1": 2, "00.3": 1})


def test_the_grader_failing_still_leaves_a_result(autograder, tmp_path, capsys):
    root = lay_out(tmp_path, autograder)
    (root / "source" / "autograder.json").write_text("{", encoding="utf-8")
    results = grade_here(root)
    _check_fields(results, TOP_FIELDS, "results")
    assert results["score"] == 0 and results["output"] == gradescope.INTERNAL_ERROR
    assert results["stdout_visibility"] == "hidden"
    assert "JSONDecodeError" in capsys.readouterr().out  # the traceback is the instructor's, in the log


def test_a_python_that_does_not_start_still_leaves_a_result(autograder, tmp_path):
    root = lay_out(tmp_path, autograder)
    done = run_script(root, root / "run_autograder", BP_AUTOGRADER_PYTHON=str(tmp_path / "no-python"))
    assert done.returncode != 0
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    _check_fields(results, TOP_FIELDS, "results")
    assert results["score"] == 0 and "the autograder could not start" in results["output"]
    assert results["stdout_visibility"] == "hidden"


# -- attacks on the platform path (red team) ---------------------------------------------------------------

GOOD_00_1 = "def squared_error(y, t):\n    return 0.5 * (t - y) ** 2\n"
GOOD_00_3 = "def error_derivative(y, t):\n    return y - t\n"
# A correct answer that nests 990 folders in the kernel's runtime folder (the one folder of the grader's disk it can
# write; under the runtime watch's 1000 entries): deeper than shutil.rmtree's recursion reaches on Python 3.11.
DEEP_RUNTIME = GOOD_00_1 + '''import os, sys
os.chdir(os.path.dirname(sys.argv[sys.argv.index("-f") + 1]))
for _ in range(990):
    os.mkdir("d")
    os.chdir("d")
open("marker", "w").write("outlived its run")
'''


def attack(**answers) -> str:
    """Lesson 00 with the given answer cells' sources (``ex00_1=...``), as a student would upload it."""
    nb = notebooks.read(COURSE / "lessons" / LESSON)
    for cell in nb.cells:
        key = cell.get("id", "").replace("-answer", "").replace("-", "_")
        if notebooks.role(cell) == "answer" and key in answers:
            cell.source = answers[key]
    return notebooks.render(nb)


@needs_bwrap
def test_a_kernel_nesting_folders_in_its_runtime_folder_is_graded_and_leaves_nothing(autograder, points, tmp_path):
    """The grader's work folder is removed however deep the kernel nested folders in it (red team).

    Before: shutil.rmtree raised RecursionError on the 990 levels, the whole submission was "could not be
    graded", and the kernel's folders and file stayed in the grader's temporary folder.
    """
    root = lay_out(tmp_path / "root", autograder)
    (root / "submission" / LESSON).write_text(attack(ex00_1=DEEP_RUNTIME, ex00_2="raise RuntimeError('no answer')",
                                                     ex00_3=GOOD_00_3), encoding="utf-8")
    temporary = Path(tempfile.mkdtemp(prefix="bp-t-"))  # short: the kernel's Unix sockets live below it (108 bytes)
    try:
        results = grade(root, TMPDIR=str(temporary))
        left = [p.name for p in temporary.iterdir()]
    finally:
        runner.remove_tree(temporary)
    validate(results, points)
    assert [t["status"] for t in results["tests"]] == ["failed", "failed", "passed"], [t["output"] for t in
                                                                                      results["tests"]]
    assert results["tests"][0]["output"].startswith("held,")  # it passed, but reads argv and opens files
    assert "could not be graded" not in results["output"]
    assert left == []
    # the error's own line, not IPython's "RuntimeError   Traceback (most recent call last)" header that nbval's
    # report repeats at its end (what every error showed before)
    assert results["tests"][1]["output"] == "error, 0/1 points\nyour answer cell raised RuntimeError: no answer"


def test_a_hard_link_to_the_reference_solution_is_refused(autograder, points, tmp_path):
    """The reference solution is in the zip: a hard link to it (or a link the platform copied) earned every point."""
    root = lay_out(tmp_path, autograder)
    os.link(root / "source" / "course" / "solutions" / LESSON, root / "submission" / LESSON)
    results = grade_here(root)
    validate(results, points)
    assert results["score"] == 0
    assert results["output"].startswith(f"refused: {LESSON} is the course's reference solution file")


def test_a_notebook_nested_too_deeply_is_named_and_a_readable_one_beside_it_is_graded(autograder, points, tmp_path):
    """JSON nested deeper than Python's parser recurses: alone, a clear message; beside a readable notebook of
    the lesson, that one is graded. Before: RecursionError, and "the autograder itself failed" for both."""
    root = lay_out(tmp_path, autograder)
    nested = '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (root / "submission" / LESSON).write_text(nested, encoding="utf-8")
    results = grade_here(root)
    validate(results, points)
    assert results["output"] == ("This submission could not be graded: not a notebook: its JSON is nested too deeply "
                                 "to read")
    (root / "submission" / "mine.ipynb").write_text(solved(), encoding="utf-8")
    results = grade(root)
    validate(results, points)
    assert results["score"] == 3
    assert (f"Graded mine.ipynb, lesson 00's notebook; ignored the other notebook(s): {LESSON}.\n\nIgnored {LESSON}: "
            "not a notebook: its JSON is nested too deeply to read.") in results["output"]


def test_among_several_notebooks_one_that_reads_beats_a_broken_copy_with_the_lessons_name(autograder, tmp_path):
    """A FIFO, a 2 GB sparse file and a file that is not JSON, each named as the lesson, beside the real notebook."""
    root = lay_out(tmp_path, autograder)
    lesson = load_lesson(COURSE, "00")
    (root / "submission" / "mine.ipynb").write_text(solved(), encoding="utf-8")
    for make in (os.mkfifo, lambda p: p.write_bytes(b"") or os.truncate(p, 2 * 2 ** 30),
                 lambda p: p.write_text('{"cells": [', encoding="utf-8")):
        target = root / "submission" / LESSON
        make(target)
        choice = gradescope.choose_submission(root / "submission", lesson)
        assert choice.path == root / "submission" / "mine.ipynb", choice
        assert choice.notes[1].startswith(f"Ignored {LESSON}: ")
        target.unlink()


@needs_bwrap
def test_a_kernel_reaches_no_file_of_the_autograder_root(autograder, points, tmp_path):
    """00.1 writes its own results.json and over the submission; 00.2 is right only if it read the zip's files or
    Gradescope's submission_metadata.json (red team: nothing of /autograder is in the kernel's view)."""
    root = lay_out(tmp_path, autograder)
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": SECRET}]}), encoding="utf-8")
    targets = [str(root / "results" / "results.json"), str(root / "submission" / LESSON),
               "/autograder/results/results.json"]
    readable = [str(root / "submission_metadata.json"), str(root / "source" / "autograder.json"),
                str(root / "source" / "course" / "solutions" / LESSON), "/autograder/submission_metadata.json"]
    writer = GOOD_00_1 + f'''for _target in {targets!r}:
    try:
        with open(_target, "w") as _file:
            _file.write('{{"score": 100, "output": "forged"}}')
    except OSError:
        pass
'''
    reader = f'''_read = []
for _source in {readable!r}:
    try:
        _read.append(open(_source).read())
    except OSError:
        pass
E = 0.18 if _read else 0.0
'''
    submitted = attack(ex00_1=writer, ex00_2=reader, ex00_3=GOOD_00_3)
    (root / "submission" / LESSON).write_text(submitted, encoding="utf-8")
    results = grade(root, BP_TEST_SECRET="unused")
    validate(results, points)
    assert [t["status"] for t in results["tests"]] == ["failed", "failed", "passed"]
    assert results["tests"][0]["output"].startswith("held,")  # a correct answer, flagged for opening files
    assert results["tests"][1]["output"].startswith("failed,")  # E = 0.0: it read nothing
    assert (root / "submission" / LESSON).read_text(encoding="utf-8") == submitted
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    assert "forged" not in text and SECRET not in text


def nest(folder: Path, depth: int) -> Path:
    """``depth`` folders ``d/d/...`` below ``folder`` (deeper than Python's recursion limit); return the last."""
    here = os.getcwd()
    try:
        os.chdir(folder)
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        return Path(os.getcwd())
    finally:
        os.chdir(here)


def test_folders_nested_deeper_than_python_recurses_are_walked(autograder, points, tmp_path):
    """1500 nested folders in an upload (red team): before, os.walk raised RecursionError and the student got "the
    autograder itself failed" whatever else was uploaded; now the notebook beside them is found, and a file at the
    bottom is named."""
    root = lay_out(tmp_path, autograder)
    (root / "submission" / LESSON).write_text('{"cells": [', encoding="utf-8")
    try:  # removed here whatever happens: pytest's own clean-up of old temporary folders recurses too
        bottom = nest(root / "submission", 1500)
        results = grade_here(root)
        validate(results, points)
        assert results["output"] == ("This submission could not be graded: not a notebook: the file is not valid "
                                     "JSON (JSONDecodeError)")
        (root / "submission" / LESSON).unlink()
        (bottom / "notes.txt").write_text("x", encoding="utf-8")
        results = grade_here(root)
        assert results["output"].startswith("No notebook (.ipynb file) was submitted (the submission holds d/d/")
        assert "/d/notes.txt): submit your" in results["output"] and "..." in results["output"]
        assert len(results["output"]) < 400  # the path's middle is cut
    finally:
        runner.remove_tree(root / "submission")


@needs_bwrap
def test_a_later_answer_cannot_carry_an_earlier_reference_out_in_its_error_message(autograder, points, tmp_path):
    """The grader restores 00.1's reference in the kernel after its check; 00.2 and 00.3 raise its source (through
    inspect and through linecache, which is not flagged). Before: the reference of 00.1 was in the student's
    feedback at once, and the next submission could paste it (red team)."""
    root = lay_out(tmp_path, autograder)
    dumps = {"ex00_2": "import linecache\nraise RuntimeError(str(linecache.cache))\n",
             "ex00_3": "import inspect\nraise RuntimeError(repr(inspect.getsource(squared_error)))\n"}
    (root / "submission" / LESSON).write_text(attack(ex00_1="def squared_error(y, t):\n    return 1\n", **dumps),
                                              encoding="utf-8")
    results = grade(root)
    validate(results, points)
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    assert "0.5 * (t - y) ** 2" not in text and "BEGIN SOLUTION" not in text
    assert [t["output"] for t in results["tests"][1:]] == [f"error, 0/1 points\n{safetext.WITHHELD}"] * 2
