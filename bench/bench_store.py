"""Highlights in the notes store: the time of one save, a read and the counts, at 10k and 100k.

    .venv/bin/python bench/bench_store.py [--runs 7] [--dir /tmp]

For each size, a store in a temp folder (under --dir, /tmp by default: the disk the app's data
is on) is prefilled with `save_highlights` in batches, then timed: one `save_highlight` of a
new highlight on an existing article (the disk part of keypress-to-disk: lock, re-read the
shard, write it atomically with fsync), `highlights(article)` in a new Store (the file parsed)
and again (cached), and `highlight_counts()` in a new Store and again. Medians over --runs,
each on another article; the targets are for the save.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.models import Anchor, Highlight  # noqa: E402
from reader.store import Store  # noqa: E402

SIZES = ((10_000, 1_000, 30.0), (100_000, 10_000, 100.0))
"""(highlights, articles, target for one save in ms)."""
BATCH = 20_000
WORDS = "the of and a to in is was that for on with as by at from his her said it".split()


def make(rng: random.Random, i: int, article: str) -> Highlight:
    """A highlight of a realistic size: a 150-character quote, context, a short note some times."""
    quote = " ".join(rng.choice(WORDS) for _ in range(40))[:150]
    start = rng.randrange(50_000)
    anchor = Anchor(start, start + len(quote), quote, "x" * 32, "y" * 32, f"{i:064x}", "2")
    note = "a note with a #tag about this passage" if i % 3 == 0 else ""
    stamp = f"2026-01-{1 + i % 28:02d}T12:00:00.000+00:00"
    tags = ("tag",) if note else ()
    return Highlight.at(
        anchor, f"{i:016x}", article, note=note, tags=tags, created=stamp, updated=stamp
    )


def timed(action: Callable[[], object]) -> float:
    """Milliseconds taken by one call."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def bench(folder: Path, count: int, articles: int, runs: int) -> dict[str, float]:
    """Prefill a store, then the median of each measure, in ms."""
    rng = random.Random(count)
    db = folder / f"notes-{count}.json"
    names = [f"feeds/site-{a % 97}/article-{a:05d}.html" for a in range(articles)]
    start = time.perf_counter()
    store = Store(db)
    for first in range(0, count, BATCH):
        batch = range(first, min(first + BATCH, count))
        store.save_highlights(make(rng, i, names[i % articles]) for i in batch)
    fill = time.perf_counter() - start
    size = sum(p.stat().st_size for p in db.with_name(db.name + ".highlights").glob("*.json"))
    results: dict[str, list[float]] = {}

    def add(name: str, ms: float) -> None:
        results.setdefault(name, []).append(ms)

    for run in range(runs):
        article = rng.choice(names)
        item = make(rng, count + run, article)
        add("save_highlight", timed(partial(store.save_highlight, item)))
        fresh = Store(db)
        add("highlights() new Store", timed(partial(fresh.highlights, article)))
        add("highlights() cached", timed(partial(fresh.highlights, article)))
        assert item in fresh.highlights(article)
        other = Store(db)
        add("highlight_counts() new Store", timed(other.highlight_counts))
        add("highlight_counts() again", timed(other.highlight_counts))
        assert other.highlight_counts()[article] >= 1
    medians = {name: statistics.median(values) for name, values in results.items()}
    medians["prefill (s)"] = fill
    medians["files (MB)"] = size / 1e6
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-store-", dir=args.dir))
    try:
        columns = [(count, articles, target) for count, articles, target in SIZES]
        table = [bench(folder, count, articles, args.runs) for count, articles, _ in columns]
    finally:
        shutil.rmtree(folder)
    heads = [f"{count:,} hl / {articles:,} art" for count, articles, _ in columns]
    print(f"median of {args.runs} runs, ms (files in {args.dir})")
    print(f"{'':30}" + "".join(f"{h:>24}" for h in heads))
    for name in table[0]:
        print(f"{name:30}" + "".join(f"{row[name]:>24.1f}" for row in table))
    targets = "".join(
        f"{f'<= {t:g} ' + ('ok' if row['save_highlight'] <= t else 'MISSED'):>24}"
        for (_, _, t), row in zip(columns, table, strict=True)
    )
    print(f"{'target for save_highlight':30}" + targets)


if __name__ == "__main__":
    main()
