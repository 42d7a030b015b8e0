"""The export dialog: where to write the open article's notes, pre-filled with the last place."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class ExportDialog(ModalScreen[str | None]):
    """Ask for a folder (or a .md file); dismissed with the path (enter) or None (escape)."""

    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
    }
    ExportDialog > Vertical {
        width: 84;
        max-width: 100%;
        height: auto;
        border: round $accent;
        border-title-color: $text;
        background: $surface;
        padding: 0 1;
    }
    ExportDialog .hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default: str, article: str) -> None:
        super().__init__()
        self.default = default
        self.article = article

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Export notes to Markdown"
            yield Static(Content(self.article), markup=False)
            yield Input(self.default, id="export-path", select_on_focus=False)
            yield Static(
                Content("enter export · escape cancel · a folder, or a file ending in .md"),
                classes="hint",
            )

    def on_mount(self) -> None:
        field = self.query_one("#export-path", Input)
        field.focus()
        field.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
