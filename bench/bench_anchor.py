"""Re-anchoring 1,000 highlights on an edited 100 KB body: median time of several runs.

    .venv/bin/python bench/bench_anchor.py [--runs 7] [--seed 1] [--edited 0.05]

The body is made of the sample articles' paragraphs, then copies of them with 30% of the
words swapped (long passages do not repeat; a word or two still does, so a short highlight
of a deleted paragraph may be found "ok" elsewhere). 1,000 highlights, a word to a few
sentences long, are made at random places. 5% of the paragraphs are then edited: a new
paragraph inserted before, deleted, rewritten (three words changed) or lengthened.
`reanchor_all` is timed on the edited body (process CPU time, so that another program on
the machine does not count; the first run also imports rapidfuzz). Printed: the counts per
status, how many highlights of untouched paragraphs were found at their exact new offsets,
and the median time. Target: <= 200 ms.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reader.anchor import make_anchor, reanchor_all  # noqa: E402
from reader.models import Highlight  # noqa: E402

TARGET_MS = 200.0
SIZE = 100_000
HIGHLIGHTS = 1_000
EDITED = 0.05
KINDS = ("insert", "delete", "rewrite", "lengthen")


def paragraphs(rng: random.Random) -> list[str]:
    """About SIZE characters of paragraphs: the samples' own, then copies with words swapped."""
    source = [
        " ".join(p.split())
        for path in sorted((HERE.parent / "articles").glob("*.txt"))
        for p in path.read_text("utf-8").splitlines()
        if len(p.split()) >= 12
    ]
    vocabulary = sorted({w for p in source for w in p.split() if len(w) >= 4})
    out: list[str] = []
    size = 0
    while size < SIZE:
        p = source[len(out) % len(source)]
        if len(out) >= len(source):  # a copy: 30% of its words swapped, so no passage repeats
            p = " ".join(rng.choice(vocabulary) if rng.random() < 0.3 else w for w in p.split())
        out.append(p)
        size += len(p) + 2
    return out


def make_highlights(body: str, rng: random.Random) -> list[Highlight]:
    """HIGHLIGHTS highlights from a word's start to a word's end, 1 to ~300 characters."""
    starts = [m.start() for m in re.finditer(r"(?<!\w)\w", body)]
    ends = [m.end() for m in re.finditer(r"\w(?!\w)", body)]
    made = []
    for i in range(HIGHLIGHTS):
        start = rng.choice(starts)
        length = rng.choice([1, 8, 30, 60, 120, 200, 300])
        end = ends[min(bisect_left(ends, start + length), len(ends) - 1)]
        made.append(Highlight.at(make_anchor(body, start, end), f"h{i}", "bench"))
    return made


class Edited(NamedTuple):
    """The edited paragraphs, where each untouched old one went (or None), and what was done."""

    paras: list[str]
    where: list[int | None]
    kinds: Counter[str]


def edit(paras: list[str], share: float, rng: random.Random) -> Edited:
    """The paragraphs with `share` of them inserted before, deleted, rewritten or lengthened."""
    out: list[str] = []
    where: list[int | None] = []
    kinds: Counter[str] = Counter()
    for p in paras:
        kind = rng.choice(KINDS)
        if rng.random() >= share:
            kind = "same"
        kinds[kind] += 1
        if kind == "insert":
            out.append("Un paragraphe nouveau, ajouté par l'auteur après coup. " * 3)
        where.append(len(out) if kind in ("same", "insert") else None)
        words = p.split()
        if kind == "rewrite":
            for k in rng.sample(range(len(words)), k=min(3, len(words))):
                words[k] = "remplacé"
        elif kind == "lengthen":
            words.insert(len(words) // 2, "(précision ajoutée en passant)")
        if kind != "delete":
            out.append(" ".join(words))
    return Edited(out, where, kinds)


def right_places(paras: list[str], edited: Edited, pairs: list[tuple[Highlight, Highlight]]) -> str:
    """How many highlights inside untouched paragraphs were found exactly where they went."""
    old, new = _offsets(paras), _offsets(edited.paras)
    checked = right = 0
    for before, after in pairs:
        i = bisect_right(old, before.start) - 1
        j = edited.where[i]
        if j is None or before.end > old[i] + len(paras[i]):
            continue  # in an edited paragraph, or across two
        checked += 1
        right += after.status == "ok" and after.start == new[j] + before.start - old[i]
    return f"{right} of {checked}"


def _offsets(paras: list[str]) -> list[int]:
    return list(accumulate((len(p) + 2 for p in paras[:-1]), initial=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edited", type=float, default=EDITED, help="share of paragraphs edited")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    paras = paragraphs(rng)
    body = "\n\n".join(paras)
    highlights = make_highlights(body, rng)
    edited = edit(paras, args.edited, rng)
    new_body = "\n\n".join(edited.paras)

    times = []
    for _ in range(args.runs):
        start = time.process_time()
        moved = reanchor_all(highlights, new_body)
        times.append((time.process_time() - start) * 1000)
    median = statistics.median(times)
    statuses = Counter(h.status for h in moved)
    done = ", ".join(f"{kind} {edited.kinds[kind]}" for kind in KINDS)

    print(f"body          {len(body):,} characters, {len(paras)} paragraphs")
    print(f"edited        {len(new_body):,} characters: {done}")
    print(f"highlights    {len(highlights):,}")
    for status in ("ok", "drifted", "orphan"):
        print(f"  {status:<11} {statuses[status]:>5,}")
    pairs = list(zip(highlights, moved, strict=True))
    print(f"untouched     {right_places(paras, edited, pairs)} found ok at their new offsets")
    print(f"reanchor_all  median {median:.1f} ms (min {min(times):.1f}, max {max(times):.1f})")
    verdict = "met" if median <= TARGET_MS else "MISSED"
    print(f"target        <= {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
