"""Load, fuzz and hostile input: real processes, real files, a real terminal, no mocks.

The quick part runs in CI. `bench/stress.py` runs the same scenarios longer and prints what
was lost (`load`: a minute of writers, 100,000 files; `fuzz`: the properties below for
minutes). With HYPOTHESIS_PROFILE=long this file runs its properties 50 times longer and its
load tests at full size (a minute of writers, a library of 100,000 files).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from msgspec import structs
from test_clean_properties import PAGES, VOCABULARY, normalised
from test_interchange import highlight_lists

from reader.anchor import body_hash, make_anchor, reanchor_all
from reader.clean import clean
from reader.interchange import (
    InterchangeError,
    dumps,
    loads,
    merge,
    to_collection,
)
from reader.library import ArticleError, decode, load_article, read_text
from reader.models import Anchor, Highlight
from reader.store import Store, StoreError

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
SCALE = int(os.environ.get("FUZZ_SCALE", "50" if LONG else "1"))
EXAMPLES: Counter[str] = Counter()
"""Examples run per property (bench/stress.py prints them)."""


def fuzz(examples: int) -> settings:
    """Hypothesis settings: `examples` in CI, 50 times more in the long profile (FUZZ_SCALE
    sets the factor); the deadline catches a hang or a blow-up, not a slow machine."""
    return settings(
        max_examples=examples * SCALE,
        deadline=timedelta(seconds=10),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- fuzz: what the files are made of ---------------------------------------------------------

HOSTILE = [
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x1b]52;c;cHduZWQ=\x07",
    "\x1bP+q544e\x1b\\",
    "\x9b31m",
    "\u202e",
    "\u2066",
    "\u200f",
    "\x00",
    "\x7f",
    "\ufeff",
    "\u200b",
    "\xad",
    "\u3000",
    "\t",
    "\r",
    "\r\n",
    "\u2028",
    "\u2029",
    "\ud800",
    "[bold red]x[/]",
    "[@click=app.quit]",
    ":smile:",
    "中文報道，新华社北京电。",
    "هذا نص عربي طويل.",
    "עברית משמאל",
    "👩\u200d👩\u200d👧 🇫🇷",
    "e\u0301\u0301\u0301",
    "Z\u0337\u031b\u032ea\u0336l\u0335g\u0338o",
    "a" * 3000,
    "...",
    "« » — …",
    "\n\n\n\n",
]
SAMPLES = [path.read_text("utf-8") for path in sorted(ARTICLES.glob("*.txt"))]
FRAGMENTS = st.one_of(
    st.sampled_from(HOSTILE), st.sampled_from(VOCABULARY), st.text(max_size=40), PAGES
)


@st.composite
def mutated_articles(draw: st.DrawFn) -> str:
    """A real article with its lines deleted, doubled, swapped, cut, joined or spiked."""
    lines = draw(st.sampled_from(SAMPLES)).split("\n")
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(["delete", "double", "swap", "insert", "spike", "join", "cut"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if not lines:
            lines = [""]
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "double":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, draw(FRAGMENTS))
        elif op == "spike":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(FRAGMENTS) + lines[i][at:]
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + " " + lines[i + 1]]
        elif op == "cut":
            at = draw(st.integers(0, len(lines[i])))
            lines[i : i + 1] = [lines[i][:at], lines[i][at:]]
    return "\n".join(lines)


TEXTS = st.one_of(
    mutated_articles(),
    st.lists(FRAGMENTS, max_size=30).map("".join),
    st.lists(st.sampled_from(HOSTILE), max_size=20).map("\n".join),
)

# What `read_text` must never hand on: C0 but tab and newline, DEL, C1, bidi controls,
# surrogates, and the line ends it normalises.
UNSAFE = {
    *map(chr, range(0x00, 0x09)),
    *map(chr, range(0x0B, 0x20)),
    *map(chr, range(0x7F, 0xA0)),
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
    "\u2028",
    "\u2029",
}


def unsafe_in(text: str) -> list[str]:
    return sorted({c for c in text if c in UNSAFE or unicodedata.category(c) == "Cs"})


# -- fuzz: the cleaner --------------------------------------------------------------------


@fuzz(150)
@given(TEXTS)
def test_fuzz_the_cleaner_on_mutated_and_hostile_pages(raw: str) -> None:
    """Never raises, never invents text, and cleaning its body again changes nothing."""
    EXAMPLES["test_fuzz_the_cleaner_on_mutated_and_hostile_pages"] += 1
    text = normalised(raw)
    article = clean(text)
    for block in article.blocks:
        assert block.text and block.text in text
    for value in (article.title, article.author, article.source):
        assert value is None or value in text
    body = article.body
    assert clean(body).body == body
    assert not unsafe_in(body)


@fuzz(100)
@given(TEXTS)
def test_fuzz_the_cleaner_on_text_it_was_never_promised(raw: str) -> None:
    """Unnormalised text (controls, CR, lone surrogates): still no exception, no invention."""
    EXAMPLES["test_fuzz_the_cleaner_on_text_it_was_never_promised"] += 1
    article = clean(raw)
    for block in article.blocks:
        assert block.text in raw


# -- fuzz: decoding files ---------------------------------------------------------------------

CODECS = ["utf-8", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "koi8-r", "shift_jis"]


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    """Bytes as files have them: random, BOM-led, text in some encoding, damaged UTF-8."""
    kind = draw(st.sampled_from(["binary", "bom", "encoded", "damaged"]))
    if kind == "binary":
        return draw(st.binary(max_size=2048))
    if kind == "bom":
        bom = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\0\0"]))
        return bom + draw(st.binary(max_size=512))
    text = draw(TEXTS)
    codec = draw(st.sampled_from(CODECS))
    data = text.encode(codec, errors="surrogatepass" if codec == "utf-8" else "ignore")
    if kind == "damaged" and data:
        for _ in range(draw(st.integers(1, 5))):
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        data = data[: draw(st.integers(0, len(data)))]
    return data


@fuzz(200)
@given(file_bytes())
@example(b"\x1b[2J" * 40 + b"Bonjour.")
@example("Texte\x00 avec\x1b]52;c;eA==\x07 des \u202e contrôles.".encode("utf-16"))
def test_fuzz_decoding_any_bytes(data: bytes) -> None:
    """decode: a str or ArticleError; read_text: no control, bidi or surrogate character,
    no CR, and the file is cleaned without any other exception."""
    EXAMPLES["test_fuzz_decoding_any_bytes"] += 1
    try:
        assert isinstance(decode(data), str)
    except ArticleError:
        pass
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.txt"
        path.write_bytes(data)
        try:
            doc = read_text(path)
        except ArticleError as exc:
            assert exc.reason and "\n" not in exc.reason
            return
        assert not unsafe_in(doc.text), doc.encoding
        doc.text.encode("utf-8")  # printable and storable
        try:
            article = load_article(path)
        except ArticleError:
            return
        assert all(block.text in doc.text for block in article.blocks)


HTML_BITS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<h1>",
        "</h1>",
        "<title>",
        "</title>",
        "<script>",
        "<!--",
        "-->",
        "<![CDATA[",
        "&#27;]2;pwned&#7;",
        "&#x1b;[2J",
        "&#x202e;",
        "&#0;",
        "&#xd800;",
        "&#x9b;",
        "&#65;",
        "&amp;",
        "&bogus;",
        "<meta name='author' content='&#x1b;]0;x&#7;'>",
        '<meta property="og:title" content="&#x202e;Titre">',
        "<article>",
        "</article>",
    ]
)
HTML = st.lists(st.one_of(HTML_BITS, FRAGMENTS), max_size=40).map("".join)


@fuzz(40)
@given(HTML)
def test_fuzz_html_pages_never_leak_controls(page: str) -> None:
    """An HTML page, entities and all, gives an article without unsafe characters, or a
    reason (ArticleError); nothing else."""
    EXAMPLES["test_fuzz_html_pages_never_leak_controls"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.html"
        path.write_bytes(("<html><body>" + page + "</body></html>").encode("utf-8", "replace"))
        try:
            article = load_article(path)
        except ArticleError:
            return
        for value in (article.body, article.title, article.author, article.source):
            assert not unsafe_in(value or "")


# -- fuzz: anchoring ----------------------------------------------------------------------

WORDS = st.sampled_from(
    "the soldiers said on Monday that the front held « déserteurs » 2024 Kiev — … . , \n \n\n"
    " l’armée d'une légion 中文 👩\u200d👧 e\u0301".split(" ")
)
BODIES = st.one_of(
    st.lists(WORDS, min_size=1, max_size=120).map(" ".join),
    st.text(min_size=1, max_size=300),
    st.sampled_from(SAMPLES),
)


@st.composite
def edits(draw: st.DrawFn, body: str) -> str:
    """`body` with a few insertions, deletions, replacements and moves."""
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(body)))
        cut = draw(st.integers(0, min(200, len(body) - at)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "move", "double"]))
        piece = body[at : at + cut]
        if op == "insert":
            body = body[:at] + draw(st.one_of(WORDS, st.text(max_size=30))) + body[at:]
        elif op == "delete":
            body = body[:at] + body[at + cut :]
        elif op == "replace":
            body = body[:at] + draw(st.text(max_size=30)) + body[at + cut :]
        elif op == "move":
            rest = body[:at] + body[at + cut :]
            to = draw(st.integers(0, len(rest)))
            body = rest[:to] + piece + rest[to:]
        else:
            body = body[: at + cut] + piece + body[at + cut :]
    return body


@st.composite
def made_on(draw: st.DrawFn, body: str, n: int) -> list[Highlight]:
    """`n` highlights made on `body` (empty if it is empty)."""
    found = []
    for i in range(n if body else 0):
        start = draw(st.integers(0, len(body) - 1))
        end = draw(st.integers(start + 1, min(len(body), start + 300)))
        status = draw(st.sampled_from(["ok", "ok", "drifted", "orphan"]))
        anchor = make_anchor(body, start, end)
        found.append(Highlight.at(anchor, f"h{i}", "a.txt", status=status))
    return found


# Anchors as an imported file may carry them: any offsets, quote and context, any hash.
FOREIGN = st.builds(
    lambda i, start, length, quote, prefix, suffix, digest, status: Highlight.at(
        Anchor(start, start + length, quote, prefix, suffix, digest, "1"),
        f"f{i}",
        "a.txt",
        status=status,
    ),
    st.integers(0, 10**6),
    st.integers(0, 400) | st.integers(0, 2**62),
    st.integers(0, 400),
    st.text(max_size=60) | WORDS,
    st.text(max_size=50),
    st.text(max_size=50),
    st.text("0123456789abcdef", max_size=32),
    st.sampled_from(["ok", "drifted", "orphan"]),
)


@fuzz(300)
@given(st.data())
def test_fuzz_reanchoring_random_bodies_and_edits(data: st.DataObject) -> None:
    """Never raises; what is found lies in the new body (an "ok" one is read from it); an
    orphan keeps its anchor; the same body keeps every offset of what was made on it."""
    EXAMPLES["test_fuzz_reanchoring_random_bodies_and_edits"] += 1
    old = data.draw(BODIES)
    new = data.draw(edits(old))
    before = data.draw(made_on(old, data.draw(st.integers(0, 6))))
    here = data.draw(made_on(new, data.draw(st.integers(0, 3))))
    here = [Highlight.at(h.anchor, "n" + h.id, h.article, status="ok") for h in here]
    foreign = data.draw(st.lists(FOREIGN, max_size=3, unique_by=lambda h: h.id))
    given_ = data.draw(st.permutations(before + here + foreign))
    result = reanchor_all(given_, new)
    assert [h.id for h in result] == [h.id for h in given_]
    digest = body_hash(new)
    for old_h, h in zip(given_, result, strict=True):
        if h.status == "orphan":
            assert h.anchor == old_h.anchor
            continue
        assert 0 <= h.start <= h.end <= len(new), (old_h.anchor, h.anchor)
        assert h.anchor.body_hash == digest
        if h.status == "ok":
            assert new[h.start : h.end] == h.anchor.quote
        if old_h.anchor.body_hash == digest and old_h.status != "orphan":
            assert (h.start, h.end, h.status) == (old_h.start, old_h.end, old_h.status)
    if new == old:  # nothing changed: everything made on it stays where it was
        for old_h, h in zip(given_, result, strict=True):
            if old_h.anchor.body_hash == digest and old_h.status != "orphan":
                assert h.anchor == old_h.anchor


# -- fuzz: the JSON import ------------------------------------------------------------------

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        [
            "Annotation",
            "AnnotationPage",
            "AnnotationCollection",
            "TextQuoteSelector",
            "TextPositionSelector",
            "TextualBody",
            "tagging",
            "ok",
            "orphan",
            "reader-blue",
            "urn:article-reader:highlight:",
            "urn:article-reader:highlight:%ZZ%00",
            "0001-01-01T00:00:00+05:00",
            "9999-12-31T23:59:59-05:00",
            "2026-02-30T00:00:00Z",
            "2026-01-01",
            "../../etc/passwd",
            "\x1b]2;pwned\x07",
        ]
    ),
)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
# ISO 8601 times as text, the edges of the calendar included (a strategy of datetimes
# would give only those that convert to UTC).
TIMES = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
    st.integers(1, 9999) | st.sampled_from([1, 9999]),
    st.integers(1, 12) | st.sampled_from([1, 12]),
    st.integers(1, 31) | st.sampled_from([1, 31]),
    st.integers(0, 23) | st.sampled_from([0, 23]),
    st.integers(0, 59),
    st.integers(0, 59),
    st.sampled_from(["", "Z", "+00:00", ".123+00:00"])
    | st.builds(
        "{}{:02d}:{:02d}".format, st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59)
    ),
)


def _paths(value: object, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON tree (as a path of keys and indexes)."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _paths(child, (*path, i))
    return found


@st.composite
def mutated_collections(draw: st.DrawFn) -> bytes:
    """A valid export with some of its values replaced, removed, doubled or retyped."""
    tree: Any = orjson.loads(
        dumps(to_collection(draw(highlight_lists), generator="article-reader 0.1.0"))
    )
    for _ in range(draw(st.integers(1, 6))):
        paths = _paths(tree)
        op = draw(st.sampled_from(["replace", "delete", "wrap", "time", "double"]))
        times = [p for p in paths if p and p[-1] in ("created", "modified")]
        path = draw(st.sampled_from(times if op == "time" and times else paths))
        if not path:
            tree = draw(JSON) if op == "replace" else [tree] if op == "wrap" else tree
            continue
        parent = tree
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        if op == "replace":
            parent[last] = draw(JSON)
        elif op == "time":
            parent[last] = draw(TIMES)
        elif op == "wrap":
            parent[last] = [parent[last]]
        elif op == "delete":
            del parent[last]
        elif isinstance(parent, list):
            parent.append(parent[last])
        else:
            parent[str(last) + "x"] = parent[last]
    return orjson.dumps(tree)


STORED = [
    Highlight.at(Anchor(3, 8, "quote", "", "", "", "2"), "0123456789abcdef", "a.txt", created="x")
]


def import_into_a_store(raw: bytes) -> None:
    """What `reader import` does with a file: read it, merge it, save it."""
    store = Store.memory()
    store.save_highlights(STORED)
    with store.transaction():
        incoming = loads(raw)
        to_save, _ = merge(incoming, {h.id: h for h in store.all_highlights()})
        store.save_highlights(to_save)


@fuzz(300)
@given(
    st.one_of(
        st.binary(max_size=300),
        JSON.map(orjson.dumps),
        mutated_collections(),
    )
)
@example(b"[" * 100_000)
@example(b'{"type": "Annotation", "target": ' * 2000)
def test_fuzz_importing_any_file_fails_only_with_interchange_error(raw: bytes) -> None:
    EXAMPLES["test_fuzz_importing_any_file_fails_only_with_interchange_error"] += 1
    try:
        import_into_a_store(raw)
    except (InterchangeError, StoreError) as exc:
        assert "\n" not in str(exc)


ONE = orjson.loads(dumps(to_collection(STORED, generator="article-reader 0.1.0")))


@fuzz(200)
@given(TIMES, TIMES)
@example("0001-01-01T00:00:00+05:00", "2026-01-01T00:00:00Z")  # once an OverflowError
@example("2026-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00")
def test_fuzz_any_time_in_a_file_imports_or_is_refused_in_one_line(
    created: str, modified: str
) -> None:
    EXAMPLES["test_fuzz_any_time_in_a_file_imports_or_is_refused_in_one_line"] += 1
    item = ONE["first"]["items"][0]
    tree = {**ONE, "first": {**ONE["first"], "items": [{**item, "created": created}]}}
    tree["first"]["items"][0]["modified"] = modified
    try:
        (h,) = loads(orjson.dumps(tree))
    except InterchangeError as exc:
        assert "\n" not in str(exc)
        return
    assert h.created and h.updated


# -- hostile text in a real terminal ----------------------------------------------------------

PROSE = (
    "Le récit continue ensuite avec des mots ordinaires, assez nombreux pour que le "
    "nettoyeur garde ce paragraphe comme le corps de l'article et le montre à l'écran."
)
HOSTILE_ARTICLES: dict[str, tuple[bytes, list[str]]] = {
    # name: (the file, text that must be on the screen as it is)
    "escapes.txt": (
        (
            "Une dépêche pleine de séquences\n\n"
            f"ALPHA efface \x1b[2J\x1b[H\x1b[3J BRAVO après un effacement. {PROSE}\n\n"
            f"CHARLIE titre \x1b]0;PWNED-TITLE\x07 et \x1b]2;PWNED-TWO\x1b\\ DELTA. {PROSE}\n\n"
            f"ECHO copie \x1b]52;c;cHduZWQ=\x07 FOXTROT dans le presse-papiers. {PROSE}\n\n"
            f"GOLF \x1bP+q544e\x1b\\ DCS \x1bPtmux;\x1b\x1b]2;PASS\x07\x1b\\ HOTEL C1 \x9b2J "
            f"\x9d0;C1TITLE\x07 INDIA. {PROSE}\n\n"
            f"JULIET \x1b[6n\x1b[c\x1b[?1049l\x1b[?25l\x1b[31;1m KILO interroge. {PROSE}\n"
        ).encode(),
        ["ALPHA efface", "BRAVO", "[2J", "]0;PWNED-TITLE", "DELTA", "]52;c;", "KILO"],
    ),
    "markup.txt": (
        (
            "Une dépêche pleine de balises\n\n"
            "[bold red]ROUGE[/] et [@click=app.quit]Cliquez[/] puis [link=https://x.example]"
            f"lien[/link] et :smile: et [/] seul. {PROSE}\n\n{PROSE}\n"
        ).encode(),
        ["[bold red]ROUGE[/]", "[@click=app.quit]Cliquez[/]", ":smile:", "[/] seul"],
    ),
    "bidi.txt": (
        (
            "Une dépêche à l'envers\n\n"
            f"Avant \u202eGAUCHE-DROITE\u202c après, \u2066isolé\u2069 et \u200fmarque. {PROSE}"
            f"\n\n{PROSE}\n"
        ).encode(),
        ["\ufffdGAUCHE-DROITE\ufffd après", "\ufffdisolé\ufffd"],
    ),
    "arabe.txt": (  # right to left, and no stop-word list for the language
        (
            "جنود روس يقاتلون إلى جانب الجيش الأوكراني\n\n"
            "اختار مقاتلون روس الانشقاق والقتال إلى جانب القوات الأوكرانية. وهم يدينون بشكل خاص"
            " فلاديمير بوتين الذي يعتبرونه طاغية.\n\n"
            "لقد اختاروا تغيير المعسكر. قرر جنود روس من فيلق منشق يسمى الحرية لروسيا الانضمام إلى"
            " الجنود الأوكرانيين والقتال إلى جانبهم، لا سيما في منطقة باخموت في أوكرانيا.\n"
        ).encode(),
        ["اختار مقاتلون روس", "لقد اختاروا تغيير المعسكر"],
    ),
    "nul.txt": (
        (
            "Une dépêche avec des octets nuls\n\n"
            f"Un paragraphe\x00 avec NULMARK au milieu. {PROSE}\n\n" + f"{PROSE}\n\n" * 8
        ).encode(),
        ["Un paragraphe\ufffd avec NULMARK"],
    ),
    "japonais.txt": (
        (
            "ロシア兵がウクライナ軍と共に戦う\n\n"
            "一部のロシアの戦闘員は脱走し、ウクライナ軍と共に戦うことを選んだ。"
            "彼らはプーチン大統領を独裁者として非難している。\n\n"
            "彼らは陣営を変えることを選んだ。「ロシアの自由」と呼ばれる反体制軍団のロシア兵たちは、"
            "バフムト地域でウクライナ兵と共に戦うことを決めた。\n"
        ).encode(),
        ["一部のロシアの戦闘員は脱走し"],
    ),
    "emoji.txt": (
        (
            "Une dépêche en couleurs\n\n"
            f"EMOJIMARK 👩\u200d👩\u200d👧 🇫🇷 🇺🇦 puis e\u0301te\u0301 et "
            f"Z\u0337\u031b\u032ea\u0336l\u0335g\u0338o FINMARK. {PROSE}\n\n"
            "中文报道：俄罗斯士兵选择与乌克兰军队并肩作战，"
            f"他们谴责普京是一个暴君。CJKMARK {PROSE}\n"
        ).encode(),
        ["EMOJIMARK", "FINMARK", "中文报道", "CJKMARK"],
    ),
    "longline.txt": (
        ("LONGSTART " + "une phrase sans fin qui se répète encore " * 52_000 + "LONGEND.").encode(),
        ["LONGSTART une phrase"],
    ),
}


@pytest.fixture
def hostile_library(tmp_path: Path) -> Path:
    library = tmp_path / "hostile"
    library.mkdir()
    for name, (data, _) in HOSTILE_ARTICLES.items():
        (library / name).write_bytes(data)
    (library / "binaire.txt").write_bytes(b"\x00\x1b" * 4000 + b"du texte")
    return library


def _terminal(command: str, tmp_path: Path) -> Any:
    """A tmux session (private server) that takes OSC 52 into a paste buffer, as a terminal
    with a clipboard would: a leak shows in `list-buffers`, a title change in the title."""
    from test_tui_tmux import Terminal

    env = {
        "READER_DB": str(tmp_path / "notes.json"),
        "READER_CACHE_DIR": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
    }
    term = Terminal(f"sleep 0.3; {command}", env)
    term.tmux("set-option", "-g", "set-clipboard", "on")
    term.tmux("set-option", "-g", "allow-passthrough", "on")
    return term


def _leaks(term: Any, title: str) -> list[str]:
    found = []
    if term.title() != title:
        found.append(f"the title became {term.title()!r}")
    buffers = term.tmux("list-buffers")
    if buffers:
        found.append(f"the clipboard got {buffers!r}")
    return found


def _flat(screen: str) -> str:
    """The reading pane's text as one line (wrapped lines joined again, the sidebar cut)."""
    rows = [row.split("▕", 1)[-1].strip() for row in screen.splitlines()]
    return " ".join(" ".join(rows).split())


def _wait_in_pane(term: Any, text: str, timeout: float = 30) -> str:
    """Wait for `text` in the reading pane (not in the sidebar, which shows first words)."""
    deadline = time.monotonic() + timeout
    while True:
        screen: str = term.screen()
        if text in _flat(screen):
            return screen
        assert time.monotonic() < deadline, f"{text!r} not in the pane:\n{screen}"
        time.sleep(0.1)


TMUX = pytest.mark.skipif(
    not shutil.which("tmux") or not (Path(sys.executable).with_name("reader")).exists(),
    reason="needs tmux and the installed `reader` command",
)


@TMUX
def test_the_leak_detectors_see_a_leak(tmp_path: Path) -> None:
    """The control: a program that does send the sequences changes the title and the
    clipboard, so the tests below would see a leak."""
    term = _terminal(r"printf '\033]2;PWNED\007\033]52;c;cHduZWQ=\007shown\n'", tmp_path)
    try:
        title = term.title()
        term.wait_for("shown")
        assert len(_leaks(term, title)) == 2
    finally:
        term.close()


@TMUX
@pytest.mark.parametrize("name", list(HOSTILE_ARTICLES))
def test_hostile_text_shows_literally_in_a_real_terminal(
    name: str, hostile_library: Path, tmp_path: Path
) -> None:
    """Open the file in the real `reader`: the text is shown as text, the title and the
    clipboard are untouched, the keys still work, and q exits 0."""
    reader = Path(sys.executable).with_name("reader")
    term = _terminal(f"{reader} {hostile_library / name}", tmp_path)
    try:
        title = term.title()
        _, visible = HOSTILE_ARTICLES[name]
        screen = _wait_in_pane(term, visible[0])
        for text in visible[1:]:
            assert text in _flat(screen), f"{text!r} not on screen:\n{screen}"
        assert "PWNED" not in term.title() and "PASS" not in term.title()
        term.keys("G")
        term.wait_for("100%", timeout=30)
        term.keys("g")
        deadline = time.monotonic() + 30
        while "100%" in term.screen() or visible[0] not in _flat(term.screen()):  # the top
            assert time.monotonic() < deadline, term.screen()
            time.sleep(0.1)
        assert _leaks(term, title) == []
        term.keys("q")
        term.wait_for("EXITED-0", timeout=30)
        assert _leaks(term, title) == []
    finally:
        term.close()


@TMUX
def test_a_library_of_hostile_files_lists_them_all_and_says_why_one_is_refused(
    hostile_library: Path, tmp_path: Path
) -> None:
    """All of them in one library: listed (the binary one with its reason), each opened from
    the list in turn, and the terminal left alone."""
    reader = Path(sys.executable).with_name("reader")
    term = _terminal(f"{reader} {hostile_library}", tmp_path)
    try:
        title = term.title()
        # The list (where the focus starts) has every file, the binary one with its reason.
        screen = term.wait_for("binary file (not text)", timeout=30)
        for title_shown in ("pleine de séquences", "pleine de balises", "LONGSTART", "جنود روس"):
            assert title_shown in screen
        names = sorted([*HOSTILE_ARTICLES, "binaire.txt"])
        for name in names[1:]:  # open each one from the list, in turn
            term.keys("Down", "Enter")
            if name == "binaire.txt":  # not opened: the focus stays in the list
                time.sleep(0.5)
                continue
            _wait_in_pane(term, HOSTILE_ARTICLES[name][1][0])
            term.keys("Tab")  # back to the list (opening put the focus in the pane)
        assert _leaks(term, title) == []
        term.keys("q")
        term.wait_for("EXITED-0", timeout=30)
    finally:
        term.close()


EVIL_NOTE = "Une note \x1b]2;PWNED-NOTE\x07 qui \x1b]52;c;cHduZWQ=\x07 copie \u202eNOTEMARK"
EVIL_TAG = "tag\x1b]2;PWNED-TAG\x07"


def _import_hostile_notes(library: Path, tmp_path: Path) -> str:
    """Import (with the real command) highlights whose note, quote and tag carry escape
    sequences, on the first sample article: one at its start (its quote is right), one an
    orphan (its quote is not in the text); returns that article's id."""
    from reader.highlights import new_highlight

    article = "001_d5ff22c185f78ace.txt"
    body = load_article(library / article).body
    placed = new_highlight(article, body, 0, 22, note=EVIL_NOTE)
    placed = structs.replace(placed, tags=(EVIL_TAG,))
    quote = "\x1b]2;PWNED-QUOTE\x07 une phrase que le texte n'a pas"
    orphan = structs.replace(placed, id="0" * 16).moved(
        Anchor(40, 40 + len(quote), quote, "", "", "0" * 32, "2"), status="orphan"
    )
    path = tmp_path / "hostile.json"
    path.write_bytes(dumps(to_collection([placed, orphan], generator="elsewhere")))
    from stress_lib import reader_env, run_reader

    done = run_reader(
        "import", str(path), env=reader_env(tmp_path / "notes.json", tmp_path / "cache")
    )
    assert done.returncode == 0, done.stderr
    return article


@TMUX
def test_an_imported_hostile_note_does_not_reach_the_terminal_in_the_notebook(
    library: Path, tmp_path: Path
) -> None:
    article = _import_hostile_notes(library, tmp_path)
    reader = Path(sys.executable).with_name("reader")
    term = _terminal(f"{reader} {library / article}", tmp_path)
    try:
        title = term.title()
        term.wait_for("Des combattants russes ont choisi de")
        term.keys("o")  # the notebook lists the quote, the note and the tags
        term.wait_for("Une note", timeout=30)
        time.sleep(0.5)
        assert _leaks(term, title) == []
        screen = term.wait_for("NOTEMARK", timeout=5)
        assert "]2;PWNED-NOTE" in _flat(screen)
        term.keys("Escape", "q")
        term.wait_for("EXITED-0", timeout=30)
    finally:
        term.close()


@TMUX
def test_an_imported_hostile_note_does_not_reach_the_terminal_in_the_note_editor(
    library: Path, tmp_path: Path
) -> None:
    article = _import_hostile_notes(library, tmp_path)
    reader = Path(sys.executable).with_name("reader")
    term = _terminal(f"{reader} {library / article}", tmp_path)
    try:
        title = term.title()
        term.wait_for("Des combattants russes ont choisi de")
        term.keys("g", "a")  # the note of the highlight at the start, in the editor
        term.wait_for("ctrl+s save", timeout=30)
        time.sleep(0.5)
        leaks = _leaks(term, title)
        term.keys("Escape", "q")
        term.wait_for("EXITED-0", timeout=30)
        assert leaks == []
    finally:
        term.close()


@TMUX
def test_reader_export_to_a_terminal_does_not_pass_on_escape_sequences(
    library: Path, tmp_path: Path
) -> None:
    _import_hostile_notes(library, tmp_path)
    reader = Path(sys.executable).with_name("reader")
    term = _terminal(f"{reader} export {library} -o -", tmp_path)
    try:
        title = term.title()
        term.wait_for("EXITED-0", timeout=30)
        assert _leaks(term, title) == []
    finally:
        term.close()


# -- export: hostile titles, notes and ids through the real command ---------------------------

STORY = (
    "Un premier paragraphe assez long pour que le nettoyeur le garde comme corps de "
    "l'article, avec des mots ordinaires et une fin.\n\n"
    "Un second paragraphe, tout aussi ordinaire, qui termine ce court article de test."
)
EVIL_TITLES = {
    "evade.txt": "../../../../tmp/ÉVADÉ/../x",
    "balises.txt": "<!-- reader:end --> --- `x` [[lien]] ** #tag $$ %%",
}
EXPORT_NOTE = "<!-- reader:end -->\n---\ntitle: pwned\n---\n# Pwned\n```\nfin"


def test_reader_export_keeps_hostile_titles_notes_and_ids_in_their_place(tmp_path: Path) -> None:
    from stress_lib import reader_env, run_reader
    from test_export import front, headings

    from reader.highlights import new_highlight

    library = tmp_path / "library"
    library.mkdir()
    for name, title in EVIL_TITLES.items():
        (library / name).write_text(f"{title}\n\n{STORY}\n", "utf-8")
    (tmp_path / "outside.txt").write_text(f"SECRET-OUTSIDE\n\n{STORY} SECRET-OUTSIDE\n", "utf-8")
    marks = []
    for name in EVIL_TITLES:
        body = load_article(library / name).body
        marks.append(new_highlight(name, body, 0, 20, note=EXPORT_NOTE))
    # Ids that lead out of the library, as an imported file may carry them.
    marks += [
        structs.replace(marks[0], id=f"out{n}", article=article)
        for n, article in enumerate(["../outside.txt", str(tmp_path / "outside.txt")])
    ]
    (tmp_path / "in.json").write_bytes(dumps(to_collection(marks, generator="elsewhere")))
    env = reader_env(tmp_path / "notes.json", tmp_path / "cache", HOME=str(tmp_path))
    assert run_reader("import", str(tmp_path / "in.json"), env=env).returncode == 0
    before = {p for p in tmp_path.rglob("*") if "cache" not in p.parts}
    out = tmp_path / "out"
    done = run_reader("export", str(library), "-o", str(out), env=env)
    assert done.returncode == 0, done.stderr
    new = {p for p in tmp_path.rglob("*") if "cache" not in p.parts} - before
    new = {p for p in new if not p.name.startswith("notes.json")}  # the store (the setting)
    assert new and all(p == out or p.parent == out for p in new), sorted(map(str, new))
    texts = [p.read_text("utf-8") for p in out.glob("*.md")]
    assert len(texts) == 4
    assert not any("SECRET-OUTSIDE" in text for text in texts)  # never read from outside
    by_article = {str(front(text)["article"]): text for text in texts}
    for name, title in EVIL_TITLES.items():
        text = by_article[name]
        assert front(text)["title"] == title
        assert len(headings(text)) == 1  # the title, on one line; the note made none
        assert text.count("<!-- reader:end -->\n") == 1 and text.endswith("<!-- reader:end -->\n")
        assert "> Un premier paragraph\n" in text


def test_reader_import_of_a_time_before_year_one_is_a_user_error(tmp_path: Path) -> None:
    """Once an OverflowError: exit 70, "internal error"; now one line, exit 1."""
    from stress_lib import reader_env, run_reader

    tree = orjson.loads(dumps(to_collection(STORED, generator="elsewhere")))
    tree["first"]["items"][0]["created"] = "0001-01-01T00:00:00+05:00"
    (tmp_path / "in.json").write_bytes(orjson.dumps(tree))
    env = reader_env(tmp_path / "notes.json", tmp_path / "cache")
    done = run_reader("import", str(tmp_path / "in.json"), env=env)
    assert done.returncode == 1
    assert done.stderr.count(b"\n") == 1 and b"out of range" in done.stderr


# -- the cleaner on scripts without stop-word lists ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (HOSTILE_ARTICLES["japonais.txt"][0].decode(), ["一部のロシア", "彼らは陣営を"]),
        (HOSTILE_ARTICLES["arabe.txt"][0].decode(), ["اختار مقاتلون", "لقد اختاروا"]),
        (
            "俄罗斯士兵与乌克兰军队并肩作战\n\n"
            "一些俄罗斯战斗人员选择叛逃，与乌克兰军队并肩作战。他们谴责弗拉基米尔·普京，认为他是一个暴君。\n\n"
            "他们选择了改变阵营。来自一个名为“俄罗斯自由”的异见军团的俄罗斯士兵决定加入乌克兰士兵，"
            "在巴赫穆特地区与他们并肩作战。这是对抗普京的一种方式。\n",
            ["一些俄罗斯战斗人员", "他们选择了改变阵营"],
        ),
    ],
)
def test_an_article_in_a_language_without_stop_words_keeps_its_paragraphs(
    text: str, kept: list[str]
) -> None:
    """Once: Japanese gave "no article text found", Chinese and Arabic lost their lede
    (wide characters were counted as Latin ones, and no line could be a sentence)."""
    body = clean(text).body
    for start in kept:
        assert start in body


# -- load: real processes writing one store ---------------------------------------------------

LOAD_SECONDS = 60.0 if LONG else 6.0


def test_two_apps_and_an_import_loop_writing_one_store_lose_nothing(tmp_path: Path) -> None:
    """Two copies of the app driven by keys (m, a + note, colours, x, u, other articles) and
    a `reader import` loop, all at once on one store: every change an app said was saved,
    and every import that exited 0, is in the store as last acknowledged."""
    from stress_lib import run_load

    outcome = run_load(tmp_path, LOAD_SECONDS)
    assert outcome.lost == []
    counts = outcome.counts
    assert counts["app keys"] >= 20 and counts["app acks"] >= 3, counts
    assert counts["import rounds"] >= 3 and counts["imported highlights"] >= 10, counts


def test_100k_highlights_over_10k_articles_list_export_and_open(tmp_path: Path) -> None:
    """A library of 10,000 files and 100,000 highlights: `reader list --json` (cold, warm),
    `reader export` to Markdown (and JSON in the long run), then the app opens an article
    with its 10 highlights and lists all the files."""
    from stress_lib import article_id, open_in_app, run_volume

    files = 100_000 if LONG else 10_000
    outcome = run_volume(
        tmp_path, files=files, highlights=100_000, articles=10_000, json_export=LONG
    )
    assert outcome.lost == []
    wanted = article_id(1234)
    opened = asyncio.run(
        open_in_app(
            tmp_path / "library", tmp_path / "notes.json", tmp_path / "cache", wanted, files
        )
    )
    assert opened["painted"] == 10 and opened["total"] == files and opened["at end"], opened
    if LONG:
        print({**outcome.times, **{f"app {k}": v for k, v in opened.items()}})


def test_a_50_mb_article_is_refused_with_a_reason_never_a_hang(tmp_path: Path) -> None:
    from stress_lib import reader_env, run_reader

    library = tmp_path / "library"
    shutil.copytree(ARTICLES, library)
    big = library / "énorme.txt"
    with big.open("wb") as f:
        line = ("Une phrase ordinaire qui revient encore et encore. " * 40 + "\n\n").encode()
        for _ in range(50_000_000 // len(line) + 1):
            f.write(line)
    env = reader_env(tmp_path / "notes.json", tmp_path / "cache")
    clean_run = run_reader("clean", str(big), env=env, timeout=60)
    assert clean_run.returncode == 1 and b"too large: 50" in clean_run.stderr
    listed = run_reader("list", "--json", str(library), env=env, timeout=60)
    assert listed.returncode == 0
    by_id = {item["id"]: item for item in orjson.loads(listed.stdout)}
    assert by_id["énorme.txt"]["error"].startswith("too large: 50")
    assert all(item["error"] is None for name, item in by_id.items() if name != "énorme.txt")
    said = asyncio.run(_open_the_app_on(library, big, tmp_path))
    assert any("too large: 50" in message for message in said), said


async def _open_the_app_on(library: Path, path: Path, tmp_path: Path) -> list[str]:
    """Open the app on `path` (headless) until the library is listed; what it told the user.
    The keys still work after (the sidebar moves), and q quits."""
    from reader.app import make_app
    from reader.widgets.article_list import ArticleList

    app = make_app(library, Store(tmp_path / "notes.json"), open_file=path, cache_dir=None)
    async with app.run_test(size=(120, 36)) as pilot:
        articles = app.query_one("#articles", ArticleList)
        for _ in range(600):
            await pilot.pause(0.05)
            if articles.total == len(SAMPLES) + 1:
                break
        articles.focus()
        await pilot.press("down", "enter")
        for _ in range(200):
            await pilot.pause(0.05)
            if app.article is not None:
                break
        assert app.article is not None  # another article opens: the app is alive
        said = [n.message for n in app._notifications]
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    return said


# -- two writers on one highlight: bugs outside this part's modules ---------------------------

HOLDER = """
import sys
from msgspec import structs
from reader.store import Store
store = Store(sys.argv[1])
with store.transaction():  # as `reader import` holds it while it merges
    print("locked", flush=True)
    sys.stdin.readline()
    (h,) = store.highlights(sys.argv[2])
    store.save_highlight(structs.replace(h, note="v2", updated="2099-01-01T00:00:00.000+00:00"))
    print("saved", flush=True)
"""


def _stale_highlight(library: Path, db: Path) -> str:
    """A highlight (note "v1") made on an article's body, then the article edited (a
    paragraph added at the top): opening it moves the highlight. Returns the article id."""
    from reader.highlights import new_highlight

    article = "001_d5ff22c185f78ace.txt"
    path = library / article
    body = load_article(path).body
    Store(db).save_highlight(new_highlight(article, body, 0, 22, note="v1"))
    title, rest = path.read_text("utf-8").split("\n\n", 1)
    added = "Un paragraphe ajouté en tête, assez long pour compter comme le début du récit."
    path.write_text(f"{title}\n\n{added}\n\n{rest}", "utf-8")
    return article


async def test_a_highlight_moved_on_opening_does_not_undo_a_note_saved_meanwhile(
    library: Path, tmp_path: Path
) -> None:
    import subprocess

    from reader.app import make_app

    db = tmp_path / "notes.json"
    article = _stale_highlight(library, db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), article],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline() == "locked\n"
        app = make_app(library, Store(db), open_file=library / article, cache_dir=None)
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(200):  # opened, its highlight read and moved (its save waits)
                await pilot.pause(0.05)
                if app.notes is not None and len(app.notes) == 1:
                    break
            assert app.notes is not None and app.notes.all()[0].start > 22
            holder.stdin.write("go\n")
            holder.stdin.flush()
            assert holder.stdout.readline() == "saved\n"  # acknowledged: on disk
            assert holder.wait(timeout=30) == 0
            await app.drain_writes()
            await pilot.press("q")
    finally:
        holder.kill()
    (h,) = Store(db).highlights(article)
    assert h.note == "v2"


async def test_a_colour_change_in_one_copy_keeps_the_note_saved_by_another(
    library: Path, tmp_path: Path
) -> None:
    import subprocess

    from reader.app import make_app
    from reader.highlights import new_highlight
    from reader.widgets.article_view import ArticleView

    db = tmp_path / "notes.json"
    article = "001_d5ff22c185f78ace.txt"
    body = load_article(library / article).body
    Store(db).save_highlight(new_highlight(article, body, 0, 22, note="v1"))
    app = make_app(library, Store(db), open_file=library / article, cache_dir=None)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if app.notes is not None and len(app.notes) == 1:
                break
        # The other copy saves a new note (the store call the app's writer makes).
        other = subprocess.run(
            [sys.executable, "-c", HOLDER, str(db), article], input="go\n", text=True
        )
        assert other.returncode == 0
        app.query_one("#pane", ArticleView).focus()
        await pilot.press("g", "3")  # this copy colours it
        await pilot.pause()
        await app.drain_writes()
        assert app.notes is not None and not app.notes.pending  # shown as saved
        await pilot.press("q")
    (h,) = Store(db).highlights(article)
    assert h.color == "blue"
    assert h.note == "v2"


@pytest.mark.parametrize("gap", ["»\n Ministère", "» \nMinistère", "»\t\nMinistère"])
def test_a_quote_and_an_attribution_with_spaces_between_stay_pieces_of_the_input(
    gap: str,
) -> None:
    """Found by the fuzzer: the quote and its attribution were joined by a newline whatever
    spaces stood between them, giving a block that was not in the input."""
    sample = (ARTICLES / "003_ae3083eee1913a8c.txt").read_text("utf-8")
    raw = sample.replace("»\nMinistère", gap)
    assert raw != sample
    article = clean(raw)
    assert all(block.text in raw for block in article.blocks)
    assert any(block.text == "Ministère russe de la Défense" for block in article.blocks)
    assert clean(article.body).body == article.body
