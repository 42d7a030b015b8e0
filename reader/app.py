"""The reading app: the library in a sidebar, the cleaned article in the reading pane."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from reader import articles_cache, layout, paths
from reader.library import ArticleError
from reader.models import Article
from reader.notes_app import Loaded, NotesApp
from reader.store import Store, StoreError
from reader.widgets.article_list import ArticleList, ListItem
from reader.widgets.article_view import ArticleView

if TYPE_CHECKING:
    from reader.listing import Summary

log = logging.getLogger(__name__)

NARROW = 70  # below this many columns the sidebar starts hidden
FIRST_SCREEN = 20  # at least this many articles are summarised before the rest
SAVE_DELAY = 0.5  # seconds of stillness before the reading position is written


class ReaderApp(NotesApp):
    """The reader. Collaborators come in; nothing is read or written before mounting."""

    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar"),
        Binding("slash", "search", "Search"),
        Binding("n", "next_match(1)", "Next match", show=False),
        Binding("N", "next_match(-1)", "Previous match", show=False),
        Binding("escape", "close_search", "Close search", show=False),
    ]

    def __init__(
        self,
        library: Path,
        store: Store,
        *,
        open_id: str | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.store = store
        self.open_id = open_id
        self.cache_dir = cache_dir
        self.article: Article | None = None
        self.article_id: str | None = None
        self._search_mode: str | None = None  # "filter" (sidebar) or "find" (pane)
        self._matches: list[tuple[int, int]] = []
        self._match = 0
        self._percent = 0
        self._cursor = 0  # the pane's cursor, as its last CursorMoved said
        self._query = ""  # what the search box holds
        self._last_saved_id: str | None = None  # the last article opened, as the store has it
        self._save_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        # What the first frame needs, and no more: the footer comes right after it, into a
        # line kept for it (else its coming would move, and redraw, every widget); the search
        # box and the progress bar come when first used (each costs start-up).
        yield Container(id="footer-line")
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                yield ArticleList(id="articles")
            with Vertical(id="reading"):
                yield ArticleView(id="pane")
                yield Static(id="status", markup=False)

    def on_mount(self) -> None:
        try:
            theme = self.store.setting("theme", None)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            theme = None
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        narrow = self.size.width < NARROW
        if narrow:
            self.query_one("#sidebar").display = False
        self.query_one("#pane" if self.open_id or narrow else "#articles").focus()
        self.call_after_refresh(self.query_one("#footer-line").mount, Footer())
        # An article cleaned before is in the first frame, which is drawn before the library
        # is read; otherwise the library is read (and the article opened) while it is drawn.
        first = self.open_id or self._last_opened_quietly()
        if first is not None and self._inside_library(first) and self._show_cached(first):
            self.call_after_refresh(self.load_library)
            return
        self.load_library()

    def _show_cached(self, article_id: str) -> bool:
        """Show an article at once if its cleaned text is cached (a cheap read, fit for the
        screen's thread: the text makes the next frame); False if it must be read first."""
        article = articles_cache.cached_article(self.library / article_id, self.cache_dir)
        if article is not None:
            self._show(article_id, article, self._position_quietly(article_id))
        return article is not None

    # -- the library ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="library")
    def load_library(self) -> None:
        """Index the library (cached summaries make a second start quick).

        The article asked for on the command line, or else the last one read, is opened
        first: its text is on screen before the rest of the library is read.
        """
        first = self.open_id or self._last_opened_quietly()
        if first is not None and first != self.article_id and self._inside_library(first):
            self._open(first)

        from reader.listing import list_library  # not for the first frame

        def progress(done: int, total: int) -> None:
            self.call_from_thread(self._progress, done, total)

        try:
            # The first screenful first, so that titles show at once on a large library.
            # Two lines an item: as many items as the screen has lines fill it twice over.
            screenful = max(FIRST_SCREEN, self.size.height)
            head = list_library(self.library, self.cache_dir, first=screenful)
            if len(head) == screenful:
                self.call_from_thread(self._library_loaded, head, done=False)
                self._wait_for_frame()  # the rest would slow the drawing of the first titles
            summaries = list_library(self.library, self.cache_dir, progress=progress)
        except ArticleError as exc:
            self.call_from_thread(self.notify, exc.reason, severity="error")
            summaries = []
        self.call_from_thread(self._library_loaded, summaries)
        try:  # after the titles: counting reads every highlights file (0.4 s for 100,000)
            counts = self.store.highlight_counts()
        except StoreError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
        else:
            self.call_from_thread(self._counts_loaded, counts)
        if self.cache_dir is not None:  # what killed writes left there
            paths.sweep_cache(self.cache_dir)

    def _wait_for_frame(self) -> None:
        """Hold this worker until the screen has drawn what was sent to it (a second at most).

        A worker that keeps the interpreter busy halves the screen's speed: the GIL.
        """
        drawn = threading.Event()
        self.call_from_thread(self.call_after_refresh, drawn.set)
        drawn.wait(1.0)

    def _progress(self, done: int, total: int) -> None:
        """Show how much of the library is read, in a bar mounted when first needed."""
        from textual.widgets import ProgressBar

        bar = next(self.query("#progress").results(ProgressBar), None)
        if bar is None:
            bar = ProgressBar(id="progress", show_eta=False)
            self.query_one("#sidebar").mount(bar, before="#articles")
        bar.update(total=total, progress=done)

    def _library_loaded(self, summaries: list[Summary], *, done: bool = True) -> None:
        if done:
            for bar in self.query("#progress"):
                bar.remove()
        items = [ListItem.from_summary(summary, summary.lead) for summary in summaries]
        articles = self.query_one("#articles", ArticleList)
        articles.set_items(items)
        if any(w.group == "open" and not w.is_finished for w in self.workers):
            return  # an article chosen meanwhile is on its way: it is the one to show
        if self.article_id is not None:  # the one reopened, or chosen since: it stays
            articles.select_id(self.article_id)
            return
        wanted = self.open_id or self._last_opened()
        ids = {item.id for item in items if item.error is None}
        if wanted not in ids:
            if not done and wanted is not None:
                return  # the article to reopen may be further down the list
            # Nothing to reopen: the first article, at once (a library being read for the
            # first time can take seconds; the pane would stay empty all along).
            wanted = next((item.id for item in items if item.error is None), None)
        if wanted is not None:
            articles.select_id(wanted)
            if not self._show_cached(wanted):
                self.open_article(wanted)
        elif done:
            self._set_status("no articles here")

    def _counts_loaded(self, counts: dict[str, int]) -> None:
        """Show each article's number of highlights; the open article's, as kept here."""
        articles = self.query_one("#articles", ArticleList)
        articles.set_counts(counts)
        if self.notes is not None:
            articles.set_count(self.notes.article_id, len(self.notes))

    def _inside_library(self, article_id: str) -> bool:
        """Is `article_id` a file of this library (and not a path out of it)?"""
        path = (self.library / article_id).resolve()
        return path.is_file() and path.is_relative_to(self.library.resolve())

    def _position_quietly(self, article_id: str) -> int:
        try:
            return self.store.position(article_id) or 0
        except StoreError:
            return 0

    def _last_opened_quietly(self) -> str | None:
        """The last article opened, or None (a store error is told by `_last_opened`)."""
        try:
            self._last_saved_id = self.store.last_opened()
        except StoreError:
            return None
        return self._last_saved_id

    def _last_opened(self) -> str | None:
        try:
            return self.store.last_opened()
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return None

    @on(ArticleList.Selected)
    def _selected(self, event: ArticleList.Selected) -> None:
        if event.item.error is not None:
            self.notify(f"{event.item.id}: {event.item.error}", severity="warning")
            return
        self.open_article(event.item.id)
        self.query_one("#pane").focus()

    @work(thread=True, exclusive=True, group="open")
    def open_article(self, article_id: str) -> None:
        """Read and clean one article off the screen's thread, then show it."""
        self._open(article_id)

    def _open(self, article_id: str) -> None:
        """Read and clean one article (in a worker's thread), then show it."""
        try:
            article = articles_cache.open_article(self.library / article_id, self.cache_dir)
        except ArticleError as exc:
            self.call_from_thread(self.notify, f"{article_id}: {exc.reason}", severity="error")
            return
        try:
            position = self.store.position(article_id) or 0
        except StoreError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            position = 0
        loaded = self._read_highlights(article_id, article.body)
        self.call_from_thread(self._show, article_id, article, position, loaded)

    def _show(
        self,
        article_id: str,
        article: Article,
        position: int,
        loaded: Loaded | None = None,
    ) -> None:
        """Show an article; its highlights, if not given, are read next (off the screen)."""
        self._flush_position()
        self.article, self.article_id, self._cursor = article, article_id, position
        self._matches, self._match = [], 0
        self.query_one("#pane", ArticleView).set_article(article, cursor=position)
        self._start_notes(article_id, article, loaded)
        if article_id != self._last_saved_id:  # reopening at start writes nothing
            self._last_saved_id = article_id
            self._save(lambda: self.store.set_last_opened(article_id))

    # -- reading position and status --------------------------------------------------

    @on(ArticleView.CursorMoved)
    def _cursor_moved(self, event: ArticleView.CursorMoved) -> None:
        self._cursor = event.offset
        self._percent = round(event.percent)
        self._update_status()
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY, self._flush_position)

    def _flush_position(self) -> None:
        """Write the reading position of the open article (in a thread: never blocks)."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        article_id, offset = self.article_id, self._cursor
        if article_id is None:
            return
        self._save(lambda: self.store.set_position(article_id, offset))

    def _update_status(self) -> None:
        parts = [f"{self._percent}%"]
        if self._search_mode == "find" and self._query:
            if self._matches:
                parts.append(f"match {self._match + 1}/{len(self._matches)}")
            else:
                parts.append("no match")
        self._set_status("  ·  ".join(parts))

    def _set_status(self, text: str) -> None:
        # One line, as wide as the pane, whatever it says: no layout of the screen (each
        # cursor move would lay out every widget again).
        self.query_one("#status", Static).update(Content(text), layout=False)

    # -- search and filter ------------------------------------------------------------

    async def _search_box(self) -> Input:
        """The search box, mounted the first time it is wanted."""
        found = next(self.query("#search").results(Input), None)
        if found is None:
            found = Input(id="search", compact=True)
            await self.query_one("#reading").mount(found, before="#status")
        return found

    async def action_search(self) -> None:
        sidebar_focused = self.focused is self.query_one("#articles")
        self._search_mode = "filter" if sidebar_focused else "find"
        self._query = ""
        search = await self._search_box()
        search.placeholder = "filter the list" if sidebar_focused else "search the article"
        search.value = ""
        search.display = True
        search.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._query = event.value
        if self._search_mode == "filter":
            self.query_one("#articles", ArticleList).filter(event.value)
            return
        body = self.article.body if self.article else ""
        self._matches = layout.find_all(body, event.value) if event.value else []
        view = self.query_one("#pane", ArticleView)
        cursor = view.cursor
        self._match = next((i for i, (s, _) in enumerate(self._matches) if s >= cursor), 0)
        self._show_match()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        target = "#articles" if self._search_mode == "filter" else "#pane"
        self.query_one("#search", Input).display = False
        self.query_one(target).focus()

    def action_close_search(self) -> None:
        search = next(self.query("#search").results(Input), None)
        if search is None or not search.display:
            if self._reattach is not None:
                self._reattach = None
                self.notify("the orphan stays an orphan")
            return
        if self._search_mode == "filter":
            self.query_one("#articles", ArticleList).filter("")
        search.display = False
        self.query_one("#articles" if self._search_mode == "filter" else "#pane").focus()

    def action_next_match(self, step: int) -> None:
        if self._matches:
            self._match = (self._match + step) % len(self._matches)
            self._show_match()

    def _show_match(self) -> None:
        view = self.query_one("#pane", ArticleView)
        if self._matches:
            view.set_matches(self._matches, self._match)
            view.move_cursor(self._matches[self._match][0])
        else:
            view.set_matches([], None)
        self._update_status()

    # -- the rest ---------------------------------------------------------------------

    def action_help(self) -> None:
        from reader.screens.help import HelpScreen  # lazy: Rich's tables cost at start-up

        self.push_screen(HelpScreen())

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display
        if not sidebar.display:
            self.query_one("#pane").focus()

    def watch_theme(self, theme: str) -> None:
        if self.is_running:
            self._save(lambda: self.store.set_setting("theme", theme))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Show every key", self.action_help)
        yield SystemCommand("Toggle sidebar", "Hide or show the list", self.action_toggle_sidebar)
        yield SystemCommand("Search", "Search the article", self.action_search)
        yield SystemCommand("Light theme", "Switch to the light theme", self._light)
        yield SystemCommand("Dark theme", "Switch to the dark theme", self._dark)

    def _light(self) -> None:
        self.theme = "textual-light"

    def _dark(self) -> None:
        self.theme = "textual-dark"

    async def action_quit(self) -> None:
        self._flush_position()
        if await self._finish_writes():
            self.exit()


def make_app(
    library: Path,
    store: Store,
    *,
    open_file: Path | None = None,
    cache_dir: Path | None = None,
) -> ReaderApp:
    """The one factory of the app, for the command line and for tests."""
    open_id = None
    if open_file is not None:
        open_id = open_file.resolve().relative_to(library.resolve()).as_posix()
    return ReaderApp(library, store, open_id=open_id, cache_dir=cache_dir)
