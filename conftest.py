"""Test-session settings shared by the unit tests and the package's doctests.

Figures are drawn with the non-interactive Agg backend and closed after each
test, so the plot and widget tests neither need a display nor collect figures.
"""

import matplotlib
import pytest

matplotlib.use("Agg")

# `--doctest-modules` would import each conftest.py once more as a module named "conftest", and
# tests/conftest.py and tests/browser/conftest.py would clash; they hold fixtures, not doctests.
collect_ignore = ["tests/conftest.py", "tests/browser/conftest.py"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
