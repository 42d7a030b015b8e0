"""Raw article text -> Article: keep the story, drop the web page's debris.

The cleaner reads the text as lines (a copied web page has one block per line) and classifies
each line from what it looks like (length, sentence punctuation, stop-word density in the
page's language, shape: a date, a counter, a credit, a name, a menu word) and from where it
is: the story is the main run of sentence-rich paragraphs, found by clustering them across
small gaps; what lies before it gives the title, byline and date, what lies after it
(comments, teasers, footers) is dropped. Every kept block is a piece of the input, never
rewritten, and cleaning a cleaned body changes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from reader import CLEANER_VERSION, dates, lang
from reader.clean.lines import _classify, _is_good, _Memo, detect_language, split_lines
from reader.clean.meta import Metadata
from reader.clean.story import _blocks, _main_run, _select, _trim_tail
from reader.models import Article, Block

__all__ = ["CLEANER_VERSION", "clean"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Memos:
    """What the passes over one article share, so that a later pass costs little."""

    lines: _Memo = field(default_factory=dict)  # text -> tokens, repetition key, form
    kinds: dict[str | None, dict[str, tuple[int, str]]] = field(default_factory=dict)
    # ^ language -> text -> stop-word count, kind


def clean(text: str, hints: Mapping[str, str | None] | None = None) -> Article:
    """Clean `text` (decoded and sanitised). `hints` are metadata already known (from HTML)."""
    memos = _Memos()
    article = _clean_once(text, memos)
    body = article.body
    # Cleaning is a fixed point: what one pass keeps, the next keeps too. A pass only drops
    # lines (or a date glued before the first sentence), so each body is shorter than the last
    # until one is kept whole; real pages settle after one extra pass.
    while True:
        again = _clean_once(body, memos, metadata=False)
        if again.body == body:
            break
        if len(again.body) >= len(body):  # cannot happen (see above); never loop forever
            log.error("cleaning did not settle; keeping the last body")
            break
        article = _replace_blocks(article, again.blocks)
        body = again.body
    if hints:
        article = Article(
            title=hints.get("title") or article.title,
            author=hints.get("author") or article.author,
            date=dates.normalise(hints.get("date")) or article.date,
            source=hints.get("source") or article.source,
            language=hints.get("language") or article.language,
            blocks=article.blocks,
        )
    return article


def _replace_blocks(article: Article, blocks: tuple[Block, ...]) -> Article:
    return Article(
        article.title, article.author, article.date, article.source, article.language, blocks
    )


def _clean_once(text: str, memos: _Memos, *, metadata: bool = True) -> Article:
    lines = split_lines(text, memos.lines)
    language = detect_language(lines)
    stops = lang.stopwords(language)
    counts = Counter(line.key for line in lines)
    known_language = language is not None
    kinds_here = memos.kinds.setdefault(language, {})
    for line in lines:
        known = kinds_here.get(line.text)
        if known is None:
            line.stop = sum(map(stops.__contains__, line.words))
            known = kinds_here[line.text] = (line.stop, _classify(line, known_language))
        line.stop, line.kind = known
        line.stops_known = known_language
        line.repeated = counts[line.key] > 1
        if line.repeated and len(line.text) < 200 and line.kind not in ("break", "debris"):
            line.kind = "debris"  # menus, captions and headlines shown twice
    for i, line in enumerate(lines):
        if line.kind == "notice" and line.density >= 0.3:
            # a paragraph that mentions cookies or a newsletter beside the story is story
            if _is_good(lines, i - 1) or _is_good(lines, i + 1):
                line.kind = "good"
        elif line.form == "related":  # the links under a related-links header
            for after in lines[i + 1 : i + 4]:
                if after.kind != "short":
                    break
                after.kind = "debris"
        elif line.form == "more":
            line.kind = "debris"
            if i and lines[i - 1].kind in ("good", "near"):
                lines[i - 1].kind = "teaser"  # the line before a "read more" link
    first, last = _main_run(lines)
    meta = Metadata(language, month_first=language == "en")
    blocks: list[Block] = []
    if first is not None and last is not None:
        keep = _trim_tail(lines, _select(lines, first, last))
        blocks = _blocks(lines, keep, meta)
        if metadata:  # later passes only confirm the body
            meta.scan(lines[:first], lines[first : last + 1], lines[last + 1 :], keep)
    return Article(meta.title, meta.author, meta.date, meta.source, language, tuple(blocks))
