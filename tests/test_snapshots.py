"""SVG snapshots of the main views of the reading app (pytest-textual-snapshot).

Update them after a deliberate change of look with `pytest tests/test_snapshots.py
--snapshot-update`, then open the SVG files to check them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from pilots import settle
from textual.pilot import Pilot
from textual.widgets import Input

from reader.app import ReaderApp, make_app
from reader.store import Store

ARTICLES = Path(__file__).resolve().parent.parent / "articles"
SIZE = (120, 36)
ARTICLE_001 = "001_d5ff22c185f78ace.txt"

Compare = Callable[..., bool]
Steps = Callable[[Pilot[None]], Awaitable[None]]


def build(library: Path, tmp_path: Path, open_file: str | None = None) -> ReaderApp:
    """The real app on the samples, with a new store and cache."""
    store = Store(tmp_path / "notes.json")
    target = None if open_file is None else library / open_file
    return make_app(library, store, open_file=target, cache_dir=tmp_path / "cache")


def ready(then: Steps | None = None) -> Steps:
    """A `run_before` that waits for the library and the article, then runs `then`.

    It starts with a pause: run_before is called before the first layout.
    """

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await settle(pilot)
        if then is not None:
            await then(pilot)
            await settle(pilot)

    return run_before


def test_main_view(snap_compare: Compare, library: Path, tmp_path: Path) -> None:
    """The samples in the sidebar, the first article in the pane, the list focused."""
    app = build(library, tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready())


def test_search_in_the_article(snap_compare: Compare, library: Path, tmp_path: Path) -> None:
    """An article with a title, searched without its accent: the match and its count."""

    async def search(pilot: Pilot[None]) -> None:
        await pilot.press("slash")
        pilot.app.query_one("#search", Input).cursor_blink = False
        await pilot.press(*"deserteurs")

    app = build(library, tmp_path, open_file=ARTICLE_001)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready(search))


def test_help_screen(snap_compare: Compare, library: Path, tmp_path: Path) -> None:
    """The help screen over the app."""
    app = build(library, tmp_path)
    assert snap_compare(app, press=["question_mark"], terminal_size=SIZE, run_before=ready())


def test_narrow_terminal(snap_compare: Compare, library: Path, tmp_path: Path) -> None:
    """60x20: the sidebar starts hidden, the article takes the width."""
    app = build(library, tmp_path)
    assert snap_compare(app, terminal_size=(60, 20), run_before=ready())


def test_light_theme(snap_compare: Compare, library: Path, tmp_path: Path) -> None:
    """The light theme, an article with a title and the cursor a few words in."""

    async def light(pilot: Pilot[None]) -> None:
        pilot.app.theme = "textual-light"
        await pilot.press("w", "w", "w")

    app = build(library, tmp_path, open_file=ARTICLE_001)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready(light))
