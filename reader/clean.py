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
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from reader import dates, lang, lexicon
from reader.models import Article, Block

log = logging.getLogger(__name__)

# Bumped whenever the cleaner's output may change: highlights remember the version they were
# made with, and caches of cleaned articles are keyed by it.
CLEANER_VERSION = "2"

MEDIA_LINES = 4  # lines a photo or video block between a subheading and its text may take
FURNITURE_SHARE = 2  # a short line is furniture when one word in this many is
RELATED_SHARE = 0.25  # at most this share of the prose may follow a related-links header
SHORT = 70  # below this, a line is too short to judge by its words alone (jusText's limit)
LONG = 140  # from this, a sentence-rich line anchors the story
GAP_LIMIT = 20.0  # how much furniture a gap inside the story may hold (see _GAP_COST)
JUNK_WEIGHT = 20  # characters of prose that one furniture line inside a cluster outweighs
TITLE_WINDOW = 25  # lines before the story where the headline is looked for

_WORDS = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»“)\]\s]*$")


def _ends_sentence(text: str) -> bool:
    """True when `text` ends like a sentence: a stop, maybe inside quotes or brackets."""
    return _SENTENCE_END.search(text[-12:]) is not None  # the tail only: lines can be long


_QUOTE_OPEN = "«\"“„‘‹'"
_QUOTE_CLOSE = "»\"”“’›'"
_DIGIT = re.compile(r"\d")
_TIME = re.compile(r"(?<!\d)\d{1,2}[:h]\d{2}(?::\d{2})?(?!\d)")
_URL = re.compile(
    r"https?://|www\.|(?<=\w)\.(?:com|net|org|de|fr|ch|at|es|it|co\.uk|uk|info|io|eu|pl|nl|be|"
    r"tv|fm|news)\b",
    re.I,
)
# Shapes read at the start of a line: a number or counter alone ("58523", "1/6"), a credit.
# A number or a counter alone on a line ("58523", "1/6", "3 of 12").
_NUMBERISH = re.compile(r"[\W\d_]*\d[\W\d_]*$|\s*\d+\s*(?:/|of|von|sur|de|z)\s*\d+\s*$", re.I)
# A date or a time of day, as a cheap test; dates.find_date reads it when it matters.
_DATE_OR_TIME = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d(?!\d)|\d{1,2}[:h]\d{2}(?!\d)|\d{1,2}[./]\d{1,2}[./])"
)
_MARKS = re.compile(r"[@|•·#]|\.\w|www", re.I)  # what e-mails, links and separators hold
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\[email protected\]")
# First words of a photo, video or agency credit ("Photo: Twitter / @x", "Getty Images").
_CREDIT_WORDS = frozenset(
    "copyright photo foto bild image picture credit crédit bildrechte rechte bildquelle fotos "
    "photos credits crédits quelle source fuente fonte źródło bron video vidéo vídeo audio "
    "grafik illustration getty afp reuters dpa keystone imago shutterstock".split()
)
_LABEL = re.compile(r"\W*\w+\s*[:/©]")
# A caption's credit inside the line: "Roman Prymula, photo: Archives du Gouvernement".
_INLINE_CREDIT = re.compile(
    r"\b(?:photos?|fotos?|bild(?:er)?|crédits?|credits?|images?|quelle|source|fuente)\s*:", re.I
)
_SOURCE_LABEL = re.compile(
    r"^(?:source|quelle|fuente|fonte|źródło|bron)\s*:\s*(?P<name>.{2,60})$", re.I
)
_PUBLISHED_ON = re.compile(
    r"(?:publi[ée]e?s?|published|erschien(?:en)?|veröffentlicht|publicad[oa]|pubblicat[oa]|"
    r"paru|apareci[óo]|originally)\b.*?\b"
    r"(?:sur|on|auf|en|su|in|at)\s+(?P<site>[\w.-]+\.[a-z]{2,})\b",
    re.I,
)
_BYLINE = re.compile(
    r"^(?:by|von|par|por|di|door|de|autor(?:in)?|author|auteur|text|texte|written by|"
    r"article by|reportage|redacción)\s*:?\s+(?P<name>[^\W\d_][\w.'’-]*(?:\s+(?:[^\W\d_][\w.'’-]*|"
    r"(?:de|van|von|der|da|del|la|le)\b)){0,4})\s*$",
    re.I,
)
_BYLINE_LABEL = re.compile(
    r"^(?:by|von|par|por|article by|written by|author|autor|auteur)\s*:?$", re.I
)
_DATE_PREFIX = re.compile(r"^\W*(?:[^\W\d_]+\s*:?\s*)?$")  # what may precede a glued date
_STARTS_CAPITAL = re.compile(r"^\W*[^\W\d_a-zà-ÿ]")


@dataclass(slots=True)
class Line:
    """One non-empty line of the input and what the cleaner found out about it."""

    text: str  # the line, stripped
    group: int  # lines separated by no blank line share a group
    words: list[str]  # lower-cased tokens
    key: str  # lower-cased: what repetition compares
    form: str  # what the text alone says: "debris" (a date, a counter, a credit, a link...),
    # "comments" or "related" (the header of such a section), "more" (a read-more link), or ""
    stop: int = 0  # how many words are stop words
    kind: str = ""  # debris, name, teaser, break, good, near, short, bad
    repeated: bool = False

    @property
    def density(self) -> float:
        return self.stop / len(self.words) if self.words else 0.0


_Memo = dict[str, tuple[list[str], str, str]]


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


def split_lines(text: str, memo: _Memo | None = None) -> list[Line]:
    """The non-empty lines of `text`, stripped, with their blank-line groups."""
    if memo is None:
        memo = {}
    lines: list[Line] = []
    group = 0
    blank = True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            blank = True
            continue
        if blank:
            group += 1
            blank = False
        known = memo.get(stripped)
        if known is None:
            lower = stripped.lower()
            words = _WORDS.findall(lower)
            known = memo[stripped] = (words, lower, _form(stripped, words))
        lines.append(Line(stripped, group, *known))
    return lines


DETECT_WORDS = 500  # language detection reads this many words of the prose-like lines


def detect_language(lines: list[Line]) -> str | None:
    """The language of the page, from the words of its longer lines (all lines if few)."""
    words: list[str] = []
    for line in lines:
        if len(line.words) >= 5:
            words += line.words
            if len(words) >= DETECT_WORDS:
                break
    if len(words) < 50:
        words = [w for line in lines for w in line.words]
    return lang.detect(words)


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
    meta = _Metadata(language, month_first=language == "en")
    blocks: list[Block] = []
    if first is not None and last is not None:
        keep = _trim_tail(lines, _select(lines, first, last))
        blocks = _blocks(lines, keep, meta)
        if metadata:  # later passes only confirm the body
            meta.scan(lines[:first], lines[first : last + 1], lines[last + 1 :], keep)
    return Article(meta.title, meta.author, meta.date, meta.source, language, tuple(blocks))


def _classify(line: Line, known_language: bool) -> str:
    """debris | break | good | near | short | bad, from the line alone."""
    text = line.text
    n = len(text)
    if line.form in ("comments", "related"):
        return "break"
    if line.form == "debris":
        return "debris"
    if n <= 40 and _is_name(line):
        return "name"
    if n >= SHORT:
        strong, weak = lexicon.notice_marks(line.words)
        if (strong and n < 600) or (weak >= 3 and n < 600):
            return "debris"  # a consent, legal or sign-up notice
        if weak == 2 and n < 400:
            return "notice"  # maybe one; story only beside story
    if n < SHORT:
        return "short"
    if text.endswith(("...", "…")) and not text.endswith(("....",)) and n < 300:
        return "debris"  # a teaser cut short
    sentence_like = _ends_sentence(text) or text.count(". ") >= 1
    if known_language:
        density = line.density
        if density >= 0.30:
            return "good" if n >= LONG or (sentence_like and n >= 100) else "near"
        if density >= 0.20 or (density >= 0.12 and sentence_like):
            return "near"
        return "bad"
    return "good" if n >= LONG and sentence_like else "near" if sentence_like else "bad"


def _form(text: str, words: list[str]) -> str:
    """What a line's text alone says of it (see Line.form)."""
    if len(text) > 250:
        return ""  # prose-sized: no header, link, label or shape is that long
    lexical = not lexicon.ANCHORS.isdisjoint(words)  # else no phrase of the lexicon is here
    if lexical:
        section = lexicon.section_break(text, words)
        if section is not None:
            return section
        if len(words) <= 4 and lexicon.is_read_more(words):
            return "more"
        if len(text) <= 250 and lexicon.is_link_line(text):
            return "debris"
    return "debris" if _is_debris_shape(text, words, lexical) else ""


def _is_debris_shape(text: str, words: list[str], lexical: bool = True) -> bool:
    """Lines whose shape says they are not prose: numbers, dates, counters, credits, links."""
    n = len(text)
    if n >= 120:
        return False
    if _DIGIT.search(text) is None:
        letters = len(words)
    else:
        if _NUMBERISH.match(text):
            return True
        letters = len(words) - sum(map(str.isdigit, words))
        if letters <= 6 and _DATE_OR_TIME.search(text) and _is_dateline(text):
            return True
    if _is_credit(text, words) or (":" in text and _INLINE_CREDIT.search(text) is not None):
        return True
    if _MARKS.search(text) is not None:  # rare characters: look closer
        if "@" in text and len(words) <= 12 and _EMAIL.search(text):
            return True
        if letters <= 8 and _URL.search(text):
            return True
        if letters <= 12 and ("|" in text or " • " in text or " · " in text):
            return True
        if text.startswith(("#", "@")) and letters <= 4:
            return True
    return (
        lexical
        and n < 80
        and letters <= 6
        and lexicon.furniture_hits(words) * FURNITURE_SHARE >= letters
    )


def _main_run(lines: list[Line]) -> tuple[int | None, int | None]:
    """The first and last index of the story: the heaviest cluster of sentence-rich lines."""
    anchors = [i for i, line in enumerate(lines) if line.kind == "good"]
    if not anchors:
        anchors = [i for i, line in enumerate(lines) if line.kind == "near"]
    if not anchors:
        # No prose at all (a list, a poem, a very short note): keep the short sentences.
        anchors = [i for i, line in enumerate(lines) if line.kind == "short" and line.words]
        if not anchors:
            return None, None
    clusters: list[list[int]] = [[anchors[0]]]
    for prev, cur in zip(anchors, anchors[1:], strict=False):
        cost = 0.0
        for line in lines[prev + 1 : cur]:
            cost += _GAP_COST.get(line.kind, 1.0)
        if cost <= GAP_LIMIT:
            clusters[-1].append(cur)
        else:
            clusters.append([cur])

    def mass(cluster: list[int]) -> int:
        # Prose weighs by its length; each line of furniture inside the cluster weighs against.
        total = 0
        for line in lines[cluster[0] : cluster[-1] + 1]:
            total += len(line.text) if line.kind in ("good", "near") else -JUNK_WEIGHT
        return total

    best = max(clusters, key=mass)
    first, last = best[0], best[-1]
    last = _cut_at_break(lines, first, last)
    return _extend(lines, first, -1, EXTEND_BACK), _extend(lines, last, 1, EXTEND_FORWARD)


EXTEND_BACK = 3
EXTEND_FORWARD = 0


def _extend(lines: list[Line], edge: int, step: int, budget: int) -> int:
    """Take in the story's lede (or last lines): prose just outside the run, across a little
    furniture, up to a heading (the title) or a section break."""
    i = edge + step
    cost = 0
    while 0 <= i < len(lines) and budget > 0:
        line = lines[i]
        if line.kind == "good" or (
            line.kind in ("near", "short") and _is_sentence(line) and line.text[-1] not in "!?"
        ):
            edge = i
        elif line.kind in ("debris", "name") and cost < budget:
            cost += 1
        else:
            break
        i += step
    return edge


_GAP_COST = {
    "near": -0.5,
    "notice": 1.0,
    "short": 0.6,
    "name": 1.0,
    "debris": 1.0,
    "teaser": 1.5,
    "bad": 1.5,
    "break": 4.0,
    "good": 0.0,
}


def _cut_at_break(lines: list[Line], first: int, last: int) -> int:
    """End the story at a comments header once most of the story is behind.

    A related-links header ends it only when little prose follows: a box of links may sit
    inside a story, which then goes on; teasers after a story are short."""
    total = sum(len(line.text) for line in lines[first : last + 1] if line.kind in ("good", "near"))
    seen = 0
    for i in range(first, last + 1):
        line = lines[i]
        if line.kind in ("good", "near"):
            seen += len(line.text)
        elif (line.form == "comments" and seen >= 0.5 * total) or (
            line.form == "related" and seen >= (1 - RELATED_SHARE) * total
        ):
            end = i - 1
            while end > first and lines[end].kind not in ("good", "near"):
                end -= 1
            return end
    return last


TAIL_GAP = 3  # furniture lines that part the story from an appendix
TAIL_SHARE = 0.25  # an appendix holds less than this share of the kept text


def _trim_tail(lines: list[Line], keep: set[int]) -> set[int]:
    """Drop an appendix: a little prose after a wall of furniture at the end of the story
    (an author's bio, a teaser, a newsletter box, a legal notice)."""
    order = sorted(keep)
    total = sum(len(lines[i].text) for i in order)
    after = total
    for prev, cur in zip(order, order[1:], strict=False):
        after -= len(lines[prev].text)
        if cur - prev - 1 >= TAIL_GAP and after < TAIL_SHARE * total:
            return {i for i in order if i < cur}
    return keep


def _is_heading_like(line: Line) -> bool:
    text = line.text
    words = len(line.words)
    return (
        1 <= words <= 20
        and len(text) <= 150
        and not text.endswith((".", ",", ";"))
        and bool(_STARTS_CAPITAL.match(text) or text[0].isdigit() or text[0] in _QUOTE_OPEN)
    )


def _is_sentence(line: Line) -> bool:
    return len(line.words) >= 3 and _ends_sentence(line.text) and line.stop >= 1


def _is_quote(text: str) -> bool:
    """A line that is one quotation from end to end (not a sentence that quotes)."""
    inner = text.rstrip(". ")
    return (
        len(inner) > 2
        and inner[0] in _QUOTE_OPEN
        and inner[-1] in _QUOTE_CLOSE
        and inner[-1] not in inner[1:-1]
        and not any(mark in inner[1:-1] for mark in "»”")
    )


_JUNK = frozenset(("debris", "name", "teaser", "bad", "break", "notice"))


def _is_good(lines: list[Line], i: int) -> bool:
    return 0 <= i < len(lines) and lines[i].kind == "good"


def _junk(lines: list[Line], i: int) -> bool:
    return 0 <= i < len(lines) and lines[i].kind in _JUNK


def _is_media(lines: list[Line], i: int) -> bool:
    """A line of a photo or video block: a credit, a counter or duration, a caption shown
    twice, or a video's title right before its duration."""
    line = lines[i]
    if line.kind not in ("debris", "name", "short"):
        return False
    text, words = line.text, line.words
    if _is_credit(text, words) or (line.repeated and len(words) >= 4 and _ends_sentence(text)):
        return True
    if _DIGIT.search(text) and _NUMBERISH.match(text):
        return True
    if line.kind == "short" and i + 1 < len(lines):  # a video's title before its duration
        after = lines[i + 1].text
        return bool(_DIGIT.search(after) and _NUMBERISH.match(after))
    return False


def _select(lines: list[Line], first: int, last: int) -> set[int]:
    """Which lines of the main run are story: prose, subheadings, quotes and attributions."""
    keep: set[int] = set()
    for i in range(first, last + 1):
        line = lines[i]
        if line.kind == "good":
            keep.add(i)
        elif line.kind == "near":
            # a caption or a teaser: middling prose with furniture on both sides
            if not (_junk(lines, i - 1) and _junk(lines, i + 1)):
                keep.add(i)
        elif line.kind == "short" and _is_sentence(line) and not line.text.endswith(":"):
            # jusText's context rule: a short sentence belongs to the story only beside prose.
            prose = {"good", "near", "short"}
            if lexicon.furniture_hits(line.words) <= 1 and (
                (i > 0 and lines[i - 1].kind in prose)
                or (i + 1 < len(lines) and lines[i + 1].kind in prose)
            ):
                keep.add(i)
    # Where a byline may stand: up to the story's second paragraph. A name-like line after it
    # is a subheading in title case ("Rising Food Prices").
    goods = [i for i in range(first, last + 1) if lines[i].kind == "good"]
    byline_end = goods[1] if len(goods) > 1 else last
    # Subheadings: a heading-like line followed by kept prose (maybe past a photo's caption
    # and credit). Two or more headings in a row are a list of links (teasers), not a
    # subheading.
    for i in range(first + 1, last):
        line = lines[i]
        if i in keep or not _is_heading_like(line) or _is_media(lines, i):
            continue
        if line.kind != "short" and not (line.kind == "name" and i > byline_end):
            continue
        after = i + 1
        if len(lines[after].words) >= 2 and _is_credit(lines[after].text, lines[after].words):
            continue  # a caption, with its credit
        while after < min(last, i + 1 + MEDIA_LINES) and _is_media(lines, after):
            after += 1
        before = i - 1
        if (
            after in keep
            and lines[after].kind in ("good", "near")
            and (
                before in keep
                or lines[before].kind != "short"
                or not _is_heading_like(lines[before])
            )
            and lexicon.furniture_hits(line.words) * 2 < len(line.words)
        ):
            keep.add(i)
    # A quotation's attribution: a short name-like line right after a quoted line.
    for i in range(first + 1, last + 1):
        line = lines[i]
        prev = lines[i - 1]
        if (
            i not in keep
            and i - 1 in keep
            and line.kind in ("short", "name")
            and not line.repeated
            and _is_quote(prev.text)
            and len(line.words) <= 8
            and not line.text.endswith((".", ":"))
            and not _is_credit(line.text, line.words)
        ):
            keep.add(i)
    return keep


def _blocks(lines: list[Line], keep: set[int], meta: _Metadata) -> list[Block]:
    """Kept lines as blocks; a quote takes its attribution line along."""
    blocks: list[Block] = []
    order = sorted(keep)
    skip: set[int] = set()
    for pos, i in enumerate(order):
        if i in skip:
            continue
        line = lines[i]
        text = line.text
        if pos == 0:
            text = meta.strip_date_prefix(text)
        nxt = order[pos + 1] if pos + 1 < len(order) else None
        if line.kind in ("short", "name") and _is_heading_like(line) and not _is_sentence(line):
            blocks.append(Block("heading", text))
        elif _is_quote(text):
            if (
                nxt == i + 1
                and lines[nxt].group == line.group
                and lines[nxt].kind != "good"
                and not _is_quote(lines[nxt].text)
                and len(lines[nxt].words) <= 8
            ):
                blocks.append(Block("quote", f"{text}\n{lines[nxt].text}"))
                skip.add(nxt)
            else:
                blocks.append(Block("quote", text))
        else:
            blocks.append(Block("paragraph", text))
    return blocks


class _Metadata:
    """Title, byline, date and source, read from the lines around the story."""

    def __init__(self, language: str | None, *, month_first: bool) -> None:
        self.language = language
        self.month_first = month_first
        self.title: str | None = None
        self.author: str | None = None
        self.date: str | None = None
        self.source: str | None = None

    def strip_date_prefix(self, text: str) -> str:
        """Cut a date glued before the first sentence ("date 2022-12 Rien que ...")."""
        found = dates.find_date(text[:60], month_first=self.month_first)
        if found is None:
            return text
        iso, start, end = found
        head, rest = text[:start], text[end:].lstrip(" ,:-–—|")
        if _DATE_PREFIX.match(head) and rest and _STARTS_CAPITAL.match(rest):
            self.date = self.date or iso
            return rest
        return text

    def scan(self, before: list[Line], run: list[Line], after: list[Line], keep: set[int]) -> None:
        offset = len(before)
        # The byline region: what was dropped before the story's second paragraph.
        goods = [i for i, line in enumerate(run, offset) if line.kind == "good"]
        end = goods[1] if len(goods) > 1 else offset + len(run)
        dropped = [line for i, line in enumerate(run, offset) if i not in keep and i < end]
        self._title(before)
        near = before[-12:] + dropped[:12]
        for line in near:
            self._byline(line)
            self._date(line)
        for line in before[:-12]:
            self._date(line)
        for line in near + after[:6]:
            self._source(line)
        if self.author is None:
            self._name_line(near)

    def _title(self, before: list[Line]) -> None:
        """The headline: a heading-like line close before the story, best one shown twice."""
        best: tuple[float, str] | None = None
        tail = before[-TITLE_WINDOW:]
        for pos, line in enumerate(tail):
            text = line.text
            n_words = len(line.words)
            if not (3 <= n_words <= 30 and 15 <= len(text) <= 250) or line.kind == "break":
                continue
            if line.kind in ("debris", "name") and not line.repeated:
                continue
            if text.endswith((".", ",", ":")) and n_words > 8:
                continue
            score = pos / len(tail) + (1.0 if line.repeated else 0.0)
            score += min(n_words, 10) / 10
            if best is None or score > best[0]:
                best = (score, text)
        if best is not None:
            self.title = best[1]

    def _byline(self, line: Line) -> None:
        if self.author is not None:
            return
        m = _BYLINE.match(line.text)
        if m and len(line.words) <= 7:
            self.author = m.group("name").strip()

    def _name_line(self, near: list[Line]) -> None:
        for prev, line in zip([None, *near], near, strict=False):
            if _is_name(line) and (prev is None or not _is_quote(prev.text)):
                self.author = line.text
                return
            if prev is not None and _BYLINE_LABEL.match(prev.text) and _is_name(line):
                self.author = line.text
                return

    def _date(self, line: Line) -> None:
        if self.date is None and len(line.text) < 200:
            found = dates.find_date(line.text, month_first=self.month_first)
            if found:
                self.date = found[0]

    def _source(self, line: Line) -> None:
        if self.source is not None or len(line.text) > 120:
            return
        m = _SOURCE_LABEL.match(line.text) or _PUBLISHED_ON.search(line.text)
        if m is None:
            return
        name = m.group(m.lastgroup or 0).strip().rstrip(".")
        if "." in name and " " not in name:
            name = _site_name(name)
        self.source = name or None


def _is_dateline(text: str) -> bool:
    """A date or time with a label at most: "Publié: 16.09.2023 à 14:31", "Posted on May 2,
    2022", "12.03.2024, 15:13" (not a heading that names a date: "Une incursion en mai 2023")."""
    if _TIME.search(text):
        return True
    found = dates.find_date(text)
    if found is None:
        return False
    head = text[: found[1]]
    return ":" in head or len(_WORDS.findall(head)) <= 2


def _is_credit(text: str, words: list[str]) -> bool:
    """A credit line: "© AFP", "Photo: Twitter / @x", "Getty Images"."""
    if text[0] in "©(" and (text[0] == "©" or text[:3].lower() == "(c)"):
        return True
    return (
        bool(words)
        and words[0] in _CREDIT_WORDS
        and (len(words) <= 3 or _LABEL.match(text) is not None)
    )


_SECOND_LEVEL = frozenset(("co", "com", "org", "net", "gov", "ac", "edu"))


def _site_name(domain: str) -> str:
    """The name in a domain: "BFMTV.com" -> "BFMTV", "www.bbc.co.uk" -> "bbc"."""
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2].lower() in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2]


def _is_name(line: Line) -> bool:
    """A person's name alone on a line: two to four capitalised words, no stop words."""
    if line.stop or len(line.text) > 40 or not 2 <= len(line.words) <= 4:
        return False
    parts = line.text.split()
    return 2 <= len(parts) <= 4 and all(
        p[:1].isupper() and p.replace("-", "").replace(".", "").isalpha() for p in parts
    )
