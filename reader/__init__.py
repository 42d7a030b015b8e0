"""A terminal reader for saved articles: clean text, highlights, notes, Markdown export."""

from __future__ import annotations

__version__ = "0.1.0"
