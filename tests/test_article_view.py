"""Pilot tests of the reading pane: keys, mouse, search matches, untrusted text, a 1 MB article."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.strip import Strip

from reader import layout
from reader.library import load_article, sanitize
from reader.models import Article, Block
from reader.widgets.article_view import ArticleView

ARTICLES = Path(__file__).resolve().parent.parent / "articles"
SAMPLE = load_article(next(ARTICLES.glob("003_*.txt")))
BODY = SAMPLE.body
SIZE = (100, 30)  # content 96 wide (padding 1 + scrollbar 2 each side), measure 80, margin 8
LEFT = 1 + 8  # screen column of the first text cell: padding, then margin
HEAD = 3  # title, metadata, blank line


class ViewApp(App[None]):
    """One ArticleView, recording the CursorMoved messages it posts."""

    def __init__(self, article: Article) -> None:
        super().__init__()
        self.article = article
        self.moves: list[tuple[int, int]] = []

    def compose(self) -> ComposeResult:
        yield ArticleView(self.article)

    def on_text_pane_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.moves.append((message.offset, message.percent))


def style_at(view: ArticleView, offset: int) -> Style:
    """The style painted on the cell that shows body `offset` (which must be on screen)."""
    index = layout.row_of(view.rows, offset)
    row = view.rows[index]
    line = view.header_height + index - int(view.scroll_y)
    assert 0 <= line < view.scrollable_content_region.height
    column = (LEFT - 1) + row.indent + layout.column_of(view.body, row, offset)
    position = 0
    for segment in view.render_line(line):
        if position <= column < position + segment.cell_length:
            assert segment.style is not None
            return segment.style
        position += segment.cell_length
    raise AssertionError(f"no cell at column {column}")


def overlay(view: ArticleView, name: str) -> Style:
    """The partial style of a component class."""
    return view.get_component_rich_style(f"text-pane--{name}", partial=True)


@pytest.mark.asyncio
async def test_renders_title_metadata_and_centred_body() -> None:
    app = ViewApp(SAMPLE)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        lines = [view.render_line(y).text for y in range(HEAD + 1)]
        assert lines[0].strip() == SAMPLE.title
        assert lines[1].strip() == "2024-03-12 · 2 min read · fr"
        assert lines[2].strip() == ""
        assert lines[3].startswith(" " * 8 + "La situation se réchauffe")
        quote = view.header_height + next(i for i, r in enumerate(view.rows) if r.kind == "quote")
        assert view.render_line(quote).text[8:10] == "▎ "
        title_style = list(view.render_line(0))[1].style
        assert title_style is not None and title_style.bold
        heading = BODY.index("Ignorer les élections")
        view.move_cursor(heading)
        await pilot.pause()
        assert style_at(view, heading).bold
        assert style_at(view, heading).color == overlay(view, "heading").color
        assert style_at(view, BODY.index("Une autre unité")).color != overlay(view, "heading").color


@pytest.mark.asyncio
async def test_character_and_line_keys() -> None:
    app = ViewApp(SAMPLE)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("l", "right", "l")
        assert view.cursor == 3
        await pilot.press("h")
        assert view.cursor == 2
        await pilot.press("j")
        assert view.cursor == BODY.index("russes anti-Poutine") + 2
        await pilot.press("down")
        assert view.cursor == BODY.index("attaques terrestres") + 2
        await pilot.press("k", "up")
        assert view.cursor == 2
        await pilot.press("left", "left", "left")
        assert view.cursor == 0


@pytest.mark.asyncio
async def test_vertical_moves_keep_the_goal_column_and_skip_gaps() -> None:
    app = ViewApp(SAMPLE)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        view.move_cursor(BODY.index("laquelle on peut") + 40)
        await pilot.press("j")
        assert view.cursor == BODY.index("de campagne.") + len("de campagne.") - 1
        await pilot.press("j")
        assert view.cursor == BODY.index("Peu après") + 40
        await pilot.press("k", "k")
        assert view.cursor == BODY.index("laquelle on peut") + 40
        end = BODY.index("ukrainiennes.") + len("ukrainiennes.") - 1
        view.move_cursor(end)
        await pilot.press("l")  # over the blank line between blocks
        assert view.cursor == BODY.index("«Nous")
        await pilot.press("h")
        assert view.cursor == end


@pytest.mark.asyncio
async def test_word_sentence_and_paragraph_keys() -> None:
    app = ViewApp(SAMPLE)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("w")
        assert view.cursor == BODY.index("situation")
        await pilot.press("w")
        assert view.cursor == BODY.index("se réchauffe")
        await pilot.press("b", "b")
        assert view.cursor == 0
        await pilot.press("right_parenthesis")
        assert view.cursor == BODY.index("«Nous")
        await pilot.press("right_parenthesis", "right_parenthesis")
        assert view.cursor == BODY.index("La bourgade")
        await pilot.press("left_parenthesis")
        assert view.cursor == BODY.index("Peu après")
        await pilot.press("left_parenthesis")
        assert view.cursor == BODY.index("«Nous")
        await pilot.press("right_curly_bracket", "right_curly_bracket")
        assert view.cursor == BODY.index("«L'armée de Poutine")
        await pilot.press("left_curly_bracket")
        assert view.cursor == BODY.index("Peu après")
        await pilot.press("left_curly_bracket", "left_curly_bracket", "left_curly_bracket")
        assert view.cursor == 0


@pytest.mark.asyncio
async def test_page_keys_and_ends_scroll_and_report_the_position() -> None:
    app = ViewApp(SAMPLE)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("space")
        assert view.scroll_y == 29  # a page of 30 lines, one kept for context
        first_page = view.cursor
        assert first_page > BODY.index("Ministère russe")
        await pilot.press("pageup")
        assert view.scroll_y == 0 and view.cursor == 0
        await pilot.press("pagedown")
        assert view.cursor == first_page
        await pilot.press("G")
        assert view.cursor == len(BODY) - 1
        assert view.scroll_y == view.max_scroll_y > 0
        assert app.moves[-1] == (len(BODY) - 1, 100)
        await pilot.press("g")
        assert (view.cursor, view.scroll_y) == (0, 0)
        assert app.moves[-1] == (0, 0)
        view.move_cursor(BODY.index("Ignorer les élections"))
        await pilot.pause()
        offset, percent = app.moves[-1]
        assert offset == BODY.index("Ignorer les élections")
        assert percent == offset * 100 // (len(BODY) - 1)
        assert 0 < percent < 100


@pytest.mark.asyncio
async def test_a_click_places_the_cursor() -> None:
    app = ViewApp(SAMPLE)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        before = len(app.moves)
        await pilot.click(ArticleView, offset=(LEFT + 3, HEAD))
        assert view.cursor == BODY.index("situation")
        assert len(app.moves) == before + 1  # one click, one move (not one per handler)
        await pilot.click(ArticleView, offset=(LEFT, HEAD + 1))
        assert view.cursor == BODY.index("russes anti-Poutine")
        await pilot.click(ArticleView, offset=(LEFT + 79, HEAD + 2))  # past the end of a row
        assert view.cursor == BODY.index("ukrainiennes.") + len("ukrainiennes.") - 1
        await pilot.click(ArticleView, offset=(LEFT + 5, 0))  # the title: nothing to place
        assert view.cursor == BODY.index("ukrainiennes.") + len("ukrainiennes.") - 1
        assert app.moves[-1][0] == view.cursor


@pytest.mark.asyncio
async def test_matches_selection_and_cursor_are_painted() -> None:
    app = ViewApp(SAMPLE)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        spans = layout.find_all(BODY, "legion")
        assert len(spans) == 3
        view.set_matches(spans, 1)
        await pilot.pause()
        match, current = overlay(view, "match"), overlay(view, "match-current")
        assert match.bgcolor is not None and match.bgcolor != current.bgcolor
        assert style_at(view, spans[0][0]).bgcolor == match.bgcolor
        assert style_at(view, spans[0][1] - 1).bgcolor == match.bgcolor
        assert style_at(view, spans[1][0] + 2).bgcolor == current.bgcolor  # in a quote
        assert style_at(view, spans[0][1]).bgcolor != match.bgcolor
        assert style_at(view, 0).reverse  # the cursor
        view.selection_anchor = 10
        view.move_cursor(20)
        await pilot.pause()
        assert view.selection == (10, 21)
        selection = overlay(view, "selection").bgcolor
        assert style_at(view, 15).bgcolor == selection
        assert style_at(view, 9).bgcolor != selection
        view.set_matches([], None)
        assert style_at(view, spans[0][0]).bgcolor != match.bgcolor


@pytest.mark.asyncio
async def test_untrusted_title_and_body_show_literally() -> None:
    title = "[@click=app.quit]Click me[/]"
    body = sanitize("Avant \x1b]2;pwned\x07 après [bold]gras[/bold] et [link=x]lien")
    article = Article(title=title, blocks=(Block("paragraph", body),))
    app = ViewApp(article)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        assert title in view.render_line(0).text
        text = view.render_line(HEAD).text
        assert "]2;pwned" in text and "[bold]gras[/bold] et [link=x]lien" in text
        assert not any(ord(ch) < 32 for ch in text)
        await pilot.click(ArticleView, offset=(LEFT + 3, 0))
        await pilot.click(ArticleView, offset=(LEFT + 20, 0))
        await pilot.pause()
        assert app.is_running and app.return_code is None


class CountingView(ArticleView):
    """Counts the lines it is asked to render."""

    rendered = 0

    def render_line(self, y: int) -> Strip:
        CountingView.rendered += 1
        return super().render_line(y)


class CountingApp(ViewApp):
    def compose(self) -> ComposeResult:
        yield CountingView(self.article)


def big_article(size: int = 1_000_000) -> Article:
    """An article of `size` characters or more, made of the sample articles' blocks."""
    samples = [load_article(path) for path in sorted(ARTICLES.glob("*.txt"))]
    pool = [block for article in samples for block in article.blocks]
    blocks: list[Block] = []
    total = 0
    while total < size:
        block = pool[len(blocks) % len(pool)]
        blocks.append(block)
        total += len(block.text) + 2
    return Article(title="Un très long article", language="fr", blocks=tuple(blocks))


@pytest.mark.asyncio
async def test_a_one_megabyte_article_opens_and_renders_fast() -> None:
    article = big_article()
    app = CountingApp(Article())
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        CountingView.rendered = 0
        started = time.perf_counter()
        view.set_article(article, cursor=len(article.body) // 2)
        lines = [view.render_line(y) for y in range(40)]
        opened = time.perf_counter() - started
        await pilot.pause()
        assert len(view.rows) > 15_000
        assert CountingView.rendered <= 40 * 4  # only what is on screen, a few refreshes
        assert opened < 2.0  # bench/bench_view.py measures it properly
        assert any(line.text.strip() for line in lines)
        started = time.perf_counter()
        for _ in range(5):
            for y in range(40):
                view.render_line(y)
        assert (time.perf_counter() - started) / 5 < 0.1
        await pilot.press("G")
        assert view.cursor == len(article.body) - 1
        assert view.scroll_y == view.max_scroll_y


@pytest.mark.asyncio
async def test_resize_rewraps_and_keeps_the_cursor_in_view() -> None:
    app = ViewApp(SAMPLE)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        target = BODY.index("Ignorer les élections")
        view.move_cursor(target)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        width = view.scrollable_content_region.width
        assert width < ArticleView.MEASURE
        assert all(layout.text_width(BODY[r.start : r.end]) + r.indent <= width for r in view.rows)
        assert view.cursor == target
        line = view.header_height + layout.row_of(view.rows, target) - int(view.scroll_y)
        assert 0 <= line < view.scrollable_content_region.height


@pytest.mark.asyncio
async def test_set_article_restores_a_position() -> None:
    app = ViewApp(Article())
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        assert view.render_line(0).text.strip() == ""  # an empty article is fine
        await pilot.press("j", "w", "G")
        target = BODY.index("Frapper les dépôts")
        view.set_article(SAMPLE, cursor=target)
        await pilot.pause()
        assert view.cursor == target and app.moves[-1][0] == target
        line = view.header_height + layout.row_of(view.rows, target) - int(view.scroll_y)
        assert 0 <= line < view.scrollable_content_region.height
        view.set_article(SAMPLE, cursor=BODY.index("\n\n"))  # on a separator: the next block
        assert view.cursor == BODY.index("«Nous")
