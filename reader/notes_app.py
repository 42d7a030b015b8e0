"""The highlights half of the app: marking, notes, colours, undo, the notebook, ordered saves."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType

from reader.anchor import reanchor_all
from reader.models import Article, Highlight
from reader.notes import ArticleNotes, Change
from reader.store import Store, StoreError
from reader.widgets.article_list import ArticleList
from reader.widgets.article_view import ArticleView
from reader.widgets.notebook import Notebook

log = logging.getLogger(__name__)

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
    ]

    store: Store
    article: Article | None
    article_id: str | None

    def __init__(self) -> None:
        super().__init__()
        self.notes: ArticleNotes | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reader-save")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failed: list[Change] = []  # changes the store refused, tried again later
        self._reattach: str | None = None  # the orphan that the next `m` puts on the selection
        self._quit_unsaved = False  # q was pressed once with changes that could not be saved
        self._sidebar_hidden_for_notebook = False

    # -- saving -----------------------------------------------------------------------

    def _run_write(self, write: Callable[[], object], done: Callable[[str | None], None]) -> None:
        """Run `write` after every write queued before it; then `done(error)` on the screen."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        loop = self._loop

        def job() -> None:
            try:
                write()
                error = None
            except (StoreError, OSError) as exc:
                error = str(exc)
            try:
                loop.call_soon_threadsafe(done, error)
            except RuntimeError:  # the app has gone; the write itself is done
                log.debug("write finished after the app closed")

        self._writer.submit(job)

    def _save(self, write: Callable[[], None]) -> None:
        """Queue a write of a setting or position; a failure is told, not hidden."""

        def done(error: str | None) -> None:
            if error is not None:
                self.notify(f"not saved: {error}", severity="error")

        self._run_write(write, done)

    def _submit(self, change: Change) -> None:
        """Queue a highlight change; when on disk it stops being pending."""
        store = self.store

        def write() -> None:
            if change.put is not None:
                store.save_highlight(change.put)
            else:
                store.delete_highlight(change.article, change.id)

        self._run_write(write, lambda error: self._written(change, error))

    def _written(self, change: Change, error: str | None) -> None:
        if error is not None:
            if change not in self._failed:
                self._failed.append(change)
            self.notify(
                f"not saved: {error} (shown underlined until it is; it is tried again)",
                severity="error",
            )
        else:
            if change in self._failed:
                self._failed.remove(change)
            if self.notes is not None and self.notes.article_id == change.article:
                self.notes.saved(change)
            retry, self._failed = self._failed, []
            for failed in retry:
                if self._still_wanted(failed):
                    self._submit(failed)
        self._paint_notes()

    def _still_wanted(self, change: Change) -> bool:
        """Is `change` still the latest word on its highlight (nothing newer was queued)?"""
        notes = self.notes
        if notes is None or notes.article_id != change.article:
            return True
        return change.id in notes.pending and notes.get(change.id) is change.put

    async def drain_writes(self) -> None:
        """Wait until every queued write is done (on disk, or failed and reported)."""
        await asyncio.wrap_future(self._writer.submit(lambda: None))
        await asyncio.sleep(0)  # let the `done` callbacks queued by the writer run

    # -- loading ----------------------------------------------------------------------

    def _start_notes(self, article_id: str, article: Article) -> None:
        """A new article is shown: its highlights come from the store, off the screen."""
        self.notes = ArticleNotes(article_id, article.body, [])
        self._reattach = None
        self._paint_notes()
        self.load_highlights(article_id, article.body)

    @work(thread=True, exclusive=True, group="highlights")
    def load_highlights(self, article_id: str, body: str) -> None:
        """Read the article's highlights and find each one again on this body."""
        try:
            stored = self.store.highlights(article_id)
        except StoreError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        placed = reanchor_all(stored, body)
        moved = [new for new, old in zip(placed, stored, strict=True) if new is not old]
        if moved:
            log.info("%s: %d highlights found again on a changed body", article_id, len(moved))
            try:
                self.store.save_highlights(moved)
            except StoreError as exc:
                self.call_from_thread(self.notify, str(exc), severity="error")
        self.call_from_thread(self._highlights_loaded, article_id, placed)

    def _highlights_loaded(self, article_id: str, highlights: list[Highlight]) -> None:
        if self.notes is None or self.notes.article_id != article_id:
            return  # another article was opened meanwhile
        self.notes.replace_all(highlights)
        self._paint_notes()
        orphans = len(self.notes.orphans())
        if orphans:
            self.notify(
                f"{orphans} highlight(s) no longer found in the text: see the notebook (o)",
                severity="warning",
            )

    def _paint_notes(self) -> None:
        """Show the notes everywhere they appear: the pane, the notebook, the sidebar count."""
        notes = self.notes
        pane = self.query_one("#pane", ArticleView)
        if notes is None:
            pane.set_highlights([], frozenset())
            return
        pending = notes.pending
        pane.set_highlights(notes.placed(), pending)
        for notebook in self.query(Notebook):
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

        self.push_screen(NoteEditor(highlight.anchor.quote, highlight.note), done)

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
        found = self.query(Notebook)
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

    async def _finish_writes(self) -> bool:
        """Before quitting: wait for the writes; False if some could not be saved (told)."""
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
