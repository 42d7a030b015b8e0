"""Values shared by the core: frozen msgspec structs (quick to define at start-up, quick to
make by the thousand and to decode from JSON), no I/O."""

from __future__ import annotations

from operator import attrgetter
from typing import Annotated, Literal

import msgspec
from msgspec import structs

BlockKind = Literal["paragraph", "heading", "quote"]


class Block(msgspec.Struct, frozen=True):
    """One block of an article's body: a paragraph, a subheading or a quotation.

    `text` is always a piece of the (normalised) input, never rewritten; a quotation
    keeps its attribution line after a single newline.
    """

    kind: BlockKind
    text: str


class Article(msgspec.Struct, frozen=True):
    """A cleaned article: metadata plus the body as blocks.

    Unknown metadata is None. `date` is ISO 8601 ("2024-03-12", "2023-09" or "2022").
    """

    title: str | None = None
    author: str | None = None
    date: str | None = None
    source: str | None = None
    language: str | None = None
    blocks: tuple[Block, ...] = ()

    @property
    def body(self) -> str:
        """The body as text: the blocks with a blank line between them."""
        return "\n\n".join(block.text for block in self.blocks)

    def to_dict(self) -> dict[str, str | None]:
        """The shape `reader clean --json` prints."""
        return {
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "source": self.source,
            "language": self.language,
            "body": self.body,
        }


SWATCHES: dict[str, str] = {
    "yellow": "#e6b800",
    "green": "#2eb82e",
    "blue": "#3d8bff",
    "pink": "#ff4d94",
    "purple": "#9d5cff",
}
"""The five highlight colours and how each is painted (as a light tint, on screen)."""
COLOURS: tuple[str, ...] = tuple(SWATCHES)
"""The five highlight colour names, in the order of the keys 1-5; the first is the default."""

Status = Literal["ok", "drifted", "orphan"]
"""How a highlight sits on the current body: where it was made, found again fuzzily, or lost."""
STATUSES: dict[str, Status] = {"ok": "ok", "drifted": "drifted", "orphan": "orphan"}
"""Each status by its name: a stored or imported string checked, and typed, in one lookup."""


class Anchor(msgspec.Struct, frozen=True, gc=False):
    """Where a highlight sits in a body, and what finds it again when the body changes.

    `start` and `end` are offsets in code points into `Article.body`; `quote` is exactly
    `body[start:end]` of the body whose hash is `body_hash`; `prefix` and `suffix` are the
    text just before and after it (up to `anchor.CONTEXT` characters each).
    """

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    body_hash: str
    cleaner: str


MAX_OFFSET = 2**63 - 1
"""The largest offset a highlight may have (int64: what the stores' formats hold)."""
Offset = Annotated[int, msgspec.Meta(ge=0, le=MAX_OFFSET)]
"""A character offset, as a stored highlight's are checked when read."""


class Highlight(msgspec.Struct, frozen=True, gc=False):
    """A marked passage of an article, with its colour, note and tags.

    `article` is the article's id (its path inside the library). The fields of its `Anchor`
    (`start` to `cleaner`) are its own: a highlight is one flat value, and is stored as such,
    so that a read decodes the stored documents straight into highlights. `created` and
    `updated` are ISO 8601 times in UTC. `status` says how the anchor was found on the current
    body; an orphan keeps its last anchor, quote and note, and is never dropped.
    """

    id: str
    article: str
    start: Offset
    end: Offset
    quote: str
    prefix: str
    suffix: str
    body_hash: str
    cleaner: str
    color: str = COLOURS[0]
    note: str = ""
    tags: tuple[str, ...] = ()
    created: str = ""
    updated: str = ""
    status: Status = "ok"

    @classmethod
    def at(
        cls,
        anchor: Anchor,
        id: str,
        article: str,
        *,
        color: str = COLOURS[0],
        note: str = "",
        tags: tuple[str, ...] = (),
        created: str = "",
        updated: str = "",
        status: Status = "ok",
    ) -> Highlight:
        """A highlight of `article` where `anchor` says (the defaults are the fields')."""
        a = anchor
        return cls(
            id,
            article,
            a.start,
            a.end,
            a.quote,
            a.prefix,
            a.suffix,
            a.body_hash,
            a.cleaner,
            color,
            note,
            tags,
            created,
            updated,
            status,
        )

    @property
    def anchor(self) -> Anchor:
        """Where it sits, as an `Anchor` (a new value each time: read the fields in loops)."""
        return Anchor(
            self.start,
            self.end,
            self.quote,
            self.prefix,
            self.suffix,
            self.body_hash,
            self.cleaner,
        )

    def moved(self, anchor: Anchor, status: Status) -> Highlight:
        """This highlight found again at `anchor`, as `status` says (nothing else changes)."""
        return structs.replace(self, **structs.asdict(anchor), status=status)


assert Highlight.__struct_fields__[2:9] == Anchor.__struct_fields__  # (`at` relies on it)
assert Highlight.__struct_defaults__ == (COLOURS[0], "", (), "", "", "ok")  # (and `at` gives)

READING_ORDER = attrgetter("start", "end", "created")
"""The sort key of highlights in reading order: by place, then age. The store gives an
article's highlights in this order, and the notes and the pane keep it."""
