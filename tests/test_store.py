"""The notes store on real files: round-trips, atomic writes, bad and newer files, two writers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest

from reader.store import SCHEMA_VERSION, Store, StoreError

ROOT = Path(__file__).resolve().parent.parent


def test_store_does_nothing_until_the_first_write(db: Path) -> None:
    store = Store(db)
    assert store.position("a.txt") is None
    assert store.last_opened() is None
    assert store.setting("theme", "dark") == "dark"
    assert not db.parent.exists()
    store.set_position("a.txt", 10)
    assert db.is_file()


def test_round_trips_and_a_reopened_store_sees_them(db: Path) -> None:
    with Store(db) as store:
        store.set_position("a.txt", 120)
        store.set_position("b.md", 0)
        store.set_position("a.txt", 340)  # replaces, does not add
        store.set_last_opened("b.md")
        store.set_setting("theme", "textual-light")
        store.set_setting("sidebar", False)
    again = Store(db)
    assert again.position("a.txt") == 340
    assert again.position("b.md") == 0
    assert again.position("missing") is None
    assert again.positions() == {"a.txt": 340, "b.md": 0}
    assert again.last_opened() == "b.md"
    assert again.setting("theme", "textual-dark") == "textual-light"
    assert again.setting("sidebar", True) is False
    assert again.setting("unset") is None and again.setting("theme", None) == "textual-light"
    assert again.setting("theme", 3) == 3  # a value of another type than the default's: default


def test_the_file_holds_the_schema_version_and_no_article_text(db: Path) -> None:
    store = Store(db)
    store.set_position("a.txt", 5)
    data = orjson.loads(db.read_bytes())
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION
    assert list(data["positions"].values())[0]["offset"] == 5


def test_memory_store_round_trips_and_touches_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store.memory()
    store.set_position("a", 3)
    store.set_last_opened("a")
    store.set_setting("theme", "x")
    assert (store.position("a"), store.last_opened(), store.setting("theme", "")) == (3, "a", "x")
    assert list(tmp_path.iterdir()) == []


def test_bad_values_are_refused(db: Path) -> None:
    store = Store(db)
    with pytest.raises(ValueError):
        store.set_position("a", -1)
    with pytest.raises(TypeError):
        store.set_setting("k", ["a list"])  # type: ignore[arg-type]
    assert not db.exists()


def test_a_backup_of_the_previous_file_is_kept(db: Path) -> None:
    store = Store(db)
    store.set_position("a.txt", 1)
    first = db.read_bytes()
    store.set_position("a.txt", 2)
    bak = db.with_name("notes.json.bak")
    assert bak.is_file()
    assert bak.read_bytes() == first
    assert Store(bak).position("a.txt") == 1
    # No temp file is left behind in the folder.
    assert not [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "content",
    [b'{"meta": {"1": {"schema_ver', b"\x00\x01garbage", b"[1, 2, 3]", b'{"meta": 3}'],
    ids=["truncated", "binary", "a list", "wrong shape"],
)
def test_a_damaged_file_gives_a_one_line_error_and_is_left_intact(db: Path, content: bytes) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(content)
    store = Store(db)
    with pytest.raises(StoreError) as info:
        store.position("a.txt")
    message = str(info.value)
    assert "\n" not in message and str(db) in message
    with pytest.raises(StoreError):
        store.set_position("a.txt", 1)
    with pytest.raises(StoreError):
        Store(db).check()
    assert db.read_bytes() == content
    assert not db.with_name("notes.json.bak").exists()


def test_a_foreign_tinydb_file_is_refused(db: Path) -> None:
    db.parent.mkdir(parents=True)
    content = b'{"_default": {"1": {"name": "someone else\'s data"}}}'
    db.write_bytes(content)
    with pytest.raises(StoreError, match="not a notes database"):
        Store(db).set_setting("theme", "x")
    assert db.read_bytes() == content


def test_temp_files_of_an_interrupted_save_are_swept(db: Path) -> None:
    db.parent.mkdir(parents=True)
    leftover = db.parent / ".notes.json.abc123.tmp"
    leftover.write_bytes(b'{"half": ')
    Store(db).set_position("a", 1)
    assert not leftover.exists() and Store(db).position("a") == 1


def test_an_empty_file_is_a_new_database(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    store = Store(db)
    assert store.position("a") is None
    store.set_position("a", 4)
    assert Store(db).position("a") == 4


def test_a_newer_schema_is_refused_and_never_overwritten(db: Path) -> None:
    db.parent.mkdir(parents=True)
    newer = {
        "meta": {"1": {"format": "article-reader/notes", "schema_version": SCHEMA_VERSION + 1}},
        "positions": {"1": {"article": "a.txt", "offset": 9}},
    }
    content = orjson.dumps(newer)
    db.write_bytes(content)
    store = Store(db)
    with pytest.raises(StoreError, match="newer") as info:
        store.position("a.txt")
    assert "\n" not in str(info.value)
    with pytest.raises(StoreError, match="newer"):
        store.set_position("a.txt", 1)
    assert db.read_bytes() == content


def test_a_store_sees_what_another_store_wrote(db: Path) -> None:
    one, two = Store(db), Store(db)
    one.set_position("a", 1)
    assert two.position("a") == 1
    two.set_position("b", 2)
    one.set_position("c", 3)  # one's caches must not drop b
    assert Store(db).positions() == {"a": 1, "b": 2, "c": 3}


def test_an_unwritable_folder_gives_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError):
        Store(blocker / "notes.json").set_position("a", 1)


WRITER = textwrap.dedent(
    """
    import sys, time
    from reader.store import Store
    path, tag, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    while time.time() < start:
        time.sleep(0.001)
    store = Store(path)
    for i in range(200):
        store.set_position(f"{tag}-{i}", i)
    """
)


def test_two_processes_writing_at_once_lose_nothing(db: Path) -> None:
    import time

    start = str(time.time() + 1.0)  # both start writing at the same moment
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), tag, start], cwd=ROOT)
        for tag in ("one", "two")
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    positions = Store(db).positions()
    assert len(positions) == 400
    assert positions["one-199"] == 199 and positions["two-0"] == 0
    assert orjson.loads(db.read_bytes())["meta"]["1"]["schema_version"] == SCHEMA_VERSION


def test_importing_the_store_loads_no_ui_and_touches_no_file(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom reader.store import Store\n"
        f"Store({str(tmp_path / 'x' / 'notes.json')!r})\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not {"textual", "rich"} & set(out)
    assert list(tmp_path.iterdir()) == []
