"""What a PDF draws where, read back with pikepdf: placed pages, marks, text boxes.

What ``packager check`` proves an imposition from (packager.binding.verify):
the settings in the catalog's page-piece data and, for every side of every
sheet, the book pages drawn on it (the form XObject's page and trim from its
page-piece data, the matrix in force when it was drawn, the clip around it)
and the mark lines in their marked-content sections. And where a page's text
runs lie, for the cover wrap's safe-area check.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pikepdf

from packager.errors import PackagerError, error
from packager.pdf.fonts import parse_widths
from packager.pdf.pieces import open_pdf

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Placement:
    page: int  # the book page (from 0)
    label: str
    trim: Box  # where the page's trim is drawn on the sheet
    turned: bool  # drawn head down (a half turn)
    clip: Box | None


@dataclass(frozen=True)
class Side:
    width: float
    height: float
    placements: tuple[Placement, ...]
    marks: tuple[tuple[str, Box], ...]  # (kind, x0 y0 x1 y1)


@dataclass(frozen=True)
class ImposedPdf:
    settings: dict[str, Any]
    sides: tuple[Side, ...]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)  # fmt: skip


def _apply(m: Matrix, box: Box) -> Box:
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[2], box[3])):
        xs.append(m[0] * x + m[2] * y + m[4])
        ys.append(m[1] * x + m[3] * y + m[5])
    return min(xs), min(ys), max(xs), max(ys)


def _plain(value: Any) -> Any:
    if isinstance(value, pikepdf.Array):
        return [_plain(v) for v in value]
    if isinstance(value, pikepdf.Name):
        return str(value).lstrip("/")
    if isinstance(value, pikepdf.String):
        return str(value)
    if isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def read_imposed(data: bytes, label: str) -> ImposedPdf:
    """The imposition of a PDF packager imposed; an error naming the file for any other PDF."""
    with open_pdf(data, label) as pdf:
        info = pdf.Root.get("/PieceInfo")
        ours = info.get("/Packager") if isinstance(info, pikepdf.Dictionary) else None
        if not isinstance(ours, pikepdf.Dictionary) or "/Fold" not in ours.get("/Private", {}):
            message = (
                "not an imposed PDF (packager build --format imposed or packager impose make one)"
            )
            raise PackagerError([error(message, label)])
        settings = {str(k).lstrip("/"): _plain(v) for k, v in ours.Private.items()}
        return ImposedPdf(settings, tuple(_side(page) for page in pdf.pages))


def _side(page: pikepdf.Page) -> Side:
    x0, y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
    resources = page.obj.get("/Resources")
    found = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    xobjects = found if isinstance(found, pikepdf.Dictionary) else pikepdf.Dictionary()
    ctm: Matrix = (1, 0, 0, 1, 0, 0)
    clip: Box | None = None
    stack: list[tuple[Matrix, Box | None]] = []
    pending: Box | None = None
    point = (0.0, 0.0)
    kind = ""
    placements, marks = [], []
    for op in pikepdf.parse_content_stream(page):
        name, args = str(op.operator), [_plain(a) for a in op.operands]
        if name == "q":
            stack.append((ctm, clip))
        elif name == "Q" and stack:
            ctm, clip = stack.pop()
        elif name == "cm":
            ctm = _multiply(tuple(args), ctm)
        elif name == "re":
            x, y, w, h = args
            pending = _apply(ctm, (x, y, x + w, y + h))
            if kind == "collation":
                marks.append((kind, pending))
        elif name == "W":
            clip = pending
        elif name == "BMC":
            kind = str(args[0]).lower()
        elif name == "EMC":
            kind = ""
        elif name == "m":
            point = (args[0], args[1])
        elif name == "l" and kind:
            marks.append((kind, (*point, args[0], args[1])))
        elif name == "Do":
            form = xobjects.get(str(op.operands[0]))
            placed = _placement(form, ctm, clip)
            if placed is not None:
                placements.append(placed)
    return Side(x1 - x0, y1 - y0, tuple(placements), tuple(marks))


def _placement(form: Any, ctm: Matrix, clip: Box | None) -> Placement | None:
    info = form.get("/PieceInfo") if isinstance(form, pikepdf.Stream) else None
    ours = info.get("/Packager") if isinstance(info, pikepdf.Dictionary) else None
    private = ours.get("/Private") if isinstance(ours, pikepdf.Dictionary) else None
    if not isinstance(private, pikepdf.Dictionary):
        return None
    trim = tuple(_plain(private.Trim))
    return Placement(
        page=int(private.Page),
        label=str(private.get("/Label", "")),
        trim=_apply(ctm, trim),
        turned=ctm[0] < 0,
        clip=clip,
    )


def text_boxes(data: bytes) -> list[Box]:
    """Where every run of text on the first page is drawn: its box, turned or not.

    Each run spans its advance (glyph widths from the font's /W, with TJ's
    adjustments) from its origin, and 0.8 em above to 0.25 em below the
    baseline, through the text matrix and the CTM. Enough to say whether text
    comes near an edge; not a text extractor.
    """
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        widths: dict[str, dict[int, float]] = {}
        ctm: Matrix = (1, 0, 0, 1, 0, 0)
        stack: list[Matrix] = []
        tm: Matrix = (1, 0, 0, 1, 0, 0)
        line: Matrix = tm
        font, size = "", 0.0
        boxes: list[Box] = []
        for op in pikepdf.parse_content_stream(page):
            name, args = str(op.operator), op.operands
            if name == "q":
                stack.append(ctm)
            elif name == "Q" and stack:
                ctm = stack.pop()
            elif name == "cm":
                ctm = _multiply(tuple(float(a) for a in args), ctm)  # type: ignore[arg-type]
            elif name == "BT":
                tm = line = (1, 0, 0, 1, 0, 0)
            elif name == "Tf":
                font, size = str(args[0]), float(args[1])
                if font not in widths and isinstance(fonts, pikepdf.Dictionary) and font in fonts:
                    widths[font] = _widths(fonts[font])
            elif name == "Tm":
                tm = line = tuple(float(a) for a in args)  # type: ignore[assignment]
            elif name in ("Td", "TD"):
                line = _multiply((1, 0, 0, 1, float(args[0]), float(args[1])), line)
                tm = line
            elif name in ("Tj", "TJ"):
                items = args[0] if name == "TJ" else [args[0]]
                advance = 0.0
                for item in items:
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        table = widths.get(font, {})
                        glyphs = [
                            int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)
                        ]
                        advance += sum(table.get(g, 500.0) for g in glyphs) / 1000 * size
                    else:
                        advance -= float(item) / 1000 * size
                m = _multiply(tm, ctm)
                boxes.append(_apply_all(m, (0.0, -0.25 * size, advance, 0.8 * size)))
                tm = _multiply((1, 0, 0, 1, advance, 0), tm)
        return boxes


def _widths(font: pikepdf.Object) -> dict[int, float]:
    descendants = font.get("/DescendantFonts")
    if isinstance(descendants, pikepdf.Array) and len(descendants):
        return parse_widths(descendants[0].get("/W", pikepdf.Array()))
    return {}


def _apply_all(m: Matrix, box: Box) -> Box:
    """A box through a matrix that may turn it: the box around its four corners."""
    xs, ys = [], []
    for x in (box[0], box[2]):
        for y in (box[1], box[3]):
            xs.append(m[0] * x + m[2] * y + m[4])
            ys.append(m[1] * x + m[3] * y + m[5])
    return min(xs), min(ys), max(xs), max(ys)
