"""The note editor: a modal with the quote and a multi-line editor; ctrl+s saves, escape cancels."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from reader.library import one_line, sanitize

QUOTE_LINES = 4


class NoteEditor(ModalScreen[str | None]):
    """Edit the note of one highlight; dismissed with the note (ctrl+s) or None (escape)."""

    DEFAULT_CSS = """
    NoteEditor {
        align: center middle;
    }
    NoteEditor > Vertical {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-color: $text;
        background: $surface;
        padding: 0 1;
    }
    NoteEditor .quote {
        color: $text-muted;
        text-style: italic;
        max-height: 4;
        margin-bottom: 1;
    }
    NoteEditor TextArea {
        height: 10;
    }
    NoteEditor .hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save note", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, quote: str, note: str = "") -> None:
        super().__init__()
        # Both may come from an imported file: no control or bidi character reaches the
        # terminal (they become U+FFFD, as in articles).
        self.quote = sanitize(quote)
        self.note = sanitize(note)

    def compose(self) -> ComposeResult:
        quote = one_line(self.quote)
        with Vertical() as box:
            box.border_title = "Note"
            # Article text is data: a Content object, never parsed as markup.
            yield Static(Content(f"« {quote} »"), classes="quote", markup=False)
            yield TextArea(self.note, id="note", soft_wrap=True, tab_behavior="indent")
            yield Static(
                Content("ctrl+s save · escape cancel · #words become tags"), classes="hint"
            )

    def on_mount(self) -> None:
        editor = self.query_one("#note", TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#note", TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
