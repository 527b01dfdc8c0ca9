"""The marks on a sheet, outside every trim (pure, in points).

Cut marks extend the trim lines a binder cuts (head, foot, fore-edge; all
four edges in perfect binding) beyond the bleed, stopping short of any other
leaf. Fold lines (optional) are dashed ticks in the sheet's margins. The
collation mark sits on each signature's spine fold, a step lower for each
signature, so that gathered signatures show a staircase on the spine (a
missing or doubled signature breaks it). Sewing stations are ticks across
the fold at the centre of each signature, where the holes are pierced.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from packager.binding.data import PT_PER
from packager.binding.geometry import Layout, Rect, stations
from packager.binding.signatures import Cell, Plan, Sheet

MM = PT_PER["mm"]
OFFSET = 3.0  # points between the bleed and a cut mark
LENGTH = 12.0
SHORTEST = 3.0
COLLATION_W, COLLATION_H = 4.0, 5 * MM


@dataclass(frozen=True)
class Mark:
    kind: str  # "cut", "fold", "collation" (a filled box) or "station"
    x0: float
    y0: float
    x1: float
    y1: float


def as_printed(cells: Sequence[Cell], layout: Layout, turned: bool) -> tuple[Cell, ...]:
    """A side's cells as printed: turned half round if the printer does not turn it like a page."""
    if not turned:
        return tuple(cells)
    flip = {"left": "right", "right": "left"}
    return tuple(
        dataclasses.replace(
            c,
            row=layout.rows - 1 - c.row,
            col=layout.cols - 1 - c.col,
            head_down=not c.head_down,
            spine=flip[c.spine],
        )
        for c in cells
    )


def sheet_marks(
    layout: Layout,
    plan: Plan,
    sheet: Sheet,
    cells: Sequence[Cell],
    front: bool,
    options: dict[str, bool],
    sewing: int | None,
) -> list[Mark]:
    """Every mark of one printed side of ``sheet`` (``cells`` as printed)."""
    used = [c for c in cells if c.slot is not None]
    obstacles = [layout.clip(c.row, c.col, c.spine) for c in used]
    marks: list[Mark] = []
    if options.get("cut_marks", True):
        for c in used:
            marks.extend(_cuts(layout, c, obstacles))
    if options.get("fold_lines", False) and not layout.perfect:
        marks.extend(_folds(layout, obstacles))
    if layout.perfect:
        return marks
    first = sum(n * 2 * layout.rows * layout.cols for n in plan.sizes[: sheet.signature])
    length = plan.sizes[sheet.signature] * 2 * layout.rows * layout.cols
    if options.get("collation", True) and front and sheet.index == 0:
        cell = next(c for c in used if c.slot == first)
        marks.append(_collation(layout, cell, sheet.signature))
    if sheet.index == plan.sizes[sheet.signature] - 1:
        middle = next((c for c in used if c.slot == first + length // 2), None)
        if middle is not None:
            marks.extend(_stations(layout, middle, sewing))
    return marks


def _free(
    start: float, end: float, fixed: float, vertical: bool, obstacles: Sequence[Rect], bound: Rect
) -> tuple[float, float] | None:
    """The part of a segment from start towards end that is clear of every obstacle."""
    step = 1 if end >= start else -1
    lo, hi = (bound.y0, bound.y1) if vertical else (bound.x0, bound.x1)
    stop = min(max(end, lo), hi)
    for r in obstacles:
        a, b = (r.y0, r.y1) if vertical else (r.x0, r.x1)
        across = (r.x0 < fixed < r.x1) if vertical else (r.y0 < fixed < r.y1)
        if not across:
            continue
        if a <= start <= b:
            return None
        if step > 0 and start < a < stop:
            stop = a
        if step < 0 and stop < b < start:
            stop = b
    return (start, stop) if abs(stop - start) >= SHORTEST else None


def _cuts(layout: Layout, cell: Cell, obstacles: Sequence[Rect]) -> list[Mark]:
    t = layout.trim(cell.row, cell.col, cell.spine)
    bound = Rect(0, 0, layout.width, layout.height)
    spine_x = None if layout.perfect else (t.x0 if cell.spine == "left" else t.x1)
    gap = layout.bleed + OFFSET
    found = []
    for x in (t.x0, t.x1):  # the side edges' lines, beyond the head and the foot
        if x == spine_x:
            continue
        for start, end in ((t.y1 + gap, t.y1 + gap + LENGTH), (t.y0 - gap, t.y0 - gap - LENGTH)):
            seg = _free(start, end, x, True, obstacles, bound)
            if seg:
                found.append(Mark("cut", x, min(seg), x, max(seg)))
    for y in (t.y0, t.y1):  # head and foot lines, beyond the fore-edge (both sides unbound)
        for edge, sign in ((t.x1, 1), (t.x0, -1)):
            if edge == spine_x:
                continue
            start = edge + sign * gap
            seg = _free(start, start + sign * LENGTH, y, False, obstacles, bound)
            if seg:
                found.append(Mark("cut", min(seg), y, max(seg), y))
    return found


def _folds(layout: Layout, obstacles: Sequence[Rect]) -> list[Mark]:
    bound = Rect(0, 0, layout.width, layout.height)
    found = []
    for c in range(1, layout.cols):
        x = c * layout.cell_w
        for start, end in ((layout.height, 0.0), (0.0, layout.height)):
            seg = _free(start, end, x, True, [r.grow(1, 1, 1, 1) for r in obstacles], bound)
            if seg:
                found.append(Mark("fold", x, min(seg), x, max(seg)))
    for r in range(1, layout.rows):
        y = r * layout.cell_h
        for start, end in ((0.0, layout.width), (layout.width, 0.0)):
            seg = _free(start, end, y, False, [o.grow(1, 1, 1, 1) for o in obstacles], bound)
            if seg:
                found.append(Mark("fold", min(seg), y, max(seg), y))
    return found


def _spine_x(layout: Layout, cell: Cell) -> float:
    t = layout.trim(cell.row, cell.col, cell.spine)
    return t.x0 if cell.spine == "left" else t.x1


def _collation(layout: Layout, cell: Cell, signature: int) -> Mark:
    t = layout.trim(cell.row, cell.col, cell.spine)
    x = _spine_x(layout, cell)
    top, step = 8 * MM, COLLATION_H
    steps = max(1, int((layout.trim_h - 2 * top) // step))
    down = top + (signature % steps) * step
    if cell.head_down:  # the head is at the bottom of this cell
        y0 = t.y0 + down
        return Mark("collation", x - COLLATION_W / 2, y0, x + COLLATION_W / 2, y0 + step)
    y1 = t.y1 - down
    return Mark("collation", x - COLLATION_W / 2, y1 - step, x + COLLATION_W / 2, y1)


def _stations(layout: Layout, cell: Cell, count: int | None) -> list[Mark]:
    t = layout.trim(cell.row, cell.col, cell.spine)
    x = _spine_x(layout, cell)
    found = []
    for s in stations(layout.trim_h, count):
        y = t.y0 + s if cell.head_down else t.y1 - s
        found.append(Mark("station", x - 3.0, y, x + 3.0, y))
    return found
