"""The library: finding files, decoding them, and turning bad files into reasons."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pages import PAGE

from reader.dates import normalise
from reader.library import (
    ArticleError,
    decode,
    human_size,
    load_article,
    normalize_newlines,
    read_text,
    sanitize,
    scan,
)

FRENCH = (
    "L’été dernier, à Évian, les élèves ont mangé des crêpes « très » bonnes.\n\n"
    "Où ça ? Ça coûte 5 € — c’était déjà ça. Noël, Œuvre, naïf, Zoë, garçon.\n"
)
GERMAN = "Die Bürger über Straßenbahnen: größere Ängste, schöne Grüße aus München.\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", FRENCH),
        ("cp1252", FRENCH),
        ("cp1252", GERMAN),
        (
            "latin-1",
            FRENCH.replace("€", "EUR").replace("—", "-").replace("’", "'").replace("Œ", "O"),
        ),
        ("latin-1", "Café crème à l'école."),
        ("cp1251", "Война в Украине: солдаты сражаются вместе с армией Киева. Это важно.\n"),
    ],
)
def test_decode_keeps_accents(tmp_path: Path, encoding: str, text: str) -> None:
    path = write(tmp_path / "a.txt", text.encode(encoding))
    assert read_text(path).text == text


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
    ],
)
def test_decode_with_bom(tmp_path: Path, bom: bytes, codec: str) -> None:
    path = write(tmp_path / "a.txt", bom + FRENCH.encode(codec))
    doc = read_text(path)
    assert doc.text == FRENCH  # the BOM is gone, the accents are kept
    assert doc.encoding == codec


def test_utf16_via_python_codec_keeps_accents(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", FRENCH.encode("utf-16"))  # Python writes a BOM
    assert read_text(path).text == FRENCH


def test_truncated_utf8_stays_utf8() -> None:
    data = FRENCH.encode("utf-8") + "é".encode()[:1]
    assert decode(data) == FRENCH + "\ufffd"


def test_newlines_are_normalised(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "one\r\ntwo\rthree\nfour\u2028five\u2029six")
    assert read_text(path).text == "one\ntwo\nthree\nfour\nfive\n\nsix"
    assert normalize_newlines("a\r\n\r\nb") == "a\n\nb"


def test_controls_and_bidi_are_replaced_one_for_one(tmp_path: Path) -> None:
    unsafe = "\x1b]0;pwned\x07 \x00\x7f\x85\x9b \u202e\u2066\u200f\u061c"
    prose = "Une phrase ordinaire, assez longue pour que le fichier reste du texte. " * 3
    text = f"Titre\n\tindenté {unsafe} fin\n{prose}"
    path = write(tmp_path / "a.txt", text)
    clean = read_text(path).text
    assert len(clean) == len(text)
    assert "\t" in clean and "\n" in clean  # tab and newline are kept
    for ch in "\x1b\x07\x00\x7f\x85\x9b\u202e\u2066\u200f\u061c":
        assert ch not in clean
    assert clean.count("\ufffd") == 10
    assert sanitize(text) == clean


def test_sanitize_leaves_ordinary_text_alone() -> None:
    text = "Ça coûte 5 € — «oui» 日本語 عربي\n\tfin"
    assert sanitize(text) is text or sanitize(text) == text


# --- bad files ------------------------------------------------------------------------------


def reason(path: Path, limit: int | None = None) -> str:
    with pytest.raises(ArticleError) as info:
        if limit is None:
            read_text(path)
        else:
            read_text(path, limit=limit)
    return info.value.reason


def test_a_stray_nul_is_replaced_not_binary(tmp_path: Path) -> None:
    text = FRENCH * 3 + "\x00" + FRENCH * 3
    assert read_text(write(tmp_path / "a.txt", text)).text == text.replace("\x00", "\ufffd")


def test_binary_file(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert reason(write(tmp_path / "a.txt", png)) == "binary file (not text)"


def test_control_bytes_without_nul_are_binary(tmp_path: Path) -> None:
    data = bytes(b % 32 + 1 for b in range(3000))
    assert reason(write(tmp_path / "a.txt", data)) == "binary file (not text)"


def test_empty_file(tmp_path: Path) -> None:
    assert reason(write(tmp_path / "a.txt", b"")) == "empty file"
    assert reason(write(tmp_path / "b.txt", b"\xef\xbb\xbf \r\n\t\n")) == "empty file"


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "x" * 2500)
    assert reason(path, limit=1000) == "too large: 2.5 kB (limit 1 kB)"
    assert read_text(path, limit=2500).text == "x" * 2500
    assert human_size(25_300_000) == "25.3 MB" and human_size(20_000_000) == "20 MB"


def test_undecodable_file(tmp_path: Path) -> None:
    # Bytes that no text encoding makes sense of, and no NUL to call it binary.
    data = bytes(range(0x80, 0x100)) * 40
    assert reason(write(tmp_path / "a.txt", data)).startswith("undecodable")


def test_bad_utf16_after_bom(tmp_path: Path) -> None:
    data = b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8"  # a lone surrogate
    assert reason(write(tmp_path / "a.txt", data)) == "undecodable: invalid UTF-16-LE text"


def test_missing_file(tmp_path: Path) -> None:
    assert reason(tmp_path / "nope.txt") == "cannot read: no such file"


def test_directory_named_like_an_article(tmp_path: Path) -> None:
    (tmp_path / "a.txt").mkdir()
    assert reason(tmp_path / "a.txt") == "cannot read: is a directory"


def test_broken_symlink(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to(tmp_path / "gone.txt")
    assert reason(tmp_path / "a.txt") == "cannot read: broken link"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a.txt")
    assert reason(tmp_path / "a.txt") == "cannot read: not a regular file"


# Root reads anything, so as root (as in CI) this is skipped; the directory and broken-link
# tests above cover "cannot read" there.
@pytest.mark.skipif(
    getattr(os, "geteuid", lambda: -1)() == 0, reason="root can read a chmod 000 file"
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "text")
    path.chmod(0)
    try:
        assert reason(path) == "cannot read: permission denied"
    finally:
        path.chmod(0o644)


# --- scanning -------------------------------------------------------------------------------


def test_scan_recurses_sorts_and_gives_relative_ids(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "b")
    write(tmp_path / "a.md", "a")
    write(tmp_path / "sub" / "deeper" / "c.html", "<p>c</p>")
    write(tmp_path / "sub" / "d.HTM", "<p>d</p>")
    write(tmp_path / "sub" / "notes.pdf", "not an article")
    write(tmp_path / "image.png", b"\x89PNG")
    ids = [entry.id for entry in scan(tmp_path)]
    assert ids == ["a.md", "b.txt", "sub/d.HTM", "sub/deeper/c.html"]
    entry = scan(tmp_path)[1]
    assert entry.path == tmp_path / "b.txt"
    assert entry.size == 1
    assert entry.mtime_ns == (tmp_path / "b.txt").stat().st_mtime_ns


def test_scan_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "a")
    write(tmp_path / ".hidden.txt", "h")
    write(tmp_path / ".git" / "b.txt", "b")
    write(tmp_path / "sub" / ".cache" / "c.txt", "c")
    assert [entry.id for entry in scan(tmp_path)] == ["a.txt"]


def test_scan_of_one_file(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "a")
    write(tmp_path / "b.txt", "b")
    entries = scan(tmp_path / "b.txt")
    assert [(e.id, e.path) for e in entries] == [("b.txt", tmp_path / "b.txt")]


def test_scan_lists_broken_links_and_survives_symlink_loops(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "a")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    ids = [entry.id for entry in scan(tmp_path)]
    assert ids == ["a.txt", "broken.txt"]


def test_folders_named_alike_but_for_case_interleave_their_files(tmp_path: Path) -> None:
    for rel in ("A/b.txt", "a/a.txt", "A/c.txt", "a/d.txt", "B.txt"):
        write(tmp_path / rel, "x")
    ids = ["a/a.txt", "A/b.txt", "A/c.txt", "a/d.txt", "B.txt"]
    assert [entry.id for entry in scan(tmp_path)] == ids
    for count in range(len(ids) + 1):
        assert [entry.id for entry in scan(tmp_path, first=count)] == ids[:count]


# Names that sort in every awkward way: case, "-" and "." before "/", "ß" folding to "ss".
_PART = st.text(alphabet="aAsS-.ß_", min_size=1, max_size=3).filter(
    lambda part: part not in (".", "..")  # not names: they would step out of the tree
)
_FILE = st.tuples(st.lists(_PART, max_size=2), _PART, st.sampled_from([".txt", ".MD", ".pdf"]))


@settings(max_examples=150, deadline=None)
@given(files=st.lists(_FILE, max_size=12))
def test_the_first_files_of_a_scan_are_the_first_of_the_whole_list(
    files: list[tuple[list[str], str, str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        made = set()
        for parents, name, suffix in files:
            path = root.joinpath(*parents, name + suffix)
            try:
                write(path, "x")
            except OSError:  # a name taken by a folder, or a folder's by a file
                continue
            rel = path.relative_to(root)
            if suffix != ".pdf" and not any(part.startswith(".") for part in rel.parts):
                made.add(rel.as_posix())
        ids = [entry.id for entry in scan(root)]
        assert ids == sorted(made, key=lambda i: (i.casefold(), i))
        for count in range(len(ids) + 2):
            assert [entry.id for entry in scan(root, first=count)] == ids[:count]


def test_scan_of_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no such file"):
        scan(tmp_path / "nope")


def test_bad_files_do_not_stop_the_library(tmp_path: Path) -> None:
    write(tmp_path / "1-good.txt", FRENCH)
    write(tmp_path / "2-binary.txt", b"\x00\x01\x02" * 100)
    write(tmp_path / "3-empty.md", b"")
    (tmp_path / "4-dir.txt").mkdir()
    (tmp_path / "5-link.txt").symlink_to(tmp_path / "gone")
    write(tmp_path / "6-good.md", GERMAN.encode("cp1252"))
    results: dict[str, str] = {}
    for entry in scan(tmp_path):
        try:
            load_article(entry.path)
            results[entry.id] = "ok"
        except ArticleError as exc:
            results[entry.id] = exc.reason
    assert results == {
        "1-good.txt": "ok",
        "2-binary.txt": "binary file (not text)",
        "3-empty.md": "empty file",
        "5-link.txt": "cannot read: broken link",
        "6-good.md": "ok",
    }


# --- HTML -----------------------------------------------------------------------------------


def test_html_goes_through_trafilatura(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", PAGE)
    article = load_article(path)
    assert article.title == "Les abeilles reviennent en ville"
    assert "les ruches installées sur les toits" in article.body
    assert "plus de deux cents colonies" in article.body
    assert "Accueil" not in article.body
    assert "Tous droits réservés" not in article.body
    assert article.date == "2024-03-12"


def test_html_entities_cannot_smuggle_controls(tmp_path: Path) -> None:
    page = PAGE.replace("Depuis trois ans,", "Depuis &#x202E;trois&#x1b; ans,")
    article = load_article(write(tmp_path / "page.htm", page))
    assert "\u202e" not in article.body and "\x1b" not in article.body


def test_html_without_text(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.html", "<html><head><title>T</title></head><body></body></html>")
    with pytest.raises(ArticleError, match="no article text"):
        load_article(path)


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-03-12", "2024-03-12"),
        ("2024-03-12T08:30:00+01:00", "2024-03-12"),
        ("2023-09", "2023-09"),
        ("2022", "2022"),
        ("yesterday", None),
        (None, None),
    ],
)
def test_iso_date(raw: str | None, iso: str | None) -> None:
    assert normalise(raw) == iso
