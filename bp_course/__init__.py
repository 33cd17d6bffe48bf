"""bp-course: a Jupyter course on the backpropagation algorithm.

The package holds everything the notebooks share, one concept per module:

- :mod:`bp_course.activations` -- phi and phi' side by side (Lesson 03, Eq. 3)
- :mod:`bp_course.losses` -- squared error and softmax cross-entropy (Lessons 01, 08)
- :mod:`bp_course.network` -- a multilayer perceptron whose backward pass is
  the recursive delta rule (Lessons 04-06, Eq. 1-5)
- :mod:`bp_course.gradcheck` -- central differences and relative errors (Lesson 07)
- :mod:`bp_course.linear_neuron` -- the error bowl and gradient descent of Lessons 01-02
- :mod:`bp_course.symbolic` -- checks hand derivations with SymPy and numbers (Lessons 03-04)
- :mod:`bp_course.datasets` -- the seed text's training case and XOR
- :mod:`bp_course.checks` -- the check cells under each exercise
- :mod:`bp_course.release` -- solutions/ to lessons/ (``python -m bp_course release``)

Modules are imported explicitly (``from bp_course import network``); importing
the package itself loads nothing heavy and changes no global settings.
"""

__version__ = "0.1.0"
