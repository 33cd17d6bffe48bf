"""Every explorer of bp_course.widgets, built on the course's data: one table for the tests of their layout and size."""

from bp_course import datasets, widgets

X1, T1 = datasets.training_case()
X2, T2 = datasets.two_cases()

EXPLORERS = {
    "parabola_explorer": lambda: widgets.parabola_explorer(t=0.0),
    "bowl_explorer": lambda: widgets.bowl_explorer(X1, T1),
    "descent_explorer": lambda: widgets.descent_explorer(X2, T2),
    "activation_explorer": lambda: widgets.activation_explorer(),
    "depth_scale_explorer": lambda: widgets.depth_scale_explorer(),
    "momentum_explorer": lambda: widgets.momentum_explorer(X2, T2),
}
"""``{name in widgets: () -> the explorer}``."""
