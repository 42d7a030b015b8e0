"""Export and import at scale: 100,000 highlights over 10,000 articles, through the real command.

    .venv/bin/python bench/bench_export.py [--runs 3] [--articles 10000] [--per-article 10]

A library of generated articles (a sample with a headline of its own each) is cleaned once
into the article cache, as the app leaves it for articles that were read and highlighted;
the store gets `--per-article` highlights on each. Then, medians of `--runs`:
`reader export LIB -o FOLDER` (Markdown, one file per article) into an empty folder (every
file written), then again into the same folder (every file found up to date),
`reader export --format json`, and `reader import` of that file into an empty store.
Targets: export <= 5 s, import <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader import articles_cache  # noqa: E402
from reader.highlights import new_highlight  # noqa: E402
from reader.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
READER = [sys.executable, "-m", "reader"]
NOTES = ["Pourquoi ce passage compte #guerre", "", "À comparer avec **l'autre** article #kiev"]


def make_library(folder: Path, count: int) -> list[Path]:
    """`count` articles made from a sample, each with a headline of its own."""
    (sample,) = (ROOT / "articles").glob("000_*.txt")
    text = sample.read_text("utf-8")
    paths = []
    for i in range(count):
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"article-{i:05d}.txt"
        path.write_text(f"Dépêche numéro {i:05d} sur la guerre en Ukraine\n\n{text}\n", "utf-8")
        paths.append(path)
    return paths


def run(args: list[str], env: dict[str, str]) -> float:
    """Seconds one command takes; it must succeed."""
    started = time.perf_counter()
    done = subprocess.run([*READER, *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--per-article", type=int, default=10)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reader-bench-export-"))
    try:
        library = work / "lib"
        cache = work / "cache"
        db = work / "notes.json"
        env = {**os.environ, "READER_DB": str(db), "READER_CACHE_DIR": str(cache)}
        started = time.perf_counter()
        paths = make_library(library, args.articles)
        rng = random.Random(1)
        batch = []
        for path in paths:
            body = articles_cache.open_article(path, cache).body  # cleaned once, cached
            article_id = path.relative_to(library).as_posix()
            for k in range(args.per_article):
                start = rng.randrange(len(body) - 200)
                batch.append(
                    new_highlight(
                        article_id,
                        body,
                        start,
                        start + rng.randrange(30, 180),
                        note=NOTES[k % len(NOTES)],
                    )
                )
        Store(db).save_highlights(batch)
        total = len(batch)
        setup = time.perf_counter() - started

        # Each first run into a folder of its own; then again into the last one.
        firsts = [
            run(["export", str(library), "-o", str(work / f"out-{i}")], env)
            for i in range(args.runs)
        ]
        out = work / f"out-{args.runs - 1}"
        again = [run(["export", str(library), "-o", str(out)], env) for _ in range(args.runs)]
        files = len(list(out.glob("*.md")))
        js = [
            run(["export", "--format", "json", "-o", str(work / "all.json")], env)
            for _ in range(args.runs)
        ]
        imports = []
        for i in range(args.runs):
            fresh = {**env, "READER_DB": str(work / f"empty-{i}" / "notes.json")}
            imports.append(run(["import", str(work / "all.json")], fresh))
        count = sum(1 for _ in Store(work / "empty-0" / "notes.json").all_highlights())
        size = (work / "all.json").stat().st_size / 1e6
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{total:,} highlights over {args.articles:,} articles (setup {setup:.0f} s)")
    print(f"{'case':<44} {'median':>8}  runs (s)")
    rows = [
        ("export Markdown into an empty folder", firsts, "<= 5 s"),
        ("export Markdown again (all up to date)", again, "<= 5 s"),
        (f"export JSON ({size:.0f} MB)", js, ""),
        ("import JSON into an empty store", imports, "<= 10 s"),
    ]
    for name, times, target in rows:
        shown = " ".join(f"{t:.2f}" for t in times)
        print(f"{name:<44} {statistics.median(times):>7.2f}s  {shown}  {target}")
    print(f"files written: {files:,}; highlights after import: {count:,} of {total:,}")


if __name__ == "__main__":
    main()
