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
ANSWERS_03_04: dict[str, list[str]] = {
    "03.1": [r"\frac{e^{-z}}{(1 + e^{-z})^2}", r"e^{-z}/(1 + e^{-z})^2", "exp(-z)/(1 + exp(-z))**2",
             "exp(-z)/(1 + exp(-z))^2", r"\varphi(z)\,\bigl(1 - \varphi(z)\bigr)", r"\varphi(1 - \varphi)",
             r"o(1 - o)"],
    "03.3": ["1 - tanh(z)**2", "1 - tanh(z)^2", r"1 - \tanh^2", "1/cosh(z)^2", r"\frac{1}{\cosh^2 z}", "1 - o^2"],
    "04.1": [r"\frac{\partial E}{\partial y} = y - t", "dE/dy = y - t", "o_j - t"],
    "04.2": [r"\varphi'(\text{net}_j) = o_j\,(1 - o_j)", "o_j (1 - o_j)", "y * (1 - y)",
             "dy/dnet = phi'(net) = y (1 - y)"],
    "04.3": [r"\frac{\partial \text{net}}{\partial w_1} = x_1", r"w_{kj}\, o_k = o_i", "dnet/dw1 = x1",
             "dnet_j/dw_ij = o_i"],
    "04.4": ["(y - t) * y * (1 - y) * x1", r"(y - t)\,y\,(1 - y)\,x_1", "dE/dw1 = (y - t) y (1 - y) x1"],
}

# Lessons 05-06: the worked 2-2-1 example's numbers, and the matrix form of the delta rule.
ANSWERS_05_06: dict[str, list[str]] = {
    "05.1": ["0.598688", "0.513769"],
    "05.2": ["-0.121466"],
    "05.3": ["-0.014592"],
    "05.4": ["-0.07272"],
    "05.5": ["delta_output @ W[1].T", "o.T @ delta"],
    "06.1": ["out @ W + b"],
    "06.2": [r"O^{(l)\top}\,\Delta^{(l+1)}", "out.T @ delta"],
    "06.3": [r"\frac{1}{n} \sum_p \Delta^{(l+1)}_{p}", "delta.mean(axis=0)"],
    "06.4": ["delta @ W[l].T"],
    "06.5": ["width ** depth", r"w^d"],
}

# Lessons 07-08: the six broken backward passes, and the softmax cross-entropy derivation.
ANSWERS_07_08: dict[str, list[str]] = {
    "07.2": ['"float64": 1e-5', '"float32": 1e-2', r"about $10^{-5}$ in float64 and $10^{-2}$ in float32"],
    "07.5": [*(f'"{label}": "{cause}"' for label, cause in (("A", "off_by_one"), ("B", "missing_slope"),
                                                             ("C", "bias_sum"), ("D", "transposed"),
                                                             ("E", "overwritten"), ("F", "slope_of_output"))),
             "A: off_by_one", "B: missing_slope", "C: bias_sum", "D: transposed", "E: overwritten",
             "F: slope_of_output",
             "| A | `off_by_one` |", "| B | `missing_slope` |", "| C | `bias_sum` |", "| D | `transposed` |",
             "| E | `overwritten` |", "| F | `slope_of_output` |",
             "summing against averaging, and overwriting against accumulating", "turns bug D into a shape error"],
    "08.1": ['"total squared error": "ok"', '"worst example": "not_average"', '"median absolute error": "not_average"',
             '"squared error + weight decay": "not_outputs"', "`not_outputs`: squared error + weight decay",
             "next to backpropagation, not through it"],
    "08.4": ["-y1 * y2", "-y1 y2", "-y_1 y_2", "-y_k y_j", "y_k ([k = j] - y_j)", r"y_k\,([k = j] - y_j)"],
    "08.5": ["y1 - t1", "y_1 - t_1", "y_j - t_j", "Y - T", "(Y - T)/n"],
}

# Lesson 10: Eq. 5's factor from the slopes, the dead units, Var(net), and the stored bytes.
ANSWERS_10: dict[str, list[str]] = {
    "10.1": ["np.sqrt(np.mean(slopes ** 2))", "rms of phi'(net) = out (1 - out)"],
    "10.3": ["np.all(out == 0, axis=0)"],
    "10.4": ["n_in * var_w * var_o", "Var(net) = n_in Var(w) Var(o)"],
    "10.5": ["batch * sum(sizes) * itemsize", "batch × (sum of the layer widths, input included)"],
}



# Lesson 09: the training loop, the gradient's length, plateau or trap, standardization, condition number, symmetry.
ANSWERS_09: dict[str, list[str]] = {
    "09.1": ["grads = net.gradients(x, t)\n        errors.append(grads.E)",
             "errors.append(grads.E)\n        net.step(grads, eta)"],
    "09.2": ["np.sqrt(sum(np.sum(g ** 2) for g in grads.as_list()))"],
    "09.3": ['6: "trap"', '29: "plateau"', "Seeds 29 and 77 were on a plateau", "Seeds 6 and 50 behave like"],
    "09.4": ["np.where(std > 0, std, 1.0)", "(x_test - mean) / std"],
    "09.5": ["np.linalg.eigvalsh(x.T @ x / len(x))", "lam[-1] / lam[0]"],
    "09.6": ['"more_epochs": False', '"zero_start": True', '"random_biases": True', '"like_one": True'],
}


# Lesson 11: the heavy ball, its best settings, RMSProp, Adam's uncorrected first step, Adam, eta on the digits.
ANSWERS_11: dict[str, list[str]] = {
    "11.1": ["v = beta * v - eta * linear_neuron.gradient(w, x, t)", "v <- beta v - eta dE/dw, then w <- w + v"],
    "11.2": ["4 / (root_max + root_min) ** 2", "((root_max - root_min) / (root_max + root_min)) ** 2",
             r"\frac{4}{(\sqrt{\lambda_{max}} + \sqrt{\lambda_{min}})^2}",
             r"\left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2", r"\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}",
             "eta = 4 / (sqrt(lambda_max) + sqrt(lambda_min))^2", "(sqrt(kappa) - 1) / (sqrt(kappa) + 1)",
             r"$\eta = 1.6$ and $\beta = 0.2$"],
    "11.3": ["rho * s + (1 - rho) * g ** 2", "g / (np.sqrt(s_new) + eps)"],
    "11.4": ["(1 - beta1) / np.sqrt(1 - beta2)", r"(1 - \beta_1)/\sqrt{1 - \beta_2}", "3.16 eta",
             "eta (1 - beta1) / sqrt(1 - beta2)"],
    "11.5": ["m / (1 - beta1 ** step)", "v / (1 - beta2 ** step)", "np.sqrt(v_hat) + eps"],
    "11.6": ['"sgd": 1.0', '"momentum": 0.3', '"adam": 0.01', "sgd 1, momentum 0.3, adam 0.01"],
}

# Lesson 12: the engine's local derivatives, its backward pass, dual numbers, BPTT and a shared kernel.
ANSWERS_12: dict[str, list[str]] = {
    "12.1": ["a.grad += out.grad", "a.grad += b.data * out.grad", "b.grad += a.data * out.grad"],
    "12.2": ["k * a.data ** (k - 1)", "a.grad += out.data * out.grad", "out.data * (1 - out.data)",
             "1 - out.data ** 2"],
    "12.3": ["reversed(order)", "out.grad = 1.0"],
    "12.4": ["self.dot * other.val + self.val * other.dot", "(1 - val ** 2) * self.dot"],
    "12.5": ["dE_dw += delta * h[s - 1]", "dE_dh = w * delta"],
    "12.6": ["dE_dy @ x[k:k + len(dE_dy)]"],
}

ANSWERS = {**ANSWERS_00_02, **ANSWERS_03_04, **ANSWERS_05_06, **ANSWERS_07_08, **ANSWERS_09, **ANSWERS_10, **ANSWERS_11, **ANSWERS_12}

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
