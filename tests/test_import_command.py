"""`reader import` and `reader export --format json` as a user runs them: real files, real store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_export import sample_entries

from reader.store import Store


def run(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "READER_DB": str(db), "READER_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True, env=env)


def test_export_import_into_an_empty_store_export_again_is_identical(tmp_path: Path) -> None:
    here, there = tmp_path / "here" / "notes.json", tmp_path / "there" / "notes.json"
    Store(here).save_highlights([h for e in sample_entries() for h in e.highlights])
    first = run("export", "--format", "json", "-o", "-", db=here, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    (tmp_path / "notes.json").write_bytes(first.stdout)
    imported = run("import", str(tmp_path / "notes.json"), db=there, cwd=tmp_path)
    assert imported.returncode == 0 and b"5 added, 0 updated, 0 kept" in imported.stderr
    again = run("export", "--format", "json", "-o", "-", db=there, cwd=tmp_path)
    assert again.stdout == first.stdout
    twice = run("import", str(tmp_path / "notes.json"), db=there, cwd=tmp_path)
    assert b"0 added, 0 updated, 5 kept" in twice.stderr


def test_a_bad_import_file_is_one_line_and_leaves_the_store_alone(tmp_path: Path) -> None:
    db = tmp_path / "notes.json"
    Store(db).save_highlights(sample_entries()[0].highlights)

    def files() -> dict[str, bytes]:
        return {str(p): p.read_bytes() for p in tmp_path.glob("notes.json*/**/*") if p.is_file()}

    before = files()
    for name, content in (
        ("garbage.json", b"\x89PNG not json"),
        ("object.json", b'{"a": 1}'),
        ("list.json", b"[1, 2]"),
    ):
        (tmp_path / name).write_bytes(content)
        done = run("import", str(tmp_path / name), db=db, cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr.count(b"\n") == 1 and b"Traceback" not in done.stderr
        assert done.stderr.startswith(b"reader: error: ")
    missing = run("import", str(tmp_path / "nope.json"), db=db, cwd=tmp_path)
    assert missing.returncode == 1 and b"cannot read" in missing.stderr
    assert files() == before
