"""Highlights <-> a W3C Web Annotation collection (JSON-LD): lossless export, tolerant import.

Pure: no file or store I/O. The shape follows https://www.w3.org/TR/annotation-model/: one
`Annotation` per highlight, its note and tags as `TextualBody`s, its anchor as a
`TextQuoteSelector` plus a `TextPositionSelector`, its colour as a CSS class. What the model
has no term for (the body hash, the cleaner version, the status) goes in `reader:` terms.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

import orjson

from reader.models import COLOURS, MAX_OFFSET, STATUSES, SWATCHES, Highlight, Status
from reader.storage import is_int

log = logging.getLogger(__name__)

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NAMESPACE = "urn:article-reader:ns:"
"""The IRI the `reader:` extension terms expand to."""
ID_PREFIX = "urn:article-reader:highlight:"
"""A highlight's annotation id is this plus its id, percent-encoded."""
COLLECTION_PREFIX = "urn:article-reader:collection:"

_EPOCH = "1970-01-01T00:00:00.000+00:00"
_OLDEST = datetime.min.replace(tzinfo=UTC)


class InterchangeError(Exception):
    """A file that is not an annotation collection this reader can read; the message is one line."""


# Export -------------------------------------------------------------------------------------


def to_collection(highlights: Iterable[Highlight], *, generator: str) -> dict[str, Any]:
    """A W3C AnnotationCollection (JSON-LD) of the highlights, sorted (article, start, end, id)."""
    ordered = sorted(highlights, key=_order)
    items = [_annotation(h) for h in ordered]
    digest = hashlib.sha256(orjson.dumps(items)).hexdigest()[:16]  # same notes, same id
    return {
        "@context": [ANNO_CONTEXT, {"reader": NAMESPACE}],
        "id": COLLECTION_PREFIX + digest,
        "type": "AnnotationCollection",
        "label": "Highlights and notes from article-reader",
        "generator": {"type": "Software", "name": generator},
        "total": len(items),
        "first": {
            "id": f"{COLLECTION_PREFIX}{digest}:page:1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


def dumps(collection: dict[str, Any]) -> bytes:
    """Deterministic bytes (orjson, indented, keys in `to_collection`'s order, final newline)."""
    return orjson.dumps(collection, option=orjson.OPT_INDENT_2) + b"\n"


def _order(h: Highlight) -> tuple[str, int, int, str, str]:
    # The whole value breaks ties, so that even two copies of one id come out in one order.
    return (h.article, h.start, h.end, h.id, repr(h))


def _annotation(h: Highlight) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if h.note:
        note = {"type": "TextualBody", "purpose": "commenting", "format": "text/markdown"}
        body.append({**note, "value": h.note})
    body.extend({"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in h.tags)
    # An empty time is written as the other one (never an invalid one), so that every export
    # imports again; a highlight made by the app always has both.
    created = h.created or h.updated or _EPOCH
    annotation: dict[str, Any] = {
        "id": ID_PREFIX + quote(h.id, safe=""),
        "type": "Annotation",
        "motivation": "commenting" if h.note else "highlighting",
        "created": created,
        "modified": h.updated or created,
    }
    if body:
        annotation["body"] = body
    annotation["target"] = {
        "type": "SpecificResource",
        "source": h.article,
        "styleClass": f"reader-{h.color}",
        "selector": [
            {"type": "TextQuoteSelector", "exact": h.quote, "prefix": h.prefix, "suffix": h.suffix},
            {"type": "TextPositionSelector", "start": h.start, "end": h.end},
        ],
        "reader:bodyHash": h.body_hash,
        "reader:cleaner": h.cleaner,
        "reader:status": h.status,
    }
    if h.color in SWATCHES:
        annotation["stylesheet"] = {
            "type": "CssStylesheet",
            "value": f".reader-{h.color} {{ background-color: {SWATCHES[h.color]} }}",
        }
    return annotation


# Import -------------------------------------------------------------------------------------


def loads(raw: bytes) -> list[Highlight]:
    """The highlights of a collection's bytes; raises InterchangeError (not JSON, bad shape)."""
    try:
        data = orjson.loads(raw.removeprefix(b"\xef\xbb\xbf"))  # a BOM from a Windows editor
    except orjson.JSONDecodeError as exc:
        raise InterchangeError(f"not valid JSON: {' '.join(str(exc).split())}") from None
    return from_collection(data)


def from_collection(data: object) -> list[Highlight]:
    """The highlights of a parsed collection, page, list of annotations or single annotation.

    Raises InterchangeError, one line that says what and where ('item 3: target has no
    TextQuoteSelector'); items are counted from 1, across pages.
    """
    items = _items(data)
    return [_highlight(item, f"item {n}") for n, item in enumerate(items, 1)]


def _items(data: object) -> list[object]:
    """The annotations (not yet checked) of whatever shape `data` has."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise InterchangeError(f"not an annotation collection: the JSON is {_kind(data)}")
    types = _types(data.get("type"))
    if "AnnotationCollection" in types:
        first = data.get("first")
        if first is None:
            items: list[object] = []
        elif isinstance(first, dict):
            items = _pages(first)
        else:
            raise InterchangeError(
                f"the collection's first page is {_kind(first)}, not an AnnotationPage"
                " in the file (pages on a server are not followed)"
            )
        total = data.get("total")
        if is_int(total) and total != len(items):
            raise InterchangeError(
                f"the collection says it has {total} annotations but holds {len(items)}"
            )
        return items
    if "AnnotationPage" in types:
        return _pages(data)
    if "Annotation" in types or (not types and "target" in data):
        return [data]
    what = f"its type is {_show(data.get('type'))}" if types else "it has no type and no target"
    raise InterchangeError(
        "not an annotation collection: a JSON object that is not an AnnotationCollection,"
        f" AnnotationPage or Annotation ({what})"
    )


def _pages(page: dict[str, Any]) -> list[object]:
    """The items of a page and of the pages embedded after it (`next`)."""
    items: list[object] = []
    number = 1
    while True:
        found = page.get("items", [])
        if not isinstance(found, list):
            raise InterchangeError(f"page {number}: items is {_kind(found)}, not a list")
        items.extend(found)
        following = page.get("next")
        if following is None:
            return items
        if not isinstance(following, dict):
            raise InterchangeError(
                f"page {number}: the next page is not in the file (a link: {_show(following)})"
            )
        page, number = following, number + 1


def _highlight(item: object, where: str) -> Highlight:
    if not isinstance(item, dict):
        raise InterchangeError(f"{where}: {_kind(item)}, not an annotation (a JSON object)")
    types = _types(item.get("type"))
    if types and "Annotation" not in types:
        raise InterchangeError(f"{where}: type is {_show(item.get('type'))}, not Annotation")
    target = _target(item, where)
    quote_, position = _selectors(target, where)
    exact = _text(quote_, "exact", where, "TextQuoteSelector")
    prefix = _text(quote_, "prefix", where, "TextQuoteSelector", "")
    suffix = _text(quote_, "suffix", where, "TextQuoteSelector", "")
    status = _status(target, where)
    if position is None:
        start, end, status = 0, len(exact), "orphan"  # found again when the article opens
    else:
        # Not checked against the quote's length: a drifted highlight keeps the quote the
        # user marked on new offsets, and the reader finds every imported quote again anyway.
        start, end = _offsets(position, where)
    note, tags = _bodies(item, where)
    modified_key = "modified" if "modified" in item else "updated"  # Hypothesis's name
    return Highlight(
        id=_highlight_id(item.get("id"), where),
        article=_text(target, "source", where, "target"),
        start=start,
        end=end,
        quote=exact,
        prefix=prefix,
        suffix=suffix,
        body_hash=_text(target, "reader:bodyHash", where, "target", ""),
        cleaner=_text(target, "reader:cleaner", where, "target", ""),
        color=_colour(target),
        note=note,
        tags=tags,
        created=_time(item, "created", where),
        updated=_time(item, modified_key, where, name="modified"),
        status=status,
    )


def _target(item: dict[str, Any], where: str) -> dict[str, Any]:
    target = item.get("target")
    if target is None:
        raise InterchangeError(f"{where}: no target")
    if isinstance(target, list):
        if len(target) != 1:
            raise InterchangeError(f"{where}: {len(target)} targets (a highlight has one)")
        target = target[0]
    if not isinstance(target, dict):
        raise InterchangeError(f"{where}: target has no TextQuoteSelector (it is {_kind(target)})")
    return target


def _selectors(target: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The target's TextQuoteSelector and TextPositionSelector (or None); others are ignored."""
    selectors = target.get("selector", [])
    if not isinstance(selectors, list):
        selectors = [selectors]
    found: dict[str, dict[str, Any]] = {}
    for n, selector in enumerate(selectors, 1):
        if not isinstance(selector, dict):
            raise InterchangeError(f"{where}: selector {n} is {_kind(selector)}, not an object")
        for kind in _types(selector.get("type")):
            found.setdefault(kind, selector)
    if "TextQuoteSelector" not in found:
        raise InterchangeError(f"{where}: target has no TextQuoteSelector")
    return found["TextQuoteSelector"], found.get("TextPositionSelector")


def _offsets(selector: dict[str, Any], where: str) -> tuple[int, int]:
    start, end = selector.get("start"), selector.get("end")
    if not is_int(start):
        raise InterchangeError(
            f"{where}: TextPositionSelector start is {_kind(start)}, not a number"
        )
    if not is_int(end):
        raise InterchangeError(f"{where}: TextPositionSelector end is {_kind(end)}, not a number")
    if not 0 <= start <= end <= MAX_OFFSET:
        raise InterchangeError(
            f"{where}: TextPositionSelector start {start} and end {end}"
            " are not offsets (0 <= start <= end < 2**63)"
        )
    return start, end


def _status(target: dict[str, Any], where: str) -> Status:
    value = target.get("reader:status", "ok")
    if not isinstance(value, str) or value not in STATUSES:
        raise InterchangeError(
            f"{where}: reader:status is {_show(value)}, not one of {', '.join(STATUSES)}"
        )
    return STATUSES[value]


def _colour(target: dict[str, Any]) -> str:
    """The colour of a `reader-<colour>` style class; anything else is the default colour."""
    for name in _types(target.get("styleClass")):
        if name.startswith("reader-"):
            colour = name.removeprefix("reader-")
            if colour in COLOURS:
                return colour
            log.warning("unknown colour %r: imported as %s", colour, COLOURS[0])
    return COLOURS[0]


def _bodies(item: dict[str, Any], where: str) -> tuple[str, tuple[str, ...]]:
    """The note (the non-tagging text bodies, joined) and the tags (without '#', no repeats)."""
    bodies = item.get("body", [])
    if not isinstance(bodies, list):
        bodies = [bodies]
    notes: list[str] = []
    tags: dict[str, None] = {}
    if "bodyValue" in item:
        notes.append(_text(item, "bodyValue", where))
    for n, body in enumerate(bodies, 1):
        if not isinstance(body, dict) or "value" not in body:
            raise InterchangeError(f"{where}: body {n} is not a TextualBody (no text value)")
        types = _types(body.get("type"))
        if types and "TextualBody" not in types:
            raise InterchangeError(f"{where}: body {n} is {_show(body['type'])}, not TextualBody")
        value = _text(body, "value", where, f"body {n}")
        if "tagging" in _types(body.get("purpose")):
            tags.setdefault(value.removeprefix("#"), None)
        else:
            notes.append(value)
    extra = item.get("tags", [])  # Hypothesis's own shape: a list of tags beside the target
    if not isinstance(extra, list) or not all(isinstance(tag, str) for tag in extra):
        raise InterchangeError(f"{where}: tags is {_kind(extra)}, not a list of text")
    for tag in extra:
        tags.setdefault(tag.removeprefix("#"), None)
    if not notes and "text" in item:  # Hypothesis's note
        notes.append(_text(item, "text", where))
    return "\n\n".join(notes), tuple(tag for tag in tags if tag)


def _highlight_id(value: object, where: str) -> str:
    """Ours map back; another tool's id becomes a stable 16-hex id (sha256)."""
    if not isinstance(value, str) or not value:
        raise InterchangeError(f"{where}: id is {_kind(value)}, not an IRI")
    if value.startswith(ID_PREFIX):
        hid = unquote(value.removeprefix(ID_PREFIX))
        if not hid:
            raise InterchangeError(f"{where}: id {_show(value)} has no highlight id after it")
        return hid
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _time(item: dict[str, Any], key: str, where: str, *, name: str = "") -> str:
    """An ISO 8601 time: kept as is in UTC ('+00:00'), else converted to UTC (milliseconds)."""
    name = name or key
    value = item.get(key)
    if value is None:
        raise InterchangeError(f"{where}: no {name} time")
    if not isinstance(value, str):
        raise InterchangeError(f"{where}: {name} is {_kind(value)}, not an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InterchangeError(f"{where}: {name} {_show(value)} is not an ISO 8601 time") from None
    if value.endswith("+00:00"):
        return value  # as the app writes it: kept to the character
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # no offset: taken as UTC
    try:
        return moment.astimezone(UTC).isoformat(timespec="milliseconds")
    except OverflowError:  # "0001-01-01T00:00+01:00" is a time before the calendar's first
        raise InterchangeError(
            f"{where}: {name} {_show(value)} is out of range (before year 1 or after 9999 in UTC)"
        ) from None


def _text(
    obj: dict[str, Any], key: str, where: str, subject: str = "", default: str | None = None
) -> str:
    """`obj[key]`, checked to be text ('item 3: TextQuoteSelector has no exact')."""
    value = obj.get(key, default)
    if value is None:
        raise InterchangeError(
            f"{where}: {subject} has no {key}" if subject else f"{where}: no {key}"
        )
    if not isinstance(value, str):
        name = f"{subject} {key}" if subject else key
        raise InterchangeError(f"{where}: {name} is {_kind(value)}, not text")
    return value


def _types(value: object) -> list[str]:
    """A JSON-LD `type` (or `purpose`): one name or a list of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _kind(value: object) -> str:
    """What a JSON value is, in JSON's words."""
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({_show(value)})"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _show(value: object) -> str:
    """A value from the file, quoted on one line and cut short (it is data, never markup)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# Merge --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What an import did: highlights added, updated (theirs newer), kept (ours as new)."""

    added: int
    updated: int
    kept: int


def merge(
    incoming: list[Highlight], existing: Mapping[str, Highlight]
) -> tuple[list[Highlight], MergeResult]:
    """What to save: incoming highlights that are new, or newer (by `updated`, as instants)
    than the existing one with the same id; the same id twice in `incoming`: the newer.

    Raises InterchangeError when an id is on another article in the store (or twice in the
    file): moving a highlight between articles is not something an import should guess.
    """
    chosen: dict[str, Highlight] = {}
    for h in incoming:
        seen = chosen.get(h.id)
        if seen is not None and seen.article != h.article:
            raise InterchangeError(
                f"highlight {_show(h.id)} is in the file twice, on {_show(seen.article)}"
                f" and on {_show(h.article)}"
            )
        if seen is None or _instant(h) > _instant(seen):
            chosen[h.id] = h
    save: list[Highlight] = []
    added = updated = kept = 0
    for hid, theirs in chosen.items():
        ours = existing.get(hid)
        if ours is None:
            added += 1
            save.append(theirs)
        elif ours.article != theirs.article:
            raise InterchangeError(
                f"highlight {_show(hid)} is on {_show(theirs.article)} in the file"
                f" but on {_show(ours.article)} here"
            )
        elif _instant(theirs) > _instant(ours):
            updated += 1
            save.append(theirs)
        else:
            kept += 1
    return save, MergeResult(added=added, updated=updated, kept=kept)


def _instant(h: Highlight) -> datetime:
    """When a highlight was last changed; no offset is UTC; no readable time is the oldest."""
    try:
        moment = datetime.fromisoformat(h.updated or h.created)
    except ValueError:
        return _OLDEST
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
