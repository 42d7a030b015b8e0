"""The command line, run as a real process: `reader clean`, `reader list`, `reader [PATH]`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from pages import PAGE

from reader import __version__
from reader.library import load_article
from reader.listing import cache_path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "articles"
SAMPLE = sorted(SAMPLES.glob("*.txt"))[0]
PROSE = (
    "Les habitants du quartier se sont réunis mardi soir pour discuter du nouveau projet de "
    "parc, qui doit remplacer l'ancien parking d'ici la fin de l'année prochaine.\n\n"
    "Selon la mairie, les travaux commenceront au printemps et dureront environ huit mois, "
    "pendant lesquels la circulation sera déviée par les rues voisines.\n"
)


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`python -m reader ARGS` in `cwd`, with its cache in cwd/.cache."""
    full_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "READER_CACHE_DIR": str(cwd / ".cache"),
        **(env or {}),
    }
    full_env.pop("READER_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[bytes]) -> str:
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    return result.stdout.decode("utf-8")


def make_library(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("Un titre\n\n" + PROSE, encoding="utf-8")
    (folder / "sub" / "two.md").write_text("# Deux\n\n" + PROSE, encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 50)
    (folder / "broken.txt").symlink_to(folder / "gone.txt")
    return folder


# --- reader clean ---------------------------------------------------------------------------


def test_clean_prints_the_body(tmp_path: Path) -> None:
    out = ok(run("clean", str(SAMPLE), cwd=tmp_path))
    assert out == load_article(SAMPLE).body + "\n"


def test_clean_json_is_one_object(tmp_path: Path) -> None:
    result = run("clean", str(SAMPLE), "--json", cwd=tmp_path)
    data = json.loads(ok(result))
    assert set(data) == {"title", "author", "date", "source", "language", "body"}
    assert all(value is None or isinstance(value, str) for value in data.values())
    assert data == load_article(SAMPLE).to_dict()
    assert "é".encode() in result.stdout  # not escaped as \u00e9


def test_output_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}
    for args in (("clean", str(SAMPLE)), ("clean", str(SAMPLE), "--json"), ("list", str(SAMPLES))):
        assert "é" in ok(run(*args, cwd=tmp_path, env=env))


def test_clean_reads_legacy_encodings(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(("Été à Noël\n\n" + PROSE).encode("latin-1"))
    assert "l'ancien parking d'ici la fin de l'année" in ok(run("clean", str(path), cwd=tmp_path))


# --- reader list ----------------------------------------------------------------------------


def test_list_json(tmp_path: Path) -> None:
    library = make_library(tmp_path / "lib")
    rows = json.loads(ok(run("list", str(library), "--json", cwd=tmp_path)))
    assert [row["id"] for row in rows] == ["binary.txt", "broken.txt", "one.txt", "sub/two.md"]
    for row in rows:
        assert {"id", "title", "date", "source", "highlights", "language", "error"} <= set(row)
        assert row["highlights"] == 0
    errors = {row["id"]: row["error"] for row in rows}
    assert errors == {
        "binary.txt": "binary file (not text)",
        "broken.txt": "cannot read: broken link",
        "one.txt": None,
        "sub/two.md": None,
    }


def test_list_table(tmp_path: Path) -> None:
    library = make_library(tmp_path / "lib")
    lines = ok(run("list", str(library), cwd=tmp_path)).splitlines()
    assert lines[0].split() == ["ID", "DATE", "SOURCE", "HL", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == [
        "binary.txt",
        "broken.txt",
        "one.txt",
        "sub/two.md",
    ]
    assert "binary file (not text)" in lines[1]


def test_list_of_one_file(tmp_path: Path) -> None:
    library = make_library(tmp_path / "lib")
    rows = json.loads(ok(run("list", str(library / "sub" / "two.md"), "--json", cwd=tmp_path)))
    assert [row["id"] for row in rows] == ["two.md"]


def test_default_library_is_local_articles_else_the_samples(tmp_path: Path) -> None:
    rows = json.loads(ok(run("list", "--json", cwd=tmp_path)))
    assert [row["id"] for row in rows] == sorted(p.name for p in SAMPLES.glob("*.txt"))
    make_library(tmp_path / "articles")
    rows = json.loads(ok(run("list", "--json", cwd=tmp_path)))
    assert "sub/two.md" in [row["id"] for row in rows]


def test_no_command_without_a_terminal_lists_and_says_why(tmp_path: Path) -> None:
    library = make_library(tmp_path / "lib")
    result = run(str(library), cwd=tmp_path)
    assert "one.txt" in ok(result)
    stderr = result.stderr.decode().splitlines()
    assert len(stderr) == 1 and "not a terminal" in stderr[0]


def test_db_option_and_variable_are_accepted(tmp_path: Path) -> None:
    db = str(tmp_path / "notes.json")
    ok(run("list", str(SAMPLES), "--db", db, cwd=tmp_path))
    ok(run("--db", db, "list", str(SAMPLES), cwd=tmp_path))
    ok(run("list", str(SAMPLES), cwd=tmp_path, env={"READER_DB": db}))
    assert not Path(db).exists()  # nothing is stored yet


def test_version_and_help(tmp_path: Path) -> None:
    assert ok(run("--version", cwd=tmp_path)).strip() == f"reader {__version__}"
    assert "clean" in ok(run("--help", cwd=tmp_path))
    assert "--json" in ok(run("list", "--help", cwd=tmp_path))


def test_html_article(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    data = json.loads(ok(run("clean", "page.html", "--json", cwd=tmp_path)))
    assert data["title"] == "Les abeilles reviennent en ville"
    assert "deux cents colonies" in data["body"]
    rows = json.loads(ok(run("list", ".", "--json", cwd=tmp_path)))
    assert rows[0]["id"] == "page.html"
    assert rows[0]["title"] == "Les abeilles reviennent en ville"


def test_unprintable_file_names_are_shown_safely(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    for name in (b"caf\xe9.txt", b"evil\x1b]0;owned\x07.txt", "rtl\u202etxt.md".encode()):
        (library / os.fsdecode(name)).write_text(PROSE, encoding="utf-8")
    rows = json.loads(ok(run("list", str(library), "--json", cwd=tmp_path)))
    ids = sorted(row["id"] for row in rows)
    assert ids == ["caf\ufffd.txt", "evil\ufffd]0;owned\ufffd.txt", "rtl\ufffdtxt.md"]
    table = ok(run("list", str(library), cwd=tmp_path))
    assert "\x1b" not in table and "\u202e" not in table
    line = one_line_error(run("clean", "nope\x1b[31m.txt", cwd=tmp_path))
    assert "\x1b" not in line


def test_double_dash_makes_a_command_word_a_path(tmp_path: Path) -> None:
    line = one_line_error(run("--", "list", cwd=tmp_path))
    assert "cannot read 'list': no such file" in line


# --- the list cache -------------------------------------------------------------------------


def read_cache(cwd: Path, library: Path) -> dict[str, dict[str, object]]:
    data = orjson.loads(cache_path(cwd / ".cache", library).read_bytes())
    entries: dict[str, dict[str, object]] = data["entries"]
    return entries


def write_cache(cwd: Path, library: Path, entries: dict[str, dict[str, object]]) -> None:
    path = cache_path(cwd / ".cache", library)
    data = orjson.loads(path.read_bytes())
    data["entries"] = entries
    path.write_bytes(orjson.dumps(data))


def titles(cwd: Path, library: Path) -> dict[str, str | None]:
    rows = json.loads(ok(run("list", str(library), "--json", cwd=cwd)))
    return {row["id"]: row["title"] for row in rows}


def test_second_run_uses_the_cache_until_a_file_changes(tmp_path: Path) -> None:
    library = make_library(tmp_path / "lib")
    first = titles(tmp_path, library)
    entries = read_cache(tmp_path, library)
    one, two = str(library / "one.txt"), str(library / "sub" / "two.md")
    # Content errors are cached; a file that could not be opened is not.
    assert set(entries) == {str(library / "binary.txt"), one, two}

    for key in (one, two):
        entries[key]["title"] = "FROM THE CACHE"
    write_cache(tmp_path, library, entries)
    assert titles(tmp_path, library)["one.txt"] == "FROM THE CACHE"

    stat = os.stat(one)
    os.utime(one, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a new mtime
    stat = os.stat(two)
    with open(two, "a", encoding="utf-8") as f:
        f.write("\n")
    os.utime(two, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the same mtime, a new size
    again = titles(tmp_path, library)
    assert again["one.txt"] == first["one.txt"] != "FROM THE CACHE"
    assert again["sub/two.md"] == first["sub/two.md"] != "FROM THE CACHE"


def test_cache_of_another_cleaner_version_is_not_used(tmp_path: Path) -> None:
    library = make_library(tmp_path / "lib")
    titles(tmp_path, library)
    entries = read_cache(tmp_path, library)
    for entry in entries.values():
        entry["title"] = "STALE"
        entry["cleaner"] = "an older cleaner"
    write_cache(tmp_path, library, entries)
    assert "STALE" not in titles(tmp_path, library).values()


@pytest.mark.parametrize(
    "content", [b"", b"{not json", b"[1, 2, 3]", b'{"format": "something else", "entries": {}}']
)
def test_corrupt_or_foreign_cache_is_ignored_and_rewritten(tmp_path: Path, content: bytes) -> None:
    library = make_library(tmp_path / "lib")
    expected = titles(tmp_path, library)
    cache_path(tmp_path / ".cache", library).write_bytes(content)
    assert titles(tmp_path, library) == expected
    assert len(read_cache(tmp_path, library)) == 3


def test_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("x")
    result = run("list", str(SAMPLES), cwd=tmp_path, env={"READER_CACHE_DIR": "not-a-dir/c"})
    assert "001_" in ok(result)


def test_many_files_are_read_in_parallel_with_the_same_result(tmp_path: Path) -> None:
    library = tmp_path / "big"
    library.mkdir()
    for i in range(100):
        (library / f"{i:03}.txt").write_text(f"Titre numéro {i}\n\n{PROSE}", encoding="utf-8")
    rows = json.loads(ok(run("list", str(library), "--json", cwd=tmp_path)))
    assert len(rows) == 100
    expected = load_article(library / "042.txt")
    assert rows[42]["title"] == expected.title
    assert rows[42]["language"] == expected.language
    assert len(read_cache(tmp_path, library)) == 100


# --- user errors ----------------------------------------------------------------------------


def one_line_error(result: subprocess.CompletedProcess[bytes]) -> str:
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("reader: error: ")
    assert result.stdout == b""
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("clean", "nope.txt"), "cannot read 'nope.txt': no such file"),
        (("clean", "folder"), "cannot read 'folder': is a directory"),
        (
            ("clean", "binary.bin"),
            "'binary.bin' is not an article: not an article file (.bin; reads .htm, .html, "
            ".md, .txt)",
        ),
        (("clean", "empty.txt"), "'empty.txt' is not an article: empty file"),
        (("clean",), "the following arguments are required: FILE"),
        (("clean", "a", "b"), "unrecognized arguments: b"),
        (("list", "nope"), "cannot read 'nope': no such file"),
        (("list", "--bogus"), "unrecognized arguments: --bogus"),
        (("nope",), "cannot read 'nope': no such file"),
        (("--bogus",), "unrecognized arguments: --bogus"),
        (("--db",), "argument --db: expected one argument"),
    ],
)
def test_user_errors_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.txt").write_bytes(b"")
    line = one_line_error(run(*args, cwd=tmp_path))
    assert message in line


@pytest.mark.parametrize(
    "args", [("clean", str(SAMPLE)), ("clean", str(SAMPLE), "--json"), ("list", str(SAMPLES))]
)
def test_closed_pipe_is_quiet(tmp_path: Path, args: tuple[str, ...]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "READER_CACHE_DIR": str(tmp_path / "c")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reader", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `reader list | head` when head has already gone
    stderr = proc.stderr.read()
    proc.wait(timeout=60)
    assert stderr == b""
    assert proc.returncode == 141  # as a Unix tool killed by SIGPIPE
