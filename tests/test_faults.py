"""Faults, proven on real processes and real files: SIGKILL during `reader import` and `reader
export`, a full disk (a file size limit, and a real ENOSPC on a tiny tmpfs), a read-only data
folder, damaged and newer database files, a lock left by a dead process.

The scenarios live in tests/fault_cases.py (shared with `bench/reliability.py faults`, which
runs them for many more rounds); here a few rounds of each are run and judged. What a saved
highlight must survive is PRODUCT.md's "What never happens".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from fault_cases import (
    APP_OPERATIONS,
    damage,
    damaged_versions,
    export_killed_mid_file,
    export_killed_while_rendering,
    export_kills,
    export_when_full,
    import_kills,
    import_when_full,
    lock_left_by_the_dead,
    save_until_full,
)
from fault_lib import (
    TESTS,
    Run,
    World,
    immutable_files,
    make_world,
    one_line_error,
    private_mounts,
    run_limited,
)
from msgspec import structs
from store_child import highlight

from reader.models import Highlight
from reader.storage import FORMAT, HIGHLIGHTS_FORMAT, SCHEMA_VERSION, shard_key
from reader.store import Store, StoreError


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, list[Highlight]]:
    """400 generated articles with 3 highlights each (cleaned into the cache, as the app
    leaves them); tests that write copy the store first."""
    return make_world(tmp_path_factory.mktemp("world"), 400, 3, seed=1)


# -- 1. SIGKILL during import and export ------------------------------------------------------


def test_a_killed_import_loses_nothing_and_each_highlights_file_is_all_or_nothing(
    tmp_path: Path,
) -> None:
    """What holds: after a kill, every highlights file holds either what it held before the
    import or everything the import puts in it; never part of it, so the store is some files
    old and some new. Running the import again completes it, and sweeps the temp files."""
    result = import_kills(
        tmp_path,
        10,
        articles=80,
        per_article=3,
        new=2000,
        updated=100,
        older=40,
        seed=20260601,
    )
    assert result.files_changed > 50
    mid_write = 0
    for n, r in enumerate(result.rounds):
        where = f"round {n} (killed {r.delay}, status {r.run.status})"
        assert r.run.killed or r.run.status == 0, f"{where}: {r.run.said}"
        assert r.run.orphans == 0, where
        assert r.error is None, f"{where}: the store does not open: {r.error}"
        assert r.lost == [], f"{where}: lost {r.lost[:5]}"
        assert r.mixed_files == [], f"{where}: files part old, part new: {r.mixed_files}"
        assert r.old_files + r.new_files == result.files_changed, where
        mid_write += bool(r.old_files and r.new_files)
        assert r.rerun.status == 0, f"{where}: the import again: {r.rerun.said}"
        assert r.rerun_complete, f"{where}: the import again did not give the full store"
        assert r.temps_after_rerun == [], f"{where}: {r.temps_after_rerun}"
    assert mid_write >= 2, "too few kills landed while the files were written"


def test_a_killed_export_leaves_the_store_alone_and_a_rerun_completes(
    tmp_path: Path, world: tuple[World, list[Highlight]]
) -> None:
    """A Markdown export killed at random moments, into a new folder (files created) and over
    an earlier export (files replaced): the store is as it was, every Markdown file in the
    folder is whole (a new one is written aside and linked in, a changed one replaced), and
    the export run again exits 0 with every article's notes in one whole file."""
    result = export_kills(tmp_path, 8, world=world[0], seed=20260602)
    assert result.articles == 400
    partial = 0
    for n, r in enumerate(result.rounds):
        where = f"round {n} (killed {r.delay}, updating={r.updating})"
        assert r.run.killed or r.run.status == 0, f"{where}: {r.run.said}"
        assert r.run.orphans == 0, where
        assert r.error is None and r.store_unchanged, f"{where}: {r.error}"
        assert r.broken_by_kill == {}, where
        assert r.rerun.status == 0, f"{where}: {r.rerun.said}"
        assert r.wrong_after_rerun == [], where
        # A killed write may leave its hidden `.NAME.md.XXXX.tmp`: no export reads it.
        assert all(t.startswith(".") and t.endswith(".tmp") for t in r.temps_after_rerun), where
        partial += r.mid_write
    assert partial >= 3, "too few kills landed while the files were written"


def test_an_export_killed_while_creating_a_file_leaves_no_broken_file(
    tmp_path: Path, world: tuple[World, list[Highlight]]
) -> None:
    """Regression (export.create_file): a new file was opened in place and then written, so
    a kill in between left an empty file that the next export did not recognise (no marker)
    and kept beside a second file for the same article. Here the export is stopped
    (SIGSTOP) again and again and its folder read each time: a file seen not whole is
    killed right there, so the test catches such a window whenever there is one."""
    caught = export_killed_mid_file(tmp_path, world[0], world[1], seed=7)
    assert caught.stops >= 20  # it was stopped and looked at many times while writing
    assert caught.rerun.status == 0, caught.rerun.said
    assert caught.wrong_after_rerun == [], f"{caught.caught} ({caught.problem}) stays broken"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="export renders in one process here")
def test_an_export_killed_while_rendering_leaves_no_process_behind(tmp_path: Path) -> None:
    """Regression (export.render_store): the worker processes of an export killed with
    SIGKILL waited forever (on a pipe nobody read, or for work)."""
    from reader.export import PARALLEL_BYTES

    per_article = 3 + PARALLEL_BYTES // (560 * 400)  # ~560 bytes a highlight on disk
    w, made = make_world(tmp_path / "big", 400, per_article, seed=9)
    size = sum(p.stat().st_size for p in Path(f"{w.db}.highlights").glob("*.json"))
    assert size > PARALLEL_BYTES  # so that export starts processes of its own
    seen = export_killed_while_rendering(tmp_path, w, made)
    assert seen.workers_seen >= 1
    assert seen.rerun.status == 0 and seen.wrong_after_rerun == []
    assert seen.left_after == 0, f"{seen.left_after} processes outlived the export"


# -- 2. a full disk ---------------------------------------------------------------------------


def test_saves_until_the_file_size_limit_keep_every_acknowledged_highlight(tmp_path: Path) -> None:
    """A process saving one highlight after another (as the app does) until a highlights file
    may not grow (RLIMIT_FSIZE, so the write fails with EFBIG): one clear StoreError, every
    acknowledged highlight kept, the file it could not write is its previous version."""
    db = tmp_path / "data" / "notes.json"
    seen = save_until_full(db, "big", limit=48 * 1024, note_size=3000)
    assert seen.status == 1
    assert len(seen.acked) >= 10
    assert seen.message.startswith("could not save to ") and "File too large" in seen.message
    assert "intact" in seen.message and "\n" not in seen.message
    assert seen.lost == [] and seen.files_intact
    assert seen.temps == []


def test_an_import_past_the_file_size_limit_is_one_line_and_whole_files(
    tmp_path: Path, world: tuple[World, list[Highlight]]
) -> None:
    """`reader import` stopped by a full disk part way (one highlight with a 64 KB note; no
    file may pass 48 KB): exit 1 and one line naming the file it could not write (which is
    unchanged); the files written before it hold the import, the others what they held: no
    highlight lost, no file half-written. Running it again (with room) completes it."""
    w, made = world

    def limited(args: list[str], env: dict[str, str]) -> Run:
        return run_limited(args, env, 48 * 1024)

    where = tmp_path / "lim" / "notes.json"
    seen = import_when_full(tmp_path, w, made, where=where, full=limited, huge=64 * 1024)
    assert one_line_error(seen.run), seen.run.said
    assert "could not save to " in seen.run.said and "File too large" in seen.run.said
    assert seen.named_file_unchanged
    assert seen.lost == [] and seen.mixed_files == []
    assert seen.new_files > 0 and seen.old_files > 0  # it did stop part way
    assert seen.temps == []
    assert seen.rerun.status == 0 and seen.rerun_complete, seen.rerun.said


def test_an_export_past_the_file_size_limit_is_one_line_and_keeps_the_store(
    tmp_path: Path, world: tuple[World, list[Highlight]]
) -> None:
    """`reader export` (Markdown into a new folder; JSON over an earlier file) when files may
    not grow past 1 KB: exit 1 and one line; the store and the earlier JSON file as they were;
    no Markdown file is left cut short; the export run again with room completes."""
    w, _ = world

    def limited(args: list[str], env: dict[str, str]) -> Run:
        return run_limited(args, env, 1024)

    seen = export_when_full(tmp_path, w, where=tmp_path / "out", full=limited)
    assert one_line_error(seen.run) and "File too large" in seen.run.said, seen.run.said
    assert one_line_error(seen.json_run) and "File too large" in seen.json_run.said
    assert seen.json_intact and seen.store_unchanged
    assert seen.temps == []
    assert seen.broken == {}
    assert seen.rerun.status == 0, seen.rerun.said
    assert seen.wrong_after_rerun == []


def namespace_or_skip(tmp_path: Path) -> list[str]:
    found = private_mounts(tmp_path)
    if isinstance(found, str):
        pytest.skip(f"no mount namespace of our own here, so no tmpfs to fill: {found}")
    return found[0]


def test_a_really_full_disk_enospc(tmp_path: Path) -> None:
    """A tmpfs of 8 MB, filled up, in a mount namespace of our own (a user namespace needs
    no privileges): the same promises as with the file size limit, with a real ENOSPC."""
    prefix = namespace_or_skip(tmp_path)
    done = subprocess.run(
        [*prefix, sys.executable, str(TESTS / "fault_ns.py"), "enospc", str(tmp_path)],
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()
    seen = json.loads(done.stdout)
    saves, imported, exported = seen["saves"], seen["import"], seen["export"]
    assert saves["status"] == 1 and len(saves["acked"]) >= 3
    assert "No space left on device" in saves["message"] and "intact" in saves["message"]
    assert saves["lost"] == [] and saves["files_intact"] and saves["temps"] == []
    assert imported["run"]["one_line_error"], imported["run"]["said"]
    assert "No space left on device" in imported["run"]["said"]
    assert imported["lost"] == [] and imported["mixed_files"] == []
    assert imported["named_file_unchanged"] and imported["temps"] == []
    assert imported["rerun"]["status"] == 0 and imported["rerun_complete"]
    assert exported["run"]["one_line_error"], exported["run"]["said"]
    assert "No space left on device" in exported["run"]["said"]
    assert exported["json_run"]["one_line_error"] and exported["json_intact"]
    assert exported["store_unchanged"] and exported["temps"] == []
    assert exported["broken"] == {}
    assert exported["rerun"]["status"] == 0 and exported["wrong_after_rerun"] == []


# -- 3. a read-only data folder ---------------------------------------------------------------


def read_only_report(tmp_path: Path, how: str) -> dict[str, object]:
    """fault_ns.py's readonly scenario: on a tmpfs remounted read-only in a mount namespace
    of our own ("mount"), or in a folder made immutable with `chattr +i` ("chattr"); as root,
    permissions alone stop nothing. Skipped, with the reason, where it cannot be had."""
    script = [sys.executable, str(TESTS / "fault_ns.py"), "readonly", str(tmp_path)]
    if how == "mount":
        found = private_mounts(tmp_path)
        if isinstance(found, str):
            pytest.skip(f"no read-only mount without privileges here: {found}")
        command = [*found[0], *script, "--how", "mount"]
    else:
        why = immutable_files(tmp_path)
        if why is not None:
            pytest.skip(f"no immutable folder here (it needs CAP_LINUX_IMMUTABLE): {why}")
        command = [*script, "--how", "chattr"]
    done = subprocess.run(command, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    report: dict[str, object] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize("how", ["mount", "chattr"])
def test_a_read_only_data_folder_reads_and_refuses_writes_in_one_line(
    tmp_path: Path, how: str
) -> None:
    """Reading works (list, export elsewhere); every write (import, a save of the app's
    store, a position) is one clear line and exit 1; nothing changes."""
    seen = read_only_report(tmp_path, how)
    assert seen["read_only"] in ("Read-only file system", "Operation not permitted")
    listed, elsewhere = seen["list"], seen["export_elsewhere"]
    assert isinstance(listed, dict) and listed["status"] == 0 and seen["list_counts_right"]
    assert isinstance(elsewhere, dict) and elsewhere["status"] == 0
    assert seen["export_elsewhere_wrong"] == []
    into = seen["export_into_it"]  # up to date: nothing to write, so no error either
    assert isinstance(into, dict) and into["status"] == 0, into
    for case in ("export_change_into_it", "export_new_folder_in_it"):
        failed = seen[case]
        assert isinstance(failed, dict) and failed["one_line_error"], failed
        assert "cannot write" in str(failed["said"]), failed
    imported = seen["import"]
    assert isinstance(imported, dict) and imported["one_line_error"], imported
    assert "cannot lock the notes database" in str(imported["said"])
    save = seen["save"]
    assert isinstance(save, dict) and save["status"] == 1 and save["acked"] == []
    assert "cannot lock" in str(save["message"]) and "\n" not in str(save["message"])
    for message in (str(imported["said"]), str(save["message"]), str(seen["set_position"])):
        # Regression: the lock's OSError was shown raw ("[Errno 30] ...: '/path/notes.json.lock'")
        assert "nothing was saved" in message and "[Errno" not in message, message
        assert "(notes.json.lock: " in message
    assert seen["files_unchanged"] and seen["export_unchanged"]
    assert seen["highlights_all_there"]


# -- 4. damaged, foreign and newer files ------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> tuple[World, list[Highlight]]:
    """20 articles, 3 highlights each; the main file has positions, a setting and a .bak."""
    w, made = make_world(tmp_path / "world", 20, 3, seed=4)
    store = Store(w.db)
    store.set_position(made[0].article, 10)
    store.set_setting("theme", "textual-light")
    store.save_highlight(made[0])  # the first article's highlights file gets a .bak
    return w, made


COMMAND_VERSIONS = {"garbage", "a list", "another TinyDB file", "newer schema", "cut at 0"}


def check_damage(
    w: World, made: list[Highlight], target: Path, fmt: str, tmp_path: Path, *, main: bool
) -> None:
    versions = damaged_versions(target.read_bytes(), fmt=fmt, cuts=100, seed=len(fmt))
    cuts = [name for name, _ in versions if name.startswith("cut at ")]
    assert len(cuts) == 100
    commands = COMMAND_VERSIONS | set(cuts[1::20])  # every kind, and some cuts, by command
    seen = damage(
        w,
        target,
        versions,
        article=made[0].article,
        sample=made[0],
        commands_for=commands,
        work=tmp_path,
    )
    # A damaged highlights file stops only what needs it: positions and settings go on.
    refused = APP_OPERATIONS if main else APP_OPERATIONS[3:6] + APP_OPERATIONS[7:]
    for s in seen:
        assert s.unchanged, f"{s.name}: the damaged file (or its .bak) was changed"
        for operation in refused:
            message = s.store_messages[operation]
            assert message != "no error", f"{s.name}: {operation} did not notice"
            assert "\n" not in message and str(target) in message, f"{s.name}: {message}"
        for operation in set(APP_OPERATIONS) - set(refused):
            assert s.store_messages[operation] == "no error", f"{s.name}: {operation}"
        assert set(s.commands) == (
            {"list --json", "export", "import"} if s.name in commands else set()
        )
        for command, result in s.commands.items():
            assert one_line_error(result), f"{s.name}: reader {command}: {result.said!r}"
            assert "left untouched" in result.said
    newer = next(s for s in seen if s.name == "newer schema")
    assert "newer reader" in newer.store_messages["highlights"]
    assert "newer reader" in newer.commands["import"].said


def test_a_damaged_or_newer_main_file_is_refused_everywhere_and_left_as_it_was(
    tmp_path: Path, small: tuple[World, list[Highlight]]
) -> None:
    """notes.json as garbage, a list, another program's TinyDB file, a newer schema, and cut
    at 100 lengths: every operation of the app's store (highlights too: the main file says
    what the whole store is) raises one line naming the file, `reader list --json`, `export`
    and `import` exit 1 with one line, and the file and its .bak keep their bytes."""
    w, made = small
    check_damage(w, made, w.db, FORMAT, tmp_path, main=True)


def test_a_damaged_or_newer_highlights_file_is_refused_and_left_as_it_was(
    tmp_path: Path, small: tuple[World, list[Highlight]]
) -> None:
    """The same for one highlights file: what reads or writes highlights refuses it in one
    line naming it (and the commands exit 1); positions and settings keep working."""
    w, made = small
    target = Path(f"{w.db}.highlights") / f"{shard_key(made[0].article)}.json"
    check_damage(w, made, target, HIGHLIGHTS_FORMAT, tmp_path, main=False)


def test_an_empty_file_is_damaged_when_it_cannot_be_new(tmp_path: Path) -> None:
    """Regression: an empty highlights file (we always write them stamped), or an empty main
    file beside a backup that holds something, was read as empty; the next save then made it
    the .bak, over the last good version."""
    db = tmp_path / "notes.json"
    store = Store(db)
    first = make_highlight("a.txt", "h1")
    store.save_highlight(first)
    store.save_highlight(make_highlight("a.txt", "h2"))
    store.set_position("a.txt", 1)
    store.set_position("a.txt", 2)
    shard = Path(f"{db}.highlights") / f"{shard_key('a.txt')}.json"
    saves: dict[Path, Callable[[], None]] = {
        shard: lambda: Store(db).save_highlight(first),
        db: lambda: Store(db).set_position("a.txt", 3),
    }
    for path, save in saves.items():
        backup = Path(f"{path}.bak")
        kept = backup.read_bytes()
        path.write_bytes(b"")
        with pytest.raises(StoreError, match=r"is empty \(damaged\)") as info:
            save()
        assert str(path) in str(info.value) and f"restore {backup}" in str(info.value)
        assert path.read_bytes() == b"" and backup.read_bytes() == kept
        backup.rename(path)  # what the message says to do
    assert sorted(h.id for h in Store(db).all_highlights()) == ["h1"]
    assert Store(db).position("a.txt") == 1
    # A highlights file with no backup at all: still damaged, never a fresh start.
    shard.write_bytes(b"")
    with pytest.raises(StoreError, match="empty"):
        Store(db).highlights("a.txt")
    # An empty main file with no backup is a new database (`touch notes.json`).
    fresh = tmp_path / "fresh.json"
    fresh.write_bytes(b"")
    Store(fresh).set_position("x", 1)
    assert Store(fresh).position("x") == 1


def make_highlight(article: str, hid: str) -> Highlight:
    """store_child's highlight with its id and article chosen."""
    return structs.replace(highlight("t", 0, 1), id=hid, article=article)


def test_highlights_are_refused_when_the_main_file_is_newer(tmp_path: Path) -> None:
    """Regression: with notes.json from a newer reader, highlights were still read, counted
    and written (`reader list`, `export` and `import` exited 0 and wrote into that store)."""
    db = tmp_path / "notes.json"
    Store(db).save_highlight(make_highlight("a.txt", "h1"))
    newer = {"meta": {"1": {"format": FORMAT, "schema_version": SCHEMA_VERSION + 1}}}
    db.write_bytes(orjson.dumps(newer))
    shards = {p.name: p.read_bytes() for p in Path(f"{db}.highlights").iterdir()}
    store = Store(db)
    for action in (
        lambda: store.highlights("a.txt"),
        store.highlight_counts,
        lambda: list(store.all_highlights()),
        lambda: store.save_highlight(make_highlight("a.txt", "h2")),
        lambda: store.delete_highlight("a.txt", "h1"),
    ):
        with pytest.raises(StoreError, match="newer reader"):
            action()
    assert {p.name: p.read_bytes() for p in Path(f"{db}.highlights").iterdir()} == shards


# -- 5. a lock left behind --------------------------------------------------------------------


def test_a_lock_left_by_a_killed_process_or_a_stale_lock_file_does_not_block(
    tmp_path: Path,
) -> None:
    """The lock is an flock on notes.json.lock (seen in /proc/locks while a process holds it:
    a save with a short timeout is refused as busy); once that process is killed with SIGKILL
    the kernel drops the lock and the next save goes through at once, and a lock file that
    exists with nobody holding it (content and all) is no obstacle either."""
    db = tmp_path / "notes.json"
    sample = make_highlight("a.txt", "first")
    Store(db).save_highlight(sample)
    seen = lock_left_by_the_dead(db, sample)
    assert seen.flock_held or not Path("/proc/locks").exists()
    assert "busy" in seen.busy_message and "\n" not in seen.busy_message
    assert seen.after_kill_seconds < 1.0  # the lock timeout is 10 s: nobody waited for it
    assert seen.stale_seconds < 1.0
    assert seen.saved
    assert os.path.exists(f"{db}.lock")  # left in place by design; harmless
