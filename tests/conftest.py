"""Shared fixtures. Notebooks under tests/files are inputs of tests, not tests themselves."""

from pathlib import Path

import pytest

collect_ignore_glob = ["files/*.ipynb"]

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture
def files() -> Path:
    """The folder of fixture files."""
    return FILES
