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

from reader.highlights_cache import HighlightsCache
from reader.models import Highlight
from reader.paths import HIGHLIGHTS_CACHE
from reader.shards import Shard, highlight_doc, in_reading_order, problem
from reader.storage import (
    FORMAT,
    HIGHLIGHTS,
    HIGHLIGHTS_FORMAT,
    SCHEMA_VERSION,
    SHARD_FILE,
    AtomicStorage,
    StoreError,
    WriteLock,
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

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = LOCK_TIMEOUT,
        cache_dir: Path | None = None,
    ) -> None:
        """Prepare the store at `path`; nothing is read or created until it is used.

        `cache_dir`: where to keep each article's highlights as last read (a copy that a
        first opening of the article after start reads faster than the highlights file:
        2.4 ms against 3.1 for 1,000). `close` waits for the copies being written."""
        cache = None if cache_dir is None else HighlightsCache(cache_dir / HIGHLIGHTS_CACHE)
        self._setup(Path(path), lock_timeout, cache)

    @classmethod
    def memory(cls) -> Store:
        """A store that lives in memory only (for tests)."""
        store = cls.__new__(cls)
        store._setup(None, 0.0)
        return store

    def _setup(
        self, path: Path | None, lock_timeout: float, cache: HighlightsCache | None = None
    ) -> None:
        self.path = path
        self._storage = AtomicStorage(None if path is None else os.fspath(path))
        storage = self._storage
        self._db = TinyDB(storage=lambda: storage)
        self._lock = WriteLock(path, lock_timeout)
        self._mutex = self._lock.mutex  # one TinyDB object and cache, shared by threads
        self._shard_dir = None if path is None else os.fspath(path) + "." + HIGHLIGHTS
        self._shards: dict[str, Shard] = {}
        self._parsed: OrderedDict[str, None] = OrderedDict()  # shards kept parsed, oldest first
        self._cache = cache

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database (every write is already on disk), once the cache's copies
        of highlights being written are too."""
        self._db.close()
        if self._cache is not None:
            self._cache.close()

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
            return list(shard.highlights(article_id))

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
        base_docs = {hid: highlight_doc(h) for hid, h in (bases or {}).items()}
        by_shard: dict[str, dict[str, dict[str, Any]]] = {}
        for highlight in highlights:
            doc = highlight_doc(highlight)
            why = problem(doc)
            if why:  # refused now, or it would be written and then skipped on every read
                raise ValueError(f"highlight {highlight.id!r} cannot be saved: {why}")
            by_shard.setdefault(shard_key(highlight.article), {})[highlight.id] = doc
        if not by_shard:
            return
        with self.transaction():
            self._check_main()
            for key, docs in by_shard.items():
                articles = {doc["article"] for doc in docs.values()}
                self._rewrite(key, partial(upsert, docs=docs, bases=base_docs), articles)

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
            self._rewrite(key, remove, (article_id,))

    def highlight_counts(self) -> dict[str, int]:
        """The number of highlights of every article that has some (orphans included)."""
        counts: dict[str, int] = {}
        with self._mutex:
            self._check_main()
        for key in self._shard_keys():
            shard = self._shard(key)
            with self._mutex:
                counts.update(shard.counts(partial(self._docs, shard)))
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
                found = shard.all(partial(self._docs, shard))
            yield from found

    def _check_main(self) -> None:
        """Refuse to touch highlights when the main file is damaged, foreign or newer (mutex
        held): it says what the whole store is, so a newer one may mean other highlights files.
        Cheap: the file is parsed again only when it changed."""
        self._storage.read()

    def _shard(self, key: str) -> Shard:
        shard = self._shards.get(key)
        if shard is None:
            path = None if self._shard_dir is None else os.path.join(self._shard_dir, f"{key}.json")
            shard = Shard(key, path, self._cache)
            shard = self._shards.setdefault(key, shard)  # one, even if threads race
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

    def _docs(self, shard: Shard) -> list[dict[str, Any]]:
        """The documents of a shard (mutex held), not kept parsed unless it was just written."""
        self._lock.refresh(shard.storage)
        docs = list(shard.table().values())
        if shard.key not in self._parsed:
            shard.storage.invalidate()  # a scan of every shard would keep ~1.5 KB per highlight
        return docs

    def _keep(self, key: str) -> None:
        """Keep a shard parsed, and drop the least recently used beyond `_KEEP_PARSED`."""
        self._parsed[key] = None
        self._parsed.move_to_end(key)
        while len(self._parsed) > _KEEP_PARSED:
            self._shard(self._parsed.popitem(last=False)[0]).storage.invalidate()

    def _rewrite(
        self, key: str, change: Callable[[dict[str, Any]], bool], articles: Iterable[str]
    ) -> None:
        """Re-read a shard under the lock, change a copy of its table, write it if changed
        (then keep the highlights of `articles`, whose change it is, as now written)."""
        shard = self._shard(key)
        with self.transaction():
            self._lock.refresh(shard.storage)
            data = shard.storage.read() or {}
            table = dict(data.get(HIGHLIGHTS, {}))
            if change(table):
                table = in_reading_order(table)
                shard.storage.write({**data, HIGHLIGHTS: table})
                shard.written(table, articles)
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
