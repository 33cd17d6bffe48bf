"""bp_course.checks.lesson12: every check accepts the right answer and names each plausible mistake."""

import math
import re

import numpy as np
import pytest

from bp_course import autodiff
from bp_course.checks import CheckFailed, NotAttempted
from bp_course.checks import lesson12 as check


def _hint(text):
    return "Hint: .*" + re.escape(text)


# -- a learner's engine, as the lesson's skeleton builds it, with operations that can be swapped ------------------

def _right(name):
    """The operation ``name`` written as the lesson's answer cells write it, with the local derivative ``local``."""
    local = {"add": lambda a, b, out: (1.0, 1.0), "mul": lambda a, b, out: (b.data, a.data),
             "pow": lambda a, k, out: k * a.data ** (k - 1), "exp": lambda a, k, out: out.data,
             "logistic": lambda a, k, out: out.data * (1 - out.data), "tanh": lambda a, k, out: 1 - out.data ** 2}
    return _operation(name, local[name])


def _operation(name, local, *, overwrite=False, chain=True):
    """An operation whose ``_backward`` adds (or, flawed, assigns) ``local`` times out.grad (or, flawed, not)."""
    forward = {"add": lambda a, b: a.data + b.data, "mul": lambda a, b: a.data * b.data,
               "pow": lambda a, k: a.data ** k, "exp": lambda a, k: math.exp(a.data),
               "logistic": lambda a, k: 1 / (1 + math.exp(-a.data)), "tanh": lambda a, k: math.tanh(a.data)}[name]

    def op(Value, a, b=None):
        out = Value(forward(a, b), (a,) if name not in ("add", "mul") else (a, b))
        inputs = (a, b) if name in ("add", "mul") else (a,)

        def _backward():
            d = local(a, b, out)
            for node, d_node in zip(inputs, d if isinstance(d, tuple) else (d,)):
                share = d_node * (out.grad if chain else 1.0)
                node.grad = share if overwrite else node.grad + share
        out._backward = _backward
        return out
    return op


def _engine(**ops):
    """A Value class like the lesson's skeleton, whose operators call ``ops`` (right ones unless overridden)."""
    table = {name: ops.get(name, _right(name)) for name in ("add", "mul", "pow", "exp", "logistic", "tanh")}

    class Value:
        def __init__(self, data, children=()):
            self.data, self.grad, self._children = float(data), 0.0, tuple(children)
            self._backward = lambda: None

        def __add__(self, other): return table["add"](Value, self, _as(other))
        def __mul__(self, other): return table["mul"](Value, self, _as(other))
        def __pow__(self, k): return table["pow"](Value, self, k)
        def exp(self): return table["exp"](Value, self)
        def logistic(self): return table["logistic"](Value, self)
        def tanh(self): return table["tanh"](Value, self)

    def _as(x):
        return x if isinstance(x, Value) else Value(x)
    return Value


def test_right_answers_pass(capsys):
    check.add_and_mul(_engine())
    check.power_and_activations(_engine())
    check.backward(autodiff.backward)
    check.dual(autodiff.Dual)
    check.bptt(lambda w, u, x, target: check._bptt(w, u, x, target))
    check.kernel_gradient(lambda x, dE_dy, K: np.convolve(x, dE_dy[::-1], mode="valid"))  # another route
    assert capsys.readouterr().out.count("✔ Exercise 12.") == 6


def test_the_reference_engine_passes_its_own_checks(capsys):
    check.add_and_mul(autodiff.Value)
    check.power_and_activations(autodiff.Value)
    assert capsys.readouterr().out.count("✔") == 2


# -- 12.1 ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("op,wrong,hint", [
    ("add", _operation("add", lambda a, b, out: (1.0, 1.0), overwrite=True), "overwrote the gradient at a fan-out"),
    ("mul", _operation("mul", lambda a, b, out: (b.data, a.data), overwrite=True),
     "overwrote the gradient at a fan-out"),
    ("add", _operation("add", lambda a, b, out: (1.0, 1.0), chain=False), "not multiplied by out.grad"),
    ("mul", _operation("mul", lambda a, b, out: (b.data, a.data), chain=False), "not multiplied by out.grad"),
    ("mul", _operation("mul", lambda a, b, out: (a.data, b.data)), "each factor's derivative is the *other* factor"),
])
def test_add_and_mul_mistakes(op, wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)) as failure:
        check.add_and_mul(_engine(**{op: wrong}))
    assert str(failure.value).startswith(f"Exercise 12.1: {op}: ")


def test_add_and_mul_names_a_backward_that_never_ran_and_a_stub():
    def unattached(Value, a, b):
        return Value(a.data + b.data, (a, b))
    with pytest.raises(CheckFailed, match=_hint("no gradient changed: did `_backward` run?")):
        check.add_and_mul(_engine(add=unattached))

    def stub(Value, a, b):
        out = Value(a.data * b.data, (a, b))

        def _backward():
            raise NotImplementedError("Exercise 12.1 is not attempted yet")
        out._backward = _backward
        return out
    with pytest.raises(NotAttempted):
        check.add_and_mul(_engine(mul=stub))
    with pytest.raises(NotAttempted):
        check.add_and_mul(...)
    with pytest.raises(CheckFailed, match="pass the class Value itself"):
        check.add_and_mul(_engine()(1.0))


# -- 12.2 ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("op,local,hint", [
    ("pow", lambda a, k, out: k * out.data ** (k - 1), "you used the output instead of the input"),
    ("pow", lambda a, k, out: a.data ** (k - 1), "the factor k is missing"),
    ("pow", lambda a, k, out: k * a.data ** k, "the exponent must drop by one"),
    ("exp", lambda a, k, out: a.data, "e^a is e^a itself"),
    ("logistic", lambda a, k, out: a.data * (1 - a.data), "you used the input instead of the output"),
    ("logistic", lambda a, k, out: out.data, "the factor (1 - phi) is missing"),
    ("tanh", lambda a, k, out: 1 - a.data ** 2, "you used the input instead of the output"),
    ("tanh", lambda a, k, out: 1 - out.data, "the output must be squared"),
])
def test_power_and_activation_mistakes(op, local, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)) as failure:
        check.power_and_activations(_engine(**{op: _operation(op, local)}))
    assert str(failure.value).startswith(f"Exercise 12.2: {op}: ")


@pytest.mark.parametrize("op", ["pow", "exp", "logistic", "tanh"])
def test_one_input_operations_overwriting_or_without_out_grad_are_named(op):
    right = {"pow": lambda a, k, out: k * a.data ** (k - 1), "exp": lambda a, k, out: out.data,
             "logistic": lambda a, k, out: out.data * (1 - out.data), "tanh": lambda a, k, out: 1 - out.data ** 2}[op]
    with pytest.raises(CheckFailed, match=_hint("overwrote the gradient at a fan-out")):
        check.power_and_activations(_engine(**{op: _operation(op, right, overwrite=True)}))
    with pytest.raises(CheckFailed, match=_hint("not multiplied by out.grad")):
        check.power_and_activations(_engine(**{op: _operation(op, right, chain=False)}))


def test_an_unexplained_mistake_still_says_what_was_expected():
    wrong = _operation("tanh", lambda a, k, out: 0.5)
    with pytest.raises(CheckFailed, match=r"tanh: a.tanh\(\) with a = 0.5, then out.grad = 1 arriving from above: "
                                          r"expected out.data = 0.462117, a.grad = 0.786448; got .*a.grad = 0.5\.$"):
        check.power_and_activations(_engine(tanh=wrong))


# -- 12.3 ---------------------------------------------------------------------------------------------------------

def _backward_flaw(kind):
    """Learners' backward() functions, written out here independently of the check's own list."""
    def topological(out):
        order, listed = [], set()

        def visit(node):
            if node not in listed:
                listed.add(node)
                for child in node._children:
                    visit(child)
                order.append(node)
        visit(out)
        return order

    def backward(out):
        if kind == "no_seed":
            for node in reversed(topological(out)):
                node._backward()
        elif kind == "not_reversed":
            out.grad = 1.0
            for node in topological(out):
                node._backward()
        elif kind in ("preorder", "preorder_once"):
            seen = set()
            out.grad = 1.0
            stack = [out]
            while stack:  # depth first, each node's _backward as soon as it is reached
                node = stack.pop()
                if kind == "preorder_once":
                    if node in seen:
                        continue
                    seen.add(node)
                node._backward()
                stack.extend(reversed(node._children))
        elif kind == "output_only":
            out.grad = 1.0
            out._backward()
        elif kind == "overwrite_seed_each":  # seeds every node with 1: a mistake no hint explains
            for node in reversed(topological(out)):
                node.grad = 1.0
                node._backward()
    return backward


@pytest.mark.parametrize("kind,hint", [
    ("no_seed", "you forgot to seed the output gradient with 1"),
    ("not_reversed", "Run every node's `_backward`, in the *reverse* of the topological order"),
    ("preorder", "a node used twice ran its `_backward` more than once"),
    ("preorder_once", "no topological order: a recursion that runs a node's `_backward` as soon as it reaches it "
                      "visits a node before all its parents"),
    ("output_only", "only the output's own local derivative had any effect"),
])
def test_backward_mistakes(kind, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.backward(_backward_flaw(kind))


def test_backward_without_a_named_mistake_and_bad_input():
    with pytest.raises(CheckFailed, match=r"^Exercise 12.3: backward on .*: expected the inputs' gradients .*\.$"):
        check.backward(_backward_flaw("overwrite_seed_each"))

    def endless(out):
        def visit(node):
            visit(node)
        visit(out)
    with pytest.raises(CheckFailed, match="RecursionError"):
        check.backward(endless)

    def stub(out):
        raise NotImplementedError
    with pytest.raises(NotAttempted):
        check.backward(stub)
    with pytest.raises(CheckFailed, match="expected the function backward"):
        check.backward(3)


def test_backward_uses_graphs_of_the_reference_engine_so_12_1_cannot_spoil_it(capsys):
    check.backward(autodiff.backward)  # no learner's Value is involved at all
    assert "✔ Exercise 12.3" in capsys.readouterr().out


# -- 12.4 ---------------------------------------------------------------------------------------------------------

def _dual(mul_dot=None, tanh_dot=None):
    """The lesson's Dual class with the two rules the learner writes replaced."""
    class Dual(autodiff.Dual):
        def __init__(self, val, dot=0.0):
            super().__init__(val, dot)

        def __add__(self, other):
            other = other if isinstance(other, Dual) else Dual(other)
            return Dual(self.val + other.val, self.dot + other.dot)

        def __mul__(self, other):
            other = other if isinstance(other, Dual) else Dual(other)
            dot = (mul_dot or (lambda a, b: a.dot * b.val + a.val * b.dot))(self, other)
            return Dual(self.val * other.val, dot)

        def tanh(self):
            val = math.tanh(self.val)
            return Dual(val, (tanh_dot or (lambda a, y: (1 - y ** 2) * a.dot))(self, val))

        def __neg__(self): return self * -1.0
        def __sub__(self, other): return self + (-(other if isinstance(other, Dual) else Dual(other)))
        def __radd__(self, other): return self + other
        def __rmul__(self, other): return self * other
        def __rsub__(self, other): return Dual(other) - self
    return Dual


def test_dual_passes_the_lessons_class(capsys):
    check.dual(_dual())
    assert "✔ Exercise 12.4" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs,hint", [
    ({"mul_dot": lambda a, b: a.dot + b.dot}, "that is the rule of a sum"),
    ({"mul_dot": lambda a, b: a.dot * b.dot}, "multiplying the two derivatives is not the product rule"),
    ({"mul_dot": lambda a, b: a.dot * b.val}, "only half of the product rule"),
    ({"tanh_dot": lambda a, y: 1 - y ** 2}, "must be multiplied by self.dot"),
    ({"tanh_dot": lambda a, y: (1 - a.val ** 2) * a.dot}, "you used the input instead of the output"),
])
def test_dual_mistakes(kwargs, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.dual(_dual(**kwargs))


def test_dual_not_attempted_and_not_a_class():
    def stub(a, b):
        raise NotImplementedError
    with pytest.raises(NotAttempted):
        check.dual(_dual(mul_dot=stub))
    with pytest.raises(NotAttempted):
        check.dual(...)
    with pytest.raises(CheckFailed, match="pass the class Dual itself"):
        check.dual(autodiff.Dual(1.0))


# -- 12.5 ---------------------------------------------------------------------------------------------------------

def _bptt_flaw(kind):
    """Learners' backpropagation through time, written out independently of the check's simulation."""
    def bptt(w, u, x, target):
        h = [0.0]
        for x_t in x:
            h.append(math.tanh(w * h[-1] + u * x_t))
        dE_dw = dE_du = 0.0
        dE_dh = h[-1] - target
        for s in range(len(x), 0, -1):
            net = w * h[s - 1] + u * x[s - 1]
            delta = dE_dh * ((1 - net ** 2) if kind == "input_slope" else (1 - h[s] ** 2))
            if kind == "overwrite":
                dE_dw, dE_du = delta * h[s - 1], delta * x[s - 1]
            elif kind == "last_only":
                if s == len(x):
                    dE_dw, dE_du = delta * h[s - 1], delta * x[s - 1]
            else:
                dE_dw += delta * (h[s] if kind == "h_now" else h[s - 1])
                dE_du += delta * x[s - 1]
            if kind == "no_w":
                dE_dh = delta
            elif kind == "dh_not_delta":  # forgets tanh' at every step but the delta's own
                dE_dh = w * dE_dh
            elif kind != "no_pass":
                dE_dh = w * delta
        if kind == "mean":
            return dE_dw / len(x), dE_du / len(x)
        return dE_dw, dE_du
    return bptt


@pytest.mark.parametrize("kind,hint", [
    ("last_only", "that is only the last time step's share"),
    ("overwrite", "the loop overwrote the gradient at each step"),
    ("mean", "that is the average of the time steps' shares"),
    ("h_now", "by the state that went *into* the step, h_(t-1)"),
    ("input_slope", "you used the input instead of the output"),
    ("no_w", "must go through the weight that carried h_(t-1) forward"),
    ("no_pass", "dE/dh stays the output error at every step"),
    ("dh_not_delta", "pass back the delta, dE/dh_(t-1) = w delta_t"),
])
def test_bptt_mistakes(kind, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.bptt(_bptt_flaw(kind))


def test_bptt_right_answer_agrees_with_the_reference_engine():
    """The check's reference is independent: the engine on the unrolled graph gives the same numbers."""
    for case in check._BPTT_CASES:
        w, u = autodiff.Value(case["w"]), autodiff.Value(case["u"])
        h = 0.0
        for x_t in case["x"]:
            h = (w * h + u * float(x_t)).tanh()
        (0.5 * (h - case["target"]) ** 2).backward()
        np.testing.assert_allclose(check._bptt(**case), [w.grad, u.grad], rtol=1e-12)
    with pytest.raises(NotAttempted):
        check.bptt(...)


# -- 12.6 ---------------------------------------------------------------------------------------------------------

def _kernel(x, dE_dy, K):
    return np.array([sum(dE_dy[i] * x[i + k] for i in range(len(dE_dy))) for k in range(K)])


@pytest.mark.parametrize("wrong,hint", [
    (lambda x, dE_dy, K: np.array([dE_dy[0] * x[k] for k in range(K)]), "that is only the first position's share"),
    (lambda x, dE_dy, K: _kernel(x, dE_dy, K) / len(dE_dy), "that is the mean over the positions"),
    (lambda x, dE_dy, K: _kernel(x, dE_dy, K)[::-1], "the kernel is reversed"),
])
def test_kernel_gradient_mistakes(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.kernel_gradient(wrong)


def test_kernel_gradient_overwriting_in_a_loop_is_named():
    def overwrite(x, dE_dy, K):
        grad = np.zeros(K)
        for i in range(len(dE_dy)):
            for k in range(K):
                grad[k] = dE_dy[i] * x[i + k]
        return grad
    with pytest.raises(CheckFailed, match=_hint("the loop overwrote the gradient at each position")):
        check.kernel_gradient(overwrite)
    with pytest.raises(CheckFailed, match="kernel_gradient returned None"):
        check.kernel_gradient(lambda x, dE_dy, K: None)


def test_kernel_gradient_agrees_with_the_engine():
    rng = np.random.default_rng(0)
    x, w, t = rng.normal(size=7), rng.normal(size=3), rng.normal(size=5)
    kernel = [autodiff.Value(v) for v in w]
    y = [sum(kernel[k] * float(x[i + k]) for k in range(3)) for i in range(5)]
    sum(0.5 * (y_i - t_i) ** 2 for y_i, t_i in zip(y, t.tolist())).backward()
    y_numbers = np.array([w @ x[i:i + 3] for i in range(5)])
    np.testing.assert_allclose(check._kernel_gradient(x, y_numbers - t, 3), [k.grad for k in kernel], rtol=1e-12)


# -- review fixes: hints for more mistakes, the guarded 12.3 graphs, a = 0, float32 ---------------------------------

def _custom(name, body):
    """An operation of the test engine whose ``_backward`` is ``body(a, b, out)``."""
    forward = {"add": lambda a, b: a.data + b.data, "mul": lambda a, b: a.data * b.data}[name]

    def op(Value, a, b):
        out = Value(forward(a, b), (a, b))
        out._backward = lambda: body(a, b, out)
        return out
    return op


def _b_overwritten(a, b, out):
    a.grad += b.data * out.grad
    b.grad = a.data * out.grad


def _into_out(a, b, out):
    out.grad += a.grad + b.grad


@pytest.mark.parametrize("op,body,hint", [
    ("add", lambda a, b, out: (out.grad, out.grad), "your `_backward` returns the gradients"),
    ("add", _into_out, "your `_backward` changed out.grad"),
    ("mul", _b_overwritten, "`b.grad = ...` overwrites what b already held"),
])
def test_add_and_mul_backward_that_ran_but_did_the_wrong_thing(op, body, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)) as failure:
        check.add_and_mul(_engine(**{op: _custom(op, body)}))
    assert "did `_backward` run?" not in str(failure.value)


def test_mul_written_like_add_is_named():
    with pytest.raises(CheckFailed, match=_hint("that is the rule of +")):
        check.add_and_mul(_engine(mul=_operation("mul", lambda a, b, out: (1.0, 1.0))))


def test_an_instance_of_value_is_named_an_instance():
    with pytest.raises(CheckFailed, match="got an instance of Value"):
        check.add_and_mul(_engine()(1.0))


def test_power_from_the_output_divided_by_the_input_fails_at_zero_visibly_and_hidden():
    wrong = _operation("pow", lambda a, k, out: k * out.data / a.data)
    with pytest.raises(CheckFailed, match=_hint("k * out.data / a.data divides by a = 0")):
        check.power_and_activations(_engine(pow=wrong))
    cases = check.HIDDEN["12.2"].cases(np.random.default_rng(0))
    assert any(case[0] == "pow" and case[2] == [0.0] for case in cases)


def test_backward_that_calls_the_engines_own_backward_is_refused():
    with pytest.raises(CheckFailed, match="don't call out.backward\\(\\) inside backward: write the traversal"):
        check.backward(lambda out: out.backward())
    leaves = check.run_backward(autodiff.backward, "(x.tanh() ** 2).exp() * 0.5", [0.6])   # the reference still runs
    assert leaves[0] != 0


def test_backward_whose_order_lists_a_node_once_per_path_is_named():
    def unvisited(out):
        order = []

        def visit(node):
            for child in node._children:
                visit(child)
            order.append(node)
        visit(out)
        out.grad = 1.0
        for node in reversed(order):
            node._backward()
    with pytest.raises(CheckFailed, match=_hint("ran its `_backward` more than once: your topological order")):
        check.backward(unvisited)


@pytest.mark.parametrize("wrong,hint", [
    (lambda w, u, x, target: tuple(-d for d in check._bptt(w, u, x, target)), "not target - h_T"),
    (lambda w, u, x, target: tuple(2 * d for d in check._bptt(w, u, x, target)), "the 1/2 cancels the 2"),
    (lambda w, u, x, target: check._bptt(w, u, x, target)[::-1], "return (dE_dw, dE_du)"),
])
def test_bptt_sign_factor_and_order_slips(wrong, hint):
    with pytest.raises(CheckFailed, match=_hint(hint)):
        check.bptt(wrong)


def test_kernel_gradient_with_an_unflipped_np_convolve_is_named():
    with pytest.raises(CheckFailed, match=_hint("np.convolve flips its second argument")):
        check.kernel_gradient(lambda x, dE_dy, K: np.convolve(x, dE_dy, "valid"))


def test_float32_answers_pass_visibly_and_hidden_with_one_tolerance(capsys):
    f32 = lambda fn: (lambda *a: np.asarray(fn(*a), dtype=np.float32))  # noqa: E731
    check.bptt(f32(lambda w, u, x, target: check._bptt(w, u, x, target)))
    check.kernel_gradient(f32(check._kernel_gradient))
    assert capsys.readouterr().out.count("✔ Exercise") == 2
    assert {(check.HIDDEN[e].rtol, check.HIDDEN[e].atol) for e in check.HIDDEN} == {(check._TOL["rtol"],
                                                                                     check._TOL["atol"])}


# -- the notebook's text ---------------------------------------------------------------------------------------------

def _cells12():
    import nbformat
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "solutions" / "12_from_backprop_to_autodiff.ipynb"
    return {cell.get("id"): cell for cell in nbformat.read(path, as_version=4).cells}


def _visible(source):
    return re.sub(r"<details\b.*?</details>", "", source, flags=re.DOTALL)


def test_why_reverse_counts_a_forward_pass_as_twice_the_function():
    cells = _cells12()
    text = cells["why-reverse"].source
    assert "as much as the function itself" not in text
    assert "costs about twice the function" in text and "as much as the whole of reverse mode" in text
    rows = [line.split() for line in cells["cost-count"].outputs[0]["text"].splitlines()[1:]]
    for m, forward, reverse, _ in ([int(v) for v in row] for row in rows):
        assert forward == m * reverse   # one forward-mode pass costs what all of reverse mode costs


def test_bptt_explosion_claim_is_limited_to_the_scalar_unit_and_points_to_clipping():
    text = _cells12()["bptt-depth-after"].source
    assert "For this scalar unit" in text and "Pascanu, Mikolov and Bengio (2013" in text and "Lesson 10" in text


def test_lesson12_text_gives_no_exercise_answer_away():
    cells = _cells12()
    assert "seeded with 1 on that output" not in cells["gauss-newton"].source
    assert "started\nfrom that output alone" in cells["gauss-newton"].source
    assert "w_{jl}\\,\\delta_l" not in _visible(cells["delta-is-reverse-mode"].source)
    assert "w\\,(1 - h_s^2)" not in cells["bptt-depth"].source


def test_lesson12_letters_do_not_clash_with_the_course():
    cells = _cells12()
    assert "h_s = \\tanh(w\\,h_{s-1} + u\\,x_s)" in cells["bptt"].source
    assert "$n$" not in cells["why-reverse"].source and "$m$ inputs" in cells["summary"].source
    assert "K" not in cells["convolution"].source and "w_{M-1}" in cells["convolution"].source
    assert "p\\,\\text{uses}" not in cells["graphs"].source and "predecessors" in cells["graphs"].source


def test_lesson12_gauss_newton_and_delta_text_are_accurate():
    cells = _cells12()
    gn = cells["gauss-newton"].source
    assert "1/n" in gn and "Hessian-free" in gn and "H = X^\\top X/n" in gn and "one step" in gn
    delta = cells["delta-is-reverse-mode"].source
    assert "\\delta_j/n" in delta
    # verbatim from the seed texts (the Wikipedia article; the glossary entry), each named
    assert ('The Wikipedia article: "Automatic differentiation is a technique that\ncan automatically and '
            'analytically provide the derivatives to the training algorithm."') in delta
    assert ('The glossary\nentry: "Modern frameworks like PyTorch and TensorFlow implement automatic differentiation, '
            'which\ngeneralizes backpropagation to arbitrary computational graphs."') in delta


