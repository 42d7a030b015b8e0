"""Highlights in the store, on real files: round trips, sharding, bad files, kills, two writers."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec import structs
from tinydb import TinyDB

from reader import shards
from reader.models import Anchor, Highlight
from reader.shards import Shard, doc_highlight, highlight_doc, in_reading_order, problem
from reader.store import HIGHLIGHTS_FORMAT, SCHEMA_VERSION, Store, StoreError

ROOT = Path(__file__).resolve().parent.parent
CHILD = ROOT / "tests" / "store_child.py"


def shard_of(db: Path, article: str) -> Path:
    """Where the highlights of `article` live: the documented layout."""
    key = hashlib.sha256(article.encode()).hexdigest()[:2]
    return db.with_name(db.name + ".highlights") / f"{key}.json"


def same_shard_as(article: str) -> str:
    """Another article id whose highlights share a file with `article`'s."""
    key = hashlib.sha256(article.encode()).hexdigest()[:2]
    n = 0
    while hashlib.sha256(f"other-{n}.txt".encode()).hexdigest()[:2] != key:
        n += 1
    return f"other-{n}.txt"


def other_shard_than(article: str) -> str:
    """An article id whose highlights live in another file than `article`'s."""
    key = hashlib.sha256(article.encode()).hexdigest()[:2]
    n = 0
    while hashlib.sha256(f"far-{n}.txt".encode()).hexdigest()[:2] == key:
        n += 1
    return f"far-{n}.txt"


def make(hid: str, article: str = "a.txt", start: int = 0, end: int = 5, **kw: object) -> Highlight:
    anchor = Anchor(start, end, "quote"[: end - start], "pre", "post", "h" * 64, "2")
    fields: dict[str, object] = {"created": "2026-01-01T00:00:00.000+00:00", **kw}
    return Highlight.at(anchor, hid, article, **fields)


def test_nothing_is_read_or_created_until_the_first_write(db: Path) -> None:
    store = Store(db)
    assert store.highlights("a.txt") == []
    assert store.highlight_counts() == {}
    assert list(store.all_highlights()) == []
    store.delete_highlight("a.txt", "nope")
    store.save_highlights([])
    assert not db.parent.exists()
    store.save_highlight(make("h1"))
    assert shard_of(db, "a.txt").is_file()
    assert not db.exists()  # positions, settings and state are not touched by a highlight


def test_every_field_round_trips_and_a_reopened_store_sees_them(db: Path) -> None:
    note = "Ünïcödé 🦉 — 中文 «quote» #idea\n" + "x" * 10_000
    anchor = Anchor(7, 19, "«Straße» 🦉", "ça et là ", " — fin\n", "ab" * 32, "2")
    full = Highlight.at(
        anchor,
        "0123456789abcdef",
        "Zeitung/Straße 🦉.html",
        color="pink",
        note=note,
        tags=("idea", "straße"),
        created="2026-02-03T04:05:06.789+00:00",
        updated="2026-02-04T00:00:00.000+00:00",
        status="drifted",
    )
    with Store(db) as store:
        store.save_highlight(full)
        assert store.highlights(full.article) == [full]
    again = Store(db)
    assert again.highlights(full.article) == [full]
    assert list(again.all_highlights()) == [full]
    assert again.highlight_counts() == {full.article: 1}


def test_a_shard_is_a_stamped_tinydb_file_with_flat_documents(db: Path) -> None:
    Store(db).save_highlight(make("h1", tags=("a", "b")))
    path = shard_of(db, "a.txt")
    data = orjson.loads(path.read_bytes())
    assert data["meta"]["1"] == {"format": HIGHLIGHTS_FORMAT, "schema_version": SCHEMA_VERSION}
    (doc,) = TinyDB(path, access_mode="r").table("highlights").all()
    assert set(doc) == {
        "id", "article", "start", "end", "quote", "prefix", "suffix", "body_hash", "cleaner",
        "color", "note", "tags", "created", "updated", "status",
    }  # fmt: skip
    assert (doc["id"], doc["start"], doc["tags"], doc["status"]) == ("h1", 0, ["a", "b"], "ok")


def test_saving_an_id_again_replaces_it(db: Path) -> None:
    store = Store(db)
    store.save_highlight(make("h1", note="first"))
    store.save_highlight(make("h2"))
    store.save_highlight(make("h1", note="second", color="blue", start=1))
    found = Store(db).highlights("a.txt")
    assert [(h.id, h.note, h.color) for h in found] == [
        ("h2", "", "yellow"),
        ("h1", "second", "blue"),
    ]
    assert Store(db).highlight_counts() == {"a.txt": 2}


def test_delete_removes_one_and_ignores_what_is_absent(db: Path) -> None:
    store = Store(db)
    store.save_highlights([make("h1"), make("h2"), make("h3", "b.txt")])
    store.delete_highlight("a.txt", "h1")
    store.delete_highlight("a.txt", "h1")  # again: no error
    store.delete_highlight("a.txt", "h3")  # h3 is b.txt's: left alone
    store.delete_highlight("nowhere.txt", "h2")
    again = Store(db)
    assert [h.id for h in again.highlights("a.txt")] == ["h2"]
    assert [h.id for h in again.highlights("b.txt")] == ["h3"]


def test_highlights_are_sorted_by_start_end_created(db: Path) -> None:
    store = Store(db)
    store.save_highlights(
        [
            make("d", start=4, end=5),
            make("c", start=0, end=3, created="2026-01-02"),
            make("b", start=0, end=3, created="2026-01-01"),
            make("a", start=0, end=4),
            make("e", start=0, end=1),
        ]
    )
    assert [h.id for h in Store(db).highlights("a.txt")] == ["e", "b", "c", "a", "d"]


def test_articles_are_isolated_also_inside_one_shard(db: Path) -> None:
    neighbour, far = same_shard_as("a.txt"), other_shard_than("a.txt")
    assert shard_of(db, neighbour) == shard_of(db, "a.txt") != shard_of(db, far)
    store = Store(db)
    store.save_highlights(
        [make("a1"), make("n1", neighbour), make("n2", neighbour), make("f1", far)]
    )
    store.delete_highlight(neighbour, "a1")  # a1 is not the neighbour's, though in its file
    again = Store(db)
    assert [h.id for h in again.highlights("a.txt")] == ["a1"]
    assert [h.id for h in again.highlights(neighbour)] == ["n1", "n2"]
    assert again.highlight_counts() == {"a.txt": 1, neighbour: 2, far: 1}
    assert sorted(h.id for h in again.all_highlights()) == ["a1", "f1", "n1", "n2"]


def test_counts_include_orphans(db: Path) -> None:
    store = Store(db)
    store.save_highlights([make("h1", status="orphan"), make("h2", status="drifted"), make("h3")])
    assert Store(db).highlight_counts() == {"a.txt": 3}


def test_a_batch_is_one_write_per_file(db: Path) -> None:
    store = Store(db)
    store.save_highlight(make("h0"))
    before = shard_of(db, "a.txt").read_bytes()
    store.save_highlights(make(f"h{i}", start=i, end=i + 1) for i in range(1, 30))
    # The backup is the previous version: the file as it was before the batch, not half of it.
    assert shard_of(db, "a.txt").with_suffix(".json.bak").read_bytes() == before
    assert len(Store(db).highlights("a.txt")) == 30


def test_a_highlight_that_would_not_read_back_is_refused(db: Path) -> None:
    store = Store(db)
    with pytest.raises(ValueError, match="start and end"):
        store.save_highlight(make("bad", start=5, end=2))
    assert not db.parent.exists()


def test_memory_store_works_and_touches_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store.memory()
    store.save_highlights([make("h1"), make("h2", "b.txt"), make("h3", "b.txt", start=3)])
    store.save_highlight(make("h1", note="edited"))
    store.delete_highlight("b.txt", "h2")
    assert [h.note for h in store.highlights("a.txt")] == ["edited"]
    assert [h.id for h in store.highlights("b.txt")] == ["h3"]
    assert store.highlight_counts() == {"a.txt": 1, "b.txt": 1}
    assert sorted(h.id for h in store.all_highlights()) == ["h1", "h3"]
    assert list(tmp_path.iterdir()) == []


def test_a_store_sees_what_another_store_saved_and_keeps_it(db: Path) -> None:
    one, two = Store(db), Store(db)
    one.save_highlight(make("h1"))
    assert [h.id for h in two.highlights("a.txt")] == ["h1"]  # two has it cached now
    one.save_highlight(make("h2", start=1))
    assert [h.id for h in two.highlights("a.txt")] == ["h1", "h2"]
    two.save_highlight(make("h3", start=2))
    one.save_highlight(make("h4", start=3))  # one's cache must not drop h3
    assert [h.id for h in Store(db).highlights("a.txt")] == ["h1", "h2", "h3", "h4"]
    assert one.highlight_counts() == two.highlight_counts() == {"a.txt": 4}


def test_invalid_documents_are_skipped_and_survive_later_writes(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(db)
    store.save_highlight(make("good"))
    path = shard_of(db, "a.txt")
    data = orjson.loads(path.read_bytes())
    valid = data["highlights"]["1"]
    strange = {
        "2": {k: v for k, v in valid.items() if k != "quote"} | {"id": "no-quote"},
        "3": valid | {"id": "text-start", "start": "0"},
        "4": valid | {"id": "tag-text", "tags": "a,b"},
        "5": valid | {"id": "weird-status", "status": "lost"},
        "6": {"id": "other-app", "article": "a.txt", "something": [1, 2]},
        "x": valid | {"id": "odd-key"},  # a key TinyDB cannot read, but it converts
        "7": valid | {"id": "extra-field", "start": 1, "future": {"x": 1}},
    }
    data["highlights"].update(strange)
    path.write_bytes(orjson.dumps(data))
    with caplog.at_level(logging.WARNING, logger="reader.shards"):
        found = [h.id for h in Store(db).highlights("a.txt")]
    assert found == ["good", "odd-key", "extra-field"]
    assert "no-quote" in caplog.text and str(path) in caplog.text
    assert Store(db).highlight_counts() == {"a.txt": 3}
    store.save_highlight(make("later", start=2))
    store.save_highlight(make("good", note="edited"))
    store.delete_highlight("a.txt", "later")
    kept = orjson.loads(path.read_bytes())["highlights"]
    for key, doc in strange.items():
        assert kept[key] == doc
    assert [h.note for h in Store(db).highlights("a.txt") if h.id == "good"] == ["edited"]


def test_a_highlights_file_is_written_with_each_articles_documents_in_reading_order(
    db: Path,
) -> None:
    """(A read then finds them sorted.) Documents it cannot place keep their order, after."""
    other = same_shard_as("a.txt")
    Store(db).save_highlight(make("first", start=9, end=12))
    path = shard_of(db, "a.txt")
    data = orjson.loads(path.read_bytes())
    odd = {"id": "odd", "article": "a.txt", "start": "0"}
    other_app = {"id": "other-app", "something": [1, 2]}
    data["highlights"] |= {"50": odd, "51": other_app}
    path.write_bytes(orjson.dumps(data))
    store = Store(db)
    store.save_highlights([make("late", start=9, end=12, created="2027"), make("o1", other)])
    store.save_highlights([make("short", start=9, end=10), make("zero", start=0, end=5)])
    store.save_highlight(make("o0", other, start=0, end=1))
    documents = list(orjson.loads(path.read_bytes())["highlights"].values())
    a_ids = [d["id"] for d in documents if isinstance(d, dict) and d.get("article") == "a.txt"]
    o_ids = [d["id"] for d in documents if isinstance(d, dict) and d.get("article") == other]
    assert a_ids == ["zero", "short", "first", "late", "odd"]
    assert o_ids == ["o0", "o1"]
    assert documents[-2:] == [odd, other_app]
    assert [h.id for h in Store(db).highlights("a.txt")] == ["zero", "short", "first", "late"]


def test_ordering_a_table_keeps_every_document_and_places_what_it_can() -> None:
    def doc(hid: str, article: str, start: object, created: str = "t") -> dict[str, object]:
        return {"id": hid, "article": article, "start": start, "end": 9, "created": created}

    ordered = {"1": doc("a0", "a", 0), "2": doc("a1", "a", 1), "3": doc("b0", "b", 0)}
    assert in_reading_order(ordered) is ordered  # (checked, not rebuilt)
    shuffled = {k: ordered[k] for k in ("3", "1", "2")}
    assert list(in_reading_order(shuffled).items()) == list(ordered.items())
    late = {"4": doc("a1-old", "a", 1, created="s")}  # same place, made earlier
    assert list(in_reading_order(ordered | late)) == ["1", "4", "2", "3"]
    # One that cannot be placed (text for an offset, a field missing) goes last, as it was.
    odd = {"0": doc("odd", "a", "0"), "9": {"id": "bare", "article": "a"}}
    assert list(in_reading_order(odd | shuffled)) == ["1", "2", "3", "0", "9"]


@pytest.mark.parametrize("damaged", [False, True], ids=["typed read", "checked read"])
def test_a_document_missing_only_fields_that_have_a_default_is_read_with_them(
    db: Path, damaged: bool
) -> None:
    """Colour, note, tags, times and status may be missing (a hand-written or older document):
    the highlight is kept, with their defaults, whichever way the file is read."""
    Store(db).save_highlight(make("full"))
    path = shard_of(db, "a.txt")
    data = orjson.loads(path.read_bytes())
    valid = data["highlights"]["1"]
    optional = ("color", "note", "tags", "created", "updated", "status")
    data["highlights"]["2"] = {k: v for k, v in valid.items() if k not in optional} | {"id": "bare"}
    if damaged:  # one wrong document elsewhere: the typed pass refuses the file
        data["highlights"]["3"] = valid | {"id": "wrong", "start": "0"}
    path.write_bytes(orjson.dumps(data))
    bare = {h.id: h for h in Store(db).highlights("a.txt")}["bare"]
    assert (bare.color, bare.note, bare.tags, bare.created, bare.status) == (
        "yellow",
        "",
        (),
        "",
        "ok",
    )
    assert Store(db).highlight_counts() == {"a.txt": 2}


FIELDS = [*Highlight.__struct_fields__, "extra"]
GONE = object()
JSON_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-2, 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "ok", "orphan", "lost", "a.txt", "b.txt"])
    | st.lists(st.sampled_from(["t", 1, None]), max_size=2)
    | st.dictionaries(st.sampled_from(["x", "start"]), st.integers(0, 3), max_size=1)
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(FIELDS), JSON_VALUES | st.just(GONE)),
        max_size=4,
    )
)
def test_the_fast_read_keeps_exactly_the_documents_the_checked_read_keeps(
    tmp_path: Path, changes: list[tuple[int, str, object]]
) -> None:
    """Reading a file decodes and checks it in one typed pass, and falls back to checking each
    document when that pass refuses it: either way, the same highlights come out."""
    db = tmp_path / f"{len(list(tmp_path.iterdir()))}" / "notes.json"
    Store(db).save_highlights([make(f"h{i}", start=i, end=i + 3, note=f"n{i}") for i in range(4)])
    path = shard_of(db, "a.txt")
    data = orjson.loads(path.read_bytes())
    docs = list(data["highlights"].values())
    for index, field, value in changes:
        if value is GONE:
            docs[index].pop(field, None)
        else:
            docs[index][field] = value
    path.write_text(json.dumps(data), "utf-8")  # orjson cannot write integers past 64 bits
    # The documents as a JSON parser reads them back (past 64 bits, an integer is a float).
    docs = list(orjson.loads(path.read_bytes())["highlights"].values())
    valid = [doc_highlight(d) for d in docs if problem(d) is None]
    kept = sorted(
        (h for h in valid if h.article == "a.txt"), key=lambda h: (h.start, h.end, h.created)
    )
    assert Store(db).highlights("a.txt") == kept
    # The count of every article's highlights and the export's read go the same two ways.
    assert Store(db).highlight_counts() == Counter(h.article for h in valid)
    assert sorted(Store(db).all_highlights(), key=repr) == sorted(valid, key=repr)


def test_a_valid_file_is_read_in_one_typed_pass(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(db).save_highlights([make(f"h{i}", start=i) for i in range(3)])

    def checked_one_by_one(*args: object) -> None:
        raise AssertionError("the slow read was used for a valid file")

    monkeypatch.setattr(Shard, "_convert", checked_one_by_one)
    monkeypatch.setattr(shards, "problem", checked_one_by_one)
    assert [h.id for h in Store(db).highlights("a.txt")] == ["h0", "h1", "h2"]
    assert Store(db).highlight_counts() == {"a.txt": 3}
    assert sorted(h.id for h in Store(db).all_highlights()) == ["h0", "h1", "h2"]


def test_temp_files_left_in_a_shard_folder_are_swept(db: Path) -> None:
    Store(db).save_highlight(make("h1"))
    path = shard_of(db, "a.txt")
    leftover = path.with_name(f".{path.name}.abc123.tmp")
    leftover.write_bytes(b'{"half": ')
    Store(db).save_highlight(make("h2"))
    assert not leftover.exists()
    assert len(Store(db).highlights("a.txt")) == 2


def test_a_save_killed_just_after_its_backup_leaves_nothing_behind(db: Path) -> None:
    store = Store(db)
    store.save_highlight(make("h1"))
    path = shard_of(db, "a.txt")
    backup = path.with_suffix(".json.bak")
    backup.unlink(missing_ok=True)
    os.link(path, backup)  # what a kill between the backup and the replace leaves
    store.save_highlight(make("h2"))
    store.save_highlight(make("h3"))
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, backup.name]
    kept = orjson.loads(backup.read_bytes())["highlights"].values()
    assert sorted(doc["id"] for doc in kept) == ["h1", "h2"]  # the version before the last


def newer_shard() -> bytes:
    meta = {"format": HIGHLIGHTS_FORMAT, "schema_version": SCHEMA_VERSION + 1}
    return orjson.dumps({"meta": {"1": meta}, "highlights": {}})


def shard_not_utf8() -> bytes:
    """A well-formed highlights file but for one byte that is not UTF-8, inside a text."""
    meta = {"format": HIGHLIGHTS_FORMAT, "schema_version": SCHEMA_VERSION}
    good = orjson.dumps({"meta": {"1": meta}, "highlights": {"1": highlight_doc(make("h1"))}})
    return good.replace(b'"pre"', b'"pr\xffe"')


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x00\xffgarbage\x01", "damaged"),
        (shard_not_utf8(), "damaged"),
        (b'{"meta": {"1": {"format": "article-reader/high', "damaged"),
        (b"[1, 2, 3]", "not a highlights file"),
        (b'{"meta": {"1": {"format": "article-reader/notes", "schema_version": 1}}}', "not a"),
        (newer_shard(), rf"newer reader \(schema {SCHEMA_VERSION + 1}"),
    ],
    ids=["garbage", "not-utf8", "truncated", "a list", "the main file's format", "newer"],
)
def test_a_bad_shard_is_refused_left_intact_and_others_keep_working(
    db: Path, content: bytes, words: str
) -> None:
    far = other_shard_than("a.txt")
    Store(db).save_highlights([make("h1"), make("f1", far)])
    path = shard_of(db, "a.txt")
    path.write_bytes(content)
    store = Store(db)
    for action in (
        lambda: store.highlights("a.txt"),
        lambda: store.save_highlight(make("h2")),
        lambda: store.delete_highlight("a.txt", "h1"),
        store.highlight_counts,
        lambda: list(store.all_highlights()),
    ):
        with pytest.raises(StoreError, match=words) as info:
            action()
        assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == content
    assert not path.with_suffix(".json.bak").exists()
    store.save_highlight(make("f2", far, start=1))
    assert [h.id for h in Store(db).highlights(far)] == ["f1", "f2"]


WRITE_TOO_BIG = textwrap.dedent(
    """
    import resource, signal, sys
    from msgspec import structs
    sys.path.insert(0, sys.argv[2])
    from store_child import highlight
    from reader.store import Store, StoreError
    store = Store(sys.argv[1])
    first = highlight("x", 0, 1)
    store.save_highlight(first)
    # No file may grow past 4 KB from here: the next save hits EFBIG, as a full disk would.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
    try:
        store.save_highlight(structs.replace(first, id="big", note="n" * 10_000))
    except StoreError as exc:
        print(exc)
    print(sorted(h.id for h in store.highlights(first.article)))
    """
)


def test_a_failed_write_gives_a_one_line_error_and_keeps_the_file(db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WRITE_TOO_BIG, str(db), str(ROOT / "tests")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    message, ids = result.stdout.splitlines()
    path = shard_of(db, "x/article-0.txt")
    assert message.startswith(f"could not save to {path}") and "intact" in message
    assert ids == "['x-0']"
    assert [h.id for h in Store(db).highlights("x/article-0.txt")] == ["x-0"]
    assert not [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders (CI is root)")
def test_a_read_only_folder_gives_a_store_error(db: Path) -> None:
    store = Store(db)
    store.save_highlight(make("h1"))
    folder = shard_of(db, "a.txt").parent
    folder.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="could not save"):
            store.save_highlight(make("h2"))
    finally:
        folder.chmod(0o755)
    assert [h.id for h in Store(db).highlights("a.txt")] == ["h1"]


def test_killed_writers_never_lose_an_acknowledged_highlight(db: Path) -> None:
    rng = random.Random(20260517)
    acked: set[str] = set()
    positions: dict[str, int] = {}
    for run in range(100):
        with_positions = run % 4 == 0
        command = [sys.executable, str(CHILD), str(db), "1000000", f"r{run}"]
        proc = subprocess.Popen(
            command + ["--positions"] * with_positions,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        first = b""
        if rng.random() < 0.1:
            time.sleep(rng.uniform(0.0, 0.15))  # while starting, or around the first save
        else:
            first = proc.stdout.readline()
            time.sleep(rng.uniform(0.0, 0.3))
        proc.kill()
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err.decode()
        lines = (first + out).split(b"\n")[:-1]  # a line without its newline is no ack
        ids = [line.decode() for line in lines]
        acked.update(ids)
        if with_positions:
            positions.update((f"r{run}-position-{i}", i) for i in range(len(ids)))
        store = Store(db)
        store.check()
        found = {h.id for h in store.all_highlights()}
        assert acked <= found, f"run {run}: lost {sorted(acked - found)[:5]}"
        assert sum(store.highlight_counts().values()) == len(found)  # no .bak counted
        saved = store.positions()
        assert all(saved.get(k) == v for k, v in positions.items()), f"run {run}"
    assert len(acked) > 1000  # the children got far enough to be killed mid-write often
    # Temp files of the killed saves go at the next save of their shard.
    folder = shard_of(db, "a").parent
    leftovers = {p.name[1:3] for p in folder.iterdir() if p.name.endswith(".tmp")}
    articles = (f"sweep-{n}.txt" for n in range(100_000))
    wanted = {}
    for article in articles:
        key = shard_of(db, article).name[:2]
        if key in leftovers and key not in wanted:
            wanted[key] = article
        if len(wanted) == len(leftovers):
            break
    Store(db).save_highlights(make(f"s-{key}", article) for key, article in wanted.items())
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_two_processes_saving_at_once_lose_nothing(db: Path) -> None:
    start = str(time.time() + 1.5)  # both start saving at the same moment
    procs = [
        subprocess.Popen(
            [sys.executable, str(CHILD), str(db), "500", tag, "--start", start, *extra],
            stdout=subprocess.DEVNULL,
        )
        for tag, extra in (("one", ["--positions"]), ("two", []))
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    store = Store(db)
    ids = sorted(h.id for h in store.all_highlights())
    assert len(ids) == 1000
    assert set(ids) == {f"{tag}-{i}" for tag in ("one", "two") for i in range(500)}
    assert sum(store.highlight_counts().values()) == 1000
    assert store.positions() == {f"one-position-{i}": i for i in range(500)}


def test_replace_keeps_the_document_key_and_drops_duplicates(db: Path) -> None:
    store = Store(db)
    store.save_highlights([make("h1"), make("h2", start=1)])
    path = shard_of(db, "a.txt")
    data = orjson.loads(path.read_bytes())
    data["highlights"]["9"] = dict(data["highlights"]["1"])
    path.write_bytes(orjson.dumps(data))  # the same id twice (not written by this store)
    store.save_highlight(make("h1", note="one"))
    table = orjson.loads(path.read_bytes())["highlights"]
    assert sorted(table) == ["1", "2"] and table["1"]["note"] == "one"
    assert [h.id for h in Store(db).highlights("a.txt")] == ["h1", "h2"]


def test_an_edit_saved_with_its_base_keeps_what_another_writer_changed(tmp_path: Path) -> None:

    from reader.highlights import edited, new_highlight

    db = tmp_path / "notes.json"
    body = "Une phrase assez longue pour être surlignée, puis une autre."
    base = new_highlight("a.txt", body, 0, 10, note="première")
    Store(db).save_highlight(base)
    theirs = edited(base, note="leur note #eux")  # another copy saves a note
    Store(db).save_highlight(theirs, base)
    ours = edited(base, color="green")  # we change the colour of the version we had
    Store(db).save_highlight(ours, base)
    (now,) = Store(db).highlights("a.txt")
    assert (now.color, now.note, now.tags) == ("green", "leur note #eux", ("eux",))
    moved = structs.replace(ours, start=11, end=17)
    Store(db).save_highlight(moved, ours)  # found again elsewhere: only the anchor moves
    (last,) = Store(db).highlights("a.txt")
    assert (last.start, last.note, last.color) == (11, "leur note #eux", "green")
    Store(db).save_highlight(edited(base, note="sans base"))  # no base: the whole highlight
    assert Store(db).highlights("a.txt")[0].note == "sans base"
