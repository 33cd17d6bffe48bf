"""Browser tests: the course in JupyterLab, driven by headless Chromium through Playwright (issue 16).

Where Playwright or Chromium is missing the tests are skipped with one
reason; with ``BP_COURSE_REQUIRE_BROWSER=1`` (as in ``.ci/run``) that is a
failure instead. One JupyterLab serves a temporary copy of the course for
the whole session; each lesson is run once (:class:`LessonRuns`) and the
tests judge what that run recorded, in any order.
"""

from __future__ import annotations

import functools
import os

import jupyterlab_driver as driver
import pytest


@functools.cache
def _missing() -> str | None:
    return driver.requirements_missing()


def pytest_runtest_setup(item):
    """Skip every test that needs the browser, from this one place, so pytest folds the skips into one line.

    (A skip raised in a fixture is reported at each test's own line.) Under
    ``BP_COURSE_REQUIRE_BROWSER=1`` a missing browser fails those tests instead.
    """
    if "browser_available" not in item.fixturenames or _missing() is None:
        return
    if os.environ.get("BP_COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{_missing()}; BP_COURSE_REQUIRE_BROWSER=1 makes this a failure", pytrace=False)
    pytest.skip(_missing())


@pytest.fixture(scope="session")
def browser_available():
    """Marks a test as needing Playwright and Chromium (checked in :func:`pytest_runtest_setup`)."""
    assert _missing() is None


@pytest.fixture(scope="session")
def jupyterlab(browser_available, tmp_path_factory):
    """JupyterLab on a free loopback port with a random token, serving a copy of the course."""
    base = tmp_path_factory.mktemp("jupyterlab")
    lab = driver.JupyterLab(driver.copy_course(base / "course"), base / "home")
    try:
        yield lab.start()
    finally:
        lab.stop()


@pytest.fixture(scope="session")
def browser(browser_available):
    """Headless Chromium from the system (Playwright's own browser download is never used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=driver.chromium_path())
        try:
            yield chromium
        finally:
            chromium.close()


def _parabola_at_its_ends(page, interacts, folder) -> dict:
    """Lesson 01: the parabola explorer at y = -2 and y = 2, the ends of its slider (where the old axes jumped most)."""
    parabola = interacts.filter(has=page.page.locator(".widget-label", has_text="output y")).first
    shown = []
    for value in ("-2", "2"):
        driver.set_slider(page, parabola, "output y", value)
        shot = page.screenshot(folder / f"01-parabola-at-y{value}.png", driver.explorer_area(parabola))
        shown.append((f"y = {value}", shot, driver.png_of(driver.figure_src(parabola))))
    return {"parabola_figures": shown}


def _lesson01(page, interacts, folder) -> dict:
    """Lesson 01: set the bowl explorer to w = (1, -1), where E = 0 (exercise 01.3), and look for the point;
    then the parabola explorer at the ends of its slider."""
    bowl = interacts.filter(has=page.page.locator(".widget-label", has_text="weight w2")).first
    driver.set_slider(page, bowl, "weight w1", "1")
    driver.set_slider(page, bowl, "weight w2", "-1")
    shot = folder / "01-bowl-at-E0.png"
    png = driver.explorer_figure(bowl).screenshot(path=str(shot))
    width = driver.pixels(png).shape[1]
    return {"bowl_point_pixels": driver.colour_pixels(png, "#D55E00", columns=slice(0, width // 2)),
            "bowl_screenshot": shot, **_parabola_at_its_ends(page, interacts, folder)}


SCENARIOS = {"01": _lesson01}
#: Lessons saved and reopened after their run (one suffices: every explorer is saved the same way).
REOPENED = {"01"}

#: Seconds per lesson run and the screenshot folders, for the summary at the end of the session.
TIMINGS: dict[str, float] = {}
FOLDERS: dict[str, str] = {}


class LessonRuns:
    """Each lesson run once per session, on first request: solved (run all, explored) or unsolved (cell by cell).

    A run that raised (a timeout, a crash) raises the same error for every
    test that asks for it, instead of running the lesson again.
    """

    def __init__(self, tab, base):
        self.tab, self.base, self.runs, self.errors = tab, base, {}, {}

    def get(self, name: str, *, unsolved: bool = False):
        """The run of ``solutions/<name>`` (a ``LessonRun``), or with ``unsolved`` of ``lessons/<name>`` (an ``UnsolvedRun``)."""
        key = f"{name[:2]}-unsolved" if unsolved else name[:2]
        if key in self.errors:
            raise RuntimeError(f"the run of {key} failed earlier: {self.errors[key]}")
        if key not in self.runs:
            try:
                self.runs[key] = (driver.run_unsolved(self.tab, name, self.base / key) if unsolved
                                  else self._run(name))
            except Exception as error:
                self.errors[key] = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
                raise
            TIMINGS[key] = self.runs[key].seconds
            FOLDERS[key] = str(self.base / key)
        return self.runs[key]

    def _run(self, name: str) -> driver.LessonRun:
        return driver.run_lesson(self.tab, name, self.base / name[:2], driver.raising_cells(name),
                                 len(driver.explorer_cells(name)), scenario=SCENARIOS.get(name[:2]),
                                 reopen_saved=name[:2] in REOPENED)


@pytest.fixture(scope="session")
def lab_page(browser, jupyterlab):
    """The one browser tab with JupyterLab that every test opens its notebooks in."""
    tab = driver.LabPage(browser, jupyterlab)
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def lesson_runs(lab_page, tmp_path_factory) -> LessonRuns:
    return LessonRuns(lab_page, tmp_path_factory.mktemp("screenshots"))


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        times = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(TIMINGS.items()))
        terminalreporter.write_line(f"browser runs per lesson: {times} (total {sum(TIMINGS.values()):.0f} s)")
        terminalreporter.write_line(f"browser screenshots: {os.path.dirname(next(iter(FOLDERS.values())))}")
