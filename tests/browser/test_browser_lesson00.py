"""Lesson 00 as a learner does it: type an answer into the editor, run it and its check, read the verdict.

The released (unsolved) lesson is opened from the temporary copy; the cells
above exercise 00.1 are run with Run → Run All Above Selected Cell; the
answer is typed into the cell's CodeMirror editor (click, select all, type)
and run with Shift+Enter, which also moves on to the check cell, run with
Shift+Enter in turn.
"""

import json

import jupyterlab_driver as driver
import pytest

LESSON = "lessons/00_how_to_use_this_course.ipynb"

RIGHT = '''def squared_error(y, t):
    "Return the squared error E = 1/2 (t - y)^2, element-wise."
    return 0.5 * (t - y) ** 2'''

WRONG = '''def squared_error(y, t):
    return (t - y) ** 2'''


def _cells(role: str, exercise: str) -> int:
    cells = json.loads((driver.ROOT / LESSON).read_text(encoding="utf-8"))["cells"]
    return next(i for i, c in enumerate(cells) if c["metadata"].get("bp_course", {}).get("role") == role
                and c["metadata"]["bp_course"].get("exercise") == exercise)


@pytest.fixture
def lesson00(lab_page, tmp_path):
    page = lab_page.open(LESSON)
    yield page
    page.screenshot(tmp_path / "00-answer.png")
    try:
        page.close()
    except BaseException:
        lab_page.reset()
        raise


def test_a_typed_answer_passes_its_check_and_a_wrong_one_gets_the_hint(lesson00, tmp_path):
    answer, check = _cells("answer", "00.1"), _cells("check", "00.1")
    assert check == answer + 1, "the check cell sits right under the answer cell"
    lesson00.select(answer)
    lesson00.menu("Run", "Run All Above Selected Cell")
    lesson00.wait_idle()

    lesson00.select(answer)
    lesson00.shift_enter(answer)  # as released: the function is defined, its body raises when called
    untouched = lesson00.shift_enter(check)
    assert any("00.1" in e and "not attempted yet" in e for e in untouched["errors"]), untouched["errors"]

    lesson00.type_into(answer, RIGHT)
    assert lesson00.shift_enter(answer)["errors"] == []
    passed = lesson00.shift_enter(check)   # Shift+Enter in the answer cell selected the check cell
    shot = lesson00.screenshot(tmp_path / "00-right-answer.png", lesson00.cell(check))
    assert passed["errors"] == [], f"{passed['errors']}; see {shot}"
    assert any(line.startswith("✔") for line in passed["output"].splitlines()), f"{passed['output']!r}; see {shot}"

    lesson00.type_into(answer, WRONG)
    lesson00.select(answer)
    lesson00.shift_enter(answer)
    failed = lesson00.shift_enter(check)
    shot = lesson00.screenshot(tmp_path / "00-wrong-answer.png", lesson00.cell(check))
    assert "✔" not in failed["output"], f"see {shot}"
    message = "\n".join(failed["errors"])
    assert "Exercise 00.1" in message and "Hint:" in message and "factor 1/2" in message, f"{message!r}; see {shot}"
