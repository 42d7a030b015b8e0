"""Cleaning throughput on one core: MB of text per second, medians of several runs.

    python bench/bench_clean.py [--runs 7]

Corpora: the five sample articles, the 514 pages of ../shared/bench/clean-dev (web pages
copied as text: menus, footers and all) and the largest of them. Time is the process's CPU
time, so that another program on the machine does not count. Target: >= 5 MB/s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reader.clean import clean  # noqa: E402
from reader.library import read_text  # noqa: E402

DEV = HERE.parent.parent / "shared" / "bench" / "clean-dev"
TARGET = 5.0


def corpora() -> dict[str, list[str]]:
    """name -> texts, as the library hands them to the cleaner."""
    found = {
        "sample articles": [
            read_text(p).text for p in sorted((HERE.parent / "articles").glob("*.txt"))
        ]
    }
    if (DEV / "cases.json").exists():
        cases = json.loads((DEV / "cases.json").read_text("utf-8"))["cases"]
        pages = [read_text(DEV / c["txt"]).text for c in cases]
        found["dev pages (all)"] = pages
        found["dev pages > 20 KB"] = [p for p in pages if len(p) > 20_000]
    return found


def throughput(texts: list[str], runs: int) -> tuple[float, float, float]:
    """(median, min, max) MB/s over `runs` runs; each run lasts at least 0.5 s."""
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    for text in texts[:3]:
        clean(text)  # warm-up: stop-word lists and regexes
    rates = []
    for _ in range(runs):
        rounds = 0
        start = time.process_time()
        while True:
            for text in texts:
                clean(text)
            rounds += 1
            elapsed = time.process_time() - start
            if elapsed >= 0.5:
                break
        rates.append(size * rounds / elapsed)
    return statistics.median(rates), min(rates), max(rates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    print(
        f"{'corpus':<20} {'files':>6} {'MB':>7} {'median MB/s':>12} {'min':>6} {'max':>6}  target"
    )
    for name, texts in corpora().items():
        size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        med, low, high = throughput(texts, args.runs)
        verdict = "ok" if med >= TARGET else "BELOW"
        print(
            f"{name:<20} {len(texts):>6} {size:>7.2f} {med:>12.2f} {low:>6.2f} {high:>6.2f}"
            f"  >= {TARGET} {verdict}"
        )


if __name__ == "__main__":
    main()
