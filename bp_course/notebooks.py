"""Reading, writing and executing the course's notebooks.

The course keeps three facts about each cell in ``cell.metadata["bp_course"]``:

* ``role``: ``"answer"`` (the learner writes code here), ``"check"`` (the
  check cell under an answer) or ``"narrative"`` (everything else);
* ``exercise``: the exercise id, such as ``"00.1"`` (answer and check cells);
* ``points``: what the exercise is worth (answer cells).

Authors set them on answer and check cells of the solution notebooks; the
release writes all three into every cell of the student copy, where the
grader finds them.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

__all__ = ["META", "ROLES", "TIMING", "read", "render", "write", "role", "exercise", "execute", "with_answers", "answer_sources",
           "kernel_manager"]

META = "bp_course"
"""The key of the course's metadata, in notebooks and in cells."""

ROLES = ("narrative", "answer", "check")
"""The roles a cell can have."""

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

TIMING = "timing"
"""The tag of a cell that measures the machine (seconds, a speed ratio): run, never stored.

Its numbers differ from machine to machine and run to run, so ``execute``
stores no output for it and nbval does not compare one (the cell also carries
``nbval-ignore-output``): a learner sees the figures of their own machine,
never a stale one from the machine the course was built on.
"""

NBFORMAT_MINOR = 5  # cell ids exist from nbformat 4.5 on


def read(path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat 4 (the course's notebooks are 4.5, with cell ids)."""
    return nbformat.read(str(path), as_version=4)


def render(nb) -> str:
    """The exact text :func:`write` puts in a file (sorted keys, one-space indent, final newline).

    The release check compares these strings, so rendering must be stable.
    """
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def write(nb, path) -> None:
    """Write a notebook in the course's canonical form."""
    Path(path).write_text(render(nb), encoding="utf-8")


def role(cell) -> str:
    """The course role of a cell: its metadata, or ``"narrative"`` when it has none."""
    return cell.get("metadata", {}).get(META, {}).get("role", "narrative")


def exercise(cell):
    """The exercise id of an answer or check cell, or ``None``."""
    return cell.get("metadata", {}).get(META, {}).get("exercise")


def kernel_manager():
    """A kernel manager for a kernel of the running interpreter (as nbval's ``--nbval-current-env``).

    A virtual environment needs no kernelspec: the kernel is this Python,
    with this ``PYTHONPATH``, so it imports the same ``bp_course``.
    """
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    class _CurrentEnvironment(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())

    return KernelManager(kernel_name="python3", kernel_spec_manager=_CurrentEnvironment())


def execute(nb, cwd, timeout: int = 120, allow_errors: bool = False) -> nbformat.NotebookNode:
    """Run every cell of a notebook in a fresh kernel of this Python environment.

    Used by ``python -m bp_course execute`` to refresh the stored outputs of
    solution notebooks. The kernel is the running interpreter (as nbval's
    ``--nbval-current-env``), so a virtual environment needs no kernelspec.
    No timings, widget state or widget views are stored (a view names a
    random model id), nor the outputs of cells tagged ``TIMING``, so
    running a notebook twice gives the same file.

    Parameters
    ----------
    nb : NotebookNode
        Executed in place and returned.
    cwd : path
        The working directory of the kernel (the notebook's folder).
    timeout : int
        Seconds allowed per cell.
    allow_errors : bool
        Run on after a cell raises, keeping its error as its output
        (by default the first error stops the run).
    """
    from nbclient import NotebookClient

    # Widget state must be collected while running (nbclient's output-widget
    # hook writes into it and fails without it); it is dropped afterwards.
    client = NotebookClient(nb, km=kernel_manager(), timeout=timeout, record_timing=False, store_widget_state=True,
                            allow_errors=allow_errors, resources={"metadata": {"path": str(cwd)}})
    client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:  # a widget's view points at a model that was not kept, under a random id
        if cell.cell_type == "code":
            timing = TIMING in cell.metadata.get("tags", [])
            outputs = [out for out in cell.outputs if not timing and _WIDGET_VIEW not in out.get("data", {})]
            cell.outputs = _coalesce_streams(outputs)
    return nb


def _coalesce_streams(outputs) -> list:
    """Join consecutive prints to the same stream into one output.

    How a cell's prints split into stream messages depends on timing; joined,
    the stored file is the same on every run (nbval joins them too).
    """
    joined = []
    for out in outputs:
        previous = joined[-1] if joined else None
        if (out.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == out.get("name")):
            previous["text"] += out["text"]
        else:
            joined.append(out)
    return joined


def with_answers(lesson, answers) -> nbformat.NotebookNode:
    """A copy of a released lesson whose answer cells take the given sources.

    Parameters
    ----------
    lesson : NotebookNode
        A notebook from ``lessons/`` (or any notebook with course roles).
    answers : dict
        ``{cell id: source}`` for the answer cells to fill; other answer
        cells keep their stub. Narrative and check cells are never taken
        from ``answers``.

    Examples
    --------
    Filling a lesson with the answers of its solution notebook gives the
    solved lesson the tests run under nbval::

        solved = with_answers(read(lesson_path), answer_sources(read(solution_path)))
    """
    nb = copy.deepcopy(lesson)
    for cell in nb.cells:
        if role(cell) == "answer" and cell.get("id") in answers:
            cell.source = answers[cell["id"]]
    return nb


def answer_sources(nb) -> dict:
    """``{cell id: source}`` of every answer cell of a notebook."""
    return {cell["id"]: cell.source for cell in nb.cells if role(cell) == "answer"}
