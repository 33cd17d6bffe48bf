"""A pytest plugin the grader loads into its nbval run (``-p bp_course.grading.nbval_plugin``).

It runs in pytest's process, outside the student's kernel, and does two things:

* **records the probes' evidence as it arrives**: after each cell, the
  outputs of MIME type :data:`bp_course.grading.probe.MIME` that the cell
  itself produced (nbval keeps only the messages whose parent is that
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
  is gone when the run ends.
"""

from __future__ import annotations

import json
import os

import pytest

_MIME = "application/vnd.bp-course.probe+json"
_MAX_TEXT = 5_000_000


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

    class GradingKernelManager(KernelManager):
        """Its connection file (and Unix sockets) in the run's runtime folder, the one bound into the sandbox."""

        def __init__(self, **kwargs):
            super().__init__(transport=transport,
                             connection_file=os.path.join(runtime, f"kernel-{uuid.uuid4().hex[:8]}.json"), **kwargs)

    kernel.KernelManager = GradingKernelManager


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
    for out in outputs:
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
