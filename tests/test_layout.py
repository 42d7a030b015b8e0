"""Wrapping into rows of offsets, moving by text units, folding for search."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from reader import layout
from reader.layout import Row, find_all, fold, row_of, text_width, wrap
from reader.models import Article, Block


def article(*blocks: tuple[str, str]) -> Article:
    """An article made of (kind, text) blocks."""
    return Article(blocks=tuple(Block(kind, text) for kind, text in blocks))  # type: ignore[arg-type]


def texts(art: Article, rows: list[Row]) -> list[str]:
    """What each row covers."""
    return [art.body[row.start : row.end] for row in rows]


# -- wrap ----------------------------------------------------------------------------


def test_wraps_at_spaces_keeping_the_space_on_the_row() -> None:
    art = article(("paragraph", "aaa bbb ccc dd"))
    assert texts(art, wrap(art, 8)) == ["aaa bbb ", "ccc dd"]


def test_a_word_that_fills_the_measure_keeps_its_space_within_it() -> None:
    art = article(("paragraph", "aaaa bbbb"))
    assert texts(art, wrap(art, 5)) == ["aaaa ", "bbbb"]
    # Only a word exactly as long as the measure leaves its space on a row of its own.
    assert texts(art, wrap(art, 4)) == ["aaaa", " ", "bbbb"]


def test_hard_breaks_a_word_longer_than_the_measure() -> None:
    art = article(("paragraph", "abcdefghij kl"))
    assert texts(art, wrap(art, 4)) == ["abcd", "efgh", "ij ", "kl"]


def test_gap_rows_cover_the_separators() -> None:
    art = article(("heading", "Title"), ("paragraph", "one two"))
    rows = wrap(art, 20)
    assert rows == [
        Row(0, 5, 0, "heading", 0),
        Row(5, 7, layout.GAP_BLOCK, "gap", 0),
        Row(7, 14, 1, "paragraph", 0),
    ]


def test_quote_is_indented_and_breaks_at_its_newline() -> None:
    art = article(("quote", "«Short words here»\nAuthor Name"))
    rows = wrap(art, 15)
    assert texts(art, rows) == ["«Short words ", "here»\n", "Author Name"]
    assert {row.indent for row in rows} == {layout.QUOTE_INDENT}
    assert all(text_width(t) + layout.QUOTE_INDENT <= 15 for t in texts(art, rows))


def test_wide_characters_take_two_cells() -> None:
    art = article(("paragraph", "中中中 中中"))
    assert texts(art, wrap(art, 7)) == ["中中中 ", "中中"]


def test_empty_article_and_empty_block() -> None:
    assert wrap(Article(), 80) == []
    assert wrap(article(("paragraph", "")), 80) == [Row(0, 0, 0, "paragraph", 0)]


def test_wrap_text_for_a_title() -> None:
    rows = layout.wrap_text("[@click=app.quit]Click me[/]", 20)
    assert "".join("[@click=app.quit]Click me[/]"[r.start : r.end] for r in rows) == (
        "[@click=app.quit]Click me[/]"
    )


def test_row_of_bisects() -> None:
    art = article(("paragraph", "aaa bbb ccc"), ("paragraph", "ddd"))
    rows = wrap(art, 4)
    body = art.body
    assert [row_of(rows, i) for i in range(len(body))] == [0] * 4 + [1] * 4 + [2] * 3 + [3] * 2 + [
        4
    ] * 3
    assert row_of(rows, 10_000) == len(rows) - 1
    assert row_of(rows, -5) == 0


def test_offset_at_column_and_column_of() -> None:
    art = article(("paragraph", "aé中b c"))
    row = wrap(art, 80)[0]
    body = art.body
    assert [layout.offset_at_column(body, row, c) for c in range(8)] == [0, 1, 2, 2, 3, 4, 5, 5]
    assert [layout.column_of(body, row, o) for o in range(6)] == [0, 1, 2, 4, 5, 6]


ALPHABET = st.sampled_from(list("abcdef   éèÀ.!?,«»'’-中👇\u0301\u00a0") + ["ﬁ", "ß", "œ"])
BLOCK_TEXT = st.text(ALPHABET, max_size=120)


@st.composite
def articles(draw: st.DrawFn) -> Article:
    """Random articles: paragraphs, headings and quotes with an attribution line."""
    blocks = []
    for kind in draw(st.lists(st.sampled_from(["paragraph", "heading", "quote"]), max_size=6)):
        text = draw(BLOCK_TEXT)
        if kind == "quote" and draw(st.booleans()):
            text += "\n" + draw(BLOCK_TEXT)
        blocks.append(Block(kind, text))
    return Article(blocks=tuple(blocks))


@settings(max_examples=300, deadline=None)
@given(articles(), st.integers(min_value=2, max_value=100))
def test_rows_partition_the_body_and_fit_the_measure(art: Article, width: int) -> None:
    rows = wrap(art, width)
    body = art.body
    position = 0
    for row in rows:
        assert row.start == position  # every offset is in exactly one row (or gap)
        position = row.end
        if row.kind == "gap":
            assert body[row.start : row.end] == "\n\n" and row.block == layout.GAP_BLOCK
            continue
        assert row.kind == art.blocks[row.block].kind
        assert text_width(body[row.start : row.end]) + row.indent <= width
    assert position == len(body)
    assert wrap(art, width) == rows  # deterministic


@settings(max_examples=200, deadline=None)
@given(articles(), st.integers(min_value=2, max_value=100))
def test_row_of_finds_the_row_of_every_offset(art: Article, width: int) -> None:
    rows = wrap(art, width)
    for offset in range(len(art.body)):
        row = rows[row_of(rows, offset)]
        assert row.start <= offset < row.end


def test_metadata_line_leaves_out_the_unknown() -> None:
    art = Article(
        author="A. Auteur",
        date="2024-03-12",
        language="fr",
        blocks=(Block("paragraph", "mot " * 700),),
    )
    assert layout.metadata_line(art) == "A. Auteur · 2024-03-12 · 3 min read · fr"
    assert layout.metadata_line(Article()) == ""  # nothing open: no line at all


def test_cut_splits_a_row_at_overlay_edges() -> None:
    pieces = layout.cut(10, 20, [(5, 12, "match"), (11, 15, "selection"), (14, 15, "cursor")])
    assert pieces == [
        (10, 11, ["match"]),
        (11, 12, ["match", "selection"]),
        (12, 14, ["selection"]),
        (14, 15, ["selection", "cursor"]),
        (15, 20, []),
    ]
    assert layout.cut(10, 20, []) == [(10, 20, [])]


def test_cursor_places_skip_the_separators() -> None:
    body = "ab\n\ncd\nef"
    assert [layout.clamp_cursor(body, i) for i in range(-1, 11)] == [
        0, 0, 1, 4, 4, 4, 5, 6, 7, 8, 8, 8,
    ]  # fmt: skip
    assert layout.step(body, 1, 1) == 4 and layout.step(body, 4, -1) == 1
    assert layout.step(body, 5, 1) == 6  # a quote's own newline is a place
    assert layout.step(body, 8, 1) == 8 and layout.step(body, 0, -1) == 0
    assert layout.clamp_cursor("", 5) == 0


# -- moving by words, sentences, paragraphs -------------------------------------------

TEXT = "Il a dit: «Non!» Puis rien. M. Dupont l’a vu… Fin\n\nDeux? Oui.\n\nTitre\n\nTrois."


def test_word_starts() -> None:
    starts = [TEXT.index(w) for w in ("a ", "dit", "Non", "Puis")]
    assert layout.next_word_start(TEXT, 0) == starts[0]
    assert layout.next_word_start(TEXT, starts[0]) == starts[1]
    assert layout.next_word_start(TEXT, starts[1] + 1) == starts[2]  # skips ": «"
    assert layout.next_word_start(TEXT, starts[2]) == starts[3]
    assert layout.previous_word_start(TEXT, starts[3]) == starts[2]
    assert layout.previous_word_start(TEXT, starts[2] + 2) == starts[2]
    assert layout.previous_word_start(TEXT, 1) == 0
    assert layout.next_word_start(TEXT, len(TEXT) - 2) == len(TEXT)
    assert layout.previous_word_start(TEXT, 0) == 0


def test_sentence_starts() -> None:
    starts = [0] + [TEXT.index(s) for s in ("Puis", "M. Dupont", "Fin", "Deux", "Oui", "Titre")]
    starts.append(TEXT.index("Trois"))
    at = 0
    found = []
    while (at := layout.next_sentence_start(TEXT, at)) < len(TEXT):
        found.append(at)
    assert [0, *found] == starts  # "M." is no sentence end; "…" and "!»" are
    back = []
    at = len(TEXT)
    while at > 0:
        at = layout.previous_sentence_start(TEXT, at)
        back.append(at)
    assert back == starts[::-1]
    middle = TEXT.index("rien")
    assert layout.previous_sentence_start(TEXT, middle) == starts[1]
    assert layout.next_sentence_start(TEXT, TEXT.index(". M.") + 1) == starts[2]


def test_paragraph_starts() -> None:
    starts = [0, TEXT.index("Deux"), TEXT.index("Titre"), TEXT.index("Trois")]
    assert layout.next_paragraph_start(TEXT, 0) == starts[1]
    assert layout.next_paragraph_start(TEXT, starts[1]) == starts[2]
    assert layout.next_paragraph_start(TEXT, starts[3]) == len(TEXT)
    assert layout.previous_paragraph_start(TEXT, starts[2]) == starts[1]
    assert layout.previous_paragraph_start(TEXT, starts[2] + 2) == starts[2]
    assert layout.previous_paragraph_start(TEXT, starts[1]) == 0


@settings(max_examples=200, deadline=None)
@given(st.text(ALPHABET | st.just("\n"), max_size=200), st.data())
def test_moves_always_go_the_right_way(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(min_value=0, max_value=len(text)))
    for forward in (layout.next_word_start, layout.next_sentence_start):
        assert offset < forward(text, offset) <= len(text) or offset == len(text)
    for backward in (layout.previous_word_start, layout.previous_sentence_start):
        assert 0 <= backward(text, offset) < offset or offset == 0
    assert layout.next_paragraph_start(text, offset) > offset or offset == len(text)
    assert layout.previous_paragraph_start(text, offset) < offset or offset == 0


# -- search -----------------------------------------------------------------------------


def test_search_ignores_case_and_accents() -> None:
    body = "Des soldats DÉSERTEURS; les déserteurs."
    spans = find_all(body, "deserteurs")
    assert [body[s:e] for s, e in spans] == ["DÉSERTEURS", "déserteurs"]
    assert find_all(body, "Déserteurs") == spans
    assert find_all(body, "") == []
    assert find_all(body, "absent") == []


def test_search_maps_expansions_back_to_whole_characters() -> None:
    body = "Die Straße, l’œuvre, un ﬁlm, cafe\u0301 noir."
    assert [body[s:e] for s, e in find_all(body, "strasse")] == ["Straße"]
    assert [body[s:e] for s, e in find_all(body, "l'oeuvre")] == ["l’œuvre"]
    assert [body[s:e] for s, e in find_all(body, "film")] == ["ﬁlm"]
    assert [body[s:e] for s, e in find_all(body, "café")] == ["cafe\u0301"]
    assert [body[s:e] for s, e in find_all(body, "noir")] == ["noir"]
    assert [body[s:e] for s, e in find_all(body, "s")][:2] == ["S", "ß"]


def test_fold_keeps_offsets_of_simple_text() -> None:
    folded = fold("Élan vital")
    assert folded.text == "elan vital"
    assert [folded.original(i) for i in range(10)] == list(range(10))


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=80), st.data())
def test_every_substring_is_found(body: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(body)))
    end = data.draw(st.integers(min_value=start, max_value=len(body)))
    query = body[start:end]
    spans = find_all(body, query)
    needle = fold(query).text
    if needle:
        assert spans
    previous_end = 0
    for s, e in spans:
        assert previous_end <= s < e <= len(body)
        assert needle in fold(body[s:e]).text
        previous_end = e


def test_layout_imports_no_ui_library() -> None:
    code = "import sys, reader.layout; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "'textual'" not in loaded and "'rich'" not in loaded
