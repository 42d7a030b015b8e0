"""The notes database: the one module that knows TinyDB (documents stop here)."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar, overload

import orjson
from tinydb import TinyDB, where
from tinydb.storages import Storage
from tinydb.table import Document, Table

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

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._data: Data | None = None
        self._stamp: tuple[int, int, int, int] | None = None
        self._swept = False

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
            raise StoreError(f"cannot read the notes database {self.path}: {exc.strerror}") from exc
        data = self._parse(raw) if raw else None
        self._data, self._stamp = data, stamp
        return data

    def _parse(self, raw: bytes) -> Data:
        """Decode and check a database file; never repairs anything."""
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise StoreError(
                f"the notes database {self.path} is damaged ({_one_line(str(exc))}); it was left "
                f"untouched: restore {self.path}.bak, or choose another file with --db"
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
            f"{self.path} is not a notes database of this reader; it was left untouched: "
            "choose another file with --db"
        )

    def write(self, data: Data) -> None:
        """Stamp the schema, then write atomically and durably; raises StoreError."""
        data.setdefault(META, {})[_META_ID] = {"format": FORMAT, "schema_version": SCHEMA_VERSION}
        payload = orjson.dumps(data)
        if self.path is None:
            self._data = orjson.loads(payload)  # a copy, JSON-checked, as a file would give
            return
        try:
            self._replace(payload)
        except OSError as exc:
            self.invalidate()
            raise StoreError(
                f"could not save to {self.path}: {exc.strerror or exc}; the last saved "
                "version is intact"
            ) from exc
        except BaseException:
            self.invalidate()
            raise
        # TinyDB mutated the dict it read; it is now what the file holds.
        st = os.stat(self.path)
        self._data = data
        self._stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def _replace(self, payload: bytes) -> None:
        """Temp file in the same folder, fsync, old file to .bak, rename, fsync the folder."""
        assert self.path is not None
        folder = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(folder, exist_ok=True)
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
    if meta.get("format") != FORMAT or not isinstance(version, int) or isinstance(version, bool):
        raise storage._foreign()
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the notes database {storage.path} was written by a newer reader (schema {version}, "
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
        tmp = ""
    finally:
        if tmp:
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
    """Reading positions, settings and the last article, in one crash-safe, shared TinyDB file."""

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

    # The TinyDB plumbing the next tables (highlights) reuse ------------------------------------

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
            try:
                # Another process may have written since our last read: drop every cache.
                self._storage.invalidate()
                yield
            finally:
                self._depth = 0
                if lock is not None:
                    lock.release()

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
