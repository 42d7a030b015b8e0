"""Writing notes out: which highlights, which file names, and files written safely and only
when they change (the Markdown itself is `reader.markdown`)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader.markdown import Entry, blocks_in, fields_for, merge, title_of
from reader.models import COLOURS, Article, Highlight
from reader.store import Store, StoreError

NAME_CHARS = 80
SUFFIXES = (".md", ".markdown")
EXPORT_SETTING = "export_folder"  # the store's setting: where the last export went


class ExportError(Exception):
    """The notes cannot be written (a folder that cannot be made or written); one line."""


@dataclass(frozen=True, slots=True)
class Filters:
    """Which highlights to export; None lets everything through."""

    article: str | None = None
    color: str | None = None
    tag: str | None = None
    since: datetime | None = None

    def keep(self, h: Highlight) -> bool:
        if self.article is not None and h.article != self.article:
            return False
        if self.color is not None and h.color != self.color:
            return False
        if self.tag is not None and self.tag.lstrip("#").casefold() not in {
            t.lstrip("#").casefold() for t in h.tags
        }:
            return False
        return self.since is None or _instant(h.updated) >= self.since


def parse_since(text: str) -> datetime:
    """A --since value: an ISO date or date and time (UTC if no offset); ValueError if not."""
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def check_colour(name: str) -> str:
    """A colour name for --color; ValueError if unknown."""
    if name not in COLOURS:
        raise ValueError(f"unknown colour {name!r}; one of {', '.join(COLOURS)}")
    return name


def _instant(stamp: str) -> datetime:
    try:
        return parse_since(stamp)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def entries(
    highlights: Iterable[Highlight],
    filters: Filters,
    article_of: Callable[[str], Article | None],
) -> list[Entry]:
    """The articles to export, in id order, each with its highlights that pass `filters`."""
    by_article: dict[str, list[Highlight]] = {}
    for h in highlights:
        if filters.keep(h):
            by_article.setdefault(h.article, []).append(h)
    return [Entry(aid, article_of(aid), hs) for aid, hs in sorted(by_article.items())]


# -- files ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Written:
    """What an export did: the files written anew, and those already up to date."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]


def default_export_folder(store: Store) -> Path:
    """Where notes go when none is named: the folder last used, else one in Documents."""
    try:
        remembered = store.setting(EXPORT_SETTING, "")
    except StoreError:
        remembered = ""
    if remembered:
        return Path(remembered)
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "reader-notes"


def is_file_target(out: Path) -> bool:
    """Is `out` one Markdown file (else a folder of one file per article)?"""
    return out.suffix.lower() in SUFFIXES and not out.is_dir()


def write_folder(folder: Path, items: Sequence[Entry]) -> Written:
    """One file per article in `folder`: an article's file is found again by the marker in
    it; a new one is named from the title, never over a file of someone else's."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        names = _markdown_files(folder)
    except OSError as exc:
        raise ExportError(f"cannot write to {folder}: {exc.strerror or exc}") from exc
    owner: dict[str, Path] = {}
    texts: dict[Path, str] = {}
    for path in names:
        text = _read(path)
        if text is None:
            continue
        texts[path] = text
        for article_id in blocks_in(text):
            owner.setdefault(article_id, path)
    taken = {p.name.casefold() for p in names}
    written: list[Path] = []
    unchanged: list[Path] = []
    for entry in items:
        known = owner.get(entry.article_id)
        old = texts.get(known) if known is not None else None
        new = merge(old or "", [entry], fields_for([entry]))
        if known is not None and new == old:
            unchanged.append(known)
        elif known is not None:
            replace_file(known, new)
            written.append(known)
        else:
            fresh = folder / unique_name(entry, taken)
            while not create_file(fresh, new):  # a file of that name appeared meanwhile
                taken.add(fresh.name.casefold())
                fresh = folder / unique_name(entry, taken)
            taken.add(fresh.name.casefold())
            written.append(fresh)
    return Written(tuple(written), tuple(unchanged))


def write_file(path: Path, items: Sequence[Entry]) -> Written:
    """All the articles in one file; its generated parts are updated in place, the rest kept."""
    if not items:
        return Written((), ())
    old = _read(path) if path.exists() else ""
    if old is None:
        raise ExportError(f"cannot read {path}, so it is not overwritten")
    new = merge(old, items, fields_for(items))
    if new == old:
        return Written((), (path,))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot write to {path.parent}: {exc.strerror or exc}") from exc
    replace_file(path, new)
    return Written((path,), ())


def unique_name(entry: Entry, taken: set[str]) -> str:
    """A file name from the article's title: ASCII, no separators or reserved names, not one
    of `taken` (compared without case, as macOS and Windows do)."""
    from pathvalidate import is_valid_filename
    from slugify import slugify

    title = title_of(entry)
    stem = slugify(
        title,
        max_length=NAME_CHARS,
        word_boundary=True,
        save_order=True,
        backend="text-unidecode",  # "auto" tries to import another package on every call
    )
    stem = stem or "article"
    if not is_valid_filename(f"{stem}.md", platform="universal"):
        stem = f"{stem}-notes"  # CON, NUL, LPT1 ... on Windows
    name, n = f"{stem}.md", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}.md"
    return name


def _markdown_files(folder: Path) -> list[Path]:
    """The Markdown files of `folder` itself: regular files, no links (they may lead out)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in SUFFIXES and not p.is_symlink() and p.is_file()
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def create_file(path: Path, text: str) -> bool:
    """Write a new file; False if one of that name exists (it is left alone). No fsync: it
    holds nothing of the user's yet, and an export can always be run again; a file the user
    may have written in is replaced with `replace_file`."""
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        return False
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return True


def replace_file(path: Path, text: str) -> None:
    """Write `text` to `path` atomically and durably (a temp file beside it, fsync, rename):
    the file may hold text the user wrote."""
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            tmp = ""
        finally:
            if tmp:
                os.unlink(tmp)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
