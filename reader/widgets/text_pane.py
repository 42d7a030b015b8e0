"""A pane of article text: wrapped into rows of body offsets, drawn with the Line API, a cursor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader import layout
from reader.layout import Row
from reader.models import Article
from reader.widgets.overlays import Overlays

QUOTE_BAR = "▎"
_COMPONENTS = "title meta heading quote quote-bar match match-current selection cursor".split()

_MOVE = Binding.Group("Move")
_WORD = Binding.Group("Word")
_SENT = Binding.Group("Sentence")
_PARA = Binding.Group("Paragraph")
_PAGE = Binding.Group("Page")
_ENDS = Binding.Group("Top/End")

_JUMPS = {
    "word": (layout.next_word_start, layout.previous_word_start),
    "sentence": (layout.next_sentence_start, layout.previous_sentence_start),
    "paragraph": (layout.next_paragraph_start, layout.previous_paragraph_start),
}

# (text, row over that text, component) for the lines above the body.
HeadLine = tuple[str, Row, str]


def cell_width(ch: str) -> int:
    """Cells of one character, as Rich measures it when painting."""
    return get_character_cell_size(ch)


KeyRow = tuple[str, str, str, bool, str | None, Binding.Group | None]
"""keys, action, description, shown in the footer, key shown as, footer group."""


def key_bindings(rows: Iterable[KeyRow]) -> list[BindingType]:
    """Bindings from a table of rows, one a line (the panes' key tables read as tables)."""
    return [
        Binding(keys, action, description, show=show, key_display=display, group=group)
        for keys, action, description, show, display, group in rows
    ]


class TextPane(ScrollView, can_focus=True):
    """An article with a cursor and painted spans, rendering only visible rows.

    `ArticleView` adds the selection and the highlight keys; this is the reading part.
    """

    ALLOW_SELECT = False  # our own selection, in body offsets, replaces Textual's

    DEFAULT_CSS = """
    TextPane {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        padding: 0 1;
        & > .text-pane--title { text-style: bold; color: $text; }
        & > .text-pane--meta { color: $text-muted; }
        & > .text-pane--heading { text-style: bold; color: $text-accent; }
        & > .text-pane--quote { text-style: italic; color: $text-muted; }
        & > .text-pane--quote-bar { color: $accent; }
        & > .text-pane--match { background: $warning-muted; }
        & > .text-pane--match-current { background: $warning; color: $text; }
        & > .text-pane--selection { background: $primary-muted; }
        & > .text-pane--cursor { text-style: reverse; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"text-pane--{name}" for name in _COMPONENTS}

    BINDINGS: ClassVar[list[BindingType]] = key_bindings(
        (
            ("left,h", "step(-1)", "Left", False, None, _MOVE),
            ("right,l", "step(1)", "Right", False, None, _MOVE),
            ("up,k", "line(-1)", "Up", False, None, _MOVE),
            ("down,j", "line(1)", "Down", False, None, _MOVE),
            ("w", "jump('word', 1)", "Next word", True, None, _WORD),
            ("b", "jump('word', -1)", "Previous word", True, None, _WORD),
            ("left_parenthesis", "jump('sentence', -1)", "Previous sentence", True, "(", _SENT),
            ("right_parenthesis", "jump('sentence', 1)", "Next sentence", True, ")", _SENT),
            ("left_curly_bracket", "jump('paragraph', -1)", "Previous paragraph", True, "{", _PARA),
            ("right_curly_bracket", "jump('paragraph', 1)", "Next paragraph", True, "}", _PARA),
            ("space,pagedown", "page(1)", "Page down", True, "space", _PAGE),
            ("pageup", "page(-1)", "Page up", True, None, _PAGE),
            ("g,home", "top", "Top", False, None, _ENDS),
            ("G,shift+g,end", "bottom", "End", False, None, _ENDS),
        )
    )

    MEASURE: ClassVar[int] = 80
    """The text measure in cells on a pane wide enough (72-88 reads comfortably)."""

    cursor: reactive[int] = reactive(0, always_update=True)
    """The cursor, a character offset into the body."""

    class CursorMoved(Message):
        """The cursor moved: its offset in the body and its position as a percentage."""

        def __init__(self, offset: int, percent: int) -> None:
            super().__init__()
            self.offset = offset
            self.percent = percent

        @property
        def control(self) -> TextPane | None:
            """The pane whose cursor moved."""
            return self._sender if isinstance(self._sender, TextPane) else None

    def __init__(
        self,
        article: Article | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._article = article or Article()
        self._body = self._article.body
        self._rows: list[Row] = []
        self._head: list[HeadLine] = []
        self._cache: dict[int, list[Row]] = {}
        self._measure = 0
        self._margin = 0
        self._laid_width = 0  # the width the rows were laid out for (0: not yet)
        self._goal: int | None = None
        self._overlays = Overlays()
        self._styles: dict[str, Style] | None = None

    # -- content ------------------------------------------------------------------

    @property
    def article(self) -> Article:
        """The article shown."""
        return self._article

    @property
    def body(self) -> str:
        """The article's body, which every offset refers to."""
        return self._body

    @property
    def rows(self) -> list[Row]:
        """The body rows at the current measure (empty until the pane has a size)."""
        return self._rows

    @property
    def header_height(self) -> int:
        """Lines above the body: title, metadata, a blank line."""
        return len(self._head)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The span painted as selected: none in a plain pane (`ArticleView` has one)."""
        return None

    @property
    def percent(self) -> int:
        """The cursor's position in the article, 0-100."""
        last = len(self._body) - 1
        return 0 if last <= 0 else self.cursor * 100 // last

    def set_article(self, article: Article, cursor: int = 0) -> None:
        """Show `article` with the cursor at `cursor`; drops the selection and the matches."""
        self._article = article
        self._body = article.body
        self._cache.clear()
        self._rows, self._head, self._goal = [], [], None
        self._laid_width = 0
        self.set_reactive(TextPane.cursor, layout.clamp_cursor(self._body, cursor))
        self._overlays.set_matches([], None)
        self._overlays.set_highlights([], ())
        self._relayout()  # wraps and centres the cursor (or the first resize will)
        self.cursor = cursor

    def move_cursor(self, offset: int) -> None:
        """Put the cursor at `offset` and bring it into view."""
        self._move(offset)

    def set_matches(self, matches: list[tuple[int, int]], current: int | None = None) -> None:
        """Paint search `matches` (sorted, not overlapping); `matches[current]` stands out."""
        self._overlays.set_matches(matches, current)
        if current is not None and 0 <= current < len(matches):
            self._scroll_to_offset(matches[current][0])
        self.refresh()

    # -- layout -------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        """Wrap again at the new width, keeping the cursor on the same screen line."""
        self._relayout()

    def _relayout(self) -> None:
        """Wrap the header and the body for the pane's width (rows are cached per measure)."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        measure = min(width, self.MEASURE)
        first = not self._rows
        screen_line = self._cursor_y() - int(self.scroll_y)
        if measure != self._measure or not self._head:
            self._measure = measure
            rows = self._cache.get(measure)
            if rows is None:
                rows = layout.wrap(self._article, measure, cell_width)
                self._cache = {measure: rows, **dict(list(self._cache.items())[:3])}
            self._rows = rows
            self._head = self._wrap_head(measure)
        self._margin = (width - measure) // 2
        self._laid_width = width
        self.virtual_size = Size(width, len(self._head) + len(self._rows))
        if first:
            self._scroll_to_cursor(center=True)
        elif self._rows:
            self.scroll_to(y=self._cursor_y() - screen_line, animate=False, force=True)
            self._scroll_to_cursor()
        self.refresh()

    def _wrap_head(self, measure: int) -> list[HeadLine]:
        """The title and metadata lines, then a blank line."""
        lines: list[HeadLine] = []
        for text, component in (
            (self._article.title or "", "text-pane--title"),
            (layout.metadata_line(self._article), "text-pane--meta"),
        ):
            if text:
                rows = layout.wrap_text(text, measure, cell_width)
                lines += [(text, row, component) for row in rows]
        lines.append(("", Row(0, 0, 0, "paragraph", 0), ""))
        return lines

    def _cursor_y(self) -> int:
        """The virtual line of the cursor."""
        if not self._rows:
            return 0
        return len(self._head) + layout.row_of(self._rows, self.cursor)

    # -- rendering ----------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Forget the styles taken from CSS: the theme or the classes changed."""
        super().notify_style_update()
        self._styles = None

    def _palette(self) -> dict[str, Style]:
        """The Rich styles of the component classes (base styles full, overlays partial)."""
        if self._styles is None:
            base = self.rich_style
            styles = {"": base}
            for name in self.COMPONENT_CLASSES:
                partial = self.get_component_rich_style(name, partial=True)
                key = name.split("--", 1)[1]  # a subclass's classes have its own prefix
                overlay = key.startswith(("match", "selection", "cursor", "hl-"))
                styles[key] = partial if overlay else base + partial
            styles["paragraph"] = styles["gap"] = base
            self._styles = styles
        return self._styles

    def render_line(self, y: int) -> Strip:
        """One line of the pane: a header line, a body row or a blank."""
        width = self.scrollable_content_region.width
        if width != self._laid_width:
            # The first frame is drawn before the pane hears of its size (its Resize comes
            # after): laid out now, the article is in that frame, not one frame later.
            self._relayout()
        styles = self._palette()
        base = styles[""]
        index = int(self.scroll_y) + y
        segments: list[Segment] = [Segment(" " * self._margin, base)] if self._margin else []
        if index < len(self._head):
            text, row, component = self._head[index]
            style = styles[component.removeprefix("text-pane--")] if component else base
            segments.append(Segment(text[row.start : row.end].replace("\n", " "), style))
        elif index - len(self._head) < len(self._rows):
            row = self._rows[index - len(self._head)]
            if row.kind != "gap":
                style = styles[row.kind]
                if row.indent:
                    segments.append(Segment(QUOTE_BAR, base + styles["quote-bar"]))
                    segments.append(Segment(" " * (row.indent - 1), base))
                segments += self._overlays.segments(
                    self._body, row, style, styles, self.selection, self.cursor
                )
        return Strip(segments).crop_extend(0, width, base)

    # -- cursor -------------------------------------------------------------------

    def validate_cursor(self, offset: int) -> int:
        """Keep the cursor on a character of a block (never on a separator)."""
        return layout.clamp_cursor(self._body, offset)

    def watch_cursor(self, offset: int) -> None:
        """Repaint and tell the screen where the reader is."""
        self.refresh()
        self.post_message(self.CursorMoved(offset, self.percent))

    def _move(self, offset: int, *, goal: int | None = None, scroll: bool = True) -> None:
        """Put the cursor at `offset`, remember the goal column, keep it in view."""
        self._goal = goal
        self.cursor = offset
        if scroll:
            self._scroll_to_cursor()

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        """Scroll the least that brings the cursor's line (or the title, at the top) in view."""
        if not self._rows:
            return
        if layout.row_of(self._rows, self.cursor) == 0:
            self.scroll_to(y=0, animate=False, force=True)
            return
        height = self.scrollable_content_region.height
        context = 2 if height > 8 else 0
        self.scroll_to_region(
            Region(0, self._cursor_y(), 1, 1),
            spacing=Spacing(context, 0, context, 0),
            animate=False,
            force=True,
            center=center,
            immediate=True,
        )

    def _scroll_to_offset(self, offset: int) -> None:
        """Bring the line of `offset` into view."""
        if self._rows:
            y = len(self._head) + layout.row_of(self._rows, offset)
            self.scroll_to_region(Region(0, y, 1, 1), animate=False, immediate=True, force=True)

    def action_step(self, step: int) -> None:
        """One character on (1) or back (-1), over the blank line between blocks."""
        self._move(layout.step(self._body, self.cursor, step))

    def action_line(self, delta: int) -> None:
        """Move `delta` screen lines down (or up), keeping the goal column."""
        rows = self._rows
        if not rows:
            return
        index = layout.row_of(rows, self.cursor)
        goal = self._goal
        if goal is None:
            goal = layout.column_of(self._body, rows[index], self.cursor, cell_width)
        step = 1 if delta > 0 else -1
        target = max(0, min(index + delta, len(rows) - 1))
        while rows[target].kind == "gap" and 0 <= target + step < len(rows):
            target += step
        while rows[target].kind == "gap":
            target -= step
        self._move(layout.offset_at_column(self._body, rows[target], goal, cell_width), goal=goal)

    def action_page(self, direction: int) -> None:
        """Scroll a page down (1) or up (-1), less a line of context, taking the cursor along."""
        page = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=int(self.scroll_y) + direction * page, animate=False, force=True)
        self.action_line(direction * page)

    def _offset_at(self, x: int, y: int, *, clamp: bool = False) -> int | None:
        """The body offset at a point of the pane (None off the body, unless `clamp`)."""
        if not self._rows:
            return None
        index = y + int(self.scroll_y) - len(self._head)
        if clamp:
            index = max(0, min(index, len(self._rows) - 1))
        elif not 0 <= index < len(self._rows):
            return None
        row = self._rows[index]
        if row.kind == "gap":
            row = self._rows[index + 1]
        column = max(0, x - self._margin - row.indent)
        return layout.offset_at_column(self._body, row, column, cell_width)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Put the cursor on the character pressed."""
        offset = event.get_content_offset(self)
        at = None if offset is None else self._offset_at(offset.x, offset.y)
        if event.button == 1 and at is not None:
            self._move(at, scroll=False)

    # -- actions ------------------------------------------------------------------

    def action_jump(self, unit: str, step: int) -> None:
        """The start of the next (1) or this or the previous (-1) word, sentence or paragraph."""
        forward, backward = _JUMPS[unit]
        self._move((forward if step > 0 else backward)(self._body, self.cursor))

    def action_top(self) -> None:
        """The start of the article, title in view."""
        self._move(0)
        self.scroll_to(y=0, animate=False, force=True)

    def action_bottom(self) -> None:
        """The last character of the article."""
        self._move(len(self._body) - 1)
