"""Attacks on the grader (issue 12), each graded end to end through ``python -m bp_course grade``.

The class is built by tests/grading_attacks.py. Each submission must earn
exactly what its genuine answers earn, leave no trace on the machine, and
be flagged where its code reaches for the machinery. The sandboxed tests
need bubblewrap; the unsandboxed path (the UNSANDBOXED warning and
``--require-sandbox``) is tested without it.
"""

import hashlib
import json
import os
import site
import subprocess
import sys
import time
from fractions import Fraction
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import grading_attacks
from bp_course.checks import hidden
from bp_course.grading import sandbox, suspicious

ROOT = grading_attacks.ROOT
SANDBOXED = sandbox.status().sandboxed
if not SANDBOXED and os.environ.get("BP_COURSE_REQUIRE_SANDBOX") == "1":  # CI sets it: a skip there would hide a gap
    pytest.fail(f"BP_COURSE_REQUIRE_SANDBOX=1 but no working bubblewrap here ({sandbox.status().reason})",
                pytrace=False)
needs_bwrap = pytest.mark.skipif(not SANDBOXED, reason=f"no working bubblewrap here ({sandbox.status().reason})")

# student -> points per exercise (00.1, 00.2, 00.3), or lesson 07's for course_function. "held": the answer passed
# but is flagged (or uses what a flagged answer bound), so it earns nothing until the instructor accepts it.
H = "held"
EXPECTED = {
    "reads_notebooks": [0, 1, 0],
    "hook_forger": [0, 1, 1],
    "daemon": [H, 1, 1],
    "config_writer": [H, 1, 1],
    "solutions_reader": [0, 1, 0],
    "grader_killer": [H, 1, 1],
    "frame_borrower": [0, 1, 0],
    "hidden_importer": [0, 1, 1],
    "check_borrower": [H, H, H],  # borrows every answer from the visible checks: nothing until accepted
    "chdir": [1, 1, 1],
    "exact_fraction": [1, 1, 1],
    "exact_sympy": [1, 1, 1],
    "large_print": [1, 1, 1],
    "exit_later": [1, 1, 1],
    "course_function": [0, 1, 1, 2, 2],
    "fork_bomb": [H, H, 1],
    "root_outside": [1, H, 1],
    "keyring_writer": [H, 1, 1],
    "keyring_reader": [1, 0, 1],  # found no key: its 00.2 is wrong (so not held: it did not pass)
    "runtime_flooder": [0, 0, 0],  # its run is stopped: nothing graded
}
# With --accept-flagged, a held answer earns its points: these are what the attacks' answers earn then.
ACCEPTED = {"hook_forger": [0, 1, 1], "daemon": [1, 1, 1], "config_writer": [1, 1, 1], "grader_killer": [1, 1, 1],
            "check_borrower": [1, 1, 1],
            # what the sandbox's limits show: under 1000 threads started, and a user that is not root outside
            "fork_bomb": [1, 1, 1], "root_outside": [1, 1, 1],
            # a second run, after the writer's: still no key for the reader
            "keyring_writer": [1, 1, 1], "keyring_reader": [1, 0, 1]}

FLAGS = {
    "reads_notebooks": ("00.1", ["searches the filesystem (walk)", "looks for the solutions or a notebook file"]),
    "hook_forger": ("00.1", ["uses get_ipython"]),
    "daemon": ("00.1", ["starts processes or sends signals (os.fork)"]),
    "config_writer": ("00.1", ["looks for the course's files (__file__)", "imports site"]),
    "solutions_reader": ("00.1", ["looks for the solutions or a notebook file"]),
    "grader_killer": ("00.1", ["starts processes or sends signals (os.kill)", "names a configuration or system path"]),
    "frame_borrower": ("00.1", ["walks the call stack (_getframe)", "walks the call stack (f_locals)"]),
    "hidden_importer": ("00.1", ["imports bp_course.checks", "reads the hidden checks (HIDDEN)"]),
    "course_function": ("07.1", ["uses the course's own gradcheck.central_difference (the answer to 07.1)"]),
    "check_borrower": ("00.1", ["uses the lesson's checks module (check)", "reads a function's insides (__globals__)"]),
    "fork_bomb": ("00.1", ["starts processes or sends signals (imports threading)"]),
    "keyring_writer": ("00.1", ["imports ctypes"]),
    "runtime_flooder": ("00.1", ["resolves a name at run time (argv)", "uses open (opens a file)"]),
    "keyring_reader": ("00.2", ["imports ctypes"]),
    "root_outside": ("00.2", ["names a configuration or system path ('/proc/self/uid_map')"]),
}


def _site_pth_files():
    folders = {*site.getsitepackages(), *(p for p in sys.path if p.endswith("-packages"))}
    return {str(p) for folder in folders if Path(folder).is_dir() for p in Path(folder).glob("zz_bp_attack*.pth")}


def _processes_with(token):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    if not SANDBOXED:
        pytest.skip(f"no working bubblewrap here ({sandbox.status().reason})")
    folder = tmp_path_factory.mktemp("attacks")
    built = grading_attacks.build(folder / "class")
    lesson00_py = ROOT / "bp_course" / "checks" / "lesson00.py"
    before = {"lesson00": hashlib.sha256(lesson00_py.read_bytes()).hexdigest(), "pth": _site_pth_files()}
    done = subprocess.run([sys.executable, "-m", "bp_course", "grade", str(folder / "class"), "--out",
                           str(folder / "out"), "--seed", "5", "--cell-timeout", "20", "--jobs", "2",
                           "--require-sandbox"], capture_output=True, text=True, timeout=1200, cwd=folder)
    results = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (folder / "out" / "results").glob("*.json")}
    return {"done": done, "results": results, "built": built, "before": before, "folder": folder,
            "lesson00": lesson00_py}


@needs_bwrap
@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_attack_earns_only_what_its_genuine_answers_earn(attacked, student):
    assert attacked["done"].returncode == 0, attacked["done"].stderr
    result = attacked["results"][student]
    got = [H if t["output"].startswith("held,") else t["score"] for t in result["tests"]]
    assert got == EXPECTED[student], [t["output"] for t in result["tests"]]
    assert all(t["score"] == 0 for t in result["tests"] if t["output"].startswith("held,"))
    assert result["extra_data"]["sandboxed"] is True


@needs_bwrap
def test_a_kernel_filling_its_runtime_folder_is_stopped(attacked):
    result = attacked["results"]["runtime_flooder"]
    assert all(t["output"].startswith("crashed,") and "runtime folder" in t["output"] for t in result["tests"])


@needs_bwrap
def test_the_instructor_can_accept_held_answers(attacked, tmp_path):
    """--accept-flagged: a held answer earns what it passed; the flags stay in the report."""
    paths = attacked["built"]["paths"]
    done = subprocess.run([sys.executable, "-m", "bp_course", "grade", *(str(paths[s]) for s in sorted(ACCEPTED)),
                           "--out", str(tmp_path / "out"), "--seed", "5", "--cell-timeout", "20", "--jobs", "2",
                           "--require-sandbox", "--accept-flagged"], capture_output=True, text=True, timeout=1200,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for student, points in ACCEPTED.items():
        result = json.loads((tmp_path / "out" / "results" / f"{student}.json").read_text(encoding="utf-8"))
        assert [t["score"] for t in result["tests"]] == points, [t["output"] for t in result["tests"]]
        assert result["extra_data"]["review"]


@needs_bwrap
@pytest.mark.parametrize("student", sorted(FLAGS))
def test_each_attack_is_flagged_by_name(attacked, student):
    exercise, flags = FLAGS[student]
    review = attacked["results"][student]["extra_data"]["review"]
    for flag in flags:
        assert any(flag in reason for reason in review.get(exercise, [])), review


@needs_bwrap
def test_no_daemon_survives_and_none_wrote_outside_its_sandbox(attacked):
    token = attacked["built"]["token"]
    deadline = time.monotonic() + 30  # the namespaces' teardown is asynchronous; nothing may be left after it
    while _processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_with(token) == []
    for marker in attacked["built"]["markers"]:
        assert not Path(marker).exists(), marker


@needs_bwrap
def test_nothing_changed_the_course_site_packages_or_ipython(attacked):
    assert hashlib.sha256(attacked["lesson00"].read_bytes()).hexdigest() == attacked["before"]["lesson00"]
    assert _site_pth_files() == attacked["before"]["pth"] == set()
    for home in {Path.home(), Path("/root")}:
        assert not (home / ".ipython" / "profile_default" / "startup" / "00-bp-attack.py").exists()


@needs_bwrap
def test_a_later_run_is_unaffected(attacked, tmp_path):
    """A run after the attacks (a new process, a new kernel) grades a full solution as before."""
    solution = ROOT / "solutions" / "00_how_to_use_this_course.ipynb"
    done = subprocess.run([sys.executable, "-m", "bp_course", "grade", str(solution), "--out", str(tmp_path / "o"),
                           "--seed", "5"], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "o" / "results" / "solutions.json").read_text())["score"] == 3


@needs_bwrap
def test_feedback_holds_neither_the_graders_environment_nor_its_command_line(attacked):
    feedback = "".join(p.read_text(encoding="utf-8") for p in (attacked["folder"] / "out" / "feedback").glob("*.md"))
    assert "--require-sandbox" not in feedback and os.environ.get("PATH", "PATH") not in feedback


def test_unsandboxed_grading_says_so_everywhere_and_require_sandbox_refuses(tmp_path):
    solution = ROOT / "solutions" / "00_how_to_use_this_course.ipynb"
    env = {**os.environ, "BP_COURSE_BWRAP": ""}
    refused = subprocess.run([sys.executable, "-m", "bp_course", "grade", str(solution), "--out", str(tmp_path / "r"),
                              "--require-sandbox"], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert refused.returncode == 2 and "refusing to grade without a sandbox" in refused.stderr
    assert not (tmp_path / "r").exists()
    done = subprocess.run([sys.executable, "-m", "bp_course", "grade", str(solution), "--out", str(tmp_path / "o"),
                           "--seed", "5"], capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "UNSANDBOXED" in done.stdout
    assert "# ⚠ UNSANDBOXED" in (tmp_path / "o" / "feedback" / "solutions.md").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "o" / "results" / "solutions.json").read_text(encoding="utf-8"))
    assert data["extra_data"]["sandboxed"] is False and "UNSANDBOXED" in data["extra_data"]
    assert data["score"] == 3  # grading still works


@needs_bwrap
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="grading as root only")
def test_grading_as_root_the_sandbox_drops_root_for_an_unprivileged_user():
    assert sandbox.status().owner == sandbox.UNPRIVILEGED, sandbox.status()


def test_the_kernels_package_has_no_hidden_checks():
    folder = sandbox.kernel_package()
    text = (folder / "bp_course" / "checks" / "lesson07.py").read_text(encoding="utf-8")
    assert "HIDDEN = {}" in text and "_reference_gradient_check" not in text
    assert "def _call_gradient_check" in text and "def central_difference" in text  # probe helper, visible check
    assert not (folder / "solutions").exists()


@pytest.mark.parametrize("value", [Fraction(9, 50), Decimal("0.18"), sp.Rational(9, 50), sp.Float(0.18),
                                   np.array([Fraction(9, 50)], dtype=object)])
def test_exact_numbers_cross_as_floats(value):
    back = hidden.from_json(hidden.to_json(value))
    assert np.allclose(np.asarray(back, dtype=float), 0.18)
    assert hidden.spec("00.2").judge([hidden.to_json(value if not isinstance(value, np.ndarray) else value[0])],
                                     [], 0).ok


@pytest.mark.parametrize("source,exercise,flag", [
    ("central_difference = gradcheck.central_difference", "07.1", "gradcheck.central_difference"),
    ("relative_error = gradcheck.norm_relative_error", "07.3", "gradcheck.norm_relative_error"),
    ("diagnosis = dict(bugs.MYSTERIES)", "07.5", "bugs.MYSTERIES"),
    ("from bp_course.gradcheck import check_network as gradient_check", "07.4", "gradcheck.check_network"),
    ("def backward(W, x, t):\n    return Network(W).backward(x, t)", "05.5", "network.Network"),
])
def test_the_course_own_implementation_is_flagged(source, exercise, flag):
    aliases = {"gradcheck": "bp_course.gradcheck", "bugs": "bp_course.bugs", "Network": "bp_course.network.Network"}
    reasons = suspicious.scan(source, {"np", "gradcheck", "bugs"}, exercise, aliases)
    assert any(flag in r and f"the answer to {exercise}" in r for r in reasons), reasons
