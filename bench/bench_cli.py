"""Wall time of the command line: `reader clean` on a sample, `reader list` on 10,000 articles.

    python bench/bench_cli.py [--articles 10000] [--runs 5]

Prints medians (after a warm-up) against the targets; asserts nothing. The library is generated
in a temporary folder from the sample articles, each copy made different; every first run of
`reader list` gets a fresh, empty cache directory (READER_CACHE_DIR).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "articles").glob("*.txt"))
WORDS = (
    "selon le ministère la situation reste tendue dans la région où les habitants attendent "
    "des nouvelles depuis plusieurs jours tandis que les autorités promettent une enquête"
).split()


def generate(folder: Path, count: int, seed: int = 1) -> int:
    """Write `count` articles of ~3-6 KB into `folder` (100 per subfolder); returns bytes."""
    rng = random.Random(seed)
    texts = [path.read_text(encoding="utf-8") for path in SAMPLES]
    total = 0
    for i in range(count):
        paragraphs = texts[i % len(texts)].split("\n\n")
        # Vary the text: a new sentence in a few paragraphs, and a random cut of the ending.
        for _ in range(3):
            k = rng.randrange(len(paragraphs))
            sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
            paragraphs[k] = f"{paragraphs[k]} {sentence.capitalize()} ({i})."
        text = "\n\n".join(paragraphs)[: rng.randint(3000, 6000)]
        sub = folder / f"{i // 100:03}"
        sub.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        (sub / f"article-{i:05}.txt").write_bytes(data)
        total += len(data)
    return total


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "reader", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    opts = ap.parse_args()
    runs = max(opts.runs, 1)

    with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
        tmp_path = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        library = tmp_path / "library"
        size = generate(library, opts.articles)
        print(f"library: {opts.articles} articles, {size / 1e6:.1f} MB, in {library}")
        print(f"CPUs: {os.cpu_count()}; Python {sys.version.split()[0]}; {runs} runs each")

        def fresh_env() -> dict[str, str]:
            return {**env, "READER_CACHE_DIR": tempfile.mkdtemp(dir=tmp_path, prefix="cache-")}

        clean_env = fresh_env()
        sample = str(SAMPLES[0])
        timed(["clean", sample], clean_env)  # warm-up: .pyc files, disk cache
        clean = [timed(["clean", sample], clean_env) for _ in range(runs)]

        timed(["list", str(library)], fresh_env())  # warm-up: the files are in the page cache
        first = []
        for _ in range(runs):
            list_env = fresh_env()
            first.append(timed(["list", str(library)], list_env))
        second = [timed(["list", str(library)], list_env) for _ in range(runs)]

    rows = [
        ("reader clean (one sample)", clean, 0.150),
        (f"reader list, {opts.articles} articles, empty cache", first, 10.0),
        (f"reader list, {opts.articles} articles, cached", second, 1.0),
    ]
    width = max(len(name) for name, _, _ in rows)
    print(f"\n{'what':<{width}}  {'median':>9}  {'min':>9}  {'max':>9}  {'target':>9}  ok")
    for name, times, target in rows:
        median = statistics.median(times)
        print(
            f"{name:<{width}}  {median * 1000:>7.0f}ms  {min(times) * 1000:>7.0f}ms  "
            f"{max(times) * 1000:>7.0f}ms  {target * 1000:>7.0f}ms  "
            f"{'yes' if median <= target else 'NO'}"
        )


if __name__ == "__main__":
    main()
