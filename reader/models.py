"""Values shared by the core: frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "heading", "quote"]


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an article's body: a paragraph, a subheading or a quotation.

    `text` is always a piece of the (normalised) input, never rewritten; a quotation
    keeps its attribution line after a single newline.
    """

    kind: BlockKind
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: metadata plus the body as blocks.

    Unknown metadata is None. `date` is ISO 8601 ("2024-03-12", "2023-09" or "2022").
    """

    title: str | None = None
    author: str | None = None
    date: str | None = None
    source: str | None = None
    language: str | None = None
    blocks: tuple[Block, ...] = field(default_factory=tuple)

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
