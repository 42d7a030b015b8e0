"""Making and editing highlights: ids, times and tags (pure: no I/O, no UI)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from msgspec import structs

from reader.anchor import make_anchor
from reader.models import COLOURS, Highlight

_TAG = re.compile(r"(?<![\w#&/])#(\w[\w/-]*)")
"""A `#word` in a note (not `a#b`, not `&#39;`, not a URL's fragment), as Obsidian reads one."""


def now() -> str:
    """The time now, as stored: ISO 8601 in UTC, to the millisecond (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A stable, unique highlight id (64 random bits, hex): also an Obsidian block id."""
    return uuid.uuid4().hex[:16]


def tags_in(note: str) -> tuple[str, ...]:
    """The `#tags` of a note, without the `#`, in order of first appearance, no repeats."""
    seen: dict[str, None] = {}
    for match in _TAG.finditer(note):
        seen.setdefault(match.group(1).rstrip("/-"), None)
    return tuple(tag for tag in seen if tag)


def check_colour(name: object) -> str:
    """`name` if it is one of the colours; ValueError (which names them) if not."""
    if name not in COLOURS:
        raise ValueError(f"unknown colour {name!r}; one of {', '.join(COLOURS)}")
    assert isinstance(name, str)
    return name


def new_highlight(
    article_id: str, body: str, start: int, end: int, *, color: str = COLOURS[0], note: str = ""
) -> Highlight:
    """A new highlight of `body[start:end]` in the article `article_id`."""
    check_colour(color)
    stamp = now()
    return Highlight.at(
        make_anchor(body, start, end),
        new_id(),
        article_id,
        color=color,
        note=note,
        tags=tags_in(note),
        created=stamp,
        updated=stamp,
    )


def edited(highlight: Highlight, **changes: object) -> Highlight:
    """`highlight` with `changes` (note, color, status), tags re-read, time updated."""
    if "color" in changes:
        check_colour(changes["color"])
    if "note" in changes:
        changes["tags"] = tags_in(str(changes["note"]))
    return structs.replace(highlight, **changes, updated=now())
