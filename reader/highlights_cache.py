"""Each article's highlights as last read from its highlights file, kept in the cache folder.

The highlights file (JSON, shared by the articles whose ids hash alike) is the record. Reading
one article's highlights from it decodes the whole file, then builds and sorts them: about
2 ms for 1,000. This entry holds that article's alone, sorted, in msgpack, and decodes
straight into `Highlight` values in about 1 ms: a first opening after start reads it.

It is a copy, trusted only for the very version of the file it was made from (inode, size,
modification and change times, all of which a write through the store changes). Anything
else (missing, damaged, stale, another file's) is ignored: the file is read instead.
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
VERSION = 1
WRITE_DELAY = 1.0
"""Seconds from handing an entry over to writing it: after the opening that read it."""


class _Entry(msgspec.Struct, array_like=True, frozen=True, gc=False):
    format: str
    version: int
    file: str  # the highlights file's absolute path
    article: str
    stamp: tuple[int, int, int, int]
    highlights: tuple[Highlight, ...]


_DECODER = msgspec.msgpack.Decoder(_Entry)
_ENCODER = msgspec.msgpack.Encoder()


class HighlightsCache:
    """The entries of one cache folder (`folder` is created when the first is written).

    Entries are written by a thread of their own, a moment later (`WRITE_DELAY`): neither an
    opening nor a save waits for them, nor shares the interpreter with them while it draws,
    and a burst of saves writes one entry. The latest handed over for an entry wins. `flush`
    writes what is pending at once, and waits for it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pending: dict[Path, _Entry] = {}
        self._mutex = threading.Lock()
        self._writer: threading.Thread | None = None
        self._now = threading.Event()  # set by `flush`: no more waiting

    def read(self, file: str, article_id: str, stamp: Stamp) -> tuple[Highlight, ...] | None:
        """The highlights of `article_id` in `file` at version `stamp`, in the store's order
        (start, end, created); None unless an entry was made from that very version."""
        try:
            with open(self._entry(file, article_id), "rb") as f:
                entry = _DECODER.decode(f.read())
        except (OSError, ValueError):  # damaged (msgspec.DecodeError, UnicodeDecodeError)
            return None
        if (entry.format, entry.version, entry.file, entry.article, entry.stamp) != (
            FORMAT,
            VERSION,
            os.path.abspath(file),
            article_id,
            stamp,
        ):
            return None
        for highlight in entry.highlights:
            if highlight.anchor.start > highlight.anchor.end:
                return None  # as the store refuses such offsets, so does its copy
        return entry.highlights

    def write(
        self, file: str, article_id: str, stamp: Stamp, highlights: tuple[Highlight, ...]
    ) -> None:
        """Keep what was read from `file` at `stamp` (sorted), soon: a cache that cannot be
        written is no error."""
        entry = _Entry(FORMAT, VERSION, os.path.abspath(file), article_id, stamp, highlights)
        with self._mutex:
            self._pending[self._entry(file, article_id)] = entry
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_pending, name="copies")
                self._writer.start()

    def flush(self) -> None:
        """Write every entry handed to `write` now, and wait until each is written (or given
        up)."""
        while True:
            with self._mutex:
                writer = self._writer
                if writer is None:
                    self._now.clear()
                    return
                self._now.set()
            writer.join()

    def _write_pending(self) -> None:
        while True:
            self._now.wait(WRITE_DELAY)
            with self._mutex:
                pending, self._pending = self._pending, {}
                if not pending:
                    self._writer = None
                    return
            for target, entry in pending.items():
                try:
                    replace_cache_file(target, _ENCODER.encode(entry))
                except (OSError, UnicodeEncodeError) as exc:  # (an id naming no valid text)
                    log.debug("highlights cache not written: %s", exc)

    def _entry(self, file: str, article_id: str) -> Path:
        key = f"{os.path.abspath(file)}\0{article_id}".encode("utf-8", "surrogatepass")
        return self.folder / f"{hashlib.sha256(key).hexdigest()[:32]}.msgpack"
