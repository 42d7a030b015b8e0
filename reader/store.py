"""The notes database: the one module that knows TinyDB (documents stop here)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar, overload

import orjson
from tinydb import TinyDB, where
from tinydb.storages import Storage
from tinydb.table import Document, Table

from reader.models import Anchor, Highlight, Status

if TYPE_CHECKING:
    from filelock import FileLock

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
"""Bump with a migration in `_check_schema` when the shape of a table changes."""
FORMAT = "article-reader/notes"
LOCK_TIMEOUT = 10.0
"""Seconds to wait for another copy of the app to finish its save."""

META, POSITIONS, SETTINGS, STATE = "meta", "positions", "settings", "state"
_META_ID = "1"

# Highlights live in 256 TinyDB files in `<db>.highlights/`, named by the first two hex digits
# of the sha256 of the article id: a TinyDB write rewrites its whole file, so one file of 100k
# highlights (~50 MB) would take far too long to save; a shard is ~1/256 of that. Positions,
# settings and state stay in the main file; one lock file guards writes to any of them.
HIGHLIGHTS = "highlights"
"""The table of a highlights file, and the suffix of their folder (`<db>.highlights`)."""
HIGHLIGHTS_FORMAT = "article-reader/highlights"
_SHARD_FILE = re.compile(r"[0-9a-f]{2}\.json")
_KEEP_PARSED = 32
"""Highlights files kept parsed in memory (most recently used); the rest are re-read."""

Data = dict[str, dict[str, Any]]
Setting = str | int | float | bool | None
S = TypeVar("S", str, int, float, bool)


class StoreError(Exception):
    """The database cannot be used (damaged, foreign, newer, locked); the message is one line."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _one_line(text: str) -> str:
    return " ".join(text.split())


class AtomicStorage(Storage):
    """TinyDB storage: orjson, atomic fsync-ed replace, a `.bak`, schema checks; None = memory."""

    def __init__(
        self,
        path: str | None,
        *,
        fmt: str = FORMAT,
        label: str = "notes database",
        advice: str = "choose another file with --db",
    ) -> None:
        self.path = path
        self.format = fmt
        self.label = label  # names the file in messages
        self.advice = advice  # what the user can do about a file we refuse
        self._data: Data | None = None
        self._stamp: tuple[int, int, int, int] | None = None
        self._swept = False

    @property
    def stamp(self) -> tuple[int, int, int, int] | None:
        """The version (inode, size, times) of the file the cache holds; None if not cached."""
        return self._stamp

    def invalidate(self) -> None:
        """Forget the cached contents: the next read goes to the file (done inside the lock)."""
        if self.path is not None:
            self._data = None
            self._stamp = None

    def read(self) -> Data | None:
        """The whole database, re-read only when the file changed; raises StoreError."""
        if self.path is None:
            return self._data
        try:
            with open(self.path, "rb") as f:
                st = os.fstat(f.fileno())
                stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                if self._data is not None and stamp == self._stamp:
                    return self._data
                raw = f.read()
        except FileNotFoundError:
            self._data, self._stamp = None, None
            return None
        except OSError as exc:
            raise StoreError(f"cannot read the {self.label} {self.path}: {exc.strerror}") from exc
        data = self._parse(raw) if raw else None
        self._data, self._stamp = data, stamp
        return data

    def _parse(self, raw: bytes) -> Data:
        """Decode and check a database file; never repairs anything."""
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise StoreError(
                f"the {self.label} {self.path} is damaged ({_one_line(str(exc))}); it was left "
                f"untouched: restore {self.path}.bak, or {self.advice}"
            ) from exc
        if not isinstance(data, dict) or not all(
            isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
            for table in data.values()
        ):
            raise self._foreign()
        _check_schema(data, self)
        return data

    def _foreign(self) -> StoreError:
        return StoreError(
            f"{self.path} is not a {self.label} of this reader; it was left untouched: "
            f"{self.advice}"
        )

    def write(self, data: Data) -> None:
        """Stamp the schema, then write atomically and durably; raises StoreError."""
        stamp = {"format": self.format, "schema_version": SCHEMA_VERSION}
        # A new dict: a failed write leaves the caller's dict as it was.
        data = {**data, META: {**data.get(META, {}), _META_ID: stamp}}
        if self.path is None:
            self._data = orjson.loads(orjson.dumps(data))  # a copy, as a file would give
            return
        try:
            self._replace(orjson.dumps(data))
            st = os.stat(self.path)
        except OSError as exc:
            self.invalidate()
            raise StoreError(
                f"could not save to {self.path}: {exc.strerror or exc}; the last saved "
                "version is intact"
            ) from exc
        except BaseException:
            self.invalidate()  # TinyDB changed the cached dict before this failed write
            raise
        self._data = data
        self._stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def _replace(self, payload: bytes) -> None:
        """Temp file in the same folder, fsync, old file to .bak, rename, fsync the folder."""
        assert self.path is not None
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            os.makedirs(folder, exist_ok=True)
            _fsync_dir(os.path.dirname(folder))  # a new folder's own entry must survive a crash
        name = os.path.basename(self.path)
        if not self._swept:
            _sweep(folder, name)
            self._swept = True
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            if os.path.exists(self.path):
                _backup(self.path, folder, name)
            os.replace(tmp, self.path)
            tmp = ""
        finally:
            if tmp:
                _unlink(tmp)
        _fsync_dir(folder)


def _check_schema(data: Data, storage: AtomicStorage) -> None:
    """Refuse a foreign file or one from a newer reader; migrate older ones (none yet)."""
    meta = data.get(META, {}).get(_META_ID)
    if meta is None:
        if any(data.values()):
            raise storage._foreign()
        return  # an empty database: the first write stamps it
    version = meta.get("schema_version")
    if meta.get("format") != storage.format or not _is_int(version):
        raise storage._foreign()
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the {storage.label} {storage.path} was written by a newer reader (schema {version}, "
            f"this one knows {SCHEMA_VERSION}); upgrade the reader, it was left untouched"
        )


def _backup(path: str, folder: str, name: str) -> None:
    """Keep the current (parsed, so good) file as `<name>.bak`: a hard link, or a copy."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".bak.tmp")
    os.close(fd)
    try:
        try:
            os.unlink(tmp)
            os.link(path, tmp)
        except OSError:  # no hard links here (some network or FAT file systems): copy
            import shutil

            shutil.copyfile(path, tmp)
        os.replace(tmp, path + ".bak")
    finally:
        # Gone after the replace, unless .bak already was this file (a save killed just after
        # its backup): rename(2) between two links of one file does nothing and keeps both.
        _unlink(tmp)


def _sweep(folder: str, name: str) -> None:
    """Remove temp files left by a killed writer (only a writer holding the lock makes them)."""
    try:
        leftovers = [e for e in os.listdir(folder) if e.startswith(f".{name}.") and ".tmp" in e]
    except OSError:
        return
    for entry in leftovers:
        log.info("removing %s, left by an interrupted save", entry)
        _unlink(os.path.join(folder, entry))


def _fsync_dir(folder: str) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


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
        self._lock_timeout = lock_timeout
        self._mutex = threading.RLock()  # one TinyDB object and cache, shared by threads
        self._depth = 0
        self._file_lock: FileLock | None = None
        self._fresh: set[AtomicStorage] = set()  # files re-read since the lock was taken
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
        return offset if _is_int(offset) and offset >= 0 else None

    def set_position(self, article_id: str, offset: int) -> None:
        """Save the reading offset of an article (on disk when this returns)."""
        if not _is_int(offset) or offset < 0:
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
            if isinstance(doc.get("article"), str) and _is_int(doc.get("offset"))
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
        shard = self._shard(_shard_key(article_id))
        with self._mutex:
            docs = [doc for doc in self._docs(shard, keep=True) if doc.get("article") == article_id]
        found = [h for h in (shard.convert(doc) for doc in docs) if h is not None]
        return sorted(found, key=lambda h: (h.start, h.end, h.created))

    def save_highlight(self, highlight: Highlight) -> None:
        """Insert or replace (by id) a highlight; on disk when this returns."""
        self.save_highlights((highlight,))

    def save_highlights(self, highlights: Iterable[Highlight]) -> None:
        """Insert or replace many highlights: one lock, one write per file touched."""
        by_shard: dict[str, dict[str, dict[str, Any]]] = {}
        for highlight in highlights:
            doc = _highlight_doc(highlight)
            problem = _problem(doc)
            if problem:  # refused now, or it would be written and then skipped on every read
                raise ValueError(f"highlight {highlight.id!r} cannot be saved: {problem}")
            by_shard.setdefault(_shard_key(highlight.article), {})[highlight.id] = doc
        if not by_shard:
            return
        with self.transaction():
            for key, docs in by_shard.items():
                self._rewrite(key, partial(_upsert, docs=docs))

    def delete_highlight(self, article_id: str, highlight_id: str) -> None:
        """Delete a highlight; nothing happens if it is not there."""
        key = _shard_key(article_id)
        shard = self._shard(key)
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
        for key in self._shard_keys():
            shard = self._shard(key)
            with self._mutex:
                counts.update(shard.counts(partial(self._docs, shard, keep=False)))
        return counts

    def all_highlights(self) -> Iterator[Highlight]:
        """Every highlight of every article (for export), in no particular order."""
        for key in self._shard_keys():
            shard = self._shard(key)
            with self._mutex:  # not held across a yield: the caller may take its time
                docs = self._docs(shard, keep=False)
            for doc in docs:
                highlight = shard.convert(doc)
                if highlight is not None:
                    yield highlight

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
        return sorted(name[:2] for name in names if _SHARD_FILE.fullmatch(name))

    def _docs(self, shard: _Shard, *, keep: bool) -> list[dict[str, Any]]:
        """The documents of a shard (mutex held); `keep`: stay parsed for the next read."""
        self._refresh(shard.storage)
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
            self._refresh(shard.storage)
            data = shard.storage.read() or {}
            table = dict(data.get(HIGHLIGHTS, {}))
            if change(table):
                shard.storage.write({**data, HIGHLIGHTS: table})
            self._keep(key)  # what was just written is likely read next

    # The TinyDB plumbing ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the file lock over several changes (each is written as it is made)."""
        with self._mutex:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            lock = self._acquire()
            self._depth = 1
            self._fresh.clear()
            try:
                yield
            finally:
                self._depth = 0
                self._fresh.clear()
                if lock is not None:
                    lock.release()

    def _refresh(self, storage: AtomicStorage) -> None:
        """Inside the lock, re-read a file at its first use: another process may have written."""
        if self._depth and storage not in self._fresh:
            storage.invalidate()
            self._fresh.add(storage)

    def _acquire(self) -> FileLock | None:
        """Take the file lock beside the database (creating its folder); None in memory."""
        if self.path is None:
            return None
        from filelock import FileLock, Timeout

        if self._file_lock is None:
            self._file_lock = FileLock(os.fspath(self.path) + ".lock", timeout=self._lock_timeout)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file_lock.acquire()
        except Timeout as exc:
            raise StoreError(
                f"the notes database {self.path} is busy (another program holds "
                f"{self.path}.lock for more than {self._lock_timeout:g} s); try again"
            ) from exc
        except OSError as exc:
            raise StoreError(f"cannot lock the notes database {self.path}: {exc}") from exc
        return self._file_lock

    def _table(self, name: str) -> Table:
        """A table with its query cache and next id dropped (both go stale across processes)."""
        self._refresh(self._storage)
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


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class _Shard:
    """One highlights file: those of the articles whose id hashes to its name."""

    def __init__(self, key: str, path: str | None) -> None:
        self.key = key
        self.storage = AtomicStorage(
            path, fmt=HIGHLIGHTS_FORMAT, label="highlights file", advice="move it aside"
        )
        self._counts: dict[str, int] = {}
        self._counted: tuple[int, int, int, int] | None = None  # the file version counted
        self.read_stamp: tuple[int, int, int, int] | None = None  # the version `table` gave

    def table(self) -> dict[str, dict[str, Any]]:
        """The highlights table as read (do not change it); raises StoreError."""
        data = self.storage.read()
        self.read_stamp = self.storage.stamp
        return {} if data is None else data.get(HIGHLIGHTS, {})

    def counts(self, docs: Callable[[], list[dict[str, Any]]]) -> dict[str, int]:
        """Highlights by article, counted again only when the file changed."""
        path = self.storage.path
        if path is not None and self._counted is not None and self._counted == _stamp(path):
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


def _shard_key(article_id: str) -> str:
    """The shard of an article: the first two hex digits of the sha256 of its id."""
    return hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:2]


def _stamp(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


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
    if not (_is_int(start) and _is_int(end) and 0 <= start <= end):
        return "start and end are not offsets (0 <= start <= end)"
    tags = doc.get("tags")
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return "tags is not a list of text"
    status = doc.get("status")
    if not isinstance(status, str) or status not in _STATUSES:
        return f"status is not one of {', '.join(_STATUSES)}"
    return None


def _upsert(table: dict[str, Any], docs: Mapping[str, dict[str, Any]]) -> bool:
    """Put `docs` (by highlight id) into a table, replacing same ids; True if it changed."""
    placed: set[str] = set()
    changed = False
    for doc_id, old in list(table.items()):
        hid = old.get("id")
        if not isinstance(hid, str) or hid not in docs:
            continue  # another highlight, or a document we cannot read: kept as it is
        if hid in placed:
            del table[doc_id]  # a duplicate id (not written by us): keep one
            changed = True
        elif old != docs[hid]:
            table[doc_id] = docs[hid]
            changed = True
        placed.add(hid)
    # TinyDB's document ids are integers (as text); new ones go after the highest.
    next_id = max((int(k) for k in table if k.isascii() and k.isdigit()), default=0) + 1
    for hid, doc in docs.items():
        if hid not in placed:
            table[str(next_id)] = doc
            next_id += 1
            changed = True
    return changed
