"""How the browser tests are skipped, required and installed (no browser needed to run these)."""

import os
import re
import subprocess
import sys

import jupyterlab_driver as driver
import pytest

ROOT = driver.ROOT


def _pytest_without_chromium(**env):
    """Run the browser lesson tests in a subprocess where Chromium cannot be found."""
    environment = {key: value for key, value in os.environ.items() if key != "BP_COURSE_REQUIRE_BROWSER"}
    environment.update(BP_COURSE_CHROMIUM=str(ROOT / "no-such-chromium"), **env)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly", "-p", "no:cacheprovider",
                           "--color=no", "tests/browser/test_browser_lessons.py"],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


def test_a_missing_chromium_skips_the_browser_tests_with_one_reason():
    result = _pytest_without_chromium()
    assert result.returncode == 0, result.stdout[-2000:]
    reasons = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(reasons) == 1, result.stdout[-2000:]
    assert "browser tests need Chromium" in reasons[0] and "BP_COURSE_CHROMIUM" in reasons[0]
    assert " passed" not in result.stdout and " failed" not in result.stdout


def test_a_missing_chromium_fails_when_the_browser_is_required():
    result = _pytest_without_chromium(BP_COURSE_REQUIRE_BROWSER="1")
    assert result.returncode != 0, result.stdout[-2000:]
    assert "BP_COURSE_REQUIRE_BROWSER=1 makes this a failure" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1], result.stdout.splitlines()[-1]


def test_a_missing_playwright_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright", None)  # `import playwright...` now raises ImportError
    monkeypatch.setenv("BP_COURSE_CHROMIUM", sys.executable)  # an executable file: Chromium is "there"
    reason = driver.requirements_missing()
    assert reason == 'browser tests need Playwright (pip install -e ".[browser]")'


def test_nothing_is_missing_when_both_are_there(monkeypatch):
    pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("BP_COURSE_CHROMIUM", sys.executable)
    assert driver.requirements_missing() is None


def test_readme_ci_and_pyproject_install_and_run_the_browser_tests():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extra = re.search(r'^browser = \["(playwright[^"]*)"\]$', pyproject, re.M)
    assert extra and extra.group(1).startswith("playwright>="), "pyproject.toml lacks the browser extra"
    commands = [block.strip() for block in re.findall(r"```(?:bash|sh)\n(.*?)```", readme, flags=re.S)]
    browser = [c for c in commands if c.endswith("pytest tests/browser")]
    assert browser and "apt-get install -y chromium" in browser[0] and 'pip install -e ".[browser]"' in browser[0]
    assert "apt-get install -y -q chromium" in ci and 'pip install -q -e ".[browser]"' in ci
    assert "export BP_COURSE_REQUIRE_BROWSER=1" in ci
    assert "BP_COURSE_REQUIRE_BROWSER=1" in readme and "BP_COURSE_CHROMIUM" in readme
