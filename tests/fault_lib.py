"""Shared by tests/test_faults.py and bench/reliability.py: a generated library and store, real
`reader` runs (killed at a chosen moment), snapshots of the store, checks of an export folder.

Nothing here is mocked: the commands run as the user runs them, on real files.
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml
from msgspec import structs

from reader import articles_cache
from reader.highlights import new_highlight
from reader.interchange import dumps, to_collection
from reader.models import COLOURS, Highlight
from reader.storage import HIGHLIGHTS, shard_key

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
READER = [sys.executable, "-m", "reader"]
SAMPLES = sorted((ROOT / "articles").glob("*.txt"))
NOTES = [
    "Pourquoi ce passage compte #guerre",
    "",
    "À comparer avec **l'autre** article #kiev\n\n- un point\n- un autre",
]
FUTURE = "2031-01-01T00:00:00.000+00:00"  # newer than anything made now: an import wins
PAST = "2001-01-01T00:00:00.000+00:00"  # older than anything made now: an import loses
BEGIN_LINE = re.compile(r"^<!-- reader:begin article=(\S+) .*-->$")
END_LINE = "<!-- reader:end -->"
HL_LINE = re.compile(r"^\^hl-([0-9A-Za-z_-]+)$", re.MULTILINE)


@dataclass
class World:
    """A library of generated articles, its article cache and a notes database, in one folder."""

    work: Path
    library: Path
    cache: Path
    db: Path
    bodies: dict[str, str] = field(default_factory=dict)  # article id -> cleaned body

    def env(self, db: Path | None = None, **extra: str) -> dict[str, str]:
        """The environment of a `reader` run on this world (its own database and cache)."""
        return {
            **os.environ,
            "READER_DB": str(db or self.db),
            "READER_CACHE_DIR": str(self.cache),
            **extra,
        }

    def copy_store(self, to: Path) -> Path:
        """A copy of the store at `to` (a database path): the database, its backup, lock and
        highlights folder."""
        to.parent.mkdir(parents=True, exist_ok=True)
        if not self.db.parent.is_dir():
            return to
        for src in self.db.parent.iterdir():
            if not src.name.startswith(self.db.name):
                continue
            dst = to.with_name(to.name + src.name[len(self.db.name) :])
            if src.is_dir():
                shutil.copytree(src, dst)
            else:
                shutil.copy2(src, dst)
        return to


def make_world(
    work: Path, articles: int, per_article: int, *, seed: int = 1, save: bool = True
) -> tuple[World, list[Highlight]]:
    """`articles` articles made from the samples (a headline of their own each), cleaned into
    the cache as the app leaves them, with `per_article` highlights each saved in the store."""
    world = World(work, work / "lib", work / "cache", work / "data" / "notes.json")
    rng = random.Random(seed)
    texts = [p.read_text("utf-8") for p in SAMPLES]
    made: list[Highlight] = []
    for i in range(articles):
        sub = world.library / f"{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"article-{i:05d}.txt"
        headline = f"Dépêche numéro {i:05d} sur la guerre en Ukraine"
        path.write_text(f"{headline}\n\n{texts[i % len(texts)]}\n", "utf-8")
        article_id = path.relative_to(world.library).as_posix()
        body = articles_cache.open_article(path, world.cache).body
        world.bodies[article_id] = body
        made += [random_highlight(rng, article_id, body, k) for k in range(per_article)]
    if save and made:
        from reader.store import Store

        Store(world.db).save_highlights(made)
    return world, made


def random_highlight(rng: random.Random, article_id: str, body: str, k: int = 0) -> Highlight:
    """A new highlight of a random passage of `body`, with a note now and then."""
    start = rng.randrange(max(1, len(body) - 200))
    end = min(len(body), start + rng.randrange(20, 180))
    return new_highlight(
        article_id, body, start, end, color=COLOURS[k % len(COLOURS)], note=NOTES[k % len(NOTES)]
    )


def import_collection(
    world: World,
    existing: Sequence[Highlight],
    *,
    new: int,
    updated: int,
    older: int,
    seed: int,
    huge: int = 0,
) -> bytes:
    """A W3C collection as `reader export --format json` writes it: `new` highlights the store
    lacks, `updated` copies of stored ones that are newer (they win) and `older` ones that are
    older (the store's stay). `huge`: one more, with a note of that many characters, on an
    article whose highlights file an import writes late (not the first article's)."""
    rng = random.Random(seed)
    ids = sorted(world.bodies)
    items = []
    for k in range(new):
        article_id = rng.choice(ids)
        items.append(random_highlight(rng, article_id, world.bodies[article_id], k))
    chosen = rng.sample(list(existing), updated + older)
    for h in chosen[:updated]:
        items.append(structs.replace(h, note=h.note + " (edited elsewhere)", updated=FUTURE))
    for h in chosen[updated:]:
        items.append(structs.replace(h, note="an old copy", updated=PAST))
    if huge:
        first = shard_key(ids[0])
        late = next(a for a in reversed(ids) if shard_key(a) != first)
        big = random_highlight(rng, late, world.bodies[late])
        items.append(structs.replace(big, note="n" * huge))
    return dumps(to_collection(items, generator="fault tests"))


# -- the store ---------------------------------------------------------------------------------


def snapshot(db: Path) -> dict[str, Highlight]:
    """Every highlight of the store, by id (opening it as the app does)."""
    from reader.store import Store

    store = Store(db)
    store.check()
    return {h.id: h for h in store.all_highlights()}


def by_shard(highlights: dict[str, Highlight]) -> dict[str, dict[str, Highlight]]:
    """Highlights grouped by the file that holds them."""
    out: dict[str, dict[str, Highlight]] = {}
    for hid, h in highlights.items():
        out.setdefault(shard_key(h.article), {})[hid] = h
    return out


def lost(before: dict[str, Highlight], after: dict[str, Highlight]) -> list[str]:
    """Ids that were in `before` and are gone from `after`."""
    return sorted(set(before) - set(after))


def store_files(db: Path) -> dict[str, bytes]:
    """The bytes of every file of the store (database, highlights, backups, lock, temp files)."""
    files = {}
    for path in [db, *Path(f"{db}.{HIGHLIGHTS}").glob("*")]:
        if path.is_file():
            files[path.name if path == db else f"{HIGHLIGHTS}/{path.name}"] = path.read_bytes()
    for extra in (Path(f"{db}.bak"), Path(f"{db}.lock")):
        if extra.is_file():
            files[extra.name] = extra.read_bytes()
    return files


def temp_files(folder: Path) -> list[str]:
    """Temporary files a killed writer may leave (`.NAME.XXXX.tmp`)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and ".tmp" in p.name)


# -- running reader ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """How a `reader` run ended: its status (negative: killed by that signal) and output."""

    status: int
    stdout: bytes
    stderr: bytes
    seconds: float
    orphans: int = 0  # processes it started that outlived it (killed by us after `grace`)

    @property
    def killed(self) -> bool:
        return self.status == -signal.SIGKILL

    @property
    def said(self) -> str:
        """What the user saw on stderr, as one string (empty when nothing)."""
        return self.stderr.decode("utf-8", "replace").strip()


def run(
    args: Sequence[str],
    env: dict[str, str],
    *,
    kill_after: float | None = None,
    kill_when: Callable[[], bool] | None = None,
    then: float = 0.0,
    timeout: float = 300,
    grace: float = 1.5,
) -> Run:
    """Run `reader ARGS` (in a session of its own). With `kill_after`: SIGKILL it after that
    many seconds if still running; with `kill_when`: as soon as that says so (asked every
    few ms), `then` seconds later. Whatever it started gets `grace` seconds to end."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*READER, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    if kill_when is not None:
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline and not kill_when():
            time.sleep(0.002)
        kill_after = then
    try:
        out, err = proc.communicate(timeout=kill_after if kill_after is not None else timeout)
        orphans = 0
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
        # Its children keep its output pipes open: they must be gone before reading to the end.
        orphans = end_session(proc.pid, grace)
        out, err = proc.communicate(timeout=timeout)
    return Run(proc.returncode, out, err, time.perf_counter() - started, orphans)


def session(sid: int) -> list[int]:
    """The live (not zombie) processes of session `sid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 3 and fields[3] == str(sid).encode() and fields[0] not in (b"Z", b"X"):
            found.append(int(entry))
    return found


def end_session(sid: int, grace: float) -> int:
    """Wait up to `grace` seconds for the processes of session `sid` (started by a run of
    ours) to end; SIGKILL those left, by pid; return how many were left."""
    deadline = time.monotonic() + grace
    while (left := session(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(left)


def one_line_error(result: Run) -> bool:
    """Exit 1 and exactly one line on stderr, `reader: error: ...`, no traceback."""
    text = result.stderr.decode("utf-8", "replace")
    return (
        result.status == 1
        and text.startswith("reader: error: ")
        and text.count("\n") == 1
        and text.endswith("\n")
        and "Traceback" not in text
    )


def shape(message: str, *paths: Path) -> str:
    """A message with the test's paths, numbers and random names replaced, for a summary table."""
    for path in sorted(paths, key=lambda p: -len(str(p))):
        message = message.replace(str(path), "…")
    message = re.sub(r"/[0-9a-f]{2}\.json", "/XX.json", message)
    message = re.sub(r"\b\d+\b", "N", message)
    return message.splitlines()[0] if message else "(nothing)"


# -- an export folder -------------------------------------------------------------------------


def markdown_problem(path: Path) -> str | None:
    """Why an exported Markdown file is not whole (None if it is): front matter that YAML
    reads, begin and end markers paired and in order, a final newline."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"unreadable: {exc}"
    if not text:
        return "empty"
    if not text.startswith("---\n"):
        return "no front matter"
    end = text.find("\n---\n", 3)
    if end == -1:
        return "front matter not closed"
    try:
        fields = yaml.safe_load(text[4:end])
    except yaml.YAMLError as exc:
        return f"front matter is not YAML: {' '.join(str(exc).split())[:80]}"
    if not isinstance(fields, dict) or "title" not in fields:
        return "front matter without a title"
    open_block = False
    blocks = 0
    for line in text[end + 5 :].split("\n"):
        if BEGIN_LINE.match(line):
            if open_block:
                return "a begin marker inside a block"
            open_block = True
        elif line == END_LINE:
            if not open_block:
                return "an end marker without its begin"
            open_block, blocks = False, blocks + 1
    if open_block:
        return "a begin marker without its end (cut short)"
    if not blocks:
        return "no generated part"
    if not text.endswith("\n"):
        return "no final newline (cut short)"
    return None


@dataclass
class Folder:
    """What an export folder holds."""

    problems: dict[str, str]  # file name -> why it is not whole
    owners: dict[str, list[str]]  # article id -> the files holding its generated part
    highlight_ids: set[str]
    temps: list[str]
    files: int


def read_folder(folder: Path) -> Folder:
    """Every Markdown file of an export folder, checked."""
    problems: dict[str, str] = {}
    owners: dict[str, list[str]] = {}
    ids: set[str] = set()
    files = 0
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        files += 1
        problem = markdown_problem(path)
        if problem:
            problems[path.name] = problem
        text = path.read_text("utf-8", "replace")
        for line in text.split("\n"):
            match = BEGIN_LINE.match(line)
            if match:
                owners.setdefault(unquote(match.group(1)), []).append(path.name)
        if not problem:
            ids.update(HL_LINE.findall(text))
    return Folder(problems, owners, ids, temp_files(folder), files)


def complete_export(folder: Path, highlights: Iterable[Highlight]) -> list[str]:
    """What is wrong with a finished export of `highlights` into `folder` (empty if nothing):
    every file whole, one file per article, every highlight in it."""
    state = read_folder(folder)
    wrong = [f"{name}: {why}" for name, why in sorted(state.problems.items())]
    articles: dict[str, set[str]] = {}
    for h in highlights:
        articles.setdefault(h.article, set()).add(h.id)
    for article_id in sorted(articles):
        files = state.owners.get(article_id, [])
        if len(files) != 1:
            wrong.append(f"{article_id}: in {len(files)} files {files[:3]}")
    missing = set().union(*articles.values()) - state.highlight_ids if articles else set()
    if missing:
        wrong.append(f"{len(missing)} highlights missing, e.g. {sorted(missing)[:3]}")
    return wrong


# -- limits -----------------------------------------------------------------------------------


def file_size_limit(limit: int) -> Callable[[], None]:
    """A preexec_fn: no file may grow past `limit` bytes; SIGXFSZ ignored, so a write that
    would pass it fails with EFBIG (as a full disk fails with ENOSPC) instead of killing."""

    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def run_limited(args: Sequence[str], env: dict[str, str], limit: int, timeout: float = 300) -> Run:
    """`reader ARGS` with files limited to `limit` bytes."""
    started = time.perf_counter()
    done = subprocess.run(
        [*READER, *args],
        env=env,
        capture_output=True,
        timeout=timeout,
        preexec_fn=file_size_limit(limit),
    )
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


# -- file systems of one's own ----------------------------------------------------------------

NAMESPACES = (
    (["unshare", "--user", "--map-root-user", "--mount"], "a user namespace (no privileges)"),
    (["unshare", "--mount"], "a mount namespace (CAP_SYS_ADMIN)"),
)


def private_mounts(scratch: Path) -> tuple[list[str], str] | str:
    """A command prefix that runs a program in a mount namespace of its own, where it may
    mount a tmpfs and remount it read-only (and how), or why there is none here."""
    folder = scratch / "mount-probe"
    folder.mkdir(parents=True, exist_ok=True)
    script = (
        f"mount -t tmpfs -o size=64k tmpfs '{folder}' && touch '{folder}/x' && "
        f"mount -o remount,ro '{folder}' && ! touch '{folder}/y' 2>/dev/null"
    )
    why = []
    for prefix, how in NAMESPACES:
        if shutil.which(prefix[0]) is None:
            return "unshare is not installed"
        done = subprocess.run([*prefix, "sh", "-c", script], capture_output=True, text=True)
        if done.returncode == 0 and not (folder / "x").exists():
            return prefix, how
        why.append(f"{how}: {' '.join(done.stderr.split())[:100] or 'refused'}")
    return "; ".join(why)


def immutable_files(scratch: Path) -> str | None:
    """None if `chattr +i` works here (it needs CAP_LINUX_IMMUTABLE), else why not."""
    if shutil.which("chattr") is None:
        return "chattr is not installed"
    probe = scratch / "chattr-probe"
    probe.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["chattr", "+i", str(probe)], capture_output=True, text=True)
    if done.returncode != 0:
        return f"chattr +i: {' '.join(done.stderr.split())[:100]}"
    try:
        (probe / "x").write_bytes(b"x")
        refused: str | None = "chattr +i did not stop a write"
    except OSError:
        refused = None
    subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
    return refused
