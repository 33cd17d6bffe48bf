"""The grader's probe: runs inside the student's kernel, between an exercise's answer cell and its check cell.

The probe cell's source is written by the grader for each run and holds
everything the probe needs: the answer's names, and for a function answer
the inputs drawn at grading time (pickled by the grader: data travels *to*
the kernel that way, never back). It calls the student's function on those
inputs with no reference in reach (a function of the course's own package
assigned as the answer is refused) (the reference runs in the grader), and
shows the results as one output of type :data:`MIME`, plain JSON, which
nbval's run records as the cell runs (:mod:`bp_course.grading.nbval_plugin`).
Nothing is judged here, and no file is read or written, so the working
folder (``os.chdir``) does not matter.
"""

from __future__ import annotations

import base64
import importlib
import json
import pickle

__all__ = ["MIME", "run", "cell_source"]

MIME = "application/vnd.bp-course.probe+json"
"""The MIME type of the probe's one output."""


def cell_source(exercise: str, plan: dict) -> str:
    """The code of the probe cell the grader inserts for an exercise (``plan`` from ``hidden.probe_plan``)."""
    packed = base64.b64encode(pickle.dumps(plan, protocol=4)).decode("ascii")
    return (f"from bp_course.grading import probe as _bp_probe\n"
            f"_bp_probe.run({exercise!r}, {packed!r}, globals())\n"
            f"del _bp_probe")


def _resolve(qualified):
    if qualified is None:
        return None
    module, _, name = qualified.partition(":")
    return getattr(importlib.import_module(module), name)


def run(exercise: str, packed: str, namespace: dict) -> None:
    """Show the student's values for the exercise's hidden checks as one :data:`MIME` output."""
    from IPython.display import display

    from bp_course.checks import hidden

    result = {"exercise": exercise}
    try:
        plan = pickle.loads(base64.b64decode(packed))
        missing = [name for name in plan["names"] if name not in namespace]
        if missing:
            result["missing"] = missing
        elif plan["kind"] == "function":
            fn = namespace[plan["names"][0]]
            cases = plan["cases"]
            origin = str(getattr(fn, "__module__", None) or "")
            if not callable(fn):
                result["values"] = [{"error": "not a function"}] * len(cases)
            elif origin.startswith("bp_course"):  # the course's own function assigned as the answer
                result["values"] = [{"error": f"the course's own {origin}.{getattr(fn, '__name__', '')}, "
                                              "not a function of yours"}] * len(cases)
            else:
                result["values"] = hidden.call_each(fn, cases, _resolve(plan["call"]), _resolve(plan["reduce"]))
        else:
            result["values"] = [hidden.to_json(namespace[name]) for name in plan["names"]]
        text = json.dumps(result, allow_nan=True)
    except Exception as error:  # a probe never raises into the notebook; the grader sees the error
        text = json.dumps({"exercise": exercise, "error": f"{type(error).__name__}: {error}"[:300]})
    display({MIME: text}, raw=True)
