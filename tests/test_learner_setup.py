"""The README's set-up as a learner meets it: as root in Docker, and the file browser after the install (issue 16)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_server import serverapp
from jupyter_server.services.contents.filemanager import FileContentsManager

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_says_what_to_add_as_root_and_the_flag_exists():
    assert re.search(r"As root.*refuses to start.*add `--allow-root` at the end of the\s+first command", README, re.S)
    assert "allow-root" in serverapp.flags and serverapp.ServerApp.allow_root.default_value is False
    command = next(c for c in re.findall(r"```bash\n(.*?)```", README, re.S) if "jupyter lab" in c).strip()
    assert command.endswith(".ipynb"), "appending --allow-root must leave the command valid"


def _install_metadata(course: Path) -> None:
    """What ``pip install -e .`` runs in the course's folder to write the package's metadata: setuptools' egg_info.

    (pip's own build, with the newest setuptools in an isolated environment,
    needs the network; it was checked by hand to put the egg-info in the same
    place: ``.build/bp_course.egg-info``.)
    """
    subprocess.run([sys.executable, "-W", "ignore", "-c", "import setuptools; setuptools.setup()", "-q", "egg_info"],
                   cwd=course, check=True, capture_output=True, timeout=300)


def _course_copy(tmp_path: Path, *, with_setup_cfg: bool = True) -> Path:
    course = tmp_path / "course"
    course.mkdir()
    names = ["pyproject.toml", "README.md", "LICENSE"] + (["setup.cfg"] if with_setup_cfg else [])
    for name in names:
        shutil.copy(ROOT / name, course / name)
    shutil.copytree(ROOT / "bp_course", course / "bp_course", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(ROOT / ".build", course / ".build")
    return course


def _listed(course: Path) -> set:
    """What JupyterLab's file browser lists at the course's root (its default contents manager)."""
    return {item["name"] for item in FileContentsManager(root_dir=str(course)).get("")["content"]}


def test_the_install_keeps_its_egg_info_out_of_the_file_browser(tmp_path):
    course = _course_copy(tmp_path)
    _install_metadata(course)
    assert (course / ".build" / "bp_course.egg-info" / "PKG-INFO").is_file()
    listed = _listed(course)
    assert {"bp_course", "pyproject.toml", "README.md"} <= listed
    assert not [name for name in listed if "egg-info" in name or name.startswith(".")], listed


def test_without_setup_cfg_the_egg_info_would_be_listed(tmp_path):
    """The old layout, for contrast: the measure above sees the artefact the learner saw."""
    course = _course_copy(tmp_path, with_setup_cfg=False)
    _install_metadata(course)
    assert "bp_course.egg-info" in _listed(course)


def test_the_build_folder_is_kept_in_git_but_not_what_it_receives():
    ignored = (ROOT / ".build" / ".gitignore").read_text().splitlines()
    assert "*" in ignored and "!.gitignore" in ignored
    assert re.search(r"^\[egg_info\]\negg_base = \.build$", (ROOT / "setup.cfg").read_text(), re.M)
