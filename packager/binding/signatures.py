"""The signature planner: which page goes in which cell of which sheet, which way up (pure).

A signature of k sheets is k sheets each folded by the fold's scheme and set
one inside the other: the outermost sheet carries the signature's first and
last pages, the innermost its middle. The back of a sheet is described as it
is seen after turning the sheet over like a book page; which way the printer
turns it (``flip``) is the placement's business. Creep depth is counted in
leaves from the outside of the signature, at the spine fold.
"""

from __future__ import annotations

from dataclasses import dataclass

from packager.binding.arrange import Arrangement
from packager.binding.data import Scheme


@dataclass(frozen=True)
class Cell:
    row: int  # 0: the top row of the sheet as this side is seen
    col: int  # 0: the left column
    slot: int | None  # the page of the bound book (from 0); None: an empty cell
    page: int | None  # the book PDF's page printed here; None: a blank page
    head_down: bool
    spine: str  # "left" or "right": the cell's edge at the spine, on this side
    depth: int  # leaves between this one and the outside of its signature
    signature: int


@dataclass(frozen=True)
class Sheet:
    number: int  # from 0, in printing order
    signature: int
    index: int  # 0: the outermost sheet of its signature
    front: tuple[Cell, ...]
    back: tuple[Cell, ...]  # seen turned over like a book page


@dataclass(frozen=True)
class Plan:
    fold: str  # folio, quarto, octavo, booklet or perfect
    rows: int
    cols: int
    rtl: bool
    sizes: tuple[int, ...]  # sheets per signature
    slots: tuple[int | None, ...]
    sheets: tuple[Sheet, ...]

    def cells(self) -> list[tuple[Sheet, str, Cell]]:
        return [
            (s, side, c)
            for s in self.sheets
            for side in ("front", "back")
            for c in getattr(s, side)
        ]


def _spine(slot: int, head_down: bool, rtl: bool) -> str:
    """A recto (even slot) has the spine on its left in a left-to-right book, upright."""
    left = (slot % 2 == 0) != head_down
    return "left" if left != rtl else "right"


def plan_folded(arrangement: Arrangement, scheme: Scheme, fold: str, rtl: bool = False) -> Plan:
    """Sheets of signatures folded by ``scheme`` (a booklet is one signature of folio sheets)."""
    sheets: list[Sheet] = []
    first = 0
    for number, size in enumerate(arrangement.sizes):
        length = size * scheme.pages_per_sheet
        for index in range(size):
            front, back = (
                _side(arrangement.slots, scheme, grid, number, first, length, index, rtl)
                for grid in (scheme.front, scheme.back)
            )
            sheets.append(Sheet(len(sheets), number, index, front, back))
        first += length
    return Plan(
        fold, scheme.rows, scheme.cols, rtl, arrangement.sizes, arrangement.slots, tuple(sheets)
    )


def _side(
    slots: tuple[int | None, ...],
    scheme: Scheme,
    grid: tuple[tuple[tuple[int, bool], ...], ...],
    signature: int,
    first: int,
    length: int,
    index: int,
    rtl: bool,
) -> tuple[Cell, ...]:
    """One side of the ``index``-th sheet (from outside) of a signature of ``length`` pages."""
    half = scheme.pages_per_sheet // 2
    cells = []
    for row, line in enumerate(grid):
        for col, (page, head_down) in enumerate(line):
            # Pages 1..half of the scheme are the front half of its leaves, the rest the back half.
            j = index * half + page if page <= half else length - (index + 1) * half + page - half
            slot = first + j - 1
            leaf = (j - 1) // 2
            depth = min(leaf, length // 2 - 1 - leaf)
            where = scheme.cols - 1 - col if rtl else col
            spine = _spine(slot, head_down, rtl)
            cells.append(Cell(row, where, slot, slots[slot], head_down, spine, depth, signature))
    return tuple(sorted(cells, key=_position))


def _position(cell: Cell) -> tuple[int, int]:
    return cell.row, cell.col


def plan_perfect(arrangement: Arrangement, rows: int, cols: int, rtl: bool = False) -> Plan:
    """Single leaves, ``rows`` x ``cols`` to a sheet, in cut-and-stack order.

    The printed stack is cut once; the pile of the first cell goes on top of
    the second's, and so on (row by row), so leaf j x sheets + s is on sheet s.
    """
    slots = arrangement.slots
    leaves = len(slots) // 2
    cells = rows * cols
    count = -(-leaves // cells)
    sheets = []
    for s in range(count):
        front: list[Cell] = []
        back: list[Cell] = []
        for k in range(cells):
            r, c = divmod(k, cols)
            leaf = k * count + s
            for side, slot, col in ((front, 2 * leaf, c), (back, 2 * leaf + 1, cols - 1 - c)):
                if leaf >= leaves:
                    side.append(Cell(r, col, None, None, False, "left", 0, 0))
                else:
                    spine = _spine(slot, False, rtl)
                    side.append(Cell(r, col, slot, slots[slot], False, spine, 0, 0))
        sides = (tuple(sorted(front, key=_position)), tuple(sorted(back, key=_position)))
        sheets.append(Sheet(s, 0, s, *sides))
    return Plan("perfect", rows, cols, rtl, (count,), slots, tuple(sheets))
