"""The pages of the bound book: the PDF's pages with blanks where a book wants them (pure).

An imposition tool that receives a flat PDF can only pile the blanks a last
signature needs at the back. packager knows the book's parts, so it puts a
blank leaf (two pages, so every recto stays a recto) where a book has room
for one: at the end of a story, before an opener that starts on a right-hand
page, spread over the book, never between the back-matter leaves. Flyleaves
are blank leaves at each end; with ``new_signature`` every story starts a
signature of its own, the blanks at the end of the story before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise


class PlanError(ValueError):
    """A binding setting that cannot be carried out: the key, and why."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass(frozen=True)
class BookPage:
    """A page of the book PDF, as far as binding cares."""

    label: str
    part: str = ""  # the part it belongs to ("" for a blank page the layout added)
    matter: str = "body"  # front, body or back
    story: bool = False
    start: bool = False  # the first page of its part

    @property
    def blank(self) -> bool:
        return not self.part


@dataclass(frozen=True)
class Insert:
    """Blank pages added to the book: before book page ``before`` (None: at the end)."""

    before: int | None
    pages: int
    why: str


@dataclass(frozen=True)
class Arrangement:
    slots: tuple[int | None, ...]  # each page of the bound book: a book page index, or a blank
    sizes: tuple[int, ...]  # sheets in each signature (perfect: one "signature" of leaves)
    per_sheet: int  # pages per sheet (a leaf, 2, for perfect binding)
    inserts: tuple[Insert, ...] = ()

    @property
    def capacity(self) -> int:
        return sum(self.sizes) * self.per_sheet


def arrange(
    pages: Sequence[BookPage],
    per_sheet: int,
    sheets: int | tuple[int, ...] | None,
    *,
    flyleaves: int = 0,
    new_signature: bool = False,
) -> Arrangement:
    """Place the book's pages and the blanks into signatures of ``sheets`` sheets.

    ``sheets``: sheets per signature, an explicit list of signature sizes, or
    None for one signature of every sheet (a booklet, or perfect binding's leaves).
    """
    count = len(pages)
    if count == 0:
        raise PlanError("binding", "the book has no pages")
    body: list[int | None] = list(range(count)) + ([None] if count % 2 else [])
    fly: list[int | None] = [None] * (2 * flyleaves)
    if new_signature:
        if not isinstance(sheets, int):
            raise PlanError(
                "binding.new_signature",
                "needs one number of sheets per signature (not a list, not a booklet)",
            )
        return _by_story(pages, body, fly, per_sheet, sheets)
    total = len(body) + 2 * len(fly)
    sizes = _sizes(total, per_sheet, sheets)
    fill = sum(sizes) * per_sheet - total
    slots, inserts = _spread(pages, body, fill)
    return Arrangement(tuple(fly + slots + fly), sizes, per_sheet, tuple(inserts))


def _sizes(total: int, per_sheet: int, sheets: int | tuple[int, ...] | None) -> tuple[int, ...]:
    if sheets is None:
        return (-(-total // per_sheet),)
    if isinstance(sheets, int):
        pages = sheets * per_sheet
        return (sheets,) * -(-total // pages)
    capacity = sum(sheets) * per_sheet
    if capacity < total:
        raise PlanError(
            "binding.sheets",
            f"{list(sheets)} holds {capacity} pages; the book needs {total}: add signatures",
        )
    if capacity - sheets[-1] * per_sheet >= total:
        raise PlanError(
            "binding.sheets",
            f"{list(sheets)} holds {capacity} pages; the book needs {total}: "
            "its last signature would be blank",
        )
    return sheets


def _openers(pages: Sequence[BookPage]) -> list[int]:
    """Book pages before which a blank leaf may go: each story's first page on a recto,
    and the first page of the back matter (not between back-matter parts)."""
    found = []
    back_seen = False
    for i, page in enumerate(pages):
        if i == 0 or i % 2 or not page.start:
            continue
        if page.story or (page.matter == "back" and not back_seen):
            found.append(i)
        back_seen = back_seen or page.matter == "back"
    return found


def _spread(
    pages: Sequence[BookPage], body: list[int | None], fill: int
) -> tuple[list[int | None], list[Insert]]:
    """``fill`` blank pages (a whole number of leaves) spread over the openers."""
    leaves = fill // 2
    if not leaves:
        return list(body), []
    openers = _openers(pages)
    if not openers:
        why = "no story starts are known in this PDF: the blanks go at the back"
        return [*body, *[None] * fill], [Insert(None, fill, why)]
    # A story that ends on a left-hand page has no blank after it yet: a blank
    # leaf there reads as one; after a blank verso it would make three blank pages.
    clean = [i for i in openers if not pages[i - 1].blank]
    rest = [i for i in openers if pages[i - 1].blank]
    per: dict[int, int] = {}
    for group in (clean, rest):
        take = min(leaves, len(group))
        for k in range(take):  # evenly over the group, first and last included
            at = group[round(k * (len(group) - 1) / (take - 1))] if take > 1 else group[-1]
            per[at] = per.get(at, 0) + 1
        leaves -= take
    while leaves:  # more blank leaves than openers: go round again
        for at in openers:
            if leaves:
                per[at] += 1
                leaves -= 1
    slots: list[int | None] = []
    inserts = []
    for slot in body:
        if slot is not None and slot in per:
            slots.extend([None] * (2 * per[slot]))
            what = "the back matter" if pages[slot].matter == "back" else "a story"
            inserts.append(
                Insert(slot, 2 * per[slot], f"before {what} opening on page {pages[slot].label}")
            )
        slots.append(slot)
    return slots, inserts


def _by_story(
    pages: Sequence[BookPage],
    body: list[int | None],
    fly: list[int | None],
    per_sheet: int,
    sheets: int,
) -> Arrangement:
    """Every story starts a signature; each group's last signature as small as it can be."""
    starts = [i for i, p in enumerate(pages) if p.story and p.start]
    back = next((i for i, p in enumerate(pages) if p.matter == "back" and p.start), None)
    cuts = [0, *[s for s in starts if s > 0], len(body)]
    groups = [body[a:b] for a, b in pairwise(cuts) if b > a]
    groups[0] = fly + groups[0]
    groups[-1] = groups[-1] + fly
    slots: list[int | None] = []
    sizes: list[int] = []
    inserts = []
    per_signature = sheets * per_sheet
    for n, group in enumerate(groups):
        full, rest = divmod(len(group), per_signature)
        group_sizes = [sheets] * full + ([-(-rest // per_sheet)] if rest else [])
        fill = sum(group_sizes) * per_sheet - len(group)
        sizes.extend(group_sizes)
        last = n == len(groups) - 1
        if fill and last and back is not None and back in group:
            at = group.index(back)  # before the back matter, not after it
            group = [*group[:at], *[None] * fill, *group[at:]]
            inserts.append(Insert(back, fill, "to end the last story's signature"))
        elif fill:
            before = cuts[n + 1] if not last else None
            group = group + [None] * fill
            inserts.append(Insert(before, fill, "so that the next story starts a signature"))
        slots.extend(group)
    return Arrangement(tuple(slots), tuple(sizes), per_sheet, tuple(inserts))
