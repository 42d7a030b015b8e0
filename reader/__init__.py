"""A terminal reader for saved articles: clean text, highlights, notes, Markdown export."""

from __future__ import annotations

__version__ = "0.1.0"

# Bumped whenever the cleaner's output may change: highlights remember the version they were
# made with, and caches of cleaned articles are keyed by it. Kept here, not in `reader.clean`,
# so that reading a cache does not import the cleaner.
CLEANER_VERSION = "3"
