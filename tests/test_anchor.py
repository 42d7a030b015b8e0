"""Anchors surviving edits: exact, folded, fuzzy and lost passages, with exact offsets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from msgspec import structs

from reader import CLEANER_VERSION
from reader.anchor import (
    CONTEXT,
    FUZZY_THRESHOLD,
    Resolution,
    _fold,  # private, but it says what "the same words" means
    body_hash,
    make_anchor,
    reanchor,
    reanchor_all,
    resolve,
)
from reader.models import Highlight

ROOT = Path(__file__).resolve().parent.parent

BODY = (
    "Les combattants qui ont revendiqué l’assaut, juste de l’autre côté de la frontière, "
    "sont membres d’une unité de volontaires composée de citoyens russes.\n\n"
    "La Légion de la Russie libre, comme l’appelle l’unité, a été créée en août dernier pour "
    "permettre aux Russes opposés à la guerre de prendre les armes. Ses combats se sont "
    "surtout limités aux lignes de front, à Bakhmut et aux alentours.\n\n"
    "Cela a changé cette semaine, lorsque le groupe a annoncé que ses combattants avaient "
    "traversé la frontière et « libéré » plusieurs villages. Mardi, le ministère de la "
    "Défense a déclaré que tous les combattants avaient été repoussés.\n\n"
    "« Il s’agit de la première opération de la Légion sur le territoire russe », a déclaré "
    "un combattant qui porte l’indicatif César. Il a refusé de donner son vrai nom."
)
QUOTE = "a été créée en août dernier pour permettre aux Russes opposés à la guerre"
START = BODY.index(QUOTE)
END = START + len(QUOTE)


def edit(body: str, old: str, new: str) -> str:
    """`body` with its one occurrence of `old` replaced by `new`."""
    assert body.count(old) == 1, old
    return body.replace(old, new)


def highlight(body: str, start: int, end: int, **changes: object) -> Highlight:
    return Highlight.at(make_anchor(body, start, end), "h1", "a.txt", note="#vu", **changes)


def found(body: str, new_body: str, start: int = START, end: int = END) -> tuple[int, int, str]:
    res = resolve(make_anchor(body, start, end), new_body)
    return res.start, res.end, res.status


# -- making anchors ------------------------------------------------------------------


def test_make_anchor_keeps_the_quote_its_context_and_the_body_it_came_from() -> None:
    anchor = make_anchor(BODY, START, END)
    assert (anchor.start, anchor.end, anchor.quote) == (START, END, QUOTE)
    assert anchor.prefix == BODY[START - CONTEXT : START] and len(anchor.prefix) == CONTEXT
    assert anchor.suffix == BODY[END : END + CONTEXT]
    assert anchor.body_hash == body_hash(BODY) != body_hash(BODY + " ")
    assert anchor.cleaner == CLEANER_VERSION
    first = make_anchor(BODY, 0, 3)
    assert (first.prefix, first.quote) == ("", "Les")
    assert make_anchor(BODY, len(BODY) - 4, len(BODY)).suffix == ""


@pytest.mark.parametrize("start, end", [(-1, 5), (5, 5), (6, 5), (0, len(BODY) + 1)])
def test_bad_offsets_are_refused(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="within the body"):
        make_anchor(BODY, start, end)


# -- exact: insertions and deletions around the quote --------------------------------


def test_text_inserted_before_shifts_the_quote() -> None:
    added = "Un paragraphe ajouté en tête de l’article.\n\n"
    assert found(BODY, added + BODY) == (START + len(added), END + len(added), "ok")


def test_text_inserted_just_before_the_quote_inside_its_context() -> None:
    new = edit(BODY, "comme l’appelle l’unité,", "comme l’appellent ses membres,")
    start = new.index(QUOTE)
    assert start != START and found(BODY, new) == (start, start + len(QUOTE), "ok")


def test_text_inserted_after_keeps_the_offsets() -> None:
    new = edit(BODY, "Il a refusé", "Il a souri et a refusé")
    assert found(BODY, new) == (START, END, "ok")


def test_text_deleted_before_and_after() -> None:
    cut = "Les combattants qui ont revendiqué l’assaut, juste de l’autre côté de la frontière, "
    new = edit(BODY, cut, "")
    assert found(BODY, new) == (START - len(cut), END - len(cut), "ok")
    new = edit(BODY, " Ses combats se sont surtout limités aux lignes de front,", "")
    assert found(BODY, new) == (START, END, "ok")


def test_text_inserted_inside_the_quote_drifts_to_the_longer_passage() -> None:
    new = edit(BODY, "en août dernier", "en août dernier, à Kiev,")
    passage = QUOTE.replace("en août dernier", "en août dernier, à Kiev,")
    assert found(BODY, new) == (START, START + len(passage), "drifted")
    assert new[START : START + len(passage)] == passage


def test_text_deleted_inside_the_quote_drifts_to_the_shorter_passage() -> None:
    new = edit(BODY, " en août dernier", "")
    passage = QUOTE.replace(" en août dernier", "")
    assert found(BODY, new) == (START, START + len(passage), "drifted")
    assert new[START : START + len(passage)] == passage


# -- a quote found more than once ----------------------------------------------------

TWICE = (
    "Le maire a dit : « nous verrons bien ». Puis il est parti vers la gare du nord.\n\n"
    "Le préfet a répondu : « nous verrons bien ». Ensuite la séance fut levée sans vote."
)
SAID = "« nous verrons bien »"


def test_the_occurrence_with_the_matching_context_wins_over_a_nearer_one() -> None:
    second = TWICE.rindex(SAID)
    # A long paragraph between the two puts the first occurrence nearer the old offset; the
    # changed verb breaks the whole context, so only the ranking can tell them apart.
    filler = "Un long paragraphe ajouté entre les deux. " * 8 + "\n\n"
    new = edit(edit(TWICE, "Le préfet a répondu", "Le préfet a rétorqué"), "\n\n", "\n\n" + filler)
    where = new.rindex(SAID)
    assert abs(new.index(SAID) - second) < abs(where - second)
    assert found(TWICE, new, second, second + len(SAID)) == (where, where + len(SAID), "ok")


def test_with_equal_context_the_occurrence_nearest_the_old_offset_wins() -> None:
    para = (
        "Au conseil municipal de mardi soir, devant la presse, le maire a dit : "
        "« nous verrons bien » puis il est parti vers la gare, sans un mot de plus pour elle."
    )
    assert para.index(SAID) > CONTEXT and len(para) - para.index(SAID) - len(SAID) > CONTEXT
    body = "\n\n".join([para] * 3)  # three copies: the same context around each
    middle = len(para) + 2 + para.index(SAID)
    small = "Note.\n\n"
    assert found(body, small + body, middle, middle + len(SAID)) == (
        middle + len(small),
        middle + len(small) + len(SAID),
        "ok",
    )
    # Shifted by nearly a paragraph, the first copy is now the nearest to the old offset.
    big = "X" * (len(para) + 2 - 3)
    first = len(big) + para.index(SAID)
    assert first == middle - 3
    assert found(body, big + body, middle, middle + len(SAID)) == (first, first + len(SAID), "ok")


# -- whitespace and punctuation ------------------------------------------------------


def test_changed_whitespace_is_still_ok_at_the_new_offsets() -> None:
    new = edit(BODY, "pour permettre aux", "pour\npermettre \u00a0 aux")
    passage = QUOTE.replace("pour permettre aux", "pour\npermettre \u00a0 aux")
    start = new.index(passage)
    assert found(BODY, new) == (start, start + len(passage), "ok")
    doubled = BODY.replace(" ", "  ")
    start = doubled.index(QUOTE.replace(" ", "  "))
    assert found(BODY, doubled) == (start, start + len(QUOTE.replace(" ", "  ")), "ok")


def test_typographic_apostrophes_and_quotes_are_ok_and_the_quote_is_re_read() -> None:
    quote = "l’appelle l’unité"
    start = BODY.index(quote)
    new = BODY.replace("’", "'").replace("« ", '"').replace(" »", '"')
    moved = new.index("l'appelle l'unité")
    assert found(BODY, new, start, start + len(quote)) == (moved, moved + len(quote), "ok")
    again = reanchor(highlight(BODY, start, start + len(quote)), new)
    assert (again.status, again.anchor.quote) == ("ok", "l'appelle l'unité")


def test_other_punctuation_changes_drift() -> None:
    new = edit(BODY, "août dernier pour", "août dernier, pour")
    passage = QUOTE.replace("dernier pour", "dernier, pour")
    assert found(BODY, new) == (START, START + len(passage), "drifted")


# -- rewritten and removed passages --------------------------------------------------


def test_a_rewritten_passage_drifts_in_place_and_keeps_what_the_user_marked() -> None:
    passage = "a été fondée en août dernier afin de permettre aux Russes hostiles à la guerre"
    new = edit(BODY, QUOTE, passage)
    assert found(BODY, new) == (START, START + len(passage), "drifted")
    moved = reanchor(highlight(BODY, START, END), new)
    assert moved.status == "drifted"
    assert (moved.start, moved.end) == (START, START + len(passage))
    assert moved.anchor.quote == QUOTE  # the original words, not the new ones
    assert moved.anchor.prefix == new[START - CONTEXT : START]
    assert moved.anchor.suffix == new[START + len(passage) : START + len(passage) + CONTEXT]
    assert moved.anchor.body_hash == body_hash(new)
    # Unchanged body: it stays drifted; another edit elsewhere: found again, still drifted.
    assert reanchor(moved, new) is moved
    added = "Préambule.\n\n"
    later = reanchor(moved, added + new)
    assert later.status == "drifted" and later.start == START + len(added)
    assert later.anchor.quote == QUOTE


def test_a_rewritten_paragraph_moved_far_away_is_found_by_its_words() -> None:
    texts = [p.read_text("utf-8") for p in sorted((ROOT / "articles").glob("*.txt"))]
    long = "\n\n".join(texts)
    quote = "Il a refusé de donner son vrai nom"
    body = BODY + "\n\n" + long
    start = body.index(quote)
    passage = "Il a refusé de révéler son vrai nom"
    new = edit(body, quote, "Il a souri.").replace(long, long + "\n\n" + passage + ".")
    where = new.index(passage)
    assert where - start > 10_000
    assert found(body, new, start, start + len(quote)) == (where, where + len(passage), "drifted")


def test_a_removed_passage_is_an_orphan_that_keeps_its_anchor_and_note() -> None:
    new = edit(BODY, QUOTE, "a existé")
    assert found(BODY, new) == (START, END, "orphan")
    old = highlight(BODY, START, END)
    lost = reanchor(old, new)
    assert lost.status == "orphan" and lost.anchor == old.anchor and lost.note == "#vu"
    assert structs.replace(lost, status=old.status) == old  # nothing else changed
    assert reanchor(lost, new + " Fin.") is lost
    # The passage comes back: the orphan is found again.
    assert reanchor(lost, BODY).status == "ok"
    back = reanchor(lost, "Préambule. " + BODY)
    assert (back.status, back.start, back.anchor.quote) == ("ok", START + 11, QUOTE)


def test_short_quotes_are_never_matched_fuzzily(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a short quote went to the fuzzy step")

    monkeypatch.setattr("reader.anchor._find_fuzzy", refuse)
    start = BODY.index("César")  # "Cés": its context is intact, its accent is not
    new = edit(BODY, "César", "Cesar")
    assert found(BODY, new, start, start + 3) == (start, start + 3, "orphan")
    moved = "Note.\n\n" + BODY
    assert found(BODY, moved, start, start + 3) == (start + 7, start + 10, "ok")


# -- reanchor and reanchor_all -------------------------------------------------------


def test_reanchor_returns_the_same_object_when_nothing_changed() -> None:
    old = highlight(BODY, START, END)
    assert reanchor(old, BODY) is old
    assert reanchor(old, BODY, body_hash(BODY)) is old
    new = BODY + " Fin."
    moved = reanchor(old, new)
    assert moved is not old and moved.status == "ok" and moved.anchor.body_hash == body_hash(new)
    assert (moved.start, moved.end, moved.anchor.quote, moved.note) == (START, END, QUOTE, "#vu")


def test_reanchor_all_keeps_the_order_and_each_outcome() -> None:
    gone = "Il a refusé de donner son vrai nom."
    kept = "ministère de la Défense"
    hs = [
        highlight(BODY, BODY.index(gone), BODY.index(gone) + len(gone)),
        highlight(BODY, START, END),
        highlight(BODY, BODY.index(kept), BODY.index(kept) + len(kept)),
    ]
    new = "Préambule.\n\n" + edit(BODY, gone, "")
    moved = reanchor_all(hs, new)
    assert [h.status for h in moved] == ["orphan", "ok", "ok"]
    assert [new[h.start : h.end] for h in moved[1:]] == [QUOTE, kept]
    assert moved[0].anchor == hs[0].anchor
    assert structs.replace(moved[0], status=hs[0].status) == hs[0]
    assert reanchor_all(moved, new)[1:] == moved[1:]
    assert reanchor_all([], new) == []


def test_importing_anchor_and_finding_exact_quotes_does_not_load_rapidfuzz() -> None:
    code = (
        "import sys\nfrom reader.anchor import make_anchor, resolve\n"
        "a = make_anchor('un deux trois', 3, 7)\n"
        "assert resolve(a, 'zéro un deux trois').start == 8\n"
        "print('rapidfuzz' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# -- properties ----------------------------------------------------------------------


@st.composite
def bodies_and_spans(draw: st.DrawFn) -> tuple[str, int, int]:
    body = draw(st.text(min_size=1))
    start = draw(st.integers(0, len(body) - 1))
    end = draw(st.integers(start + 1, len(body)))
    return body, start, end


@given(bodies_and_spans())
def test_an_unchanged_body_gives_back_the_same_offsets(case: tuple[str, int, int]) -> None:
    body, start, end = case
    anchor = make_anchor(body, start, end)
    expected = Resolution(start, end, "ok")
    assert resolve(anchor, body) == resolve(anchor, body, "another") == expected


@given(
    st.text(),
    st.text(min_size=CONTEXT, max_size=CONTEXT + 8),
    st.text(min_size=1),
    st.text(min_size=CONTEXT, max_size=CONTEXT + 8),
    st.text(),
    st.text(min_size=1),
    st.data(),
)
def test_an_insertion_far_from_the_quote_finds_it_exactly(
    left: str,
    near_left: str,
    quote: str,
    near_right: str,
    right: str,
    added: str,
    data: st.DataObject,
) -> None:
    body = left + near_left + quote + near_right + right
    start = len(left + near_left)
    end = start + len(quote)
    before = data.draw(st.booleans())
    at = data.draw(
        st.integers(0, len(left)) if before else st.integers(end + len(near_right), len(body))
    )
    new = body[:at] + added + body[at:]
    anchor = make_anchor(body, start, end)
    res = resolve(anchor, new)
    assert res.status == "ok" and new[res.start : res.end] == quote
    whole = anchor.prefix + quote + anchor.suffix
    if new.find(whole) == new.rfind(whole):  # only one, overlaps counted
        shift = len(added) if before else 0
        assert (res.start, res.end) == (start + shift, end + shift)


@given(st.data())
def test_any_edit_gives_a_valid_answer(data: st.DataObject) -> None:
    """Whatever the edit: "ok" is the quote (spaces and quote marks aside), "drifted" is
    similar and in the body, "orphan" keeps the old offsets."""
    from rapidfuzz import fuzz

    start = data.draw(st.integers(0, len(BODY) - 1))
    end = data.draw(st.integers(start + 1, min(len(BODY), start + 200)))
    new = BODY
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(new)))
        cut = data.draw(st.integers(0, min(40, len(new) - at)))
        new = new[:at] + data.draw(st.text(max_size=30)) + new[at + cut :]
    anchor = make_anchor(BODY, start, end)
    res = resolve(anchor, new)
    if res.status == "orphan":
        assert (res.start, res.end) == (start, end)
        return
    assert 0 <= res.start < res.end <= len(new)
    if res.status == "ok":
        assert _fold(new[res.start : res.end]) == _fold(anchor.quote)
    else:
        assert fuzz.ratio(anchor.quote, new[res.start : res.end]) >= FUZZY_THRESHOLD
