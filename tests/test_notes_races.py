"""Regressions found in review: pending and undo bookkeeping, reloads racing the writer, retries."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from pilots import settle
from test_app import IDS, build, pane_of, running
from test_app_notes import open_in_pane, stored
from textual.pilot import Pilot

from reader.app import ReaderApp
from reader.models import Highlight


async def until(pilot: Pilot[None], condition: object, tries: int = 200) -> None:
    """Let the screen run until `condition()` holds (without waiting on the writer)."""
    for _ in range(tries):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never held")


def block_writer(app: ReaderApp) -> threading.Event:
    """Hold the save thread (as a slow disk or another copy's lock would) until set."""
    gate = threading.Event()
    app._writer.submit(gate.wait, 10)
    return gate


# -- pending / undo bookkeeping -----------------------------------------------------------


async def test_undo_of_a_delete_is_not_shown_saved_while_the_delete_is_on_disk(
    library: Path, tmp_path: Path
) -> None:
    """m, x, u: the first write (the creation) lands, then the deletion; the highlight is
    gone from the disk but is drawn as saved, because `pending` compares versions by identity
    and undo gives back the very object of the first write."""
    app = build(library, tmp_path)
    async with running(app) as pilot:
        await open_in_pane(pilot, app)
        real_save = app.store.save_highlight
        calls: list[int] = []
        second_save = threading.Event()
        release = threading.Event()

        def save(highlight: Highlight, base: Highlight | None = None) -> None:
            calls.append(1)
            if len(calls) == 2:  # the undo's write: held back
                second_save.set()
                release.wait(10)
            real_save(highlight, base)

        app.store.save_highlight = save  # type: ignore[method-assign]
        gate = block_writer(app)
        try:
            await pilot.press("m", "x", "u")
            notes = app.notes
            assert notes is not None
            (made,) = notes.all()
            gate.set()
            await until(pilot, second_save.is_set)
            await pilot.pause(0.05)  # the creation's and the deletion's callbacks run
            on_disk = stored(tmp_path)  # the deletion is on disk, the undo is not yet
            shown_pending = made.id in notes.pending
        finally:
            gate.set()
            release.set()
        await settle(pilot)
        assert on_disk == []
        assert shown_pending, "drawn as saved, but the disk had no such highlight"


# -- loading races ------------------------------------------------------------------------


async def first_start(library: Path, tmp_path: Path) -> None:
    """Run the app once: the article is cleaned into the cache and kept as the last read."""
    app = build(library, tmp_path)
    async with running(app):
        pass


def slow_reads(app: ReaderApp) -> tuple[threading.Event, threading.Event]:
    """Make the store's read of highlights slow (a big or locked file): it takes its snapshot,
    says so on the first event, then waits for the second."""
    real_read = app.store.highlights
    reading, release = threading.Event(), threading.Event()

    def slow_read(article_id: str) -> list[Highlight]:
        found = real_read(article_id)
        reading.set()
        release.wait(10)
        return found

    app.store.highlights = slow_read  # type: ignore[method-assign]
    return reading, release


async def test_a_highlight_made_while_the_highlights_load_does_not_vanish(
    library: Path, tmp_path: Path
) -> None:
    """Second start: the article is drawn from the cache and its highlights are read on a
    thread. A highlight made and saved meanwhile is dropped by `ArticleNotes.replace_all`
    (it keeps only ids still pending), though it is on disk."""
    await first_start(library, tmp_path)
    app = build(library, tmp_path)
    reading, release = slow_reads(app)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, reading.is_set)
            pane = pane_of(app)
            pane.focus()
            await pilot.press("m")
            notes = app.notes
            assert notes is not None
            await until(pilot, lambda: len(notes) == 1 and not notes.pending)
            (made,) = notes.all()
            release.set()
            await settle(pilot)
            assert [h.id for h in stored(tmp_path)] == [made.id]  # it is on disk
            assert app.notes is notes
            assert [h.id for h in notes.all()] == [made.id], "the saved highlight vanished"
            assert [h.id for h in pane.highlights] == [made.id]
            await app.action_quit()
    finally:
        release.set()


async def test_undo_after_the_highlights_load_does_not_crash(library: Path, tmp_path: Path) -> None:
    """Same race, then `u`: the undo of the creation deletes an id that `replace_all`
    removed, and `ArticleNotes._apply` raises KeyError (the app dies with a traceback)."""
    await first_start(library, tmp_path)
    app = build(library, tmp_path)
    reading, release = slow_reads(app)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, reading.is_set)
            pane_of(app).focus()
            await pilot.press("m")
            notes = app.notes
            assert notes is not None
            await until(pilot, lambda: len(notes) == 1 and not notes.pending)
            release.set()
            await settle(pilot)
            await pilot.press("u")  # undo the creation
            await settle(pilot)
            assert stored(tmp_path) == []
            await app.action_quit()
    finally:
        release.set()


async def test_reopening_an_article_keeps_a_highlight_still_being_saved(
    library: Path, tmp_path: Path
) -> None:
    """m, then the article is opened again (or left and reopened) while the write waits
    (a slow disk, or the other copy holding the lock): the store is read before the write
    lands, the new `ArticleNotes` forgets what was pending, and the highlight disappears
    from the pane although it reaches the disk a moment later."""
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        gate = block_writer(app)
        try:
            await pilot.press("m")
            old = app.notes
            assert old is not None
            (made,) = old.all()
            app.open_article(IDS[0])  # enter on it in the sidebar does the same
            await until(pilot, lambda: app.notes is not old)
            await pilot.pause(0.1)
            gate.set()
            await settle(pilot)
        finally:
            gate.set()
        assert [h.id for h in stored(tmp_path)] == [made.id]  # on disk
        assert app.notes is not None
        assert [h.id for h in app.notes.all()] == [made.id], "not shown any more"
        assert [h.id for h in pane.highlights] == [made.id]


async def test_a_note_saved_just_before_a_reopen_is_not_lost_by_the_next_edit(
    library: Path, tmp_path: Path
) -> None:
    """The same race loses data: a note is written (ctrl+s) while the save waits, the
    article is reopened and shows the highlight without the note; the note then reaches the
    disk, but the next colour key saves the stale version over it."""
    app = build(library, tmp_path)
    async with running(app) as pilot:
        await open_in_pane(pilot, app)
        await pilot.press("m")
        await settle(pilot)
        gate = block_writer(app)
        try:
            await pilot.press("a", *"important #guerre", "ctrl+s")
            old = app.notes
            app.open_article(IDS[0])
            await until(pilot, lambda: app.notes is not old)
            await pilot.pause(0.1)
            gate.set()
            await settle(pilot)
        finally:
            gate.set()
        (on_disk,) = stored(tmp_path)
        assert on_disk.note == "important #guerre"
        await pilot.press("3")  # the cursor is still on the highlight
        await settle(pilot)
        (after,) = stored(tmp_path)
        assert after.color == "blue"
        assert after.note == "important #guerre", "the note was overwritten"


# -- failed writes ------------------------------------------------------------------------


async def test_a_failed_save_is_tried_again_before_quitting(library: Path, tmp_path: Path) -> None:
    """The store refuses one write (its lock was busy), then works again. The message says
    "it is tried again", but a retry only happens when another highlight write succeeds;
    `q` does not retry either: it says the change could not be saved and a second `q`
    quits without it."""
    from reader.store import StoreError

    app = build(library, tmp_path)
    async with running(app) as pilot:
        await open_in_pane(pilot, app)
        real_save = app.store.save_highlight
        calls: list[int] = []

        def flaky_save(highlight: Highlight, base: Highlight | None = None) -> None:
            calls.append(1)
            if len(calls) == 1:
                raise StoreError("the notes database is busy; try again")
            real_save(highlight, base)

        app.store.save_highlight = flaky_save  # type: ignore[method-assign]
        await pilot.press("m")
        await settle(pilot)
        assert app.notes is not None and len(app.notes.pending) == 1  # underlined: not saved
        await pilot.pause(1.0)
        await app.action_quit()  # q
        await settle(pilot)
        assert len(stored(tmp_path)) == 1, "never tried again, though the store works again"


# -- offsets ------------------------------------------------------------------------------


async def test_m_highlights_a_selection_that_ends_on_a_one_letter_word(
    library: Path, tmp_path: Path
) -> None:
    """The selection painted is "... a" (a one-letter word); the highlight drops the "a":
    `layout.mark_span` takes any lone letter after a space for the first letter of the next
    word that a `w` jump landed on."""
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        found = re.search(r"(?<=\s)(\w{2,}) ([ay])(?=\s)", pane.body)
        assert found is not None
        pane.move_cursor(found.start())
        await pilot.press("v", *["shift+right"] * (found.end() - found.start() - 1))
        selection = pane.selection
        assert selection is not None
        assert pane.body[selection[0] : selection[1]] == found.group(0)  # what is painted
        await pilot.press("m")
        await settle(pilot)
        (saved,) = stored(tmp_path)
        assert saved.anchor.quote == found.group(0)


# -- untrusted text, empty library (guards) ------------------------------------------------


MARKUP = "[@click=app.quit]Cliquez ici[/] et [b]pas en gras[/b]"


async def test_markup_in_the_article_stays_text_in_the_editor_and_the_notebook(
    library: Path, tmp_path: Path
) -> None:
    from textual.widgets import OptionList, Static, TextArea

    from reader.screens.note_editor import NoteEditor
    from reader.widgets.notebook import Notebook

    paragraphs = (
        "Des combattants russes ont choisi de déserter et de se battre aux côtés des troupes "
        f"ukrainiennes. Le texte dit {MARKUP} sans que rien ne se passe dans le terminal.",
        "Une façon de combattre Vladimir Poutine, considéré comme un despote. Ils confient être "
        "prêts à mourir pour la liberté de leur pays et de celui de leurs voisins.",
    )
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    page = f"<html><head><title>T</title></head><body><article>{body}</article></body></html>"
    (library / "markup.html").write_text(page, encoding="utf-8")
    app = build(library, tmp_path, open_file=library / "markup.html")
    async with running(app) as pilot:
        pane = pane_of(app)
        pane.focus()
        at = pane.body.index(MARKUP)
        pane.move_cursor(at)
        await pilot.press("v", *["shift+right"] * (len(MARKUP) - 1), "a")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        quote = editor.query_one(".quote", Static)
        assert MARKUP in str(quote.render())
        editor.query_one(TextArea).insert("[red]rouge[/red] #tag")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running
        (saved,) = stored(tmp_path, "markup.html")
        assert saved.anchor.quote == MARKUP and saved.note == "[red]rouge[/red] #tag"
        await pilot.press("o")
        await settle(pilot)
        options = app.query_one(Notebook).query_one(OptionList)
        prompt = options.get_option_at_index(0).prompt
        assert MARKUP in str(prompt) and "[red]rouge[/red]" in str(prompt)
        await pilot.press("enter")  # choosing it runs no action from the text
        await settle(pilot)
        assert app.is_running


async def test_highlight_keys_do_nothing_harmful_without_an_article(tmp_path: Path) -> None:
    """A library with no readable article: the pane is empty and every key is harmless."""
    library = tmp_path / "empty"
    library.mkdir()
    (library / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane_of(app).focus()
        await pilot.press(
            "v",
            "shift+right",
            "m",
            "a",
            "x",
            "1",
            "5",
            "right_square_bracket",
            "left_square_bracket",
            "u",
            "escape",
            "G",
            "o",
        )
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert stored(tmp_path, "bad.txt") == []
