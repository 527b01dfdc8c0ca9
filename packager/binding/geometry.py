"""Where things go on a sheet: paper, leaf cells, trims, creep, bleed clips (pure, in points).

A sheet is printed in the orientation that lets its leaves stand upright: a
folio of portrait pages is a landscape sheet. Every trim is set against its
spine fold (the fold is the page's spine edge, so conjugate pages meet
there) and centred between head and foot; in perfect binding each leaf is
centred in its cell. Creep moves a leaf's printing towards the spine inside
its trim; the clip keeps what is drawn to the trim and, away from the spine,
the bleed the leaf has room for.
"""

from __future__ import annotations

from dataclasses import dataclass

from packager.binding import data

EPS = 0.5  # points: sizes within half a point are the same size
GRIDS = {"folio": (1, 2), "booklet": (1, 2), "quarto": (2, 2), "octavo": (2, 4)}


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    def grow(self, left: float, bottom: float, right: float, top: float) -> Rect:
        return Rect(self.x0 - left, self.y0 - bottom, self.x1 + right, self.y1 + top)

    def overlaps(self, other: Rect) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


@dataclass(frozen=True)
class Layout:
    """One sheet's geometry: the paper as printed and the grid of leaves on it."""

    paper: str
    width: float
    height: float
    rows: int
    cols: int
    trim_w: float
    trim_h: float
    bleed: float = 0.0
    perfect: bool = False

    @property
    def cell_w(self) -> float:
        return self.width / self.cols

    @property
    def cell_h(self) -> float:
        return self.height / self.rows

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    def cell(self, row: int, col: int) -> Rect:
        x, y = col * self.cell_w, (self.rows - 1 - row) * self.cell_h
        return Rect(x, y, x + self.cell_w, y + self.cell_h)

    def trim(self, row: int, col: int, spine: str) -> Rect:
        """The leaf's trim on the sheet, before creep."""
        cell = self.cell(row, col)
        y0 = cell.y0 + (self.cell_h - self.trim_h) / 2
        if self.perfect:
            x0 = cell.x0 + (self.cell_w - self.trim_w) / 2
        else:
            x0 = cell.x0 if spine == "left" else cell.x1 - self.trim_w
        return Rect(x0, y0, x0 + self.trim_w, y0 + self.trim_h)

    def clip(self, row: int, col: int, spine: str) -> Rect:
        """What may be drawn for this leaf: its trim, and its bleed where the cell has room."""
        cell, trim = self.cell(row, col), self.trim(row, col, spine)
        room = [trim.x0 - cell.x0, trim.y0 - cell.y0, cell.x1 - trim.x1, cell.y1 - trim.y1]
        grow = [min(self.bleed, r) for r in room]
        if not self.perfect:  # a folded leaf has no bleed at its spine: the fold is there
            grow[0 if spine == "left" else 2] = 0.0
        return trim.grow(*grow)


def creep_shift(depth: int, caliper: float, spine: str) -> float:
    """How far a leaf's printing moves in x: towards the spine, a caliper per leaf outside it."""
    shift = depth * caliper
    return -shift if spine == "left" else shift


def book_turn(layout: Layout, flip: str) -> bool:
    """Whether a printer flipping on ``flip`` turns this sheet over like a book page.

    A book page turns about a vertical line: the long edge of a portrait sheet,
    the short edge of a landscape one. Otherwise the back comes out turned
    half round, and is printed so.
    """
    return (flip == "short") == layout.landscape


def leaf_fits(
    fold: str, paper_w: float, paper_h: float, trim: tuple[float, float]
) -> tuple[float, float, bool] | None:
    """The leaf a fold makes of a paper (width, height, paper turned), if the trim fits it."""
    rows, cols = GRIDS.get(fold, (1, 1))
    best = None
    for w, h, turned in ((paper_w, paper_h, False), (paper_h, paper_w, True)):
        leaf = (w / cols, h / rows)
        if trim[0] <= leaf[0] + EPS and trim[1] <= leaf[1] + EPS:
            waste = leaf[0] * leaf[1] - trim[0] * trim[1]
            if best is None or waste < best[0]:
                best = (waste, leaf[0], leaf[1], turned)
    return None if best is None else best[1:]


def default_papers(trim_name: str) -> list[str]:
    """Common papers to try, those of the trim's own system first."""
    names = list(data.papers())
    metric = [n for n in names if n.startswith("A")]
    us = [n for n in names if n not in metric]
    return us + metric if trim_name.endswith("in") or trim_name == "letter" else metric + us


def choose_paper(
    fold: str, paper: str, trim: tuple[str, float, float]
) -> tuple[str, float, float] | None:
    """(name, width, height as printed) of the paper turned to fit; None if the trim cannot."""
    name, size = trim[0], (trim[1], trim[2])
    for candidate in [paper] if paper else default_papers(name):
        shown, w, h = data.paper_size(candidate)
        found = leaf_fits(fold, w, h, size)
        if found is not None:
            return shown, *((h, w) if found[2] else (w, h))
    return None


def fit_problem(fold: str, paper: str, trim: tuple[str, float, float]) -> str:
    """ "" when the trim fits the fold of the paper; else what would (for the error message)."""
    if choose_paper(fold, paper, trim) is not None:
        return ""
    name, size = trim[0], (trim[1], trim[2])
    dims = f"{data.mm(size[0])} x {data.mm(size[1])} mm"
    shown_trim = f"the {name} trim ({dims})" if name != dims else f"the {dims} trim"
    layout = fold
    papers = [p for p in data.papers() if leaf_fits(fold, *data.paper_size(p)[1:], size)]
    if not paper:
        hint = ': give paper = "WIDTHxHEIGHT" (mm or in) large enough'
        return f"{shown_trim} fits no common paper folded as {_a(layout)}{hint}"
    shown, w, h = data.paper_size(paper)
    rows, cols = GRIDS.get(fold, (1, 1))
    leaf = max(
        ((w / cols, h / rows), (h / cols, w / rows)),
        key=lambda s: min(s[0] / size[0], s[1] / size[1]),
    )
    folds = [f for f in ("folio", "quarto", "octavo") if leaf_fits(f, w, h, size)]
    ideas = [f"{_a(layout)} on {p}" for p in papers[:2]] + [
        f"{_a(f)} on {shown}" for f in folds[:1]
    ]
    hint = f"; it fits {' or '.join(ideas)}" if ideas else "; use larger paper or a smaller trim"
    what = "leaf" if fold != "perfect" else "sheet"
    return (
        f"{shown_trim} does not fit {_a(layout)} {what} of {shown} "
        f"({data.mm(leaf[0])} x {data.mm(leaf[1])} mm){hint}"
    )


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def perfect_grid(
    width: float, height: float, trim_w: float, trim_h: float, bleed: float
) -> tuple[int, int, bool]:
    """(rows, cols, turned) of single leaves a sheet holds, each with its bleed all round."""
    best = (1, 1, False)
    for w, h, turned in ((width, height, False), (height, width, True)):
        cols = max(1, int((w + EPS) // (trim_w + 2 * bleed)))
        rows = max(1, int((h + EPS) // (trim_h + 2 * bleed)))
        if cols * rows > best[0] * best[1]:
            best = (rows, cols, turned)
    return best


MM = data.PT_PER["mm"]


def stations(trim_h: float, count: int | None) -> tuple[float, ...]:
    """Sewing stations from the head of the trim: kettle stitches 12 mm in, the rest between."""
    kettle = min(12 * MM, trim_h / 6)
    n = count or max(3, round(trim_h / MM / 40))
    step = (trim_h - 2 * kettle) / (n - 1)
    return tuple(round(kettle + i * step, 3) for i in range(n))
