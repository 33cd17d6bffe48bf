"""bp_course.notebooks: executing a notebook stores stable outputs, with no widget state or views."""

import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from bp_course import notebooks


def _widget_notebook():
    nb = new_notebook(cells=[
        new_code_cell("import ipywidgets\nprint('before')", id="first"),
        new_code_cell("ipywidgets.IntSlider(value=3)", id="slider"),
        new_code_cell("import sys, time\nprint('a')\nsys.stdout.flush()\ntime.sleep(0.2)\nprint('b')", id="prints"),
        new_code_cell("1 + 1", id="last"),
    ])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return nb


def _execute(path):
    """`python -m bp_course execute`, as a maintainer runs it (a subprocess keeps the kernel's sockets out of pytest)."""
    result = subprocess.run([sys.executable, "-m", "bp_course", "execute", str(path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return path.read_text(encoding="utf-8")


def test_execute_twice_gives_the_same_file_without_widget_state(tmp_path):
    path = tmp_path / "99_widget.ipynb"
    notebooks.write(_widget_notebook(), path)
    text = _execute(path)
    assert _execute(path) == text
    first = notebooks.read(path)
    assert "widgets" not in first.metadata
    assert "widget-view" not in notebooks.render(first)
    outputs = {cell.id: cell.outputs for cell in first.cells}
    assert outputs["first"][0]["text"] == "before\n"
    assert outputs["last"][0]["data"]["text/plain"] == "2"
    assert outputs["prints"] == [nbformat.from_dict({"name": "stdout", "output_type": "stream", "text": "a\nb\n"})]
    assert [cell.execution_count for cell in first.cells] == [1, 2, 3, 4]
    nbformat.validate(first)
