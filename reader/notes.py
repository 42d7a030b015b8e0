"""The open article's highlights as the reader edits them: current versions, unsaved ones, undo."""

from __future__ import annotations

from operator import attrgetter

import msgspec

from reader.anchor import make_anchor
from reader.highlights import edited, new_highlight
from reader.models import READING_ORDER, Highlight

UNDO_DEPTH = 100


class Change(msgspec.Struct, frozen=True):
    """One write for the store: save `put`, or delete the highlight `deleted` (an id)."""

    article: str
    put: Highlight | None = None
    deleted: str | None = None
    number: int = 0  # its place among the changes of its article, from 1
    base: Highlight | None = None  # the version `put` was edited from (None: a new one)

    @property
    def id(self) -> str:
        """The id of the highlight the change is about."""
        return self.put.id if self.put is not None else self.deleted or ""


_STATUS = attrgetter("status")


class ArticleNotes:
    """The highlights of one article, kept by id; each edit gives the `Change` to write.

    A highlight is `pending` from the moment it is changed until `saved()` is told that the
    store has written that very change (not merely an equal one: undo gives back an earlier
    version, whose first write may land after a later one): the screen draws pending ones as
    not yet saved. `undo()` reverts the last creation, edit or deletion, as a change of its
    own. What was changed here wins over a later read of the store (`replace_all`), which
    may have been made before the change was written.
    """

    def __init__(self, article_id: str, body: str, highlights: list[Highlight]) -> None:
        self.article_id = article_id
        self.body = body
        self._by_id = {h.id: h for h in highlights}
        self._pending: dict[str, Change] = {}  # id -> the last change queued for it
        # id -> (number of the change, our latest version or None if deleted): what a read of
        # the store made before that change was written would not show.
        self._touched: dict[str, tuple[int, Highlight | None]] = {}
        self.changes = 0  # how many changes were made here
        self.answered = 0  # the changes up to this number were written, or failed (in order)
        self._undo: list[tuple[Highlight | None, Highlight | None]] = []
        # (found, orphans), each in reading order: made again after a change.
        self._order: tuple[tuple[Highlight, ...], tuple[Highlight, ...]] | None = None
        self._in_order = False  # do the values of _by_id come in reading order already?

    # -- reading ----------------------------------------------------------------------

    def all(self) -> list[Highlight]:
        """Every highlight: those found in reading order, then the orphans."""
        placed, orphans = self._sorted()
        return [*placed, *orphans]

    def placed(self) -> list[Highlight]:
        """The highlights found on the body, in reading order."""
        return list(self._sorted()[0])

    def orphans(self) -> list[Highlight]:
        """The highlights whose passage is no longer found, in the order of where they were."""
        return list(self._sorted()[1])

    def _sorted(self) -> tuple[tuple[Highlight, ...], tuple[Highlight, ...]]:
        if self._order is None:
            values = self._by_id.values()
            ordered = tuple(values) if self._in_order else sorted(values, key=READING_ORDER)
            if "orphan" in map(_STATUS, ordered):
                placed = tuple(h for h in ordered if h.status != "orphan")
                self._order = placed, tuple(h for h in ordered if h.status == "orphan")
            else:
                self._order = tuple(ordered), ()
        return self._order

    def get(self, highlight_id: str) -> Highlight | None:
        """The current version of a highlight, or None."""
        return self._by_id.get(highlight_id)

    @property
    def pending(self) -> frozenset[str]:
        """Ids whose latest change is not on disk yet."""
        return frozenset(self._pending)

    def __len__(self) -> int:
        return len(self._by_id)

    # -- editing ----------------------------------------------------------------------

    def add(self, start: int, end: int, *, color: str | None = None, note: str = "") -> Change:
        """A new highlight of body[start:end]."""
        extra = {"color": color} if color else {}
        made = new_highlight(self.article_id, self.body, start, end, note=note, **extra)
        return self._apply(None, made)

    def edit(self, highlight_id: str, **changes: object) -> Change:
        """Change a highlight's note or colour; raises KeyError for an unknown id."""
        old = self._by_id[highlight_id]
        return self._apply(old, edited(old, **changes))

    def reattach(self, highlight_id: str, start: int, end: int) -> Change:
        """Anchor a highlight (an orphan) on body[start:end]; its note and colour stay."""
        old = self._by_id[highlight_id]
        return self._apply(old, edited(old.moved(make_anchor(self.body, start, end), "ok")))

    def delete(self, highlight_id: str) -> Change:
        """Remove a highlight; raises KeyError for an unknown id."""
        return self._apply(self._by_id[highlight_id], None)

    def undo(self) -> Change | None:
        """Revert the last change (None when there is nothing to undo)."""
        if not self._undo:
            return None
        before, after = self._undo.pop()
        return self._apply(after, before, record=False)

    def _apply(
        self, old: Highlight | None, new: Highlight | None, *, record: bool = True
    ) -> Change:
        if record:
            self._undo = [*self._undo[-(UNDO_DEPTH - 1) :], (old, new)]
        self.changes += 1
        self._order, self._in_order = None, False
        if new is not None:
            self._by_id[new.id] = new
            change = Change(self.article_id, put=new, number=self.changes, base=old)
        else:
            assert old is not None
            self._by_id.pop(old.id, None)
            change = Change(self.article_id, deleted=old.id, number=self.changes)
        self._touched[change.id] = (self.changes, new)
        self._pending[change.id] = change
        return change

    def is_latest(self, change: Change) -> bool:
        """Is `change` the last one queued for its highlight (and not yet written)?"""
        return self._pending.get(change.id) is change

    def answered_for(self, change: Change, *, saved: bool) -> None:
        """The store wrote `change` (saved) or refused it; the writes answer in order.

        A written change stops being pending unless its highlight was changed again since.
        """
        self.answered = max(self.answered, change.number)
        if saved and self.is_latest(change):
            del self._pending[change.id]

    def replace_all(
        self, highlights: list[Highlight], written: int = 0, *, in_order: bool = False
    ) -> None:
        """Take the store's versions (another copy of the app may have written them).

        `written`: `answered` when the read began: the changes up to it were on disk (or
        failed, and are still pending); later ones, and pending ones, win over the store.
        `in_order`: `highlights` come in reading order (as the store gives them), so they
        need no sorting, unless a version made here takes the place of one of them.
        """
        self._by_id = {h.id: h for h in highlights}
        self._order = None
        self._in_order = in_order and len(self._by_id) == len(highlights)  # (no id twice)
        for highlight_id, (number, version) in list(self._touched.items()):
            if number <= written and highlight_id not in self._pending:
                del self._touched[highlight_id]  # the store has it, or something newer
            elif version is None:
                self._by_id.pop(highlight_id, None)  # (the rest stay in order)
            else:
                self._by_id[highlight_id] = version
                self._in_order = False

    def carry(self, earlier: ArticleNotes) -> None:
        """Keep what was changed in an earlier view of this same article, and its undo."""
        self._touched, self._pending = dict(earlier._touched), dict(earlier._pending)
        self._undo, self.changes = list(earlier._undo), earlier.changes
        self.answered = earlier.answered
        self.replace_all(list(self._by_id.values()))
