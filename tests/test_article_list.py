"""Pilot tests of the sidebar's virtual article list."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip

from reader.listing import Summary
from reader.widgets.article_list import ROW_HEIGHT, ArticleList, ListItem, fold

SIZE = (40, 20)  # 20 lines: 10 articles on screen


class CountingList(ArticleList):
    """Counts the lines it is asked to render, and keeps which."""

    rendered = 0
    lines: list[int] = []

    def render_line(self, y: int) -> Strip:
        CountingList.rendered += 1
        CountingList.lines.append(y)
        return super().render_line(y)


class ListApp(App[None]):
    def __init__(self, items: list[ListItem]) -> None:
        super().__init__()
        self.items = items
        self.selected: list[ListItem] = []

    def compose(self) -> ComposeResult:
        yield CountingList(self.items)

    def on_article_list_selected(self, message: ArticleList.Selected) -> None:
        self.selected.append(message.item)


def many(n: int) -> list[ListItem]:
    return [ListItem(f"{i:06}.txt", f"Article {i}", "2024-03-12", "Le Monde") for i in range(n)]


def screen_text(widget: ArticleList) -> list[str]:
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


def drawn_text(widget: ArticleList) -> list[str]:
    """The lines as the screen has them: rendered again only where they were refreshed."""
    strips = widget.render_lines(Region(0, 0, *widget.outer_size))
    return [strip.text.rstrip() for strip in strips]


SAMPLES = [
    ListItem("a.txt", "Les déserteurs de l'armée", "2024-03-12", "Le Monde", highlights=3),
    ListItem("b.txt", "DESERTEURS en fuite", "2023-09", "Libération"),
    ListItem("c.txt", None, "2022", "L'Humanité", fallback="Le premier jour du printemps"),
    ListItem("d.html", None),
    ListItem("e.bin", error="binary file: not an article"),
    ListItem("f.txt", "Économie : le cœur du problème", None, "Les Échos"),
]


@pytest.mark.asyncio
async def test_keys_move_the_cursor() -> None:
    app = ListApp(many(50))
    async with app.run_test(size=SIZE) as pilot:
        lst = app.query_one(ArticleList)
        assert lst.has_focus and lst.index == 0
        await pilot.press("down", "down", "j", "up")
        assert lst.index == 2 and lst.current == app.items[2]
        await pilot.press("end")
        assert lst.index == 49
        await pilot.press("down")
        assert lst.index == 49  # stays on the last
        assert lst.scroll_offset.y == 50 * ROW_HEIGHT - lst.size.height
        await pilot.press("home", "up")
        assert lst.index == 0 and lst.scroll_offset.y == 0
        await pilot.press("pagedown")
        assert lst.index == lst.size.height // ROW_HEIGHT
        await pilot.press("pagedown", "pageup", "k")
        assert lst.index == lst.size.height // ROW_HEIGHT - 1


@pytest.mark.asyncio
async def test_enter_and_click_post_selected() -> None:
    app = ListApp(many(20))
    async with app.run_test(size=SIZE) as pilot:
        lst = app.query_one(ArticleList)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.selected == [app.items[1]]
        await pilot.click(ArticleList, offset=(5, 3 * ROW_HEIGHT + 1))  # the 4th article
        await pilot.pause()
        assert lst.index == 3
        assert app.selected == [app.items[1], app.items[3]]
        await pilot.click(ArticleList, offset=(5, 0))
        await pilot.pause()
        assert app.selected[-1] == app.items[0]


@pytest.mark.asyncio
async def test_rows_show_title_fallbacks_meta_and_errors() -> None:
    app = ListApp(SAMPLES)
    async with app.run_test(size=SIZE):
        lines = screen_text(app.query_one(ArticleList))
    assert lines[0] == " Les déserteurs de l'armée"
    assert lines[1] == " 2024-03-12 · Le Monde · 3 ✎"
    assert lines[3] == " 2023-09 · Libération"  # no highlights: no count
    assert lines[4] == " Le premier jour du printemps"  # no title: the first words
    assert lines[6] == " d.html"  # nor first words: the file name
    assert lines[8:10] == [" e.bin", " binary file: not an article"]


@pytest.mark.asyncio
async def test_a_new_count_redraws_its_row_only_and_the_same_count_nothing() -> None:
    app = ListApp(many(50))
    async with app.run_test(size=SIZE) as pilot:
        lst = app.query_one(ArticleList)
        lst.scroll_to(y=4, animate=False, immediate=True)  # items 2 to 11 on screen
        await pilot.pause()
        CountingList.lines = []
        lst.set_count("000005.txt", 7)
        await pilot.pause()
        assert sorted(CountingList.lines) == [6, 7]  # its row: lines 10-11, less the 4 scrolled
        assert drawn_text(lst)[7] == " 2024-03-12 · Le Monde · 7 ✎"
        CountingList.lines = []
        lst.set_count("000005.txt", 7)  # as each opening and each save tells it
        lst.set_count("000006.txt", 0)  # (none before either)
        lst.set_count("nowhere.txt", 3)
        await pilot.pause()
        assert CountingList.lines == []
        lst.filter("article 4")  # 4 and 40-49: 5 filtered out
        await pilot.pause()
        CountingList.lines = []
        lst.set_count("000005.txt", 2)
        await pilot.pause()
        assert CountingList.lines == []
        lst.filter("")
        await pilot.pause()
        assert " 2024-03-12 · Le Monde · 2 ✎" in drawn_text(lst)


@pytest.mark.asyncio
async def test_a_long_title_is_cut_with_an_ellipsis() -> None:
    title = "Un très long titre " * 10
    app = ListApp([ListItem("a.txt", title), ListItem("b.txt", "宽字符" * 20)])
    async with app.run_test(size=SIZE):
        lst = app.query_one(ArticleList)
        width = lst.scrollable_content_region.width
        for y in (0, 2):
            strip = lst.render_line(y)
            assert strip.cell_length == width
            assert strip.text.rstrip().endswith("…")


@pytest.mark.asyncio
async def test_filter_narrows_any_case_any_accent() -> None:
    app = ListApp(SAMPLES)
    async with app.run_test(size=SIZE) as pilot:
        lst = app.query_one(ArticleList)
        assert lst.filter("deserteurs") == 2
        assert screen_text(lst)[0:5:2] == [" Les déserteurs de l'armée", " DESERTEURS en fuite", ""]
        assert lst.current is not None and lst.current.id == "a.txt"
        assert lst.filter("DÉSERT") == 2
        assert lst.filter("economie") == 1 and lst.current == SAMPLES[5]
        assert lst.filter("coeur") == 1  # the ligature œ folds to oe
        assert lst.filter("le monde") == 1  # the source
        assert lst.filter("e.bin") == 1  # the file name
        assert lst.filter("printemps") == 1  # the fallback title shown
        assert lst.filter("zzz") == 0 and lst.current is None and lst.count == 0
        await pilot.press("down", "enter")  # nothing to move to, nothing to open
        await pilot.pause()
        assert app.selected == []
        assert screen_text(lst)[0] == " no match"
        assert lst.filter("") == len(SAMPLES) and lst.total == len(SAMPLES)


@pytest.mark.asyncio
async def test_filter_and_set_items_keep_the_current_item() -> None:
    app = ListApp(SAMPLES)
    async with app.run_test(size=SIZE) as pilot:
        lst = app.query_one(ArticleList)
        await pilot.press("down")  # b.txt
        lst.filter("deserteurs")
        assert lst.current == SAMPLES[1] and lst.index == 1
        lst.filter("")
        assert lst.current == SAMPLES[1]
        updated = ListItem("b.txt", "DESERTEURS en fuite", highlights=1)
        lst.set_items([ListItem("new.txt", "Nouveau"), *SAMPLES[:1], updated])
        assert lst.current == updated and lst.index == 2
        lst.set_items([ListItem("z.txt", "Z")])
        assert lst.index == 0 and lst.current is not None and lst.current.id == "z.txt"
        assert lst.select_id("z.txt") and not lst.select_id("a.txt")
        lst.set_items([])
        assert lst.current is None and screen_text(lst)[0] == " no articles"


def test_fold() -> None:
    assert fold("Déserteurs ÉCONOMIE Œuvre straße") == "deserteurs economie oeuvre strasse"


def test_from_summary() -> None:
    item = ListItem.from_summary(Summary("x.txt", title=None, error="empty"), fallback="Hi")
    assert (item.id, item.label, item.error) == ("x.txt", "Hi", "empty")
    lead = ListItem.from_summary(Summary("y.txt", lead="Les premiers mots"))
    assert lead.label == "Les premiers mots"


@pytest.mark.asyncio
async def test_untrusted_text_is_shown_literally_and_a_click_does_nothing_else() -> None:
    hostile = [
        ListItem("a.txt", "[@click=app.quit]x[/]", source="[b]bold[/b]"),
        ListItem("b.txt", "Set \x1b]2;pwned\x07 title", error="[red]reason\x1b[2J[/]"),
    ]
    app = ListApp(hostile)
    async with app.run_test(size=SIZE) as pilot:
        lst = app.query_one(ArticleList)
        lines = screen_text(lst)
        assert lines[0] == " [@click=app.quit]x[/]"
        assert lines[1] == " [b]bold[/b]"
        assert "\x1b" not in "".join(lines) and "\x07" not in "".join(lines)
        assert "]2;pwned" in lines[2] and "[red]reason" in lines[3]
        await pilot.click(ArticleList, offset=(3, 0))
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app.selected == [hostile[0]]


@pytest.mark.asyncio
async def test_100k_items_render_only_the_visible_rows() -> None:
    items = many(100_000)
    app = ListApp(items)
    CountingList.rendered = 0
    async with app.run_test(size=SIZE) as pilot:
        lst = app.query_one(ArticleList)
        await pilot.pause()
        height = lst.size.height
        assert lst.virtual_size.height == 100_000 * ROW_HEIGHT
        # A handful of frames of `height` lines, never anything like a line per item.
        assert 0 < CountingList.rendered <= 10 * height
        CountingList.rendered = 0
        await pilot.press("end")
        await pilot.pause()
        assert lst.current == items[-1]
        assert screen_text(lst)[-2] == " Article 99999"
        assert CountingList.rendered <= 10 * height
        assert lst.filter("article 9999") == 11  # 9999 and 99990-99999
        assert lst.current == items[-1]
        assert lst.filter("article 99998") == 1 and lst.current == items[99_998]
        assert lst.filter("") == 100_000 and lst.current == items[99_998]


@pytest.mark.asyncio
async def test_keys_folded_in_the_background_follow_replaced_items() -> None:
    items = many(20_000)
    app = ListApp(items)
    async with app.run_test(size=SIZE) as pilot:
        lst = app.query_one(ArticleList)
        assert lst.filter("article 1999") == 11  # typed before the warm-up ended: still right
        lst.filter("")
        lst.set_items([ListItem(f"{i}.txt", f"Récit {i}") for i in range(12_000)])
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert lst.filter("recit 1199") == 11 and lst.filter("article") == 0
