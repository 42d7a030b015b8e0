"""Where the data lives, and how the environment and options override it."""

from __future__ import annotations

from pathlib import Path

from reader import paths


def test_db_path_option_beats_variable_beats_default(tmp_path: Path) -> None:
    env = {"READER_DB": str(tmp_path / "env.json")}
    assert paths.db_path(tmp_path / "arg.json", env) == tmp_path / "arg.json"
    assert paths.db_path(None, env) == tmp_path / "env.json"
    default = paths.db_path(None, {})
    assert default.name == "notes.json" and "article-reader" in str(default)


def test_cache_dir_option_beats_variable_beats_default(tmp_path: Path) -> None:
    env = {"READER_CACHE_DIR": str(tmp_path / "env")}
    assert paths.cache_dir(tmp_path / "arg", env) == tmp_path / "arg"
    assert paths.cache_dir(None, env) == tmp_path / "env"
    assert "article-reader" in str(paths.cache_dir(None, {}))


def test_default_library(tmp_path: Path) -> None:
    samples = paths.default_library(tmp_path)
    assert sorted(p.name for p in samples.glob("*.txt"))[0].startswith("000_")
    (tmp_path / "articles").mkdir()
    assert paths.default_library(tmp_path) == tmp_path / "articles"
