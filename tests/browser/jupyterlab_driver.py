"""Drive the course in JupyterLab with headless Chromium, as a learner meets it (issue 16).

The pieces the browser tests share:

- :func:`requirements_missing` says in one line why the browser tests cannot
  run here (no Playwright, no Chromium), or ``None``;
- :func:`copy_course` and :class:`JupyterLab`: JupyterLab on a free loopback
  port with a random token, serving a temporary copy of the course with
  settings of its own, started and shut down by the test session;
- :class:`LabPage` is the one browser tab with JupyterLab, and
  :class:`NotebookPage` one notebook open in it: menus, the editor, the
  kernel, the outputs;
- :func:`run_lesson` opens a solved lesson, runs all its cells, records what
  the page shows (errors, figures, widgets) and moves every explorer's
  sliders; :func:`run_unsolved` runs a released lesson through, past its
  errors. The tests judge the :class:`LessonRun` and :class:`UnsolvedRun`
  they return.

Nothing here imports Playwright at module level, so collecting the tests
works (and skips them) where it is not installed. Every wait is on a
condition (a selector, the kernel's status, a changed image), with generous
timeouts, never a fixed sleep.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Generous limits (milliseconds): reached only when something is broken, never paced on.
START_TIMEOUT_S = 180
OPEN_TIMEOUT_MS = 120_000
RUN_ALL_TIMEOUT_MS = 600_000
UPDATE_TIMEOUT_MS = 120_000

VIEWPORT = {"width": 1366, "height": 900}

STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]'
# A widget whose front end did not load shows its text/plain repr instead.
WIDGET_AS_TEXT = re.compile(r"\b(interactive|[A-Z]\w*(Slider|Box|Dropdown|Output|Button|Text))\((children|value|options)=")


# -- can the browser tests run here? ----------------------------------------------------

def chromium_path() -> str | None:
    """The Chromium executable: ``$BP_COURSE_CHROMIUM``, else ``chromium`` or ``chromium-browser`` on PATH."""
    explicit = os.environ.get("BP_COURSE_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def requirements_missing() -> str | None:
    """One line naming what the browser tests lack here, or None when they can run."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append('Playwright (pip install -e ".[browser]")')
    if chromium_path() is None:
        missing.append("Chromium (apt-get install chromium, or set BP_COURSE_CHROMIUM)")
    if not missing:
        return None
    return "browser tests need " + " and ".join(missing)


# -- the lessons ------------------------------------------------------------------------

LESSONS = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))
EXPLORER_CALL = re.compile(r"\bwidgets\.\w+_explorer\(")


def solution(name: str) -> dict:
    return json.loads((ROOT / "solutions" / name).read_text(encoding="utf-8"))


def code_cells(name: str) -> list[tuple[int, dict]]:
    return [(i, c) for i, c in enumerate(solution(name)["cells"]) if c["cell_type"] == "code"]


def explorer_cells(name: str) -> list[int]:
    """Cells of the solved lesson that display a slider explorer."""
    return [i for i, c in code_cells(name) if EXPLORER_CALL.search("".join(c["source"]))]


def raising_cells(name: str) -> set[int]:
    """Cells tagged ``raises-exception``: meant to show an error."""
    return {i for i, c in code_cells(name) if "raises-exception" in c.get("metadata", {}).get("tags", [])}


def stored_figures(name: str) -> int:
    """Figures stored in the solved lesson (an explorer's cell stores the figure of its last setting)."""
    return sum("image/png" in o.get("data", {}) for _, c in code_cells(name) for o in c.get("outputs", []))


# -- the server ---------------------------------------------------------------------------

def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_course(target: Path) -> Path:
    """Copy the notebooks a learner opens (``lessons/``, ``solutions/``) into ``target``.

    ``unsolved/`` gets the lessons' code cells once more, each tagged
    ``raises-exception`` and numbered with its index in the lesson (see
    :func:`run_unsolved`; the text cells are left out, they would only add
    rendering time to a run that judges code cells). The kernels import
    ``bp_course`` from this repository (its root is put first on
    ``PYTHONPATH``), so the package under test is the checkout's.
    """
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("lessons", "solutions"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (target / "unsolved").mkdir()
    for lesson in sorted((ROOT / "lessons").glob("*.ipynb")):
        notebook = json.loads(lesson.read_text(encoding="utf-8"))
        code = []
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] == "code":
                metadata = cell.setdefault("metadata", {})
                metadata["tags"] = sorted(set(metadata.get("tags", [])) | {"raises-exception"})
                metadata["lesson_index"] = index
                code.append(cell)
        notebook["cells"] = code
        (target / "unsolved" / lesson.name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return target


#: User settings of the test's JupyterLab. No news or update pop-ups over the notebook; every cell
#: attached to the page ("none" windowing: JupyterLab's default attaches cells lazily, so a page
#: that is idle may not hold the last cells yet). Each cell renders as it does for a learner.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


class JupyterLab:
    """JupyterLab serving ``root_dir`` on ``127.0.0.1`` with a random token.

    Its configuration, data, runtime, settings and workspace folders live
    under ``home``, so neither the user's settings nor earlier runs change
    what the tests see (:data:`SETTINGS`).
    """

    def __init__(self, root_dir: Path, home: Path):
        self.root_dir, self.home = Path(root_dir), Path(home)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    def _environment(self) -> dict:
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)  # the kernel must use the inline backend, as for a learner
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        for variable, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                                 ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                                 ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")):
            env[variable] = str(self.home / folder)
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        for plugin, settings in SETTINGS.items():
            path = self.home / "settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        return env

    def start(self) -> "JupyterLab":
        """Start the server and wait until its API answers (fails with the log's tail otherwise)."""
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                   f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root_dir}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.home.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, cwd=self.root_dir, env=self._environment(), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                try:  # poll again in a moment, or at once when the server exits
                    self.process.wait(timeout=0.25)
                except subprocess.TimeoutExpired:
                    pass
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def api(self, method: str, path: str, body: dict | None = None):
        """Call the server's REST API with the token; the decoded JSON answer (or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def url(self, path: str, workspace: str) -> str:
        """The address that opens ``path`` (relative to the root) in a workspace of its own."""
        return f"{self.base}/lab/workspaces/{workspace}/tree/{path}?token={self.token}"

    def shut_down_kernels(self) -> None:
        """End every session (and its kernel), so the next lesson starts on an idle machine."""
        for session in self.api("GET", "/api/sessions") or []:
            try:
                self.api("DELETE", f"/api/sessions/{session['id']}")
            except urllib.error.HTTPError:
                pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Shut the kernels and the server down; end any that linger, by process id.

        The server runs in a process group of its own; each kernel runs in
        another, and is found by its connection file in this server's runtime
        folder, so nothing but this server's processes is ever signalled.
        """
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.shut_down_kernels()
                self.api("POST", "/api/shutdown")
                self.process.wait(timeout=30)
            except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        for pid in self._kernel_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _kernel_pids(self) -> list[int]:
        """Processes still running whose command line names this server's runtime folder (Linux)."""
        marker = str(self.home / "runtime").encode()
        found = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if marker in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
        return found


# -- pixels -------------------------------------------------------------------------------

def pixels(png: bytes):
    """The RGB pixels of a PNG as an array of shape (height, width, 3)."""
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def blank_fraction(png: bytes) -> float:
    """The share of pixels that differ from the image's most common colour (0 for a blank image)."""
    import numpy as np

    rgb = pixels(png).reshape(-1, 3).astype(np.uint32)
    if rgb.size == 0:
        return 0.0
    packed = (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]  # one number per colour: a 1-D count is fast
    colours, counts = np.unique(packed, return_counts=True)
    return 1.0 - counts.max() / len(packed)


def same_pixels(a: bytes, b: bytes) -> bool:
    """Whether two screenshots show exactly the same pixels."""
    import numpy as np

    pa, pb = pixels(a), pixels(b)
    return pa.shape == pb.shape and bool(np.array_equal(pa, pb))


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "slider"


# -- one notebook in a browser tab --------------------------------------------------------

_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# The status bar's kernel item reads "Python 3 (ipykernel) | Idle" once the kernel is connected and
# idle; the toolbar's indicator alone also says idle while the kernel is still starting.
_KERNEL_IDLE = """() => {
  const status = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
  const kernel = document.querySelector('#jp-main-statusbar .jp-StatusBar-TextItem[title^="Change kernel"]');
  const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')];
  return status !== null && status.dataset.status === 'idle' && kernel !== null
    && /\\| Idle$/.test(kernel.textContent) && !kernel.textContent.startsWith('No Kernel')
    && !prompts.some(p => p.textContent.includes('*'));
}"""

_RUN_FINISHED = """() => {
  const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && /\\d/.test(prompts[0].textContent) && (""" + _KERNEL_IDLE + """)();
}"""

_CELL = """cell => ({
  index: Number(cell.dataset.windowedListIndex),
  code: cell.classList.contains('jp-CodeCell'),
  prompt: (cell.querySelector('.jp-InputPrompt') || {}).textContent || '',
  errors: [...cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')].map(e => e.textContent),
  plain: [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="text/plain"]')].map(e => e.textContent),
  output: (cell.querySelector('.jp-Cell-outputArea') || {}).textContent || '',
})"""

_CELLS = ("() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')].map("
          + _CELL + ")")


class LabPage:
    """One browser tab with JupyterLab, kept for the whole session; notebooks are opened in it one at a time.

    Loading JupyterLab's front end takes seconds, so it is loaded once;
    each later notebook is opened the way a learner opens a file by name
    (File → Open from Path…) after the previous one was closed.
    """

    def __init__(self, browser, lab: JupyterLab):
        self.browser, self.lab = browser, lab
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.set_default_timeout(OPEN_TIMEOUT_MS)
        self.page = self.context.new_page()
        self.loaded = False
        self.current: NotebookPage | None = None

    def open(self, path: str) -> "NotebookPage":
        """Open ``path`` (relative to JupyterLab's root) and wait until all its cells and its kernel are ready."""
        if self.current is not None:
            self.current.close()
        if not self.loaded:
            self.page.goto(self.lab.url(path, "browser-tests") + "&reset")
            self.loaded = True
        else:
            menu(self.page, "File", "Open from Path…")
            field = self.page.locator(".jp-Dialog input")
            field.fill(path)
            field.press("Enter")
        self.current = NotebookPage(self, path)
        return self.current

    def reset(self) -> None:
        """Start over in a fresh browser context (after a run that failed half-way and left the tab in any state)."""
        self.context.close()
        self.lab.shut_down_kernels()
        self.__init__(self.browser, self.lab)

    def close(self) -> None:
        self.context.close()


def menu(page, menu: str, item: str) -> None:
    """Click ``menu`` in JupyterLab's menu bar, then its entry ``item`` (as a learner would)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).click()


class NotebookPage:
    """A notebook open in the session's JupyterLab tab (see :meth:`LabPage.open`)."""

    #: How long an explorer's figure may take to be redrawn after a slider moved (milliseconds).
    update_timeout = UPDATE_TIMEOUT_MS

    def __init__(self, tab: LabPage, path: str):
        self.tab, self.lab, self.page, self.path = tab, tab.lab, tab.page, path
        self.panel = self.page.locator(_PANEL)
        self.wait_open()

    def wait_open(self) -> None:
        """Wait until this notebook's tab is current, every cell is on the page (JupyterLab adds them in
        chunks) and the kernel is idle."""
        count = len(json.loads((self.lab.root_dir / self.path).read_text(encoding="utf-8"))["cells"])
        self.page.wait_for_function(
            """([name, n]) => {
              const tab = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel');
              return tab !== null && tab.textContent === name
                && document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell').length === n;
            }""", arg=[Path(self.path).name, count], timeout=OPEN_TIMEOUT_MS, polling=100)
        self.wait_idle()

    def close(self) -> None:
        """Shut the notebook's kernel down and close its tab, discarding its changes (the copy stays as it was)."""
        self.lab.shut_down_kernels()
        menu(self.page, "File", "Close Tab")
        name = Path(self.path).name
        self.page.wait_for_function(  # a changed notebook asks first; an unchanged one closes at once
            """name => document.querySelector('.jp-Dialog') !== null || ![...document.querySelectorAll(
                 '#jp-main-dock-panel .lm-TabBar-tabLabel')].some(label => label.textContent === name)""",
            arg=name, timeout=OPEN_TIMEOUT_MS, polling=100)
        if self.page.locator(".jp-Dialog").count():
            self.page.locator(".jp-Dialog button", has_text=re.compile("^Discard$")).click()
        self.page.locator("#jp-main-dock-panel .lm-TabBar-tabLabel", has_text=re.compile(f"^{re.escape(name)}$")
                          ).wait_for(state="detached")
        if self.tab.current is self:
            self.tab.current = None

    # kernel
    def wait_idle(self, timeout: float = RUN_ALL_TIMEOUT_MS) -> None:
        """Wait until the notebook's kernel is idle and no cell waits to run."""
        self.page.wait_for_function(_KERNEL_IDLE, timeout=timeout, polling=100)

    # menus and keys
    def menu(self, menu_name: str, item: str) -> None:
        """Click ``menu_name`` in the menu bar, then its entry ``item``."""
        menu(self.page, menu_name, item)

    def run_all(self) -> None:
        """Edit → Clear Outputs of All Cells, Run → Run All Cells, and wait until the last cell ran."""
        self.menu("Edit", "Clear Outputs of All Cells")
        self.menu("Run", "Run All Cells")
        self.page.wait_for_function(_RUN_FINISHED, timeout=RUN_ALL_TIMEOUT_MS, polling=250)

    def save(self) -> None:
        """File → Save Notebook, and wait until the tab no longer marks unsaved changes."""
        self.menu("File", "Save Notebook")
        self.page.locator(".lm-TabBar-tab.jp-mod-dirty").first.wait_for(state="detached")

    # cells
    def cell(self, index: int):
        """The cell at ``index`` (0-based, as in the .ipynb file)."""
        return self.panel.locator(f'.jp-Notebook .jp-Cell[data-windowed-list-index="{index}"]')

    def cells(self) -> list[dict]:
        """What every cell shows: its prompt, error outputs, plain-text outputs and all output text."""
        return self.page.evaluate(_CELLS)

    def type_into(self, index: int, source: str) -> None:
        """Click into the cell's editor, select all, and type ``source`` (auto-indent undone line by line)."""
        editor = self.cell(index).locator(".jp-Cell-inputArea .cm-content")
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        for number, line in enumerate(source.splitlines()):
            if number:
                self.page.keyboard.press("Enter")
                self.page.keyboard.press("Shift+Home")  # the editor indents after ':'; the source says how much
                self.page.keyboard.press("Delete")
            self.page.keyboard.insert_text(line)
        if editor.text_content() != source.replace("\n", ""):
            raise AssertionError(f"typed {source!r}, the editor of cell {index} holds {editor.text_content()!r}")

    def shift_enter(self, index: int) -> dict:
        """Press Shift+Enter in the selected cell ``index`` (run it, select the next) and wait until it ran.

        Returns what the cell shows then (as in :meth:`cells`).
        """
        # The prompt goes to "[*]:" while the cell runs, then to its new count, which may read as the
        # old one (a fresh kernel counts again from 1): watch for the "*" instead of comparing numbers.
        self.cell(index).evaluate("""cell => {
            const prompt = cell.querySelector('.jp-InputPrompt');
            delete cell.dataset.bpRan;
            const seen = new MutationObserver(() => {
              if (prompt.textContent.includes('*')) { cell.dataset.bpRan = '1'; seen.disconnect(); } });
            seen.observe(prompt, {childList: true, characterData: true, subtree: true});
        }""")
        self.page.keyboard.press("Shift+Enter")
        self.page.wait_for_function(
            """index => {
              const cell = document.querySelector(`.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell[data-windowed-list-index="${index}"]`);
              const prompt = cell.querySelector('.jp-InputPrompt').textContent;
              return cell.dataset.bpRan === '1' && /\\d/.test(prompt) && (""" + _KERNEL_IDLE + """)();
            }""", arg=index, timeout=RUN_ALL_TIMEOUT_MS, polling=50)
        return self.cell_state(index)

    def select(self, index: int) -> None:
        """Select cell ``index`` in command mode (a click on its prompt)."""
        self.cell(index).locator(".jp-InputPrompt").click()
        self.cell(index).and_(self.page.locator(".jp-mod-active")).wait_for()

    def cell_state(self, index: int) -> dict:
        """What cell ``index`` shows (as in :meth:`cells`)."""
        return self.cell(index).evaluate(_CELL)

    def screenshot(self, path: Path, locator=None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        (locator or self.page).screenshot(path=str(path))
        return path


# -- a solved lesson, run and explored -----------------------------------------------------

@dataclass
class Figure:
    cell: int
    natural_width: int   # 0 when the browser could not decode the image
    shown_width: float   # on the page, in px
    room: float          # the width of the output area the figure sits in
    ink: float           # share of pixels not in the background colour (0 for a blank image)
    screenshot: Path | None = None


@dataclass
class Explorer:
    cell: int
    screenshots: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    controls: list = field(default_factory=list)      # descriptions of the sliders and drop-downs moved
    slider_lefts: list = field(default_factory=list)  # left edge of each slider's track, in px
    figures: list = field(default_factory=list)       # (setting, screenshot, PNG bytes of the figure) at each step


@dataclass
class LessonRun:
    name: str
    seconds: float
    cells: list
    figures: list
    explorers: list
    expected_errors: set
    folder: Path
    extra: dict = field(default_factory=dict)
    reopened: dict = field(default_factory=dict)

    shots: dict = field(default_factory=dict)        # cell index -> screenshot of a cell with a problem

    def _where(self, index: int) -> str:
        shot = self.shots.get(index)
        return f"cell {index} of {self.name}" + (f" (see {shot})" if shot else "")

    def problems(self) -> list[str]:
        """Errors (outside cells meant to raise), cells that did not run."""
        found = []
        for cell in self.cells:
            if not cell["code"]:
                continue
            where = self._where(cell["index"])
            if not re.search(r"\d", cell["prompt"]):
                found.append(f"{where} did not run (prompt {cell['prompt']!r})")
            if cell["index"] in self.expected_errors:
                if not cell["errors"]:
                    found.append(f"{where} is tagged raises-exception but shows no error")
            elif cell["errors"]:
                found.append(f"{where} shows an error: {cell['errors'][0][:600]}")
        return found

    def widget_problems(self) -> list[str]:
        """Widgets that did not render: the widget manager's messages, a widget shown as its text."""
        found = []
        for cell in self.cells:
            where = self._where(cell["index"])
            for message in ("Error displaying widget", "Loading widget..."):
                if message in cell["output"]:
                    found.append(f"{where} says: {message}")
            for text in cell["plain"]:
                if WIDGET_AS_TEXT.search(text):
                    found.append(f"{where} shows a widget as plain text: {text[:200]!r}")
        return found

    def cells_with_problems(self) -> set[int]:
        """The cells :meth:`problems` or :meth:`widget_problems` report (photographed by :func:`run_lesson`)."""
        return {int(re.match(r"cell (\d+)", p).group(1)) for p in self.problems() + self.widget_problems()}


def png_of(src: str) -> bytes:
    """The PNG bytes of an ``<img>``'s ``data:image/png;base64,...`` source (empty for anything else)."""
    prefix = "data:image/png;base64,"
    return base64.b64decode(src[len(prefix):]) if src and src.startswith(prefix) else b""


#: The share of a figure's pixels that must differ from its background: an empty canvas has none.
MIN_INK = 0.005


def record_figures(page: NotebookPage, name: str, folder: Path) -> list[Figure]:
    """Every figure in the outputs: decoded by the browser and here, its size as shown, its share of ink.

    A figure that looks blank or did not decode is also photographed as shown
    (``Figure.screenshot``), for the failure message.
    """
    facts = page.page.evaluate("""() => [...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-OutputArea-output img')].map(img => ({
      cell: Number(img.closest('.jp-Cell').dataset.windowedListIndex),
      natural: img.complete ? img.naturalWidth : 0,
      shown: img.getBoundingClientRect().width,
      room: img.closest('.jp-OutputArea').getBoundingClientRect().width,
      src: img.src,
    }))""")
    figures = []
    for k, fact in enumerate(facts):
        png = png_of(fact["src"])
        figure = Figure(cell=fact["cell"], natural_width=fact["natural"], shown_width=fact["shown"],
                        room=fact["room"], ink=blank_fraction(png) if png else 0.0)
        if figure.ink < MIN_INK or not figure.natural_width:
            image = page.panel.locator(".jp-Notebook .jp-OutputArea-output img").nth(k)
            figure.screenshot = page.screenshot(folder / f"{name[:2]}-figure{k + 1:02d}-cell{figure.cell}.png", image)
        figures.append(figure)
    return figures


def _readout(control) -> float | None:
    text = (control.locator(".widget-readout").text_content() or "").strip().replace("\u2212", "-")
    try:
        return float(text)
    except ValueError:
        return None


#: The figure of an explorer (``bp_course.widgets.Explorer``): the first image in the outputs of its
#: cell that follow the widget's own output (the figure is an ordinary display output after the
#: sliders, replaced in place when a slider moves), or null.
FIGURE_OF = """interact => {
  for (let next = interact.closest('.jp-OutputArea-child'); next !== null; next = next.nextElementSibling) {
    const img = next === interact.closest('.jp-OutputArea-child') ? null : next.querySelector('img');
    if (img !== null) return img;
  }
  return null;
}"""


def _wait_new_figure(page: NotebookPage, interact, before_src: str) -> None:
    # The image is replaced in place (update_display_data): look it up afresh each time.
    page.page.wait_for_function(
        """([interact, before]) => { const img = (""" + FIGURE_OF + """)(interact);
                                    return img !== null && img.complete && img.naturalWidth > 0 && img.src !== before; }""",
        arg=[interact.element_handle(), before_src], timeout=page.update_timeout, polling=100)


def figure_src(interact) -> str:
    """The ``src`` of the explorer's figure (a ``data:image/png`` address), or "" when it shows none."""
    return interact.evaluate("e => { const img = (" + FIGURE_OF + ")(e); return img ? img.src : ''; }")


def explorer_figure(interact):
    """The explorer's figure (an element handle of its ``<img>``), for a screenshot."""
    return interact.evaluate_handle(FIGURE_OF).as_element()


def explorer_area(interact):
    """The output area of the explorer's cell: its sliders and its figure, for a screenshot."""
    return interact.evaluate_handle("e => e.closest('.jp-Cell-outputArea')").as_element()


def explore(page: NotebookPage, interact, number: int, folder: Path, name: str) -> Explorer:
    """Move every slider of one explorer with the arrow key (the first also by a drag); change each drop-down.

    After each move the figure must be redrawn with different pixels and the
    value label must move the same way; a screenshot of the explorer after
    each step is kept, and a failure names it.
    """
    cell = int(interact.evaluate("e => e.closest('.jp-Cell').dataset.windowedListIndex"))
    result = Explorer(cell=cell)
    prefix = f"{name[:2]}-explorer{number}"
    interact.scroll_into_view_if_needed()
    area = explorer_area(interact)
    result.screenshots.append(page.screenshot(folder / f"{prefix}-start.png", area))
    if not figure_src(interact):
        result.problems.append(f"explorer {number} (cell {cell}) shows no figure; see {result.screenshots[-1]}")
        return result
    result.figures.append(("the start", result.screenshots[-1], png_of(figure_src(interact))))

    def moved(what: str, action, control=None, direction: int = 0) -> None:
        # Each step keeps the figure the browser shows (its PNG, written as is: cheap); the whole
        # explorer is photographed where a step goes wrong, and once at the end.
        page.wait_idle()
        before_src = figure_src(interact)
        before_value = _readout(control) if control is not None else None
        action()
        shot = folder / f"{prefix}-{slug(what)}.png"
        try:
            _wait_new_figure(page, interact, before_src)
            page.wait_idle()
        except Exception:  # Playwright's TimeoutError: report it with the picture of what was shown
            result.screenshots.append(page.screenshot(shot, area))
            result.problems.append(f"explorer {number} (cell {cell}): the figure was not redrawn after {what}; see {shot}")
            return
        after = png_of(figure_src(interact))
        figure = folder / f"{prefix}-{slug(what)}-figure.png"
        figure.write_bytes(after)
        result.figures.append((what, figure, after))
        problems = []
        if same_pixels(png_of(before_src), after):
            problems.append(f"the figure's pixels did not change after {what}")
        if control is not None:
            after_value = _readout(control)
            if before_value is None or after_value is None or (after_value - before_value) * direction <= 0:
                problems.append(f"the value label went from {before_value} to {after_value} after {what}")
        if problems:
            result.screenshots.append(page.screenshot(shot, area))
            result.problems += [f"explorer {number} (cell {cell}): {p}; see {shot}" for p in problems]

    sliders = interact.locator(".widget-slider")
    for k in range(sliders.count()):
        control = sliders.nth(k)
        label = (control.locator(".widget-label").text_content() or f"slider {k + 1}").strip()
        result.controls.append(label)
        result.slider_lefts.append(control.locator(".slider-container").bounding_box()["x"])
        handle = control.locator(".noUi-handle")

        def press(handle=handle):
            handle.focus()
            handle.press("ArrowRight")

        def drag(handle=handle, control=control):
            track = control.locator(".slider-container").bounding_box()
            box = handle.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.page.mouse.move(x, y)
            page.page.mouse.down()
            page.page.mouse.move(max(track["x"] + 1, x - 0.25 * track["width"]), y)
            page.page.mouse.up()

        if k == 0:
            moved(f"{label} dragged left", drag, control, -1)
        moved(f"{label} ArrowRight", press, control, +1)

    dropdowns = interact.locator(".widget-dropdown")
    for k in range(dropdowns.count()):
        control = dropdowns.nth(k)
        label = (control.locator(".widget-label").text_content() or f"choice {k + 1}").strip()
        result.controls.append(label)
        select = control.locator("select")
        options = select.locator("option").all_text_contents()
        current = select.input_value()
        other = next(o for o in options if o != current)
        moved(f"{label} set to {other}", lambda select=select, other=other: select.select_option(label=other))
        if select.input_value() != other:
            result.problems.append(f"explorer {number} (cell {cell}): {label} shows {select.input_value()!r}, not {other!r}")
    result.screenshots.append(page.screenshot(folder / f"{prefix}-end.png", area))
    return result


def set_slider(page: NotebookPage, interact, description: str, value: str) -> None:
    """Type ``value`` into the value label of the slider ``description`` and press Enter, as a learner can."""
    control = interact.locator(".widget-slider").filter(has=page.page.locator(".widget-label", has_text=description))
    if _readout(control) == float(value):
        return  # already there: nothing will be redrawn
    before = figure_src(interact)
    readout = control.locator(".widget-readout")
    readout.click()
    page.page.keyboard.press("ControlOrMeta+a")
    page.page.keyboard.type(value)
    page.page.keyboard.press("Enter")
    _wait_new_figure(page, interact, before)
    page.wait_idle()


def plot_frame(png: bytes) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) pixel rows and columns of the first plot's frame in a one-panel figure.

    The frame is drawn in black: its sides are the rows and columns where
    at least 30% of the pixels are near black (curves are coloured, text is short).
    """
    import numpy as np

    dark = pixels(png).max(axis=2) < 110
    rows = np.flatnonzero(dark.sum(axis=1) >= 0.3 * dark.shape[1])
    columns = np.flatnonzero(dark.sum(axis=0) >= 0.3 * dark.shape[0])
    if not len(rows) or not len(columns):
        raise AssertionError("no plot frame found in the figure")
    return int(rows.min()), int(rows.max()), int(columns.min()), int(columns.max())


def axis_bands(png: bytes) -> dict:
    """What a one-panel figure shows of its axis limits: the frame's size, the x axis's band and the y axis's band.

    The x band lies under the frame, between its sides: the tick marks and
    the tick labels (the first two blocks of rows with ink; the axis label
    and the legend below them are left out). The y band is everything left
    of the frame, between its top and bottom. Two figures of the same axes
    have equal bands, pixel for pixel; a moved or rescaled axis changes them.
    """
    import numpy as np

    rgb = pixels(png)
    top, bottom, left, right = plot_frame(png)
    below = rgb[bottom + 1:, left:right + 1]
    inked = (below != rgb[0, 0]).any(axis=2).any(axis=1)
    ends = np.flatnonzero(inked[:-1] & ~inked[1:]) + 1  # the row after each block of ink
    x_band = below[:ends[1]] if len(ends) >= 2 else below
    return {"frame": (bottom - top, right - left), "x": x_band, "y": rgb[top:bottom + 1, :left]}


def same_axes(a: bytes, b: bytes) -> bool:
    """Whether two figures of one panel show the same axis limits (see :func:`axis_bands`)."""
    import numpy as np

    first, second = axis_bands(a), axis_bands(b)
    return first["frame"] == second["frame"] and all(
        first[k].shape == second[k].shape and bool(np.array_equal(first[k], second[k])) for k in ("x", "y"))


def colour_pixels(png: bytes, colour: str, *, columns: slice = slice(None), tolerance: float = 40.0) -> int:
    """How many pixels in ``columns`` lie within ``tolerance`` (RGB distance) of the hex ``colour``."""
    import numpy as np

    rgb = pixels(png)[:, columns].astype(float)
    target = np.array([int(colour[k:k + 2], 16) for k in (1, 3, 5)], dtype=float)
    return int(np.sum(np.linalg.norm(rgb - target, axis=-1) < tolerance))


def reopen(page: NotebookPage, cells: list[int], folder: Path) -> tuple[dict, NotebookPage]:
    """Save, close (its kernel shut down) and open the notebook again: what each of ``cells`` (the explorers) shows.

    A learner who saves a notebook with explorers and opens it again later
    meets this: the widgets' kernel side is gone (the notebook is opened in
    the same JupyterLab tab, with a new widget manager and a new kernel, as
    after a reload of the page, without loading JupyterLab again). Each cell is read once the
    widget manager has settled (no output says "Loading widget..." any
    more): its text, and its images (decoded width, share of ink). Then the
    first of ``cells`` is run again after the cells above it (Run → Run All
    Above Selected Cell: the kernel is new), as lesson 00 tells the learner
    to do: ``"rerun"`` holds how many sliders it shows then, with its figure.
    """
    page.save()
    page = page.tab.open(page.path)  # closes the saved notebook first
    found = {}
    for index in cells:
        output = page.cell(index).locator(".jp-Cell-outputArea")
        try:  # the saved widget output becomes the widget manager's message; the figure is a plain image
            page.page.wait_for_function(
                "area => area.querySelector('img') !== null && !area.textContent.includes('Loading widget...')",
                arg=output.element_handle(), timeout=UPDATE_TIMEOUT_MS, polling=100)
        except Exception:  # Playwright's TimeoutError: reported by what the cell shows
            pass
        images = output.evaluate("""area => [...area.querySelectorAll('img')].map(img => ({
            natural: img.complete ? img.naturalWidth : 0, src: img.src}))""")
        found[index] = {"text": output.text_content() or "",
                        "images": [{"natural_width": i["natural"], "ink": blank_fraction(png_of(i["src"]))
                                    if png_of(i["src"]) else 0.0} for i in images]}
    if cells:
        first = cells[0]
        page.select(first)
        page.menu("Run", "Run All Above Selected Cell")
        page.wait_idle()
        page.select(first)
        page.shift_enter(first)
        interact = page.cell(first).locator(".widget-interact")
        try:
            page.page.wait_for_function(
                "interact => (" + FIGURE_OF + ")(interact) !== null", arg=interact.first.element_handle(),
                timeout=UPDATE_TIMEOUT_MS, polling=100)
        except Exception:  # Playwright's TimeoutError: no explorer came back, reported as 0 sliders
            pass
        found["rerun"] = {"cell": first, "sliders": interact.locator(".widget-slider").count(),
                          "screenshot": page.screenshot(folder / f"{Path(page.path).name[:2]}-reopened-rerun.png",
                                                        page.cell(first).locator(".jp-Cell-outputArea"))}
    return found, page


def run_lesson(tab: LabPage, name: str, folder: Path, expected_errors: set, expected_explorers: int,
               scenario=None, reopen_saved: bool = False, path: str | None = None,
               update_timeout: float = UPDATE_TIMEOUT_MS) -> LessonRun:
    """Open ``solutions/<name>`` in JupyterLab, run all cells, record outputs, figures and explorers.

    ``scenario(page, interacts, folder)``, when given, runs before the
    explorers are moved and returns a dict kept as ``LessonRun.extra``.
    With ``reopen_saved`` the lesson is then saved and reopened with a fresh
    kernel (``LessonRun.reopened``). ``path`` opens another notebook than the
    solved lesson (the harness's own tests do).
    """
    start = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    page = tab.open(path or f"solutions/{name}")
    page.update_timeout = update_timeout
    try:
        page.run_all()
        interacts = page.panel.locator(".jp-Notebook .widget-interact")
        try:  # widget views render after the kernel is done: wait until each explorer shows its figure
            # and no output still says "Loading widget..." (a missing model turns into an error late)
            page.page.wait_for_function(
                """n => { const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                          const all = [...panel.querySelectorAll('.widget-interact')];
                          return all.length >= n && all.every(e => (""" + FIGURE_OF + """)(e) !== null)
                            && ![...panel.querySelectorAll('.jp-OutputArea-output')].some(
                                 o => o.textContent.includes('Loading widget...')); }""",
                arg=expected_explorers, timeout=UPDATE_TIMEOUT_MS, polling=100)
        except Exception:  # Playwright's TimeoutError: the tests report what the page shows
            pass
        cells = page.cells()
        # A screenshot takes time: only the cells a failure message will name are photographed.
        found = LessonRun(name=name, seconds=0.0, cells=cells, figures=[], explorers=[],
                          expected_errors=expected_errors, folder=folder)
        shots = {index: page.screenshot(folder / f"{name[:2]}-cell{index}.png", page.cell(index))
                 for index in sorted(found.cells_with_problems())}
        figures = record_figures(page, name, folder)
        extra = scenario(page, interacts, folder) if scenario is not None else {}
        explorers = [explore(page, interacts.nth(k), k + 1, folder, name) for k in range(interacts.count())]
        reopened = {}
        if reopen_saved:
            reopened, page = reopen(page, [e.cell for e in explorers], folder)
        page.close()
    except BaseException:
        tab.reset()
        raise
    return LessonRun(name=name, seconds=time.monotonic() - start, cells=cells, figures=figures, explorers=explorers,
                     expected_errors=expected_errors, folder=folder, extra=extra, reopened=reopened, shots=shots)


# -- an unsolved lesson, cell by cell ----------------------------------------------------------

_LAYOUT = """cell => {
  // Error messages whose lines wrap at the output's width: compare each message's height as shown with
  // its height when no line may wrap. Editors whose lines are cut off: wider than their box.
  const wrapped = [...cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"] pre')].filter(pre => {
    const shown = pre.getBoundingClientRect().height;
    const old = pre.style.whiteSpace;
    pre.style.whiteSpace = 'pre';
    const unwrapped = pre.getBoundingClientRect().height;
    pre.style.whiteSpace = old;
    return shown > unwrapped + 1;
  }).map(pre => pre.textContent);
  const scroller = cell.querySelector('.jp-Cell-inputArea .cm-scroller');
  const cut = scroller !== null && scroller.scrollWidth > scroller.clientWidth + 1;
  return {wrapped, cut};
}"""


@dataclass
class UnsolvedRun:
    """What each code cell of a released (unsolved) lesson shows when run in order, errors or not."""

    name: str
    seconds: float
    cells: dict          # index -> {"role", "exercise", "raises", "errors", "wrapped", "cut", "screenshot"}
    folder: Path


TRACEBACK = re.compile(r"Traceback|^File |\bline \d+\b", re.M)
EXERCISE = re.compile(r"[Ee]xercise \d\d\.\d+")


def not_the_course_message(error: str) -> bool:
    """Whether an error shown by a cell that uses an answer is anything but the course's short message
    naming the exercise to solve (a traceback, or no "not attempted yet" with the exercise's number)."""
    return bool(TRACEBACK.search(error)) or "not attempted yet" not in error or not EXERCISE.search(error)


def _roles(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [dict(c.get("metadata", {}).get("bp_course", {}), cell_type=c["cell_type"],
                 tags=c.get("metadata", {}).get("tags", [])) for c in cells]


def run_unsolved(tab: LabPage, name: str, folder: Path) -> UnsolvedRun:
    """Run every cell of the released (unsolved) ``lessons/<name>`` top to bottom, going on past errors.

    A learner who has not solved an exercise yet goes on reading and running
    the cells below it. JupyterLab's Run All stops at the first error except
    after cells tagged ``raises-exception``, so the lesson is run from a copy
    (``unsolved/<name>``, made by :func:`copy_course`) whose code cells all
    carry that tag: Run All then runs each cell once, in order, as a learner
    pressing Shift+Enter through the lesson would, and the cells show
    exactly what they show to that learner. Cells are named by their index
    in ``lessons/<name>``.
    """
    start = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    roles = _roles(ROOT / "lessons" / name)
    copy = json.loads((tab.lab.root_dir / "unsolved" / name).read_text(encoding="utf-8"))["cells"]
    page = tab.open(f"unsolved/{name}")
    try:
        page.run_all()
        cells = page.cells()
        layout = page.page.evaluate("() => [...document.querySelectorAll("
                                    "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell')].map(" + _LAYOUT + ")")
        shown, where = {}, {}
        for cell, shape in zip([c for c in cells if c["code"]], layout):
            index = copy[cell["index"]]["metadata"]["lesson_index"]
            meta, where[index] = roles[index], cell["index"]
            shown[index] = {"role": meta.get("role", "narrative"), "exercise": meta.get("exercise"),
                            "raises": "raises-exception" in meta.get("tags", []), "prompt": cell["prompt"],
                            "errors": cell["errors"], **shape}
        # Photograph what a failure message will name (screenshots take time): cells whose error is not
        # the course's "not attempted" message, and the first wrapped message and cut-off editor.
        wanted = {i for i, c in shown.items() if c["role"] != "answer" and not c["raises"]
                  and any(not_the_course_message(e) for e in c["errors"])}
        wanted |= set([i for i, c in shown.items() if c["wrapped"] and c["role"] != "answer"][:1]
                      + [i for i, c in shown.items() if c["cut"] and c["role"] == "answer"][:1])
        for index in sorted(wanted):
            shown[index]["screenshot"] = page.screenshot(folder / f"{name[:2]}-unsolved-cell{index}.png",
                                                         page.cell(where[index]))
        page.close()
    except BaseException:
        tab.reset()
        raise
    return UnsolvedRun(name=name, seconds=time.monotonic() - start, cells=shown, folder=folder)
