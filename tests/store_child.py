"""A child process for the store tests: saves highlights in a loop, acknowledging each one.

    python tests/store_child.py DB COUNT TAG [--start UNIX_TIME] [--positions] [--articles N]

Saves COUNT highlights with ids `TAG-0`, `TAG-1`, ... over N articles, and prints each id
(flushed) only after `save_highlight` returned, so that a parent that kills this process
knows what must be on disk. `--positions` also saves a reading position after each one;
`--start` waits for that moment, so that two children write at the same time.
"""

from __future__ import annotations

import argparse
import sys
import time

from reader.models import Anchor, Highlight
from reader.store import Store


def highlight(tag: str, i: int, articles: int) -> Highlight:
    """A highlight with every field set, a little different for each i."""
    quote = f"passage {i} of {tag} — «ünïcode» "
    anchor = Anchor(i, i + len(quote), quote, "before ", " after", "f" * 64, "2")
    return Highlight.at(
        anchor,
        id=f"{tag}-{i}",
        article=f"{tag}/article-{i % articles}.txt",
        color=("yellow", "green", "blue")[i % 3],
        note=f"note {i} #tag{i % 5}",
        tags=(f"tag{i % 5}",),
        created=f"2026-01-01T00:00:{i % 60:02d}.000+00:00",
        updated="2026-01-02T00:00:00.000+00:00",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("count", type=int)
    parser.add_argument("tag")
    parser.add_argument("--start", type=float, default=0.0)
    parser.add_argument("--positions", action="store_true")
    parser.add_argument("--articles", type=int, default=37)
    args = parser.parse_args()
    store = Store(args.db)
    while time.time() < args.start:
        time.sleep(0.001)
    out = sys.stdout
    for i in range(args.count):
        item = highlight(args.tag, i, args.articles)
        store.save_highlight(item)
        if args.positions:
            store.set_position(f"{args.tag}-position-{i}", i)
        out.write(item.id + "\n")
        out.flush()


if __name__ == "__main__":
    main()
