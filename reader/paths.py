"""Where the data lives: the notes database, the cache, the default library (all overridable)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "article-reader"
DB_ENV = "READER_DB"
CACHE_ENV = "READER_CACHE_DIR"
DB_FILENAME = "notes.json"
ARTICLES_CACHE = "articles"  # in the cache folder: each article as cleaned
HIGHLIGHTS_CACHE = "highlights"  # in the cache folder: each article's highlights as read


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def data_dir() -> Path:
    """The user's data directory for the reader (not created here)."""
    import platformdirs  # lazy: only commands that store data pay for it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def db_path(
    arg: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The notes database: `arg` (--db), else $READER_DB, else notes.json in the data dir."""
    value = os.fspath(arg) if arg else _env(env).get(DB_ENV)
    if value:
        return Path(value).expanduser()
    return data_dir() / DB_FILENAME


def cache_dir(
    arg: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The cache directory: `arg`, else $READER_CACHE_DIR, else the user's cache dir."""
    value = os.fspath(arg) if arg else _env(env).get(CACHE_ENV)
    if value:
        return Path(value).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def sample_articles() -> Path:
    """The sample articles shipped with the package (or the repo's, in a source checkout)."""
    here = Path(__file__).resolve().parent
    shipped = here / "sample_articles"
    # An editable install runs from the source tree, where the samples sit in ../articles.
    return shipped if shipped.is_dir() else here.parent / "articles"


def default_library(cwd: Path | None = None) -> Path:
    """`./articles` if it exists, else the shipped sample articles."""
    local = (cwd or Path.cwd()) / "articles"
    return local if local.is_dir() else sample_articles()


_CACHE_TEMP = re.compile(r"\.reader-cache-[a-z0-9_]{8}\.tmp")  # tempfile.mkstemp's names
_OLD_CACHE_TEMP = re.compile(r"\.[a-z0-9_]{8}\.tmp")  # the names they had before
STALE_TEMP = 3600.0
"""Seconds after which a cache's temp file is a leftover (a write takes milliseconds)."""


def replace_cache_file(path: Path, data: bytes) -> None:
    """Write a file that can always be made again (a cache entry), whole or not at all: a temp
    file beside it, renamed over it, with no fsync. Raises OSError; no temp file is left
    (unless the process is killed meanwhile: `sweep_cache` removes it later)."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".reader-cache-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise


def remove_quietly(path: str) -> None:
    """Delete a file (a temp file left by a failed write) if it is there; errors are ignored."""
    try:
        os.unlink(path)
    except OSError:
        pass


def sweep_cache(cache: Path) -> int:
    """Remove the temp files that cache writes killed midway left in the cache folder `cache`
    and its entries' folders (only those `replace_cache_file` names, older than STALE_TEMP:
    another process's write may be under way now, but no write lasts that long). The names
    these temp files had before are swept too, in the entries' folders only (which nothing
    else writes; the cache folder itself may be one the user shares). Errors are ignored.
    Returns how many were removed."""
    removed, now = 0, time.time()
    current, current_or_old = (_CACHE_TEMP,), (_CACHE_TEMP, _OLD_CACHE_TEMP)
    for folder, names in (
        (cache, current),
        (cache / ARTICLES_CACHE, current_or_old),
        (cache / HIGHLIGHTS_CACHE, current_or_old),
    ):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not any(name.fullmatch(entry.name) for name in names):
                continue
            try:
                if entry.is_file(follow_symlinks=False):
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP:
                        os.unlink(entry.path)
                        removed += 1
            except OSError:
                pass
    return removed
