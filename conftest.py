"""Test-session settings shared by the unit tests and the package's doctests.

Figures are drawn with the non-interactive Agg backend and closed after each
test, so the plot and widget tests neither need a display nor collect figures.
"""

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
