"""Cleaned articles kept on disk, so that opening one again skips reading and cleaning it."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import orjson

from reader import CLEANER_VERSION
from reader.library import load_article
from reader.models import Article, Block
from reader.paths import ARTICLES_CACHE, replace_cache_file

log = logging.getLogger(__name__)

FORMAT = "article-reader/article"
VERSION = 1
_KINDS = frozenset(("paragraph", "heading", "quote"))


def open_article(path: Path, cache_dir: Path | None) -> Article:
    """`library.load_article(path)`, from the cache when the file has not changed since.

    Raises `ArticleError` as `load_article` does; a damaged cache entry is read anew.
    """
    if cache_dir is None:
        return load_article(path)
    stamp = _stamp(path)
    if stamp is None:
        return load_article(path)  # gives the reason
    entry = _entry_path(cache_dir, path)
    cached = _read(entry, stamp)
    if cached is not None:
        return cached
    article = load_article(path)
    _write(entry, stamp, article)
    return article


def cached_article(path: Path, cache_dir: Path | None) -> Article | None:
    """The cleaned article if the cache has it for the file as it is now, else None.

    Cheap (one stat, one small read, no cleaning): fit for the screen's own thread.
    """
    stamp = _stamp(path) if cache_dir is not None else None
    if cache_dir is None or stamp is None:
        return None
    return _read(_entry_path(cache_dir, path), stamp)


def _stamp(path: Path) -> dict[str, Any] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "cleaner": CLEANER_VERSION}


def _entry_path(cache_dir: Path, path: Path) -> Path:
    key = hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()[:32]
    return cache_dir / ARTICLES_CACHE / f"{key}.json"


def _read(entry: Path, stamp: dict[str, Any]) -> Article | None:
    try:
        data = orjson.loads(entry.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    try:
        if data["format"] != FORMAT or data["version"] != VERSION:
            return None
        if any(data[key] != value for key, value in stamp.items()):
            return None
        blocks = tuple(Block(kind, text) for kind, text in data["blocks"] if kind in _KINDS)
        meta = {key: data[key] for key in ("title", "author", "date", "source", "language")}
        if not all(value is None or isinstance(value, str) for value in meta.values()):
            return None
        return Article(**meta, blocks=blocks)
    except (KeyError, TypeError, ValueError):
        return None


def _write(entry: Path, stamp: dict[str, Any], article: Article) -> None:
    """Write one entry atomically; a cache that cannot be written is no error."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        **stamp,
        "title": article.title,
        "author": article.author,
        "date": article.date,
        "source": article.source,
        "language": article.language,
        "blocks": [[block.kind, block.text] for block in article.blocks],
    }
    try:
        replace_cache_file(entry, orjson.dumps(data))
    except OSError as exc:
        log.debug("article cache not written: %s", exc)
