"""Anchors: (start, end) <-> Anchor, and finding a highlight again when the body changes.

The steps follow the Hypothesis web annotator: the same body; the quote and its context
still at the stored offsets; the exact quote, occurrences ranked by context then distance;
the same with whitespace and typographic quotes, apostrophes and dashes folded ("ok": the
words are the same); a fuzzy match above `FUZZY_THRESHOLD` ("drifted"; rapidfuzz, imported
only then); else "orphan". A comma added or removed is a fuzzy match: "drifted".
"""

from __future__ import annotations

import hashlib
import logging
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator

import msgspec
from msgspec import structs

from reader import CLEANER_VERSION
from reader.models import Anchor, Highlight, Status

log = logging.getLogger(__name__)

CONTEXT = 48
"""Characters of context kept on each side of a quote (the spec says 32-64)."""

FUZZY_THRESHOLD = 75.0
"""Similarity (rapidfuzz's normalised InDel ratio, 0-100) a rewritten passage must exceed.

75 lets a sentence keep its place with a few words changed (three words of a 124-character
sentence: 89) and refuses another sentence of the same article on the same subject (44).
The match must also be 0.5 to 2 times as long as the quote.
"""

MIN_FUZZY = 4
"""Quotes with fewer non-blank characters are found exactly or not at all."""

WINDOW = 4096
"""How far from where a passage is expected the cheap searches look before the whole body."""

_SIDE = 16  # characters of context that pin a fuzzy match's ends when they are found as is
_SNAP = 24  # how far an end may move to reach a word boundary
_BUCKET = 64  # resolution, in characters, of the word votes that find far candidates
_COMMON = 64  # a word found more often than this says nothing about where a passage is
_VOTERS = 12  # the quote's longest words, which vote for where it went
_CONTEXT_WEIGHT = 10.0  # points added to a fuzzy score for a fully matching context

_FOLD: dict[str, str] = {
    **dict.fromkeys("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029", " "),
    **dict.fromkeys("\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008", " "),
    **dict.fromkeys("\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015", "-"),
}
"""One character for one: every space to " ", curly quotes and apostrophes to straight ones,
dashes to "-". The same length, so that only collapsed runs of spaces move offsets."""

_RUNS = re.compile(r" {2,}")
_WORDS = re.compile(r"\w{4,}")


def body_hash(body: str) -> str:
    """The body's identity: sha256 of its UTF-8 text, first 32 hex digits."""
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def make_anchor(body: str, start: int, end: int) -> Anchor:
    """The anchor of `body[start:end]`; raises ValueError unless 0 <= start < end <= len(body)."""
    if not 0 <= start < end <= len(body):
        raise ValueError(
            f"cannot highlight {start}..{end}: the passage must be non-empty and lie within "
            f"the body's {len(body)} characters"
        )
    return _anchor_on(body, start, end, body_hash(body))


def _anchor_on(body: str, start: int, end: int, digest: str) -> Anchor:
    return Anchor(
        start=start,
        end=end,
        quote=body[start:end],
        prefix=body[max(0, start - CONTEXT) : start],
        suffix=body[end : end + CONTEXT],
        body_hash=digest,
        cleaner=CLEANER_VERSION,
    )


class Resolution(msgspec.Struct, frozen=True):
    """Where an anchor sits on a body; an orphan keeps its old offsets, untouched."""

    start: int
    end: int
    status: Status


def resolve(anchor: Anchor, body: str, digest: str | None = None) -> Resolution:
    """Where `anchor` sits on `body` (digest = body_hash(body), passed in to avoid re-hashing)."""
    return _resolve(anchor, _Body(body, digest), anchor.start)


def reanchor(highlight: Highlight, body: str, digest: str | None = None) -> Highlight:
    """`highlight` moved onto `body`: the same object when nothing changed, else a new one.

    The new anchor is read from `body`, except that a drifted one keeps the quote the user
    marked; an orphan keeps its old anchor. `updated` is left alone: moving is not an edit.
    """
    return _reanchor(highlight, _Body(body, digest), highlight.start)


def reanchor_all(highlights: Iterable[Highlight], body: str) -> list[Highlight]:
    """All of them moved onto `body` (hashed once), in their order.

    Each is looked for first where its neighbours went: the shift of the last one found
    before it (among those anchored on the same old body) says where to expect it.
    """
    result = list(highlights)
    new_body = _Body(body)
    if all(h.body_hash == new_body.digest and h.status != "orphan" for h in result):
        return result  # the body they were made on: nothing moves (the common case)
    shifts: dict[str, int] = {}
    for i in sorted(range(len(result)), key=lambda i: result[i].start):
        old = result[i]
        new = _reanchor(old, new_body, old.start + shifts.get(old.body_hash, 0))
        if new.status != "orphan" and old.body_hash != new_body.digest:
            shifts[old.body_hash] = new.start - old.start
        result[i] = new
    return result


class _Body:
    """A body being anchored on, with what the slower steps build from it, built once."""

    __slots__ = ("text", "digest", "_folded")

    def __init__(self, text: str, digest: str | None = None) -> None:
        self.text = text
        self.digest = digest or body_hash(text)
        self._folded: _Folded | None = None

    @property
    def folded(self) -> _Folded:
        if self._folded is None:
            self._folded = _fold_body(self.text)
        return self._folded


def _reanchor(highlight: Highlight, new_body: _Body, expected: int) -> Highlight:
    old = highlight.anchor
    body = new_body.text
    found = _resolve(old, new_body, expected)
    if old.body_hash == new_body.digest:
        # Same body: a found highlight keeps its status; an orphan whose body came back is found.
        status = found.status if highlight.status == "orphan" else highlight.status
        return highlight if status == highlight.status else _replace(highlight, status=status)
    if found.status == "orphan":
        if highlight.status == "orphan":
            return highlight
        return _replace(highlight, status="orphan")
    anchor = _anchor_on(body, found.start, found.end, new_body.digest)
    if found.status == "drifted":
        anchor = structs.replace(anchor, quote=old.quote)  # what the user marked
    if anchor == old and found.status == highlight.status:
        return highlight
    return highlight.moved(anchor, status=found.status)


def _replace(highlight: Highlight, **changes: object) -> Highlight:
    return structs.replace(highlight, **changes)


def _resolve(anchor: Anchor, new_body: _Body, expected: int) -> Resolution:
    start, end, quote = anchor.start, anchor.end, anchor.quote
    body = new_body.text
    if anchor.body_hash == new_body.digest:
        return Resolution(start, end, "ok" if body[start:end] == quote else "drifted")
    if (
        body.startswith(quote, start)
        and body.startswith(anchor.prefix, start - len(anchor.prefix))
        and body.startswith(anchor.suffix, end)
    ):
        # The context too: a short quote may sit by chance where a shifted one was.
        return Resolution(start, end, "ok")
    expected = min(max(expected, 0), len(body))
    at = _find_exact(body, quote, anchor.prefix, anchor.suffix, expected)
    if at is not None:
        return Resolution(at, at + len(quote), "ok")
    span = _find_folded(anchor, new_body, expected)
    if span is not None:
        return Resolution(*span, "ok")
    if len(quote.strip()) >= MIN_FUZZY:
        span = _find_fuzzy(anchor, new_body, expected)
        if span is not None:
            log.debug("drifted: %r found at %d..%d", quote[:40], *span)
            return Resolution(*span, "drifted")
    log.debug("orphan: %r not found", quote[:40])
    return Resolution(start, end, "orphan")


# -- exact and folded ----------------------------------------------------------------


def _find_exact(text: str, quote: str, prefix: str, suffix: str, expected: int) -> int | None:
    """Start of the occurrence of `quote` with the best context, then the nearest `expected`."""
    if prefix or suffix:
        # A whole-context occurrence scores best: the nearest one wins without ranking.
        whole = _nearest(text, prefix + quote + suffix, expected - len(prefix))
        if whole is not None:
            return whole + len(prefix)
    best: tuple[int, int, int] | None = None
    for at in _occurrences(text, quote, 0, len(text)):
        # The spec's score is this sum over len(prefix) + len(suffix): the same order.
        common = _common_suffix(prefix, text, at) + _common_prefix(suffix, text, at + len(quote))
        key = (-common, abs(at - expected), at)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def _nearest(text: str, needle: str, center: int) -> int | None:
    """The occurrence of `needle` nearest `center`, searching a window first."""
    lo, hi = max(0, center - WINDOW), center + WINDOW + len(needle)
    for start, stop in ((lo, hi), (0, len(text))):
        found = min(
            _occurrences(text, needle, start, stop), key=lambda at: abs(at - center), default=None
        )
        if found is not None:
            return found  # one in the window is nearer than any outside it
    return None


def _occurrences(text: str, needle: str, start: int, stop: int) -> Iterator[int]:
    at = text.find(needle, start, stop)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1, stop)


def _common_suffix(context: str, text: str, end: int) -> int:
    """How many last characters of `context` also end `text[:end]`.

    Galloping (1, 2, 4 ... characters, then a binary search): most occurrences of a quote
    share a character or two of context, and cost two comparisons.
    """
    n, size = min(len(context), end), len(context)
    k = 1
    while k <= n and text.startswith(context[size - k :], end - k):
        k *= 2
    lo, hi = k // 2, min(k - 1, n)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text.startswith(context[size - mid :], end - mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_prefix(context: str, text: str, start: int) -> int:
    """How many first characters of `context` also start `text[start:]` (galloping too)."""
    n = min(len(context), len(text) - start)
    k = 1
    while k <= n and text.startswith(context[:k], start):
        k *= 2
    lo, hi = k // 2, min(k - 1, n)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text.startswith(context[:mid], start):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _fold_chars(text: str) -> str:
    # A chain of str.replace is ten times faster than str.translate on a long non-ASCII text.
    for char, plain in _FOLD.items():
        if char in text:
            text = text.replace(char, plain)
    return text


def _fold(text: str) -> str:
    return _RUNS.sub(" ", _fold_chars(text))


class _Folded(msgspec.Struct, frozen=True):
    """A body folded (see `_FOLD`, runs of spaces as one), with the way back to its offsets."""

    text: str
    at: list[int]  # where each collapsed run's one space is in `text`
    starts: list[int]  # where the run starts in the body
    ends: list[int]  # where it ends
    removed: list[int]  # characters removed up to the end of the run

    def to_body(self, j: int) -> int:
        i = bisect_right(self.at, j) - 1
        if i < 0:
            return j
        return self.starts[i] if self.at[i] == j else j + self.removed[i]

    def from_body(self, p: int) -> int:
        i = bisect_right(self.starts, p) - 1
        if i < 0:
            return p
        return self.at[i] if p < self.ends[i] else p - self.removed[i]


def _fold_body(body: str) -> _Folded:
    spaced = _fold_chars(body)
    at: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    removed: list[int] = []
    gone = 0
    for run in _RUNS.finditer(spaced):
        start, end = run.span()
        at.append(start - gone)
        starts.append(start)
        ends.append(end)
        gone += end - start - 1
        removed.append(gone)
    return _Folded(_RUNS.sub(" ", spaced), at, starts, ends, removed)


def _find_folded(anchor: Anchor, body: _Body, expected: int) -> tuple[int, int] | None:
    """The quote found with whitespace and typographic variants folded, as body offsets."""
    quote = _fold(anchor.quote)
    if not quote.strip():
        return None
    folded = body.folded
    prefix, suffix = _fold(anchor.prefix), _fold(anchor.suffix)
    at = _find_exact(folded.text, quote, prefix, suffix, folded.from_body(expected))
    if at is None:
        return None
    return folded.to_body(at), folded.to_body(at + len(quote) - 1) + 1


# -- fuzzy ---------------------------------------------------------------------------


def _find_fuzzy(anchor: Anchor, new_body: _Body, expected: int) -> tuple[int, int] | None:
    """A rewritten passage: near where it is expected, else where its rarer words went."""
    body = new_body.text
    n = len(anchor.quote)
    near = _align(anchor, body, expected - max(WINDOW // 2, n), expected + n + max(WINDOW // 2, n))
    if near is not None:
        return near[1], near[2]
    regions = list(_voted_regions(anchor.quote, body)) or [(0, len(body))]
    found = [span for lo, hi in regions if (span := _align(anchor, body, lo, hi)) is not None]
    if not found:
        return None
    best = max(found, key=lambda s: (s[0], -abs(s[1] - expected)))
    return best[1], best[2]


def _align(anchor: Anchor, body: str, lo: int, hi: int) -> tuple[float, int, int] | None:
    """(rank, start, end) of the best match of the quote within body[lo:hi], if good enough."""
    from rapidfuzz import fuzz  # 40 ms to import: only paid when a passage was rewritten

    quote = anchor.quote
    lo, hi = max(0, lo), min(len(body), hi)
    hit = fuzz.partial_ratio_alignment(quote, body[lo:hi], score_cutoff=FUZZY_THRESHOLD)
    if hit is None:
        return None
    # Stretch the aligned window by the parts of the quote it left out.
    rough = (
        max(0, lo + hit.dest_start - hit.src_start),
        min(len(body), lo + hit.dest_end + len(quote) - hit.src_end),
    )
    for start, end in (_refined(anchor, body, *rough), rough):
        if not 0.5 * len(quote) <= end - start <= 2 * len(quote):
            continue  # not a plausible length for this quote
        score = fuzz.ratio(quote, body[start:end])
        if score >= FUZZY_THRESHOLD:
            total = len(anchor.prefix) + len(anchor.suffix)
            common = _common_suffix(anchor.prefix, body, start)
            common += _common_prefix(anchor.suffix, body, end)
            return score + _CONTEXT_WEIGHT * common / max(total, 1), start, end
    return None


def _refined(anchor: Anchor, body: str, start: int, end: int) -> tuple[int, int]:
    """The ends moved to where the context resumes, or else to word boundaries."""
    slack = max(_SIDE, len(anchor.quote) // 4)
    quote, prefix, suffix = anchor.quote, anchor.prefix, anchor.suffix
    tail = prefix[-_SIDE:]
    if len(tail) >= 8 and (at := _nearest_in(body, tail, start - len(tail), slack)) is not None:
        start = at + len(tail)
    elif not prefix and start <= slack:
        start = 0
    elif quote[0].isalnum() and not (prefix and prefix[-1].isalnum()):
        start = _snap_start(body, start)
    head = suffix[:_SIDE]
    if len(head) >= 8 and (at := _nearest_in(body, head, end, slack)) is not None:
        end = at
    elif not suffix and len(body) - end <= slack:
        end = len(body)
    elif quote[-1].isalnum() and not (suffix and suffix[0].isalnum()):
        end = _snap_end(body, end)
    return start, end


def _nearest_in(text: str, needle: str, center: int, slack: int) -> int | None:
    places = _occurrences(text, needle, max(0, center - slack), center + slack + len(needle))
    return min(places, key=lambda at: abs(at - center), default=None)


def _snap_start(body: str, start: int) -> int:
    """`start` moved to the beginning of a word: back within one, or on past blanks."""
    k = start
    while k > 0 and body[k - 1].isalnum() and start - k < _SNAP:
        k -= 1
    if k == 0 or not body[k - 1].isalnum():
        start = k
    k = start
    while k < len(body) and not body[k].isalnum() and k - start < _SNAP:
        k += 1
    return k if k < len(body) and body[k].isalnum() else start


def _snap_end(body: str, end: int) -> int:
    """`end` moved to the end of a word: on within one, or back past blanks."""
    k = end
    while k < len(body) and body[k].isalnum() and k - end < _SNAP:
        k += 1
    if k == len(body) or not body[k].isalnum():
        end = k
    k = end
    while k > 0 and not body[k - 1].isalnum() and end - k < _SNAP:
        k -= 1
    return k if k > 0 and body[k - 1].isalnum() else end


def _voted_regions(quote: str, body: str, limit: int = 3) -> Iterator[tuple[int, int]]:
    """Up to `limit` regions of `body` where the quote's rarer words point, best first.

    Each place where one of the quote's longest words occurs votes for the quote starting
    that many characters earlier; words found more than `_COMMON` times do not vote.
    """
    votes: Counter[int] = Counter()
    words = sorted(_WORDS.finditer(quote), key=lambda m: -len(m.group()))[:_VOTERS]
    voters = 0
    for word in words:
        text = word.group()
        if body.count(text) > _COMMON:
            continue
        voters += 1
        for place in _occurrences(body, text, 0, len(body)):
            votes[(place - word.start()) // _BUCKET] += 1
    needed = 2 if voters >= 2 else 1
    taken: list[int] = []
    n = len(quote)
    for bucket, count in votes.most_common():
        if count < needed or len(taken) == limit:
            return
        if all(abs(bucket - other) > 1 + n // _BUCKET for other in taken):
            taken.append(bucket)
            yield bucket * _BUCKET - _BUCKET - n // 4, bucket * _BUCKET + _BUCKET + 2 * n
