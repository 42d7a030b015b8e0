"""Pilot tests of highlights and notes in the app: every key, the mouse, the notebook, orphans."""

from __future__ import annotations

from pathlib import Path

from pilots import settle
from test_app import IDS, build, messages, pane_of, running
from textual.widgets import OptionList, TextArea

from reader import layout
from reader.app import ReaderApp
from reader.highlights import new_highlight
from reader.library import load_article
from reader.models import Highlight
from reader.notes_app import POSTING
from reader.screens.note_editor import NoteEditor
from reader.store import Store
from reader.widgets.article_list import ArticleList
from reader.widgets.article_view import ArticleView
from reader.widgets.notebook import Notebook


def stored(tmp_path: Path, article_id: str = IDS[0]) -> list[Highlight]:
    """What the store file holds now, read by a store of its own (as another process would)."""
    return Store(tmp_path / "notes.json").highlights(article_id)


async def open_in_pane(pilot: object, app: ReaderApp) -> ArticleView:
    pane = pane_of(app)
    pane.focus()
    await settle(pilot)  # type: ignore[arg-type]
    return pane


def painted_background(pane: ArticleView, offset: int) -> object:
    """The background colour the pane paints at body offset `offset` (it must be on screen)."""
    row_index = layout.row_of(pane.rows, offset)
    y = pane.header_height + row_index - int(pane.scroll_y)
    row = pane.rows[row_index]
    column = pane._margin + row.indent + layout.column_of(pane.body, row, offset)
    cells = 0
    for segment in pane.render_line(y):
        if cells + len(segment.text) > column:
            return segment.style.bgcolor if segment.style else None
        cells += len(segment.text)
    raise AssertionError("offset not on screen")


# -- selection and marking ----------------------------------------------------------------


async def test_v_and_three_words_then_m_highlights_those_words(
    library: Path, tmp_path: Path
) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        start = pane.cursor
        await pilot.press("v", "w", "w", "w")
        assert pane.selection is not None and pane.selection[0] == start
        await pilot.press("m")
        await settle(pilot)
        assert pane.selection is None  # marking ends the selection
        (saved,) = stored(tmp_path)
        words = pane.body[start:].split()[:3]
        assert saved.anchor.quote == " ".join(words)
        assert pane.body[saved.start : saved.end] == saved.anchor.quote
        assert app.notes is not None and not app.notes.pending
        assert painted_background(pane, saved.start) is not None


async def test_m_without_a_selection_marks_the_sentence(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        await pilot.press("right_parenthesis", "w", "m")  # inside the second sentence
        await settle(pilot)
        (saved,) = stored(tmp_path)
        expected = layout.sentence_at(pane.body, pane.cursor)
        assert (saved.start, saved.end) == expected
        assert saved.anchor.quote.endswith((".", "!", "?", "»", '"'))


async def test_shift_arrows_extend_and_escape_drops(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        start = pane.cursor
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert pane.selection == (start, start + 4)
        await pilot.press("escape")
        assert pane.selection is None and pane.cursor == start + 3
        await pilot.press("v", "l", "l")
        assert pane.selection == (start + 3, start + 6)
        await pilot.press("v")  # v again drops it
        assert pane.selection is None


async def test_a_mouse_drag_selects_and_m_marks_it(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        y = pane.header_height  # the first body line
        left = pane._margin
        assert await pilot.mouse_down("#pane", offset=(left + 2, y))
        await pilot.hover("#pane", offset=(left + 20, y + 1))
        assert await pilot.mouse_up("#pane", offset=(left + 20, y + 1))
        selection = pane.selection
        assert selection is not None
        column = 2 - pane.styles.padding.left  # pilot offsets count the pane's padding
        assert selection[0] == layout.offset_at_column(pane.body, pane.rows[0], column)
        assert selection[1] > pane.rows[0].end  # it goes on to the second line
        await pilot.press("m")
        await settle(pilot)
        (saved,) = stored(tmp_path)
        assert saved.start == selection[0]


async def test_a_drag_past_the_bottom_edge_scrolls(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app, size=(100, 16)) as pilot:
        pane = await open_in_pane(pilot, app)
        assert pane.scroll_y == 0
        assert await pilot.mouse_down("#pane", offset=(pane._margin + 1, pane.header_height))
        below = (10, pane.size.height)  # the status line, under the pane
        await pilot.hover("#pane", offset=below)
        await pilot.pause(0.5)
        await pilot.mouse_up("#pane", offset=below)
        assert pane.scroll_y > 0
        assert pane.selection is not None
        assert layout.row_of(pane.rows, pane.cursor) >= pane.size.height - pane.header_height


# -- notes, colours, deletion, undo -------------------------------------------------------


async def test_a_opens_the_editor_and_ctrl_s_saves_note_and_tags(
    library: Path, tmp_path: Path
) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        await open_in_pane(pilot, app)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"Essentiel #guerre et #Kiev", "enter", *"deux lignes")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NoteEditor)
        (saved,) = stored(tmp_path)
        assert saved.note == "Essentiel #guerre et #Kiev\ndeux lignes"
        assert saved.tags == ("guerre", "Kiev")
        # `a` on the highlight edits its note; escape leaves it as it was.
        await pilot.press("a")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        assert editor.query_one(TextArea).text == saved.note
        await pilot.press(*" changé", "escape")
        await settle(pilot)
        (again,) = stored(tmp_path)
        assert again.note == saved.note and again.id == saved.id


async def test_keys_1_to_5_colour_x_deletes_u_undoes(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        await pilot.press("m")
        await settle(pilot)
        yellow = painted_background(pane, pane.cursor)
        await pilot.press("3")
        await settle(pilot)
        (saved,) = stored(tmp_path)
        assert saved.color == "blue"
        assert painted_background(pane, pane.cursor) != yellow
        await pilot.press("x")
        await settle(pilot)
        assert stored(tmp_path) == []
        assert pane.highlights == []
        await pilot.press("u")  # the deletion undone: the same highlight, blue
        await settle(pilot)
        (back,) = stored(tmp_path)
        assert (back.id, back.color) == (saved.id, "blue")
        await pilot.press("u")  # the colour change undone
        await settle(pilot)
        (first,) = stored(tmp_path)
        assert first.color == "yellow"
        await pilot.press("u", "u")  # the creation undone, then nothing left to undo
        await settle(pilot)
        assert stored(tmp_path) == []
        assert "nothing to undo" in messages(app)


async def test_brackets_jump_between_highlights(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        await pilot.press("m", "right_curly_bracket", "m", "right_curly_bracket", "m", "g")
        await settle(pilot)
        starts = [h.start for h in stored(tmp_path)]
        assert len(starts) == 3 and pane.cursor == 0 == starts[0]
        visited = []
        for _ in range(3):
            await pilot.press("right_square_bracket")
            visited.append(pane.cursor)
        assert visited == [starts[1], starts[2], starts[2]]  # no further one: it stays
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert pane.cursor == starts[0]


async def test_overlapping_highlights_both_stay_visible(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        start = pane.cursor
        await pilot.press("v", *"llllllllll", "m")  # [start, start+11)
        await pilot.press("g", *"lllll", "v", *"llllllllll", "m")  # [start+5, start+16)
        await settle(pilot)
        await pilot.press("g", "5")  # the first one (alone under the cursor) turns purple
        await settle(pilot)
        first, second = stored(tmp_path)
        assert (first.start, second.start) == (start, start + 5)
        only_first = painted_background(pane, start + 1)
        shared = painted_background(pane, start + 7)
        only_second = painted_background(pane, start + 14)
        assert only_first != only_second and shared is not None
        assert only_first is not None and only_second is not None
        # Keys act on the shortest highlight under the cursor; the shared part is underlined.
        assert [h.id for h in pane.highlights_at(start + 7)][0] in (first.id, second.id)


async def test_a_highlight_shows_pending_until_it_is_on_disk(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        await pilot.press("m")
        notes = app.notes
        assert notes is not None
        (made,) = notes.all()
        # Right after the key: painted as pending unless the write already landed.
        assert made.id in notes.pending or stored(tmp_path)[0].id == made.id
        await settle(pilot)
        assert not notes.pending
        assert [h.id for h in stored(tmp_path)] == [made.id]
        assert painted_background(pane, made.start) is not None


# -- the notebook, orphans, counts ----------------------------------------------------------


async def test_the_notebook_lists_highlights_and_moves_the_cursor(
    library: Path, tmp_path: Path
) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        await pilot.press("right_curly_bracket", "m", "g", "m")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        notebook = app.query_one(Notebook)
        options = notebook.query_one(OptionList)
        assert app.focused is options
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        first, second = stored(tmp_path)
        assert ids[:2] == [first.id, second.id]  # reading order
        await pilot.press("down", "enter")
        await settle(pilot)
        assert pane.cursor == second.start and app.focused is pane
        await pilot.press("o")
        await settle(pilot)
        assert not app.query(Notebook)


async def test_an_orphan_is_listed_and_reattached_with_m(library: Path, tmp_path: Path) -> None:
    body = "Un texte qui n'existe plus du tout dans cet article, vraiment pas."
    lost = new_highlight(IDS[0], body, 0, len(body), note="ma note #perdue")
    Store(tmp_path / "notes.json").save_highlight(lost)
    app = build(library, tmp_path)
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        assert any("no longer found" in m for m in messages(app))
        assert app.notes is not None and [h.id for h in app.notes.orphans()] == [lost.id]
        assert pane.highlights == []  # an orphan is not painted
        await pilot.press("o")
        await settle(pilot)
        options = app.query_one(Notebook).query_one(OptionList)
        index = options.get_option_index(lost.id)
        options.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        start = pane.cursor
        await pilot.press("v", "w", "w", "m")
        await settle(pilot)
        (back,) = stored(tmp_path)
        assert back.id == lost.id and back.note == "ma note #perdue"
        assert back.status == "ok" and back.start == start
        assert pane.body[back.start : back.end] == back.anchor.quote


async def test_the_sidebar_counts_highlights(library: Path, tmp_path: Path) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        await open_in_pane(pilot, app)
        await pilot.press("m", "right_curly_bracket", "m")
        await settle(pilot)
        articles = app.query_one("#articles", ArticleList)
        assert "2 ✎" in articles.render_line(1).text
    again = build(library, tmp_path)  # a new start reads the counts from the store
    async with running(again):
        articles = again.query_one("#articles", ArticleList)
        assert "2 ✎" in articles.render_line(1).text


async def test_a_second_copy_sees_the_highlights_on_reopening(
    library: Path, tmp_path: Path
) -> None:
    first, second = build(library, tmp_path), build(library, tmp_path)
    async with running(first) as pilot_one, running(second) as pilot_two:
        await open_in_pane(pilot_one, first)
        await pilot_one.press("m")
        await settle(pilot_one)
        await open_in_pane(pilot_two, second)
        second.open_article(IDS[0])  # reopen: read again from the store
        await settle(pilot_two)
        assert second.notes is not None and len(second.notes) == 1


async def test_e_exports_the_article_to_the_folder_asked_and_remembers_it(
    library: Path, tmp_path: Path
) -> None:
    from textual.widgets import Input

    from reader.screens.export_dialog import ExportDialog

    app = build(library, tmp_path)
    out = tmp_path / "mes notes"
    async with running(app) as pilot:
        pane = await open_in_pane(pilot, app)
        await pilot.press("a", *"Pourquoi #important", "ctrl+s")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        field = dialog.query_one(Input)
        field.value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        (written,) = out.glob("*.md")
        text = written.read_text("utf-8")
        (saved,) = stored(tmp_path)
        assert f"> {saved.anchor.quote.split()[0]}" in text and "Pourquoi #important" in text
        assert any(str(written) in m for m in messages(app))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.query_one(Input).value == str(out.resolve())  # remembered
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
        assert pane.article.title is None or pane.article.title in text


async def test_a_damaged_highlights_file_is_told_once_and_the_app_goes_on(
    library: Path, tmp_path: Path
) -> None:
    """A byte that is not UTF-8 in a text of the file (it killed the app's reading thread):
    one message naming the file, though the opening and the count both meet it."""
    body = load_article(library / IDS[0]).body
    Store(tmp_path / "notes.json").save_highlight(new_highlight(IDS[0], body, 0, 10))
    (shard,) = (tmp_path / "notes.json.highlights").glob("*.json")
    raw = shard.read_bytes()
    at = raw.index(b'"prefix":"') + len(b'"prefix":"')
    shard.write_bytes(raw[:at] + b"\xff" + raw[at:])
    app = build(library, tmp_path)
    async with running(app) as pilot:
        await settle(pilot)
        told = [m for m in messages(app) if str(shard) in m]
        assert len(told) == 1 and "damaged" in told[0]
        assert app.is_running and app.article_id == IDS[0]
        await pilot.press("j")  # the keys still work
        assert app.is_running
    assert shard.read_bytes()[at] == 0xFF  # left as it was


async def test_a_notification_is_shown_once_and_again_once_dismissed(
    library: Path, tmp_path: Path
) -> None:
    app = build(library, tmp_path)
    async with running(app) as pilot:
        app.notify("the same words")
        app.notify("the same words")  # posted before the first is shown
        await pilot.pause(POSTING + 0.1)
        app.notify("the same words")  # while it is shown
        await settle(pilot)
        assert messages(app).count("the same words") == 1
        app.clear_notifications()  # as clicking it away does
        await pilot.pause(POSTING + 0.1)
        app.notify("the same words")
        await settle(pilot)
        assert messages(app).count("the same words") == 1
