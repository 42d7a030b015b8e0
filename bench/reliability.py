"""Reliability on real processes and real files: what survives faults, and what the user sees.

    .venv/bin/python bench/reliability.py faults [--rounds N] [--keep]

Runs the scenarios of tests/fault_cases.py (the quick part is tests/test_faults.py) for many
more rounds, on a bigger library, and prints one table: the fault, how many runs, how many
acknowledged highlights were lost (must be 0), and what the user saw. Findings that are not
lost highlights (a broken export file, processes left behind, temp files) follow the table.

- SIGKILL at random moments (most while files are written) during `reader import` of a
  collection of thousands of highlights, and `reader export -o DIR` of thousands of
  articles (into a new folder, and over an earlier export), and of an export whose worker
  processes are rendering;
- a full disk: a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored: EFBIG), and a real ENOSPC
  on a tmpfs of 8 MB in a mount namespace of our own (when the machine allows one);
- a read-only data folder (a tmpfs remounted read-only, else `chattr +i`);
- the database file and a highlights file damaged: garbage, cut at 100 lengths, another
  shape, another program's TinyDB file, a newer schema;
- the lock held by a process killed with SIGKILL, and a stale lock file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from fault_cases import (  # noqa: E402
    APP_OPERATIONS,
    damage,
    damaged_versions,
    export_killed_while_rendering,
    export_kills,
    export_when_full,
    import_kills,
    import_when_full,
    lock_left_by_the_dead,
    save_until_full,
)
from fault_lib import (  # noqa: E402
    TESTS,
    Run,
    World,
    immutable_files,
    make_world,
    private_mounts,
    run_limited,
    shape,
)
from store_child import highlight  # noqa: E402

from reader.export import PARALLEL_BYTES  # noqa: E402
from reader.models import Highlight  # noqa: E402
from reader.storage import FORMAT, HIGHLIGHTS_FORMAT, shard_key  # noqa: E402
from reader.store import Store  # noqa: E402


@dataclass
class Row:
    """One line of the table."""

    fault: str
    runs: int = 0
    lost: int = 0
    saw: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def seen(self, message: str, *paths: Path, empty: str = "(nothing: killed)") -> None:
        self.saw[shape(message, *paths) if message else empty] += 1


ROWS: list[Row] = []


def timed(fault: str) -> Callable[[Callable[[Row], None]], Callable[[], None]]:
    def wrap(body: Callable[[Row], None]) -> Callable[[], None]:
        def go() -> None:
            row = Row(fault)
            started = time.perf_counter()
            print(f"... {fault}", file=sys.stderr, flush=True)
            try:
                body(row)
            except Exception as exc:  # a scenario that cannot run here is a finding too
                row.notes.append(f"could not run: {type(exc).__name__}: {exc}")
            row.seconds = time.perf_counter() - started
            ROWS.append(row)

        return go

    return wrap


def said(run: Run) -> str:
    return run.said.splitlines()[0] if run.said else ""


# -- the scenarios, for many rounds ----------------------------------------------------------


def kills(work: Path, rounds: int, articles: int) -> None:
    @timed(f"SIGKILL during `reader import` ({3 * 1000:,}+ highlights in the file)")
    def _import(row: Row) -> None:
        result = import_kills(
            work / "import",
            rounds,
            articles=600,
            per_article=3,
            new=3000,
            updated=300,
            older=100,
            seed=1,
        )
        mid = mixed = temps = incomplete = 0
        for r in result.rounds:
            row.runs += 1
            row.lost += len(r.lost)
            row.seen(said(r.run))
            mid += bool(r.old_files and r.new_files)
            mixed += len(r.mixed_files)
            temps += len(r.temps_after_rerun)
            incomplete += not r.rerun_complete or r.rerun.status != 0
            if r.error:
                row.notes.append(f"the store did not open after a kill: {r.error}")
        row.notes.append(
            f"{result.highlights_before:,} highlights in the store, {result.incoming:,} in the "
            f"file, {result.files_changed} highlights files changed by a complete import "
            f"({result.seconds:.1f} s); {mid} kills landed while files were written; files "
            f"part old, part new: {mixed}; import run again incomplete: {incomplete}; temp "
            f"files left after it: {temps}"
        )

    @timed(f"SIGKILL during `reader export -o DIR` ({articles:,} articles)")
    def _export(row: Row) -> None:
        result = export_kills(work / "export", rounds, articles=articles, per_article=3, seed=2)
        mid = broken = temps = orphans = unexplained = 0
        for r in result.rounds:
            row.runs += 1
            row.lost += 0 if r.store_unchanged else 1
            row.seen(said(r.run))
            mid += r.mid_write
            broken += len(r.broken_by_kill)
            temps += len(r.temps_after_rerun)
            orphans += r.run.orphans
            unexplained += len(r.wrong_after_rerun)
            if r.rerun.status != 0:
                row.notes.append(f"the export again failed: {said(r.rerun)}")
        row.notes.append(
            f"{result.highlights:,} highlights; a complete export {result.seconds:.1f} s; "
            f"{mid} kills landed while files were written; Markdown files left broken (empty "
            f"or cut) by a kill: {broken}; problems after the export again: {unexplained}; "
            f"processes left running by the killed export: {orphans} (all three must be 0); "
            f"hidden temp files left (never read, never swept): {temps}"
        )

    @timed("SIGKILL while `reader export` renders in worker processes")
    def _rendering(row: Row) -> None:
        per = 3 + PARALLEL_BYTES // (560 * 400)
        world, made = make_world(work / "rendering", 400, per, seed=3)
        left = 0
        for i in range(max(3, rounds // 4)):
            seen = export_killed_while_rendering(work / f"rendering-{i}", world, made)
            row.runs += 1
            row.seen("")
            left += seen.left_after
            if seen.wrong_after_rerun:
                row.notes.append(f"after the export again: {seen.wrong_after_rerun[:2]}")
        row.notes.append(
            f"{len(made):,} highlights (over {PARALLEL_BYTES / 1e6:.0f} MB: rendered in "
            f"processes); worker processes still alive 3 s after their export was killed: "
            f"{left} (must be 0)"
        )

    _import()
    _export()
    _rendering()


def full_disk(work: Path, rounds: int, world: World, made: list[Highlight]) -> None:
    @timed("file size limit (EFBIG): saves one by one, as the app")
    def _saves(row: Row) -> None:
        rng = random.Random(4)
        for i in range(rounds):
            db = work / f"saves-{i}" / "notes.json"
            limit = rng.randrange(16, 200) * 1024
            seen = save_until_full(db, "s", limit=limit, note_size=rng.randrange(500, 5000))
            row.runs += 1
            row.lost += len(seen.lost) + (0 if seen.files_intact else 1)
            row.seen(seen.message, db)
            if seen.temps:
                row.notes.append(f"temp files left: {seen.temps}")
            shutil.rmtree(db.parent, ignore_errors=True)

    @timed("file size limit (EFBIG): `reader import`")
    def _import(row: Row) -> None:
        for i in range(max(2, rounds // 5)):
            where = work / f"import-limit-{i}"

            def limited(args: list[str], env: dict[str, str]) -> Run:
                return run_limited(args, env, 48 * 1024)

            seen = import_when_full(
                where,
                world,
                made,
                where=where / "db" / "notes.json",
                full=limited,
                huge=64 * 1024,
                seed=i,
            )
            row.runs += 1
            row.lost += len(seen.lost) + len(seen.mixed_files)
            row.seen(said(seen.run), where)
            if not (seen.rerun_complete and seen.named_file_unchanged):
                row.notes.append("the import again did not complete, or the named file changed")
            shutil.rmtree(where, ignore_errors=True)

    @timed("file size limit (EFBIG): `reader export` (Markdown, JSON)")
    def _export(row: Row) -> None:
        broken = 0
        for i in range(max(2, rounds // 5)):
            where = work / f"export-limit-{i}"

            def limited(args: list[str], env: dict[str, str]) -> Run:
                return run_limited(args, env, 1024)

            seen = export_when_full(where, world, where=where / "out", full=limited)
            row.runs += 2
            row.lost += 0 if seen.store_unchanged and seen.json_intact else 1
            row.seen(said(seen.run), where)
            row.seen(said(seen.json_run), where)
            broken += len(seen.broken)
            shutil.rmtree(where, ignore_errors=True)
        row.notes.append(f"Markdown files left cut short by the failed export: {broken}")

    @timed("a real full disk (ENOSPC, tmpfs): saves, import, export")
    def _enospc(row: Row) -> None:
        found = private_mounts(work)
        if isinstance(found, str):
            row.notes.append(f"skipped: no mount namespace of our own here ({found})")
            return
        broken = 0
        for i in range(max(2, rounds // 5)):
            where = work / f"enospc-{i}"
            where.mkdir()
            done = subprocess.run(
                [*found[0], sys.executable, str(TESTS / "fault_ns.py"), "enospc", str(where)],
                capture_output=True,
                timeout=600,
            )
            if done.returncode != 0:
                row.notes.append(f"fault_ns.py failed: {done.stderr.decode()[-300:]}")
                continue
            seen = json.loads(done.stdout)
            saves, imported, exported = seen["saves"], seen["import"], seen["export"]
            row.runs += 4
            row.lost += len(saves["lost"]) + len(imported["lost"])
            row.lost += len(imported["mixed_files"]) + (not exported["store_unchanged"])
            row.seen(saves["message"], where)
            for case in (imported["run"], exported["run"], exported["json_run"]):
                row.seen(case["said"], where)
            broken += len(exported["broken"])
            shutil.rmtree(where, ignore_errors=True)
        row.notes.append(f"{found[1]}; Markdown files left empty by the failed export: {broken}")

    _saves()
    _import()
    _export()
    _enospc()


def read_only(work: Path, rounds: int) -> None:
    @timed("read-only data folder: list, export, import, save")
    def _body(row: Row) -> None:
        found = private_mounts(work)
        if isinstance(found, str):
            why = immutable_files(work)
            if why is not None:
                row.notes.append(f"skipped: no read-only mount ({found}) nor chattr ({why})")
                return
            prefix, how = [], ["--how", "chattr"]
        else:
            prefix, how = found[0], ["--how", "mount"]
        for i in range(max(2, rounds // 5)):
            where = work / f"readonly-{i}"
            where.mkdir()
            command = [*prefix, sys.executable, str(TESTS / "fault_ns.py"), "readonly"]
            done = subprocess.run([*command, str(where), *how], capture_output=True, timeout=600)
            if done.returncode != 0:
                row.notes.append(f"fault_ns.py failed: {done.stderr.decode()[-300:]}")
                continue
            seen = json.loads(done.stdout)
            row.runs += 5
            row.lost += not (seen["files_unchanged"] and seen["highlights_all_there"])
            row.runs += 2
            cases = ("list", "export_elsewhere", "import")
            for case in (*cases, "export_change_into_it", "export_new_folder_in_it"):
                status = seen[case]["status"]
                row.seen(seen[case]["said"], where, empty=f"(exit {status}, no message)")
            row.seen(seen["save"]["message"], where)
            row.seen(seen["set_position"], where)
            shutil.rmtree(where, ignore_errors=True)
        row.notes.append(f"read-only by {how[1]}; reading works, every write says why")

    _body()


def damaged(work: Path) -> None:
    def scenario(row: Row, main: bool) -> None:
        world, made = make_world(work / ("main" if main else "shard"), 30, 3, seed=5)
        store = Store(world.db)
        store.set_position(made[0].article, 10)
        store.set_setting("theme", "textual-light")
        store.save_highlight(made[0])
        if main:
            target, fmt = world.db, FORMAT
        else:
            target = Path(f"{world.db}.highlights") / f"{shard_key(made[0].article)}.json"
            fmt = HIGHLIGHTS_FORMAT
        versions = damaged_versions(target.read_bytes(), fmt=fmt, cuts=100, seed=6)
        seen = damage(
            world,
            target,
            versions,
            article=made[0].article,
            sample=made[0],
            commands_for={name for name, _ in versions},
            work=work / ("main-runs" if main else "shard-runs"),
        )
        refused = APP_OPERATIONS if main else APP_OPERATIONS[3:6] + APP_OPERATIONS[7:]
        silent = 0
        for s in seen:
            row.runs += 1
            row.lost += not s.unchanged
            for operation in refused:
                silent += s.store_messages[operation] == "no error"
            for result in s.commands.values():
                row.seen(said(result), work)
                silent += result.status != 1
        row.notes.append(
            f"{len(versions)} versions x ({len(refused)} store operations + 3 commands): "
            f"not refused: {silent}; file or its .bak changed: {row.lost}"
        )

    @timed("damaged notes.json (garbage, 100 cuts, newer, foreign)")
    def _main(row: Row) -> None:
        scenario(row, main=True)

    @timed("damaged highlights file (garbage, 100 cuts, newer, foreign)")
    def _shard(row: Row) -> None:
        scenario(row, main=False)

    _main()
    _shard()


def locks(work: Path, rounds: int) -> None:
    @timed("lock held by a process killed with SIGKILL; stale lock file")
    def _body(row: Row) -> None:
        worst = 0.0
        for i in range(max(3, rounds // 2)):
            db = work / f"lock-{i}" / "notes.json"
            sample = highlight("lock", i, 1)
            Store(db).save_highlight(sample)
            seen = lock_left_by_the_dead(db, sample)
            row.runs += 2
            row.lost += not seen.saved
            row.seen(f"(while it lived, with a 0.3 s timeout) {seen.busy_message}", db)
            worst = max(worst, seen.after_kill_seconds, seen.stale_seconds)
            if not seen.flock_held:
                row.notes.append("no flock seen in /proc/locks while held")
        row.notes.append(f"the next save after the holder died, slowest: {worst * 1000:.0f} ms")

    _body()


# -- the table --------------------------------------------------------------------------------


def table(rows: Iterable[Row]) -> str:
    lines = [f"{'    fault':<66} {'runs':>5} {'lost':>5} {'time':>6}  what the user saw (runs)"]
    notes = []
    for n, row in enumerate(rows, 1):
        saw = "; ".join(f"{msg[:110]} ({k})" for msg, k in row.saw.most_common(4))
        more = len(row.saw) - 4
        if more > 0:
            saw += f"; and {more} other wordings"
        lines.append(
            f"{n:>2}. {row.fault:<62} {row.runs:>5} {row.lost:>5} {row.seconds:>5.0f}s  "
            f"{saw or '-'}"
        )
        notes += [f"{n:>2}. {note}" for note in row.notes]
    return "\n".join(lines + ["", "Findings:"] + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["faults"])
    parser.add_argument("--rounds", type=int, default=20, help="kills per kill scenario")
    parser.add_argument("--articles", type=int, default=3000, help="for the export kills")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reader-reliability-"))
    started = time.perf_counter()
    try:
        kills(work / "kills", args.rounds, args.articles)
        world, made = make_world(work / "world", 400, 3, seed=7)
        full_disk(work / "full", args.rounds, world, made)
        read_only(work / "ro", args.rounds)
        damaged(work / "damaged")
        locks(work / "locks", args.rounds)
    finally:
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(table(ROWS))
    total_lost = sum(row.lost for row in ROWS)
    print(
        f"\n{sum(r.runs for r in ROWS):,} runs in {time.perf_counter() - started:.0f} s "
        f"on {os.cpu_count()} cores; acknowledged highlights lost: {total_lost}"
    )
    sys.exit(1 if total_lost else 0)


if __name__ == "__main__":
    main()
