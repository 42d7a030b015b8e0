"""Start-up of the reading app in a real terminal (tmux), against an empty Textual app.

    python bench/bench_startup.py [--runs 5]

Each case starts a command in a detached tmux session of 120x40 and stops the clock when a
known text shows on the screen (`tmux capture-pane`). Medians of several runs after a
warm-up; the empty app is measured in the same run as the reference. Cases: the five sample
articles; a generated library of 10,000 articles, cold (empty list cache: the first titles on
screen) and warm (cached); a 1 MB article (its first page). Memory: the resident set of the
app with 10,000 articles, read from /proc after the list shows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZE = (120, 40)
EMPTY_APP = """
from textual.app import App
from textual.widgets import Static
class Empty(App):
    def compose(self):
        yield Static("EMPTY-READY")
Empty().run()
"""


SOCKET = f"reader-bench-{os.getpid()}"  # a private tmux server: nobody else's sessions


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True
    ).stdout


def start(session: str, command: list[str], env: dict[str, str]) -> None:
    """Run `command` in a new tmux session of SIZE, with the reader's data in `env`."""
    x, y = SIZE
    shell = " ".join(f"'{part}'" for part in command)
    db, cache = f"READER_DB={env['READER_DB']}", f"READER_CACHE_DIR={env['READER_CACHE_DIR']}"
    tmux(
        "new-session", "-d", "-s", session, "-x", str(x), "-y", str(y), "-e", db, "-e", cache, shell
    )


def stop(session: str) -> None:
    subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", session], capture_output=True)


def wait_for(session: str, text: str, started: float, timeout: float = 60) -> float:
    """Seconds since `started` when `text` shows in `session`."""
    while time.perf_counter() - started < timeout:
        if text in tmux("capture-pane", "-p", "-t", session):
            return time.perf_counter() - started
        time.sleep(0.005)
    raise TimeoutError(f"{text!r} never showed in {session}")


def time_to_text(command: list[str], text: str, env: dict[str, str]) -> float:
    """Seconds from starting `command` in a fresh tmux session until `text` is on screen."""
    session = f"bench{os.getpid()}"
    started = time.perf_counter()
    start(session, command, env)
    try:
        return wait_for(session, text, started)
    finally:
        stop(session)


def rss_when(command: list[str], text: str, env: dict[str, str]) -> float:
    """Resident memory (MB) of the app once `text` shows."""
    session = f"benchmem{os.getpid()}"
    started = time.perf_counter()
    start(session, command, env)
    try:
        wait_for(session, text, started)
        time.sleep(0.5)
        pid = tmux("list-panes", "-t", session, "-F", "#{pane_pid}").strip()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")
    finally:
        stop(session)


def make_library(folder: Path, count: int) -> None:
    """`count` articles made from a sample, each with a headline of its own."""
    (sample,) = (ROOT / "articles").glob("000_*.txt")  # the sample with no headline
    text = sample.read_text("utf-8")
    for i in range(count):
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        headline = f"Dépêche numéro {i:05d} sur la guerre en Ukraine"
        (sub / f"article-{i:05d}.txt").write_text(f"{headline}\n\n{text}\n", "utf-8")


def make_big_article(path: Path, size: int = 1_000_000) -> None:
    """A 1 MB article: the samples' paragraphs over and over, each made unique."""
    paragraphs = [
        line.strip()
        for p in sorted((ROOT / "articles").glob("*.txt"))
        for line in p.read_text("utf-8").splitlines()
        if len(line.strip()) > 150
    ]
    parts = ["Un article d'un mégaoctet sur la guerre en Ukraine", "Chapitre premier."]
    total, k = 0, 0
    while total < size:
        for text in paragraphs:
            k += 1
            part = f"{text} (Paragraphe {k}.)"
            parts.append(part)
            total += len(part.encode())
    path.write_text("\n\n".join(parts), "utf-8")


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed")
    reader = str(Path(sys.executable).with_name("reader"))
    # One session lives through the whole run: a server left with no session exits, and a
    # new session started in that instant fails.
    tmux("new-session", "-d", "-s", "keepalive", "sleep 100000")
    work = Path(tempfile.mkdtemp(prefix="reader-startup-"))
    env = {"READER_DB": str(work / "notes.json"), "READER_CACHE_DIR": str(work / "cache")}
    empty = work / "empty.py"
    empty.write_text(EMPTY_APP)
    big = work / "big" / "big.txt"
    big.parent.mkdir()
    make_big_article(big)
    lib = work / "lib10k"
    make_library(lib, 10_000)

    empty_cmd = [sys.executable, str(empty)]
    cases: list[tuple[str, list[str], str, bool, float]] = [
        ("five samples", [reader, str(ROOT / "articles")], "Kiev a annoncé avoir", False, 1.3),
        ("10,000 articles, warm", [reader, str(lib)], "Dépêche numéro 00000", False, 2.0),
        ("10,000 articles, cold", [reader, str(lib)], "Dépêche numéro 00000", True, 2.0),
        ("1 MB article, first page", [reader, str(big)], "(Paragraphe 1.)", False, 2.0),
    ]
    # Bytecode written once, as an installed package has it (this machine may be set not to
    # write .pyc files, which would make every start compile the reader anew).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "reader")], check=True)
    time_to_text(empty_cmd, "EMPTY-READY", env)  # warm-up: disk caches, bytecode
    time_to_text([reader, str(lib)], "Dépêche numéro 00000", env)  # fills the list cache
    rows = []
    for name, command, text, cold, limit in cases:
        app_times, empty_times = [], []
        for _ in range(args.runs):
            empty_times.append(time_to_text(empty_cmd, "EMPTY-READY", env))
            if cold:
                shutil.rmtree(env["READER_CACHE_DIR"], ignore_errors=True)
            app_times.append(time_to_text(command, text, env))
        ratio = median(app_times) / median(empty_times)
        rows.append((name, median(app_times), median(empty_times), ratio, limit))
    mem = rss_when([reader, str(lib)], "Dépêche numéro 00000", env)

    print(f"tmux {SIZE[0]}x{SIZE[1]}, {args.runs} runs each, medians")
    print(f"{'case':<28} {'app':>8} {'empty app':>10} {'ratio':>6} {'target':>7}  ok")
    for name, app_s, empty_s, ratio, limit in rows:
        ok = "yes" if ratio <= limit else "NO"
        print(
            f"{name:<28} {app_s * 1000:>6.0f}ms {empty_s * 1000:>8.0f}ms {ratio:>6.2f} "
            f"{'<=' + str(limit) + 'x':>7}  {ok}"
        )
    print(
        f"{'memory, 10,000 articles':<28} {mem:>6.0f}MB {'':>10} {'':>6} {'<=150MB':>7}  "
        f"{'yes' if mem <= 150 else 'NO'}"
    )
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)


if __name__ == "__main__":
    main()
