"""The copy of each article's highlights kept in the cache folder: used only for the very
version of the highlights file it was made from, and never a reason to show a wrong one."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_store_highlights import CHILD, make, same_shard_as, shard_of

from reader import highlights_cache, shards
from reader.highlights_cache import HighlightsCache
from reader.models import Highlight
from reader.store import Store


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Each highlights file decoded (the copy not used), as it happens."""
    seen: list[bytes] = []
    decode = shards._decode

    def counted(raw: bytes, storage: object) -> object:
        seen.append(raw)
        return decode(raw, storage)  # type: ignore[arg-type]

    monkeypatch.setattr(shards, "_decode", counted)
    return seen


class cached:
    """A store with a cache folder, as the app makes it, closed (its copies written) as soon
    as it has read: each use is a run of the app."""

    def __init__(self, db: Path, cache: Path) -> None:
        self.db, self.cache = db, cache

    def highlights(self, article: str) -> list[Highlight]:
        with Store(self.db, cache_dir=self.cache) as store:
            return store.highlights(article)


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "highlights").glob("*.msgpack"))


def test_a_new_store_reads_the_copy_and_gets_the_same_highlights(
    db: Path, cache: Path, decodes: list[bytes]
) -> None:
    made = [make(f"h{i}", start=9 - i, end=12, note=f"«n{i}»") for i in range(10)]
    other = same_shard_as("a.txt")
    Store(db).save_highlights([*made, make("o1", other)])
    first = cached(db, cache).highlights("a.txt")
    assert len(decodes) == 1 and len(entries(cache)) == 1  # the file was read, the copy made
    again = cached(db, cache).highlights("a.txt")  # as after a restart
    assert len(decodes) == 1  # from the copy: the file was not decoded again
    assert again == first == Store(db).highlights("a.txt")
    assert [h.start for h in again] == sorted(h.start for h in made)
    assert [h.id for h in cached(db, cache).highlights(other)] == ["o1"]
    assert len(entries(cache)) == 2  # one copy per article, though they share a file


def test_what_another_process_saved_since_is_seen(
    db: Path, cache: Path, decodes: list[bytes]
) -> None:
    article = "child/article-0.txt"  # where the child process saves
    Store(db).save_highlight(make("mine", article, start=90, end=95))
    assert [h.id for h in cached(db, cache).highlights(article)] == ["mine"]
    child = [sys.executable, str(CHILD), str(db), "3", "child", "--articles", "1"]
    subprocess.run(child, check=True, capture_output=True, timeout=60)
    before = len(decodes)
    seen = cached(db, cache).highlights(article)
    assert [h.id for h in seen] == ["child-0", "child-1", "child-2", "mine"]
    assert len(decodes) == before + 1  # the file, changed since the copy was made


def test_a_copy_of_an_older_version_is_not_used_even_with_the_same_size_and_time(
    db: Path, cache: Path
) -> None:
    """The version is the inode, size and both times: a change of colour keeps the size, and
    the modification time can be set back, but a write through the store makes a new file."""
    Store(db).save_highlight(make("h1", color="pink"))
    path = shard_of(db, "a.txt")
    st = path.stat()
    assert cached(db, cache).highlights("a.txt")[0].color == "pink"
    Store(db).save_highlight(make("h1", color="blue"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert cached(db, cache).highlights("a.txt")[0].color == "blue"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="cut-short"),
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: bytes(random.Random(1).randrange(256) for _ in raw), id="noise"),
        pytest.param(lambda raw: raw.replace(b"yellow", b"ye\xffow"), id="not-utf8"),
    ],
)
def test_a_damaged_copy_is_read_past_and_made_again(
    db: Path, cache: Path, damage: object, decodes: list[bytes]
) -> None:
    Store(db).save_highlights([make("h1"), make("h2", start=2)])
    expected = Store(db).highlights("a.txt")
    cached(db, cache).highlights("a.txt")
    (entry,) = entries(cache)
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    before = len(decodes)
    assert cached(db, cache).highlights("a.txt") == expected
    assert len(decodes) == before + 1  # the file was read
    assert cached(db, cache).highlights("a.txt") == expected
    assert len(decodes) == before + 1  # and the copy made again, whole


def test_a_copy_made_for_another_article_or_store_is_not_used(
    tmp_path: Path, db: Path, cache: Path
) -> None:
    other = same_shard_as("a.txt")
    Store(db).save_highlights([make("mine"), make("theirs", other)])
    cached(db, cache).highlights(other)
    (entry,) = entries(cache)
    copies = HighlightsCache(cache / "highlights")
    shard = os.fspath(shard_of(db, "a.txt"))
    os.replace(entry, copies._entry(shard, "a.txt"))  # their copy under my name
    assert [h.id for h in cached(db, cache).highlights("a.txt")] == ["mine"]

    # Another file's copy, even of a version stamped alike (as on another device), neither.
    stamp, found = (1, 2, 3, 4), tuple(Store(db).highlights("a.txt"))
    twin = os.fspath(tmp_path / "twin.json")
    copies.write(twin, "a.txt", stamp, found)
    copies.flush()
    assert copies.read(twin, "a.txt", stamp) == found
    os.replace(copies._entry(twin, "a.txt"), copies._entry(shard, "a.txt"))
    assert copies.read(shard, "a.txt", stamp) is None


@pytest.mark.parametrize("fault", ["start after end", "out of order"])
def test_a_copy_holding_what_the_store_would_not_give_is_not_used(
    db: Path, cache: Path, fault: str
) -> None:
    Store(db).save_highlights([make("h1", start=2, end=5), make("h2", start=3, end=5)])
    expected = cached(db, cache).highlights("a.txt")
    (entry,) = entries(cache)
    kept = msgspec.msgpack.decode(entry.read_bytes(), type=highlights_cache._Entry)
    first, second = kept.highlights
    if fault == "start after end":
        changed = (msgspec.structs.replace(first, start=9), second)
    else:
        changed = (second, first)
    entry.write_bytes(msgspec.msgpack.encode(msgspec.structs.replace(kept, highlights=changed)))
    assert cached(db, cache).highlights("a.txt") == expected


def test_no_copy_is_made_or_used_where_times_are_whole_seconds(tmp_path: Path) -> None:
    """(FAT, some network file systems: two writes within a second may look alike.)"""
    copies = HighlightsCache(tmp_path / "copies")
    found = (make("h1"),)
    coarse, fine = (1, 2, 3 * 10**9, 4 * 10**9), (1, 2, 3 * 10**9 + 5, 4 * 10**9)
    copies.write("f.json", "a.txt", coarse, found)
    copies.flush()
    assert not (tmp_path / "copies").exists()  # not made
    copies.write("f.json", "a.txt", fine, found)
    copies.flush()
    assert copies.read("f.json", "a.txt", fine) == found
    (entry,) = (tmp_path / "copies").iterdir()
    kept = msgspec.msgpack.decode(entry.read_bytes(), type=highlights_cache._Entry)
    entry.write_bytes(msgspec.msgpack.encode(msgspec.structs.replace(kept, stamp=coarse)))
    assert copies.read("f.json", "a.txt", coarse) is None  # nor used, were one there


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_writer_that_dies_or_cannot_start_never_fails_a_read_nor_hangs_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies = HighlightsCache(tmp_path / "copies")
    found, stamp = (make("h1"),), (1, 2, 3, 4)

    class Dying:
        def encode(self, entry: object) -> bytes:
            raise SystemExit  # not an Exception: it ends the writer's thread

    monkeypatch.setattr(highlights_cache, "_ENCODER", Dying())
    writer = copies._writer
    assert writer is not None
    copies.write("f.json", "a.txt", stamp, found)
    flushing = threading.Thread(target=copies.flush, daemon=True)  # (were it to hang)
    flushing.start()
    flushing.join(10)
    assert not flushing.is_alive()  # it returned
    writer.join(10)  # (its end is reported while this test runs)
    assert not writer.is_alive()
    monkeypatch.undo()
    copies.write("f.json", "a.txt", stamp, found)  # a new writer
    copies.flush()
    assert copies.read("f.json", "a.txt", stamp) == found

    def no_thread(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    threadless = HighlightsCache(tmp_path / "copies")
    threadless.write("f.json", "b.txt", stamp, found)  # no error, no copy
    threadless.flush()
    assert threadless.read("f.json", "b.txt", stamp) is None


def test_writing_a_copy_starts_no_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer is started with the cache: an opening that hands over a copy does not wait
    for a thread to start. It stays for the next copies, a flush after another."""
    copies = HighlightsCache(tmp_path / "copies")
    found, stamp = (make("h1"),), (1, 2, 3, 4)
    started: list[threading.Thread] = []
    monkeypatch.setattr(threading.Thread, "start", started.append)
    for article in ("a.txt", "b.txt"):
        copies.write("f.json", article, stamp, found)
        copies.flush()
        assert copies.read("f.json", article, stamp) == found
    assert started == []


def test_closing_a_store_writes_its_copies_and_ends_the_writer(
    db: Path, cache: Path, tmp_path: Path
) -> None:
    def writers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "highlights-cache"]

    before = len(writers())
    Store(db).save_highlight(make("h1"))
    for _ in range(5):  # each a store made, read and closed
        assert [h.id for h in cached(db, cache).highlights("a.txt")] == ["h1"]
    assert len(writers()) == before  # none left behind
    assert len(entries(cache)) == 1  # the copy was written before the writer ended
    copies = HighlightsCache(tmp_path / "copies")
    copies.close()
    found, stamp = (make("h2"),), (1, 2, 3, 4)
    copies.write("f.json", "a.txt", stamp, found)  # a write after close starts a writer
    copies.close()
    assert copies.read("f.json", "a.txt", stamp) == found
    assert len(writers()) == before


def test_a_cache_folder_that_cannot_be_written_changes_nothing(
    db: Path, tmp_path: Path, decodes: list[bytes]
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    Store(db).save_highlight(make("h1"))
    assert [h.id for h in cached(db, blocked).highlights("a.txt")] == ["h1"]
    assert [h.id for h in cached(db, blocked).highlights("a.txt")] == ["h1"]
    assert len(decodes) == 2


def test_the_store_keeps_no_copy_unless_given_a_cache_folder(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_cache = tmp_path / "user-cache"  # where the cache folder would be by default
    monkeypatch.setenv("READER_CACHE_DIR", str(user_cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(user_cache))
    with Store(db) as store:
        store.highlights("a.txt")
        store.save_highlight(make("h1"))
        store.highlights("a.txt")
    with Store(db) as store:
        assert [h.id for h in store.highlights("a.txt")] == ["h1"]
    assert not user_cache.exists()
    assert not [p for p in tmp_path.rglob("*.msgpack")]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    spans=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 20)), max_size=12),
    text=st.text(max_size=8),
)
def test_the_copy_gives_exactly_what_the_file_gives(
    tmp_path: Path, spans: list[tuple[int, int]], text: str
) -> None:
    run = tmp_path / str(len(list(tmp_path.iterdir())))
    db, cache = run / "notes.json", run / "cache"
    made = [
        make(f"h{i}", start=s, end=s + n, note=text, tags=(text,) if text else ())
        for i, (s, n) in enumerate(spans)
    ]
    Store(db).save_highlights(made)
    from_file = Store(db).highlights("a.txt")
    assert cached(db, cache).highlights("a.txt") == from_file  # makes the copy
    assert cached(db, cache).highlights("a.txt") == from_file  # reads it


def test_a_save_keeps_the_copy_of_the_article_read_up_to_date(
    db: Path, cache: Path, decodes: list[bytes]
) -> None:
    """Marking passages of the open article changes its file each time; the copy follows, so
    the next start still reads the copy, not the file."""
    store = Store(db, cache_dir=cache)
    store.save_highlight(make("h1", start=4, end=8))
    assert [h.id for h in store.highlights("a.txt")] == ["h1"]
    read = len(decodes)
    store.save_highlight(make("h0", start=0, end=3))
    store.save_highlight(make("h1", start=4, end=8, note="why"))
    store.delete_highlight("a.txt", "h0")
    store.save_highlight(make("h2", start=9, end=12))
    assert [h.id for h in store.highlights("a.txt")] == ["h1", "h2"]  # reopened: no read
    store.close()
    restarted = cached(db, cache).highlights("a.txt")
    assert len(decodes) == read  # nor after a restart: the copy was kept up to date
    assert restarted == Store(db).highlights("a.txt")
    assert [(h.id, h.note) for h in restarted] == [("h1", "why"), ("h2", "")]


def test_a_save_to_another_article_of_the_file_leaves_a_stale_copy_unused(
    db: Path, cache: Path, decodes: list[bytes]
) -> None:
    other = same_shard_as("a.txt")
    store = Store(db, cache_dir=cache)
    store.save_highlights([make("h1"), make("o1", other)])
    store.highlights("a.txt")
    store.save_highlight(make("o2", other, start=3))  # `other` was never read here
    store.close()
    read = len(decodes)
    assert [h.id for h in cached(db, cache).highlights("a.txt")] == ["h1"]
    assert len(decodes) == read + 1  # the file: the copy of a.txt is of an older version
    assert [h.id for h in cached(db, cache).highlights(other)] == ["o1", "o2"]


def test_saving_articles_never_read_makes_no_copy(db: Path, cache: Path) -> None:
    """(An import touches thousands of articles: none is kept in memory or copied.)"""
    with Store(db, cache_dir=cache) as store:
        store.save_highlights([make(f"h{i}", f"article-{i}.txt") for i in range(50)])
    assert entries(cache) == []


def test_an_edit_merged_with_another_writers_change_is_copied_as_written(
    db: Path, cache: Path
) -> None:
    base = make("h1", note="first", color="green")
    Store(db).save_highlight(base)
    mine = Store(db, cache_dir=cache)
    assert mine.highlights("a.txt") == [base]
    Store(db).save_highlight(msgspec.structs.replace(base, color="pink"))  # another writer
    mine.save_highlight(msgspec.structs.replace(base, note="second"), base=base)
    (written,) = Store(db).highlights("a.txt")
    assert (written.note, written.color) == ("second", "pink")
    assert mine.highlights("a.txt") == [written]
    mine.close()
    assert cached(db, cache).highlights("a.txt") == [written]


@pytest.mark.parametrize("seed", range(4))
def test_whatever_is_saved_a_cached_read_equals_a_read_of_the_file(
    tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    db, cache = tmp_path / "notes.json", tmp_path / "cache"
    articles = ["a.txt", same_shard_as("a.txt"), "b.txt"]
    store = Store(db, cache_dir=cache)
    for step in range(40):
        article = rng.choice(articles)
        action = rng.randrange(4)
        if action == 0:
            store.highlights(article)
        elif action == 1:
            existing = Store(db).highlights(article)
            if existing:
                store.delete_highlight(article, rng.choice(existing).id)
        else:
            start = rng.randrange(50)
            hid = f"h{rng.randrange(8)}"  # some ids come again: a replacement
            store.save_highlight(make(hid, article, start=start, end=start + 5, note=str(step)))
        if rng.random() < 0.3:
            store.close()
            store = Store(db, cache_dir=cache)  # a restart
        for name in articles:
            truth = Store(db).highlights(name)
            assert store.highlights(name) == truth
            assert cached(db, cache).highlights(name) == truth


def test_the_first_highlights_of_an_article_are_copied_when_saved(
    db: Path, cache: Path, decodes: list[bytes]
) -> None:
    """An article opened with none yet (no highlights file at all) is marked: its copy is
    made then, as for any later change."""
    with Store(db, cache_dir=cache) as store:
        assert store.highlights("a.txt") == []
        store.save_highlight(make("h1"))
    assert [h.id for h in cached(db, cache).highlights("a.txt")] == ["h1"]
    assert decodes == []
