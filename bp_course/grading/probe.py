"""The grader's probe: runs inside the student's kernel, right after an exercise's check cell.

It reads the exercise's hidden inputs (pickled by the grader), computes the
student's values with :mod:`bp_course.checks.hidden`, and writes them as
plain JSON. Nothing is judged here: the grading process reads the JSON and
compares, so code in the kernel cannot change a verdict.
"""

from __future__ import annotations

import json
import pickle

__all__ = ["run", "cell_source"]


def cell_source(exercise: str) -> str:
    """The code of the probe cell the grader inserts for an exercise."""
    return (f"from bp_course.grading import probe as _bp_probe\n"
            f"_bp_probe.run({exercise!r}, globals())\n"
            f"del _bp_probe")


def run(exercise: str, namespace: dict) -> None:
    """Write ``probe-<exercise>.json`` with the student's values for the exercise's hidden checks."""
    from bp_course.checks import hidden

    result = {"exercise": exercise}
    try:
        spec = hidden.spec(exercise)
        missing = [name for name in spec.names if name not in namespace]
        if missing:
            result["missing"] = missing
        elif isinstance(spec, hidden.Function):
            with open(f"inputs-{exercise}.pkl", "rb") as file:
                cases = pickle.load(file)
            fn = namespace[spec.name]
            result["values"] = spec.results(fn, cases) if callable(fn) else [{"error": "not a function"}] * len(cases)
        else:
            result["values"] = [hidden.to_json(namespace[name]) for name in spec.names]
    except Exception as error:  # a probe never raises into the notebook; the grader sees the error
        result["error"] = f"{type(error).__name__}: {error}"[:300]
    with open(f"probe-{exercise}.json", "w", encoding="utf-8") as file:
        json.dump(result, file)
