"""The fault scenarios, shared by tests/test_faults.py (a few rounds, asserted) and
bench/reliability.py (many rounds, tabulated): each runs real `reader` processes on real files,
hurts them (SIGKILL, a file size limit, a damaged file, a dead lock holder) and returns what
it saw, without judging it.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
from fault_lib import (
    TESTS,
    Run,
    World,
    by_shard,
    complete_export,
    end_session,
    file_size_limit,
    import_collection,
    lost,
    make_world,
    markdown_problem,
    random_highlight,
    read_folder,
    run,
    session,
    snapshot,
    store_files,
    temp_files,
)
from msgspec import structs

from reader.models import Highlight
from reader.storage import HIGHLIGHTS, SCHEMA_VERSION, shard_key
from reader.store import Store, StoreError

CHILD = TESTS / "fault_child.py"


def _files(folder: Path, suffix: str, since_ns: int = 0) -> int:
    """How many files of `folder` end with `suffix` (and changed after `since_ns`)."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    if not since_ns:
        return sum(1 for e in entries if e.name.endswith(suffix))
    count = 0
    for e in entries:
        try:
            count += e.name.endswith(suffix) and e.stat().st_mtime_ns > since_ns
        except FileNotFoundError:
            pass
    return count


def killed_run(
    rng: random.Random,
    args: list[str],
    env: dict[str, str],
    *,
    total: float,
    progress: Callable[[], int],
    steps: int,
) -> tuple[Run, str]:
    """Run `reader ARGS` and SIGKILL it at a random moment: one time in five anywhere in
    its `total` seconds (starting, reading, parsing), else once `progress()` (files written)
    reaches a random one of its `steps`, plus up to 4 ms (anywhere in the writing of a
    file). Returns the run and when it was killed, in words."""
    if rng.random() < 0.2 or steps < 2:
        delay = rng.uniform(0.0, total)
        return run(args, env, kill_after=delay), f"at {delay:.3f} s"
    target = rng.randrange(1, steps)
    then = rng.uniform(0.0, 0.004)
    done = run(args, env, kill_when=lambda: progress() >= target, then=then)
    return done, f"after {target} of {steps} files (+{then * 1000:.1f} ms)"


def _state(
    snap: dict[str, Highlight], before: dict[str, Highlight], after: dict[str, Highlight]
) -> tuple[int, int, list[str]]:
    """How many highlights files hold the old version, the new one, and which hold neither."""
    have, old, new = by_shard(snap), by_shard(before), by_shard(after)
    olds = news = 0
    neither = []
    for key in sorted(set(old) | set(new) | set(have)):
        mine = have.get(key, {})
        if mine == old.get(key, {}) and mine == new.get(key, {}):
            continue  # the import does not touch this file
        if mine == old.get(key, {}):
            olds += 1
        elif mine == new.get(key, {}):
            news += 1
        else:
            neither.append(key)
    return olds, news, neither


# -- 1. SIGKILL during `reader import` --------------------------------------------------------


@dataclass
class ImportRound:
    """One `reader import` killed (`delay` says when), and what the store held then."""

    delay: str
    run: Run
    error: str | None  # the store did not open after the kill
    lost: list[str]  # highlights that were in the store before and are gone
    old_files: int  # highlights files the import would change, still as before
    new_files: int  # ... already as after a complete import
    mixed_files: list[str]  # ... neither (never allowed: a file is all or nothing)
    temps_after_kill: int
    rerun: Run
    rerun_complete: bool  # after running the import again, the store is as after one import
    temps_after_rerun: list[str]


@dataclass
class ImportKills:
    rounds: list[ImportRound]
    highlights_before: int
    incoming: int
    files_changed: int  # highlights files a complete import changes
    seconds: float  # one complete import


def import_kills(
    work: Path,
    rounds: int,
    *,
    articles: int,
    per_article: int,
    new: int,
    updated: int,
    older: int,
    seed: int,
) -> ImportKills:
    """Kill `reader import FILE.json` at random moments; each round starts from the same store."""
    rng = random.Random(seed)
    world, made = make_world(work / "world", articles, per_article, seed=seed)
    collection = work / "import.json"
    collection.write_bytes(
        import_collection(world, made, new=new, updated=updated, older=older, seed=seed + 1)
    )
    before = snapshot(world.db)
    reference = world.copy_store(work / "reference" / "notes.json")
    done = run(["import", str(collection)], world.env(reference))
    if done.status != 0:
        raise RuntimeError(f"the reference import failed: {done.said}")
    after = snapshot(reference)
    changed = [h for hid, h in after.items() if before.get(hid) != h]
    files_changed = len({shard_key(h.article) for h in changed})
    results = []
    for i in range(rounds):
        db = world.copy_store(work / f"round-{i}" / "notes.json")
        shard_dir = Path(f"{db}.{HIGHLIGHTS}")
        backups = _files(shard_dir, ".bak")  # each file written leaves its old version so
        killed, delay = killed_run(
            rng,
            ["import", str(collection)],
            world.env(db),
            total=done.seconds,
            progress=lambda: _files(shard_dir, ".bak") - backups,  # noqa: B023
            steps=files_changed,
        )
        temps = len(temp_files(shard_dir)) + len(temp_files(db.parent))
        try:
            snap = snapshot(db)
            error = None
        except StoreError as exc:
            snap, error = {}, str(exc)
        olds, news, mixed = _state(snap, before, after)
        again = run(["import", str(collection)], world.env(db))
        try:
            complete = snapshot(db) == after
        except StoreError:
            complete = False
        results.append(
            ImportRound(
                delay=delay,
                run=killed,
                error=error,
                lost=lost(before, snap),
                old_files=olds,
                new_files=news,
                mixed_files=mixed,
                temps_after_kill=temps,
                rerun=again,
                rerun_complete=complete,
                temps_after_rerun=temp_files(shard_dir) + temp_files(db.parent),
            )
        )
        shutil.rmtree(db.parent, ignore_errors=True)
    return ImportKills(results, len(before), new + updated + older, files_changed, done.seconds)


# -- 1. SIGKILL during `reader export -o DIR` -------------------------------------------------


@dataclass
class ExportRound:
    """One `reader export -o DIR` killed (`delay` says when)."""

    delay: str
    updating: bool  # the folder held an earlier export (files are replaced, not created)
    run: Run
    error: str | None
    store_unchanged: bool  # every highlight as before (an export writes none)
    files_after_kill: int
    mid_write: bool  # killed after writing some files and before writing all
    broken_by_kill: dict[str, str]  # file name -> what is wrong with it, right after the kill
    temps_after_kill: list[str]
    rerun: Run
    wrong_after_rerun: list[str]  # what a complete export would not have (complete_export)
    temps_after_rerun: list[str]


@dataclass
class ExportKills:
    rounds: list[ExportRound]
    highlights: int
    articles: int
    seconds: float


def _written(said: str) -> int:
    found = re.search(r"(\d+) file\(s\) written", said)
    return int(found.group(1)) if found else -1


def export_kills(
    work: Path,
    rounds: int,
    *,
    world: World | None = None,
    articles: int = 400,
    per_article: int = 3,
    seed: int,
) -> ExportKills:
    """Kill `reader export LIB -o DIR` at random moments, mostly while it writes files: half
    of the rounds into an empty folder (files created), half into a folder an earlier export
    filled, after new highlights were made on a third of the articles (files replaced)."""
    rng = random.Random(seed)
    if world is None:
        world, _ = make_world(work / "world", articles, per_article, seed=seed)
    earlier = work / "earlier"
    first = run(["export", str(world.library), "-o", str(earlier)], world.env())
    if first.status != 0:
        raise RuntimeError(f"the reference export failed: {first.said}")
    more = [
        random_highlight(rng, article_id, world.bodies[article_id], 1)
        for article_id in sorted(world.bodies)[::3]
    ]
    updated_db = world.copy_store(work / "updated" / "notes.json")
    Store(updated_db).save_highlights(more)
    stale = len(more)
    stores = {False: (world.db, snapshot(world.db)), True: (updated_db, snapshot(updated_db))}
    results = []
    for i in range(rounds):
        updating = i % 2 == 1
        db, before = stores[updating]
        out = work / f"out-{i}"
        if updating:
            shutil.copytree(earlier, out)
        since = time.time_ns()
        killed, delay = killed_run(
            rng,
            ["export", str(world.library), "-o", str(out)],
            world.env(db),
            total=first.seconds,
            progress=lambda: _files(out, ".md", since if updating else 0),  # noqa: B023
            steps=stale if updating else len(world.bodies),
        )
        try:
            snap = snapshot(db)
            error = None
        except StoreError as exc:
            snap, error = {}, str(exc)
        state = read_folder(out)
        again = run(["export", str(world.library), "-o", str(out)], world.env(db))
        if updating:
            mid = 0 < _written(again.said) < stale
        else:
            mid = 0 < state.files < len(world.bodies)
        results.append(
            ExportRound(
                delay=delay,
                updating=updating,
                run=killed,
                error=error,
                store_unchanged=snap == before,
                files_after_kill=state.files,
                mid_write=mid,
                broken_by_kill=state.problems,
                temps_after_kill=state.temps,
                rerun=again,
                wrong_after_rerun=complete_export(out, before.values()),
                temps_after_rerun=temp_files(out),
            )
        )
        shutil.rmtree(out, ignore_errors=True)
    total = sum(len(v[1]) for v in stores.values()) // 2
    return ExportKills(results, total, len(world.bodies), first.seconds)


def _stopped(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # gone
    return state in (b"T", b"t", b"Z", b"X")


@dataclass
class CaughtExport:
    """An export stopped (SIGSTOP) again and again until a Markdown file was seen not whole,
    then killed right there (SIGKILL while stopped: the file stays as it was seen)."""

    caught: str | None  # the file seen not whole, or None if the export finished first
    problem: str | None
    stops: int
    run_status: int | None
    rerun: Run
    wrong_after_rerun: list[str]


def export_killed_mid_file(
    work: Path, world: World, made: list[Highlight], seed: int
) -> CaughtExport:
    """Kill `reader export -o DIR` at a moment when one of its Markdown files is not whole
    (created, not yet written), if such a moment exists."""
    rng = random.Random(seed)
    out = work / "caught"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reader", "export", str(world.library), "-o", str(out)],
        env=world.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: dict[str, tuple[int, int]] = {}
    caught = problem = None
    stops = 0
    try:
        while proc.poll() is None:
            time.sleep(rng.uniform(0.0, 0.002))
            try:
                os.kill(proc.pid, signal.SIGSTOP)
            except ProcessLookupError:
                break
            stops += 1
            while not _stopped(proc.pid):
                time.sleep(0.0001)
            for entry in os.scandir(out) if out.is_dir() else []:
                if not entry.name.endswith(".md"):
                    continue
                st = entry.stat()
                version = (st.st_size, st.st_mtime_ns)
                if seen.get(entry.name) == version:
                    continue
                seen[entry.name] = version
                why = markdown_problem(Path(entry.path))
                if why:
                    caught, problem = entry.name, why
                    break
            if caught:
                proc.kill()
                break
            os.kill(proc.pid, signal.SIGCONT)
    finally:
        if proc.poll() is None and not caught:
            os.kill(proc.pid, signal.SIGCONT)
        status = proc.wait(timeout=120)
    again = run(["export", str(world.library), "-o", str(out)], world.env())
    return CaughtExport(caught, problem, stops, status, again, complete_export(out, made))


# -- 2. a full disk, as a file size limit (EFBIG) ----------------------------------------------


@dataclass
class SaveUntilFull:
    """A child saving highlights one by one until a write fails."""

    status: int
    acked: list[str]
    message: str  # the StoreError the child got ("" if none)
    lost: list[str]
    files_intact: bool  # every highlights file parses and holds exactly what was acknowledged
    temps: list[str]


def save_until_full(
    db: Path,
    tag: str,
    *,
    limit: int | None = None,
    prefix: list[str] | None = None,
    note_size: int = 2000,
    count: int = 10_000,
) -> SaveUntilFull:
    """Run tests/fault_child.py `save` with big notes over 3 articles until the disk (or the
    file size `limit`) says no; then check what it acknowledged."""
    done = subprocess.run(
        [
            *(prefix or []),
            sys.executable,
            str(CHILD),
            "save",
            str(db),
            str(count),
            tag,
            "--articles",
            "3",
            "--note-size",
            str(note_size),
        ],
        capture_output=True,
        timeout=300,
        preexec_fn=None if limit is None else file_size_limit(limit),
    )
    lines = done.stdout.decode().split("\n")[:-1]
    message = lines.pop()[len("error: ") :] if lines and lines[-1].startswith("error: ") else ""
    acked = lines
    try:
        snap = snapshot(db)
        mine = sorted(hid for hid in snap if hid.startswith(f"{tag}-"))
        intact = mine == sorted(acked)
    except StoreError:
        snap, intact = {}, False
    gone = sorted(set(acked) - set(snap))
    return SaveUntilFull(
        done.returncode, acked, message, gone, intact, temp_files(Path(f"{db}.{HIGHLIGHTS}"))
    )


Runner = Callable[[list[str], dict[str, str]], Run]


@dataclass
class FullImport:
    """`reader import` when files cannot be written, then again with room to write."""

    run: Run
    lost: list[str]
    old_files: int
    new_files: int
    mixed_files: list[str]
    named_file_unchanged: bool  # the file the message names holds what it held before
    temps: list[str]
    rerun: Run
    rerun_complete: bool


def import_when_full(
    work: Path,
    world: World,
    made: list[Highlight],
    *,
    where: Path,
    full: Runner,
    make_room: Callable[[], None] = lambda: None,
    seed: int = 3,
    huge: int = 0,
) -> FullImport:
    """`reader import` of a collection as big as the store (with one note of `huge`
    characters), into a copy of the store at `where` (a database path), run by `full` (which
    makes writes fail); then `make_room`, and the import again."""
    work.mkdir(parents=True, exist_ok=True)
    collection = work / "big-import.json"
    collection.write_bytes(
        import_collection(world, made, new=len(made), updated=50, older=20, seed=seed, huge=huge)
    )
    before = snapshot(world.db)
    reference = world.copy_store(work / "full-reference" / "notes.json")
    if run(["import", str(collection)], world.env(reference)).status != 0:
        raise RuntimeError("the reference import failed")
    after = snapshot(reference)
    db = world.copy_store(where)
    files_before = store_files(db)
    done = full(["import", str(collection)], world.env(db))
    snap = snapshot(db)
    olds, news, mixed = _state(snap, before, after)
    named = _named_shard(done.said)
    key = f"{HIGHLIGHTS}/{named}"
    unchanged = named is not None and store_files(db).get(key) == files_before.get(key)
    temps = temp_files(Path(f"{db}.{HIGHLIGHTS}"))
    make_room()
    again = run(["import", str(collection)], world.env(db))
    return FullImport(
        done, lost(before, snap), olds, news, mixed, unchanged, temps, again, snapshot(db) == after
    )


def _named_shard(message: str) -> str | None:
    found = re.search(r"/([0-9a-f]{2}\.json)\b", message)
    return found.group(1) if found else None


@dataclass
class FullExport:
    """`reader export` when files cannot be written, then again with room to write."""

    run: Run
    store_unchanged: bool
    broken: dict[str, str]  # Markdown files left not whole by the failed export
    temps: list[str]
    json_run: Run
    json_intact: bool  # the earlier JSON export is still there, whole
    rerun: Run
    wrong_after_rerun: list[str]


def export_when_full(
    work: Path,
    world: World,
    *,
    where: Path,
    full: Runner,
    make_room: Callable[[], None] = lambda: None,
    big: int = 100_000,
) -> FullExport:
    """`reader export LIB -o DIR` (Markdown, a new folder) and `--format json -o FILE` (over
    an earlier one) run by `full`, both into `where` (a folder); then `make_room`, and the
    Markdown export again."""
    before = snapshot(world.db)
    out = where / "notes"
    target = where / "all.json"
    first = run(["export", "--format", "json", "-o", str(target)], world.env())
    old = target.read_bytes() if first.status == 0 else b""
    # A store with one big note more: the JSON export has to write more than before.
    db = world.copy_store(work / "bigger" / "notes.json")
    some = next(iter(before.values()))
    Store(db).save_highlight(structs.replace(some, id="f" * 16, note="n" * big))
    done = full(["export", str(world.library), "-o", str(out)], world.env())
    state = read_folder(out)
    json_run = full(["export", "--format", "json", "-o", str(target)], world.env(db))
    intact = bool(old) and target.read_bytes() == old
    make_room()
    again = run(["export", str(world.library), "-o", str(out)], world.env())
    return FullExport(
        done,
        snapshot(world.db) == before,
        state.problems,
        state.temps + temp_files(where),
        json_run,
        intact,
        again,
        complete_export(out, before.values()),
    )


# -- 4. damaged files -------------------------------------------------------------------------


def damaged_versions(good: bytes, *, fmt: str, cuts: int, seed: int) -> list[tuple[str, bytes]]:
    """Ways a file can be damaged: garbage, cut at `cuts` random lengths (0 and one byte short
    included), valid JSON of another shape, another program's TinyDB file, a newer schema."""
    rng = random.Random(seed)
    lengths = {0, len(good) - 1}
    while len(lengths) < min(cuts, len(good)):
        lengths.add(rng.randrange(len(good)))
    newer = orjson.dumps({"meta": {"1": {"format": fmt, "schema_version": SCHEMA_VERSION + 1}}})
    versions = [
        ("garbage", bytes(rng.randrange(256) for _ in range(4096))),
        ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64),
        ("a list", b"[1, 2, 3]"),
        ("another TinyDB file", b'{"_default": {"1": {"name": "someone else"}}}'),
        ("newer schema", newer),
    ]
    versions += [(f"cut at {n}", good[:n]) for n in sorted(lengths)]
    return versions


@dataclass
class DamageSeen:
    """What the store and the commands did with one damaged file."""

    name: str
    store_messages: dict[str, str]  # app operation -> the StoreError (or "no error")
    commands: dict[str, Run]
    unchanged: bool  # the damaged file's bytes after everything


APP_OPERATIONS = (
    "check",
    "position",
    "setting",
    "highlights",
    "highlight_counts",
    "all_highlights",
    "set_position",
    "save_highlight",
    "delete_highlight",
)


def store_reactions(db: Path, article: str, sample: Highlight) -> dict[str, str]:
    """Each store operation the app uses, on a fresh Store: its StoreError, or "no error"."""
    operations: dict[str, Callable[[Store], object]] = {
        "check": lambda s: s.check(),
        "position": lambda s: s.position(article),
        "setting": lambda s: s.setting("theme", "x"),
        "highlights": lambda s: s.highlights(article),
        "highlight_counts": lambda s: s.highlight_counts(),
        "all_highlights": lambda s: list(s.all_highlights()),
        "set_position": lambda s: s.set_position(article, 7),
        "save_highlight": lambda s: s.save_highlight(structs.replace(sample, id="new-one")),
        "delete_highlight": lambda s: s.delete_highlight(article, sample.id),
    }
    seen: dict[str, str] = {}
    for name in APP_OPERATIONS:
        try:
            operations[name](Store(db))
            seen[name] = "no error"
        except StoreError as exc:
            seen[name] = str(exc)
    return seen


def damage(
    world: World,
    target: Path,
    versions: list[tuple[str, bytes]],
    *,
    article: str,
    sample: Highlight,
    commands_for: set[str],
    work: Path,
) -> list[DamageSeen]:
    """Put each damaged version in place of `target` (a file of `world.db`'s store), then try
    the app's store operations and, for the versions in `commands_for`, `reader list --json`,
    `reader export` and `reader import` (in parallel: each on its own copy of the store)."""
    from concurrent.futures import ThreadPoolExecutor

    work.mkdir(parents=True, exist_ok=True)
    pristine = target.read_bytes()
    backup = Path(f"{target}.bak")
    kept = backup.read_bytes() if backup.exists() else None
    relative = target.relative_to(world.db.parent)
    collection = work / "small-import.json"
    collection.write_bytes(import_collection(world, [sample], new=3, updated=1, older=0, seed=5))
    results: list[DamageSeen] = []
    jobs: list[tuple[int, Path, bytes, Path]] = []
    for n, (name, content) in enumerate(versions):
        target.write_bytes(content)
        store_messages = store_reactions(world.db, article, sample)
        unchanged = target.read_bytes() == content and _bytes(backup) == kept
        if name in commands_for:
            copy = world.copy_store(work / f"damaged-{n}" / "notes.json")
            jobs.append((len(results), copy.parent / relative, content, copy))
        results.append(DamageSeen(name, store_messages, {}, unchanged))
    target.write_bytes(pristine)

    def commands(job: tuple[int, Path, bytes, Path]) -> None:
        index, path, content, db = job
        env = world.env(db)
        seen = results[index]
        seen.commands["list --json"] = run(["list", str(world.library), "--json"], env)
        seen.commands["export"] = run(
            ["export", str(world.library), "-o", str(db.parent / "out")], env
        )
        seen.commands["import"] = run(["import", str(collection)], env)
        seen.unchanged = (
            seen.unchanged and path.read_bytes() == content and _bytes(Path(f"{path}.bak")) == kept
        )
        shutil.rmtree(db.parent, ignore_errors=True)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(commands, jobs))
    return results


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def good_message(message: str, path: Path) -> bool:
    """One line, naming the file."""
    return bool(message) and "\n" not in message and str(path) in message


# -- 5. a lock left behind --------------------------------------------------------------------


@dataclass
class LockCase:
    busy_message: str  # a save while the holder lives (short timeout): StoreError
    flock_held: bool  # /proc/locks showed an flock on the lock file while held
    after_kill_seconds: float  # the next save, once the holder was killed with SIGKILL
    stale_seconds: float  # a save with a lock file nobody holds
    saved: bool


def _flocked(path: Path) -> bool:
    """Is there an flock on this file now (/proc/locks, by inode)?"""
    ino = os.stat(path).st_ino
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return False
    return any(
        len(parts) > 5 and parts[1] == "FLOCK" and parts[5].rsplit(":", 1)[-1] == str(ino)
        for parts in (line.split() for line in lines)
    )


def lock_left_by_the_dead(db: Path, sample: Highlight) -> LockCase:
    """A process takes the lock and is killed with SIGKILL; then a lock file nobody holds."""
    holder = subprocess.Popen([sys.executable, str(CHILD), "hold", str(db)], stdout=subprocess.PIPE)
    assert holder.stdout is not None
    if holder.stdout.readline() != b"locked\n":
        raise RuntimeError("the holder did not take the lock")
    lock = Path(f"{db}.lock")
    held = _flocked(lock)
    try:
        Store(db, lock_timeout=0.3).save_highlight(structs.replace(sample, id="busy"))
        busy = ""
    except StoreError as exc:
        busy = str(exc)
    holder.kill()
    holder.wait(timeout=30)
    started = time.perf_counter()
    Store(db).save_highlight(structs.replace(sample, id="after-kill"))
    after_kill = time.perf_counter() - started
    # A lock file that exists, with nobody holding it (as a crash, or a copy, leaves it).
    lock.unlink()
    lock.write_bytes(b"12345\n")
    started = time.perf_counter()
    Store(db).save_highlight(structs.replace(sample, id="stale"))
    stale = time.perf_counter() - started
    saved = {"after-kill", "stale"} <= set(snapshot(db)) and "busy" not in snapshot(db)
    return LockCase(busy, held, after_kill, stale, saved)


# -- 1. SIGKILL of an export that renders in several processes --------------------------------


@dataclass
class RenderingKill:
    """`reader export` killed while its worker processes render (a store over
    `reader.export.PARALLEL_BYTES`)."""

    workers_seen: int
    left_after: int  # its processes still alive `grace` seconds after the kill (then killed)
    rerun: Run
    wrong_after_rerun: list[str]


def export_killed_while_rendering(
    work: Path, world: World, made: list[Highlight], grace: float = 3.0
) -> RenderingKill:
    """Kill `reader export` (SIGKILL, as the OOM killer or a closed terminal's kill -9 does)
    as soon as it has started processes of its own; do they end with it?"""
    out = work / "rendering"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reader", "export", str(world.library), "-o", str(out)],
        env=world.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    workers = 0
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        workers = len(session(proc.pid)) - 1
        if workers > 0:
            break
        time.sleep(0.005)
    proc.kill()
    proc.wait(timeout=60)
    left = end_session(proc.pid, grace)
    again = run(["export", str(world.library), "-o", str(out)], world.env())
    return RenderingKill(workers, left, again, complete_export(out, made))
