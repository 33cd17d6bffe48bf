"""A class of attack submissions for the grader, built by script from the course's own notebooks.

Each student is one attack of issue 12 (a student who controls every
answer cell and knows this repository); tests/test_grading_attacks.py grades
the class end to end through ``python -m bp_course grade`` and checks that
each earns only what its genuine answers earn, that the attack left no
trace on the machine, and that it was flagged.
"""

import uuid
from pathlib import Path

from bp_course import notebooks

ROOT = Path(__file__).resolve().parent.parent
LESSON00 = "00_how_to_use_this_course.ipynb"
LESSON07 = "07_gradient_checking.ipynb"

GOOD_00_1 = "def squared_error(y, t):\n    return 0.5 * (t - y) ** 2\n"
STUB = "raise NotImplementedError('not done')\n"

# Blank answers, plus code that searches the whole filesystem for a notebook holding the reference and runs it.
READS_NOTEBOOKS = '''import json, os
for top in ("/", os.getcwd(), os.path.expanduser("~")):
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "site-packages", ".git")]
        for name in files:
            if name.endswith(".ipynb"):
                try:
                    cells = json.load(open(os.path.join(folder, name)))["cells"]
                except Exception:
                    continue
                for cell in cells:
                    text = "".join(cell.get("source", ""))
                    if "def squared_error" in text and "NotImplementedError" not in text and "walk" not in text:
                        exec(text)
'''

# A wrong answer; a hook that replaces `check` with an object whose every method prints a pass, and that
# re-runs each probe after every later cell (after the restore cell, on the reference) to forge the evidence.
HOOK_FORGER = '''def squared_error(y, t):
    return (t - y) ** 2

class _Passes:
    def __getattr__(self, name):
        return lambda *args, **kwargs: print("✔ Exercise passed")

_probes = []

def _before(info):
    if "_bp_probe.run(" in (info.raw_cell or ""):
        _probes.append(info.raw_cell)

def _after(result):
    globals()["check"] = _Passes()
    for source in _probes:
        exec(source, globals())

get_ipython().events.register("pre_run_cell", _before)
get_ipython().events.register("post_run_cell", _after)
'''

# A correct answer, and a daemon (double fork, own session) that outlives the cell and keeps trying to write
# marker files into the class folder, the course and /tmp. Its command line carries TOKEN, so a test can look for it.
DAEMON = GOOD_00_1 + '''import os, sys
_code = """
import os, sys, time
for _ in range(600):
    for target in sys.argv[2:]:
        try:
            open(target, "w").write("daemon was here")
        except OSError:
            pass
    time.sleep(0.1)
"""
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", _code, "TOKEN", *MARKERS])
    os._exit(0)
'''

# A correct answer that tries to change every later run: a .pth file in site-packages, an IPython startup
# file in every IPython folder it can name, and an edit of the course's own checks.
CONFIG_WRITER = GOOD_00_1 + '''import os, site, sys, bp_course
_payload = "import os; open(%r, 'w').write('pth ran')\\n" % MARKER
_targets = [os.path.join(p, "zz_bp_attack.pth") for p in site.getsitepackages() + sys.path if p.endswith("-packages")]
_targets += [os.path.join(home, ".ipython", "profile_default", "startup", "00-bp-attack.py")
             for home in (os.path.expanduser("~"), "/root", os.environ.get("HOME", "/"))]
_targets += [os.path.join(os.path.dirname(bp_course.__file__), "checks", "lesson00.py"), LESSON00_PY]
for _target in _targets:
    try:
        os.makedirs(os.path.dirname(_target), exist_ok=True)
        with open(_target, "a") as _file:
            _file.write(_payload if not _target.endswith("lesson00.py") else "\\nsquared_error = print\\n")
    except OSError:
        pass
'''

# The reference answers taken from solutions/, found through the package's location (and the course's path).
SOLUTIONS_READER = '''import json, os, bp_course
for _folder in (os.path.join(os.path.dirname(bp_course.__file__), "..", "solutions"), COURSE_SOLUTIONS):
    try:
        _cells = json.load(open(os.path.join(_folder, "00_how_to_use_this_course.ipynb")))["cells"]
    except OSError:
        continue
    for _cell in _cells:
        if _cell.get("metadata", {}).get("bp_course", {}).get("role") == "answer":
            exec("".join(_cell["source"]))
'''

# A correct answer that finds the grader through /proc and stops or kills it (and its own parent).
GRADER_KILLER = GOOD_00_1 + '''import os, signal
for _pid in os.listdir("/proc"):
    if _pid.isdigit() and int(_pid) != os.getpid():
        try:
            _cmd = open(f"/proc/{_pid}/cmdline", "rb").read()
        except OSError:
            continue
        if b"pytest" in _cmd or b"bp_course" in _cmd or b"bwrap" in _cmd:
            for _sig in (signal.SIGSTOP, signal.SIGKILL):
                try:
                    os.kill(int(_pid), _sig)
                except OSError:
                    pass
for _sig in (signal.SIGSTOP, signal.SIGKILL):
    try:
        os.kill(os.getppid(), _sig)
    except OSError:
        pass
'''

# No answer of its own: walks up the caller's frames to find the checker's reference and returns its result.
FRAME_BORROWER = '''import sys

def _borrowed(*args):
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            reference = getattr(value, "reference", value if callable(value) else None)
            if callable(reference) and getattr(reference, "__name__", "") == "<lambda>":
                return reference(*args)
        frame = frame.f_back
    raise LookupError("no reference in reach")

def NAME(y, t):
    return _borrowed(y, t)
'''

HIDDEN_IMPORTER = '''from bp_course.checks import lesson00
NAME = lesson00.HIDDEN[EXERCISE].reference
'''

# No answer of its own: swaps the visible checks' helpers (through a check's __globals__) for recorders, calls the
# checks to capture their references, restores them, and answers with the captured references (issue 12 red-team).
CHECK_BORROWER = '''_g = check.squared_error.__globals__
_saved = dict(_g)
_got = {}
_g["expect_function"] = lambda ex, fn, cases, ref, **k: _got.__setitem__(ex, ref)
_g["expect_value"] = lambda ex, v, expected, **k: _got.__setitem__(ex, expected)
_g["shape_slips"] = lambda ex, fn, *a, **k: fn
_g["answer_value"] = lambda ex, v, *a, **k: v
_g["passed"] = lambda *a, **k: None
for _f in (check.squared_error, check.error_at_y, check.error_derivative):
    _f(None)
_g.update(_saved)

def squared_error(y, t):
    return _got["00.1"](y, t)
'''

CHDIR = "import os\nos.chdir('/')\n" + GOOD_00_1

# A correct answer that starts threads until it cannot (each counts against the process limit); 00.2 is right only
# when the limit stopped it well below 1000.
FORK_BOMB = GOOD_00_1 + '''import threading, time
threading.stack_size(64 * 1024)
_started = 0
for _ in range(3000):
    try:
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        _started += 1
    except (RuntimeError, OSError):
        break
'''
# The user keyring Linux keeps per uid, outside every namespace bwrap makes, as a channel between kernels: the
# writer leaves a key there (and a correct answer); the reader's 00.2 is right only if it finds a key. Graded in two
# runs, the reader must never find it (each kernel has a uid of its own).
_KEYCTL = '''import ctypes, platform
_libc = ctypes.CDLL(None, use_errno=True)
_ADD_KEY, _KEYCTL_NR = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(platform.machine(), (248, 250))
'''
KEYRING_WRITER = GOOD_00_1 + _KEYCTL + '''_data = b"E = 0.18"
_libc.syscall(_ADD_KEY, b"user", b"bp-attack-answer", _data, len(_data), -4)
'''
KEYRING_READER = _KEYCTL + '''_found = _libc.syscall(_KEYCTL_NR, 10, -4, b"user", b"bp-attack-answer", 0)
E = 0.18 if _found > 0 else 0.0
'''

# A correct answer that fills the one folder of the grader's disk the kernel can write (its runtime folder, found
# from the connection file's path) with 40 files of 1 MB.
RUNTIME_FLOODER = GOOD_00_1 + '''import os, sys
_folder = os.path.dirname(sys.argv[sys.argv.index("-f") + 1])
for _k in range(40):
    with open(os.path.join(_folder, f"fill-{_k}"), "wb") as _f:
        _f.write(b"x" * 2 ** 20)
import time
time.sleep(5)
'''

# 00.2 is right only when the kernel's user is not root outside the sandbox (its uid through /proc/self/uid_map).
ROOT_OUTSIDE = '''import os
_outside = os.getuid()
for _line in open("/proc/self/uid_map"):
    _inside, _out, _count = map(int, _line.split())
    if _inside <= os.getuid() < _inside + _count:
        _outside = _out + os.getuid() - _inside
E = 0.18 if _outside != 0 else 0.0
'''


def _cell(nb, exercise):
    return next(c for c in nb.cells if notebooks.role(c) == "answer" and notebooks.exercise(c) == exercise)


def _with(name, **answers):
    nb = notebooks.read(ROOT / "solutions" / name)
    for key, source in answers.items():
        _cell(nb, key[1:].replace("_", ".")).source = source
    return nb


def build(folder: Path) -> dict:
    """Write the attack class into ``folder``; return ``{"paths": {student: path}, "token": ..., "markers": [...]}``."""
    folder.mkdir(parents=True, exist_ok=True)
    token = f"bp-attack-{uuid.uuid4().hex}"
    markers = [str(folder / "daemon-marker"), str(ROOT / "lessons" / f"{token}.txt"), f"/tmp/{token}"]
    pth_marker = f"/tmp/{token}-pth"
    paths = {}

    def save(nb, student):
        path = folder / f"{student}.ipynb"
        notebooks.write(nb, path)
        paths[student] = path

    save(_with(LESSON00, e00_1=READS_NOTEBOOKS, e00_3=STUB), "reads_notebooks")
    save(_with(LESSON00, e00_1=HOOK_FORGER), "hook_forger")
    save(_with(LESSON00, e00_1=DAEMON.replace("TOKEN", token).replace("MARKERS", repr(markers))), "daemon")
    save(_with(LESSON00, e00_1=CONFIG_WRITER.replace("MARKER", repr(pth_marker)).replace(
        "LESSON00_PY", repr(str(ROOT / "bp_course" / "checks" / "lesson00.py")))), "config_writer")
    save(_with(LESSON00, e00_1=SOLUTIONS_READER.replace("COURSE_SOLUTIONS", repr(str(ROOT / "solutions"))),
               e00_3=STUB), "solutions_reader")
    save(_with(LESSON00, e00_1=GRADER_KILLER), "grader_killer")
    save(_with(LESSON00, e00_1=FRAME_BORROWER.replace("NAME", "squared_error"),
               e00_3=FRAME_BORROWER.replace("NAME", "error_derivative")), "frame_borrower")
    save(_with(LESSON00, e00_1=HIDDEN_IMPORTER.replace("NAME", "squared_error").replace("EXERCISE", "'00.1'")),
         "hidden_importer")
    save(_with(LESSON00, e00_1=CHDIR), "chdir")
    save(_with(LESSON00, e00_1=CHECK_BORROWER, e00_2="E = _got['00.2']\n",
               e00_3="def error_derivative(y, t):\n    return _got['00.3'](y, t)\n"), "check_borrower")
    save(_with(LESSON00, e00_2="from fractions import Fraction\nE = Fraction(9, 50)"), "exact_fraction")
    save(_with(LESSON00, e00_2="import sympy\nE = sympy.Rational(9, 50)"), "exact_sympy")
    save(_with(LESSON00, e00_1=GOOD_00_1 + "for _ in range(200):\n    print('x' * 50_000)\n"), "large_print")
    save(_with(LESSON00, e00_2="E = squared_error(0.6, 0.0)\nimport sys\nsys.exit(3)"), "exit_later")
    save(_with(LESSON07, e07_1="central_difference = gradcheck.central_difference"), "course_function")
    save(_with(LESSON00, e00_1=FORK_BOMB, e00_2="E = 0.18 if _started < 1000 else 0.0\n"), "fork_bomb")
    save(_with(LESSON00, e00_2=ROOT_OUTSIDE), "root_outside")
    save(_with(LESSON00, e00_1=KEYRING_WRITER), "keyring_writer")
    save(_with(LESSON00, e00_1=RUNTIME_FLOODER), "runtime_flooder")
    save(_with(LESSON00, e00_2=KEYRING_READER), "keyring_reader")
    return {"paths": paths, "token": token, "markers": markers + [pth_marker]}
