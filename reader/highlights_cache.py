"""Each article's highlights as last read from its highlights file, kept in the cache folder.

The highlights file (JSON, shared by the articles whose ids hash alike) is the record. Reading
one article's highlights from it decodes the whole file and sorts them: about 3.1 ms for
1,000, the first read in a process. This entry holds that article's alone, sorted, in
msgpack, and decodes straight into `Highlight` values in about 2.4 ms: a first opening after
start reads it.

It is a copy, trusted only for the very version of the file it was made from (inode, size,
modification and change times, all of which a write through the store changes), and never
where the file system keeps whole seconds only (two writes within one could look alike).
Anything else (missing, damaged, stale, another file's, out of order) is ignored: the file is
read instead. Nothing here ever fails a read or a save.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

import msgspec

from reader.models import Highlight
from reader.paths import replace_cache_file
from reader.storage import Stamp

log = logging.getLogger(__name__)

FORMAT = "article-reader/highlights"
VERSION = 2
"""Of the entries' layout, and of their order (`models.READING_ORDER`): change it with them."""
WRITE_DELAY = 1.0
"""Seconds from the first entry handed over to the writing of all those handed over by then:
after the opening, or the burst of saves, that made them."""
_SECOND = 1_000_000_000


class _Entry(msgspec.Struct, array_like=True, frozen=True, gc=False):
    format: str
    version: int
    file: bytes  # the highlights file's absolute path, as the file system has it
    article: str
    stamp: tuple[int, int, int, int]
    highlights: tuple[Highlight, ...]


_DECODER = msgspec.msgpack.Decoder(_Entry)
_ENCODER = msgspec.msgpack.Encoder()


class HighlightsCache:
    """The entries of one cache folder (`folder` is created when the first is written).

    Entries are written by a thread of their own, a moment later (`WRITE_DELAY`): neither an
    opening nor a save waits for them, and a burst of saves writes one entry. The latest
    handed over for an entry wins. The thread is started with the cache and waits for work
    (an opening would otherwise wait for a thread to start) until `close`; it is a daemon:
    what is pending when the process ends without `flush` or `close` is not written (it is a
    copy; a temp file cut short is swept by `paths.sweep_cache`). `flush` writes what is
    pending at once, and waits for it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pending: dict[Path, _Entry] = {}
        self._changed = threading.Condition()  # guards all below; told of every change
        self._writer: threading.Thread | None = None
        self._writing = False  # entries taken from `_pending` are being written
        self._flushing = 0  # how many `flush` calls wait: no more waiting for the delay
        self._stop = False  # `close`: the writer ends once nothing is pending
        with self._changed:
            self._start()

    def read(self, file: str, article_id: str, stamp: Stamp) -> tuple[Highlight, ...] | None:
        """The highlights of `article_id` in `file` at version `stamp`, in reading order;
        None unless an entry was made from that very version."""
        if _coarse(stamp):
            return None
        try:
            with open(self._entry(file, article_id), "rb") as f:
                entry = _DECODER.decode(f.read())
        except (OSError, ValueError):  # damaged (msgspec.DecodeError, UnicodeDecodeError)
            return None
        if (entry.format, entry.version, entry.file, entry.article, entry.stamp) != (
            FORMAT,
            VERSION,
            _path(file),
            article_id,
            stamp,
        ):
            return None
        last = (-1, -1, "")
        for h in entry.highlights:
            place = (h.start, h.end, h.created)  # models.READING_ORDER
            if h.start > h.end or place < last:
                return None  # not what the store gives: start <= end, in reading order
            last = place
        return entry.highlights

    def write(
        self, file: str, article_id: str, stamp: Stamp, highlights: tuple[Highlight, ...]
    ) -> None:
        """Keep what was read from `file` at `stamp` (in reading order), soon. A cache that
        cannot be written is no error."""
        if _coarse(stamp):
            return
        entry = _Entry(FORMAT, VERSION, _path(file), article_id, stamp, highlights)
        with self._changed:
            if self._writer is None:  # (it died, or none could be started)
                self._start()
                if self._writer is None:
                    return  # no copy this time
            self._pending[self._entry(file, article_id)] = entry
            self._changed.notify_all()

    def flush(self) -> None:
        """Write every entry handed to `write` now, and wait until each is written (or given
        up)."""
        with self._changed:
            self._flushing += 1
            self._changed.notify_all()
            try:
                while (self._pending or self._writing) and self._writer is not None:
                    self._changed.wait()
            finally:
                self._flushing -= 1
            if self._writer is None:
                self._pending.clear()  # (a writer died, and none could be started)

    def close(self) -> None:
        """Write what is pending, then end the writer and wait for it (a later `write` starts
        another)."""
        self.flush()
        with self._changed:
            writer, self._stop = self._writer, True
            self._changed.notify_all()
        if writer is not None:
            writer.join()

    def _start(self) -> None:
        """Start the writer (`_changed` held); on failure there is none."""
        self._stop = False
        writer = threading.Thread(target=self._write_pending, name="highlights-cache", daemon=True)
        try:
            writer.start()
        except RuntimeError as exc:  # no thread to be had
            log.debug("highlights cache not written: %s", exc)
            return
        self._writer = writer

    def _write_pending(self) -> None:
        try:
            while True:
                with self._changed:
                    self._changed.wait_for(lambda: self._pending or self._stop)
                    if not self._pending:
                        return  # closed
                    self._changed.wait_for(lambda: self._flushing > 0 or self._stop, WRITE_DELAY)
                    pending, self._pending = self._pending, {}
                    self._writing = True
                for target, entry in pending.items():
                    try:
                        replace_cache_file(target, _ENCODER.encode(entry))
                    except Exception as exc:  # a copy is never worth a failure
                        log.debug("highlights cache not written: %s", exc)
                with self._changed:
                    self._writing = False
                    self._changed.notify_all()
        finally:  # this thread dies: `flush` must not wait on it, and `write` starts another
            with self._changed:
                self._writer, self._writing = None, False
                self._changed.notify_all()

    def _entry(self, file: str, article_id: str) -> Path:
        key = _path(file) + b"\0" + article_id.encode("utf-8", "surrogatepass")
        return self.folder / f"{hashlib.sha256(key).hexdigest()[:32]}.msgpack"


def _path(file: str) -> bytes:
    return os.fsencode(os.path.abspath(file))


def _coarse(stamp: Stamp) -> bool:
    """Are both times whole seconds (a file system that keeps no finer times)?"""
    return stamp[2] % _SECOND == 0 and stamp[3] % _SECOND == 0
