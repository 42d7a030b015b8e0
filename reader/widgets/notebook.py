"""The notebook panel: the open article's highlights in reading order, then its orphans."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.library import one_line
from reader.models import SWATCHES, Highlight

QUOTE_CHARS = 160
NOTE_CHARS = 240


class Notebook(Vertical):
    """A panel listing highlights (colour, quote, note, tags); choosing one posts `Chosen`."""

    DEFAULT_CSS = """
    Notebook {
        width: 44;
        max-width: 45%;
        border-left: vkey $foreground 20%;
        &:focus-within { border-left: vkey $accent; }
        & > .notebook--title { padding: 0 1; text-style: bold; color: $text-accent; }
        & > OptionList, & > OptionList:focus { height: 1fr; border: none; padding: 0; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.toggle_notebook", "Close notebook", show=False),
    ]

    class Chosen(Message):
        """The reader chose the highlight `highlight_id` in the panel."""

        def __init__(self, highlight_id: str) -> None:
            super().__init__()
            self.highlight_id = highlight_id

    def compose(self) -> ComposeResult:
        yield Static(Content("Notebook"), classes="notebook--title", markup=False)
        yield OptionList(id="notebook-list")

    def show(self, highlights: list[Highlight], pending: frozenset[str]) -> None:
        """List `highlights` (placed ones in reading order, then orphans under a heading)."""
        options = self.query_one(OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else None
        placed = [h for h in highlights if h.status != "orphan"]
        orphans = [h for h in highlights if h.status == "orphan"]
        items: list[Option | None] = [_option(h, h.id in pending) for h in placed]
        if not placed:
            empty = Content("No highlights yet: v to select, m to mark")
            items.append(Option(empty, disabled=True))
        if orphans:
            heading = Content.styled(
                f"Orphans: {len(orphans)} not found in the text (choose one, select, m)", "bold"
            )
            items += [None, Option(heading, disabled=True)]
            items += [_option(h, h.id in pending) for h in orphans]
        options.clear_options()
        options.add_options(items)
        if keep is not None:
            try:
                options.highlighted = options.get_option_index(keep)
            except LookupError:
                pass

    def point_at(self, highlight_id: str | None) -> None:
        """Put the list's cursor on `highlight_id` (or on the first item)."""
        options = self.query_one(OptionList)
        try:
            index = options.get_option_index(highlight_id) if highlight_id else 0
        except LookupError:
            index = 0
        if options.option_count:
            options.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(event.option.id))


def _option(h: Highlight, pending: bool) -> Option:
    """One highlight as a few lines of text; article text stays text (a Content, no markup)."""
    quote = one_line(h.quote)
    if len(quote) > QUOTE_CHARS:
        quote = quote[: QUOTE_CHARS - 1] + "…"
    parts: list[tuple[str, str] | str] = [(" ▌", SWATCHES.get(h.color, SWATCHES["yellow"])), quote]
    note = one_line(h.note)
    if note:
        if len(note) > NOTE_CHARS:
            note = note[: NOTE_CHARS - 1] + "…"
        parts += ["\n   ", (note, "italic")]
    flags = [f"#{one_line(tag)}" for tag in h.tags]
    if h.status == "drifted":
        flags.append("(found again, changed)")
    if pending:
        flags.append("(saving…)")
    if flags:
        parts += ["\n   ", (" ".join(flags), "dim")]
    return Option(Content.assemble(*parts), id=h.id)
