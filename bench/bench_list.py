"""Benchmark the sidebar's virtual list: first frame, memory and filtering, by item count.

Run: .venv/bin/python bench/bench_list.py [--runs N]. Headless (Textual's test driver, 40x40);
prints medians. "first frame": from mounting the list to its first line being rendered, and
to the app being idle. Memory: what tracemalloc sees allocated by the list at its first frame
and once the search keys are folded (done in slices after the first frame); the items
themselves (the app holds them anyway) are built beforehand.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from textual.app import App
from textual.strip import Strip

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.widgets.article_list import ArticleList, ListItem, _search_keys  # noqa: E402

SIZES = (10, 10_000, 100_000)
SIZE = (40, 40)


class Probe(ArticleList):
    """Notes when its first line is rendered, and the memory then."""

    first_line: float | None = None
    memory_then = 0.0

    def render_line(self, y: int) -> Strip:
        if Probe.first_line is None:
            Probe.first_line = time.perf_counter()
            if tracemalloc.is_tracing():
                Probe.memory_then = tracemalloc.get_traced_memory()[0] / 1e6
        return super().render_line(y)


@dataclass
class Run:
    first_frame_ms: float
    idle_ms: float
    memory_first_mb: float
    memory_keys_mb: float
    first_filter_ms: float
    next_key_ms: float


def make_items(n: int) -> list[ListItem]:
    return [
        ListItem(
            f"article-{i:06}.txt", f"Les déserteurs, épisode {i}", "2024-03-12", "Le Monde", i % 4
        )
        for i in range(n)
    ]


async def one_run(items: list[ListItem], trace: bool) -> Run:
    """Mount a list of `items` in a running app, wait for its first line, then type a filter."""
    app: App[None] = App()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        Probe.first_line, Probe.memory_then = None, 0.0
        if trace:
            tracemalloc.start()
        t0 = time.perf_counter()
        widget = Probe(items)
        await app.mount(widget)
        await pilot.pause()
        await app.workers.wait_for_complete()  # the search keys, folded in slices
        await pilot.pause()
        idle = time.perf_counter()
        memory_keys = 0.0
        if trace:
            memory_keys = tracemalloc.get_traced_memory()[0] / 1e6
            tracemalloc.stop()
        assert Probe.first_line is not None, "nothing was rendered"
        t1 = time.perf_counter()
        widget.filter("d")
        t2 = time.perf_counter()
        widget.filter("de")
        widget.filter("des")
        widget.filter("desertee")  # a longer needle searches only the narrowed view
        t3 = time.perf_counter()
        return Run(
            (Probe.first_line - t0) * 1000,
            (idle - t0) * 1000,
            Probe.memory_then,
            memory_keys,
            (t2 - t1) * 1000,
            (t3 - t2) / 3 * 1000,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    header = (
        "items",
        "first frame ms",
        "idle ms",
        "MB at frame",
        "MB w/ keys",
        "filter ms",
        "next key ms",
    )
    print(" ".join(f"{h:>13}" for h in header))
    for n in SIZES:
        items = make_items(n)
        asyncio.run(one_run(items, trace=False))  # warm-up
        runs = [asyncio.run(one_run(items, trace=False)) for _ in range(args.runs)]
        traced = asyncio.run(one_run(items, trace=True))

        def med(field: str, runs: list[Run] = runs) -> float:
            return statistics.median(getattr(r, field) for r in runs)

        row = (
            f"{n}",
            f"{med('first_frame_ms'):.1f}",
            f"{med('idle_ms'):.1f}",
            f"{traced.memory_first_mb:.2f}",
            f"{traced.memory_keys_mb:.2f}",
            f"{med('first_filter_ms'):.1f}",
            f"{med('next_key_ms'):.1f}",
        )
        print(" ".join(f"{c:>13}" for c in row))
    big = make_items(100_000)
    t0 = time.perf_counter()
    _search_keys(big)
    cold = (time.perf_counter() - t0) * 1000
    print(f"a filter typed before the keys are folded, 100000 items: {cold:.0f} ms once")


if __name__ == "__main__":
    main()
