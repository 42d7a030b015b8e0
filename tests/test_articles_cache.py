"""The cache of cleaned articles: same article as cleaning, stale or damaged entries ignored."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reader import articles_cache
from reader.library import ArticleError, load_article

ARTICLES = Path(__file__).resolve().parent.parent / "articles"


@pytest.fixture
def article(tmp_path: Path) -> Path:
    (source,) = ARTICLES.glob("003_*.txt")
    return Path(shutil.copy(source, tmp_path / "a.txt"))


def test_cached_is_the_same_as_cleaned(article: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert articles_cache.cached_article(article, cache) is None
    first = articles_cache.open_article(article, cache)
    assert first == load_article(article)
    assert articles_cache.cached_article(article, cache) == first
    assert articles_cache.open_article(article, cache) == first


def test_an_edited_file_is_cleaned_again(article: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    articles_cache.open_article(article, cache)
    article.write_text("A new headline for the page\n\n" + "Un paragraphe tout neuf. " * 20)
    st = article.stat()
    os.utime(article, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert articles_cache.cached_article(article, cache) is None
    assert "Un paragraphe tout neuf." in articles_cache.open_article(article, cache).body


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"format": "other"}', b"\xff\xfe"])
def test_a_damaged_entry_is_ignored_and_rewritten(
    article: Path, tmp_path: Path, content: bytes
) -> None:
    cache = tmp_path / "cache"
    cleaned = articles_cache.open_article(article, cache)
    (entry,) = (cache / "articles").iterdir()
    entry.write_bytes(content)
    assert articles_cache.cached_article(article, cache) is None
    assert articles_cache.open_article(article, cache) == cleaned
    assert articles_cache.cached_article(article, cache) == cleaned


def test_errors_are_not_cached(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for _ in range(2):
        with pytest.raises(ArticleError, match="empty file"):
            articles_cache.open_article(empty, tmp_path / "cache")
    assert not (tmp_path / "cache" / "articles").exists()


def test_an_unwritable_cache_is_no_error(article: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    assert articles_cache.open_article(article, blocker) == load_article(article)
