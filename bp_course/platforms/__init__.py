"""The course on the grading platforms instructors already use.

* :mod:`.gradescope`: ``python -m bp_course autograder --lesson NN --out DIR``
  builds a Gradescope autograder zip whose ``run_autograder`` grades the one
  submission with the course's own sandboxed grader
  (:mod:`bp_course.grading`) and writes Gradescope's ``results.json``.
* :mod:`.nbgrader`: ``python -m bp_course export-nbgrader --out DIR`` writes
  the lessons with nbgrader's cell metadata, for a course already on
  nbgrader.

Both build on the grader's public functions and reports; neither changes
how a submission is graded.
"""
