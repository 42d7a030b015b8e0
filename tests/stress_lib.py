"""Load and hostile-input scenarios shared by tests/test_load_and_hostile.py (short runs, in CI)
and bench/stress.py (long runs): real processes, real files, no mocks.

Each scenario returns what it measured and what it found wrong (`lost`: must stay empty).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msgspec import structs

from reader.highlights import new_highlight
from reader.interchange import dumps, to_collection
from reader.library import load_article
from reader.models import COLOURS, Highlight
from reader.store import Store

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
CHILD = Path(__file__).resolve().parent / "stress_app_child.py"


def reader_env(db: Path, cache: Path, **extra: str) -> dict[str, str]:
    """The environment of a `reader` run on its own notes database and cache."""
    return {**os.environ, "READER_DB": str(db), "READER_CACHE_DIR": str(cache), **extra}


def run_reader(
    *args: str, env: dict[str, str], timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`python -m reader ARGS` (raises TimeoutExpired: a hang is a failure, not a wait)."""
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        env=env,
        timeout=timeout,
        cwd=cwd,
    )


@dataclass
class Outcome:
    """What a scenario did: counts, times (seconds) and what was lost or wrong."""

    counts: dict[str, int] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)


# -- 1. three processes writing one store -----------------------------------------------------


def _sentences(body: str, rng: random.Random, n: int) -> list[tuple[int, int]]:
    """`n` spans of `body` (a few words each), for imported highlights."""
    spans = []
    for _ in range(n):
        start = rng.randrange(0, max(1, len(body) - 60))
        while start > 0 and not body[start - 1].isspace():
            start -= 1
        end = min(len(body), start + rng.randint(10, 50))
        while end < len(body) and not body[end].isspace():
            end += 1
        spans.append((start, end))
    return spans


class ImportLoop(threading.Thread):
    """`reader import` again and again until stopped: a pool of highlights on the library's
    articles, each round with newer notes and one new highlight; every round that exits 0
    acknowledges the version of each highlight it carried."""

    def __init__(self, library: Path, db: Path, cache: Path, work: Path, seed: int) -> None:
        super().__init__(daemon=True)
        self.library, self.db, self.work = library, db, work
        self.env = reader_env(db, cache)
        self.rng = random.Random(seed)
        self.bodies = {path.name: load_article(path).body for path in sorted(library.glob("*.txt"))}
        self.pool: list[Highlight] = []
        self.acked: dict[str, Highlight] = {}
        self.rounds = 0
        self.failures: list[str] = []
        self.stop = threading.Event()

    def _fresh(self, n: int) -> None:
        for _ in range(n):
            article = self.rng.choice(sorted(self.bodies))
            body = self.bodies[article]
            ((start, end),) = _sentences(body, self.rng, 1)
            h = new_highlight(article, body, start, end)
            self.pool.append(structs.replace(h, id="imp-" + h.id))

    def run(self) -> None:
        self._fresh(8)
        while not self.stop.is_set():
            self.rounds += 1
            self._fresh(1)
            stamp = "2030-01-01T" + _clock(self.rounds)
            note, colour = f"import round {self.rounds}", COLOURS[self.rounds % len(COLOURS)]
            self.pool = [
                structs.replace(h, note=note, color=colour, updated=stamp) for h in self.pool
            ]
            path = self.work / f"import-{self.rounds}.json"
            path.write_bytes(dumps(to_collection(self.pool, generator="stress")))
            done = run_reader("import", str(path), env=self.env)
            if done.returncode != 0:
                self.failures.append(done.stderr.decode(errors="replace").strip())
                continue
            for h in self.pool:
                self.acked[h.id] = h


def _clock(n: int) -> str:
    """A UTC time of day that grows with `n` (one second a round), as stored."""
    return f"{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000+00:00"


def run_load(folder: Path, seconds: float, *, seed: int = 1, apps: int = 2) -> Outcome:
    """`apps` copies of the app (headless, driven by keys) and a `reader import` loop writing
    one store for `seconds`; then every acknowledged change must be in the store."""
    library = folder / "library"
    shutil.copytree(ARTICLES, library)
    db, cache = folder / "notes.json", folder / "cache"
    outcome = Outcome()
    importer = ImportLoop(library, db, cache, folder, seed)
    start = time.time() + 4.0  # the apps start up first; then all write at once
    children = [
        subprocess.Popen(
            [
                sys.executable,
                str(CHILD),
                str(library),
                str(db),
                str(cache),
                "--seconds",
                str(seconds),
                "--seed",
                str(seed * 100 + n),
                "--start",
                str(start),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(apps)
    ]
    while time.time() < start:
        time.sleep(0.01)
    began = time.monotonic()
    importer.start()
    outputs = []
    for child in children:
        try:
            out, err = child.communicate(timeout=seconds + 120)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
            outcome.lost.append(f"an app did not finish in time: {err.decode()[-500:]}")
        if child.returncode != 0:
            outcome.lost.append(f"an app exited {child.returncode}: {err.decode()[-800:]}")
        outputs.append(out.decode())
    importer.stop.set()
    importer.join(timeout=60)
    outcome.times["writing"] = time.monotonic() - began
    outcome.lost += [f"reader import failed: {f}" for f in importer.failures]

    acked: dict[str, dict[str, Any]] = {}  # id -> last state an app said was saved
    keys = 0
    for text in outputs:
        done = False
        for line in text.splitlines():
            item = json.loads(line)
            if "done" in item:
                done = True
                keys += item["done"]["keys"]
                for name, n in item["done"]["actions"].items():
                    outcome.counts[f"app {name}"] = outcome.counts.get(f"app {name}", 0) + n
                continue
            acked[item["id"]] = item
            outcome.counts["app acks"] = outcome.counts.get("app acks", 0) + 1
        if not done:
            outcome.lost.append("an app did not report its end")
    outcome.counts["app keys"] = keys
    outcome.counts["import rounds"] = importer.rounds
    outcome.counts["imported highlights"] = len(importer.acked)
    outcome.lost += check_store(db, acked, importer.acked)
    return outcome


def check_store(
    db: Path, acked: dict[str, dict[str, Any]], imported: dict[str, Highlight]
) -> list[str]:
    """What the store lost of what was acknowledged (empty if nothing)."""
    store = Store(db)
    store.check()
    stored = {h.id: h for h in store.all_highlights()}
    lost = []
    for hid, item in acked.items():
        h = stored.get(hid)
        if item.get("deleted"):
            if h is not None:
                lost.append(f"{hid}: deleted (acknowledged) but still in the store")
            continue
        if h is None:
            lost.append(f"{hid}: acknowledged as saved, missing from the store")
            continue
        got = {"note": h.note, "color": h.color, "start": h.start, "end": h.end}
        want = {k: item[k] for k in got}
        if got != want:
            lost.append(f"{hid}: acknowledged {want}, the store has {got}")
    for hid, want_h in imported.items():
        h = stored.get(hid)
        if h is None or (h.note, h.color) != (want_h.note, want_h.color):
            have = None if h is None else (h.note, h.color)
            lost.append(f"{hid}: imported {(want_h.note, want_h.color)}, the store has {have}")
    present = {hid for hid, item in acked.items() if not item.get("deleted")}
    phantoms = {hid for hid in stored if not hid.startswith("imp-")} - present
    lost += [f"{hid}: in the store but never acknowledged" for hid in sorted(phantoms)]
    counts = store.highlight_counts()
    if sum(counts.values()) != len(stored):
        lost.append(f"counts say {sum(counts.values())} highlights, the store has {len(stored)}")
    return lost


# -- 1b. volume: a big library, a big store, a huge file -------------------------------------


TITLE_LINE = "Dépêche numéro {i}: des soldats russes rejoignent l'armée de Kiev"


def generate_library(folder: Path, count: int) -> str:
    """`count` articles (100 per subfolder) that differ by their title; returns the body."""
    rest = (ARTICLES / "001_d5ff22c185f78ace.txt").read_text("utf-8").split("\n\n", 1)[1]
    for i in range(count):
        sub = folder / f"{i // 100:04}"
        if i % 100 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"article-{i:06}.txt").write_text(TITLE_LINE.format(i=i) + "\n\n" + rest, "utf-8")
    first = load_article(folder / "0000" / "article-000000.txt")
    last = load_article(folder / f"{(count - 1) // 100:04}" / f"article-{count - 1:06}.txt")
    assert first.body == last.body and first.title != last.title
    return first.body


def article_id(i: int) -> str:
    return f"{i // 100:04}/article-{i:06}.txt"


def fill_store(db: Path, body: str, articles: int, highlights: int, seed: int = 2) -> None:
    """`highlights` valid highlights spread evenly over the first `articles` articles."""
    rng = random.Random(seed)
    spans = _sentences(body, rng, 64)
    store = Store(db)
    batch: list[Highlight] = []
    for n in range(highlights):
        start, end = spans[n % len(spans)]
        h = new_highlight(article_id(n % articles), body, start, end, note=f"note {n} #bulk")
        batch.append(h)
        if len(batch) == 20_000:
            store.save_highlights(batch)
            batch = []
    store.save_highlights(batch)


def timed(action: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def run_volume(
    folder: Path, files: int, highlights: int, articles: int, *, json_export: bool = True
) -> Outcome:
    """A library of `files` articles and a store of `highlights` over `articles` of them:
    `reader list --json` (cold and warm), export to Markdown (and to JSON), and the counts."""
    outcome = Outcome()
    library, db, cache = folder / "library", folder / "notes.json", folder / "cache"
    outcome.times["generate files"], body = timed(lambda: generate_library(library, files))
    outcome.times["fill store"], _ = timed(lambda: fill_store(db, body, articles, highlights))
    outcome.counts.update(files=files, highlights=highlights, articles=articles)
    env = reader_env(db, cache)
    for run in ("list cold", "list warm"):
        outcome.times[run], done = timed(
            lambda: run_reader("list", "--json", str(library), env=env)
        )
        if done.returncode != 0:
            outcome.lost.append(f"reader list: exit {done.returncode}: {done.stderr[-300:]!r}")
            return outcome
        listed = json.loads(done.stdout)
        if len(listed) != files:
            outcome.lost.append(f"reader list gave {len(listed)} articles of {files}")
        bad = [item for item in listed if item["error"] is not None]
        if bad:
            outcome.lost.append(f"{len(bad)} articles listed with an error: {bad[0]}")
        total = sum(item["highlights"] for item in listed)
        if total != highlights:
            outcome.lost.append(f"reader list counts {total} highlights of {highlights}")
    out = folder / "export"
    outcome.times["export md"], done = timed(
        lambda: run_reader("export", str(library), "-o", str(out), env=env, timeout=600)
    )
    if done.returncode != 0:
        outcome.lost.append(f"reader export: exit {done.returncode}: {done.stderr[-300:]!r}")
    else:
        written = list(out.glob("*.md"))
        if len(written) != articles:
            outcome.lost.append(f"export wrote {len(written)} files for {articles} articles")
        marks = sum(path.read_text("utf-8").count("\n^hl-") for path in written[:50])
        if marks != 50 * (highlights // articles):
            outcome.lost.append(f"50 exported files hold {marks} highlights")
    if not json_export:
        return outcome
    outcome.times["export json"], done = timed(
        lambda: run_reader("export", "--format", "json", "-o", "-", env=env, timeout=600)
    )
    if done.returncode != 0:
        outcome.lost.append(f"reader export json: exit {done.returncode}")
    else:
        total = json.loads(done.stdout)["total"]
        if total != highlights:
            outcome.lost.append(f"the JSON export holds {total} highlights of {highlights}")
    return outcome


async def open_in_app(
    library: Path, db: Path, cache: Path, wanted: str, expect: int
) -> dict[str, float]:
    """Open the app on `library` (headless) until `wanted` is shown with its highlights and
    the list has `expect` articles; returns times and how many highlights are painted."""
    from reader.app import make_app
    from reader.widgets.article_list import ArticleList
    from reader.widgets.article_view import ArticleView

    began = time.perf_counter()
    app = make_app(library, Store(db), open_file=library / wanted, cache_dir=cache)
    result: dict[str, float] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one("#pane", ArticleView)
        articles = app.query_one("#articles", ArticleList)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            await pilot.pause(0.05)
            if app.article_id == wanted and pane.highlights and "shown" not in result:
                result["shown"] = time.perf_counter() - began
            if "shown" in result and articles.total == expect:
                break
        result["listed"] = time.perf_counter() - began
        result["painted"] = len(pane.highlights)
        result["total"] = articles.total
        await pilot.press("G")  # the keys still work
        await pilot.pause()
        result["at end"] = float(pane.cursor >= len(pane.body) - 200)
        await app.action_quit()
    return result
