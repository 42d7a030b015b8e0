"""What is painted over the text of a row: search matches, highlights, the selection, the cursor."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence
from operator import attrgetter

from rich.segment import Segment
from rich.style import Style

from reader import layout
from reader.layout import Row
from reader.models import Highlight

_span = attrgetter("start", "end")
"""A highlight's (start, end)."""

_UNDERLINE = Style(underline=True)

TINT = "35%"  # of a highlight colour (models.SWATCHES) over the background


class Overlays:
    """The spans painted over the body, indexed so that one row finds its own quickly.

    Highlights may overlap: each keeps its colour where it is alone; where two or more cover
    the same characters the shorter one's colour is on top and the text is underlined, so
    both extents stay visible. A highlight not yet on disk is shown as coloured, underlined
    text without a background: it only looks saved once it is.
    """

    def __init__(self) -> None:
        self._matches: list[tuple[int, int]] = []
        self._match_ends: list[int] = []
        self.current: int | None = None
        self._highlights: list[Highlight] = []
        self._starts: list[int] = []
        self._longest = 0
        self._pending: frozenset[str] = frozenset()

    # -- data -------------------------------------------------------------------------

    def set_matches(self, matches: Sequence[tuple[int, int]], current: int | None) -> None:
        """Keep the search matches (sorted, not overlapping); `matches[current]` stands out."""
        self._matches = list(matches)
        self._match_ends = [end for _, end in self._matches]
        self.current = current

    @property
    def highlights(self) -> list[Highlight]:
        """The painted highlights (orphans are never painted), in reading order."""
        return self._highlights

    def set_highlights(self, highlights: Sequence[Highlight], pending: Collection[str]) -> None:
        """Keep the highlights to paint; those whose id is in `pending` are not on disk yet."""
        # One plain pass: an article may bring thousands at once, in reading order as a rule.
        shown: list[Highlight] = []
        starts: list[int] = []
        longest, last_start, last_end, in_order = 0, -1, -1, True
        for h in highlights:
            start, end = h.start, h.end
            if start >= end or h.status == "orphan":
                continue  # nothing to paint
            if start < last_start or (start == last_start and end < last_end):
                in_order = False
            last_start, last_end = start, end
            shown.append(h)
            starts.append(start)
            if end - start > longest:
                longest = end - start
        if not in_order:
            shown.sort(key=_span)
            starts = [h.start for h in shown]
        self._highlights, self._starts, self._longest = shown, starts, longest
        self._pending = frozenset(pending)

    def highlights_at(self, offset: int) -> list[Highlight]:
        """The highlights covering `offset`, shortest first (the one keys act on comes first)."""
        return sorted(self._covering(offset, offset + 1), key=lambda h: (h.end - h.start, h.start))

    def next_highlight(self, offset: int, step: int) -> Highlight | None:
        """The first highlight starting after `offset` (step 1) or before it (step -1)."""
        if step > 0:
            index = bisect_right(self._starts, offset)
            return self._highlights[index] if index < len(self._highlights) else None
        index = bisect_left(self._starts, offset) - 1
        return self._highlights[index] if index >= 0 else None

    def _covering(self, start: int, end: int) -> list[Highlight]:
        """The highlights that overlap [start, end)."""
        low = bisect_left(self._starts, start - self._longest)
        high = bisect_left(self._starts, end)
        return [h for h in self._highlights[low:high] if h.end > start]

    # -- painting ---------------------------------------------------------------------

    def segments(
        self,
        body: str,
        row: Row,
        style: Style,
        styles: dict[str, Style],
        selection: tuple[int, int] | None,
        cursor: int,
    ) -> list[Segment]:
        """A body row cut where overlays begin and end, each piece with its layers summed."""
        start, end = row.start, row.end
        layers: list[tuple[int, int, Style]] = []
        covering = self._covering(start, end)
        # Longest first, so that a shorter highlight inside a longer one is painted on top.
        for h in sorted(covering, key=lambda h: h.start - h.end):
            colour = styles.get(f"hl-{h.color}", styles["hl-yellow"])
            if h.id in self._pending:
                colour = Style(color=colour.bgcolor, underline=True)
            layers.append((h.start, h.end, colour))
        for index in range(bisect_right(self._match_ends, start), len(self._matches)):
            m_start, m_end = self._matches[index]
            if m_start >= end:
                break
            key = "match-current" if index == self.current else "match"
            layers.append((m_start, m_end, styles[key]))
        if selection is not None and selection[0] < end and selection[1] > start:
            layers.append((*selection, styles["selection"]))
        if start <= cursor < end:
            layers.append((cursor, cursor + 1, styles["cursor"]))
        text = body[start:end].replace("\n", " ")
        pieces = []
        for left, right, on in layout.cut(start, end, layers):
            piece = sum(on, style)
            if len(covering) > 1 and _shared(covering, left, right):
                piece += _UNDERLINE
            pieces.append(Segment(text[left - start : right - start], piece))
        return pieces


def _shared(covering: list[Highlight], left: int, right: int) -> bool:
    """Do two or more highlights cover [left, right)?"""
    return sum(1 for h in covering if h.start <= left and right <= h.end) > 1
