"""Highlights as Markdown text (pure): front matter, the generated block, escaping of article text.

Nothing that an article or a note holds may change the structure of the file: titles and
quotes are escaped to read literally, notes keep their Markdown but lose what could make
headings, hide the rest of the file (an unclosed fence, an HTML or Obsidian comment) or
forge the markers that delimit the generated part.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote as percent

from reader.layout import lead
from reader.library import sanitize
from reader.models import Article, Highlight

BEGIN = "<!-- reader:begin"
END = "<!-- reader:end -->"
MARKER_NOTE = "made by reader export: edit outside the begin and end lines, it is kept"
_MARKER = re.compile(r"^<!-- reader:begin article=(\S+) .*-->$", re.MULTILINE)

# ASCII punctuation that can start Markdown (CommonMark, GFM, Obsidian) anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<>#|~^=$%&!{}])")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s|$)")
_HEADING = re.compile(r"^( {0,3})(#)(?=#{0,5}(?:[ \t]|$))")  # "#tag" is no heading
_SETEXT = re.compile(r"^( {0,3})([-=])(?=[-= \t]*$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML_START = re.compile(r"^( {0,3})<")
_BLOCK_ID = re.compile(r"^(.*\s|)\^(?=[\w-]+\s*$)")
_MAY_START_LIST = frozenset("-+0123456789")
_NOTE_SPECIAL = re.compile(r"^ {0,3}[#=<^-]|%%|\$\$|<!--|\^")
_TAG_CHARS = re.compile(r"[^\w/-]")
_NOT_YAML_PRINTABLE = re.compile(
    "[^\t\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_PLAIN_YAML = re.compile('[^\x00-\x1f\x7f-\x9f"\\\\\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]*')
_YAML_BREAKS = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One article to export: its id, its cleaned text (None if it cannot be read now) and
    its highlights (any order)."""

    article_id: str
    article: Article | None
    highlights: Sequence[Highlight]


# -- escaping ---------------------------------------------------------------------------------


def inline(text: str) -> str:
    """Text on one line that reads literally in Markdown (whitespace runs become one space)."""
    line = _INLINE.sub(r"\\\1", " ".join(sanitize(text).split()))
    if line[:1] not in _MAY_START_LIST:
        return line
    return _LIST_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], line)


def quote_lines(text: str) -> list[str]:
    """A passage as blockquote lines, each escaped; its paragraphs kept apart."""
    lines = []
    for line in text.split("\n"):
        escaped = inline(line)
        lines.append(f"> {escaped}" if escaped else ">")
    while lines and lines[-1] == ">":
        lines.pop()
    return lines or [">"]


def note_lines(note: str) -> list[str]:
    """A note's Markdown, kept, but unable to make headings or swallow the rest of the file."""
    out: list[str] = []
    fence: str | None = None
    for raw in sanitize(note.replace("\r\n", "\n").replace("\r", "\n")).split("\n"):
        line = _unforge(raw.rstrip())
        opened = _FENCE.match(line)
        if fence is not None:  # inside a code block: literal, until its closing fence
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opened:
            fence = opened.group(1)
            out.append(line)
            continue
        if not _NOTE_SPECIAL.search(line):
            out.append(line)  # most lines: nothing to neutralise
            continue
        line = _HEADING.sub(r"\1\\\2", line)
        line = _SETEXT.sub(r"\1\\\2", line)
        line = _HTML_START.sub(r"\1\\<", line)
        line = _BLOCK_ID.sub(r"\1\\^", line)  # "^hl-..." of another highlight: no forged ids
        line = line.replace("%%", r"\%\%").replace("$$", r"\$\$").replace("<!--", r"\<!--")
        out.append(line)
    if fence is not None:
        out.append(fence)  # an unclosed code block would hide everything after the note
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return out


def _unforge(line: str) -> str:
    """A line can never pass for one of the markers that delimit the generated part."""
    return line.replace("<!-- reader:", "<!-- reader\\:")


def tag(name: str) -> str | None:
    """A tag as Obsidian reads one (`#word`), or None if nothing of it is left."""
    cleaned = _TAG_CHARS.sub("", name.lstrip("#"))
    return f"#{cleaned}" if cleaned and not cleaned.isdigit() else None


def yaml_string(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value`, whatever it holds."""
    if _PLAIN_YAML.fullmatch(value):
        return f'"{value}"'  # nothing to escape (most values)
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be kept
    quoted = json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars
    quoted = _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)
    for char, escape in _YAML_BREAKS.items():
        quoted = quoted.replace(char, escape)
    return quoted


def _yaml_value(value: str | int | None | list[str]) -> str:
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(yaml_string(item) for item in value) + "]"
    return yaml_string(value)


# -- the document -----------------------------------------------------------------------------


def front_matter(fields: dict[str, str | int | None | list[str]]) -> list[str]:
    """YAML front matter, one `key: value` line per field, values always quoted."""
    return ["---", *(f"{key}: {_yaml_value(value)}" for key, value in fields.items()), "---"]


def title_of(entry: Entry) -> str:
    """The article's title; else its first words; else its id."""
    article = entry.article
    if article is not None and article.title:
        return article.title
    first_words = lead(article.body) if article is not None else None
    return first_words or entry.article_id


def article_fields(
    entry: Entry, highlights: Sequence[Highlight]
) -> dict[str, str | int | None | list[str]]:
    """The front matter of one article's file."""
    article = entry.article or Article()
    tags = sorted({t for h in highlights for t in h.tags if tag(t)})
    return {
        "title": title_of(entry),
        "author": article.author,
        "source": article.source,
        "date": article.date,
        "article": entry.article_id,
        "language": article.language,
        "highlights": len(highlights),
        "tags": tags,
    }


OUR_KEYS = (
    "title",
    "author",
    "source",
    "date",
    "article",
    "articles",
    "language",
    "highlights",
    "tags",
)


def block(entry: Entry) -> list[str]:
    """The generated part for one article: markers, title, highlights under the article's
    own subheadings in reading order, then the orphans."""
    article = entry.article
    highlights = sorted(
        entry.highlights, key=lambda h: (h.status == "orphan", h.start, h.end, h.created, h.id)
    )
    placed = [h for h in highlights if h.status != "orphan"]
    orphans = [h for h in highlights if h.status == "orphan"]
    title = title_of(entry)
    lines = [f"{BEGIN} article={percent(entry.article_id, safe='')} {MARKER_NOTE} -->", ""]
    lines += [f"# {inline(title)}", ""]
    meta = _meta_line(entry)
    if meta:
        lines += [meta, ""]
    sections = _headings(article)
    current: str | None = None
    for h in placed:
        heading = _section_of(sections, h.start)
        if heading is not None and heading != current:
            lines += [f"## {inline(heading)}", ""]
            current = heading
        lines += _highlight(h)
    if orphans:
        lines += ["## Orphans", "", "*Not found in the current text of the article.*", ""]
        for h in orphans:
            lines += _highlight(h)
    lines.append(END)
    return lines


def _meta_line(entry: Entry) -> str:
    article = entry.article
    if article is None:
        return f"*{inline('the article file could not be read: ' + entry.article_id)}*"
    parts = [p for p in (article.author, article.source, article.date) if p]
    return "*" + inline(" · ".join(parts)) + "*" if parts else ""


def _headings(article: Article | None) -> list[tuple[int, str]]:
    """(start offset, text) of each subheading of the body, in order."""
    if article is None:
        return []
    found, offset = [], 0
    for b in article.blocks:
        if b.kind == "heading":
            found.append((offset, b.text))
        offset += len(b.text) + 2
    return found


def _section_of(sections: list[tuple[int, str]], offset: int) -> str | None:
    heading = None
    for start, text in sections:
        if start > offset:
            break
        heading = text
    return heading


def _highlight(h: Highlight) -> list[str]:
    lines = [*quote_lines(h.quote), "", f"^hl-{h.id}", ""]
    note = note_lines(h.note)
    if note:
        lines += [*note, ""]
    flags = [f"*{h.color}*"]
    tags = " ".join(t for t in (tag(name) for name in h.tags) if t)
    if tags:
        flags.append(tags)
    if h.status == "drifted":
        flags.append("*found again in a changed text*")
    lines += [" · ".join(flags), ""]
    return lines


@dataclass(frozen=True, slots=True)
class Rendered:
    """One article's notes as Markdown, ready to go into a file (plain strings: cheap to pass
    between processes)."""

    article_id: str
    title: str
    fields: dict[str, str | int | None | list[str]]  # its own front matter
    block: str  # the generated part, markers included
    count: int
    tags: tuple[str, ...]


def render(entry: Entry) -> Rendered:
    """An article's generated part and front matter."""
    fields = article_fields(entry, entry.highlights)
    tags = fields["tags"]
    assert isinstance(tags, list)
    return Rendered(
        entry.article_id,
        title_of(entry),
        fields,
        "\n".join(block(entry)),
        len(entry.highlights),
        tuple(tags),
    )


def fields_for(parts: Sequence[Rendered]) -> dict[str, str | int | None | list[str]]:
    """The front matter of a file holding `parts`: the article's own for one article."""
    if len(parts) == 1:
        return parts[0].fields
    return {
        "title": "Reader notes",
        "articles": [p.article_id for p in parts],
        "highlights": sum(p.count for p in parts),
        "tags": sorted({t for p in parts for t in p.tags}),
    }


def document(entries: Iterable[Entry]) -> str:
    """A new file: front matter, then each article's generated part."""
    return new_file([render(entry) for entry in entries])


def new_file(parts: Sequence[Rendered]) -> str:
    """A new file of rendered parts: front matter, then each part."""
    return merge("", parts, fields_for(parts))


# -- merging into a file the user may have edited ---------------------------------------------


def blocks_in(text: str) -> dict[str, tuple[int, int]]:
    """The generated parts of a file: article id -> (start, end) character span, end line
    included. A begin without its end is not one (it is left as it is)."""
    from urllib.parse import unquote

    found = {}
    for match in _MARKER.finditer(text):
        end = text.find("\n" + END, match.end())
        if end == -1:
            continue
        found[unquote(match.group(1))] = (match.start(), end + 1 + len(END))
    return found


def merge(
    existing: str, parts: Sequence[Rendered], fields: dict[str, str | int | None | list[str]]
) -> str:
    """`existing` with its front matter and generated parts brought up to date; what the
    user wrote elsewhere (other front matter keys too) is kept, new parts go at the end."""
    body, user_keys = _split_front_matter(existing)
    spans = blocks_in(body)
    out, position = [], 0
    pending = [p for p in parts if p.article_id not in spans]
    by_id = {p.article_id: p for p in parts}
    for article_id, (start, end) in sorted(spans.items(), key=lambda item: item[1]):
        out.append(body[position:start])
        part = by_id.get(article_id)
        out.append(part.block if part is not None else body[start:end])
        position = end
    out.append(body[position:])
    merged = "".join(out)
    if pending:  # in one join: added one by one, each copied the whole text (quadratic)
        merged = merged.rstrip("\n") + "".join("\n\n" + p.block for p in pending) + "\n"
    head = front_matter(fields)
    text = "\n".join(head[:-1] + user_keys + head[-1:]) + "\n\n" + merged.lstrip("\n")
    return text if text.endswith("\n") else text + "\n"


def _split_front_matter(text: str) -> tuple[str, list[str]]:
    """The text after the front matter, and the front matter lines that are not ours."""
    if not text.startswith("---\n"):
        return text, []
    end = text.find("\n---\n", 3)
    if end == -1:
        return text, []
    lines = text[4:end].split("\n")
    theirs, skipping = [], False
    for line in lines:
        key = line.split(":", 1)[0]
        if not line.startswith((" ", "\t", "-")):
            skipping = key in OUR_KEYS
        if not skipping:
            theirs.append(line)
    return text[end + 5 :], theirs
