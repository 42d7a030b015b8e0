"""Highlights in the running app: keypress-to-disk latency, and opening an article carrying many.

    .venv/bin/python bench/bench_highlights.py [--runs 9]

The app runs headless (`App.run_test`, 120x40) on a real store file in a temporary folder.

- Keypress to disk: the store is prefilled with 10,000 (then 100,000) highlights over 1,000
  (10,000) other articles plus a few on the open one; the clock runs from pressing `m` until
  the app is told that the new highlight is on disk (written, fsync-ed, acknowledged: the
  moment it stops being drawn as pending). Targets 30 ms and 100 ms.
- Opening: a ~100 KB article, opened with no highlights and with 1,000; the clock runs from
  asking to open it until the first frame showing it with every highlight painted has been
  drawn (laid out, composed and turned into what the terminal is sent). Target: with 1,000
  <= 1.2x without. The time until the highlights are handed to the pane (the app's own part,
  before Textual draws the frame) is printed too. Measured again (the store keeps what it read while
  the file is unchanged) and for the first time after start: each run starts a new app, on
  another article, with a new store, made as `reader` makes them (its cache folder shared
  with the articles': the copy of the article's highlights made by an earlier run is there,
  as after any earlier session). The runs without and with highlights are taken in turn,
  each case first in every other turn (the reopenings in rounds of a few in one app per
  case): a drift of the machine's speed weighs on both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import make_big_article  # noqa: E402
from bench_store import make  # noqa: E402
from rich.console import RenderableType  # noqa: E402
from textual._compositor import CompositorUpdate  # noqa: E402
from textual.screen import UPDATE_PERIOD, Screen  # noqa: E402

from reader.app import ReaderApp, make_app  # noqa: E402
from reader.highlights import new_highlight  # noqa: E402
from reader.library import load_article  # noqa: E402
from reader.store import Store  # noqa: E402
from reader.widgets.article_list import ArticleList  # noqa: E402
from reader.widgets.article_view import ArticleView  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 40)
REOPENINGS = 3
"""Reopenings measured in one app (after one that warms it): a round of each case."""
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
    """Wait until no worker of the app is running (cancelled ones included), no write (of
    the reading position, of the store, nor of the copies of highlights it keeps in the cache
    folder: else one made by an opening is written a second later, maybe while another is
    measured), and the screen
    is drawn (else what changed before, the sidebar's counts read at start, would be drawn in
    the frame of the opening measured)."""
    app._flush_position()  # now, not when its timer fires: maybe during the opening measured
    while any(not worker.is_finished for worker in app.workers):
        await asyncio.sleep(0.001)
    await app.drain_writes()
    if app.store._cache is not None:
        app.store._cache.flush()
    drawn = asyncio.Event()
    app.call_after_refresh(drawn.set)  # called when the screen has nothing left to draw
    await asyncio.wait_for(drawn.wait(), 10.0)
    # The screen's frames keep to a beat (UPDATE_PERIOD): a change made less than a beat
    # after the last frame waits for the next. A person opens an article long after it; an
    # opening measured right after would wait for the beat, the shorter opening longest.
    await asyncio.sleep(3 * UPDATE_PERIOD)


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


class Opening(NamedTuple):
    """Ms from asking to open an article to its highlights handed to the pane, and to the
    first frame drawn with them."""

    pane: float
    screen: float


def medians(openings: list[Opening]) -> Opening:
    return Opening(*(statistics.median(times) for times in zip(*openings, strict=True)))


async def open_once(app: ReaderApp, article: str, expect: int) -> Opening:
    """Open `article` in the running `app` (at rest), with its `expect` highlights, and time
    it: to the highlights handed to the pane (every way of painting them ends in
    `_paint_notes`), then to the end of the first frame drawn after that (Textual's layout and
    composition of the screen, turned into what a terminal is sent: what a person sees).

    Both are stamped by the calls that make them, not by polling: a poll wakes the screen's
    thread every half millisecond, takes the interpreter's lock from the thread that reads
    the highlights, and decides where the messages the opening posts are counted.
    """
    pane = app.query_one("#pane", ArticleView)
    painted: list[float] = []
    drawn: list[float] = []
    frame = asyncio.Event()
    paint, display = app._paint_notes, app._display

    def paint_and_stamp() -> None:
        paint()
        notes = app.notes
        if not painted and app.article_id == article and notes is not None:
            if len(notes) == expect and len(pane.highlights) == expect:
                painted.append(time.perf_counter())

    def display_and_stamp(screen: Screen[Any], update: RenderableType | None) -> None:
        display(screen, update)
        if painted and not drawn:
            if isinstance(update, CompositorUpdate):  # what a terminal's driver is given
                update.render_segments(app.console)  # (headless, `_display` stops short)
            drawn.append(time.perf_counter())
            frame.set()

    app._paint_notes = paint_and_stamp  # type: ignore[method-assign]
    app._display = display_and_stamp  # type: ignore[method-assign, assignment]
    try:
        started = time.perf_counter()
        app.open_article(article)
        await asyncio.wait_for(frame.wait(), 10.0)
    finally:
        del app._paint_notes, app._display
    return Opening((painted[0] - started) * 1000, (drawn[0] - started) * 1000)


async def reopen_once(
    library: Path, db: Path, article: str, expect: int, runs: int
) -> list[Opening]:
    """`runs` openings of `article` again, in one app, another one opened in between each:
    the store keeps what it read while the file is unchanged."""
    gc.collect()  # the apps of the rounds before (as before each first opening)
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
            took = await open_once(app, article, expect)
            if run:  # the first run warms the caches
                times.append(took)
        await app.action_quit()
    app.store.close()
    return times


async def reopen_times(library: Path, cases: list[tuple[Path, int]], runs: int) -> list[Opening]:
    """Medians of `runs` reopenings of big.txt for each (store, highlights expected) of
    `cases`: in rounds of `REOPENINGS` in one app per case, the cases taken in turn, each
    first in every other round (as the first openings are)."""
    times: list[list[Opening]] = [[] for _ in cases]
    for round_ in range(-(-runs // REOPENINGS)):
        turn = list(zip(cases, times, strict=True))
        for (db, expect), kept in turn if round_ % 2 else reversed(turn):
            kept += await reopen_once(library, db, "big.txt", expect, REOPENINGS)
    return [medians(kept[:runs]) for kept in times]


async def first_open_once(
    library: Path, db: Path, article: str, expect: int, other: str, *, cached: bool
) -> Opening:
    """The first opening of `article` after start: a new app (on `other`) with a new
    Store, which has read nothing yet, once it is at rest.

    `cached`: the copy of the article's highlights that an earlier run left in the cache
    folder is kept; else it is removed first (as when the article was never read, or its
    highlights file changed since): the file itself is decoded.
    """
    if not cached:
        shutil.rmtree(db.parent / "cache" / "highlights", ignore_errors=True)
    gc.collect()  # the apps of the runs before: else collecting them falls on some openings
    app = app_on(library, db, library / other)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: app.article_id == other and app.notes is not None, pilot)
        await until(lambda: listed(app), pilot)
        await idle(app)
        took = await open_once(app, article, expect)
        await app.action_quit()
    app.store.close()  # as `reader` does on quitting
    return took


async def first_open_times(
    library: Path, cases: list[tuple[Path, int]], runs: int, other: str, *, cached: bool
) -> list[Opening]:
    """Medians of the first opening of big.txt after start, for each (store, highlights
    expected) of `cases`, their runs taken in turn, each case first in every other turn: a
    drift of the machine's speed weighs on each alike."""
    times: list[list[Opening]] = [[] for _ in cases]
    for run in range(runs + 1):
        turn = list(zip(cases, times, strict=True))
        for (db, expect), kept in turn if run % 2 else reversed(turn):  # each first in turn
            if cached and run and expect:  # the copy the first run made is there to be read
                copies = db.parent / "cache" / "highlights"
                assert any(copies.glob("*.msgpack")), "no copy of the highlights in the cache"
            took = await first_open_once(library, db, "big.txt", expect, other, cached=cached)
            if run:  # the first run warms the caches
                kept.append(took)
    return [medians(kept) for kept in times]


OPENINGS = {
    "reopen": "again",
    "first open": "the first time after start (a new app and store)",
    "first open, uncached": "the same, with no copy of its highlights in the cache folder (never"
    " read, or its highlights file changed since)",
}


async def openings(
    library: Path, cases: list[tuple[Path, int]], runs: int, how: str, other: str
) -> list[Opening]:
    """Medians of opening big.txt `how` (a key of OPENINGS), for each (store, highlights
    expected) of `cases`, a start being on `other`."""
    if how == "reopen":
        return await reopen_times(library, cases, runs)
    cached = how == "first open"
    return await first_open_times(library, cases, runs, other, cached=cached)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    rows: list[tuple[str, float, str]] = []
    opened: list[tuple[str, Opening, Opening]] = []
    with tempfile.TemporaryDirectory(prefix="reader-bench-hl-") as tmp:
        work = Path(tmp)
        library = work / "lib"
        library.mkdir()
        for copied in sorted((ROOT / "articles").glob("*.txt")):
            (library / copied.name).write_bytes(copied.read_bytes())
        make_big_article(library / "big.txt", 100_000)
        sample = sorted(p.name for p in library.glob("0*.txt"))[1]

        for count, articles, limit in ((10_000, 1_000, 30.0), (100_000, 10_000, 100.0)):
            db = work / f"notes-{count}.json"
            prefill(db, count, articles)
            latency = asyncio.run(keypress_to_disk(library, db, sample, args.runs))
            rows.append((f"m to disk, {count:,} highlights", latency, f"<= {limit:g} ms"))

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
            cases = [(empty_db, 0), (full_db, 1_000)]
            without, with_ = asyncio.run(openings(library, cases, args.runs, how, sample))
            opened.append((how, without, with_))

    print(f"headless app {SIZE[0]}x{SIZE[1]}, medians of {args.runs} runs")
    for name, ms, target in rows:
        print(f"{name:<56} {ms:>8.1f} ms   {target}")
    print()
    print(f"{'opening the 100 KB article':<42} no highlights   1,000 highlights")
    for how, without, with_ in opened:
        for part, label in (("screen", "to the screen drawn"), ("pane", "to the pane")):
            a, b = getattr(without, part), getattr(with_, part)
            goal = " (<= 1.2x)" if part == "screen" else ""
            row = f"{how}, {label}"
            print(f"{row:<42} {a:>10.1f} ms {b:>12.1f} ms   {b / a:.2f}x{goal}, +{b - a:.1f} ms")
    for how, meaning in OPENINGS.items():
        print(f"  {how}: {meaning}")
    print("  to the screen drawn: to the end of the first frame with the highlights (the target)")
    print("  to the pane: to the highlights handed to the pane, before Textual lays out and")
    print("  draws the screen (the part of the opening that is the app's own)")


if __name__ == "__main__":
    main()
