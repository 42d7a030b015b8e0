"""Pilot tests of the whole reading app, built by `make_app` on real files and a real store."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pilots import settle
from textual._compositor import Compositor
from textual.geometry import Region, Size
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static

from reader import layout, listing, paths
from reader.app import ReaderApp, make_app
from reader.screens.help import HelpScreen
from reader.store import Store
from reader.widgets.article_list import ROW_HEIGHT, ArticleList
from reader.widgets.article_view import ArticleView

ARTICLES = Path(__file__).resolve().parent.parent / "articles"
SIZE = (120, 36)
IDS = sorted(path.name for path in ARTICLES.glob("*.txt"))
TITLE_001 = (
    'Guerre en Ukraine: ces soldats russes "déserteurs" qui combattent avec l\'armée de Kiev'
)
TITLE_003 = "Des combattants anti-Poutine attaquent la Russie depuis l'Ukraine"

EVIL_TITLE = "[@click=app.quit]Click me[/]"
EVIL_PARAGRAPHS = (
    "Des combattants russes ont choisi de déserter et de se battre aux côtés des troupes "
    "ukrainiennes. Ils condamnent notamment Vladimir Poutine, considéré comme un despote.",
    "Ils ont choisi de changer de camp. Le titre du terminal devait changer ici: "
    "\x1b]2;pwned\x07 mais il ne change pas. Des soldats russes issus d'une légion dissidente "
    "ont décidé de rejoindre des soldats ukrainiens et de se battre à leurs côtés.",
    "Une façon de combattre Vladimir Poutine, considéré comme un despote. Ils confient être "
    "prêts à mourir pour la liberté de leur pays et de celui de leurs voisins.",
)
# A PNG header then every byte value: what the library calls a binary file.
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def build(library: Path, tmp_path: Path, open_file: Path | None = None) -> ReaderApp:
    """The real app on `library`, with a store file and a cache in `tmp_path`, made as
    `reader` makes them."""
    cache = tmp_path / "cache"
    store = Store(tmp_path / "notes.json", cache_dir=cache)
    return make_app(library, store, open_file=open_file, cache_dir=cache)


@asynccontextmanager
async def running(app: ReaderApp, size: tuple[int, int] = SIZE) -> AsyncIterator[Pilot[None]]:
    """Run `app` with its library loaded; leave it as `q` does unless the test quit already.

    Leaving `run_test` without quitting shuts the app down without `App.exit()`, so a pending
    save of the reading position (a SAVE_DELAY timer) can fire while the screen is being
    removed and fail to find the pane. `q` stops that timer and saves at once.
    """
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield pilot
        if app.return_code is None:
            await app.action_quit()
    app.store.close()  # as `reader` does


def pane_of(app: ReaderApp) -> ArticleView:
    return app.query_one("#pane", ArticleView)


def list_of(app: ReaderApp) -> ArticleList:
    return app.query_one("#articles", ArticleList)


def screen_lines(widget: ArticleView | ArticleList) -> list[str]:
    """The text of each line the widget paints now."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def flat(lines: list[str]) -> str:
    """Screen lines as one string of single-spaced words (wrapped text joins up again)."""
    return " ".join(" ".join(lines).split())


def status_text(app: ReaderApp) -> str:
    return str(app.query_one("#status", Static).content)


def background(pane: ArticleView) -> object:
    """The background colour of the pane's first line."""
    styles = [segment.style for segment in pane.render_line(0) if segment.style is not None]
    return styles[-1].bgcolor


def messages(app: ReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


# -- opening ------------------------------------------------------------------------------


async def test_list_fills_and_first_article_opens(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app):
        articles = list_of(app)
        assert articles.count == articles.total == 5
        assert [item.id for item in articles.items] == IDS
        assert all(item.error is None for item in articles.items)
        assert app.article_id == IDS[0]
        assert articles.current is not None and articles.current.id == IDS[0]
        assert app.focused is articles
        # The sidebar shows the titles (000 has none: its first words stand in).
        text = "\n".join(screen_lines(articles))
        assert "Rien que ce matin du 29 décembre" in text
        assert "Guerre en Ukraine" in text
        # The pane shows the body of the first article.
        assert "Rien que ce matin du 29 décembre" in "\n".join(screen_lines(pane_of(app)))


async def test_temp_files_left_in_the_cache_by_killed_writes_are_swept_at_start(
    library: Path, tmp_path: Path
) -> None:
    stale = time.time() - paths.STALE_TEMP - 60
    cache = tmp_path / "cache"
    left = [cache / ".reader-cache-k1ll3d_1.tmp"]
    left += [cache / folder / ".reader-cache-k1ll3d_2.tmp" for folder in ("articles", "highlights")]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
        os.utime(path, (stale, stale))
    app = build(library, tmp_path)
    async with running(app) as pilot:
        await wait_for(lambda: not any(path.exists() for path in left), pilot)
        assert not any(path.exists() for path in left)
        assert (cache / "articles").is_dir() and any((cache / "articles").iterdir())


@pytest.fixture
def held_reading(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The app's reading of the whole library waits until the event is set (the first
    screenful is read at once): what a user can do while a large library is read."""
    rest_may_go = threading.Event()
    real_list_library = listing.list_library

    def list_library(*args: Any, **kwargs: Any) -> list[listing.Summary]:
        if kwargs.get("first") is None:
            assert rest_may_go.wait(10)
        return real_list_library(*args, **kwargs)

    monkeypatch.setattr(listing, "list_library", list_library)
    yield rest_may_go
    rest_may_go.set()


async def wait_for(condition: Callable[[], bool], pilot: Pilot[None]) -> None:
    deadline = time.monotonic() + 10
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.01)


async def test_a_large_library_shows_its_first_article_before_it_is_all_read(
    tmp_path: Path, held_reading: threading.Event
) -> None:
    library = tmp_path / "big-library"
    library.mkdir()
    text = (ARTICLES / IDS[1]).read_text("utf-8")
    for i in range(SIZE[1] + 5):  # more than the first screenful (one per line of the screen)
        (library / f"{i:03d}.txt").write_text(text, "utf-8")
    app = build(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.article_id is not None, pilot)
        assert app.article_id == "000.txt"  # opened with the first titles, the rest unread
        assert list_of(app).total == SIZE[1]
        held_reading.set()
        await settle(pilot)
        assert list_of(app).total == SIZE[1] + 5
        assert app.article_id == "000.txt"
        await app.action_quit()


async def test_an_article_opened_while_the_library_is_read_stays_open(
    library: Path, tmp_path: Path, held_reading: threading.Event
) -> None:
    app = build(library, tmp_path, open_file=library / IDS[0])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.article_id == IDS[0], pilot)
        app.open_article(IDS[2])  # chosen before the list is complete
        await wait_for(lambda: app.article_id == IDS[2], pilot)
        held_reading.set()
        await settle(pilot)
        assert app.article_id == IDS[2]  # the list's arrival does not take it back
        current = list_of(app).current
        assert current is not None and current.id == IDS[2]
        await app.action_quit()


async def test_enter_in_the_sidebar_opens_an_article(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.article_id == IDS[1]
        pane = pane_of(app)
        assert pane.article.title == TITLE_001
        assert app.focused is pane
        assert flat(screen_lines(pane)).startswith(TITLE_001)


async def test_click_in_the_sidebar_opens_an_article(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        # The fourth article's title line (two lines an article).
        assert await pilot.click("#articles", offset=(5, 3 * ROW_HEIGHT))
        await settle(pilot)
        assert app.article_id == IDS[3]
        assert pane_of(app).article.title == TITLE_003
        assert list_of(app).index == 3
        assert app.focused is pane_of(app)


async def test_tab_moves_between_sidebar_and_pane(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        assert app.focused is list_of(app)
        await pilot.press("tab")
        assert app.focused is pane_of(app)
        await pilot.press("tab")
        assert app.focused is list_of(app)
        await pilot.press("shift+tab")
        assert app.focused is pane_of(app)


async def test_reader_file_opens_it_with_focus_in_the_pane(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path, open_file=library / IDS[3])
    async with running(app):
        assert app.article_id == IDS[3]
        assert pane_of(app).article.title == TITLE_003
        assert app.focused is pane_of(app)
        assert list_of(app).current is not None and list_of(app).current.id == IDS[3]


# -- reading keys ---------------------------------------------------------------------------


async def test_keys_move_the_cursor_in_the_pane(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path, open_file=library / IDS[1])
    async with running(app) as pilot:
        pane = pane_of(app)
        body = pane.body
        assert pane.cursor == 0
        await pilot.press("w")
        assert pane.cursor == layout.next_word_start(body, 0) > 0
        await pilot.press("g")
        assert pane.cursor == 0
        await pilot.press("j")
        # One screen line down: the first character of the second row (goal column 0).
        assert pane.cursor == pane.rows[1].start
        await pilot.press("G")
        assert pane.cursor == len(body) - 1
        assert pane.scroll_y == pane.max_scroll_y > 0
        assert "100%" in status_text(app)
        await pilot.press("g")
        assert pane.cursor == 0
        assert pane.scroll_y == 0
        assert "0%" in status_text(app)


async def test_a_cursor_move_lays_out_nothing(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The status line says where the cursor is at each move. It is one line as wide as the
    pane whatever it says: saying it lays out no widget (a layout of the whole screen cost
    more than the rest of the frame)."""
    layouts: list[Compositor] = []
    reflow = Compositor.reflow

    def counted(self: Compositor, parent: Widget, size: Size) -> Any:
        layouts.append(self)
        return reflow(self, parent, size)

    monkeypatch.setattr(Compositor, "reflow", counted)
    app = build(library, tmp_path, open_file=library / IDS[1])
    async with running(app) as pilot:
        pane, status = pane_of(app), app.query_one("#status", Static)
        said = status_text(app)
        layouts.clear()
        await pilot.press("right_curly_bracket", "right_curly_bracket", "w")
        await pilot.pause()
        assert pane.cursor > 0 and pane.scroll_y == 0  # moved, on the first screen
        assert status_text(app) != said
        assert layouts == []
        drawn = status.render_lines(Region(0, 0, status.outer_size.width, 1))[0].text
        assert drawn.strip() == status_text(app)


# -- search and filter ----------------------------------------------------------------------


async def test_search_in_the_pane_ignores_accents(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path, open_file=library / IDS[1])
    async with running(app) as pilot:
        pane = pane_of(app)
        await pilot.press("slash")  # the search box is made the first time it is wanted
        search = app.query_one("#search", Input)
        assert search.display and app.focused is search
        await pilot.press(*"deserteurs")
        await pilot.pause()
        assert app._matches
        start, end = app._matches[0]
        assert pane.body[start:end] == "déserteurs"
        assert "match 1/" in status_text(app)
        assert pane.cursor == start
        await pilot.press("enter")  # back to the pane, the matches stay painted
        assert not search.display
        assert app.focused is pane
        assert "match 1/1" in status_text(app)


async def test_n_and_shift_n_move_between_matches(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path, open_file=library / IDS[1])
    async with running(app) as pilot:
        pane = pane_of(app)
        await pilot.press("slash")
        app.query_one("#search", Input).value = "russes"  # as typed (typing is tested above)
        await pilot.press("enter")
        matches = app._matches
        assert len(matches) > 2
        assert "match 1/" in status_text(app)
        assert pane.cursor == matches[0][0]
        await pilot.press("n")
        assert app._match == 1
        assert pane.cursor == matches[1][0]
        assert f"match 2/{len(matches)}" in status_text(app)
        await pilot.press("n")
        assert pane.cursor == matches[2][0]
        await pilot.press("N", "N", "N")  # back past the first one: wraps to the last
        assert pane.cursor == matches[-1][0]
        assert f"match {len(matches)}/{len(matches)}" in status_text(app)


async def test_slash_in_the_sidebar_filters_the_list(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        articles = list_of(app)
        assert app.focused is articles
        await pilot.press("slash", *"desert")  # déserteurs (001), déserter (004)
        await pilot.pause()
        assert articles.count == 2
        assert articles.current is not None and articles.current.id == IDS[1]
        assert app.article_id == IDS[0]  # filtering does not open anything
        await pilot.press("escape")
        await pilot.pause()
        assert articles.count == 5
        assert articles.filter_text == ""
        assert not app.query_one("#search", Input).display
        assert app.focused is articles


# -- memory ---------------------------------------------------------------------------------


async def test_reading_position_and_last_article_are_kept(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        await pilot.click("#articles", offset=(5, 2 * ROW_HEIGHT))
        await settle(pilot)
        assert app.article_id == IDS[2]
        await pilot.press("right_curly_bracket", "right_curly_bracket", "j", "w")
        cursor = pane_of(app).cursor
        assert cursor > 0
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    saved = Store(tmp_path / "notes.json")
    assert saved.position(IDS[2]) == cursor
    assert saved.last_opened() == IDS[2]

    again = build(library, tmp_path)
    async with running(again) as pilot:
        assert again.article_id == IDS[2]
        assert pane_of(again).cursor == cursor
        assert list_of(again).current is not None and list_of(again).current.id == IDS[2]
        # The cursor's line is on screen.
        row = layout.row_of(pane_of(again).rows, cursor) + pane_of(again).header_height
        top = int(pane_of(again).scroll_y)
        assert top <= row < top + pane_of(again).scrollable_content_region.height


async def test_the_position_of_the_article_left_is_kept(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path, open_file=library / IDS[0])
    async with running(app) as pilot:
        await pilot.press("G")
        end = pane_of(app).cursor
        await pilot.click("#articles", offset=(5, ROW_HEIGHT))  # another article at once
        await settle(pilot)
        assert app.article_id == IDS[1]
        await pilot.click("#articles", offset=(5, 0))  # and back
        await settle(pilot)
        assert app.article_id == IDS[0]
        assert pane_of(app).cursor == end
        await pilot.press("q")
    assert Store(tmp_path / "notes.json").position(IDS[0]) == end


async def test_theme_is_remembered(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        assert app.theme != "textual-light"
        dark = background(pane_of(app))
        app.theme = "textual-light"
        await pilot.pause()
        assert background(pane_of(app)) != dark  # the pane painted again in the new theme
        await app.action_quit()
        await pilot.pause()
    assert Store(tmp_path / "notes.json").setting("theme") == "textual-light"

    again = build(library, tmp_path)
    async with running(again) as pilot:
        assert again.theme == "textual-light"


# -- the rest -------------------------------------------------------------------------------


async def test_ctrl_b_hides_and_shows_the_sidebar(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        sidebar = app.query_one("#sidebar")
        width = pane_of(app).size.width
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert not sidebar.display
        assert app.focused is pane_of(app)
        assert pane_of(app).size.width > width
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert sidebar.display
        assert pane_of(app).size.width == width


async def test_help_screen_opens_and_closes(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.focused is list_of(app)


async def test_narrow_terminal_hides_the_sidebar(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app, (60, 20)) as pilot:
        assert not app.query_one("#sidebar").display
        pane = pane_of(app)
        assert app.article_id == IDS[0]
        assert pane.outer_size.width == 60
        assert "Rien que ce matin du 29 décembre" in flat(screen_lines(pane))
        # The pane is usable: a click focuses it and places the cursor, keys move it.
        await pilot.click("#pane", offset=(10, 4))
        assert app.focused is pane
        clicked = pane.cursor
        assert clicked > 0
        await pilot.press("w", "j")
        assert pane.cursor > clicked
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.query_one("#sidebar").display
        assert list_of(app).size.width > 0


async def test_narrow_terminal_starts_with_the_focus_in_the_pane(
    library: Path, tmp_path: Path
) -> None:
    app = build(library, tmp_path)
    async with running(app, (60, 20)) as pilot:
        # The hidden sidebar must not hold the focus: keys go to the pane, / searches it.
        assert app.focused is pane_of(app)
        await pilot.press("j")
        assert pane_of(app).cursor > 0


# -- untrusted and bad files ----------------------------------------------------------------


def write_evil(library: Path) -> Path:
    """An HTML article whose title is markup and whose body sets the terminal title."""
    paragraphs = "".join(f"<p>{text}</p>" for text in EVIL_PARAGRAPHS)
    page = (
        f"<html><head><title>{EVIL_TITLE}</title></head>"
        f"<body><article><h1>{EVIL_TITLE}</h1>{paragraphs}</article></body></html>"
    )
    path = library / "evil.html"
    path.write_text(page, encoding="utf-8")
    return path


async def test_untrusted_title_and_body_are_shown_literally(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path, open_file=write_evil(library))
    async with running(app) as pilot:
        assert app.article_id == "evil.html"
        pane = pane_of(app)
        assert pane.article.title == EVIL_TITLE
        lines = screen_lines(pane)
        title_y = next(y for y, line in enumerate(lines) if EVIL_TITLE in line)
        text = "\n".join(lines)
        assert "\ufffd]2;pwned\ufffd" in text
        assert "\x1b" not in text and "\x07" not in text
        # The sidebar shows the title as text too.
        assert any(EVIL_TITLE in line for line in screen_lines(list_of(app)))
        # A click on the title (and on the body) runs no action.
        x = lines[title_y].index("Click me")
        await pilot.click("#pane", offset=(x + 1, title_y))
        await pilot.click("#pane", offset=(x + 1, title_y + 4))
        await pilot.pause()
        assert app.is_running
        assert app.article_id == "evil.html"


async def test_a_bad_file_is_listed_and_not_opened(library: Path, tmp_path: Path) -> None:
    (library / "zz_binary.txt").write_bytes(BINARY)
    app = build(library, tmp_path)
    async with running(app) as pilot:
        articles = list_of(app)
        assert articles.total == 6
        bad = articles.items[-1]
        assert bad.id == "zz_binary.txt"
        assert bad.error == "binary file (not text)"
        assert any("binary file (not text)" in line for line in screen_lines(articles))
        await pilot.press("end", "enter")
        await settle(pilot)
        assert app.is_running
        assert app.article_id == IDS[0]
        assert any("zz_binary.txt" in m and "binary" in m for m in messages(app))
        # A click on it does the same.
        assert await pilot.click("#articles", offset=(5, 5 * ROW_HEIGHT))
        await settle(pilot)
        assert app.is_running
        assert app.article_id == IDS[0]


async def test_a_last_opened_article_that_went_bad_is_not_opened(
    library: Path, tmp_path: Path
) -> None:
    Store(tmp_path / "notes.json").set_last_opened(IDS[2])
    (library / IDS[2]).unlink()
    (library / IDS[2]).write_bytes(BINARY)
    app = build(library, tmp_path)
    async with running(app):
        assert app.is_running
        assert app.article_id == IDS[0]
