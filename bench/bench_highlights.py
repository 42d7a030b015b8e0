"""Highlights in the running app: keypress-to-disk latency, and opening an article carrying many.

    .venv/bin/python bench/bench_highlights.py [--runs 9]

The app runs headless (`App.run_test`, 120x40) on a real store file in a temporary folder.

- Keypress to disk: the store is prefilled with 10,000 (then 100,000) highlights over 1,000
  (10,000) other articles plus a few on the open one; the clock runs from pressing `m` until
  the app is told that the new highlight is on disk (written, fsync-ed, acknowledged: the
  moment it stops being drawn as pending). Targets 30 ms and 100 ms.
- Opening: a ~100 KB article, opened with no highlights and with 1,000; the clock runs from
  asking to open it until its first screen is drawn with every highlight painted. Target:
  with 1,000 <= 1.2x without. Measured again (the store keeps what it read while the file is
  unchanged) and for the first time after start: each run starts a new app, on another
  article, with a new store, made as `reader` makes them (its cache folder shared with the
  articles': the copy of the article's highlights made by an earlier run is there, as after
  any earlier session).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import make_big_article  # noqa: E402
from bench_store import make  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from reader.app import ReaderApp, make_app  # noqa: E402
from reader.highlights import new_highlight  # noqa: E402
from reader.library import load_article  # noqa: E402
from reader.store import Store  # noqa: E402
from reader.widgets.article_list import ArticleList  # noqa: E402
from reader.widgets.article_view import ArticleView  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 40)
BATCH = 20_000


def app_on(library: Path, db: Path, open_file: Path | None = None) -> ReaderApp:
    """The app as `reader` makes it, its store and its articles sharing one cache folder."""
    cache = db.parent / "cache"
    return make_app(library, Store(db, cache_dir=cache), open_file=open_file, cache_dir=cache)


async def until(condition: object, pilot: object, timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds."""
    deadline = time.perf_counter() + timeout
    while not condition():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there")
        await asyncio.sleep(0.0005)


def listed(app: ReaderApp) -> bool:
    """Has the library been read? (An article cached before shows first; the list comes
    after it: the measures start when the app is at rest.)"""
    return app.query_one("#articles", ArticleList).total > 0


async def idle(app: ReaderApp) -> None:
    """Wait until no worker of the app is running (cancelled ones included), and no write:
    of the store, nor of the copies of highlights it keeps in the cache folder (else one
    made by an opening is written a second later, maybe while another is measured)."""
    while any(not worker.is_finished for worker in app.workers):
        await asyncio.sleep(0.001)
    await app.drain_writes()
    if app.store._cache is not None:
        app.store._cache.flush()


def prefill(db: Path, count: int, articles: int) -> None:
    store = Store(db)
    rng = random.Random(count)
    batch = []
    for i in range(count):
        batch.append(make(rng, i, f"other/{i % articles:05d}.txt"))
        if len(batch) == BATCH:
            store.save_highlights(batch)
            batch = []
    store.save_highlights(batch)


async def keypress_to_disk(library: Path, db: Path, article: str, runs: int) -> float:
    """Median ms from `m` to the acknowledgement that the highlight is on disk."""
    app = app_on(library, db, library / article)
    times = []
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: app.notes is not None and app.article_id == article, pilot)
        await until(lambda: listed(app), pilot)
        await app.drain_writes()
        pane = app.query_one("#pane", ArticleView)
        for _ in range(runs):
            await pilot.press("right_curly_bracket")  # a new paragraph each time
            notes = app.notes
            assert notes is not None
            before = len(notes)
            started = time.perf_counter()
            app.simulate_key("m")  # no Pilot: its press waits for the screen to go idle
            await until(lambda n=notes, b=before: len(n) > b and not n.pending, pilot)
            times.append((time.perf_counter() - started) * 1000)
            assert pane.highlights
        await app.action_quit()
    app.store.close()
    return statistics.median(times)


async def open_once(app: ReaderApp, pilot: Pilot[None], article: str, expect: int) -> float:
    """Ms from asking the running `app` to open `article` to its first screen drawn, with
    its `expect` highlights painted.

    The clock stops when they are handed to the pane (every way of painting them ends in
    `_paint_notes`), then the pane's first screen is drawn as the compositor asks for it.
    Polling for that moment instead would count, or not, the messages the opening posts (the
    cursor's, the layout's), depending on where the poll fell: 0.5 ms, counted for one case
    and not the other.
    """
    pane = app.query_one("#pane", ArticleView)
    painted: list[float] = []
    paint = app._paint_notes

    def paint_and_stamp() -> None:
        paint()
        notes = app.notes
        if not painted and app.article_id == article and notes is not None:
            if len(notes) == expect and len(pane.highlights) == expect:
                painted.append(time.perf_counter())

    app._paint_notes = paint_and_stamp  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        app.open_article(article)
        await until(lambda: bool(painted), pilot)
    finally:
        del app._paint_notes
    drawing = time.perf_counter()
    for y in range(pane.size.height):  # the first screen, as the compositor asks
        pane.render_line(y)
    return (painted[0] - started + time.perf_counter() - drawing) * 1000


async def reopen_time(library: Path, db: Path, article: str, expect: int, runs: int) -> float:
    """Median ms of opening `article` again, another one opened in between: the store keeps
    what it read while the file is unchanged."""
    app = app_on(library, db)
    times = []
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: app.article_id is not None and app.notes is not None, pilot)
        await until(lambda: listed(app), pilot)
        await idle(app)
        others = [p.name for p in library.glob("*.txt") if p.name != article]
        for run in range(runs + 1):
            app.open_article(others[run % len(others)])
            await until(lambda: app.article_id != article and app.notes is not None, pilot)
            await idle(app)
            took = await open_once(app, pilot, article, expect)
            if run:  # the first run warms the caches
                times.append(took)
        await app.action_quit()
    app.store.close()
    return statistics.median(times)


async def first_open_time(
    library: Path, db: Path, article: str, expect: int, runs: int, other: str, *, cached: bool
) -> float:
    """Median ms of the first opening of `article` after start: each run starts a new app
    (on `other`) with a new Store, which has read nothing yet, and waits until it is at rest.

    `cached`: the copy of the article's highlights that an earlier run left in the cache
    folder is there; else it is removed first (as when the article was never read, or its
    highlights file changed since): the file itself is decoded.
    """
    times = []
    for run in range(runs + 1):
        copies = db.parent / "cache" / "highlights"
        if not cached:
            shutil.rmtree(copies, ignore_errors=True)
        elif run and expect:  # the copy the first run made is there to be read
            assert any(copies.glob("*.msgpack")), "no copy of the highlights in the cache"
        app = app_on(library, db, library / other)
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda a=app: a.article_id == other and a.notes is not None, pilot)
            await until(lambda a=app: listed(a), pilot)
            await idle(app)
            took = await open_once(app, pilot, article, expect)
            if run:  # the first run warms the caches
                times.append(took)
            await app.action_quit()
        app.store.close()  # as `reader` does on quitting
    return statistics.median(times)


OPENINGS = {
    "reopen": "again",
    "first open": "the first time after start (a new app and store)",
    "first open, uncached": "the same, with no copy of its highlights in the cache folder (never"
    " read, or its highlights file changed since)",
}


async def opening(library: Path, db: Path, expect: int, runs: int, how: str, other: str) -> float:
    """Median ms of opening big.txt `how` (a key of OPENINGS), a start being on `other`."""
    if how == "reopen":
        return await reopen_time(library, db, "big.txt", expect, runs)
    cached = how == "first open"
    return await first_open_time(library, db, "big.txt", expect, runs, other, cached=cached)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="reader-bench-hl-") as tmp:
        work = Path(tmp)
        library = work / "lib"
        library.mkdir()
        for sample in sorted((ROOT / "articles").glob("*.txt")):
            (library / sample.name).write_bytes(sample.read_bytes())
        make_big_article(library / "big.txt", 100_000)
        sample = sorted(p.name for p in library.glob("0*.txt"))[1]

        for count, articles, target in ((10_000, 1_000, 30.0), (100_000, 10_000, 100.0)):
            db = work / f"notes-{count}.json"
            prefill(db, count, articles)
            latency = asyncio.run(keypress_to_disk(library, db, sample, args.runs))
            rows.append((f"m to disk, {count:,} highlights", latency, f"<= {target:g} ms"))

        body = load_article(library / "big.txt").body
        rng = random.Random(1)
        empty_db, full_db = work / "empty" / "notes.json", work / "full" / "notes.json"
        store = Store(full_db)
        made = []
        for _ in range(1_000):
            start = rng.randrange(len(body) - 200)
            made.append(new_highlight("big.txt", body, start, start + rng.randrange(20, 150)))
        store.save_highlights(made)
        Store(empty_db).set_setting("theme", "textual-dark")
        heavy = work / "heavy"  # a copy: `m` adds highlights
        shutil.copytree(full_db.parent, heavy)
        latency = asyncio.run(keypress_to_disk(library, heavy / "notes.json", "big.txt", args.runs))
        rows.append(("m to disk, on an article with 1,000 highlights", latency, "(<= 30 ms)"))
        for how in OPENINGS:
            without = asyncio.run(opening(library, empty_db, 0, args.runs, how, sample))
            with_ = asyncio.run(opening(library, full_db, 1_000, args.runs, how, sample))
            ratio = f"{with_ / without:.2f}x (<= 1.2x), +{with_ - without:.1f} ms"
            rows.append((f"{how} 100 KB article, no highlights", without, ""))
            rows.append((f"{how}, with 1,000 highlights", with_, ratio))

    print(f"headless app {SIZE[0]}x{SIZE[1]}, medians of {args.runs} runs")
    for name, ms, target in rows:
        print(f"{name:<56} {ms:>8.1f} ms   {target}")
    for how, meaning in OPENINGS.items():
        print(f"  {how}: {meaning}")


if __name__ == "__main__":
    main()
