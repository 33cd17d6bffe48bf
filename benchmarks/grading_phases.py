"""A pytest plugin that ``benchmarks/grading.py --breakdown`` adds to the grader's nbval run, to time its phases.

Loaded with ``-p grading_phases`` (``benchmarks/`` on the path) into the
pytest process the grader starts for one submission. It writes, to the file
named by ``BP_BENCH_PHASES``, one JSON line: wall-clock timestamps
(``time.time()``) of the plugin's import, the end of configuration and of
collection, each cell's setup, call and teardown (the first setup starts the
kernel, the last teardown stops it), the end of the session, and the CPU
seconds of the kernel's processes read from ``/proc`` just before it is
stopped. Nothing here is used when grading for real.
"""

from __future__ import annotations

import json
import os
import time

import pytest

_IMPORTED = time.time()
_EVENTS = {"imported": _IMPORTED, "cells": []}


def _children() -> dict:
    """``{parent pid: [child pids]}`` of every process visible in /proc."""
    tree = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="ascii") as file:
                    fields = file.read().rsplit(")", 1)[1].split()
                tree.setdefault(int(fields[1]), []).append(int(name))
            except (OSError, IndexError, ValueError):
                continue
    return tree


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and every live process below it (children reaped included)."""
    tree, total, todo = _children(), 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/stat", encoding="ascii") as file:
                fields = file.read().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15]) / tick  # utime stime cutime cstime
        except (OSError, ValueError):
            pass
        todo.extend(tree.get(current, []))
    return total


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    _EVENTS["configured"] = time.time()


def pytest_collection_finish(session):
    _EVENTS["collected"] = time.time()


def _cell(item) -> dict:
    number = getattr(item, "cell_num", None)
    while len(_EVENTS["cells"]) <= (number or 0):
        _EVENTS["cells"].append({})
    entry = _EVENTS["cells"][number or 0]
    entry["id"] = getattr(item, "cell", {}).get("id", "")
    return entry


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    start = time.time()
    yield
    _cell(item)["setup"] = [start, time.time()]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    start = time.time()
    yield
    _cell(item)["call"] = [start, time.time()]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    if nextitem is None:
        try:
            _EVENTS["kernel_cpu"] = _cpu_seconds(item.parent.kernel.km.provisioner.process.pid)
        except AttributeError:
            pass
    start = time.time()
    yield
    _cell(item)["teardown"] = [start, time.time()]


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    _EVENTS["unconfigured"] = time.time()
    path = os.environ.get("BP_BENCH_PHASES")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps(_EVENTS) + "\n")
