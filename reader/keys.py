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
