"""check_imposed(): prove an imposed PDF before spending paper (pure, on what sheets.py read).

From the settings the PDF carries, the sheets are planned again and every
placed page is compared with its plan: each book page exactly once, in its
cell, the right way up, moved towards the spine by its creep. Independently
of the plan, each page's back is found where the sheet turned over (by the
chosen flip edge) puts it: a recto and its verso must share a leaf, head to
head. Every cut and fold mark must lie outside every page's trim and bleed.
"""

from __future__ import annotations

from collections import Counter

from packager.binding import data
from packager.binding.arrange import Arrangement
from packager.binding.geometry import Layout, book_turn, creep_shift
from packager.binding.marks import as_printed
from packager.binding.signatures import Cell, plan_folded, plan_perfect
from packager.pdf.readback import Box, ImposedPdf, Side

TOLERANCE = 0.05  # points


def check_imposed(imposed: ImposedPdf) -> tuple[list[str], list[str]]:
    """(problems, what was proved); no problems means the sheets are right."""
    s = imposed.settings
    slots = tuple(None if v < 0 else int(v) for v in s["Slots"])
    sizes = tuple(int(v) for v in s["Sizes"])
    fold, rows, cols = str(s["Fold"]), int(s["Rows"]), int(s["Cols"])
    side_kind = str(s["Side"])
    perfect = fold == "perfect"
    per_sheet = 2 if perfect else 2 * rows * cols
    arranged = Arrangement(slots, sizes, per_sheet)
    if perfect:
        plan = plan_perfect(arranged, rows, cols, bool(s["Rtl"]))
    else:
        scheme = data.schemes()["folio" if fold == "booklet" else fold]
        plan = plan_folded(arranged, scheme, fold, bool(s["Rtl"]))
    first = imposed.sides[0] if imposed.sides else None
    trim_w, trim_h = (float(v) for v in s["Trim"])
    layout = Layout(
        str(s["Paper"]),
        first.width if first else 0.0,
        first.height if first else 0.0,
        rows,
        cols,
        trim_w,
        trim_h,
        float(s["Bleed"]),
        perfect=perfect,
    )
    flip, caliper = str(s["Flip"]), float(s["Caliper"])
    turn = not book_turn(layout, flip)
    expected_sides = [
        (sheet, side, as_printed(getattr(sheet, side), layout, turn and side == "back"))
        for sheet in plan.sheets
        for side in ("front", "back")
        if side_kind == "both" or side_kind == f"{side}s"
    ]
    problems: list[str] = []
    if len(expected_sides) != len(imposed.sides):
        problems.append(f"{len(imposed.sides)} pages, but the plan has {len(expected_sides)} sides")
        return problems, []
    counted = Counter(p.page for side in imposed.sides for p in side.placements)
    wanted = Counter(c.page for _, _, cells in expected_sides for c in cells if c.page is not None)
    for page in sorted(set(counted) | set(wanted)):
        if counted[page] != wanted[page]:
            times = f"{counted[page]} times, not {wanted[page]}"
            problems.append(f"book page {page + 1} is placed {times}")
    for (sheet, side, cells), printed in zip(expected_sides, imposed.sides, strict=True):
        where = f"sheet {sheet.number + 1} {side}"
        problems.extend(_compare(where, layout, cells, printed, caliper))
        problems.extend(_marks(where, printed))
    if side_kind == "both":
        for n in range(0, len(imposed.sides), 2):
            problems.extend(_pairs(n // 2 + 1, imposed.sides[n], imposed.sides[n + 1], slots, turn))
    pages = len(wanted)
    proved = [
        f"{len(plan.sheets)} sheets ({fold}), {pages} book pages each placed once, in its cell, "
        "the right way up",
        f"creep: {data.mm(caliper)} mm a leaf towards the spine" if caliper else "no creep",
        "every cut and fold mark outside the trims",
    ]
    if side_kind == "both":
        proved.insert(1, f"fronts and backs pair up, leaf by leaf, for flip = \u201c{flip}\u201d")
    return problems, proved


def _centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _compare(
    where: str, layout: Layout, cells: tuple[Cell, ...], side: Side, caliper: float
) -> list[str]:
    found = []
    placed = {p.page: p for p in side.placements}
    for cell in cells:
        if cell.page is None:
            continue
        p = placed.get(cell.page)
        if p is None:
            cell_name = f"row {cell.row + 1}, column {cell.col + 1}"
            found.append(f"{where}: book page {cell.page + 1} is missing from {cell_name}")
            continue
        box = layout.cell(cell.row, cell.col)
        x, y = _centre(p.trim)
        if not (box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1):
            found.append(
                f"{where}: page {p.label} is not in row {cell.row + 1}, column {cell.col + 1}"
            )
            continue
        if p.turned != cell.head_down:
            way = "head down" if cell.head_down else "upright"
            found.append(f"{where}: page {p.label} should be printed {way}")
        trim = layout.trim(cell.row, cell.col, cell.spine)
        shift = creep_shift(cell.depth, caliper, cell.spine)
        if abs(p.trim[0] - (trim.x0 + shift)) > TOLERANCE or abs(p.trim[1] - trim.y0) > TOLERANCE:
            found.append(
                f"{where}: page {p.label} is at x {p.trim[0]:.2f} pt, y {p.trim[1]:.2f} pt; "
                f"with {data.mm(abs(shift))} mm of creep it belongs at "
                f"{trim.x0 + shift:.2f}, {trim.y0:.2f}"
            )
    return found


def _marks(where: str, side: Side) -> list[str]:
    found = []
    for kind, segment in side.marks:
        if kind not in ("cut", "fold"):
            continue
        for p in side.placements:
            if _crosses(segment, p.clip or p.trim):
                found.append(f"{where}: a {kind} mark crosses page {p.label}")
    return found


def _crosses(segment: Box, box: Box) -> bool:
    """Whether a line segment enters the inside of a box (touching its edge does not count)."""
    x0, y0, x1, y1 = segment
    inside_x = min(x0, x1) < box[2] - TOLERANCE and max(x0, x1) > box[0] + TOLERANCE
    inside_y = min(y0, y1) < box[3] - TOLERANCE and max(y0, y1) > box[1] + TOLERANCE
    if x0 == x1:
        inside_x = box[0] + TOLERANCE < x0 < box[2] - TOLERANCE
    if y0 == y1:
        inside_y = box[1] + TOLERANCE < y0 < box[3] - TOLERANCE
    return inside_x and inside_y


def _pairs(
    number: int, front: Side, back: Side, slots: tuple[int | None, ...], turn: bool
) -> list[str]:
    """Each page and the page behind it on the sheet: one leaf, recto and verso, heads together."""
    slot_of = {page: n for n, page in enumerate(slots) if page is not None}
    found = []
    for p in front.placements:
        x, y = _centre(p.trim)
        behind = (x, front.height - y) if turn else (front.width - x, y)
        partner = min(
            back.placements, key=lambda q: _distance(_centre(q.trim), behind), default=None
        )
        if partner is None or _distance(_centre(partner.trim), behind) > 1.0:
            continue  # a blank page backs it
        a, b = sorted((slot_of[p.page], slot_of[partner.page]))
        if a % 2 or b != a + 1:
            found.append(f"sheet {number}: page {p.label} backs onto page {partner.label}")
        elif (p.turned != partner.turned) != turn:
            found.append(f"sheet {number}: pages {p.label} and {partner.label} are head to foot")
    return found


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)
