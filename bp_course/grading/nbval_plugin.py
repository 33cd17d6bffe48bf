"""A pytest plugin the grader loads into its nbval run (``-p bp_course.grading.nbval_plugin``).

It runs in pytest's process, outside the student's kernel, and:

* **records the probes' evidence as it arrives**: after each probe cell
  (the grader's, id ``grader-probe-...``), the outputs of MIME type
  :data:`bp_course.grading.probe.MIME` that the cell itself produced (nbval keeps only the messages whose parent is that
  cell's execute request) are appended, as text, to the file named by
  ``BP_GRADE_RECORD``. The kernel cannot reach that file, and nothing it
  prints later changes what was recorded;
* gives each cell its own timeout, from the list of seconds per code cell
  in the file named by ``BP_GRADE_TIMEOUTS`` (short where student code runs,
  long for the course's own cells: :func:`bp_course.grading.runner.cell_timeouts`);
* puts the kernel's connection file in ``BP_GRADE_RUNTIME`` (the folder
  bound into the sandbox) and, when ``BP_GRADE_TRANSPORT`` is ``ipc``, talks
  to it over Unix sockets there instead of TCP (the sandboxed kernel has no
  network); and writes each
  kernel process's pid to ``BP_GRADE_RECORD`` so the grader can make sure it
  is gone when the run ends;
* keeps optional modules the run never uses from loading
  (:func:`skip_unused_imports`), and nbval from formatting every kernel
  message for a debug log that is off (:class:`DeferredFormat`);
* caps what one cell's outputs may bring into this process
  (:data:`MAX_CELL_OUTPUT` characters, :func:`cap_output`): nbval keeps a
  cell's outputs and joins its streams before this plugin sees them, so a
  cell printing hundreds of MB would otherwise hold them all here. What is
  cut is replaced by a note; an error's traceback keeps its last lines.
  (One message larger than that still arrives whole: the pytest process's
  address space is capped too, :data:`bp_course.grading.runner.PYTEST_MEMORY`.)
"""

from __future__ import annotations

import json
import os
import sys

import pytest

_MIME = "application/vnd.bp-course.probe+json"
_MAX_TEXT = 5_000_000
MAX_CELL_OUTPUT = 32_000_000
"""Characters of output one cell may bring into pytest's process; the rest is cut."""
_MAX_TRACEBACK = 50
_CUT = "\n[output cut by the grader: more than {} MB from one cell]\n"


def _size(content: dict) -> int:
    if "text" in content:
        return len(content["text"]) if isinstance(content["text"], str) else 0
    data = content.get("data")
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values()) \
        if isinstance(data, dict) else 0


def cap_output(msg: dict, spent: dict, limit: int = MAX_CELL_OUTPUT) -> dict:
    """Cut one iopub message so that the outputs of the cell it belongs to stay under ``limit`` characters.

    Parameters
    ----------
    msg : dict
        A kernel message as jupyter_client gives it; changed in place.
    spent : dict
        ``{execute request id: characters so far}``, updated.
    limit : int

    Returns
    -------
    dict
        ``msg``. A stream is cut where the cell's budget ends (with a note
        the first time), a display whose data would cross it loses its data;
        an error keeps its name, its value's first 10 000 characters and the
        last lines of its traceback.
    """
    content = msg.get("content") if isinstance(msg, dict) else None
    if not isinstance(content, dict):
        return msg
    kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
    if kind == "error":
        content["evalue"] = str(content.get("evalue", ""))[:10_000]
        content["traceback"] = [str(line)[:10_000] for line in list(content.get("traceback") or [])[-_MAX_TRACEBACK:]]
        return msg
    if kind not in ("stream", "display_data", "execute_result", "update_display_data"):
        return msg
    key = (msg.get("parent_header") or {}).get("msg_id")
    before = spent.get(key, 0)
    size = _size(content)
    spent[key] = before + size
    if before + size <= limit:
        return msg
    if kind == "stream" and isinstance(content.get("text"), str):
        room = max(limit - before, 0)
        note = _CUT.format(limit // 1_000_000) if before <= limit else ""
        content["text"] = content["text"][:room] + note
    else:
        content["data"] = {"text/plain": _CUT.format(limit // 1_000_000).strip()} if before <= limit else {}
    return msg


_UNUSED_MODULES = ("rfc3987_syntax", "rfc3987", "rfc3986_validator", "rfc3339_validator", "fqdn", "idna", "webcolors",
                   "jsonpointer", "uri_template", "isoduration")
"""Optional imports of jsonschema (which nbformat imports) that the grader's run never uses: each gives one of
its ``format`` checks (``iri``, ``uri``, ``date-time``, ``hostname``, ``color``, ``json-pointer``, ``duration``...),
and nbformat validates notebooks without format checks. ``rfc3987_syntax`` alone builds its grammars when
imported: more than a second of every submission's start-up; the others about 0.05 s together."""


def skip_unused_imports() -> None:
    """Make the optional modules of :data:`_UNUSED_MODULES` unimportable in this process, as if not installed.

    Called when the grader's pytest loads this plugin, before nbval imports
    nbformat and jsonschema (:func:`bp_course.grading.runner.pytest_command`),
    whose ``try: import ...`` then goes without them; the notebook is still
    validated against nbformat's schema as before.
    """
    for name in _UNUSED_MODULES:
        sys.modules.setdefault(name, None)


if os.environ.get("BP_GRADE_RUNTIME"):  # loaded by the grader's nbval run, not merely imported (by a test)
    skip_unused_imports()


def _record(entry: dict) -> None:
    path = os.environ.get("BP_GRADE_RECORD")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps(entry) + "\n")


def pytest_configure(config):
    runtime = os.environ.get("BP_GRADE_RUNTIME")
    if not runtime:
        return
    import uuid

    from jupyter_client.manager import KernelManager
    from nbval import kernel

    transport = os.environ.get("BP_GRADE_TRANSPORT", "tcp")

    owner = os.environ.get("BP_GRADE_OWNER")

    class GradingKernelManager(KernelManager):
        """Its connection file (and Unix sockets) in the run's runtime folder, the one bound into the sandbox.

        When the sandbox runs as an unprivileged user (``BP_GRADE_OWNER``,
        the grader being root), the connection file, which jupyter_client
        writes readable by its owner only, is handed to that user.
        """

        def __init__(self, **kwargs):
            super().__init__(transport=transport,
                             connection_file=os.path.join(runtime, f"kernel-{uuid.uuid4().hex[:8]}.json"), **kwargs)

        def write_connection_file(self, **kwargs):
            super().write_connection_file(**kwargs)
            if owner and os.path.isfile(self.connection_file):
                os.chown(self.connection_file, int(owner), int(owner))

    kernel.KernelManager = GradingKernelManager
    kernel.pformat = DeferredFormat
    _cap_nbval_outputs()


class DeferredFormat:
    """``pprint.pformat(obj)``, done only if the text is used.

    nbval's ``RunningKernel.get_message`` passes ``pformat(msg)`` of every
    kernel message to a debug log that is off: put in place of its
    ``pformat``, this does the formatting only when the log is written.
    """

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __str__(self) -> str:
        from pprint import pformat

        return pformat(self.obj)


def _cap_nbval_outputs() -> None:
    """Make nbval's notebook file pass every message it reads through :func:`cap_output`."""
    from nbval import plugin

    if getattr(plugin.IPyNbFile.get_kernel_message, "_bp_capped", False):
        return
    original, spent = plugin.IPyNbFile.get_kernel_message, {}

    def get_kernel_message(self, timeout=None, stream="iopub"):
        return cap_output(original(self, timeout=timeout, stream=stream), spent, MAX_CELL_OUTPUT)

    get_kernel_message._bp_capped = True
    plugin.IPyNbFile.get_kernel_message = get_kernel_message


_TIMEOUTS: list = []


def _timeouts() -> list:
    path = os.environ.get("BP_GRADE_TIMEOUTS")
    if path and not _TIMEOUTS:
        with open(path, encoding="utf-8") as file:
            _TIMEOUTS.extend(json.load(file))
    return _TIMEOUTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    seconds, number = _timeouts(), getattr(item, "cell_num", None)
    if isinstance(number, int) and 0 <= number < len(seconds):
        item.config.option.nbval_cell_timeout = seconds[number]  # nbval reads it as each cell runs
    yield
    outputs = getattr(item, "test_outputs", None) or []
    found = []
    cell = getattr(item, "cell", None)
    probe = isinstance(cell, dict) and str(cell.get("id", "")).startswith("grader-probe-")
    for out in outputs if probe else ():  # only a probe cell's outputs are evidence: nothing else is kept
        data = out.get("data") if isinstance(out, dict) else None
        if isinstance(data, dict) and _MIME in data:
            text = data[_MIME]
            found.append(text if isinstance(text, str) and len(text) <= _MAX_TEXT else "")
    kernel = getattr(item.parent, "kernel", None)
    pid = None
    try:
        pid = kernel.km.provisioner.process.pid
    except AttributeError:
        pass
    _record({"cell": getattr(item, "cell_num", None), "probe": found, "pid": pid})
    if outputs:
        outputs.clear()  # nothing else reads them (no comparison under -lax); large prints do not pile up
