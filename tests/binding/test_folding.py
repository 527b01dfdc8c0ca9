"""The signature planner agrees with a sheet folded by hand (tests/binding/folding.py)."""

from __future__ import annotations

import folding
import pytest
from hypothesis import given
from hypothesis import strategies as st

from packager.binding import data
from packager.binding.arrange import BookPage, arrange
from packager.binding.signatures import Plan, plan_folded, plan_perfect

FOLDED = ("folio", "quarto", "octavo")


def _flat_book(count: int) -> list[BookPage]:
    """A PDF without structure: every page in one part."""
    return [BookPage(str(i + 1), "text", start=i == 0) for i in range(count)]


def _where(plan: Plan) -> dict[int, tuple[int, int, str, int, int, bool]]:
    """slot -> (signature, sheet in signature, side, row, col, head down)."""
    found = {}
    for sheet, side, cell in plan.cells():
        if cell.slot is not None:
            assert cell.slot not in found, f"slot {cell.slot} printed twice"
            key = (sheet.signature, sheet.index, side, cell.row, cell.col, cell.head_down)
            found[cell.slot] = key
    return found


def _plan(fold: str, count: int, sheets: int | None, rtl: bool) -> Plan:
    scheme = data.schemes()["folio" if fold == "booklet" else fold]
    arranged = arrange(_flat_book(count), scheme.pages_per_sheet, sheets)
    return plan_folded(arranged, scheme, fold, rtl)


def test_the_instructions_are_the_folds_the_simulator_proves() -> None:
    for name in FOLDED:
        scheme = data.schemes()[name]
        rows, cols, folds = folding.FOLDS[name]
        assert (scheme.rows, scheme.cols) == (rows, cols)
        assert [(f.axis, f.moving) for f in scheme.folds] == folds


@pytest.mark.parametrize("fold", FOLDED)
@pytest.mark.parametrize("sheets", range(1, 7))
@pytest.mark.parametrize("rtl", [False, True])
def test_one_full_signature_folds_into_page_order(fold: str, sheets: int, rtl: bool) -> None:
    pages = data.schemes()[fold].pages_per_sheet * sheets
    planned = _where(_plan(fold, pages, sheets, rtl))
    folded = folding.signature(fold, sheets, rtl)
    assert len(folded) == pages == len(planned)
    for slot, placed in enumerate(folded):
        assert planned[slot] == (
            0,
            placed.sheet,
            placed.side,
            placed.row,
            placed.col,
            placed.head_down,
        )


@given(
    fold=st.sampled_from(("folio", "quarto", "octavo", "booklet")),
    count=st.integers(min_value=1, max_value=400),
    sheets=st.integers(min_value=1, max_value=6),
    rtl=st.booleans(),
)
def test_planner_equals_simulator(fold: str, count: int, sheets: int, rtl: bool) -> None:
    """Any page count (filling the last signature or not), any layout: the folds agree."""
    plan = _plan(fold, count, None if fold == "booklet" else sheets, rtl)
    planned = _where(plan)
    books = [s for s in plan.slots if s is not None]
    assert sorted(books) == list(range(count)), "every page of the book exactly once"
    first = 0
    for number, size in enumerate(plan.sizes):
        folded = folding.signature("folio" if fold == "booklet" else fold, size, rtl)
        for offset, placed in enumerate(folded):
            expected = (number, placed.sheet, placed.side, placed.row, placed.col, placed.head_down)
            assert planned[first + offset] == expected
        first += len(folded)
    assert first == len(plan.slots)


@given(
    count=st.integers(min_value=1, max_value=300), rows=st.integers(1, 3), cols=st.integers(1, 3)
)
def test_perfect_binding_cut_and_stack(count: int, rows: int, cols: int) -> None:
    arranged = arrange(_flat_book(count), 2, None)
    planned = _where(plan_perfect(arranged, rows, cols))
    stacked = folding.perfect(len(arranged.slots) // 2, rows, cols)
    for slot, placed in enumerate(stacked):
        assert planned[slot] == (0, placed.sheet, placed.side, placed.row, placed.col, False)
