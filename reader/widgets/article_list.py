"""The sidebar's article list: a virtual Line-API list that renders only the rows on screen."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

import msgspec
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.library import one_line

if TYPE_CHECKING:
    from reader.listing import Summary

ROW_HEIGHT = 2
"""Screen lines per article: the title, then the date, source and highlight count."""
_ROW_META = "article_list_row"
_DIM = Style(bold=False, dim=True)
# Combining marks (what NFKD splits accents into); removed to match without accents.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Letters NFKD leaves whole (after casefold); str.replace is 10x faster than str.translate here.
_LIGATURES = (("œ", "oe"), ("æ", "ae"), ("ø", "o"), ("ł", "l"), ("đ", "d"))
_WARM_SLICE = 5_000
"""Items folded per step of the idle-time warm-up of the search keys (~10 ms a step)."""


class ListItem(msgspec.Struct, frozen=True):
    """One article as the list shows it; `fallback` (first words, say) stands in for no title."""

    id: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    highlights: int = 0
    error: str | None = None
    fallback: str | None = None

    @classmethod
    def from_summary(cls, summary: Summary, fallback: str | None = None) -> ListItem:
        """The list item of a library summary (fallback: the summary's first words)."""
        return cls(
            summary.id,
            summary.title,
            summary.date,
            summary.source,
            summary.highlights,
            summary.error,
            summary.lead if fallback is None else fallback,
        )

    @property
    def label(self) -> str:
        """What the list shows as the title: the title, else the fallback, else the file name."""
        return self.title or self.fallback or self.id


def fold(text: str) -> str:
    """Lower case without accents ("Déserteurs" -> "deserteurs"), for matching only."""
    if text.isascii():
        return text.lower()
    text = text.casefold()
    for letter, plain in _LIGATURES:
        if letter in text:
            text = text.replace(letter, plain)
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def _search_keys(items: Sequence[ListItem]) -> list[str]:
    """The folded "title, id, source" of each item, folded in one pass (100k items in ~0.1 s)."""
    parts = [f"{it.label}\n{it.id}\n{it.source or ''}" for it in items]
    keys = fold("\x00".join(parts)).split("\x00")
    if len(keys) != len(parts):  # a NUL inside a field: fold one by one
        keys = [fold(part) for part in parts]
    return keys


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` cells, with an ellipsis when something was cut."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    return set_cell_size(text, width - 1).rstrip() + "…"


class ArticleList(ScrollView, can_focus=True):
    """The articles of the library, filtered as typed; enter or a click posts `Selected`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open"),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--title",
        "article-list--meta",
        "article-list--error",
        "article-list--cursor",
    }

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .article-list--title { text-style: none; }
        & > .article-list--meta { color: $text-muted; }
        & > .article-list--error { color: $text-disabled; text-style: italic; }
        & > .article-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .article-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """

    index: reactive[int] = reactive(0)
    """The cursor: a position in the filtered view (0 when the view is empty)."""

    class Selected(Message):
        """An article was chosen with enter or a click."""

        def __init__(self, article_list: ArticleList, item: ListItem) -> None:
            super().__init__()
            self.article_list = article_list
            self.item = item

        @property
        def control(self) -> ArticleList:
            """The list the article was chosen in."""
            return self.article_list

    def __init__(
        self,
        items: Iterable[ListItem] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._items: tuple[ListItem, ...] = tuple(items)
        self._loaded = bool(self._items)  # set_items was called: an empty list means empty
        self._view: Sequence[int] = range(len(self._items))  # indexes into _items, ascending
        self._keys: list[str] | None = None  # folded search text per item, built lazily
        self._index_of: dict[str, int] | None = None  # item index by article id, built lazily
        self._needle = ""
        self._filter_text = ""
        self._counts: dict[str, int] = {}  # highlight counts told since the items came

    # Data -------------------------------------------------------------------------------------

    @property
    def items(self) -> tuple[ListItem, ...]:
        """Every item, filtered out or not."""
        return self._items

    @property
    def count(self) -> int:
        """How many items the filter lets through."""
        return len(self._view)

    @property
    def total(self) -> int:
        """How many items there are in all."""
        return len(self._items)

    @property
    def filter_text(self) -> str:
        """The current filter ("" for none)."""
        return self._filter_text

    @property
    def current(self) -> ListItem | None:
        """The item under the cursor, or None when the view is empty."""
        if not self._view:
            return None
        return self._items[self._view[self.index]]

    def set_items(self, items: Iterable[ListItem]) -> None:
        """Replace the items, keeping the filter and, if it is still there, the current item."""
        current = self.current
        self._items = tuple(items)
        self._index_of = None
        self._counts = {}
        self._loaded = True
        self._keys = None
        self._apply(self._filter_text, incremental=False)
        self._warm_keys()
        self._show(None if current is None else self._item_index(current.id))

    def set_count(self, article_id: str, highlights: int) -> None:
        """Show `highlights` as the number of highlights of the article `article_id`. Only its
        row is drawn again, and only if the number shown changes (each opening and each save
        tells it, mostly unchanged)."""
        index = self._item_index(article_id)
        if index is None:
            return  # (items given later bring their own counts)
        shown = self._counts.get(article_id, self._items[index].highlights)
        self._counts[article_id] = highlights
        position = self._position_of(index)
        if shown != highlights and position is not None:
            self.refresh_lines(position * ROW_HEIGHT, ROW_HEIGHT)

    def set_counts(self, counts: Mapping[str, int]) -> None:
        """Show the number of highlights of every article (those not in `counts` have none)."""
        self._counts = {item.id: counts.get(item.id, 0) for item in self._items}
        self.refresh()

    def filter(self, text: str) -> int:
        """Show only items whose title, id or source contain `text` (any case, any accents)."""
        current = self.current
        position = None if current is None else self._view[self.index]
        self._apply(text, incremental=True)
        self._show(position)
        return len(self._view)

    def select_id(self, article_id: str) -> bool:
        """Move the cursor to the article `article_id`; False if it is not in the view."""
        found = self._item_index(article_id)
        if found is None or self._position_of(found) is None:
            return False
        self._show(found)
        return True

    def _apply(self, text: str, *, incremental: bool) -> None:
        """Recompute the view for `text`; a longer needle searches only the current view."""
        needle = fold(text)
        if not needle.strip():
            self._view, self._needle = range(len(self._items)), ""
        else:
            if self._keys is None:
                self._keys = _search_keys(self._items)
            keys = self._keys
            narrowing = incremental and self._needle and needle.startswith(self._needle)
            candidates = self._view if narrowing else range(len(self._items))
            self._view = [i for i in candidates if needle in keys[i]]
            self._needle = needle
        self._filter_text = text

    def _item_index(self, article_id: str) -> int | None:
        """Where the article `article_id` is among the items, or None."""
        if self._index_of is None:  # (the first of an id given twice, as a scan finds it)
            self._index_of = {item.id: i for i, item in reversed(list(enumerate(self._items)))}
        return self._index_of.get(article_id)

    def _position_of(self, item_index: int) -> int | None:
        """The view position of an item, or None if filtered out (the view is sorted)."""
        view = self._view
        if isinstance(view, range):
            return item_index if 0 <= item_index < len(view) else None
        at = bisect_left(view, item_index)
        return at if at < len(view) and view[at] == item_index else None

    def _show(self, item_index: int | None) -> None:
        """After the view changed: size, cursor (on `item_index` if visible), scroll, repaint."""
        position = None if item_index is None else self._position_of(item_index)
        self._update_virtual_size()
        self.index = 0 if position is None else position
        self._scroll_to_cursor()
        self.refresh()

    # Geometry ---------------------------------------------------------------------------------

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width
        self.virtual_size = Size(width, len(self._view) * ROW_HEIGHT)

    def on_mount(self) -> None:
        self._update_virtual_size()
        self.call_after_refresh(self._warm_keys)  # after the first frame

    def _warm_keys(self) -> None:
        """Fold the search keys in slices while the app is idle, so the first filter is instant."""
        if self.is_attached and self._keys is None and len(self._items) > _WARM_SLICE:
            work = self._build_keys(self._items)
            # Not exclusive: a stale warm-up sees its items replaced and stops by itself.
            self.run_worker(work, group="article-list-keys", exit_on_error=False)

    async def _build_keys(self, items: tuple[ListItem, ...]) -> None:
        keys: list[str] = []
        for start in range(0, len(items), _WARM_SLICE):
            await asyncio.sleep(0)  # let keys and paints through between slices
            if self._items is not items or self._keys is not None:
                return  # replaced, or a filter already built them
            keys += _search_keys(items[start : start + _WARM_SLICE])
        self._keys = keys

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()

    def validate_index(self, index: int) -> int:
        return max(0, min(index, len(self._view) - 1))

    def watch_index(self) -> None:
        self._scroll_to_cursor()
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        if not self.is_mounted or not self._view:
            return
        region = Region(
            0, self.index * ROW_HEIGHT, self.scrollable_content_region.width, ROW_HEIGHT
        )
        self.scroll_to_region(region, animate=False, force=True, immediate=True, x_axis=False)

    # Keys and mouse ---------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        """Move to the previous article."""
        self.index -= 1

    def action_cursor_down(self) -> None:
        """Move to the next article."""
        self.index += 1

    def action_first(self) -> None:
        """Move to the first article."""
        self.index = 0

    def action_last(self) -> None:
        """Move to the last article."""
        self.index = len(self._view) - 1

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_HEIGHT)

    def action_page_up(self) -> None:
        """Move up one screen."""
        self.index -= self._page()

    def action_page_down(self) -> None:
        """Move down one screen."""
        self.index += self._page()

    def action_select(self) -> None:
        """Post `Selected` for the article under the cursor."""
        item = self.current
        if item is not None:
            self.post_message(self.Selected(self, item))

    async def _on_click(self, event: events.Click) -> None:
        position = event.style.meta.get(_ROW_META)
        if isinstance(position, int) and 0 <= position < len(self._view):
            self.index = position
            self.action_select()

    # Rendering --------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """One screen line: half of the row of one article (only visible lines are asked for)."""
        width = self.scrollable_content_region.width
        position, part = divmod(self.scroll_offset.y + y, ROW_HEIGHT)
        base = self.rich_style
        if position >= len(self._view):
            if position == 0 and part == 0:
                if self._items:
                    message = "no match"
                else:
                    message = "no articles" if self._loaded else "reading the library…"
                style = self.get_component_rich_style("article-list--meta")
                return self._line(message, style, base, width)
            return Strip.blank(width, base)
        item = self._items[self._view[position]]
        on_cursor = position == self.index
        cursor = self.get_component_rich_style("article-list--cursor") if on_cursor else None
        if item.error is not None:
            style = self.get_component_rich_style("article-list--error")
            text = item.label if part == 0 else f"{item.error}"
        elif part == 0:
            style = self.get_component_rich_style("article-list--title")
            text = item.label
        else:
            style = self.get_component_rich_style("article-list--meta")
            text = " · ".join(self._meta(item, self._counts.get(item.id, item.highlights)))
        if cursor is not None:
            style = cursor + _DIM if part or item.error is not None else cursor
            base = cursor
        return self._line(text, style, base, width).apply_meta({_ROW_META: position})

    @staticmethod
    def _meta(item: ListItem, highlights: int) -> list[str]:
        parts = [part for part in (item.date, item.source) if part]
        if highlights:
            parts.append(f"{highlights} ✎")
        return parts

    @staticmethod
    def _line(text: str, style: Style, base: Style, width: int) -> Strip:
        """A strip of `width` cells: a one-cell margin, then `text` (untrusted) cut to fit."""
        fitted = _fit(one_line(text), max(0, width - 2))
        segments = [Segment(" ", base), Segment(fitted, style)]
        return Strip(segments).adjust_cell_length(width, base)
