"""One highlights file (a shard of the store), and the flat documents highlights are kept as.

Opening an article reads its shard. That read is decoded, checked and turned into
`Highlight` values in one pass by msgspec (a typed decoder): 1,000 highlights in about 2 ms,
where parsing to dicts, checking each and building the values took about 9. A file holding
anything the typed decoder refuses (a hand-edited document, a field of the wrong type) is read
the slow way instead, which skips only the documents that are wrong, each with a warning.

What a read made is kept, by article, with the file's version: reopening an article while the
file is unchanged reads nothing. With a `HighlightsCache`, it is also kept on disk, so that
the first opening after start decodes that article's copy (2.4 ms for 1,000 where the file
takes 3.1, the first read in a process) instead of the whole file; a save made through the
store keeps both up to date for the articles read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from operator import attrgetter, itemgetter, le
from typing import Any

import msgspec
from msgspec import structs

from reader.highlights_cache import HighlightsCache
from reader.models import MAX_OFFSET, READING_ORDER, STATUSES, Highlight
from reader.storage import (
    HIGHLIGHTS,
    HIGHLIGHTS_FORMAT,
    META,
    AtomicStorage,
    Stamp,
    check_schema,
    file_stamp,
    is_int,
)

log = logging.getLogger(__name__)

_FIELDS = Highlight.__struct_fields__
_REQUIRED = _FIELDS[: len(_FIELDS) - len(Highlight.__struct_defaults__)]
"""A stored highlight must have these; the others may be missing (their defaults), as the
typed decoder reads them too."""
_TEXT = {name for name in _FIELDS if name not in ("start", "end", "tags", "status")}


class _File(msgspec.Struct, forbid_unknown_fields=True):
    """A highlights file: its tables (another table makes it foreign: the slow read says so)."""

    highlights: dict[str, Highlight] = {}
    meta: dict[str, dict[str, Any]] = {}


_DECODER = msgspec.json.Decoder(_File)
_HIGHLIGHTS = list[Highlight]
_ARTICLE = attrgetter("article")
_PLACE = itemgetter("article", "start", "end", "created")
assert (HIGHLIGHTS, META) == tuple(_File.__struct_fields__)


class Shard:
    """One highlights file: those of the articles whose id hashes to its name.

    Not thread-safe: the store calls it with its mutex held.
    """

    def __init__(self, key: str, path: str | None, cache: HighlightsCache | None = None) -> None:
        self.key = key
        self.storage = AtomicStorage(
            path,
            fmt=HIGHLIGHTS_FORMAT,
            label="highlights file",
            advice="move it aside",
            empty_is_new=False,  # written stamped, always: an empty one was damaged
        )
        self.cache = cache  # each article's highlights as last read, kept between runs
        self._counts: dict[str, int] = {}
        self._counted: Stamp | None = None  # the file version counted
        self._read_stamp: Stamp | None = None  # the version `table` gave
        # Highlights already made, by article, with the file version they came from:
        # reopening an article reads nothing but the file's version.
        self._made: dict[str, tuple[Stamp | None, tuple[Highlight, ...]]] = {}

    def table(self) -> dict[str, dict[str, Any]]:
        """The highlights table as read (do not change it); raises StoreError."""
        data = self.storage.read()
        self._read_stamp = self.storage.stamp
        return {} if data is None else data.get(HIGHLIGHTS, {})

    def highlights(self, article_id: str) -> tuple[Highlight, ...]:
        """One article's highlights, sorted by (start, end, created); raises StoreError."""
        path = self.storage.path
        if path is None:  # in memory, the documents are the database: nothing is kept
            return _sorted(self._convert(self.table().values(), article_id))
        stamp = file_stamp(path)
        if stamp is not None:
            made = self._made.get(article_id)
            if made is not None and made[0] == stamp:
                return made[1]  # the file has not changed since
            kept = None if self.cache is None else self.cache.read(path, article_id, stamp)
            if kept is not None:
                self._made[article_id] = (stamp, kept)
                return kept
        typed = self._typed()  # (what went wrong, if stat failed, is said here)
        if typed is None:  # the slow read, which says what is wrong
            made = self._read_stamp, _sorted(self._convert(self.table().values(), article_id))
        else:  # (no file: no version, none yet; still kept, so that a save copies them)
            read, docs = typed
            made = read, _sorted(h for h in docs if h.article == article_id)
            if read is not None and self.cache is not None:
                self.cache.write(path, article_id, read, made[1])
        self._made[article_id] = made
        return made[1]

    def written(self, table: Mapping[str, Any], articles: Iterable[str]) -> None:
        """The store has just written `table` (the lock still held). Of `articles`, those
        read before (so likely open) get their highlights made again from it, as a read of
        the new file would make them: reopening them reads nothing, and the cache's copy is
        not left stale by each change made while reading (an import, touching thousands of
        articles never read, keeps none)."""
        path, stamp = self.storage.path, self.storage.stamp
        if path is None or stamp is None:
            return
        for article_id in articles:
            if article_id not in self._made:
                continue
            docs = [
                d for d in table.values() if isinstance(d, dict) and d.get("article") == article_id
            ]
            try:
                typed = _in_bounds(msgspec.convert(docs, _HIGHLIGHTS))
            except msgspec.ValidationError:
                typed = None
            if typed is None:
                del self._made[article_id]  # the next read says what is wrong
                continue
            made = _sorted(typed)
            self._made[article_id] = (stamp, made)
            if self.cache is not None:
                self.cache.write(path, article_id, stamp, made)

    def all(self, docs: Callable[[], list[dict[str, Any]]]) -> list[Highlight]:
        """Every highlight of this file, in one typed pass, or else from the documents `docs()`
        gives (those that convert)."""
        typed = self._typed()
        if typed is not None:
            return typed[1]
        return self._convert(docs(), None)

    def counts(self, docs: Callable[[], list[dict[str, Any]]]) -> dict[str, int]:
        """Highlights by article, counted again only when the file changed (in one typed pass,
        or else from the documents `docs()` gives)."""
        path = self.storage.path
        if path is not None and self._counted is not None and self._counted == file_stamp(path):
            return self._counts
        counts: dict[str, int] = {}
        typed = self._typed()
        if typed is not None:
            stamp, found = typed
            for article in map(_ARTICLE, found):
                counts[article] = counts.get(article, 0) + 1
            self._counts, self._counted = counts, stamp
            return counts
        for doc in docs():
            if problem(doc) is None:
                counts[doc["article"]] = counts.get(doc["article"], 0) + 1
            else:
                self._warn(doc)
        self._counts, self._counted = counts, self._read_stamp
        return counts

    def _typed(self) -> tuple[Stamp | None, list[Highlight]] | None:
        """(version, documents) of the file read now, decoded and checked in one pass; None
        in memory, or when that pass refuses the file (the checked read then says why)."""
        if self.storage.path is None:
            return None
        snapshot = self.storage.snapshot()
        if snapshot is None:
            return None, []  # no file: no highlights
        stamp, raw = snapshot
        docs = None if raw is None else _decode(raw, self.storage)
        return None if docs is None else (stamp, docs)

    def _convert(self, docs: Any, article_id: str | None) -> list[Highlight]:
        """The highlights of `docs` (of one article, or all), each checked; a document that is
        not a highlight is skipped with a warning (and stays in the file)."""
        found = []
        for doc in docs:
            if article_id is not None and doc.get("article") != article_id:
                continue
            if problem(doc) is None:
                found.append(doc_highlight(doc))
            else:
                self._warn(doc)
        return found

    def _warn(self, doc: Mapping[str, Any]) -> None:
        log.warning(
            "skipping highlight %r in %s: %s (it is kept in the file)",
            doc.get("id"),
            self.storage.path or "memory",
            problem(doc),
        )


def _decode(raw: bytes, storage: AtomicStorage) -> list[Highlight] | None:
    """The documents of a highlights file, decoded and checked in one pass; None if any does not
    pass (or the file does not parse): the slow read then says what is wrong."""
    try:
        file = _DECODER.decode(raw)
    except ValueError:  # msgspec.DecodeError (ValidationError included), UnicodeDecodeError
        return None
    check_schema({HIGHLIGHTS: file.highlights, META: file.meta}, storage)
    return _in_bounds(list(file.highlights.values()))


def _in_bounds(docs: list[Highlight]) -> list[Highlight] | None:
    """`docs` if each has start <= end (what the typed pass cannot check), else None."""
    return docs if all(d.start <= d.end for d in docs) else None


def in_reading_order(table: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A highlights table with its documents by article, each article's in reading order (and
    any it cannot place after them, as they were): as a file is written, so that a read of an
    article's highlights finds them sorted (sorting sorted ones is quick: 0.25 against 0.75 ms
    for 1,000, the first read in the app). `table` itself when it is in that order already (the
    usual case: checked in 0.15 ms for 1,000 documents)."""
    try:  # the quick way, for tables of well-formed documents
        places = list(map(_PLACE, table.values()))
        if all(map(le, places, places[1:])):
            return table
        order = sorted(range(len(places)), key=places.__getitem__)
    except (KeyError, TypeError):  # a document lacks a field, or cannot be compared
        return dict(sorted(table.items(), key=_place))
    items = list(table.items())
    return dict(items[i] for i in order)


def _place(item: tuple[str, dict[str, Any]]) -> tuple[bool, str, int, int, str]:
    doc = item[1]
    article, start, end = doc.get("article"), doc.get("start"), doc.get("end")
    created = doc.get("created", "")
    if isinstance(article, str) and is_int(start) and is_int(end) and isinstance(created, str):
        return False, article, start, end, created
    return True, "", 0, 0, ""


def _sorted(highlights: Iterable[Highlight]) -> tuple[Highlight, ...]:
    """In reading order: as an article's highlights are kept and given."""
    return tuple(sorted(highlights, key=READING_ORDER))


def highlight_doc(highlight: Highlight) -> dict[str, Any]:
    """The flat document a highlight is stored as: its fields, in order."""
    doc = structs.asdict(highlight)
    doc["tags"] = list(highlight.tags)
    return doc


def doc_highlight(doc: Mapping[str, Any]) -> Highlight:
    """The highlight a document holds; check it with `problem` first."""
    fields = {name: doc[name] for name in _FIELDS if name in doc}
    if "tags" in fields:
        fields["tags"] = tuple(fields["tags"])
    return Highlight(**fields)


def problem(doc: Mapping[str, Any]) -> str | None:
    """Why a document is not a highlight (a required field missing, a field mistyped), or None:
    what the typed decoder refuses, said in words."""
    for name in _REQUIRED:
        if name not in doc:
            return f"{name} is missing"
    for name in _TEXT:
        if name in doc and not isinstance(doc[name], str):
            return f"{name} is not text"
    start, end = doc["start"], doc["end"]
    if not (is_int(start) and is_int(end) and 0 <= start <= end <= MAX_OFFSET):
        return "start and end are not offsets (0 <= start <= end < 2**63)"
    tags = doc.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return "tags is not a list of text"
    status = doc.get("status", "ok")
    if not isinstance(status, str) or status not in STATUSES:
        return f"status is not one of {', '.join(STATUSES)}"
    return None
