"""Check cells: the feedback a learner gets under each exercise.

A check cell calls one function of the lesson's module, for example::

    from bp_course.checks import lesson00 as check
    check.squared_error(squared_error)

and either prints one success line or raises

* :class:`NotAttempted` when the answer is still the released stub, or
* :class:`CheckFailed` with what was expected, what was got, and the likely
  mistake ("your values are exactly twice the expected ones: did you forget
  the 1/2?").

Both show as a short message in the notebook, without a traceback into this
package. Errors that happen before a check runs (a ``NameError`` for an
answer's name, arithmetic on a ``...`` placeholder) are explained by
:mod:`bp_course.checks.missing`. The shared machinery is in
:mod:`bp_course.checks.core`; each lesson's checks live in their own module
(``lesson00``, ``lesson01``, ...).
"""

from bp_course.checks import missing
from bp_course.checks.core import CheckFailed, NotAttempted

__all__ = ["CheckFailed", "NotAttempted"]

missing.install()  # in a kernel: a cell that fails on a missing answer names the exercise (bp_course.checks.missing)
