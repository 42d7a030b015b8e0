"""Writing notes out: which highlights, which file names, and files written safely and only
when they change (the Markdown itself is `reader.markdown`)."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader.markdown import Entry, Rendered, blocks_in, fields_for, merge, render
from reader.models import Article, Highlight
from reader.paths import remove_quietly
from reader.store import Store, StoreError

NAME_CHARS = 80
# Slugs are made of a-z, 0-9 and "-": the only unsafe ones left are Windows device names.
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{d}{n}" for d in ("com", "lpt") for n in range(10)]
)
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


def article_loader(root: Path, cache_dir: Path | None) -> Callable[[str], Article | None]:
    """A function giving the cleaned article of an id, or None: missing, unreadable, or an
    id that leads out of the library (ids in the store may come from an imported file)."""
    from reader import articles_cache
    from reader.library import ArticleError

    def load(article_id: str) -> Article | None:
        relative = Path(article_id)
        if relative.is_absolute() or ".." in relative.parts:
            return None
        path = root / relative
        if not path.is_file():
            return None
        try:
            return articles_cache.open_article(path, cache_dir)
        except ArticleError:
            return None

    return load


PARALLEL_BYTES = 4_000_000
"""Highlight files of more than this, in all, are read and rendered by several processes."""


def render_store(
    db: Path, root: Path, cache_dir: Path | None, filters: Filters
) -> Iterator[Rendered]:
    """Every article's notes that pass `filters`, rendered; the same store gives the same
    order (article ids in order within each part of the store).

    A large store is split by highlight file into parts rendered by processes (one per
    core): each reads its part of the store and its articles; only text comes back, and
    the first parts can be written while the others are still being rendered.
    """
    cores = max(1, min(os.cpu_count() or 1, 8))
    if cores == 1 or _store_bytes(db) <= PARALLEL_BYTES:
        yield from _render_part(db, root, cache_dir, filters, (0, 1))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    parts = cores * 4
    with ProcessPoolExecutor(
        max_workers=cores,
        mp_context=context,
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futures = [
            pool.submit(_render_part, db, root, cache_dir, filters, (i, parts))
            for i in range(parts)
        ]
        for future in futures:
            yield from future.result()


def _die_with_parent(parent: int) -> None:
    """(In a worker.) Ask the kernel to end this process when the export that started it
    ends, killed or not: left alone it would wait on its pipe forever."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # it died before the request was made
            os._exit(1)


def _render_part(
    db: Path, root: Path, cache_dir: Path | None, filters: Filters, part: tuple[int, int]
) -> list[Rendered]:
    highlights = Store(db).all_highlights(part)
    return [render(e) for e in entries(highlights, filters, article_loader(root, cache_dir))]


def _store_bytes(db: Path) -> int:
    try:
        with os.scandir(f"{db}.highlights") as found:
            return sum(e.stat().st_size for e in found if e.name.endswith(".json"))
    except OSError:
        return 0


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


def write_folder(folder: Path, items: Iterable[Rendered]) -> Written:
    """One file per article in `folder`: an article's file is found again by the marker in
    it; a new one is named from the title, never over a file of someone else's."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _sweep(folder)
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
        new = merge(old or "", [entry], entry.fields)
        if known is not None and new == old:
            unchanged.append(known)
        elif known is not None:
            replace_file(known, new)
            written.append(known)
        else:
            fresh = folder / unique_name(entry.title, taken)
            while not create_file(fresh, new):  # a file of that name appeared meanwhile
                taken.add(fresh.name.casefold())
                fresh = folder / unique_name(entry.title, taken)
            taken.add(fresh.name.casefold())
            written.append(fresh)
    return Written(tuple(written), tuple(unchanged))


def write_file(path: Path, items: Sequence[Rendered]) -> Written:
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


def unique_name(title: str, taken: set[str]) -> str:
    """A file name from an article's title: ASCII, no separators or reserved names, not one
    of `taken` (compared without case, as macOS and Windows do)."""
    from slugify import slugify

    stem = slugify(
        title,
        max_length=NAME_CHARS,
        word_boundary=True,
        save_order=True,
        backend="text-unidecode",  # "auto" tries to import another package on every call
    )
    stem = stem or "article"
    if stem in _RESERVED:
        stem = f"{stem}-notes"  # a device name on Windows, whatever the extension
    name, n = f"{stem}.md", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}.md"
    return name


_LEFTOVER = re.compile(r"\..+\.(md|markdown)\.\w+\.tmp")


def _sweep(folder: Path) -> None:
    """Remove the temporary files of an export that was killed while writing."""
    for entry in os.scandir(folder):
        if _LEFTOVER.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            remove_quietly(entry.path)


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
    """Write a new file whole or not at all; False if one of that name exists (it is left
    alone). It is written aside and then linked in, which fails if the name is taken: a kill
    or a full disk never leaves a part of a file. No fsync: it holds nothing of the user's
    yet and an export can be run again; a file the user may have written in is replaced
    with `replace_file`, which syncs."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        try:
            os.link(tmp, path)  # atomic, and never over an existing file
        except FileExistsError:
            return False
        except OSError:  # no hard links here (FAT, some network file systems)
            if path.exists():
                return False
            os.replace(tmp, path)
            tmp = ""
        return True
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp:
            remove_quietly(tmp)


def replace_file(path: Path, text: str | bytes) -> None:
    """Write `text` (UTF-8 bytes, or a str to encode) to `path` atomically and durably (a
    temp file beside it, fsync, rename): the file may hold text the user wrote."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            tmp = ""
        finally:
            if tmp:
                remove_quietly(tmp)  # a failed unlink must not hide why the write failed
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
