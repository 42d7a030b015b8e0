"""Language detection and stop words, from jusText's stop-word lists (no jusText import needed)."""

from __future__ import annotations

import importlib.util
import logging
import re
from collections import Counter
from functools import cache
from itertools import islice
from pathlib import Path

log = logging.getLogger(__name__)

# ISO 639-1 code -> jusText's list name. Latin, Cyrillic and Greek script languages common on
# the web; a page in another language is still cleaned, with the layout features alone.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "cs": "Czech",
    "sk": "Slovak",
    "sv": "Swedish",
    "da": "Danish",
    "nb": "Norwegian_Bokmal",
    "fi": "Finnish",
    "hu": "Hungarian",
    "ro": "Romanian",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "hr": "Croatian",
    "sl": "Slovenian",
    "ca": "Catalan",
    "el": "Greek",
    "id": "Indonesian",
}

# How many of a list's most frequent words vote in language detection: the head of each list
# is what tells languages apart; its tail is long and shared.
DETECTION_WORDS = 120

WORD = re.compile(r"[^\W\d_]+")


@cache
def _stoplist_dir() -> Path | None:
    """jusText's stoplists folder, found without importing jusText (which imports lxml)."""
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "stoplists"
    return folder if folder.is_dir() else None


def _read_list(name: str, limit: int | None = None) -> list[str]:
    """A jusText list's words, lower-cased, most frequent first (the first `limit` lines)."""
    folder = _stoplist_dir()
    if folder is None:
        log.warning("jusText's stop-word lists are missing: cleaning without them")
        return []
    with (folder / f"{name}.txt").open(encoding="utf-8") as file:
        lines = list(islice(file, limit))  # detection reads 120 lines of lists of thousands
    words: dict[str, None] = {}
    for line in lines:
        for word in WORD.findall(line.lower()):
            words.setdefault(word, None)
    return list(words)


@cache
def stopwords(language: str | None) -> frozenset[str]:
    """The stop words of `language` (an ISO 639-1 code); empty when unknown."""
    name = LANGUAGES.get(language or "")
    return frozenset(_read_list(name)) if name else frozenset()


_CODES = tuple(LANGUAGES)


# A vote is this many units, shared out in whole units among the languages a word belongs to:
# integer sums do not depend on the order of addition, so neither does the result.
_VOTE = 720720  # divisible by 1..16


@cache
def _votes() -> dict[str, tuple[tuple[int, int], ...]]:
    """word -> (language index, units of the word's vote) for each list whose head holds it."""
    votes: dict[str, list[int]] = {}
    for index, name in enumerate(LANGUAGES.values()):
        for word in _read_list(name, DETECTION_WORDS):
            votes.setdefault(word, []).append(index)
    return {
        word: tuple((index, _VOTE // len(indices)) for index in indices)
        for word, indices in votes.items()
    }


def detect(words: list[str], *, minimum: int = 5) -> str | None:
    """The language whose frequent words are most frequent in `words` (lower-cased), or None.

    A word shared by several languages gives each a fraction of a vote; words in no list
    (numbers, names) do not vote. Fewer than `minimum` votes in all means the text is too
    short or in another language.
    """
    table = _votes()
    counts = Counter(words)
    tally = [0] * len(_CODES)
    total = 0
    for word in counts.keys() & table.keys():
        count = counts[word]
        total += count
        for index, units in table[word]:
            tally[index] += units * count
    if total < minimum:
        return None
    return _CODES[tally.index(max(tally))]  # ties go to the first language listed
