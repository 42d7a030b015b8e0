"""The help screen: every key of the reader, from reader.keys."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.keys import KEYS


class HelpScreen(ModalScreen[None]):
    """A modal table of the keys; any of escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        table.add_column("where", style="dim")
        table.add_column("keys", style="bold")
        table.add_column("does")
        for where, keys, does in KEYS:
            table.add_row(Text(where), Text(keys), Text(does))
        with VerticalScroll():
            yield Static(Text("Keys of the reader", style="bold"))
            yield Static(table)
            yield Static(Text("escape closes this help", style="dim"))
