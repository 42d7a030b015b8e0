"""The W3C Web Annotation interchange: lossless round trips, the W3C shape, imports, merges."""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec import structs

from reader.interchange import (
    ID_PREFIX,
    InterchangeError,
    MergeResult,
    dumps,
    from_collection,
    loads,
    merge,
    to_collection,
)
from reader.models import COLOURS, Anchor, Highlight
from reader.store import Store

ROOT = Path(__file__).resolve().parent.parent
T0 = "2026-01-01T10:00:00.000+00:00"


def make(hid: str = "0123456789abcdef", article: str = "a.txt", **kw: Any) -> Highlight:
    anchor = Anchor(3, 8, "quote", "pre ", " post", "ab" * 32, "2")
    fields: dict[str, Any] = {"created": T0, "updated": T0, **kw}
    return Highlight.at(fields.pop("anchor", anchor), hid, article, **fields)


def export(highlights: list[Highlight]) -> bytes:
    return dumps(to_collection(highlights, generator="article-reader 0.1.0"))


# Strategies ----------------------------------------------------------------------------------

tag_chars = st.characters(categories=["L", "Nd"]) | st.sampled_from("_-/")
tags = st.lists(
    st.builds(lambda head, tail: head + tail, st.characters(categories=["L"]), st.text(tag_chars)),
    unique=True,
    max_size=4,
)
times = st.builds(
    lambda moment, spec: moment.isoformat(timespec=spec),
    st.datetimes(timezones=st.just(UTC)),
    st.sampled_from(["milliseconds", "seconds", "microseconds"]),
)
hex_ids = st.text("0123456789abcdef", min_size=16, max_size=16)


@st.composite
def anchors(draw: st.DrawFn) -> Anchor:
    quote = draw(st.text(max_size=80))
    start = draw(st.integers(0, 100_000))
    # Usually end - start == len(quote); a drifted highlight keeps its quote on new offsets.
    end = draw(st.just(start + len(quote)) | st.integers(start, start + 200))
    return Anchor(
        start=start,
        end=end,
        quote=quote,
        prefix=draw(st.text(max_size=48)),
        suffix=draw(st.text(max_size=48)),
        body_hash=draw(st.text("0123456789abcdef", min_size=64, max_size=64) | st.just("")),
        cleaner=draw(st.sampled_from(["2", "1", ""]) | st.text(max_size=5)),
    )


highlights = st.builds(
    Highlight.at,
    anchors(),
    id=hex_ids | st.text(min_size=1, max_size=20),  # any text survives the IRI
    article=st.text(min_size=1, max_size=40),
    color=st.sampled_from(COLOURS),
    note=st.text(max_size=200),
    tags=tags.map(tuple),
    created=times,
    updated=times,
    status=st.sampled_from(["ok", "drifted", "orphan"]),
)
highlight_lists = st.lists(highlights, max_size=8, unique_by=lambda h: h.id)


# Round trips ---------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(hs=highlight_lists, data=st.data())
def test_any_highlights_round_trip_and_the_bytes_do_not_depend_on_the_order(
    hs: list[Highlight], data: st.DataObject
) -> None:
    raw = export(hs)
    back = loads(raw)
    assert len(back) == len(hs)
    assert {h.id: h for h in back} == {h.id: h for h in hs}
    assert export(data.draw(st.permutations(hs))) == raw
    assert export(back) == raw


@settings(max_examples=50, deadline=None)
@given(hs=st.lists(highlights, min_size=2, max_size=4))
def test_two_copies_of_one_id_still_export_in_one_order(hs: list[Highlight]) -> None:
    same = [structs.replace(h, id="0123456789abcdef", article="a.txt") for h in hs]
    assert export(same) == export(same[::-1])


def test_export_then_import_into_an_empty_store_then_export_gives_the_same_bytes(
    tmp_path: Path,
) -> None:
    body_hash = hashlib.sha256(b"body").hexdigest()
    hs = [
        make("00000000000000a1", "Zeitung/Straße 🦉.html", note="Ünïcödé 🦉 #idea", tags=("idea",)),
        make("00000000000000a2", "Zeitung/Straße 🦉.html", color="purple", status="drifted"),
        make("00000000000000b1", "b.md", note="x" * 20_000, status="orphan"),
        make(
            "00000000000000c1",
            "c.txt",
            anchor=Anchor(120, 131, "«quoted»\n🦉", "ça et là ", " — fin", body_hash, "2"),
            updated="2026-02-03T04:05:06.789+00:00",
            tags=("a", "b/c", "d-e"),
        ),
    ]
    raw = export(hs)
    store = Store(tmp_path / "notes.json")
    store.save_highlights(loads(raw))
    reopened = Store(tmp_path / "notes.json")
    again = export(list(reopened.all_highlights()))
    assert again == raw
    assert sorted(reopened.highlights("Zeitung/Straße 🦉.html"), key=lambda h: h.id) == hs[:2]


def test_hostile_text_is_data_and_kept_as_it_is() -> None:
    note = "[bold red]x[/] <script>alert(1)</script> \x1b[31m\x00\x07\u202e\u2028 " + "🦉" * 250_000
    h = make(note=note, article="../../etc/passwd\n[link]", tags=("x",))
    raw = export([h])
    assert len(raw) > 1_000_000
    assert b"\x1b" not in raw and b"\x00" not in raw  # escaped by JSON, not written raw
    assert loads(raw) == [h]


def test_an_empty_time_is_written_as_the_other_one_so_the_export_imports_again() -> None:
    (back,) = loads(export([make(updated="")]))
    assert (back.created, back.updated) == (T0, T0)
    (back,) = loads(export([make(created="", updated="")]))
    assert back.created == back.updated == "1970-01-01T00:00:00.000+00:00"


def test_the_module_imports_no_ui_library() -> None:
    code = "import sys, reader.interchange; print(sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "'reader'" in out
    assert "'textual'" not in out and "'rich'" not in out


# The W3C shape -------------------------------------------------------------------------------

ANNO_TERMS = {
    # Terms of http://www.w3.org/ns/anno.jsonld used by an export; the rest must be reader: terms.
    *("@context", "id", "type", "label", "generator", "name", "total", "first", "startIndex"),
    *("items", "motivation", "created", "modified", "body", "target", "source", "styleClass"),
    *("selector", "exact", "prefix", "suffix", "start", "end", "stylesheet", "value", "purpose"),
    "format",
}


def keys_of(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def test_an_export_has_the_shape_of_the_specs_examples() -> None:
    h = make(note="Why it *matters*", tags=("climate", "sea"), color="green")
    data = orjson.loads(export([h, make("00000000000000ff", "b.txt")]))
    assert data["@context"] == [
        "http://www.w3.org/ns/anno.jsonld",
        {"reader": data["@context"][1]["reader"]},
    ]
    assert data["@context"][1]["reader"].endswith(":")  # a prefix: reader:x expands to an IRI
    assert data["type"] == "AnnotationCollection" and data["id"].startswith("urn:")
    assert data["generator"] == {"type": "Software", "name": "article-reader 0.1.0"}
    assert data["total"] == 2
    page = data["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    annotation = page["items"][0]
    assert annotation["id"] == ID_PREFIX + h.id
    assert annotation["type"] == "Annotation"
    assert annotation["motivation"] == "commenting"
    assert annotation["created"] == annotation["modified"] == T0
    assert annotation["body"] == [
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "format": "text/markdown",
            "value": "Why it *matters*",
        },
        {"type": "TextualBody", "purpose": "tagging", "value": "climate"},
        {"type": "TextualBody", "purpose": "tagging", "value": "sea"},
    ]
    target = annotation["target"]
    assert target["source"] == "a.txt"
    assert target["selector"] == [
        {"type": "TextQuoteSelector", "exact": "quote", "prefix": "pre ", "suffix": " post"},
        {"type": "TextPositionSelector", "start": 3, "end": 8},
    ]
    assert target["styleClass"] == "reader-green"
    assert annotation["stylesheet"] == {
        "type": "CssStylesheet",
        "value": ".reader-green { background-color: #2eb82e }",
    }
    assert (target["reader:bodyHash"], target["reader:cleaner"]) == ("ab" * 32, "2")
    assert target["reader:status"] == "ok"
    bare = page["items"][1]
    assert bare["motivation"] == "highlighting" and "body" not in bare
    outside = {k for k in keys_of({**data, "@context": None}) if k not in ANNO_TERMS}
    assert {k for k in outside if not k.startswith("reader:")} == set()


def test_the_same_notes_make_the_same_collection_id_and_others_another() -> None:
    one = to_collection([make()], generator="g")
    assert one["id"] == to_collection([make()], generator="other")["id"]
    assert one["id"] != to_collection([make(note="n")], generator="g")["id"]


# Imports from elsewhere ----------------------------------------------------------------------

HYPOTHESIS_LIKE: dict[str, Any] = {
    "id": "Ab3dE-fGh_1",
    "created": "2024-05-01T10:00:00.123456+00:00",
    "updated": "2024-05-02T08:00:00.5+02:00",
    "user": "acct:someone@hypothes.is",
    "uri": "https://example.com/a",
    "text": "Worth *re-reading*",
    "tags": ["#climate", "policy", "climate"],
    "target": [
        {
            "source": "https://example.com/a",
            "selector": [
                {"type": "RangeSelector", "startContainer": "/div[1]/p[2]", "startOffset": 0},
                {
                    "type": "TextQuoteSelector",
                    "exact": "the sea rose",
                    "prefix": "Since 1900 ",
                    "suffix": " by 20 cm",
                },
            ],
        }
    ],
}


def test_a_hypothesis_like_annotation_with_only_a_quote_imports_as_an_orphan() -> None:
    (h,) = from_collection([HYPOTHESIS_LIKE])
    assert h == Highlight.at(
        Anchor(0, 12, "the sea rose", "Since 1900 ", " by 20 cm", "", ""),
        id=hashlib.sha256(b"Ab3dE-fGh_1").hexdigest()[:16],
        article="https://example.com/a",
        color=COLOURS[0],
        note="Worth *re-reading*",
        tags=("climate", "policy"),
        created="2024-05-01T10:00:00.123456+00:00",  # UTC already: kept to the character
        updated="2024-05-02T06:00:00.500+00:00",  # converted to UTC
        status="orphan",
    )
    assert from_collection(HYPOTHESIS_LIKE) == [h]  # a single annotation; the same stable id


def test_a_bare_page_and_a_w3c_annotation_from_another_tool_import() -> None:
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://example.org/anno1",
        "type": "Annotation",
        "created": "2015-10-13T13:00:00Z",
        "modified": "2015-10-13T13:00:00",
        "body": {"type": "TextualBody", "value": "#Tag", "purpose": ["tagging"]},
        "bodyValue": "a comment",
        "target": {
            "source": "http://example.org/page1",
            "styleClass": ["other", "reader-blue"],
            "selector": {"type": "TextQuoteSelector", "exact": "anotation"},
        },
    }
    (h,) = from_collection({"type": "AnnotationPage", "items": [annotation]})
    assert (h.note, h.tags, h.color) == ("a comment", ("Tag",), "blue")
    assert h.created == h.updated == "2015-10-13T13:00:00.000+00:00"  # Z, and no zone: UTC
    assert (h.start, h.end, h.anchor.prefix, h.status) == (0, 9, "", "orphan")


def test_an_unknown_colour_is_the_default_colour_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = orjson.loads(export([make(color="pink")]))
    target = data["first"]["items"][0]["target"]
    target["styleClass"] = "reader-orange"
    with caplog.at_level(logging.WARNING, logger="reader.interchange"):
        (h,) = from_collection(data)
    assert h.color == COLOURS[0]
    assert "orange" in caplog.text
    target["styleClass"] = "hl-red"  # another tool's look
    assert from_collection(data)[0].color == COLOURS[0]


def test_a_byte_order_mark_is_ignored() -> None:
    raw = export([make()])
    assert loads(b"\xef\xbb\xbf" + raw) == [make()]


# Import errors -------------------------------------------------------------------------------


def annotation(**changes: Any) -> dict[str, Any]:
    """An exported annotation, with `changes` made (a value of None removes the key)."""
    item: dict[str, Any] = orjson.loads(export([make()]))["first"]["items"][0]
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    return item


def with_target(**changes: Any) -> dict[str, Any]:
    item = annotation()
    item["target"].update(changes)
    return item


def positions(start: object, end: object) -> dict[str, Any]:
    quote = {"type": "TextQuoteSelector", "exact": "quote"}
    return with_target(
        selector=[quote, {"type": "TextPositionSelector", "start": start, "end": end}]
    )


BAD: list[tuple[object, str]] = [
    (
        {"a": 1},
        "not an annotation collection: a JSON object that is not an AnnotationCollection, "
        "AnnotationPage or Annotation (it has no type and no target)",
    ),  # fmt: skip
    ([1, 2], "item 1: a number (1), not an annotation (a JSON object)"),
    ("text", "not an annotation collection: the JSON is text ('text')"),
    (
        {"type": "Person"},
        "not an annotation collection: a JSON object that is not an "
        "AnnotationCollection, AnnotationPage or Annotation (its type is 'Person')",
    ),  # fmt: skip
    ([annotation(), annotation(target=None)], "item 2: no target"),
    ([annotation(type="Note")], "item 1: type is 'Note', not Annotation"),
    (
        [annotation(target="http://example.org/a")],
        "item 1: target has no TextQuoteSelector (it is text ('http://example.org/a'))",
    ),  # fmt: skip
    (
        [with_target(selector={"type": "TextPositionSelector", "start": 0, "end": 1})],
        "item 1: target has no TextQuoteSelector",
    ),  # fmt: skip
    ([annotation(target=[])], "item 1: 0 targets (a highlight has one)"),
    (
        [positions(-1, 4)],
        "item 1: TextPositionSelector start -1 and end 4 are not offsets"
        " (0 <= start <= end < 2**63)",
    ),  # fmt: skip
    (
        [positions(5, 4)],
        "item 1: TextPositionSelector start 5 and end 4 are not offsets"
        " (0 <= start <= end < 2**63)",
    ),  # fmt: skip
    (
        [positions(0, 2**63)],
        "item 1: TextPositionSelector start 0 and end 9223372036854775808 are not offsets"
        " (0 <= start <= end < 2**63)",
    ),  # fmt: skip
    ([positions("0", 4)], "item 1: TextPositionSelector start is text ('0'), not a number"),
    ([positions(0, True)], "item 1: TextPositionSelector end is true, not a number"),
    ([positions(0, 4.5)], "item 1: TextPositionSelector end is a number (4.5), not a number"),
    (
        [with_target(selector=[{"type": "TextQuoteSelector", "exact": 5}])],
        "item 1: TextQuoteSelector exact is a number (5), not text",
    ),  # fmt: skip
    (
        [with_target(selector=[{"type": "TextQuoteSelector"}])],
        "item 1: TextQuoteSelector has no exact",
    ),  # fmt: skip
    ([with_target(source=None)], "item 1: target has no source"),
    ([with_target(source=["a"])], "item 1: target source is a list, not text"),
    (
        [with_target(**{"reader:status": "lost"})],
        "item 1: reader:status is 'lost', not one of ok, drifted, orphan",
    ),  # fmt: skip
    ([annotation(created=None)], "item 1: no created time"),
    ([annotation(modified=None)], "item 1: no modified time"),
    ([annotation(modified="yesterday")], "item 1: modified 'yesterday' is not an ISO 8601 time"),
    (
        [annotation(created=20240101)],
        "item 1: created is a number (20240101), not an ISO 8601 time",
    ),
    ([annotation(id=None)], "item 1: id is missing, not an IRI"),
    ([annotation(id=ID_PREFIX)], f"item 1: id '{ID_PREFIX}' has no highlight id after it"),
    (
        [annotation(body=[{"type": "SpecificResource", "source": "http://x"}])],
        "item 1: body 1 is not a TextualBody (no text value)",
    ),  # fmt: skip
    ([annotation(body=[{"type": "TextualBody", "value": None}])], "item 1: body 1 has no value"),
    ([annotation(tags="a,b")], "item 1: tags is text ('a,b'), not a list of text"),
    (
        {"type": "AnnotationCollection", "total": 2, "first": {"items": [annotation()]}},
        "the collection says it has 2 annotations but holds 1",
    ),  # fmt: skip
    (
        {"type": "AnnotationCollection", "first": "http://example.org/page1"},
        "the collection's first page is text ('http://example.org/page1'), not an "
        "AnnotationPage in the file (pages on a server are not followed)",
    ),  # fmt: skip
    (
        {"type": "AnnotationPage", "items": [], "next": "http://example.org/page2"},
        "page 1: the next page is not in the file (a link: 'http://example.org/page2')",
    ),  # fmt: skip
    ({"type": "AnnotationPage", "items": {}}, "page 1: items is an object, not a list"),
]


@pytest.mark.parametrize(("data", "message"), BAD)
def test_a_bad_file_is_refused_with_one_precise_line(data: object, message: str) -> None:
    with pytest.raises(InterchangeError) as caught:
        loads(orjson.dumps(data))
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        (b"", "not valid JSON: "),
        (b'{\n"a": 1,\n}', "not valid JSON: "),
        (b"\xff\xfe", "not valid JSON: "),
    ],
)
def test_bytes_that_are_not_json_are_refused_with_one_line(raw: bytes, start: str) -> None:
    with pytest.raises(InterchangeError) as caught:
        loads(raw)
    assert str(caught.value).startswith(start)
    assert len(str(caught.value)) > len(start)
    assert "\n" not in str(caught.value)


def test_a_value_from_the_file_in_a_message_stays_on_one_short_line() -> None:
    item = annotation(modified="line one\nline two\x1b[31m" + "x" * 500)
    with pytest.raises(InterchangeError) as caught:
        from_collection([item])
    message = str(caught.value)
    assert "\n" not in message and "\x1b" not in message
    assert message.startswith("item 1: modified 'line one\\nline two\\x1b[31m")
    assert len(message) < 120


def test_the_error_names_the_item_counted_across_embedded_pages() -> None:
    second = {"type": "AnnotationPage", "items": [annotation(), annotation(created=None)]}
    data = {"type": "AnnotationCollection", "first": {"items": [annotation()], "next": second}}
    with pytest.raises(InterchangeError, match=r"^item 3: no created time$"):
        from_collection(data)
    second["items"] = [annotation()]
    assert len(from_collection(data)) == 2


# Merge ---------------------------------------------------------------------------------------


def test_merge_adds_new_highlights_and_keeps_the_newer_of_the_same_id() -> None:
    ours = {
        "same": make("same"),
        "older": make("older", updated="2026-01-01T12:00:00.000+00:00"),
        "newer": make("newer", updated="2026-01-01T08:00:00.000+00:00"),
        "untouched": make("untouched"),
    }
    theirs = [
        make("new1"),
        make("same", note="edited elsewhere, same instant"),
        make("older", note="stale", updated="2026-01-01T11:59:59.999+00:00"),
        make("newer", note="fresh", updated="2026-01-01T08:00:00.001+00:00"),
    ]
    save, result = merge(theirs, ours)
    assert result == MergeResult(added=1, updated=1, kept=2)
    assert save == [theirs[0], theirs[3]]


def test_merge_compares_times_with_other_offsets_as_instants() -> None:
    ours = {"h": make("h", updated="2026-01-01T10:00:00.000+00:00")}
    later_in_text_but_earlier = make("h", note="a", updated="2026-01-01T11:30:00.000+02:00")
    earlier_in_text_but_later = make("h", note="b", updated="2026-01-01T09:30:00.000-01:00")
    same_instant = make("h", note="c", updated="2026-01-01T11:00:00+01:00")
    assert merge([later_in_text_but_earlier], ours) == ([], MergeResult(0, 0, 1))
    assert merge([same_instant], ours) == ([], MergeResult(0, 0, 1))
    assert merge([earlier_in_text_but_later], ours) == (
        [earlier_in_text_but_later],
        MergeResult(0, 1, 0),
    )
    naive = make("h", note="d", updated="2026-01-01T10:00:00.001")  # no offset: UTC
    assert merge([naive], ours)[1] == MergeResult(0, 1, 0)


def test_merge_takes_the_newer_of_one_id_given_twice_and_counts_it_once() -> None:
    old, new = make("d", note="old"), make("d", note="new", updated="2026-03-01T00:00:00+00:00")
    assert merge([new, old], {}) == ([new], MergeResult(1, 0, 0))
    assert merge([old, new], {}) == ([new], MergeResult(1, 0, 0))


def test_merge_refuses_to_move_a_highlight_to_another_article() -> None:
    newer = make("h", article="b.txt", updated="2027-01-01T00:00:00.000+00:00")
    with pytest.raises(InterchangeError, match=r"^highlight 'h' is on 'b.txt' in the file"):
        merge([newer], {"h": make("h")})
    with pytest.raises(InterchangeError, match="in the file twice"):
        merge([make("h"), newer], {})


def test_an_unreadable_time_in_the_store_loses_to_an_import() -> None:
    ours = {"h": make("h", created="", updated="")}
    theirs = make("h", note="readable")
    assert merge([theirs], ours) == ([theirs], MergeResult(0, 1, 0))


def test_importing_an_export_into_the_store_it_came_from_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "notes.json")
    hs = [make("h1"), make("h2", article="b.txt", note="n")]
    store.save_highlights(hs)
    raw = export(list(store.all_highlights()))
    save, result = merge(loads(raw), {h.id: h for h in store.all_highlights()})
    assert (save, result) == ([], MergeResult(added=0, updated=0, kept=2))
    when = datetime(2026, 5, 1, tzinfo=UTC).isoformat(timespec="milliseconds")
    edited = structs.replace(hs[1], note="edited on the laptop", updated=when)
    save, result = merge(loads(export([edited, hs[0]])), {h.id: h for h in store.all_highlights()})
    assert (save, result) == ([edited], MergeResult(added=0, updated=1, kept=1))
    store.save_highlights(save)
    assert store.highlights("b.txt") == [edited]
