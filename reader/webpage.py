"""HTML page -> main text and metadata hints, through trafilatura (imported only when needed)."""

from __future__ import annotations

import logging
import re
from typing import Any

from reader.dates import normalise
from reader.library import ArticleError, normalize_newlines, sanitize

log = logging.getLogger(__name__)


def extract_html(html: str) -> tuple[str, dict[str, str | None]]:
    """An HTML page -> (main text, one block per paragraph; metadata hints for the cleaner)."""
    import trafilatura  # lazy: heavy, and only HTML files need it

    if "&#" in html:
        html = _CHAR_REF.sub(_safe_char_ref, html)
    try:
        result: Any = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
        )
    except Exception as exc:  # trafilatura and lxml raise many kinds on odd markup
        log.info("trafilatura failed: %r", exc)
        raise ArticleError("cannot parse the HTML page") from None
    if result is not None and not isinstance(result, dict):
        result = result.as_dict()
    if not isinstance(result, dict) or not (result.get("text") or "").strip():
        raise ArticleError("no article text found in the HTML page")
    title = _one_line(result.get("title"))
    lines = [line.strip() for line in sanitize(normalize_newlines(result["text"])).split("\n")]
    blocks = [line for line in lines if line]
    if blocks and title and _one_line(blocks[0]) == title:
        blocks = blocks[1:]  # the headline belongs in `title`, not twice in the body
    hints: dict[str, str | None] = {
        "title": title,
        "author": _one_line(result.get("author")),
        "date": normalise(date) if isinstance(date := result.get("date"), str) else None,
        "source": _one_line(result.get("sitename")) or _one_line(result.get("hostname")),
        "language": _html_language(html),
    }
    return "\n\n".join(blocks), hints


_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def _safe_char_ref(match: re.Match[str]) -> str:
    """A reference to a control, bidi or surrogate character becomes U+FFFD (lxml drops the
    whole page for one `&#27;`). C1 references stay: HTML maps them to cp1252 punctuation."""
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    if code > 0x10FFFF:
        return "\ufffd"
    if 0x80 <= code <= 0x9F or code in (0x09, 0x0A, 0x0D) or sanitize(chr(code)) == chr(code):
        return match.group()
    return "\ufffd"


def _one_line(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(sanitize(value).split())
    return text or None


_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)


def _html_language(html: str) -> str | None:
    match = _HTML_LANG.search(html, 0, 20_000)
    return match.group(1).lower() if match else None
