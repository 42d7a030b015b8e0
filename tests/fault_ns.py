"""Faults that need a file system of their own: a really full disk (ENOSPC) and a read-only
data folder. Run inside a private mount namespace, where a tiny tmpfs can be mounted and
remounted read-only without touching the machine's own mounts:

    unshare --user --map-root-user --mount python tests/fault_ns.py enospc WORK
    unshare --user --map-root-user --mount python tests/fault_ns.py readonly WORK --how mount
    python tests/fault_ns.py readonly WORK --how chattr     (no namespace: chattr +i)

Prints one JSON object: what was seen (statuses, messages, checks); the caller judges it.
The tmpfs goes away with the namespace, when this process ends.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from fault_cases import export_when_full, import_when_full, save_until_full
from fault_lib import (
    Run,
    World,
    complete_export,
    make_world,
    one_line_error,
    run,
    snapshot,
    store_files,
)
from msgspec import Struct, structs

from reader.store import Store, StoreError


def plain(value: Any) -> Any:
    """Dataclasses, structs, bytes and paths as JSON values."""
    if isinstance(value, Run):
        return {"status": value.status, "said": value.said, "one_line_error": one_line_error(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Struct):
        return plain(structs.asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Path):
        return str(value)
    return value


def mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)


def fill(folder: Path, slack: int = 0) -> Path:
    """Fill the file system of `folder` up, then give back `slack` bytes."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1):
            chunk = b"\0" * size
            try:
                while True:
                    os.write(fd, chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    if slack:
        os.truncate(filler, max(0, filler.stat().st_size - slack))
    return filler


def enospc(work: Path) -> dict[str, Any]:
    """Saves, an import and an export on a tmpfs that is full, then with room again."""
    world, made = make_world(work / "world", 60, 3, seed=11)
    disk = work / "disk"
    mount_tmpfs(disk, "8m")
    report: dict[str, Any] = {"filesystem": "tmpfs 8 MB in a private mount namespace"}

    # Saves one by one until the disk is full (64 KB left to fill).
    db = world.copy_store(disk / "saves" / "notes.json")
    filler = fill(disk, 64 * 1024)
    report["saves"] = save_until_full(db, "full", note_size=3000)
    filler.unlink()

    # An import that needs more room than is left.
    def full_run(args: list[str], env: dict[str, str], slack: int = 0) -> Run:
        fill(disk, slack)
        return run(args, env)

    def make_room() -> None:
        (disk / "filler").unlink(missing_ok=True)

    # Room for a few highlights files, not for all: the import stops part way.
    report["import"] = import_when_full(
        work,
        world,
        made,
        where=disk / "import" / "notes.json",
        full=lambda args, env: full_run(args, env, 24 * 1024),
        make_room=make_room,
    )
    report["export"] = export_when_full(
        work, world, where=disk / "export", full=full_run, make_room=make_room
    )
    result: dict[str, Any] = plain(report)
    return result


def _chattr(flag: str, folder: Path) -> None:
    subprocess.run(["chattr", "-R", flag, str(folder)], check=True, capture_output=True)


def readonly(work: Path, how: str) -> dict[str, Any]:
    """The store (and an earlier export) in a folder that cannot be written any more."""
    world, made = make_world(work / "world", 40, 3, seed=13)
    disk = work / "disk"
    if how == "mount":
        mount_tmpfs(disk, "16m")
    disk.mkdir(exist_ok=True)
    db = world.copy_store(disk / "data" / "notes.json")
    store = Store(db)
    store.set_position(made[0].article, 5)
    store.set_position(made[0].article, 6)  # the main file, its .bak and the lock file exist
    store.close()
    ro_world = World(world.work, world.library, world.cache, db, world.bodies)
    out = disk / "notes"
    first = run(["export", str(world.library), "-o", str(out)], ro_world.env())
    # A store elsewhere with one highlight more: exporting it must change a file in `out`.
    changed = world.copy_store(work / "changed" / "notes.json")
    Store(changed).save_highlight(structs.replace(made[0], id="f" * 16, note="changed"))
    before = store_files(db)
    exported = {p.name: p.read_bytes() for p in out.iterdir()}
    counts = Store(db).highlight_counts()
    report: dict[str, Any] = {"how": how, "first_export": first}
    try:
        if how == "mount":
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        else:
            _chattr("+i", disk)
        try:
            (disk / "probe").write_bytes(b"x")
            report["read_only"] = False
        except OSError as exc:
            report["read_only"] = exc.strerror
        env = ro_world.env()
        listed = run(["list", str(world.library), "--json"], env)
        report["list"] = listed
        if listed.status == 0:
            rows = json.loads(listed.stdout)
            report["list_counts_right"] = {
                row["id"]: row["highlights"] for row in rows if row["highlights"]
            } == counts
        report["export_into_it"] = run(["export", str(world.library), "-o", str(out)], env)
        report["export_change_into_it"] = run(
            ["export", str(world.library), "-o", str(out)], ro_world.env(changed)
        )
        report["export_new_folder_in_it"] = run(
            ["export", str(world.library), "-o", str(disk / "new-notes")], env
        )
        elsewhere = work / "elsewhere"
        report["export_elsewhere"] = run(["export", str(world.library), "-o", str(elsewhere)], env)
        report["export_elsewhere_wrong"] = complete_export(elsewhere, made)
        collection = work / "in.json"
        from fault_lib import import_collection

        collection.write_bytes(import_collection(world, made, new=20, updated=5, older=0, seed=2))
        report["import"] = run(["import", str(collection)], env)
        report["save"] = save_until_full(db, "ro", count=1, note_size=0)
        try:
            Store(db).set_position(made[0].article, 9)
            report["set_position"] = "no error"
        except StoreError as exc:
            report["set_position"] = str(exc)
        report["files_unchanged"] = store_files(db) == before
        report["export_unchanged"] = {p.name: p.read_bytes() for p in out.iterdir()} == exported
        report["highlights_all_there"] = set(snapshot(db)) == {h.id for h in made}
    finally:
        if how == "chattr":
            _chattr("-i", disk)
    result: dict[str, Any] = plain(report)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=("enospc", "readonly"))
    parser.add_argument("work", type=Path)
    parser.add_argument("--how", choices=("mount", "chattr"), default="mount")
    args = parser.parse_args()
    if args.scenario == "enospc":
        report = enospc(args.work)
    else:
        report = readonly(args.work, args.how)
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
