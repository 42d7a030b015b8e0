"""The files under the store: crash-safe JSON files for TinyDB, and the lock that guards them."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import orjson
from tinydb.storages import Storage

if TYPE_CHECKING:
    from filelock import FileLock

from reader.paths import remove_quietly

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
"""Bump with a migration in `check_schema` when the shape of a table changes."""
FORMAT = "article-reader/notes"
"""The format stamped in the notes database (a highlights file has its own)."""
META = "meta"
"""The table holding the format and schema version of a file."""
_META_ID = "1"

Data = dict[str, dict[str, Any]]
Stamp = tuple[int, int, int, int]
"""A file's version: inode, size, modification and change times (ns)."""

# Highlights live in 256 TinyDB files in `<db>.highlights/`, named by the first two hex digits
# of the sha256 of the article id: a TinyDB write rewrites its whole file, so one file of 100k
# highlights (~50 MB) would take far too long to save; a shard is ~1/256 of that. Positions,
# settings and state stay in the main file; one lock file guards writes to any of them.
HIGHLIGHTS = "highlights"
"""The table of a highlights file, and the suffix of their folder (`<db>.highlights`)."""
HIGHLIGHTS_FORMAT = "article-reader/highlights"
"""The format stamped in a highlights file."""
SHARD_FILE = re.compile(r"[0-9a-f]{2}\.json")
"""The name of a highlights file: its shard key, then `.json`."""


class StoreError(Exception):
    """The database cannot be used (damaged, foreign, newer, locked); the message is one line."""


def is_int(value: object) -> TypeGuard[int]:
    """An int, and not a bool (JSON's true and false decode to bools)."""
    return isinstance(value, int) and not isinstance(value, bool)


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
        empty_is_new: bool = True,
    ) -> None:
        self.path = path
        self.format = fmt
        self.label = label  # names the file in messages
        self.advice = advice  # what the user can do about a file we refuse
        # An empty file is a new database (one made with `touch`, say), unless this kind of
        # file is only ever written by us, stamped: then it is a damaged one.
        self.empty_is_new = empty_is_new
        self._data: Data | None = None
        self._stamp: Stamp | None = None
        self._swept = False

    @property
    def stamp(self) -> Stamp | None:
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
        snapshot = self.snapshot(known=self._stamp if self._data is not None else None)
        if snapshot is None:
            self._data, self._stamp = None, None
            return None
        stamp, raw = snapshot
        if raw is None:
            return self._data  # the file has not changed since it was parsed
        data = self._parse(raw) if raw else None
        self._data, self._stamp = data, stamp
        return data

    def snapshot(self, known: Stamp | None = None) -> tuple[Stamp, bytes | None] | None:
        """The file's version and its bytes, not parsed (None if there is no file). The bytes
        are None when the version is `known`: not read again. Raises StoreError (unreadable,
        or empty when it cannot be new)."""
        assert self.path is not None
        try:
            with open(self.path, "rb") as f:
                st = os.fstat(f.fileno())
                stamp = _stamp_of(st)
                if stamp == known:
                    return stamp, None
                raw = f.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"cannot read the {self.label} {self.path}: {exc.strerror}") from exc
        if not raw:
            self._check_empty()
        return stamp, raw

    def _check_empty(self) -> None:
        """Refuse an empty file that cannot be a new database: one of a kind we always write
        stamped, or one whose backup holds something (it was cut short, not made empty). Were
        it read as empty, the next save would make it the backup, over the good one."""
        backup = f"{self.path}.bak"
        try:
            kept = os.path.getsize(backup) > 0
        except OSError:
            kept = False
        if self.empty_is_new and not kept:
            return
        restore = f"restore {backup}, or " if kept else ""
        raise StoreError(
            f"the {self.label} {self.path} is empty (damaged); it was left untouched: "
            f"{restore}{self.advice}"
        )

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
        check_schema(data, self)
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
        self._stamp = _stamp_of(st)

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
                remove_quietly(tmp)
        _fsync_dir(folder)


def check_schema(data: Data, storage: AtomicStorage) -> None:
    """Refuse a foreign file or one from a newer reader; migrate older ones (none yet)."""
    meta = data.get(META, {}).get(_META_ID)
    if meta is None:
        if any(data.values()):
            raise storage._foreign()
        return  # an empty database: the first write stamps it
    version = meta.get("schema_version")
    if meta.get("format") != storage.format or not is_int(version):
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
        remove_quietly(tmp)


def _sweep(folder: str, name: str) -> None:
    """Remove temp files left by a killed writer (only a writer holding the lock makes them)."""
    try:
        leftovers = [e for e in os.listdir(folder) if e.startswith(f".{name}.") and ".tmp" in e]
    except OSError:
        return
    for entry in leftovers:
        log.info("removing %s, left by an interrupted save", entry)
        remove_quietly(os.path.join(folder, entry))


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


def shard_key(article_id: str) -> str:
    """The shard of an article: the first two hex digits of the sha256 of its id."""
    return hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:2]


def file_stamp(path: str) -> Stamp | None:
    """The version (inode, size, times) of a file, or None if it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _stamp_of(st)


def _stamp_of(st: os.stat_result) -> Stamp:
    """A file's version, from its status."""
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


# Fields that change together: an edit of one group leaves the others to whoever changed them.
_GROUPS = (
    ("start", "end", "quote", "prefix", "suffix", "body_hash", "cleaner", "status"),
    ("note", "tags"),
    ("color",),
)


def merged(
    base: Mapping[str, Any], ours: dict[str, Any], theirs: Mapping[str, Any]
) -> dict[str, Any]:
    """Our edit of `base`, made onto `theirs` (what another writer saved since): the groups of
    fields we changed are ours, the others stay theirs."""
    result = dict(theirs)
    for group in _GROUPS:
        if any(ours.get(name) != base.get(name) for name in group):
            result.update({name: ours.get(name) for name in group})
    result["updated"] = max(str(ours.get("updated", "")), str(theirs.get("updated", "")))
    return result


def upsert(
    table: dict[str, Any],
    docs: Mapping[str, dict[str, Any]],
    bases: Mapping[str, Mapping[str, Any]] | None = None,
) -> bool:
    """Put `docs` (by highlight id) into a table, replacing same ids; True if it changed.

    `bases`: the version each doc was made from; a stored one that differs from it was
    changed by another writer since, and only the fields edited here replace its own.
    """
    placed: set[str] = set()
    changed = False
    for doc_id, old in list(table.items()):
        hid = old.get("id")
        if not isinstance(hid, str) or hid not in docs:
            continue  # another highlight, or a document we cannot read: kept as it is
        if hid in placed:
            del table[doc_id]  # a duplicate id (not written by us): keep one
            changed = True
            continue
        new = docs[hid]
        base = bases.get(hid) if bases else None
        if base is not None and old != base:
            new = merged(base, new, old)
        if old != new:
            table[doc_id] = new
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


class WriteLock:
    """The lock file beside the database: one writer at a time, across threads and processes."""

    def __init__(self, path: Path | None, timeout: float) -> None:
        self.path = path  # the database; None: in memory, nothing to lock
        self.timeout = timeout
        self.mutex = threading.RLock()  # one TinyDB object and cache, shared by threads
        self._depth = 0
        self._file_lock: FileLock | None = None
        self._fresh: set[AtomicStorage] = set()  # files re-read since the lock was taken

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the file lock over several changes (each is written as it is made)."""
        with self.mutex:
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

    def refresh(self, storage: AtomicStorage) -> None:
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
            self._file_lock = FileLock(os.fspath(self.path) + ".lock", timeout=self.timeout)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file_lock.acquire()
        except Timeout as exc:
            raise StoreError(
                f"the notes database {self.path} is busy (another program holds "
                f"{self.path}.lock for more than {self.timeout:g} s); try again"
            ) from exc
        except OSError as exc:  # a read-only or full folder, most often: say so, once
            raise StoreError(
                f"cannot lock the notes database {self.path} ({self.path.name}.lock: "
                f"{exc.strerror or exc}); nothing was saved"
            ) from exc
        return self._file_lock
