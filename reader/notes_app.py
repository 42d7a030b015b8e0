"""The highlights half of the app: marking, notes, colours, undo, the notebook, ordered saves."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.timer import Timer

from reader.anchor import reanchor_all
from reader.models import Article, Highlight
from reader.notes import ArticleNotes, Change
from reader.store import Store, StoreError
from reader.widgets.article_list import ArticleList
from reader.widgets.article_view import ArticleView
from reader.widgets.notebook import Notebook

if TYPE_CHECKING:
    from reader.markdown import Entry

log = logging.getLogger(__name__)


class Loaded(NamedTuple):
    """An article's highlights as read from the store (found again on the body shown)."""

    highlights: list[Highlight]
    written: int  # how many of the changes made here the store had then
    in_order: bool  # in reading order, as the store gave them (none moved)


KEEP_ARTICLES = 32  # articles whose notes (unsaved changes, undo) are kept while reading others
RETRY_SECONDS = 5.0  # between tries of a write that failed (a full disk, a busy lock)
POSTING = 0.5  # seconds a notification may take to be shown once posted

WIDE = 150  # columns from which the sidebar, the text and the notebook fit side by side


class NotesApp(App[None]):
    """Highlights and notes of the open article; every write goes through one ordered queue.

    A change is painted at once as *pending* (coloured text, no background) and only looks
    saved when the store says it is on disk. Writes run one after the other on a thread of
    their own, so the screen never waits and a later change never lands before an earlier one.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "toggle_notebook", "Notebook"),
        Binding("u", "undo", "Undo", show=False),
        Binding("e", "export", "Export"),
    ]

    store: Store
    article: Article | None
    article_id: str | None

    def __init__(self) -> None:
        super().__init__()
        self.notes: ArticleNotes | None = None
        # The notes of the articles opened in this run, so that coming back to one keeps its
        # unsaved changes and its undo history.
        self._by_article: OrderedDict[str, ArticleNotes] = OrderedDict()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reader-save")
        self._failed: list[Change] = []  # changes the store refused, tried again later
        self._retry: Timer | None = None
        self._reattach: str | None = None  # the orphan that the next `m` puts on the selection
        self._quit_unsaved = False  # q was pressed once with changes that could not be saved
        self._sidebar_hidden_for_notebook = False
        self._last_error: str | None = None  # the last failure of a setting or position write
        self._posted: dict[tuple[str, str, str], float] = {}  # notifications just posted

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification, as plain text: messages quote file names and article text. One
        already on screen (or on its way there) is not shown again: a damaged file is met by
        each reader of it, the opening and the count of highlights."""
        key = (message, title, severity)
        now = time.monotonic()
        live = getattr(self, "_notifications", ())  # Textual's, as shown (dismissed: gone)
        if self._posted.get(key, now) > now or any(
            (n.message, n.title, n.severity) == key for n in live
        ):
            return
        self._posted = {k: until for k, until in self._posted.items() if until > now}
        self._posted[key] = now + POSTING  # until Textual has it among those shown
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # -- saving -----------------------------------------------------------------------

    def _run_write(self, write: Callable[[], object], done: Callable[[str | None], None]) -> None:
        """Run `write` after every write queued before it; then `done(error)` on the screen."""
        loop = asyncio.get_running_loop()  # the screen's: every caller runs on it

        def job() -> None:
            try:
                write()
                error = None
            except (StoreError, OSError) as exc:
                error = str(exc)
            except Exception as exc:  # a bug: still reported, and the change stays unsaved
                log.exception("a write failed")
                error = f"{type(exc).__name__}: {exc}"
            try:
                loop.call_soon_threadsafe(done, error)
            except RuntimeError:  # the app has gone; the write itself is done
                log.debug("write finished after the app closed")

        try:
            self._writer.submit(job)
        except RuntimeError:  # after quitting: the reader saw nothing of it as saved
            log.warning("a write asked for after quitting was not made")

    def _save(self, write: Callable[[], object]) -> None:
        """Queue a write of a setting or position; a failure is told, not hidden."""

        def done(error: str | None) -> None:
            # One message per kind of failure: with a damaged database every cursor move
            # would say the same again.
            if error is not None and error != self._last_error:
                self.notify(f"not saved: {error}", severity="error")
            self._last_error = error

        self._run_write(write, done)

    def _submit(self, change: Change) -> None:
        """Queue a highlight change; when on disk it stops being pending."""
        store = self.store

        def write() -> None:
            if change.put is not None:  # only what was edited here, if another copy saved
                store.save_highlight(change.put, change.base)
            else:
                store.delete_highlight(change.article, change.id)

        self._run_write(write, lambda error: self._written(change, error))

    def _written(self, change: Change, error: str | None) -> None:
        notes = self._by_article.get(change.article)
        if notes is not None:
            notes.answered_for(change, saved=error is None)
        if error is not None:
            if change not in self._failed:
                self._failed.append(change)
            if self._retry is None:
                self._retry = self.set_timer(RETRY_SECONDS, self._retry_failed)
            self.notify(
                f"not saved: {error} (shown underlined; tried again in {RETRY_SECONDS:g} s)",
                severity="error",
            )
            return
        if change in self._failed:
            self._failed.remove(change)
        if self.is_running and self.screen.is_attached:
            self._paint_notes()

    def _retry_failed(self) -> int:
        """Queue again the changes the store refused that nothing newer replaced; how many."""
        self._retry = None
        retry, self._failed = self._failed, []
        wanted = [change for change in retry if self._still_wanted(change)]
        for change in wanted:
            self._submit(change)
        return len(wanted)

    def _still_wanted(self, change: Change) -> bool:
        """Is `change` still the latest word on its highlight (nothing newer was queued)?"""
        notes = self._by_article.get(change.article)
        return notes is None or notes.is_latest(change)

    async def drain_writes(self) -> None:
        """Wait until every queued write is done (on disk, or failed and reported)."""
        try:
            done = self._writer.submit(lambda: None)
        except RuntimeError:  # shut down on quitting: every write is done already
            return
        await asyncio.wrap_future(done)
        await asyncio.sleep(0)  # let the `done` callbacks queued by the writer run

    # -- loading ----------------------------------------------------------------------

    def _start_notes(self, article_id: str, article: Article, loaded: Loaded | None) -> None:
        """A new article is shown, with its highlights, or they come from the store next."""
        notes = ArticleNotes(article_id, article.body, [])
        earlier = self._by_article.pop(article_id, None)
        if earlier is not None and earlier.body == article.body:
            notes.carry(earlier)  # what was changed here stays until the store shows it
        self._by_article[article_id] = self.notes = notes
        while len(self._by_article) > KEEP_ARTICLES:
            self._by_article.popitem(last=False)
        self._reattach = None
        if loaded is None:  # after the frame: the reading thread would slow its drawing
            self.call_after_refresh(self.load_highlights, article_id, article.body)
            self._paint_notes()  # none yet
        else:
            self._highlights_loaded(article_id, loaded)

    def _read_highlights(self, article_id: str, body: str) -> Loaded | None:
        """(In a worker's thread.) The article's highlights found again on `body`, and how
        many changes made here the store had then. None if it cannot be read (told)."""
        notes = self._by_article.get(article_id)
        written = notes.answered if notes is not None else 0  # the store has those (or newer)
        try:
            stored = self.store.highlights(article_id)
        except StoreError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return None
        placed = reanchor_all(stored, body)
        moved = {}  # the list compares each pair by identity first: quick when none moved
        if placed != stored:
            moved = {new.id: old for new, old in zip(placed, stored, strict=True) if new is not old}
        if moved:
            log.info("%s: %d highlights found again on a changed body", article_id, len(moved))
            store = self.store
            again = [h for h in placed if h.id in moved]
            # Only their anchors: a note another writer saves meanwhile stays.
            self.call_from_thread(self._save, lambda: store.save_highlights(again, moved))
        return Loaded(placed, written, in_order=not moved)

    @work(thread=True, exclusive=True, group="highlights")
    def load_highlights(self, article_id: str, body: str) -> None:
        """Read the article's highlights (off the screen's thread)."""
        loaded = self._read_highlights(article_id, body)
        if loaded is not None:
            self.call_from_thread(self._highlights_loaded, article_id, loaded)

    def _highlights_loaded(self, article_id: str, loaded: Loaded) -> None:
        notes = self._by_article.get(article_id)
        if notes is None:
            return
        notes.replace_all(loaded.highlights, loaded.written, in_order=loaded.in_order)
        if notes is not self.notes:
            return  # another article is shown: these are kept for when it comes back
        orphans = len(notes.orphans())
        if orphans:
            self.notify(
                f"{orphans} highlight(s) no longer found in the text: see the notebook (o)",
                severity="warning",
            )
        self._paint_notes()

    def _paint_notes(self) -> None:
        """Show the notes everywhere they appear: the pane, the notebook, the sidebar count."""
        notes = self.notes
        pane = self.query_one("#pane", ArticleView)
        if notes is None:
            pane.set_highlights([], frozenset())
            return
        pending = notes.pending
        pane.set_highlights(notes.placed(), pending)
        for notebook in self.query_one("#main").query_children(Notebook):
            notebook.show(notes.all(), pending)
        self.query_one("#articles", ArticleList).set_count(notes.article_id, len(notes))

    # -- the keys ---------------------------------------------------------------------

    @on(ArticleView.MarkRequested)
    def _mark(self, event: ArticleView.MarkRequested) -> None:
        notes = self.notes
        if notes is None:
            return
        if self._reattach is not None and notes.get(self._reattach) is not None:
            change = notes.reattach(self._reattach, event.start, event.end)
            self._reattach = None
            self.notify("the orphan is attached to the new passage")
        else:
            same = next(
                (h for h in notes.placed() if (h.start, h.end) == (event.start, event.end)), None
            )
            if same is not None:
                if event.annotate:
                    self._edit_note(same.id)
                else:
                    self.notify("already highlighted")
                return
            change = notes.add(event.start, event.end)
        self._submit(change)
        self._paint_notes()
        if event.annotate:
            self._edit_note(change.id)

    @on(ArticleView.HighlightAction)
    def _highlight_action(self, event: ArticleView.HighlightAction) -> None:
        notes = self.notes
        if notes is None or notes.get(event.highlight_id) is None:
            return
        if event.action == "note":
            self._edit_note(event.highlight_id)
            return
        if event.action == "delete":
            change = notes.delete(event.highlight_id)
            self.notify("highlight deleted (u undoes)")
        else:
            change = notes.edit(event.highlight_id, color=event.colour)
        self._submit(change)
        self._paint_notes()

    def _edit_note(self, highlight_id: str) -> None:
        from reader.screens.note_editor import NoteEditor

        notes = self.notes
        highlight = notes.get(highlight_id) if notes is not None else None
        if highlight is None:
            return

        def done(text: str | None) -> None:
            current = notes.get(highlight_id) if notes is not None else None
            if text is None or current is None or notes is None or text == current.note:
                return
            self._submit(notes.edit(highlight_id, note=text))
            self._paint_notes()

        self.push_screen(NoteEditor(highlight.quote, highlight.note), done)

    def action_undo(self) -> None:
        """Revert the last highlight change (creation, edit or deletion)."""
        change = self.notes.undo() if self.notes is not None else None
        if change is None:
            self.notify("nothing to undo")
            return
        self._submit(change)
        self._paint_notes()
        if change.put is not None and change.put.status != "orphan":
            self.query_one("#pane", ArticleView).move_cursor(change.put.start)

    async def action_toggle_notebook(self) -> None:
        """Show or hide the notebook panel beside the reading pane."""
        found = self.query_one("#main").query_children(Notebook)
        sidebar = self.query_one("#sidebar")
        if found:
            await found.remove()
            if self._sidebar_hidden_for_notebook:
                sidebar.display = True
            self.query_one("#pane").focus()
            return
        notebook = Notebook(id="notebook")
        # The text keeps a readable measure: on a narrow screen the notebook takes the
        # sidebar's place while it is open.
        self._sidebar_hidden_for_notebook = bool(sidebar.display) and self.size.width < WIDE
        if self._sidebar_hidden_for_notebook:
            sidebar.display = False
        await self.query_one("#main").mount(notebook)
        if self.notes is not None:
            notebook.show(self.notes.all(), self.notes.pending)
            cursor = self.query_one("#pane", ArticleView).cursor
            here = next((h for h in self.notes.placed() if h.end > cursor), None)
            notebook.point_at(here.id if here is not None else None)
        notebook.query_one("#notebook-list").focus()

    @on(Notebook.Chosen)
    def _chosen(self, event: Notebook.Chosen) -> None:
        highlight = self.notes.get(event.highlight_id) if self.notes is not None else None
        if highlight is None:
            return
        pane = self.query_one("#pane", ArticleView)
        pane.focus()
        if highlight.status == "orphan":
            self._reattach = highlight.id
            self.notify("select the passage where this note belongs (v, move), then press m")
        else:
            pane.move_cursor(highlight.start)

    def action_export(self) -> None:
        """Ask where, then write the open article's notes there as Markdown."""
        from reader.export import default_export_folder
        from reader.markdown import Entry, title_of  # not needed before the first export
        from reader.screens.export_dialog import ExportDialog

        notes, article = self.notes, self.article
        if notes is None or article is None:
            self.notify("open an article first")
            return
        if not len(notes):
            self.notify("no highlights to export yet: v to select, m to mark")
            return
        entry = Entry(notes.article_id, article, notes.all())
        default = str(default_export_folder(self.store))

        def chosen(where: str | None) -> None:
            if where:
                self._export(entry, Path(where).expanduser())

        self.push_screen(ExportDialog(default, title_of(entry)), chosen)

    @work(thread=True, group="export")
    def _export(self, entry: Entry, out: Path) -> None:
        """Write the notes (off the screen's thread) and say where they went."""
        from reader.export import (
            EXPORT_SETTING,
            ExportError,
            is_file_target,
            write_file,
            write_folder,
        )
        from reader.markdown import render

        rendered = render(entry)
        try:
            single = is_file_target(out)
            done = write_file(out, [rendered]) if single else write_folder(out, [rendered])
        except ExportError as exc:
            self.call_from_thread(self.notify, f"not exported: {exc}", severity="error")
            return
        (path,) = done.written or done.unchanged
        state = "written" if done.written else "already up to date"
        self.call_from_thread(self.notify, f"{len(entry.highlights)} highlight(s): {path} {state}")
        remember = str(out.resolve())
        self.call_from_thread(self._save, lambda: self.store.set_setting(EXPORT_SETTING, remember))

    async def _finish_writes(self) -> bool:
        """Before quitting: write what is queued, try the refused again; False if some
        still cannot be saved (the reader is told, and a second q quits without them)."""
        await self.drain_writes()
        if self._failed and self._retry_failed():
            await self.drain_writes()
        if self._failed and not self._quit_unsaved:
            self._quit_unsaved = True
            self.notify(
                f"{len(self._failed)} change(s) could not be saved; press q again to quit "
                "without them",
                severity="error",
            )
            return False
        self._writer.shutdown(wait=False)
        return True
