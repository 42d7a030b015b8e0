"""Word-wrap an article into rows of body offsets, move by text units, and fold for search."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Literal, TypeVar

import msgspec

from reader.models import Article

RowKind = Literal["paragraph", "heading", "quote", "gap"]
CharWidth = Callable[[str], int]
T = TypeVar("T")

QUOTE_INDENT = 2
GAP_BLOCK = -1
SEPARATOR = "\n\n"
WORDS_PER_MINUTE = 230

# A token is a word with the spaces after it, and the newline that may end its line.
_TOKEN = re.compile(r"[^ \n]* *\n?")
_WORD_START = re.compile(r"\b(?=\w)")
# A sentence ends at . ! ? … (not after a lone capital: "M. Poutine"), maybe closed by quotes
# or brackets, before whitespace; a line break inside or between blocks ends one too.
_SENTENCE_BREAK = re.compile(
    r"(?<![\s(][A-Z])[.!?…]+[\"'»”’)\]\u00a0\u202f]*[ \n]+|\n+",
)


class Row(msgspec.Struct, frozen=True):
    """One screen row: `body[start:end]`, from block `block` (GAP_BLOCK between blocks)."""

    start: int
    end: int
    block: int
    kind: RowKind
    indent: int


def char_width(ch: str) -> int:
    """Terminal cells taken by one character (0, 1 or 2); a newline shows as one blank cell."""
    code = ord(ch)
    if code < 0x300:
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str, width_of: CharWidth = char_width) -> int:
    """Terminal cells taken by `text`, newlines counted as one cell."""
    if text.isascii():
        return len(text)
    return sum(1 if ch == "\n" else width_of(ch) for ch in text)


def wrap(article: Article, width: int, width_of: CharWidth = char_width) -> list[Row]:
    """Rows of `article.body` at a measure of `width` cells; a gap row covers each separator."""
    rows: list[Row] = []
    body_start = 0
    widths: dict[str, int] = {}
    body = article.body
    indent_allowed = width >= 4 * QUOTE_INDENT
    for index, block in enumerate(article.blocks):
        if index:
            rows.append(Row(body_start - 2, body_start, GAP_BLOCK, "gap", 0))
        indent = QUOTE_INDENT if block.kind == "quote" and indent_allowed else 0
        _wrap_block(
            body,
            body_start,
            body_start + len(block.text),
            max(1, width - indent),
            (index, block.kind, indent),
            rows,
            widths,
            width_of,
        )
        body_start += len(block.text) + len(SEPARATOR)
    return rows


def wrap_text(text: str, width: int, width_of: CharWidth = char_width) -> list[Row]:
    """Rows of a single paragraph `text` (a title, a metadata line) at `width` cells."""
    rows: list[Row] = []
    _wrap_block(text, 0, len(text), max(1, width), (0, "paragraph", 0), rows, {}, width_of)
    return rows


def _wrap_block(
    text: str,
    start: int,
    end: int,
    measure: int,
    like: tuple[int, RowKind, int],
    rows: list[Row],
    widths: dict[str, int],
    width_of: CharWidth,
) -> None:
    """Append the rows of `text[start:end]`, greedy, breaking only at spaces and newlines."""
    block, kind, indent = like
    row_start = start
    col = 0
    first = len(rows)
    for match in _TOKEN.finditer(text, start, end):
        t_start, t_end = match.span()
        if t_start == t_end:
            continue
        token = match.group()
        t_width = widths.get(token)
        if t_width is None:
            t_width = widths[token] = text_width(token, width_of)
        if col + t_width > measure:
            if col:
                rows.append(Row(row_start, t_start, block, kind, indent))
                row_start, col = t_start, 0
            if t_width <= measure:
                col = t_width
            else:  # longer than the measure: break it anywhere
                for i, ch in enumerate(token, t_start):
                    c_width = 1 if ch == "\n" else width_of(ch)
                    if col and col + c_width > measure:
                        rows.append(Row(row_start, i, block, kind, indent))
                        row_start, col = i, 0
                    col += c_width
        else:
            col += t_width
        if token[-1] == "\n":
            rows.append(Row(row_start, t_end, block, kind, indent))
            row_start, col = t_end, 0
    if row_start < end or len(rows) == first:
        rows.append(Row(row_start, end, block, kind, indent))


LEAD_WORDS = 10
"""How many first words of the body stand in for a missing title."""


def lead(body: str) -> str | None:
    """The first words of `body`, cut with an ellipsis: what names an article without a title."""
    words = body.split(maxsplit=LEAD_WORDS)
    if not words:
        return None
    first = " ".join(words[:LEAD_WORDS])
    return first + "…" if len(words) > LEAD_WORDS else first


def reading_minutes(body: str) -> int:
    """Minutes to read `body` at an ordinary pace (at least one)."""
    return max(1, round(len(body.split()) / WORDS_PER_MINUTE))


def metadata_line(article: Article) -> str:
    """Author · source · date · N min read · language, leaving out what is unknown."""
    if not article.blocks:
        return ""  # nothing open yet
    parts = [article.author, article.source, article.date]
    parts += [f"{reading_minutes(article.body)} min read", article.language]
    return " · ".join(part for part in parts if part)


def on_separator(body: str, offset: int) -> bool:
    """Is `offset` one of the two newlines between blocks?"""
    if body[offset] != "\n":
        return False
    after = offset + 1 < len(body) and body[offset + 1] == "\n"
    return after or (offset > 0 and body[offset - 1] == "\n")


def clamp_cursor(body: str, offset: int) -> int:
    """The nearest place for a cursor: a character of a block, the next one if need be."""
    size = len(body)
    offset = max(0, min(offset, size - 1))
    forward = offset
    while forward < size and on_separator(body, forward):
        forward += 1
    if forward < size:
        return forward
    while offset > 0 and on_separator(body, offset):
        offset -= 1
    return max(0, offset)


def step(body: str, offset: int, delta: int) -> int:
    """`delta` (1 or -1) characters on from `offset`, skipping separators; `offset` at an end."""
    moved = offset + delta
    while 0 < moved < len(body) - 1 and on_separator(body, moved):
        moved += delta
    return moved if 0 <= moved < len(body) else offset


def cut(
    start: int, end: int, spans: Sequence[tuple[int, int, T]]
) -> list[tuple[int, int, list[T]]]:
    """Cut [start, end) where `spans` begin and end: each piece with the spans covering it."""
    points = {start, end}
    for s_start, s_end, _ in spans:
        points.update((max(start, min(end, s_start)), max(start, min(end, s_end))))
    ordered = sorted(points)
    pieces = []
    for left, right in zip(ordered, ordered[1:], strict=False):
        covering = [value for s_start, s_end, value in spans if s_start <= left and right <= s_end]
        pieces.append((left, right, covering))
    return pieces


def row_of(rows: Sequence[Row], offset: int) -> int:
    """Index of the row holding `offset` (clamped to the first and last row)."""
    index = bisect_right(rows, offset, key=_row_start) - 1
    return max(0, min(index, len(rows) - 1))


def _row_start(row: Row) -> int:
    """The sort key of rows for bisect."""
    return row.start


def offset_at_column(body: str, row: Row, column: int, width_of: CharWidth = char_width) -> int:
    """The offset shown at `column` cells into `row`'s text (its last character past the end)."""
    if row.end <= row.start:
        return row.start
    col = 0
    for offset in range(row.start, row.end):
        ch = body[offset]
        col += 1 if ch == "\n" else width_of(ch)
        if col > column:
            return offset
    return row.end - 1


def column_of(body: str, row: Row, offset: int, width_of: CharWidth = char_width) -> int:
    """Cells between the start of `row` and `offset`."""
    return text_width(body[row.start : max(row.start, offset)], width_of)


def next_word_start(body: str, offset: int) -> int:
    """Start of the first word after `offset`, or len(body)."""
    match = _WORD_START.search(body, offset + 1)
    return match.start() if match else len(body)


def previous_word_start(body: str, offset: int) -> int:
    """Start of the last word before `offset`, or 0."""
    found = _last_match(_WORD_START, body, offset)
    return found.start() if found else 0


def next_sentence_start(body: str, offset: int) -> int:
    """Start of the first sentence after `offset`, or len(body)."""
    for match in _SENTENCE_BREAK.finditer(body, max(0, offset - 32)):
        if match.end() > offset:
            return match.end()
    return len(body)


def previous_sentence_start(body: str, offset: int) -> int:
    """Start of the last sentence starting before `offset`, or 0."""
    found = _last_match(_SENTENCE_BREAK, body, offset, use_end=True)
    return found.end() if found else 0


def sentence_at(body: str, offset: int) -> tuple[int, int]:
    """The sentence around `offset` as [start, end), without the whitespace that follows it."""
    if not body:
        return 0, 0
    offset = max(0, min(offset, len(body) - 1))
    start = previous_sentence_start(body, offset + 1)
    end = next_sentence_start(body, offset)
    while end > start + 1 and body[end - 1].isspace():
        end -= 1
    return start, end


def mark_span(body: str, start: int, end: int) -> tuple[int, int] | None:
    """What marking [start, end) highlights: no whitespace at either end, and not the lone
    first letter of the next word where a `w` jump left the cursor (a one-letter word, "a"
    or "à", is kept). None if nothing is left."""
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    word_goes_on = end < len(body) and body[end].isalnum()
    if end - start >= 2 and body[end - 2].isspace() and body[end - 1].isalnum() and word_goes_on:
        end -= 1
        while end > start and body[end - 1].isspace():
            end -= 1
    return (start, end) if start < end else None


def next_paragraph_start(body: str, offset: int) -> int:
    """Start of the first block after `offset`, or len(body)."""
    at = body.find(SEPARATOR, max(0, offset - 1))
    while at != -1 and at + 2 <= offset:
        at = body.find(SEPARATOR, at + 1)
    if at == -1:
        return len(body)
    start = at + 2
    while start < len(body) and body[start] == "\n":
        start += 1
    return start


def previous_paragraph_start(body: str, offset: int) -> int:
    """Start of the last block starting before `offset`, or 0."""
    at = body.rfind(SEPARATOR, 0, max(0, offset - 1))
    return at + 2 if at != -1 else 0


def _last_match(
    pattern: re.Pattern[str], body: str, before: int, *, use_end: bool = False
) -> re.Match[str] | None:
    """The last match of `pattern` that starts (or ends) before `before`, searched backwards."""
    span = 256
    while True:
        low = max(0, before - span)
        last = None
        for match in pattern.finditer(body, low, before):
            # A match cut by `before` ends exactly there: it is not before it.
            if (match.end() if use_end else match.start()) < before:
                last = match
        if last is not None or low == 0:
            return last
        span *= 4


# Search folding: what a character becomes once accents, case and ligatures are dropped.
_EXTRA = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
    | dict.fromkeys("\u2018\u2019\u02bc\u2032", "'")
    | dict.fromkeys("\u201c\u201d\u00ab\u00bb\u2033", '"')
)


def fold_char(ch: str) -> str:
    """One character folded for search: NFKD, no combining marks, casefolded."""
    if ch.isascii():
        return ch.lower()
    text = ch
    for _ in range(2):  # casefold can bring back marks ("ǰ") or compatibility forms
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = text.casefold().translate(_EXTRA)
    return text


class Folded(msgspec.Struct, frozen=True):
    """A text folded for search, with what is needed to map folded offsets back."""

    text: str
    length: int  # of the original text
    # Characters whose folded form is not exactly one character: folded start,
    # original offset and folded length, in order.
    starts: tuple[int, ...] = ()
    offsets: tuple[int, ...] = ()
    lengths: tuple[int, ...] = ()

    def original(self, index: int) -> int:
        """The original offset of the character that gave folded character `index`."""
        k = bisect_right(self.starts, index) - 1
        if k < 0:
            return index
        start = self.starts[k]
        if index < start + self.lengths[k]:
            return self.offsets[k]
        return self.offsets[k] + 1 + index - start - self.lengths[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded span [start, end)."""
        first = self.original(start)
        if end >= len(self.text):
            return first, self.length
        last = self.original(end - 1)
        after = self.original(end)
        return first, last + 1 if after == last else after


def fold(text: str) -> Folded:
    """Fold `text` for case- and accent-insensitive search, keeping a way back to its offsets."""
    table: dict[int, str] = {}
    irregular: list[str] = []
    for ch in set(text):
        folded = fold_char(ch)
        if folded != ch:
            table[ord(ch)] = folded
        if len(folded) != 1:
            irregular.append(ch)
    result = text.translate(table)
    if not irregular:
        return Folded(result, len(text))
    starts: list[int] = []
    offsets: list[int] = []
    lengths: list[int] = []
    shift = 0
    pattern = re.compile("[" + "".join(re.escape(ch) for ch in irregular) + "]")
    for match in pattern.finditer(text):
        offset = match.start()
        size = len(table[ord(match.group())])
        starts.append(offset + shift)
        offsets.append(offset)
        lengths.append(size)
        shift += size - 1
    return Folded(result, len(text), tuple(starts), tuple(offsets), tuple(lengths))


def find_all(body: str, query: str, folded: Folded | None = None) -> list[tuple[int, int]]:
    """Spans of `body` matching `query`, ignoring case and accents, without overlaps."""
    needle = fold(query).text
    if not needle:
        return []
    haystack = folded if folded is not None else _fold_cached(body)
    spans: list[tuple[int, int]] = []
    at = haystack.text.find(needle)
    while at != -1:
        span = haystack.span(at, at + len(needle))
        if not spans or span[0] >= spans[-1][1]:  # "s" matches both halves of "ß"
            spans.append(span)
        at = haystack.text.find(needle, at + len(needle))
    return spans


# Searching as one types folds the same body again and again.
_fold_cached = lru_cache(maxsize=4)(fold)
