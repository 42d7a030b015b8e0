"""Where the data lives: the notes database, the cache, the default library (all overridable)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "article-reader"
DB_ENV = "READER_DB"
CACHE_ENV = "READER_CACHE_DIR"
DB_FILENAME = "notes.json"


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


def replace_cache_file(path: Path, data: bytes) -> None:
    """Write a file that can always be made again (a cache entry), whole or not at all: a temp
    file beside it, renamed over it, with no fsync. Raises OSError; no temp file is left."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
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
