"""Title, byline, date and source, read from the lines around the story."""

from __future__ import annotations

import re

from reader import dates
from reader.clean.lines import _STARTS_CAPITAL, Line, _is_name, _is_quote

TITLE_WINDOW = 25  # lines before the story where the headline is looked for

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


class Metadata:
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


_SECOND_LEVEL = frozenset(("co", "com", "org", "net", "gov", "ac", "edu"))


def _site_name(domain: str) -> str:
    """The name in a domain: "BFMTV.com" -> "BFMTV", "www.bbc.co.uk" -> "bbc"."""
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2].lower() in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2]
