"""Auto-grading for instructors: ``python -m bp_course grade SUBMISSION... [--out DIR]``.

Grading is stricter than a student's own ``pytest --nbval-lax``, because a
student's file can be made to pass nbval without a right answer (deleted or
re-tagged check cells, stored outputs, input transformers, monkeypatched
NumPy). So the grader

1. **rebuilds** each notebook from the course's released lesson, taking only
   the source of the answer cells from the student (:mod:`.submission`);
2. **runs** it under ``pytest --nbval-lax`` in a temporary folder with
   per-cell and overall timeouts, filling every exercise but the one being
   judged from the reference solution (:mod:`.runner`);
3. **judges hidden checks outside the kernel**, on inputs drawn at grading
   time (:mod:`bp_course.checks.hidden`, :mod:`.probe`);
4. **flags** answer code that reaches into the machinery (:mod:`.suspicious`);
5. **reports**: a table, a gradebook CSV, feedback per student, autograder
   JSON, with the submission's SHA-256 and the versions used (:mod:`.reports`),
   every piece of student text escaped for where it lands (:mod:`.safetext`).

The student's file is only ever read, and every file of a class is read and
hashed before the first kernel starts; symbolic links are refused.
"""

import importlib

__all__ = ["Policy", "StudentResult", "collect", "grade_all", "load_policy"]


def __getattr__(name):
    """Load :mod:`.batch` on first use: the kernel's probe and pytest's plugin import this package's
    small modules, and should not pay for nbformat, SymPy and the rest of the grader."""
    if name in __all__ or name == "batch":
        batch = importlib.import_module("bp_course.grading.batch")
        return batch if name == "batch" else getattr(batch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
