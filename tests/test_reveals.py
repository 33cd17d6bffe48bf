"""No answer before the attempt: a lesson's visible text never gives an exercise's answer away.

A learner who opens a lesson sees every markdown cell and every code cell
that is not an answer cell, whether it sits above or below the exercise.
Text that reveals an answer is allowed in two places only: the check's ✔
message (printed once the answer passes), and a collapsed ``<details>``
block, which the learner opens on purpose.

``ANSWERS`` lists, per exercise, the strings that *are* its answer, in the
forms a lesson would print them (LaTeX or code). Both sides are compared
after :func:`_normal`, so spacing, braces and ``\\left``/``\\right`` do not
hide a reveal.
"""

import re
from pathlib import Path

import pytest

from bp_course import notebooks

ROOT = Path(__file__).resolve().parent.parent

# Lessons 00-02: the first derivative, the neuron's output, the valley, the second case, the bound.
ANSWERS_00_02: dict[str, list[str]] = {
    "00.1": ["0.5 * (t - y) ** 2"],
    "00.2": ["0.18"],
    "00.3": [r"\partial E / \partial y = y - t", "dE/dy = y - t", "return y - t"],
    "01.1": ["x @ w"],
    "01.3": ["w1 = -w2", "w_1 = -w_2"],
    "01.4": ["(1, 0, 1)"],
    "02.3": ["1.528"],
}

# Lessons 03-04: the derivations of the logistic and tanh, and Eq. 1-4.
ANSWERS_03_04: dict[str, list[str]] = {}

# Lessons 07-08: the six broken backward passes, and the softmax cross-entropy derivation.
ANSWERS_07_08: dict[str, list[str]] = {}

ANSWERS = {**ANSWERS_00_02, **ANSWERS_03_04, **ANSWERS_07_08}

_DETAILS = re.compile(r"<details\b.*?</details>", re.DOTALL | re.IGNORECASE)
_NOISE = re.compile(r"\\left|\\right|\\[,;!]|\\cdot|\\mathrm|\\text|\\bigl|\\bigr|\\Bigl|\\Bigr|[\s{}$*]")


def _normal(text: str) -> str:
    """Text with layout removed: no spaces, braces, ``$``, ``*``, LaTeX spacing or sizing; phi spelled one way."""
    text = text.replace("\\varphi", "phi").replace("\\phi", "phi").replace("φ", "phi")
    return _NOISE.sub("", text)


def visible_text(nb) -> list[tuple[str, str]]:
    """``(cell id, normalized text)`` of what a learner reads before any check passes.

    Markdown cells and non-answer code cells, with ``<details>`` blocks removed.
    Answer cells are the learner's own; stored outputs do not exist in ``lessons/``.
    """
    shown = []
    for cell in nb.cells:
        if cell.cell_type == "code" and notebooks.role(cell) == "answer":
            continue
        shown.append((cell.get("id", "?"), _normal(_DETAILS.sub("", cell.source))))
    return shown


def reveals(nb, exercise: str) -> list[str]:
    """The cells of ``nb`` whose visible text holds one of ``exercise``'s answer strings."""
    wanted = [_normal(s) for s in ANSWERS[exercise]]
    return [f"{cell}: {s!r}" for cell, text in visible_text(nb) for s in wanted if s in text]


def _lesson(exercise: str) -> Path:
    (path,) = (ROOT / "lessons").glob(f"{exercise[:2]}_*.ipynb")
    return path


@pytest.mark.parametrize("exercise", sorted(ANSWERS))
def test_no_lesson_text_gives_the_answer_away(exercise):
    found = reveals(notebooks.read(_lesson(exercise)), exercise)
    assert not found, f"exercise {exercise}'s answer is visible before its check passes: {found}"


@pytest.mark.parametrize("exercise", sorted(ANSWERS))
def test_the_answer_strings_are_in_the_course(exercise):
    """Each listed string is still taught: it is in the solution's answer cell, the ✔ message or a <details> block."""
    solution = notebooks.read(ROOT / "solutions" / _lesson(exercise).name)
    texts = []
    for cell in solution.cells:
        texts += _DETAILS.findall(cell.source)
        if cell.metadata.get("bp_course", {}).get("exercise") == exercise:
            texts.append(cell.source)
            texts += ["".join(o.get("text", "")) for o in cell.get("outputs", [])]
    joined = _normal("\n".join(texts))
    for s in ANSWERS[exercise]:
        assert _normal(s) in joined, f"{s!r} is not in {exercise}'s answer cell, its ✔ message or a <details> block"


def test_a_reveal_is_found_in_markdown_and_code_but_not_in_details():
    """The test above can fail: an answer pasted into a lesson is found, hidden in <details> it is not."""
    import nbformat

    ANSWERS["99.1"] = [r"\varphi(1 - \varphi)"]
    try:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(r"So $\phi' = \varphi \left(1-\varphi\right)$.")]
        assert reveals(nb, "99.1")
        nb.cells = [nbformat.v4.new_code_cell("print(phi * (1 - phi))")]
        assert reveals(nb, "99.1")
        nb.cells = [nbformat.v4.new_markdown_cell("<details><summary>Why</summary>\n\n$\\varphi(1-\\varphi)$\n"
                                                  "</details>\nNothing here.")]
        assert not reveals(nb, "99.1")
    finally:
        del ANSWERS["99.1"]
