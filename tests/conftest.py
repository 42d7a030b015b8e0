"""Fixtures shared by the app's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ARTICLES = Path(__file__).resolve().parent.parent / "articles"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the sample articles, as a library of its own."""
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES, folder)
    return folder


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where a test's notes database goes (not created)."""
    return tmp_path / "data" / "notes.json"
