"""Find and read article files; a bad file becomes an `ArticleError` with a reason, not a crash."""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec

if TYPE_CHECKING:
    from reader.models import Article

log = logging.getLogger(__name__)

SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
DEFAULT_LIMIT = 20_000_000
"""Files larger than this many bytes (20 MB) are refused, unread."""

Kind = Literal["text", "html"]

# C0 except tab and newline, DEL, C1, the bidi controls, and lone surrogates (which cannot be
# printed or encoded). Each becomes one U+FFFD, so character offsets do not move.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

_SAMPLE = 65_536
# Control bytes that real text files do not contain (tab, newlines, form feed and ESC do occur).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_TEXT_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)

# What cp1252 decodes to in Western European text: the Latin-1 letters (minus the Icelandic
# and Turkish look-alikes ð þ ý, which usually betray another code page) and common symbols.
_WESTERN_LETTERS = frozenset("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜßàáâãäåæçèéêëìíîïñòóôõöøùúûüÿŒœŠšŽžŸ")
_WESTERN_SYMBOLS = frozenset("\xa0\xad«»‘’‚“”„–—…•€£¥°§©®™·¡¿¢±½¼¾×÷′″")
_IN_WORD_SYMBOLS = frozenset("’‘·\xad")
# EBCDIC code pages "fit" almost any bytes and are never what a saved article uses.
_NEVER_GUESS = ["cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"]


class LibraryEntry(msgspec.Struct, frozen=True):
    """One article file found in a library.

    `id` is its POSIX path relative to the library, with any unprintable character of a file
    name (controls, bidi controls, undecodable bytes) shown as U+FFFD; `path` is exact.
    """

    id: str
    path: Path
    size: int
    mtime_ns: int


class Document(msgspec.Struct, frozen=True):
    """A file's text: decoded, newlines normalised, unsafe characters replaced.

    `size` and `mtime_ns` are those of the file as it was read (the list cache's key).
    """

    text: str
    kind: Kind
    encoding: str
    size: int = 0
    mtime_ns: int = 0


class ArticleError(Exception):
    """A file that cannot be an article; `reason` is one line for humans."""

    def __init__(self, detail: str, *, unreadable: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.unreadable = unreadable
        """True when the file could not be opened or read (not a verdict on its content)."""

    @property
    def reason(self) -> str:
        """The one-line reason shown in the library list."""
        return f"cannot read: {self.detail}" if self.unreadable else self.detail


def kind_of(path: Path) -> Kind:
    """Whether a file is read as HTML or as plain text (by its suffix)."""
    return "html" if path.suffix.lower() in HTML_SUFFIXES else "text"


def scan(path: Path, first: int | None = None) -> list[LibraryEntry]:
    """The article files under `path`, sorted by id; a file path means that file alone.

    With `first`, only the first that many: the folders after them are not read, nor the
    others' files looked at (a library of 10,000 files gives its first screen at once).
    """
    root, only = library_root(path)
    if only is not None:
        return [_entry(safe_name(only.name), only)]
    walk = _Walk(root)
    found = list(islice(walk, first))
    if not walk.in_order:  # two folders named alike but for case: their files interleave
        found.extend(walk)
        found.sort(key=_list_order)
        found = found[:first]
    return [_entry(rel, Path(where)) for rel, where in found]


def _list_order(item: tuple[str, str] | tuple[str, str, bool]) -> tuple[str, str]:
    """The order of the list, by an item's id: without case, then with it."""
    return item[0].casefold(), item[0]


def safe_name(name: str) -> str:
    """A file name fit for one line of a terminal or JSON (unprintable characters -> U+FFFD).

    Unprintable means control, format (bidi marks), separator (U+2028) and surrogate
    characters: all that `str.isprintable` refuses but the space.
    """
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() or c == " " else "\ufffd" for c in name)


def library_root(path: Path) -> tuple[Path, Path | None]:
    """(library folder, the single file or None); raises `ArticleError` if `path` is missing."""
    try:
        st = path.stat()
    except OSError as exc:
        raise _os_error(path, exc) from None
    if stat.S_ISDIR(st.st_mode):
        return path, None
    return path.parent, path


def _entry(rel: str, path: Path) -> LibraryEntry:
    try:
        st = path.stat()
    except OSError:
        # Listed anyway (e.g. a broken link): reading it later gives the reason.
        return LibraryEntry(rel, path, 0, 0)
    return LibraryEntry(rel, path, st.st_size, st.st_mtime_ns)


class _Walk:
    """(id, path) of every article file under `root`, hidden files and folders skipped, in
    the list's order: depth first, each folder's entries sorted as the ids they lead to.

    A folder `name` sorts as "name/" does among its files: every id below it starts so. This
    order is the list's unless two folders of one parent differ only in case (their files
    interleave); `in_order` turns False when such folders are met, before any file of theirs
    is given. A stack, not recursion: a folder nested thousands deep is walked like any other.
    """

    def __init__(self, root: Path) -> None:
        self.in_order = True
        self._seen: set[tuple[int, int]] = set()  # folders walked, against symlink loops
        self._stack: list[tuple[str, str, bool]] = [("", str(root), True)]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        stack = self._stack
        while stack:
            rel, where, is_dir = stack.pop()
            if not is_dir:
                yield rel, where
                continue
            children = self._children(where, rel)
            children.sort(key=_list_order, reverse=True)  # popped first to last
            stack.extend(children)

    def _children(self, folder: str, prefix: str) -> list[tuple[str, str, bool]]:
        """The article files and folders in `folder`, as (id, path, is a folder)."""
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in self._seen:  # a symlink loop
                return []
            self._seen.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            log.warning("skipping folder %s: %s", folder, exc)
            return []
        children = []
        folders: set[str] = set()
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = prefix + safe_name(name)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                children.append((rel + "/", entry.path, True))
                key = rel.casefold()
                if key in folders:
                    self.in_order = False
                folders.add(key)
            elif name[name.rfind(".") :].lower() in SUFFIXES:  # splitext's answer, sooner
                children.append((rel, entry.path, False))
        return children


def read_text(path: Path, limit: int = DEFAULT_LIMIT) -> Document:
    """Read, decode, normalise and sanitise one file; raises `ArticleError` with the reason."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    # Non-blocking so that a FIFO named like an article cannot hang the library.
    flags |= getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_error(path, exc) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ArticleError("is a directory", unreadable=True)
        if not stat.S_ISREG(st.st_mode):
            raise ArticleError("not a regular file", unreadable=True)
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            kinds = ", ".join(sorted(SUFFIXES))
            raise ArticleError(f"not an article file ({suffix or 'no extension'}; reads {kinds})")
        if st.st_size > limit:
            raise _too_large(st.st_size, limit)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)  # never more than the limit, even if the file grew
    except OSError as exc:
        raise _os_error(path, exc) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    text, encoding = _decode(data)
    text = sanitize(normalize_newlines(text))
    if not text.strip():
        raise ArticleError("empty file")
    return Document(text, kind_of(path), encoding, st.st_size, st.st_mtime_ns)


def load_article(path: Path, limit: int = DEFAULT_LIMIT) -> Article:
    """Read and clean one article file (HTML through trafilatura); raises `ArticleError`."""
    return to_article(read_text(path, limit))


def to_article(doc: Document) -> Article:
    """Clean a document read by `read_text`; raises `ArticleError` for an empty HTML page."""
    from reader.clean import clean  # lazy: a cached `reader list` never needs the cleaner

    if doc.kind == "html":
        from reader.webpage import extract_html

        text, hints = extract_html(doc.text)
        article = clean(text, hints)
    else:
        article = clean(doc.text)
    if not article.blocks:
        raise ArticleError("no article text found")
    return article


def decode(data: bytes) -> str:
    """Decode a file's bytes: BOM, else UTF-8, else a legacy code page; raises `ArticleError`."""
    return _decode(data)[0]


def _decode(data: bytes) -> tuple[str, str]:
    if not data:
        raise ArticleError("empty file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), codec
            except UnicodeDecodeError:
                raise ArticleError(f"undecodable: invalid {codec.upper()} text") from None
    sample = data[:_SAMPLE]
    controls = len(sample.translate(None, _TEXT_BYTES))
    # A stray NUL or escape sequence is replaced later; many of them mean this is not text.
    if sample.count(0) * 200 > len(sample) or controls * 10 > len(sample):
        raise ArticleError("binary file (not text)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        return text, "utf-8"
    text = _western(data)
    if text is not None:
        return text, "cp1252"
    return _guess(data)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few bad bytes (a truncated end, a pasted Latin-1 word) stays UTF-8."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return text if non_ascii - bad >= 4 * bad else None


_NON_ASCII = re.compile("[^\x00-\x7f]")
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if not chr(b).isascii() or not chr(b).isalpha())


def _western(data: bytes) -> str | None:
    """cp1252 (a superset of Latin-1's letters) if the text it gives looks Western European."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = len(data.translate(None, _NOT_ASCII_LETTERS))
    foreign = 0
    for match in _NON_ASCII.finditer(text):
        ch, i = match.group(), match.start()
        if ch in _WESTERN_LETTERS:
            foreign += 1
        elif ch not in _WESTERN_SYMBOLS:
            return None
        elif (
            ch not in _IN_WORD_SYMBOLS
            and text[i - 1 : i].isalpha()
            and text[i + 1 : i + 2].isalpha()
        ):
            return None  # a guillemet or "¿" inside a word is another code page's letter
    letters += foreign
    # Accented letters are a few per cent of Western text, and most of mis-decoded Cyrillic.
    return text if foreign * 4 <= letters else None


def _guess(data: bytes) -> tuple[str, str]:
    import charset_normalizer  # lazy: costs ~50 ms and is rarely needed

    best = charset_normalizer.from_bytes(data, cp_exclusion=_NEVER_GUESS).best()
    if best is None:
        raise ArticleError("undecodable: unknown text encoding")
    return str(best), best.encoding


def normalize_newlines(text: str) -> str:
    """CRLF and CR become LF, U+2028 (line separator) too; U+2029 (paragraph) a blank line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return text


def sanitize(text: str) -> str:
    """Replace control, bidi and surrogate characters one-for-one with U+FFFD (length kept)."""
    return _UNSAFE.sub("\ufffd", text)


def one_line(text: str) -> str:
    """Untrusted text made safe for one screen line: no controls, no bidi, single spaces."""
    return " ".join(sanitize(text).split())


def _too_large(size: int, limit: int) -> ArticleError:
    return ArticleError(f"too large: {human_size(size)} (limit {human_size(limit)})")


def human_size(n: int) -> str:
    """Bytes for humans: "512 bytes", "3.4 kB", "25.3 MB" (decimal units)."""
    if n < 1000:
        return f"{n} bytes"
    value, unit = (n / 1e6, "MB") if n >= 1e6 else (n / 1e3, "kB")
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


def _os_error(path: Path, exc: OSError) -> ArticleError:
    if isinstance(exc, FileNotFoundError):
        detail = "broken link" if os.path.islink(path) else "no such file"
    elif isinstance(exc, IsADirectoryError) or os.path.isdir(path):
        detail = "is a directory"
    elif isinstance(exc, PermissionError):
        detail = "permission denied"
    else:
        detail = (exc.strerror or type(exc).__name__).lower()
    return ArticleError(detail, unreadable=True)
