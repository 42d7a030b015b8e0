"""The lines of a page, and what each one says alone: words, shape, kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from reader import dates, lang, lexicon

FURNITURE_SHARE = 2  # a short line is furniture when one word in this many is

SHORT = 70  # below this, a line is too short to judge by its words alone (jusText's limit)
LONG = 140  # from this, a sentence-rich line anchors the story

_WORDS = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»“)\]\s]*$")


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

_STARTS_CAPITAL = re.compile(r"^\W*[^\W\d_a-zà-ÿ]")

# Wide (CJK) characters: one carries about what a word of a Latin-script language does, so a
# line of them counts as `WIDE_WEIGHT` characters each against the length thresholds.
_WIDE = (
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)
# A quicker first look: any character from U+1100 on but U+1160-U+2E7F (the punctuation of
# Latin text). Written as what it is not, it compiles in 1 ms where the ranges take 4.
_MAYBE_WIDE = re.compile("[^\x00-\u10ff\u1160-\u2e7f]")
WIDE_WEIGHT = 3


def _size(text: str) -> int:
    """The length of `text` as the thresholds see it: wide characters count `WIDE_WEIGHT`."""
    if text.isascii() or _MAYBE_WIDE.search(text) is None:  # the common case, made quick
        return len(text)
    return len(text) + (WIDE_WEIGHT - 1) * len(_wide().findall(text))


@cache
def _wide() -> re.Pattern[str]:
    """`_WIDE`, compiled when first needed (3.5 ms, which text without CJK never spends)."""
    return re.compile(_WIDE)


@dataclass(slots=True)
class Line:
    """One non-empty line of the input and what the cleaner found out about it."""

    text: str  # the line, stripped
    group: int  # lines separated by no blank line share a group
    words: list[str]  # lower-cased tokens
    key: str  # lower-cased: what repetition compares
    form: str  # what the text alone says: "debris" (a date, a counter, a credit, a link...),
    # "comments" or "related" (the header of such a section), "more" (a read-more link), or ""
    size: int  # the length the thresholds compare (see `_size`)
    stop: int = 0  # how many words are stop words
    stops_known: bool = True  # False: the page's language has no stop-word list
    kind: str = ""  # debris, name, teaser, break, good, near, short, bad
    repeated: bool = False
    padded: bool = False  # the line had spaces at either end (the text is stripped)

    @property
    def density(self) -> float:
        return self.stop / len(self.words) if self.words else 0.0


_Memo = dict[str, tuple[list[str], str, str, int]]


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
            known = memo[stripped] = (words, lower, _form(stripped, words), _size(stripped))
        lines.append(Line(stripped, group, *known, padded=len(stripped) != len(raw)))
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


def _classify(line: Line, known_language: bool) -> str:
    """debris | break | good | near | short | bad, from the line alone."""
    text = line.text
    n = line.size
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


def _is_debris_shape(text: str, words: list[str], lexical: bool) -> bool:
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
    """A line that reads as a sentence: a few words (or wide characters), a stop at its end,
    and a stop word, unless the page's language has no list of them (then none can count)."""
    return (
        (len(line.words) >= 3 or line.size > len(line.text))
        and _ends_sentence(line.text)
        and (line.stop >= 1 or not line.stops_known)
    )


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


def _is_good(lines: list[Line], i: int) -> bool:
    return 0 <= i < len(lines) and lines[i].kind == "good"


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


def _is_name(line: Line) -> bool:
    """A person's name alone on a line: two to four capitalised words, no stop words."""
    if line.stop or len(line.text) > 40 or not 2 <= len(line.words) <= 4:
        return False
    parts = line.text.split()
    return 2 <= len(parts) <= 4 and all(
        p[:1].isupper() and p.replace("-", "").replace(".", "").isalpha() for p in parts
    )
