"""A child process for the load tests: the real app, headless, driven by keys for a while.

    python tests/stress_app_child.py LIBRARY DB CACHE --seconds S --seed N [--start UNIX_TIME]

Builds the app with `make_app(LIBRARY, Store(DB), cache_dir=CACHE)`, runs it with
`run_test()` and presses keys as a reader would: opens articles from the sidebar, moves by
sentences and paragraphs, `m`, `a` + a note + ctrl+s, colours, `x`, `u`. After each key it
waits for the writes (`drain_writes`) and prints, one JSON line each (flushed), every
highlight of its own whose state changed and that the app no longer shows as pending, that
is, that the app says is saved:

    {"id": ..., "article": ..., "note": ..., "color": ..., "start": ..., "end": ...}
    {"id": ..., "article": ..., "deleted": true}

It acts only on highlights it made itself (another process may have made the one under the
cursor), so that each highlight has one writer and its last acknowledged state is known.
The last line is `{"done": {"keys": K, "actions": {...}}}`; then `q` quits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from reader.app import ReaderApp, make_app
from reader.models import COLOURS, Highlight
from reader.store import Store
from reader.widgets.article_list import ArticleList
from reader.widgets.article_view import ArticleView

State = dict[str, Any] | None


def state_of(h: Highlight | None) -> State:
    if h is None:
        return None
    return {"note": h.note, "color": h.color, "start": h.start, "end": h.end}


class Driver:
    """Presses keys on one app and reports what the app says is saved."""

    def __init__(self, app: ReaderApp, pilot: Pilot[None], rng: random.Random) -> None:
        self.app, self.pilot, self.rng = app, pilot, rng
        self.mine: dict[str, str] = {}  # id -> article, every highlight this process made
        self.acked: dict[str, State] = {}
        self.keys = 0
        self.actions: dict[str, int] = {}

    @property
    def pane(self) -> ArticleView:
        return self.app.query_one("#pane", ArticleView)

    async def settle(self) -> None:
        app = self.app
        await self.pilot.pause()
        for _ in range(50):
            running = [w for w in app.workers if not w.is_finished]
            if not running:
                break
            await app.workers.wait_for_complete(running)
            await self.pilot.pause()
        await app.drain_writes()
        await self.pilot.pause()

    async def press(self, *keys: str) -> None:
        self.keys += len(keys)
        await self.pilot.press(*keys)

    def snapshot(self) -> set[str]:
        notes = self.app.notes
        return {h.id for h in notes.all()} if notes is not None else set()

    def report(self) -> None:
        """Print each own highlight whose saved state changed since it was last printed."""
        notes = self.app.notes
        if notes is None:
            return
        pending = notes.pending
        for hid, article in self.mine.items():
            if article != notes.article_id or hid in pending:
                continue
            state = state_of(notes.get(hid))
            if hid in self.acked and self.acked[hid] == state:
                continue
            self.acked[hid] = state
            line: dict[str, Any] = {"id": hid, "article": article}
            line.update(state if state is not None else {"deleted": True})
            sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    def under_cursor(self) -> Highlight | None:
        under = self.pane.highlights_at(self.pane.cursor)
        return under[0] if under else None

    async def act(self, name: str) -> None:
        self.actions[name] = self.actions.get(name, 0) + 1
        before = self.snapshot()
        await getattr(self, "do_" + name)()
        await self.pilot.pause()
        await self.app.drain_writes()
        notes = self.app.notes
        if notes is not None and name in ("mark", "annotate"):
            for hid in self.snapshot() - before:
                self.mine[hid] = notes.article_id
        self.report()

    # -- the actions ---------------------------------------------------------------------

    async def do_open(self) -> None:
        articles = self.app.query_one("#articles", ArticleList)
        articles.focus()
        step = self.rng.choice(["down", "up"])
        await self.press(*[step] * self.rng.randint(1, 3), "enter")
        await self.settle()
        self.pane.focus()

    async def do_move(self) -> None:
        key = self.rng.choice(["right_parenthesis", "right_parenthesis", "right_curly_bracket"])
        await self.press(*[key] * self.rng.randint(1, 3))
        if self.pane.cursor >= len(self.pane.body) - 2:
            await self.press("g")

    async def do_mark(self) -> None:
        await self.press("m")

    async def do_annotate(self) -> None:
        under = self.under_cursor()
        if under is not None and under.id not in self.mine:
            return  # another process's highlight: not ours to change
        span = self.pane._span()
        notes = self.app.notes
        if under is None and notes is not None and span is not None:
            same = [h for h in notes.placed() if (h.start, h.end) == span]
            if any(h.id not in self.mine for h in same):
                return  # `a` would edit the note of that other highlight
        await self.press("a")
        await self.pilot.pause()
        if self.app.screen is self.app.screen_stack[0]:
            return  # no editor (nothing to highlight here)
        await self.press(*f" n{self.rng.randrange(1000)}", "ctrl+s")

    async def do_colour(self) -> None:
        under = self.under_cursor()
        if under is not None and under.id in self.mine:
            await self.press(str(self.rng.randint(1, len(COLOURS))))

    async def do_delete(self) -> None:
        under = self.under_cursor()
        if under is not None and under.id in self.mine:
            await self.press("x")

    async def do_undo(self) -> None:
        await self.press("u")


WEIGHTS = {"open": 1, "move": 6, "mark": 5, "annotate": 3, "colour": 3, "delete": 2, "undo": 2}


async def drive(args: argparse.Namespace) -> None:
    library, cache = Path(args.library), Path(args.cache)
    app = make_app(library, Store(args.db), cache_dir=cache)
    rng = random.Random(args.seed)
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    async with app.run_test(size=(120, 36)) as pilot:
        driver = Driver(app, pilot, rng)
        await driver.settle()
        while time.time() < args.start:
            await asyncio.sleep(0.005)
        driver.pane.focus()
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            await driver.act(rng.choices(names, weights)[0])
        await driver.settle()
        driver.report()
        print(json.dumps({"done": {"keys": driver.keys, "actions": driver.actions}}), flush=True)
        await pilot.press("q")
        await pilot.pause()
    if app.return_code is None:
        raise SystemExit("the app did not quit on q (unsaved changes?)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("library")
    parser.add_argument("db")
    parser.add_argument("cache")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=float, default=0.0)
    asyncio.run(drive(parser.parse_args()))


if __name__ == "__main__":
    main()
