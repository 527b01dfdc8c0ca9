"""A folding simulator for the tests, written apart from packager.binding.

It knows nothing of imposition schemes. A sheet is a flat rectangle of cells
in 3D; a fold turns the half on one side of a line 180 degrees about that
line, behind the rest (the printed front stays outside); the folded bundle
is read as a reader reads a book: the top leaf's upper face is page 1, its
underside (after turning the leaf about the spine) page 2, and so on. What it
reports for every page: which sheet, which side (the back seen after
turning the sheet over about its vertical axis, like a book page), which cell
and whether the page must be printed head down.

Signatures of several sheets are made as a binder makes them: each sheet
folded on its own, the folded sheets then set one inside the other.
Perfect-bound sheets are cut into leaves and the piles stacked in cell order.
"""

from __future__ import annotations

from dataclasses import dataclass

# (x, y, z): z is towards the viewer, who looks at the sheet's front from above.
Vec = tuple[float, float, float]


@dataclass(frozen=True)
class Pose:
    """Where a cell's front-face frame is: origin, its x and y directions, its normal."""

    origin: Vec
    ex: Vec
    ey: Vec
    normal: Vec


@dataclass(frozen=True)
class Facet:
    sheet: int
    row: int  # 0 at the top of the sheet's front
    col: int  # 0 at the left of the sheet's front
    pose: Pose
    centre: tuple[float, float]  # where the cell is now, in the plane


@dataclass(frozen=True)
class Placed:
    """Where a page of the book must be printed."""

    sheet: int
    side: str  # "front" or "back"
    row: int
    col: int  # on the back: counted from the left as the back is seen, turned like a page
    head_down: bool


def _reflect(v: Vec, axis: str, at: float, point: bool) -> Vec:
    """v turned 180 degrees about the line axis=at in the plane (a point or a direction)."""
    x, y, z = v
    if axis == "x":  # the fold line is x = at, running up the sheet
        return (2 * at - x if point else -x, y, -z)
    return (x, 2 * at - y if point else -y, -z)


def _turn(pose: Pose, axis: str, at: float) -> Pose:
    return Pose(
        _reflect(pose.origin, axis, at, True),
        _reflect(pose.ex, axis, at, False),
        _reflect(pose.ey, axis, at, False),
        _reflect(pose.normal, axis, at, False),
    )


def fold_sheet(sheet: int, rows: int, cols: int, folds: list[tuple[str, str]]) -> list[list[Facet]]:
    """Fold one sheet; the leaves of the bundle from the top down, each a list of one facet.

    ``folds``: each (axis, moving) with axis "x" (a vertical fold line, at the
    middle of what is left) or "y" (horizontal), moving "low" (the left or
    bottom half goes behind) or "high" (the right or top half goes behind).
    A cell is one unit wide and high; row 0 is the top.
    """
    stacks: dict[tuple[int, int], list[Facet]] = {}
    for r in range(rows):
        for c in range(cols):
            x, y = c, rows - 1 - r
            pose = Pose((x, y, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
            stacks[(c, rows - 1 - r)] = [Facet(sheet, r, c, pose, (x + 0.5, y + 0.5))]
    x0, x1, y0, y1 = 0, cols, 0, rows
    for axis, moving in folds:
        at = (x0 + x1) / 2 if axis == "x" else (y0 + y1) / 2
        new: dict[tuple[int, int], list[Facet]] = {}
        for (cx, cy), stack in stacks.items():
            coord = cx if axis == "x" else cy
            moves = (coord < at) if moving == "low" else (coord >= at)
            if not moves:
                new.setdefault((cx, cy), [])[:0] = stack  # stays on top
                continue
            target = (int(2 * at - cx - 1), cy) if axis == "x" else (cx, int(2 * at - cy - 1))
            turned = []
            for f in reversed(stack):  # the half turns over: its layers reverse
                centre = (
                    (2 * at - f.centre[0], f.centre[1]) if axis == "x"
                    else (f.centre[0], 2 * at - f.centre[1])
                )  # fmt: skip
                turned.append(Facet(f.sheet, f.row, f.col, _turn(f.pose, axis, at), centre))
            new.setdefault(target, []).extend(turned)  # goes behind
        stacks = new
        if axis == "x":
            x0, x1 = (int(at), x1) if moving == "low" else (x0, int(at))
        else:
            y0, y1 = (int(at), y1) if moving == "low" else (y0, int(at))
    assert len(stacks) == 1, "a sheet folds down to one leaf"
    (only,) = stacks.values()
    return [[f] for f in only]


def _read(facet: Facet, face: str, spine_left: bool, rows: int, cols: int) -> Placed:
    """The printing place of the face of a leaf that the reader sees (up, or under)."""
    pose = facet.pose
    front_up = pose.normal[2] > 0
    shows_front = front_up if face == "up" else not front_up
    ey = pose.ey
    if face == "under":  # the reader turns the leaf about the spine: x changes sign
        ey = (-ey[0], ey[1], ey[2])
    # The content's head is +y of the front frame; on the back, +y is the same direction.
    head_down = ey[1] < 0
    assert abs(ey[0]) < 1e-9, "pages stay upright or head down"
    if shows_front:
        return Placed(facet.sheet, "front", facet.row, facet.col, head_down)
    return Placed(facet.sheet, "back", facet.row, cols - 1 - facet.col, head_down)


def read_book(leaves: list[list[Facet]], rows: int, cols: int, spine_left: bool) -> list[Placed]:
    """The pages of a folded bundle in reading order: each leaf's up face, then its underside."""
    pages: list[Placed] = []
    for (facet,) in leaves:
        pages.append(_read(facet, "up", spine_left, rows, cols))
        pages.append(_read(facet, "under", spine_left, rows, cols))
    return pages


# The folds, as the job sheet tells a binder to make them (left-to-right book).
FOLDS = {
    "folio": (1, 2, [("x", "low")]),
    "quarto": (2, 2, [("y", "high"), ("x", "low")]),
    "octavo": (2, 4, [("x", "low"), ("y", "high"), ("x", "low")]),
}


def signature(fold: str, sheets: int, rtl: bool = False) -> list[Placed]:
    """A signature of ``sheets`` sheets, each folded, set one inside the other: pages in order."""
    rows, cols, folds = FOLDS[fold]
    if rtl:  # the book binds on the right: every vertical fold turns the right half behind
        folds = [(a, "high" if a == "x" else m) for a, m in folds]
    bundle: list[list[Facet]] = []
    for s in range(sheets):
        leaves = fold_sheet(s, rows, cols, folds)
        middle = len(bundle) // 2
        bundle[middle:middle] = leaves  # the next sheet goes inside, at the centre
    return read_book(bundle, rows, cols, spine_left=not rtl)


def perfect(leaves: int, rows: int, cols: int) -> list[Placed]:
    """Single leaves: sheets printed, stacked, cut; the piles laid one on another in cell order."""
    count = -(-leaves // (rows * cols))
    pages: list[Placed] = []
    for cell in range(rows * cols):
        r, c = divmod(cell, cols)
        for s in range(count):
            pages.append(Placed(s, "front", r, c, False))
            pages.append(Placed(s, "back", r, cols - 1 - c, False))
    return pages[: 2 * leaves]
