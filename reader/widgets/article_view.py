"""The reading pane: a TextPane with a selection (keys and mouse) and the highlight keys."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer

from reader import layout
from reader.models import COLOURS, SWATCHES, Article, Highlight
from reader.widgets.overlays import TINT
from reader.widgets.text_pane import TextPane, key_bindings

_NOTES = Binding.Group("Notes")
_DRAG_SCROLL = 0.05  # seconds between lines scrolled while a drag holds past an edge


class ArticleView(TextPane):
    """The article as the reader marks it: a selection in body offsets, shared by keys and
    mouse, the highlights painted, and messages asking the app to change them.

    The selection runs from `selection_anchor` to the cursor, the cursor's character
    included. Highlights are data given by the app (`set_highlights`); the view only asks
    for changes (`MarkRequested`, `HighlightAction`), the app does them and paints again.
    """

    DEFAULT_CSS = "".join(
        # Light tints over the theme's own background: the text keeps the theme's colour and
        # reads on light and dark alike.
        f"ArticleView > .article-view--hl-{name} {{ background: {hex_} {TINT}; }}\n"
        for name, hex_ in SWATCHES.items()
    )

    COMPONENT_CLASSES: ClassVar[set[str]] = TextPane.COMPONENT_CLASSES | {
        f"article-view--hl-{name}" for name in COLOURS
    }

    BINDINGS: ClassVar[list[BindingType]] = key_bindings(
        (
            ("shift+left", "extend('step', -1)", "Select left", False, None, None),
            ("shift+right", "extend('step', 1)", "Select right", False, None, None),
            ("shift+up", "extend('line', -1)", "Select up", False, None, None),
            ("shift+down", "extend('line', 1)", "Select down", False, None, None),
            ("v", "select", "Select", True, None, None),
            ("escape", "drop_selection", "Drop selection", False, None, None),
            ("m", "mark", "Mark", True, None, _NOTES),
            ("a", "annotate", "Note", True, None, _NOTES),
            ("x", "delete", "Delete highlight", False, None, None),
            ("right_square_bracket", "next_highlight(1)", "Next highlight", False, "]", None),
            ("left_square_bracket", "next_highlight(-1)", "Previous highlight", False, "[", None),
            *(
                (str(n), f"colour({n})", f"Colour {n}", False, None, None)
                for n in range(1, len(COLOURS) + 1)
            ),
        )
    )

    selection_anchor: reactive[int | None] = reactive(None)
    """Where the selection started (None: no selection); the cursor is its other end."""

    class MarkRequested(Message):
        """Highlight [start, end) of the body; `annotate`: then open the note editor."""

        def __init__(self, start: int, end: int, *, annotate: bool) -> None:
            super().__init__()
            self.start, self.end, self.annotate = start, end, annotate

    class HighlightAction(Message):
        """Do `action` ("note", "delete" or "colour") to the highlight `highlight_id`."""

        def __init__(self, highlight_id: str, action: str, colour: str | None = None) -> None:
            super().__init__()
            self.highlight_id, self.action, self.colour = highlight_id, action, colour

    def __init__(
        self,
        article: Article | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(article, name=name, id=id, classes=classes)
        self._drag_from: int | None = None  # where the mouse button went down, in the body
        self._drag_y = 0  # the last mouse row during a drag (outside the pane: it scrolls)
        self._drag_timer: Timer | None = None

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span [start, end) of the body, cursor character included."""
        if self.selection_anchor is None or not self._body:
            return None
        start, end = sorted((self.selection_anchor, self.cursor))
        return start, min(end + 1, len(self._body))

    def set_article(self, article: Article, cursor: int = 0) -> None:
        """Show `article` with the cursor at `cursor`, no selection and no highlights."""
        self.set_reactive(ArticleView.selection_anchor, None)
        super().set_article(article, cursor)  # which clears the highlights

    def set_highlights(self, highlights: list[Highlight], pending: frozenset[str]) -> None:
        """Paint `highlights`; those whose id is in `pending` are drawn as not yet saved."""
        self._overlays.set_highlights(highlights, pending)
        self.refresh()

    @property
    def highlights(self) -> list[Highlight]:
        """The highlights painted, in reading order."""
        return self._overlays.highlights

    def highlights_at(self, offset: int) -> list[Highlight]:
        """The highlights covering `offset`, shortest (the one keys act on) first."""
        return self._overlays.highlights_at(offset)

    def watch_selection_anchor(self) -> None:
        """Repaint the selection."""
        self.refresh()

    # -- the mouse ------------------------------------------------------------------

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Put the cursor on the character pressed; a drag from there selects."""
        event.prevent_default()  # instead of the pane's own click, which would move it again
        offset = event.get_content_offset(self)
        if event.button != 1 or offset is None:
            return
        at = self._offset_at(offset.x, offset.y)
        if at is None:
            return
        self.selection_anchor = None
        self._drag_from, self._drag_y = at, offset.y
        self.capture_mouse()
        self._move(at, scroll=False)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Extend the selection to the pointer; past the top or bottom edge, scroll."""
        if self._drag_from is None:
            return
        offset = event.get_content_offset_capture(self)
        self._drag_y = offset.y
        outside = not 0 <= offset.y < self.scrollable_content_region.height
        if outside and self._drag_timer is None:
            self._drag_timer = self.set_interval(_DRAG_SCROLL, self._drag_scroll)
        elif not outside and self._drag_timer is not None:
            self._drag_timer.stop()
            self._drag_timer = None
        self._drag_to(offset.x, offset.y)

    def _drag_to(self, x: int, y: int) -> None:
        """Select from where the drag began to the character at (x, y)."""
        assert self._drag_from is not None
        height = self.scrollable_content_region.height
        at = self._offset_at(x, max(0, min(y, height - 1)), clamp=True)
        if at is None or at == self._drag_from and self.selection_anchor is None:
            return
        self.selection_anchor = self._drag_from
        self._move(at, scroll=False)

    def _drag_scroll(self) -> None:
        """One line further while the drag holds past an edge, the selection following."""
        if self._drag_from is None:
            return
        direction = -1 if self._drag_y < 0 else 1
        self.scroll_to(y=int(self.scroll_y) + direction, animate=False, force=True, immediate=True)
        self._drag_to(0 if direction < 0 else self.size.width, self._drag_y)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """The drag ends; what it selected stays selected."""
        if self._drag_from is None:
            return
        self._drag_from = None
        if self._drag_timer is not None:
            self._drag_timer.stop()
            self._drag_timer = None
        self.release_mouse()

    # -- the keys -------------------------------------------------------------------

    def action_select(self) -> None:
        """Start a selection at the cursor (movement extends it), or drop it."""
        if not self._body:
            return
        self.selection_anchor = None if self.selection_anchor is not None else self.cursor

    def action_extend(self, how: str, step: int) -> None:
        """Shift+arrow: start a selection here if there is none, then move."""
        if self.selection_anchor is None and self._body:
            self.selection_anchor = self.cursor
        if how == "step":
            self.action_step(step)
        else:
            self.action_line(step)

    def action_drop_selection(self) -> None:
        """Drop the selection (with none, escape goes on to the app: it closes the search)."""
        if self.selection_anchor is None:
            raise SkipAction()
        self.selection_anchor = None

    def _span(self) -> tuple[int, int] | None:
        """The selection, or else the sentence under the cursor."""
        if not self._body:
            return None
        span = self.selection or layout.sentence_at(self._body, self.cursor)
        return layout.mark_span(self._body, *span)

    def action_mark(self) -> None:
        """Ask for a highlight of the selection (or of the sentence under the cursor)."""
        span = self._span()
        if span is not None:
            self.post_message(self.MarkRequested(*span, annotate=False))
            self.selection_anchor = None

    def action_annotate(self) -> None:
        """Edit the note of the highlight here; or highlight, then write a note."""
        under = self.highlights_at(self.cursor)
        if self.selection_anchor is None and under:
            self.post_message(self.HighlightAction(under[0].id, "note"))
            return
        span = self._span()
        if span is not None:
            self.post_message(self.MarkRequested(*span, annotate=True))
            self.selection_anchor = None

    def _under_cursor(self, action: str, colour: str | None = None) -> None:
        under = self.highlights_at(self.cursor)
        if under:
            self.post_message(self.HighlightAction(under[0].id, action, colour))
        else:
            self.app.bell()

    def action_delete(self) -> None:
        """Ask to delete the highlight under the cursor."""
        self._under_cursor("delete")

    def action_colour(self, number: int) -> None:
        """Ask to give the highlight under the cursor the colour `number` (1-5)."""
        self._under_cursor("colour", COLOURS[number - 1])

    def action_next_highlight(self, step: int) -> None:
        """The cursor to the start of the next (1) or previous (-1) highlight."""
        found = self._overlays.next_highlight(self.cursor, step)
        if found is None:
            self.app.bell()
        else:
            self._move(found.start)
