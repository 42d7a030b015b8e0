"""Where the data lives, and how the environment and options override it."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

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


def test_sweep_cache_removes_only_old_temp_files_of_cache_writes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    stale = time.time() - paths.STALE_TEMP - 60
    made: dict[str, Path] = {}
    for folder in ("", paths.ARTICLES_CACHE, paths.HIGHLIGHTS_CACHE, "other"):
        (cache / folder).mkdir(parents=True, exist_ok=True)
        for name in (".reader-cache-ab_12xyz.tmp", ".reader-cache-short.tmp", ".x1234567.tmp"):
            made[f"{folder}/{name}"] = path = cache / folder / name
            path.write_bytes(b"half an entr")
            os.utime(path, (stale, stale))
    fresh = cache / paths.HIGHLIGHTS_CACHE / ".reader-cache-7777777z.tmp"  # a write under way
    fresh.write_bytes(b"")
    entry = cache / paths.ARTICLES_CACHE / "entry.json"
    entry.write_bytes(b"{}")
    os.utime(entry, (stale, stale))
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not the cache's")
    os.utime(outside, (stale, stale))
    link = cache / ".reader-cache-linklink.tmp"
    link.symlink_to(outside)
    (cache / ".reader-cache-a_folder.tmp").mkdir()

    assert paths.sweep_cache(cache) == 5
    gone = {f"{folder}/.reader-cache-ab_12xyz.tmp" for folder in ("", "articles", "highlights")}
    # The names they had before, in the entries' folders only (the cache folder may be shared).
    gone |= {f"{folder}/.x1234567.tmp" for folder in ("articles", "highlights")}
    assert {key for key, path in made.items() if not path.exists()} == gone
    assert fresh.exists() and entry.exists() and outside.exists() and link.is_symlink()
    assert (cache / ".reader-cache-a_folder.tmp").is_dir()
    assert paths.sweep_cache(tmp_path / "no such cache") == 0


def test_the_temp_file_of_a_cache_write_is_one_the_sweep_knows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a write killed midway leaves is a file `sweep_cache` removes: the names agree."""
    names: list[str] = []
    mkstemp = tempfile.mkstemp

    def spied(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = mkstemp(*args, **kwargs)
        names.append(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spied)
    target = tmp_path / "cache" / paths.HIGHLIGHTS_CACHE / "entry.msgpack"
    paths.replace_cache_file(target, b"entry")
    assert target.read_bytes() == b"entry" and len(names) == 1
    left = Path(names[0])
    assert left.parent == target.parent and not left.exists()
    left.write_bytes(b"half")  # as a kill between the write and the rename leaves it
    stale = time.time() - paths.STALE_TEMP - 60
    os.utime(left, (stale, stale))
    assert paths.sweep_cache(tmp_path / "cache") == 1 and not left.exists()
