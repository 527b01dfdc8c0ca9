"""Book-aware signatures: where the blanks go, flyleaves, a signature per story, what it costs."""

from __future__ import annotations

import pytest

from packager.binding.arrange import BookPage, PlanError, arrange
from packager.binding.overrun import cost


def book(parts: list[tuple[str, str, int]]) -> list[BookPage]:
    """Pages of parts (id, matter, pages); a part of odd length gets a blank verso after it
    when the next part opens on a recto, as packager's print PDF does."""
    pages: list[BookPage] = []
    for n, (part, matter, count) in enumerate(parts):
        for i in range(count):
            story = part.startswith("story")
            pages.append(BookPage(str(len(pages) + 1), part, matter, story, i == 0))
        if len(pages) % 2 and n + 1 < len(parts):
            pages.append(BookPage(str(len(pages) + 1)))  # the blank verso
    return pages


SAMPLE = [("front", "front", 6), ("story-1", "body", 3), ("story-2", "body", 2),
          ("story-3", "body", 4), ("story-4", "body", 2), ("colophon", "back", 1),
          ("about", "back", 2)]  # fmt: skip


def test_blank_leaves_go_before_story_openers_spread_over_the_book() -> None:
    pages = book(SAMPLE)
    arranged = arrange(pages, 4, 4)  # folio signatures of 4 sheets: 16 pages
    slots = arranged.slots
    assert len(slots) == 32 and sorted(s for s in slots if s is not None) == list(range(len(pages)))
    runs = []
    i = 0
    while i < len(slots):
        if slots[i] is None:
            j = i
            while j < len(slots) and slots[j] is None:
                j += 1
            runs.append((i, j - i, slots[j] if j < len(slots) else None))
            i = j
        else:
            i += 1
    for start, length, before in runs:
        if before is None:
            assert length <= 1, "never piled at the back"
            continue
        assert start % 2 == 0 and length % 2 == 0
        page = pages[before]
        assert page.start and (page.story or page.matter == "back")
    backs = [i for i, p in enumerate(pages) if p.matter == "back"]
    inside_back = [s for s, _, before in runs if before is not None and before in backs[1:]]
    assert not inside_back, "never between back-matter leaves"
    assert len({before for _, _, before in runs}) > 1, "spread, not all in one place"


def test_a_story_ending_on_a_verso_gets_the_blank_leaf_first() -> None:
    # story-2 ends on a verso (no blank after it): one blank leaf there reads as one;
    # after story-1's blank verso it would make three blank pages in a row.
    pages = book([("front", "front", 4), ("story-1", "body", 3), ("story-2", "body", 2),
                  ("story-3", "body", 3)])  # fmt: skip
    arranged = arrange(pages, 4, 4)
    at = arranged.slots.index(None)
    after = arranged.slots[at + 2]
    assert after is not None and pages[after].part == "story-3"
    assert arranged.inserts[0].pages == 2


def test_flyleaves_are_blank_leaves_at_each_end() -> None:
    pages = book([("front", "front", 4), ("story-1", "body", 12)])
    arranged = arrange(pages, 4, 1, flyleaves=2)
    assert arranged.slots[:4] == (None,) * 4
    assert [s for s in arranged.slots if s is not None] == list(range(16))
    assert arranged.slots[-4:] == (None,) * 4


def test_every_story_starts_a_signature_whose_last_is_as_small_as_it_can_be() -> None:
    pages = book([("front", "front", 6), ("story-1", "body", 21), ("story-2", "body", 9),
                  ("colophon", "back", 2)])  # fmt: skip
    arranged = arrange(pages, 8, 2, new_signature=True)  # quarto, 2 sheets: 16 pages
    firsts, at = [], 0
    for size in arranged.sizes:
        firsts.append(arranged.slots[at])
        at += size * 8
    starts = [i for i, p in enumerate(pages) if p.story and p.start]
    assert all(s in firsts for s in starts)
    assert arranged.sizes == (1, 2, 1, 2), (
        "front 8; story 1: 22 in 16 + 8; story 2 and colophon: 12"
    )
    colophon = next(i for i, p in enumerate(pages) if p.part == "colophon")
    assert arranged.slots[arranged.slots.index(colophon) - 1] is None, (
        "blanks before the back matter"
    )


def test_an_explicit_list_must_hold_the_book_and_no_blank_signature() -> None:
    pages = book([("story-1", "body", 40)])
    with pytest.raises(PlanError, match="holds 32 pages; the book needs 40"):
        arrange(pages, 16, (1, 1))
    with pytest.raises(PlanError, match="last signature would be blank"):
        arrange(pages, 16, (2, 1, 1))
    assert arrange(pages, 16, (2, 1)).sizes == (2, 1)


def test_the_overrun_says_what_it_costs_and_what_would_cost_less() -> None:
    pages = book([("story-1", "body", 66)])  # 66 pages: octavo of 4 sheets (64) overrun by 2
    arranged = arrange(pages, 16, 4)
    spent = cost(arranged, 66, 4, True)
    assert (spent.blanks, spent.sheets, spent.fewest) == (62, 8, 5)
    best = spent.alternatives[0]
    assert best.blanks < 62 and best.total < 8
    text = "\n".join(spent.lines())
    assert "62 blank pages and 3 sheets more than the fewest (5)" in text
    assert "sheets = [4, 1]" in text
