"""The notes database: the one module that knows TinyDB (documents stop here)."""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, overload

from tinydb import TinyDB, where
from tinydb.table import Document, Table

from reader.models import Anchor, Highlight, Status
from reader.storage import (
    FORMAT,
    HIGHLIGHTS,
    HIGHLIGHTS_FORMAT,
    SCHEMA_VERSION,
    SHARD_FILE,
    AtomicStorage,
    StoreError,
    WriteLock,
    file_stamp,
    is_int,
    shard_key,
    upsert,
)

__all__ = [
    "FORMAT",
    "HIGHLIGHTS",
    "HIGHLIGHTS_FORMAT",
    "LOCK_TIMEOUT",
    "SCHEMA_VERSION",
    "AtomicStorage",
    "Setting",
    "Store",
    "StoreError",
]

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 10.0
"""Seconds to wait for another copy of the app to finish its save."""

POSITIONS, SETTINGS, STATE = "positions", "settings", "state"

_KEEP_PARSED = 32
"""Highlights files kept parsed in memory (most recently used); the rest are re-read."""

Setting = str | int | float | bool | None
S = TypeVar("S", str, int, float, bool)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """Positions, settings, state and highlights, in crash-safe TinyDB files shared by processes."""

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        """Prepare the store at `path`; nothing is read or created until it is used."""
        self._setup(Path(path), lock_timeout)

    @classmethod
    def memory(cls) -> Store:
        """A store that lives in memory only (for tests)."""
        store = cls.__new__(cls)
        store._setup(None, 0.0)
        return store

    def _setup(self, path: Path | None, lock_timeout: float) -> None:
        self.path = path
        self._storage = AtomicStorage(None if path is None else os.fspath(path))
        storage = self._storage
        self._db = TinyDB(storage=lambda: storage)
        self._lock = WriteLock(path, lock_timeout)
        self._mutex = self._lock.mutex  # one TinyDB object and cache, shared by threads
        self._shard_dir = None if path is None else os.fspath(path) + "." + HIGHLIGHTS
        self._shards: dict[str, _Shard] = {}
        self._parsed: OrderedDict[str, None] = OrderedDict()  # shards kept parsed, oldest first

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database (nothing is pending: every write is already on disk)."""
        self._db.close()

    def check(self) -> None:
        """Read and validate the file now (to report a bad database early); raises StoreError."""
        with self._mutex:
            self._storage.read()

    # Reading positions ------------------------------------------------------------------------

    def position(self, article_id: str) -> int | None:
        """The saved reading offset (in characters of the body) of an article, or None."""
        doc = self._get(POSITIONS, "article", article_id)
        offset = None if doc is None else doc.get("offset")
        return offset if is_int(offset) and offset >= 0 else None

    def set_position(self, article_id: str, offset: int) -> None:
        """Save the reading offset of an article (on disk when this returns)."""
        if not is_int(offset) or offset < 0:
            raise ValueError(f"a position is a character offset >= 0, not {offset!r}")
        doc = {"article": article_id, "offset": offset, "updated": _now()}
        self._put(POSITIONS, "article", article_id, doc)

    def positions(self) -> dict[str, int]:
        """Every saved reading offset, by article id."""
        with self._mutex:
            docs = self._table(POSITIONS).all()
        return {
            doc["article"]: doc["offset"]
            for doc in docs
            if isinstance(doc.get("article"), str) and is_int(doc.get("offset"))
        }

    # The last article opened ------------------------------------------------------------------

    def last_opened(self) -> str | None:
        """The id of the article opened last, or None."""
        doc = self._get(STATE, "key", "last_opened")
        value = None if doc is None else doc.get("value")
        return value if isinstance(value, str) else None

    def set_last_opened(self, article_id: str) -> None:
        """Remember the article opened last."""
        self._put(STATE, "key", "last_opened", {"key": "last_opened", "value": article_id})

    # Settings ---------------------------------------------------------------------------------

    @overload
    def setting(self, key: str, default: None = None) -> Setting: ...
    @overload
    def setting(self, key: str, default: S) -> S: ...
    def setting(self, key: str, default: Setting = None) -> Setting:
        """A saved setting; `default` when unset, or when saved with another type than default's."""
        doc = self._get(SETTINGS, "key", key)
        if doc is None or "value" not in doc:
            return default
        value: Setting = doc["value"]
        if default is not None and type(value) is not type(default):
            log.info("setting %r has an unexpected type; using the default", key)
            return default
        return value

    def set_setting(self, key: str, value: Setting) -> None:
        """Save a setting (a JSON scalar)."""
        if value is not None and not isinstance(value, str | int | float | bool):
            raise TypeError(f"a setting is a str, int, float, bool or None, not {type(value)}")
        self._put(SETTINGS, "key", key, {"key": key, "value": value})

    # Highlights -------------------------------------------------------------------------------

    def highlights(self, article_id: str) -> list[Highlight]:
        """The highlights of one article, sorted by (start, end, created)."""
        shard = self._shard(shard_key(article_id))
        with self._mutex:
            self._check_main()
            docs = self._docs(shard, keep=True)
            stamp = shard.read_stamp
            cached = shard.converted.get(article_id)
            if cached is not None and stamp is not None and cached[0] == stamp:
                return list(cached[1])  # the file has not changed since: the same values
        mine = [doc for doc in docs if doc.get("article") == article_id]
        found = [h for h in (shard.convert(doc) for doc in mine) if h is not None]
        found.sort(key=lambda h: (h.start, h.end, h.created))
        with self._mutex:
            shard.converted[article_id] = (stamp, tuple(found))
        return found

    def save_highlight(self, highlight: Highlight, base: Highlight | None = None) -> None:
        """Insert or replace (by id) a highlight; on disk when this returns. `base`: the
        version it was edited from (see `save_highlights`)."""
        self.save_highlights((highlight,), {highlight.id: base} if base is not None else None)

    def save_highlights(
        self, highlights: Iterable[Highlight], bases: Mapping[str, Highlight] | None = None
    ) -> None:
        """Insert or replace many highlights: one lock, one write per file touched.

        `bases`: by id, the version a highlight was edited from. If another writer saved a
        change to it since, only the fields edited here (anchor, note and tags, colour) are
        written over theirs; theirs stay.
        """
        base_docs = {hid: _highlight_doc(h) for hid, h in (bases or {}).items()}
        by_shard: dict[str, dict[str, dict[str, Any]]] = {}
        for highlight in highlights:
            doc = _highlight_doc(highlight)
            problem = _problem(doc)
            if problem:  # refused now, or it would be written and then skipped on every read
                raise ValueError(f"highlight {highlight.id!r} cannot be saved: {problem}")
            by_shard.setdefault(shard_key(highlight.article), {})[highlight.id] = doc
        if not by_shard:
            return
        with self.transaction():
            self._check_main()
            for key, docs in by_shard.items():
                self._rewrite(key, partial(upsert, docs=docs, bases=base_docs))

    def delete_highlight(self, article_id: str, highlight_id: str) -> None:
        """Delete a highlight; nothing happens if it is not there."""
        key = shard_key(article_id)
        shard = self._shard(key)
        with self._mutex:
            self._check_main()
        if shard.storage.path is not None and not os.path.exists(shard.storage.path):
            return  # nothing to delete, and nothing (not even the lock) is created

        def remove(table: dict[str, Any]) -> bool:
            gone = [
                doc_id
                for doc_id, doc in table.items()
                if doc.get("id") == highlight_id and doc.get("article") == article_id
            ]
            for doc_id in gone:
                del table[doc_id]
            return bool(gone)

        with self.transaction():
            self._rewrite(key, remove)

    def highlight_counts(self) -> dict[str, int]:
        """The number of highlights of every article that has some (orphans included)."""
        counts: dict[str, int] = {}
        with self._mutex:
            self._check_main()
        for key in self._shard_keys():
            shard = self._shard(key)
            with self._mutex:
                counts.update(shard.counts(partial(self._docs, shard, keep=False)))
        return counts

    def all_highlights(self, part: tuple[int, int] = (0, 1)) -> Iterator[Highlight]:
        """Every highlight of every article (for export), in no particular order.

        `part=(i, n)`: only the i-th of n disjoint parts (whole files, whole articles), for
        n processes that read the store side by side.
        """
        index, parts = part
        with self._mutex:
            self._check_main()
        for key in self._shard_keys():
            if int(key, 16) % parts != index:
                continue
            shard = self._shard(key)
            with self._mutex:  # not held across a yield: the caller may take its time
                docs = self._docs(shard, keep=False)
            for doc in docs:
                highlight = shard.convert(doc)
                if highlight is not None:
                    yield highlight

    def _check_main(self) -> None:
        """Refuse to touch highlights when the main file is damaged, foreign or newer (mutex
        held): it says what the whole store is, so a newer one may mean other highlights files.
        Cheap: the file is parsed again only when it changed."""
        self._storage.read()

    def _shard(self, key: str) -> _Shard:
        shard = self._shards.get(key)
        if shard is None:
            path = None if self._shard_dir is None else os.path.join(self._shard_dir, f"{key}.json")
            shard = self._shards.setdefault(key, _Shard(key, path))  # one, even if threads race
        return shard

    def _shard_keys(self) -> list[str]:
        """The shards that exist (on disk, or written to in memory), in order."""
        if self._shard_dir is None:
            return sorted(k for k, shard in self._shards.items() if shard.storage.read())
        try:
            names = os.listdir(self._shard_dir)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"cannot list the highlights in {self._shard_dir}: {exc}") from exc
        return sorted(name[:2] for name in names if SHARD_FILE.fullmatch(name))

    def _docs(self, shard: _Shard, *, keep: bool) -> list[dict[str, Any]]:
        """The documents of a shard (mutex held); `keep`: stay parsed for the next read."""
        self._lock.refresh(shard.storage)
        docs = list(shard.table().values())
        if keep:
            self._keep(shard.key)
        elif shard.key not in self._parsed:
            shard.storage.invalidate()  # a scan of every shard would keep ~1.5 KB per highlight
        return docs

    def _keep(self, key: str) -> None:
        """Keep a shard parsed, and drop the least recently used beyond `_KEEP_PARSED`."""
        self._parsed[key] = None
        self._parsed.move_to_end(key)
        while len(self._parsed) > _KEEP_PARSED:
            self._shard(self._parsed.popitem(last=False)[0]).storage.invalidate()

    def _rewrite(self, key: str, change: Callable[[dict[str, Any]], bool]) -> None:
        """Re-read a shard under the lock, change a copy of its table, write it if changed."""
        shard = self._shard(key)
        with self.transaction():
            self._lock.refresh(shard.storage)
            data = shard.storage.read() or {}
            table = dict(data.get(HIGHLIGHTS, {}))
            if change(table):
                shard.storage.write({**data, HIGHLIGHTS: table})
            self._keep(key)  # what was just written is likely read next

    # The TinyDB plumbing ----------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        """Hold the file lock over several changes (each is written as it is made)."""
        return self._lock.hold()

    def _table(self, name: str) -> Table:
        """A table with its query cache and next id dropped (both go stale across processes)."""
        self._lock.refresh(self._storage)
        table = self._db.table(name)
        table.clear_cache()
        table._next_id = None
        return table

    def _get(self, table: str, field: str, key: str) -> Document | None:
        """The one document whose `field` equals `key`, or None."""
        with self._mutex:
            found = self._table(table).get(where(field) == key)
        return found if isinstance(found, Document) else None

    def _put(self, table: str, field: str, key: str, doc: dict[str, Any]) -> None:
        """Insert or replace the document whose `field` equals `key`, under the lock."""
        self._change(lambda: self._table(table).upsert(doc, where(field) == key))

    def _change(self, change: Callable[[], object]) -> None:
        with self.transaction():
            change()


class _Shard:
    """One highlights file: those of the articles whose id hashes to its name."""

    def __init__(self, key: str, path: str | None) -> None:
        self.key = key
        self.storage = AtomicStorage(
            path,
            fmt=HIGHLIGHTS_FORMAT,
            label="highlights file",
            advice="move it aside",
            empty_is_new=False,  # written stamped, always: an empty one was damaged
        )
        self._counts: dict[str, int] = {}
        self._counted: tuple[int, int, int, int] | None = None  # the file version counted
        self.read_stamp: tuple[int, int, int, int] | None = None  # the version `table` gave
        # Highlights already made from the documents, by article, with the file version they
        # came from: reopening an article does not convert its documents again.
        self.converted: dict[str, tuple[object, tuple[Highlight, ...]]] = {}

    def table(self) -> dict[str, dict[str, Any]]:
        """The highlights table as read (do not change it); raises StoreError."""
        data = self.storage.read()
        self.read_stamp = self.storage.stamp
        return {} if data is None else data.get(HIGHLIGHTS, {})

    def counts(self, docs: Callable[[], list[dict[str, Any]]]) -> dict[str, int]:
        """Highlights by article, counted again only when the file changed."""
        path = self.storage.path
        if path is not None and self._counted is not None and self._counted == file_stamp(path):
            return self._counts
        counts: dict[str, int] = {}
        for doc in docs():
            if _problem(doc) is None:
                counts[doc["article"]] = counts.get(doc["article"], 0) + 1
            else:
                self._warn(doc)
        self._counts, self._counted = counts, self.read_stamp
        return counts

    def convert(self, doc: Mapping[str, Any]) -> Highlight | None:
        """The highlight of a document, or None (with a warning) if it does not convert."""
        if _problem(doc) is not None:
            self._warn(doc)
            return None
        return _doc_highlight(doc)

    def _warn(self, doc: Mapping[str, Any]) -> None:
        log.warning(
            "skipping highlight %r in %s: %s (it is kept in the file)",
            doc.get("id"),
            self.storage.path or "memory",
            _problem(doc),
        )


_TEXT_FIELDS = (
    "id",
    "article",
    "quote",
    "prefix",
    "suffix",
    "body_hash",
    "cleaner",
    "color",
    "note",
    "created",
    "updated",
)
_STATUSES: dict[str, Status] = {"ok": "ok", "drifted": "drifted", "orphan": "orphan"}


def _highlight_doc(highlight: Highlight) -> dict[str, Any]:
    """The flat document a highlight is stored as."""
    anchor = highlight.anchor
    return {
        "id": highlight.id,
        "article": highlight.article,
        "start": anchor.start,
        "end": anchor.end,
        "quote": anchor.quote,
        "prefix": anchor.prefix,
        "suffix": anchor.suffix,
        "body_hash": anchor.body_hash,
        "cleaner": anchor.cleaner,
        "color": highlight.color,
        "note": highlight.note,
        "tags": list(highlight.tags),
        "created": highlight.created,
        "updated": highlight.updated,
        "status": highlight.status,
    }


def _doc_highlight(doc: Mapping[str, Any]) -> Highlight:
    """The highlight a document holds; check it with `_problem` first."""
    return Highlight(
        id=doc["id"],
        article=doc["article"],
        anchor=Anchor(
            start=doc["start"],
            end=doc["end"],
            quote=doc["quote"],
            prefix=doc["prefix"],
            suffix=doc["suffix"],
            body_hash=doc["body_hash"],
            cleaner=doc["cleaner"],
        ),
        color=doc["color"],
        note=doc["note"],
        tags=tuple(doc["tags"]),
        created=doc["created"],
        updated=doc["updated"],
        status=_STATUSES[doc["status"]],
    )


def _problem(doc: Mapping[str, Any]) -> str | None:
    """Why a document is not a highlight (a missing or mistyped field), or None."""
    for name in _TEXT_FIELDS:
        if not isinstance(doc.get(name), str):
            return f"{name} is missing or not text"
    start, end = doc.get("start"), doc.get("end")
    if not (is_int(start) and is_int(end) and 0 <= start <= end):
        return "start and end are not offsets (0 <= start <= end)"
    tags = doc.get("tags")
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return "tags is not a list of text"
    status = doc.get("status")
    if not isinstance(status, str) or status not in _STATUSES:
        return f"status is not one of {', '.join(_STATUSES)}"
    return None
