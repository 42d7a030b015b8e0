"""Long runs of the load, fuzz and hostile-input scenarios of tests/test_load_and_hostile.py.

    python bench/stress.py load [--minutes N]   # N minutes of two apps + a `reader import`
                                                # loop on one store (default 1); 100,000 files
                                                # and 100,000 highlights; 50 MB and 19.8 MB files
    python bench/stress.py fuzz [--minutes N]   # the fuzz properties for N minutes (default 5)

Prints a table: what was done, how many times, what was lost (must be nothing), and times.
Exits 1 if anything was lost or a property failed. Real processes and files, no mocks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS.parent))

Row = tuple[str, str, int, str]
"""(what, how many times, how many lost, times)"""


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"


def _table(rows: list[Row]) -> None:
    head = ("what", "how many times", "lost", "times")
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(4)]
    for row in [head, *rows]:
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())


def load(minutes: float) -> list[Row]:
    import stress_lib

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "load"
        folder.mkdir()
        seconds = minutes * 60
        began = time.monotonic()
        outcome = stress_lib.run_load(folder, seconds)
        counts = outcome.counts
        _report(outcome.lost)
        rows.append(
            (
                f"2 apps + reader import, one store, {seconds:.0f} s",
                f"{counts.get('app keys', 0)} keys, {counts.get('app acks', 0)} app acks, "
                f"{counts.get('import rounds', 0)} imports",
                len(outcome.lost),
                _seconds(time.monotonic() - began),
            )
        )
        folder = Path(tmp) / "volume"
        folder.mkdir()
        outcome = stress_lib.run_volume(folder, files=100_000, highlights=100_000, articles=10_000)
        _report(outcome.lost)
        times = outcome.times
        rows.append(
            (
                "reader list --json, library of 100,000 files",
                "cold, warm",
                len([x for x in outcome.lost if "list" in x]),
                f"{_seconds(times['list cold'])}, {_seconds(times['list warm'])}",
            )
        )
        rows.append(
            (
                "reader export, 100,000 highlights / 10,000 articles",
                "md (folder), json (stdout)",
                len([x for x in outcome.lost if "export" in x]),
                f"{_seconds(times['export md'])}, {_seconds(times['export json'])}",
            )
        )
        opened = asyncio.run(
            stress_lib.open_in_app(
                folder / "library",
                folder / "notes.json",
                folder / "cache",
                stress_lib.article_id(1234),
                100_000,
            )
        )
        lost = int(opened["painted"] != 10) + int(opened["total"] != 100_000)
        rows.append(
            (
                "the app: an article with its 10 highlights, then the list",
                f"{opened['painted']:.0f} painted, {opened['total']:.0f} listed",
                lost,
                f"{_seconds(opened['shown'])}, {_seconds(opened['listed'])}",
            )
        )
        shutil.rmtree(folder)
        rows += _big_files(Path(tmp))
    return rows


def _big_files(tmp: Path) -> list[Row]:
    """A 50 MB file (refused with a reason) and a 19.8 MB one (read): never a hang."""
    import stress_lib
    from test_load_and_hostile import _open_the_app_on

    library = tmp / "big"
    shutil.copytree(stress_lib.ARTICLES, library)
    env = stress_lib.reader_env(tmp / "notes.json", tmp / "cache")
    rows: list[Row] = []
    rng = random.Random(1)
    words = "selon le ministère la situation reste tendue dans la région où les gens attendent"
    vocabulary = words.split()
    for name, size in (("huge.txt", 50_000_000), ("large.txt", 19_800_000)):
        path = library / name
        with path.open("w", encoding="utf-8") as f:
            written = n = 0
            while written < size:
                count = rng.randint(30, 120)
                words = " ".join(rng.choice(vocabulary) for _ in range(count))
                paragraph = f"{words.capitalize()} ({n}).\n\n"
                f.write(paragraph)
                written, n = written + len(paragraph.encode()), n + 1
        began = time.monotonic()
        done = stress_lib.run_reader("clean", str(path), env=env, timeout=600)
        took = time.monotonic() - began
        refused = done.returncode == 1 and b"too large" in done.stderr
        ok = refused if size > 20_000_000 else done.returncode == 0
        said = "refused: too large" if refused else f"read, exit {done.returncode}"
        began = time.monotonic()
        messages = asyncio.run(_open_the_app_on(library, path, tmp))
        opened = time.monotonic() - began
        if size > 20_000_000:
            ok = ok and any("too large" in m for m in messages)
        rows.append(
            (
                f"{size / 1e6:.1f} MB article: reader clean, then the app",
                said,
                int(not ok),
                f"{_seconds(took)}, {_seconds(opened)}",
            )
        )
        path.unlink()
    return rows


def fuzz(minutes: float) -> list[Row]:
    os.environ.setdefault("FUZZ_SCALE", "2")  # rounds of twice the CI examples
    import test_load_and_hostile as props

    tests: list[tuple[str, Callable[[], None]]] = [
        (name.removeprefix("test_fuzz_").replace("_", " "), getattr(props, name))
        for name in dir(props)
        if name.startswith("test_fuzz_")
    ]
    share = minutes * 60 / len(tests)
    rows: list[Row] = []
    for name, test in tests:
        props.EXAMPLES.clear()
        began = time.monotonic()
        rounds = failures = 0
        while time.monotonic() - began < share:
            rounds += 1
            try:
                test()
            except Exception:
                failures += 1
                traceback.print_exc()
                break  # the example database would replay the same failure
        rows.append(
            (
                f"fuzz: {name}",
                f"{sum(props.EXAMPLES.values()):,} examples in {rounds} rounds",
                failures,
                _seconds(time.monotonic() - began),
            )
        )
    return rows


def _report(lost: list[str]) -> None:
    for line in lost[:20]:
        print(f"LOST: {line}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("load", "fuzz"))
    parser.add_argument("--minutes", type=float, default=None)
    args = parser.parse_args()
    if args.mode == "load":
        rows = load(args.minutes if args.minutes is not None else 1.0)
    else:
        rows = fuzz(args.minutes if args.minutes is not None else 5.0)
    _table(rows)
    return 1 if any(row[2] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
