"""The open article's highlights kept in reading order (ArticleNotes), and the pane's index of
them (Overlays): trusted order where it holds, sorted where it does not."""

from __future__ import annotations

import random

import pytest
from msgspec import structs

from reader.highlights import new_highlight
from reader.models import READING_ORDER, Highlight, Status
from reader.notes import ArticleNotes
from reader.widgets.overlays import Overlays

BODY = "Une phrase. " * 40


def hl(hid: str, start: int, end: int, *, status: Status = "ok", created: str = "t0") -> Highlight:
    anchor = new_highlight("a.txt", BODY, start, max(end, start + 1)).anchor
    if end == start:  # (an empty span: none is made so, but one may be read)
        anchor = structs.replace(anchor, end=end, quote="")
    return Highlight.at(anchor, hid, "a.txt", created=created, status=status)


def ids(highlights: list[Highlight]) -> list[str]:
    return [h.id for h in highlights]


STORED = [
    hl("a", 0, 5),
    hl("b", 0, 9),
    hl("c", 12, 20, created="t1"),
    hl("d", 12, 20, created="t2"),
]
"""As the store gives them: by start, end, created."""


def test_what_the_store_gives_in_order_is_kept_with_orphans_last() -> None:
    lost = hl("lost", 3, 4, status="orphan")
    notes = ArticleNotes("a.txt", BODY, [])
    notes.replace_all([*STORED[:2], lost, *STORED[2:]], in_order=True)
    assert ids(notes.all()) == ["a", "b", "c", "d", "lost"]
    assert ids(notes.placed()) == ["a", "b", "c", "d"] and ids(notes.orphans()) == ["lost"]


def test_a_list_not_in_order_is_sorted() -> None:
    shuffled = STORED[::-1]
    notes = ArticleNotes("a.txt", BODY, shuffled)
    assert ids(notes.all()) == ["a", "b", "c", "d"]
    notes.replace_all(shuffled)
    assert ids(notes.all()) == ["a", "b", "c", "d"]


def test_a_version_made_here_is_put_in_its_place_over_the_stores_order() -> None:
    """A highlight moved here (not yet written) wins over the store's read, so the store's
    order no longer holds: it is sorted again."""
    notes = ArticleNotes("a.txt", BODY, STORED)
    notes.reattach("a", 30, 35)  # pending: the store does not have it yet
    notes.replace_all(STORED, written=0, in_order=True)
    assert ids(notes.all()) == ["b", "c", "d", "a"]
    notes.delete("c")
    notes.replace_all(STORED, written=0, in_order=True)
    assert ids(notes.all()) == ["b", "d", "a"]


def test_an_id_given_twice_does_not_break_the_order() -> None:
    """(A hand-edited file may hold one id twice: the later wins, at the earlier's place.)"""
    notes = ArticleNotes("a.txt", BODY, [])
    notes.replace_all([hl("x", 0, 5), hl("y", 6, 9), hl("x", 20, 25)], in_order=True)
    assert [(h.id, h.start) for h in notes.all()] == [("y", 6), ("x", 20)]


def test_every_edit_keeps_the_reading_order() -> None:
    rng = random.Random(4)
    notes = ArticleNotes("a.txt", BODY, [])
    notes.replace_all(sorted(STORED, key=READING_ORDER), in_order=True)
    for _ in range(60):
        current = notes.all()
        action = rng.randrange(4)
        if action == 0 or not current:
            start = rng.randrange(len(BODY) - 10)
            notes.add(start, start + rng.randrange(1, 10))
        elif action == 1:
            start = rng.randrange(len(BODY) - 10)
            notes.reattach(rng.choice(current).id, start, start + 5)
        elif action == 2:
            notes.delete(rng.choice(current).id)
        else:
            notes.undo()
        assert notes.all() == sorted(notes.all(), key=READING_ORDER)


def test_overlays_sort_what_comes_out_of_order_and_skip_what_is_not_painted() -> None:
    long = hl("long", 0, 300)
    given = [
        hl("c", 50, 60),
        hl("b2", 40, 48),
        hl("b1", 40, 44),
        long,
        hl("gone", 45, 46, status="orphan"),
        hl("empty", 70, 70),
    ]
    overlays = Overlays()
    overlays.set_highlights(given, frozenset())
    assert ids(overlays.highlights) == ["long", "b1", "b2", "c"]
    # The long one, starting far before, is found where it covers (by its length).
    assert ids(overlays.highlights_at(250)) == ["long"]
    assert ids(overlays.highlights_at(42)) == ["b1", "b2", "long"]
    after_start = overlays.next_highlight(0, 1)
    assert after_start is not None and after_start.id == "b1"


@pytest.mark.parametrize("seed", range(5))
def test_overlays_keep_a_list_in_reading_order_as_it_is(seed: int) -> None:
    rng = random.Random(seed)
    made = []
    for i in range(200):
        start = rng.randrange(len(BODY) - 20)
        made.append(hl(f"h{i}", start, start + rng.randrange(1, 20), created=f"t{i}"))
    ordered = sorted(made, key=READING_ORDER)
    overlays = Overlays()
    overlays.set_highlights(ordered, frozenset())
    assert overlays.highlights == ordered
    overlays.set_highlights(made, frozenset())  # shuffled: sorted by (start, end)
    spans = [(h.start, h.end) for h in overlays.highlights]
    assert spans == sorted(spans) and len(spans) == len(made)
    at = rng.randrange(len(BODY))
    assert set(ids(overlays.highlights_at(at))) == {h.id for h in made if h.start <= at < h.end}
