"""The sandbox each student's kernel runs in: bubblewrap, limits, a clean environment, no answers in reach.

The grader runs nbval outside the sandbox; only the *kernel* that executes
the student's cells is sandboxed. Its kernelspec wraps the usual
``python -m ipykernel_launcher -f {connection_file}`` in

* ``bwrap`` (bubblewrap, the Debian/Ubuntu/Fedora package ``bubblewrap``)
  with new user, PID, network, IPC and UTS namespaces: the kernel sees
  read-only system folders, the Python installation, a copy of
  ``bp_course`` without the hidden checks' references (:func:`kernel_package`),
  its own empty ``/tmp`` and one writable scratch folder, both in memory
  (tmpfs) and of a fixed size (:attr:`Limits.disk`); not the course
  checkout, ``solutions/``, the submissions, the reports, the grader's work
  folders, ``/root`` or ``/home``. It sees only its own processes, and when
  the kernel ends, every process it started ends with it. The kernel talks
  to the grader over Unix sockets in a folder of its own (no network).
* a small launcher (:data:`_LAUNCHER`) that sets resource limits (address
  space, file size, CPU time, and processes when the grader is not root),
  clears the environment to a fixed minimal one (no secrets, no command line
  of the grader) and puts HOME, IPython's and Matplotlib's configuration in
  the scratch folder, then starts the kernel (:data:`_KERNEL_MAIN`: the usual
  launcher, without a debugger or an input-history database).

Where ``bwrap`` is missing or fails its self-test (:func:`status`), the
kernel runs with the launcher alone, and every report says UNSANDBOXED.
``BP_COURSE_BWRAP`` names the bwrap binary (an empty value or a missing
file means: no sandbox).
"""

from __future__ import annotations

import ast
import atexit
import base64
import compileall
import functools
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "Status", "SandboxUnavailable", "UNSANDBOXED_WARNING", "status", "required_status", "kernel_package", "strip_hidden", "prepare_kernel", "KERNEL_NAME"]

KERNEL_NAME = "bp-grade"
"""The kernelspec name the grader's nbval run asks for."""

INSIDE_WORK = "/sandbox/work"
INSIDE_LIB = "/sandbox/lib"
INSIDE_FONTS = "/sandbox/fonts"
_SANDBOX_UID = 1000
UNPRIVILEGED = 65534
"""The uid and gid (``nobody``) the self-test drops to, when the grader is root, to see that the drop works."""
FRESH_UIDS = (1_000_000_000, 2_000_000_000)
"""The range each kernel's own uid and gid are drawn from when the grader is root (:func:`fresh_uid`)."""

UNSANDBOXED_WARNING = ("UNSANDBOXED: bubblewrap (bwrap) is not available here, so the students' code ran without a "
                       "sandbox and could read or change files of the grader, the course and other students")
"""The line every report carries when the kernels ran without the sandbox."""


class SandboxUnavailable(RuntimeError):
    """Grading was asked to refuse (``--require-sandbox``) and no sandbox works here."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel (``resource.setrlimit``; 0 means no limit).

    Attributes
    ----------
    memory : int
        Address space in bytes.
    file_size : int
        Largest file the kernel may write, in bytes.
    cpu : int
        CPU seconds for the whole run.
    processes : int
        Processes and threads of the sandbox's user, beyond those it already
        runs (as root it applies through the drop to :data:`UNPRIVILEGED`;
        not under the root fallback with a user namespace, as Linux exempts
        root's processes).
    disk : int
        Size in bytes of each of the sandbox's two writable filesystems, its
        ``/tmp`` and its scratch folder (both in memory, tmpfs, gone when
        the kernel ends); without the sandbox the scratch folder is on disk
        and only ``file_size`` applies.
    """

    memory: int = 6 * 2 ** 30
    file_size: int = 64 * 2 ** 20
    cpu: int = 660
    processes: int = 512
    disk: int = 256 * 2 ** 20


@dataclass(frozen=True)
class Status:
    """Whether kernels run sandboxed, and why not when they do not."""

    sandboxed: bool
    reason: str = ""
    bwrap: str = ""
    user_namespace: bool = False
    fonts: str = ""
    sized: bool = False
    """Whether this bwrap sizes its tmpfs (``--size``: bubblewrap 0.7 or later, not setuid)."""
    owner: int | None = None
    """Set when the grader is root and the kernels drop to an unprivileged user (the uid the self-test used);
    each kernel then gets a uid of its own (:func:`fresh_uid`). None: a user namespace, the grader's user outside."""


# -- the launcher: runs first in the kernel's process, before any student code ----------------------

_LAUNCHER = """\
import base64, json, os, sys
cfg = json.loads(base64.b64decode(sys.argv[1]))
try:
    import resource
    for name, value in cfg["limits"].items():
        if value and hasattr(resource, name):
            resource.setrlimit(getattr(resource, name), (value, value))
except ImportError:
    pass
if cfg.get("owner") is not None:
    os.setgroups([])
    os.setgid(cfg["owner"])
    os.setuid(cfg["owner"])  # from root: every capability goes, and no_new_privs (bwrap) keeps them gone
for folder in cfg["make"]:
    os.makedirs(folder, exist_ok=True)
for source, target in cfg.get("copy", []):
    import shutil
    shutil.copytree(source, target, dirs_exist_ok=True)
os.chdir(cfg["cwd"])
os.execve(cfg["python"], [cfg["python"], "-c", cfg["kernel"], "-f", sys.argv[2]], cfg["env"])
"""

_KERNEL_MAIN = """\
import sys
from pathlib import Path
if sys.path[0] == "" or Path(sys.path[0]) == Path.cwd():
    del sys.path[0]
sys.modules["debugpy"] = None
sys.argv.append("--HistoryManager.enabled=False")
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""
"""The kernel's main program: ``ipykernel_launcher`` without a debugger (debugpy, a tenth of a second of each
kernel's start, is never loaded) and without an input-history database (the kernel's IPython keeps none)."""


def _bwrap_path() -> str:
    configured = os.environ.get("BP_COURSE_BWRAP")
    if configured is not None:
        return configured if configured and os.access(configured, os.X_OK) else ""
    return shutil.which("bwrap") or ""


# -- the package the kernel imports ------------------------------------------------------------------

def _loaded_names(tree) -> set:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def strip_hidden(source: str, keep=frozenset()) -> str:
    """A lesson's checks module without its hidden checks: ``HIDDEN = {}``, and the private functions only it used removed.

    Public functions stay: they are the visible checks the notebook calls.

    Parameters
    ----------
    source : str
        The text of ``bp_course/checks/lessonNN.py``.
    keep : set of str
        Top-level functions to keep although only ``HIDDEN`` uses them (the
        ``call`` and ``reduce`` helpers the kernel's probe needs).

    Examples
    --------
    >>> text = "def _ref(x):\\n    return x\\n\\n\\ndef check(f):\\n    return f\\n\\n\\nHIDDEN = {'0': _ref}\\n"
    >>> print(strip_hidden(text))
    def check(f):
        return f
    <BLANKLINE>
    <BLANKLINE>
    HIDDEN = {}  # the hidden checks live in the grader only
    <BLANKLINE>
    """
    tree = ast.parse(source)
    node = next((n for n in tree.body if isinstance(n, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "HIDDEN" for t in n.targets)), None)
    if node is None:
        return source
    used_by_hidden = _loaded_names(node.value)
    lines = source.splitlines(keepends=True)
    lines[node.lineno - 1:node.end_lineno] = ["HIDDEN = {}  # the hidden checks live in the grader only\n"]
    source = "".join(lines)
    while True:  # drop functions that only the hidden checks used, until none is left
        tree = ast.parse(source)
        drop = None
        for fn in tree.body:
            if isinstance(fn, ast.FunctionDef) and fn.name.startswith("_") and fn.name in used_by_hidden \
                    and fn.name not in keep:
                others = set()
                for other in tree.body:
                    if other is not fn:
                        others |= _loaded_names(other)
                if fn.name not in others:
                    drop = fn
                    break
        if drop is None:
            return source
        lines = source.splitlines(keepends=True)
        start = (drop.decorator_list[0].lineno if drop.decorator_list else drop.lineno) - 1
        end = drop.end_lineno
        while end < len(lines) and not lines[end].strip():
            end += 1  # the blank lines after it go too
        lines[start:end] = []
        source = "".join(lines)


def _probe_helpers(module) -> set:
    """Names of the module-level ``call``/``reduce`` helpers of a lesson's hidden checks (the kernel needs them)."""
    keep = set()
    for spec in getattr(module, "HIDDEN", {}).values():
        for helper in (getattr(spec, "call", None), getattr(spec, "reduce", None)):
            if helper is not None and getattr(helper, "__module__", "") == module.__name__:
                keep.add(helper.__name__)
    return keep


@functools.lru_cache(maxsize=None)
def kernel_package() -> Path:
    """A folder holding a copy of ``bp_course`` for the kernels, without the hidden checks' references.

    Made once per grading process (and removed at its exit), byte-compiled
    so the kernels, which cannot write into it, import it quickly. The
    visible checks work from it as from the original.
    """
    import importlib

    source = Path(__file__).resolve().parent.parent
    folder = Path(tempfile.mkdtemp(prefix="bp-kernel-lib-"))
    atexit.register(shutil.rmtree, folder, True)
    target = folder / "bp_course"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for path in sorted((target / "checks").glob("lesson*.py")):
        module = importlib.import_module(f"bp_course.checks.{path.stem}")
        path.write_text(strip_hidden(path.read_text(encoding="utf-8"), _probe_helpers(module)), encoding="utf-8")
    compileall.compile_dir(str(target), quiet=1)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    folder.chmod(0o755)
    return folder


# -- the bwrap command -------------------------------------------------------------------------------

def _python_folders() -> list:
    """Folders the kernel's Python needs, read-only: its installation, the virtual environment, site-packages."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix),
               Path(os.path.realpath(sys.executable)).parent.parent}
    for entry in sys.path:
        if entry and ("site-packages" in entry or "dist-packages" in entry) and Path(entry).is_dir() \
                and not (Path(entry) / "bp_course").exists():
            folders.add(Path(entry))
    folders = sorted(f for f in folders if f.is_dir() and str(f) != "/")
    return [f for f in folders if not any(f != g and g in f.parents for g in folders)]


_SYSTEM_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "hosts", "alternatives",
               "fonts", "mime.types", "ssl")


def _bwrap_args(bwrap: str, scratch: Path | None, runtime: Path, user_namespace: bool, disk: int = 0,
                fonts: str = "", owner: int | None = None) -> list:
    """bwrap's arguments: the namespaces, the read-only binds, ``/tmp`` and the scratch folder.

    With ``scratch`` None, the scratch folder is a tmpfs of ``disk`` bytes (0: no size given)
    (nothing in it outlives the kernel, and the grader reads nothing from
    it), and ``fonts`` (Matplotlib's font list) is bound read-only at
    :data:`INSIDE_FONTS` for the launcher to copy in; otherwise ``scratch``
    is bound writable (the self-test, which builds that font list).
    ``/tmp`` is a tmpfs of ``disk`` bytes (0: bwrap's default, half the RAM).
    With ``owner`` (the grader is root), there is no user namespace: bwrap
    keeps only the capabilities to change user, and the launcher becomes
    ``owner`` (uid and gid) before anything else runs, so the sandbox's user
    is an unprivileged one outside it too; ``/tmp`` and the scratch folder
    are then writable by all (mode 1777).
    """
    size = ["--size", str(disk)] if disk else []
    if owner is not None:
        size = ["--perms", "1777", *size]
        user_namespace = False
    args = [bwrap]
    if owner is not None:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    if user_namespace:
        args += ["--unshare-user", "--uid", str(_SANDBOX_UID), "--gid", str(_SANDBOX_UID)]
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
             "--hostname", "sandbox", "--die-with-parent", "--new-session", "--clearenv",
             "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in _SYSTEM_ETC:
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    # /tmp first: a Python or virtual environment that lives under /tmp (a CI checkout) is bound on top of it
    args += ["--proc", "/proc", "--dev", "/dev", *size, "--tmpfs", "/tmp"]
    if owner is not None:  # bwrap, as root, makes the folders above a bind 0700: the owner must pass through them
        above = {a for t in [*_python_folders(), runtime, INSIDE_WORK] for a in Path(t).parents}
        for folder in sorted(a for a in above if len(a.parts) > 2 or a.parts[1:] and a.parts[1] not in
                             ("tmp", "usr", "proc", "dev")):
            if folder.parts[1] in ("usr", "proc", "dev"):
                continue
            args += ["--perms", "0755", "--dir", str(folder)]
    for folder in _python_folders():
        args += ["--ro-bind", str(folder), str(folder)]
    args += ["--ro-bind", str(kernel_package()), INSIDE_LIB]
    args += ["--bind", str(scratch), INSIDE_WORK] if scratch is not None else [*size, "--tmpfs", INSIDE_WORK]
    if fonts and scratch is None:
        args += ["--ro-bind", fonts, INSIDE_FONTS]
    args += ["--bind", str(runtime), str(runtime),  # the connection file and the kernel's Unix sockets
             "--chdir", INSIDE_WORK, "--"]
    return args


def _config(home: str, tmp: str, limits: Limits, fonts: str = "", owner: int | None = None) -> str:
    env = {"HOME": home, "USER": "student", "LOGNAME": "student", "LANG": "C.UTF-8", "TMPDIR": tmp,
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
           "PYTHONPATH": INSIDE_LIB if home == INSIDE_WORK else str(kernel_package()),
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "PYTHONHASHSEED": "0",
           "IPYTHONDIR": f"{home}/.ipython", "MPLCONFIGDIR": f"{home}/.matplotlib", "MPLBACKEND": "Agg",
           "JUPYTER_CONFIG_DIR": f"{home}/.jupyter", "JUPYTER_DATA_DIR": f"{home}/.local/share/jupyter",
           "JUPYTER_PLATFORM_DIRS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    rlimits = {"RLIMIT_AS": limits.memory, "RLIMIT_FSIZE": limits.file_size, "RLIMIT_CPU": limits.cpu,
               "RLIMIT_CORE": 0}
    if owner is not None or hasattr(os, "getuid") and os.getuid() != 0:
        rlimits["RLIMIT_NPROC"] = limits.processes + _processes_of(os.getuid() if owner is None else owner)
    config = {"limits": rlimits, "env": env, "cwd": home, "python": sys.executable, "owner": owner,
              "kernel": _KERNEL_MAIN,
              "make": [f"{home}/.ipython", f"{home}/.matplotlib", tmp],
              "copy": [[fonts, f"{home}/.matplotlib"]] if fonts else []}
    return base64.b64encode(json.dumps(config).encode()).decode()


def _processes_of(uid: int) -> int:
    """Processes and threads the user ``uid`` already runs (RLIMIT_NPROC counts them all)."""
    count = 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if os.stat(entry.path).st_uid == uid:
                        count += len(os.listdir(f"{entry.path}/task"))
                except OSError:
                    continue
    except OSError:
        return 4096
    return count


def fresh_uid() -> int:
    """A uid (and gid) for one kernel, drawn at random from :data:`FRESH_UIDS`: no user has it, no other kernel.

    One uid for all kernels would let them meet through what Linux keeps per
    user outside any sandbox (the user's keyring outlives the run; the
    process count is shared), so each kernel gets its own.
    """
    low, high = FRESH_UIDS
    return low + secrets.randbelow(high - low)


def kernel_argv(scratch: Path, runtime: Path, limits: Limits, state: Status, owner: int | None = None) -> list:
    """The kernelspec's argv: the launcher, inside bwrap when the sandbox works; ``{connection_file}`` at the end.

    ``owner``: the kernel's uid when the grader is root (:func:`fresh_uid`); ``state.owner`` when not given.
    """
    if state.sandboxed:
        fonts = state.fonts if state.fonts and Path(state.fonts).is_dir() else ""
        owner = None if state.owner is None else state.owner if owner is None else owner
        prefix = _bwrap_args(state.bwrap, None, runtime, state.user_namespace, limits.disk if state.sized else 0,
                             fonts, owner)
        config = _config(INSIDE_WORK, "/tmp", limits, INSIDE_FONTS if fonts else "", owner)
    else:
        prefix = []
        config = _config(str(scratch), str(scratch / "tmp"), limits)
    return prefix + [sys.executable, "-S", "-c", _LAUNCHER, config, "{connection_file}"]


def prepare_kernel(workdir: Path, limits: Limits, state: Status) -> dict:
    """Write the kernelspec and make the scratch and runtime folders of one run; return the env for pytest.

    Layout under ``workdir`` (the grader's, never visible to the kernel as a whole)::

        jupyter/kernels/bp-grade/kernel.json   the kernelspec
        runtime/                               connection file, Unix sockets (bound into the sandbox)
        scratch/                               without the sandbox: the kernel's HOME and cwd
                                               (sandboxed, they are a tmpfs of ``limits.disk`` bytes)
    """
    scratch, runtime = workdir / "scratch", workdir / "runtime"
    scratch.mkdir()
    runtime.mkdir()
    owner = fresh_uid() if state.sandboxed and state.owner is not None else None
    if owner is not None:  # the kernel, as its own user, writes its sockets there
        os.chown(runtime, owner, owner)
    if not state.sandboxed and state.fonts and Path(state.fonts).is_dir():  # Matplotlib's font list
        shutil.copytree(state.fonts, scratch / ".matplotlib")
    spec = workdir / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": kernel_argv(scratch, runtime, limits, state, owner), "display_name": "bp-course grading kernel",
        "language": "python", "interrupt_mode": "message"}), encoding="utf-8")
    env = {"JUPYTER_PATH": str(workdir / "jupyter"), "JUPYTER_RUNTIME_DIR": str(runtime),
           "BP_GRADE_RUNTIME": str(runtime), "BP_GRADE_TRANSPORT": "ipc" if state.sandboxed else "tcp"}
    if owner is not None:
        env["BP_GRADE_OWNER"] = str(owner)  # the plugin hands the connection file to that user
    return env


# -- the self-test -----------------------------------------------------------------------------------

_SELF_TEST = ("import bp_course.checks.lesson01 as m, matplotlib.font_manager, os;"
              "assert m.HIDDEN == {} and not os.path.exists('/root/.bashrc');print('sandbox ok')")


def _try(bwrap: str, user_namespace: bool, home: Path, sized: bool = True, owner: int | None = None) -> bool:
    runtime = home / "runtime"
    runtime.mkdir(exist_ok=True)
    test = _SELF_TEST
    if owner is not None:
        for path in [home, *home.rglob("*")]:
            os.chown(path, owner, owner)
        test = (f"import os;os.setgroups([]);os.setgid({owner});os.setuid({owner});"
                f"assert os.getuid() == {owner} and os.geteuid() == {owner};" + _SELF_TEST)
    args = _bwrap_args(bwrap, home, runtime, user_namespace, Limits().disk if sized else 0, owner=owner)
    config = json.loads(base64.b64decode(_config(INSIDE_WORK, "/tmp", Limits())))
    env = [item for name, value in config["env"].items() for item in ("--setenv", name, value)]
    command = args[:-1] + env + ["--", sys.executable, "-c", test]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and "sandbox ok" in done.stdout


@functools.lru_cache(maxsize=None)
def _probe_bwrap(bwrap: str) -> Status:
    if not bwrap:
        return Status(False, "bwrap not found")
    if not sys.platform.startswith("linux"):
        return Status(False, "bubblewrap needs Linux")
    home = Path(tempfile.mkdtemp(prefix="bp-sandbox-test-"))
    atexit.register(shutil.rmtree, home, True)
    owners = [UNPRIVILEGED, None] if hasattr(os, "geteuid") and os.geteuid() == 0 else [None]
    for owner in owners:  # as root: first the drop to an unprivileged user (each kernel then gets its own)
        for sized in (True, False):
            for user_namespace in (True, False) if owner is None else (False,):
                if _try(bwrap, user_namespace, home, sized, owner):
                    return Status(True, "", bwrap, user_namespace, str(home / ".matplotlib"), sized, owner)
        if owner is not None:
            for path in [home, *home.rglob("*")]:
                os.chown(path, 0, 0)
    return Status(False, f"{bwrap} failed its self-test (no user or PID namespaces here?)")


def status() -> Status:
    """Whether the kernels can run sandboxed here (a self-test run once per process and bwrap binary)."""
    return _probe_bwrap(_bwrap_path())


def required_status(require: bool) -> Status:
    """:func:`status`, raising :class:`SandboxUnavailable` when a sandbox is required (``--require-sandbox``) and none works."""
    state = status()
    if require and not state.sandboxed:
        raise SandboxUnavailable(f"refusing to grade without a sandbox ({state.reason}); install bubblewrap "
                                 "(the Debian/Ubuntu package `bubblewrap`) or drop --require-sandbox")
    return state

