"""The reading pane with a 1 MB article: wrap, open, one screen, search, memory (medians).

    python bench/bench_view.py [--runs 7] [--size 1000000]

The article repeats the sample articles' blocks. "open" is set_article plus the first
screen (40 lines, 120 columns) in a headless app; "one screen" is 40 render_line calls at
scattered places with matches, a selection and the cursor on screen. Target: one screen
<= 16 ms. Time to first paint in a real terminal is bench/bench_startup.py's business.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual.app import App, ComposeResult  # noqa: E402

from reader import layout  # noqa: E402
from reader.library import load_article  # noqa: E402
from reader.models import Article, Block  # noqa: E402
from reader.widgets.article_view import ArticleView  # noqa: E402
from reader.widgets.text_pane import cell_width  # noqa: E402

SCREEN = (120, 40)
TARGET_MS = 16.0


def big_article(size: int) -> Article:
    """An article of at least `size` characters made of the samples' blocks."""
    samples = [load_article(p) for p in sorted((HERE.parent / "articles").glob("*.txt"))]
    pool = [block for article in samples for block in article.blocks]
    blocks: list[Block] = []
    total = 0
    while total < size:
        blocks.append(pool[len(blocks) % len(pool)])
        total += len(blocks[-1].text) + 2
    return Article(title="A long article", language="fr", blocks=tuple(blocks))


def median_ms(runs: int, work: Callable[[], object]) -> float:
    """Median wall time of `work` in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class BenchApp(App[None]):
    """One reading pane."""

    def compose(self) -> ComposeResult:
        yield ArticleView()


async def pane_numbers(article: Article, runs: int) -> tuple[float, float, float]:
    """(open ms, one screen ms, traced MB while opening) in a headless app."""
    app = BenchApp()
    async with app.run_test(size=SCREEN) as pilot:
        view = app.query_one(ArticleView)
        height = view.scrollable_content_region.height

        def open_article() -> None:
            view.set_article(article, cursor=len(article.body) // 3)
            for y in range(height):
                view.render_line(y)

        open_ms = median_ms(runs, open_article)
        tracemalloc.start()
        view.set_article(Article())
        view.set_article(article)
        traced = tracemalloc.get_traced_memory()[0] / 1e6
        tracemalloc.stop()

        body = article.body
        view.set_matches(layout.find_all(body, "russe"), 3)
        screens = []
        for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
            offset = int(len(body) * fraction)
            view.move_cursor(offset)
            view.selection_anchor = max(0, offset - 300)
            await pilot.pause()

            def one_screen() -> None:
                for y in range(height):
                    view.render_line(y)

            screens.append(median_ms(runs, one_screen))
        return open_ms, statistics.median(screens), traced


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    article = big_article(args.size)
    body = article.body

    wrap_ms = median_ms(args.runs, lambda: layout.wrap(article, 80, cell_width))
    rows = layout.wrap(article, 80, cell_width)
    tracemalloc.start()
    kept = layout.wrap(article, 80, cell_width)
    rows_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del kept
    fold_ms = median_ms(args.runs, lambda: layout.fold(body))
    folded = layout.fold(body)
    find_ms = median_ms(args.runs, lambda: layout.find_all(body, "légion", folded))
    open_ms, screen_ms, open_mb = asyncio.run(pane_numbers(article, args.runs))

    print(f"article: {len(body):,} characters, {len(rows):,} rows at 80 columns")
    print(f"{'measure':<40} {'median':>10}")
    print(f"{'wrap(1 MB, 80)':<40} {wrap_ms:>7.1f} ms")
    print(f"{'fold(1 MB) for search':<40} {fold_ms:>7.1f} ms")
    print(f"{'find_all (body already folded)':<40} {find_ms:>7.1f} ms")
    print(f"{'open: set_article + first screen':<40} {open_ms:>7.1f} ms")
    verdict = "ok" if screen_ms <= TARGET_MS else "OVER TARGET"
    print(f"{'one screen (40 x render_line)':<40} {screen_ms:>7.1f} ms  ({verdict})")
    print(f"{'memory: rows of the wrap':<40} {rows_mb:>7.1f} MB")
    print(f"{'memory: traced while opening':<40} {open_mb:>7.1f} MB")


if __name__ == "__main__":
    main()
