"""The library list: a summary per article file, cached by path, size, mtime and cleaner version."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader import CLEANER_VERSION, __version__
from reader.layout import lead
from reader.library import ArticleError, LibraryEntry, library_root, read_text, scan, to_article
from reader.paths import replace_cache_file

log = logging.getLogger(__name__)

CACHE_FORMAT = "article-reader/list-cache"
CACHE_VERSION = 2
"""Bump when what a summary holds, or how files are read, changes."""
POOL_MIN_FILES = 64
"""Below this many files to read, a process pool costs more than it saves."""

Fields = dict[str, str | None]
_FIELDS = ("title", "date", "source", "language", "error", "lead")


@dataclass(frozen=True, slots=True)
class Summary:
    """One row of the library list; `error` is the reason a file is not an article, or None."""

    id: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    language: str | None = None
    error: str | None = None
    lead: str | None = None  # the body's first words, for an article without a title
    highlights: int = 0  # from the store: see `with_counts`

    def to_dict(self) -> dict[str, str | int | None]:
        """The shape of one item of `reader list --json`."""
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "highlights": self.highlights,
            "language": self.language,
            "error": self.error,
        }


def summarize(path: str) -> tuple[Fields, tuple[int, int] | None]:
    """Read and clean one file -> (summary fields, (size, mtime_ns) read if cacheable, or None)."""
    try:
        doc = read_text(Path(path))
        article = to_article(doc)
    except ArticleError as exc:
        # A file that could not be opened may become readable without changing its mtime.
        return {"error": exc.reason}, None if exc.unreadable else _stamp(path)
    except Exception as exc:  # a cleaner bug must not hide the rest of the library
        log.debug("cleaning %s failed", path, exc_info=True)
        return {"error": f"internal error: {type(exc).__name__} (please report it)"}, None
    fields: Fields = {
        "title": article.title,
        "date": article.date,
        "source": article.source,
        "language": article.language,
        "lead": lead(article.body),
    }
    # The stamp of what was read, not of the scan: a file changed in between is not cached stale.
    return fields, (doc.size, doc.mtime_ns)


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


Progress = Callable[[int, int], None]
"""Told (done, total) as files are read: for a progress bar."""


def list_library(
    path: Path,
    cache_dir: Path | None,
    workers: int | None = None,
    progress: Progress | None = None,
    first: int | None = None,
) -> list[Summary]:
    """Summaries of the articles under `path` (a folder or one file), reusing the cache.

    With `first`, only the first that many articles (in list order): what a screen shows
    while the rest is read.
    """
    root, single = library_root(path)
    entries = scan(path, None if first is None else first + 1)
    partial = first is not None and first < len(entries)
    entries = entries[:first]
    cache_file = cache_path(cache_dir, root) if cache_dir is not None else None
    cached = _load_cache(cache_file) if cache_file is not None else {}
    keys = [os.path.abspath(entry.path) for entry in entries]

    found: dict[str, Fields] = {}
    todo: list[str] = []
    for entry, key in zip(entries, keys, strict=True):
        fields = _valid(cached.get(key), entry, CLEANER_VERSION)
        if fields is None:
            todo.append(key)
        else:
            found[key] = fields

    fresh: dict[str, dict[str, Any]] = {}
    results = _summarize_all(todo, workers, progress)
    for key, (fields, stamp) in zip(todo, results, strict=True):
        found[key] = fields
        if stamp is not None and _storable(key):
            size, mtime_ns = stamp
            fresh[key] = {"size": size, "mtime_ns": mtime_ns, "cleaner": CLEANER_VERSION, **fields}

    if cache_file is not None:
        # After a whole folder was scanned, files that are gone leave the cache too.
        if single is not None or partial:
            kept = cached
        else:
            kept = {k: cached[k] for k in keys if k in cached}
        if fresh or len(kept) != len(cached):
            _save_cache(cache_file, {**kept, **fresh})

    return [
        Summary(
            entry.id,
            title=found[key].get("title"),
            date=found[key].get("date"),
            source=found[key].get("source"),
            language=found[key].get("language"),
            error=found[key].get("error"),
            lead=found[key].get("lead"),
        )
        for entry, key in zip(entries, keys, strict=True)
    ]


def _valid(record: object, entry: LibraryEntry, cleaner_version: str) -> Fields | None:
    """The cached fields if `record` matches the file as it is now, else None."""
    if not isinstance(record, dict):
        return None
    if (
        record.get("size") != entry.size
        or record.get("mtime_ns") != entry.mtime_ns
        or record.get("cleaner") != cleaner_version
    ):
        return None
    fields: Fields = {}
    for name in _FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return None  # a foreign or damaged record: compute it again
        fields[name] = value
    return fields


def _summarize_all(
    paths: list[str], workers: int | None, progress: Progress | None = None
) -> list[tuple[Fields, tuple[int, int] | None]]:
    """`summarize` each path, across CPUs when there are many."""
    workers = workers or _cpu_count()
    # Only from the main thread: a process pool started from another thread (the reading
    # app's worker) can copy held locks, and a resource tracker cannot start when stderr is
    # not a real file (Textual replaces it). The app reads the first screenful first anyway.
    main_thread = threading.current_thread() is threading.main_thread()
    if workers > 1 and len(paths) >= POOL_MIN_FILES and main_thread:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        import reader.clean  # noqa: F401  (imported once here, inherited by forked workers)

        chunk = max(1, min(64, len(paths) // (workers * 8)))
        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                return _counted(pool.map(summarize, paths, chunksize=chunk), len(paths), progress)
        except (OSError, ValueError, BrokenProcessPool) as exc:
            log.warning("parallel reading failed (%s); reading in one process", exc)
    return _counted(map(summarize, paths), len(paths), progress)


def _counted(
    results: Iterable[tuple[Fields, tuple[int, int] | None]], total: int, progress: Progress | None
) -> list[tuple[Fields, tuple[int, int] | None]]:
    """The results as a list, telling `progress` about every hundredth."""
    done: list[tuple[Fields, tuple[int, int] | None]] = []
    for result in results:
        done.append(result)
        if progress is not None and (len(done) % 100 == 0 or len(done) == total):
            progress(len(done), total)
    return done


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _storable(key: str) -> bool:
    """A path that JSON can hold (an undecodable file name holds surrogates)."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def cache_path(cache_dir: Path, root: Path) -> Path:
    """The cache file for the library folder `root` (one file per folder)."""
    digest = hashlib.sha256(os.fsencode(os.path.abspath(root))).hexdigest()[:20]
    return cache_dir / f"list-{digest}.json"


def _load_cache(path: Path) -> dict[str, Any]:
    """The cached records by absolute path; {} if the file is missing, corrupt or foreign."""
    import orjson

    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, orjson.JSONDecodeError) as exc:
        log.info("ignoring the list cache %s: %s", path, exc)
        return {}
    if (
        not isinstance(data, dict)
        or data.get("format") != CACHE_FORMAT
        or data.get("version") != CACHE_VERSION
        or data.get("reader") != __version__
        or not isinstance(data.get("entries"), dict)
    ):
        log.info("ignoring the list cache %s: another format or version", path)
        return {}
    entries: dict[str, Any] = data["entries"]
    return entries


def _save_cache(path: Path, entries: dict[str, Any]) -> None:
    """Write the cache atomically (temp file + rename); failing to write it is not an error."""
    import orjson

    payload = orjson.dumps(
        {
            "format": CACHE_FORMAT,
            "version": CACHE_VERSION,
            "reader": __version__,
            "entries": entries,
        }
    )
    try:
        replace_cache_file(path, payload)
    except OSError as exc:
        log.warning("could not write the list cache %s: %s", path, exc)


def with_counts(summaries: Iterable[Summary], counts: dict[str, int]) -> list[Summary]:
    """The summaries with their number of highlights (`Store.highlight_counts()`)."""
    return [dataclasses.replace(s, highlights=counts.get(s.id, 0)) for s in summaries]
