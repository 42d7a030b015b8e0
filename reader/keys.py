"""The keys of the reader, for the help screen and the README: one table, said once."""

from __future__ import annotations

# (where, keys, what they do)
KEYS: tuple[tuple[str, str, str], ...] = (
    ("reading pane", "← → / h l", "move the cursor by a character"),
    ("reading pane", "↑ ↓ / k j", "move the cursor by a line"),
    ("reading pane", "w / b", "next / previous word"),
    ("reading pane", ") / (", "next / previous sentence"),
    ("reading pane", "} / {", "next / previous paragraph"),
    ("reading pane", "space, pagedown / pageup", "page down / up"),
    ("reading pane", "g / G", "top / bottom of the article"),
    ("reading pane", "v", "start a selection at the cursor (moving extends it); v again drops it"),
    ("reading pane", "shift+arrows, mouse drag", "select (a drag past the edge scrolls)"),
    ("reading pane", "escape", "drop the selection"),
    ("reading pane", "m", "highlight the selection, or the sentence under the cursor"),
    ("reading pane", "a", "highlight and write a note; on a highlight, edit its note"),
    ("note editor", "ctrl+s / escape", "save the note / cancel (#words become tags)"),
    (
        "reading pane",
        "1 … 5",
        "colour of the highlight under the cursor (yellow green blue pink purple)",
    ),
    ("reading pane", "x", "delete the highlight under the cursor"),
    ("reading pane", "u", "undo the last highlight change (creation, edit, deletion)"),
    ("reading pane", "] / [", "next / previous highlight"),
    ("anywhere", "o", "show or hide the notebook: the article's highlights, notes and orphans"),
    ("anywhere", "e", "export the open article's notes to Markdown (asks where; remembered)"),
    ("reading pane", "/", "search the article (case and accents ignored)"),
    ("reading pane", "n / N", "next / previous match"),
    ("sidebar", "↑ ↓, enter or click", "choose an article and open it"),
    ("sidebar", "/", "filter the list as you type"),
    ("anywhere", "tab", "move between the sidebar and the reading pane"),
    ("anywhere", "ctrl+b", "hide or show the sidebar"),
    ("anywhere", "escape", "close the search or filter"),
    ("anywhere", "ctrl+p", "command palette (themes, help, sidebar, quit)"),
    ("anywhere", "?", "this help"),
    ("anywhere", "q", "quit (the reading position is kept)"),
)
