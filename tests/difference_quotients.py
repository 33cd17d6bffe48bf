"""Difference-quotient answers to every derivation exercise: what a learner types to skip the derivation.

Issue 12's red team: ``(phi(z + 0.00001) - phi(z - 0.00001)) / (2*0.00001)`` passed 03.1, as its numbers agree
with the derivative to 10 digits. Each exercise's function is written in the names its answers may use; from it
``quotients(exercise)`` builds a central, a one-sided and a Richardson-extrapolated (order 4) quotient. Where
the function is a polynomial of degree 2 or less in the variable (04.1, 04.3), the central quotient equals the
derivative exactly; it is refused for stepping the variable, not for its values.
"""

EXERCISES = {  # exercise -> (lesson check, hidden name, variable, the differentiated function of that variable)
    "03.1": ("lesson03", "logistic_derivative", "z", lambda u: f"phi({u})"),
    "03.3": ("lesson03", "tanh_derivative", "z", lambda u: f"tanh({u})"),
    "04.1": ("lesson04", "dE_dy", "y", lambda u: f"0.5*(t - ({u}))**2"),
    "04.2": ("lesson04", "dy_dnet", "net", lambda u: f"phi({u})"),
    "04.3": ("lesson04", "dnet_dw1", "w1", lambda u: f"(({u})*x1 + w2*x2)"),
    "04.4": ("lesson04", "dE_dw1", "w1", lambda u: f"0.5*(t - phi(({u})*x1 + w2*x2))**2"),
    "08.4": ("lesson08", "softmax_slope", "net2", lambda u: f"exp(net1)/(exp(net1) + exp({u}) + exp(net3))"),
    "08.5": ("lesson08", "output_delta", "net1",
             lambda u: f"(-t1*log(exp({u})/(exp({u}) + exp(net2) + exp(net3))) "
                       f"- t2*log(exp(net2)/(exp({u}) + exp(net2) + exp(net3))) "
                       f"- t3*log(exp(net3)/(exp({u}) + exp(net2) + exp(net3))))"),
}


def quotients(exercise: str) -> dict:
    """``{"central": ..., "one-sided": ..., "Richardson": ...}``: difference quotients of the exercise's function."""
    _, _, v, f = EXERCISES[exercise]
    h, r = "0.00001", "0.001"
    return {
        "central": f"({f(f'{v} + {h}')} - {f(f'{v} - {h}')})/(2*{h})",
        "one-sided": f"({f(f'{v} + {h}')} - {f(v)})/{h}",
        "Richardson": f"(8*({f(f'{v} + {r}')} - {f(f'{v} - {r}')}) - ({f(f'{v} + 2*{r}')} - {f(f'{v} - 2*{r}')}))"
                      f"/(12*{r})",
    }


CASES = [(exercise, kind, text) for exercise in EXERCISES for kind, text in quotients(exercise).items()]
IDS = [f"{exercise}-{kind}" for exercise, kind, _ in CASES]


def of_lesson(number: str) -> list:
    """The cases of one lesson's exercises (``"03"``), for ``pytest.mark.parametrize``."""
    return [case for case in CASES if case[0].startswith(number + ".")]


def assert_refused_with_a_kind_hint(check, exercise: str, text: str) -> None:
    """The lesson's visible check of ``exercise`` refuses the quotient ``text``, naming it a difference quotient."""
    import pytest

    from bp_course.checks.core import CheckFailed

    with pytest.raises(CheckFailed) as info:
        getattr(check, EXERCISES[exercise][1])(text)
    message = info.value.message
    assert "is not right yet.\nHint: this is a" in message and "difference quotient" in message
    assert "numerical approximation of the derivative (a difference quotient), not the derivative itself" in message \
        or "happens to equal the derivative exactly" in message
