"""Where the story is among a page's lines, and which of its lines stay, as what blocks."""

from __future__ import annotations

from reader import lexicon
from reader.clean.lines import (
    _DIGIT,
    _NUMBERISH,
    Line,
    _ends_sentence,
    _is_credit,
    _is_heading_like,
    _is_quote,
    _is_sentence,
)
from reader.clean.meta import Metadata
from reader.models import Block

MEDIA_LINES = 4  # lines a photo or video block between a subheading and its text may take

RELATED_SHARE = 0.25  # at most this share of the prose may follow a related-links header

GAP_LIMIT = 20.0  # how much furniture a gap inside the story may hold (see _GAP_COST)
JUNK_WEIGHT = 20  # characters of prose that one furniture line inside a cluster outweighs


def _main_run(lines: list[Line]) -> tuple[int | None, int | None]:
    """The first and last index of the story: the heaviest cluster of sentence-rich lines."""
    anchors = [i for i, line in enumerate(lines) if line.kind == "good"]
    if not anchors:
        anchors = [i for i, line in enumerate(lines) if line.kind == "near"]
    if not anchors:
        # No prose at all (a list, a poem, a very short note): keep the short sentences.
        anchors = [i for i, line in enumerate(lines) if line.kind == "short" and line.words]
        if not anchors:
            return None, None
    clusters: list[list[int]] = [[anchors[0]]]
    for prev, cur in zip(anchors, anchors[1:], strict=False):
        cost = 0.0
        for line in lines[prev + 1 : cur]:
            cost += _GAP_COST.get(line.kind, 1.0)
        if cost <= GAP_LIMIT:
            clusters[-1].append(cur)
        else:
            clusters.append([cur])

    def mass(cluster: list[int]) -> int:
        # Prose weighs by its length; each line of furniture inside the cluster weighs against.
        total = 0
        for line in lines[cluster[0] : cluster[-1] + 1]:
            total += len(line.text) if line.kind in ("good", "near") else -JUNK_WEIGHT
        return total

    best = max(clusters, key=mass)
    first, last = best[0], best[-1]
    last = _cut_at_break(lines, first, last)
    return _extend(lines, first, -1, EXTEND_BACK), last


EXTEND_BACK = 3


def _extend(lines: list[Line], edge: int, step: int, budget: int) -> int:
    """Take in the story's lede: prose just outside the run, across a little furniture, up
    to a heading (the title) or a section break."""
    i = edge + step
    cost = 0
    while 0 <= i < len(lines) and budget > 0:
        line = lines[i]
        if line.kind == "good" or (
            line.kind in ("near", "short") and _is_sentence(line) and line.text[-1] not in "!?"
        ):
            edge = i
        elif line.kind in ("debris", "name") and cost < budget:
            cost += 1
        else:
            break
        i += step
    return edge


_GAP_COST = {
    "near": -0.5,
    "notice": 1.0,
    "short": 0.6,
    "name": 1.0,
    "debris": 1.0,
    "teaser": 1.5,
    "bad": 1.5,
    "break": 4.0,
    "good": 0.0,
}


def _cut_at_break(lines: list[Line], first: int, last: int) -> int:
    """End the story at a comments header once most of the story is behind.

    A related-links header ends it only when little prose follows: a box of links may sit
    inside a story, which then goes on; teasers after a story are short."""
    total = sum(len(line.text) for line in lines[first : last + 1] if line.kind in ("good", "near"))
    seen = 0
    for i in range(first, last + 1):
        line = lines[i]
        if line.kind in ("good", "near"):
            seen += len(line.text)
        elif (line.form == "comments" and seen >= 0.5 * total) or (
            line.form == "related" and seen >= (1 - RELATED_SHARE) * total
        ):
            end = i - 1
            while end > first and lines[end].kind not in ("good", "near"):
                end -= 1
            return end
    return last


TAIL_GAP = 3  # furniture lines that part the story from an appendix
TAIL_SHARE = 0.25  # an appendix holds less than this share of the kept text


def _trim_tail(lines: list[Line], keep: set[int]) -> set[int]:
    """Drop an appendix: a little prose after a wall of furniture at the end of the story
    (an author's bio, a teaser, a newsletter box, a legal notice)."""
    order = sorted(keep)
    total = sum(len(lines[i].text) for i in order)
    after = total
    for prev, cur in zip(order, order[1:], strict=False):
        after -= len(lines[prev].text)
        if cur - prev - 1 >= TAIL_GAP and after < TAIL_SHARE * total:
            return {i for i in order if i < cur}
    return keep


_JUNK = frozenset(("debris", "name", "teaser", "bad", "break", "notice"))


def _junk(lines: list[Line], i: int) -> bool:
    return 0 <= i < len(lines) and lines[i].kind in _JUNK


def _is_media(lines: list[Line], i: int) -> bool:
    """A line of a photo or video block: a credit, a counter or duration, a caption shown
    twice, or a video's title right before its duration."""
    line = lines[i]
    if line.kind not in ("debris", "name", "short"):
        return False
    text, words = line.text, line.words
    if _is_credit(text, words) or (line.repeated and len(words) >= 4 and _ends_sentence(text)):
        return True
    if _DIGIT.search(text) and _NUMBERISH.match(text):
        return True
    if line.kind == "short" and i + 1 < len(lines):  # a video's title before its duration
        after = lines[i + 1].text
        return bool(_DIGIT.search(after) and _NUMBERISH.match(after))
    return False


def _select(lines: list[Line], first: int, last: int) -> set[int]:
    """Which lines of the main run are story: prose, subheadings, quotes and attributions."""
    keep: set[int] = set()
    for i in range(first, last + 1):
        line = lines[i]
        if line.kind == "good":
            keep.add(i)
        elif line.kind == "near":
            # a caption or a teaser: middling prose with furniture on both sides
            if not (_junk(lines, i - 1) and _junk(lines, i + 1)):
                keep.add(i)
        elif line.kind == "short" and _is_sentence(line) and not line.text.endswith(":"):
            # jusText's context rule: a short sentence belongs to the story only beside prose.
            prose = {"good", "near", "short"}
            if lexicon.furniture_hits(line.words) <= 1 and (
                (i > 0 and lines[i - 1].kind in prose)
                or (i + 1 < len(lines) and lines[i + 1].kind in prose)
            ):
                keep.add(i)
    # Where a byline may stand: up to the story's second paragraph. A name-like line after it
    # is a subheading in title case ("Rising Food Prices").
    goods = [i for i in range(first, last + 1) if lines[i].kind == "good"]
    byline_end = goods[1] if len(goods) > 1 else last
    # Subheadings: a heading-like line followed by kept prose (maybe past a photo's caption
    # and credit). Two or more headings in a row are a list of links (teasers), not a
    # subheading.
    for i in range(first + 1, last):
        line = lines[i]
        if i in keep or not _is_heading_like(line) or _is_media(lines, i):
            continue
        if line.kind != "short" and not (line.kind == "name" and i > byline_end):
            continue
        after = i + 1
        if len(lines[after].words) >= 2 and _is_credit(lines[after].text, lines[after].words):
            continue  # a caption, with its credit
        while after < min(last, i + 1 + MEDIA_LINES) and _is_media(lines, after):
            after += 1
        before = i - 1
        if (
            after in keep
            and lines[after].kind in ("good", "near")
            and (
                before in keep
                or lines[before].kind != "short"
                or not _is_heading_like(lines[before])
            )
            and lexicon.furniture_hits(line.words) * 2 < len(line.words)
        ):
            keep.add(i)
    # A quotation's attribution: a short name-like line right after a quoted line.
    for i in range(first + 1, last + 1):
        line = lines[i]
        prev = lines[i - 1]
        if (
            i not in keep
            and i - 1 in keep
            and line.kind in ("short", "name")
            and not line.repeated
            and _is_quote(prev.text)
            and len(line.words) <= 8
            and not line.text.endswith((".", ":"))
            and not _is_credit(line.text, line.words)
        ):
            keep.add(i)
    return keep


def _blocks(lines: list[Line], keep: set[int], meta: Metadata) -> list[Block]:
    """Kept lines as blocks; a quote takes its attribution line along."""
    blocks: list[Block] = []
    order = sorted(keep)
    skip: set[int] = set()
    for pos, i in enumerate(order):
        if i in skip:
            continue
        line = lines[i]
        text = line.text
        if pos == 0:
            text = meta.strip_date_prefix(text)
        nxt = order[pos + 1] if pos + 1 < len(order) else None
        if line.kind in ("short", "name") and _is_heading_like(line) and not _is_sentence(line):
            blocks.append(Block("heading", text))
        elif _is_quote(text):
            if (
                nxt == i + 1
                and lines[nxt].group == line.group
                # joined by the one newline between them: a piece of the input only if
                # neither line was stripped of spaces there
                and not line.padded
                and not lines[nxt].padded
                and lines[nxt].kind != "good"
                and not _is_quote(lines[nxt].text)
                and len(lines[nxt].words) <= 8
            ):
                blocks.append(Block("quote", f"{text}\n{lines[nxt].text}"))
                skip.add(nxt)
            else:
                blocks.append(Block("quote", text))
        else:
            blocks.append(Block("paragraph", text))
    return blocks
