"""Imposed sheets read back for the tests with pypdf and pdfplumber, apart from packager's code.

pypdf gives each placed page's transform (the cm in force at its Do) and the
mark lines; pdfplumber gives the characters where they are drawn on the
sheet, so that each placement's text can be compared with the book page's.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdf
from pypdf.generic import ContentStream

Matrix = tuple[float, float, float, float, float, float]


@dataclass
class Placed:
    name: str  # the XObject's resource name
    matrix: Matrix
    trim: tuple[float, float, float, float]  # where the book page's trim lands on the sheet
    text: Counter[str] = field(default_factory=Counter)

    @property
    def head_down(self) -> bool:
        return self.matrix[0] < 0 and self.matrix[3] < 0


@dataclass
class SheetSide:
    width: float
    height: float
    placed: list[Placed]
    lines: list[tuple[str, tuple[float, float, float, float]]]  # (section, segment)
    boxes: list[tuple[str, tuple[float, float, float, float]]]  # filled rectangles


def _mul(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def letters(text: str) -> Counter[str]:
    return Counter(ch for ch in text.casefold() if ch.isalnum())


def read(path: Path, trim: tuple[float, float, float, float]) -> list[SheetSide]:
    """Every side of an imposed PDF; ``trim`` is the book pages' TrimBox in their own space."""
    reader = pypdf.PdfReader(path)
    sides = []
    for page in reader.pages:
        ops = ContentStream(page.get_contents(), reader).operations
        ctm: Matrix = (1, 0, 0, 1, 0, 0)
        stack: list[Matrix] = []
        placed, lines, boxes = [], [], []
        section, start = "", (0.0, 0.0)
        for operands, op in ops:
            name = op.decode() if isinstance(op, bytes) else str(op)
            if name == "q":
                stack.append(ctm)
            elif name == "Q":
                ctm = stack.pop()
            elif name == "cm":
                ctm = _mul(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
            elif name == "Do":
                corners = [
                    _apply(ctm, x, y) for x in (trim[0], trim[2]) for y in (trim[1], trim[3])
                ]
                xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                placed.append(Placed(str(operands[0]), ctm, (min(xs), min(ys), max(xs), max(ys))))
            elif name == "BMC":
                section = str(operands[0]).lstrip("/")
            elif name == "EMC":
                section = ""
            elif name == "m":
                start = _apply(ctm, float(operands[0]), float(operands[1]))
            elif name == "l" and section:
                end = _apply(ctm, float(operands[0]), float(operands[1]))
                lines.append((section, (*start, *end)))
            elif name == "re" and section:
                x, y, w, h = (float(v) for v in operands)
                boxes.append((section, (x, y, x + w, y + h)))
        _texts(page, placed)
        box = page.mediabox
        sides.append(SheetSide(float(box.width), float(box.height), placed, lines, boxes))
    return sides


def _texts(page: pypdf.PageObject, placed: list[Placed]) -> None:
    """Each placement's text, as pypdf extracts it: the text after a Do is that form's."""
    by_name = {p.name: p for p in placed}
    current: list[Placed | None] = [None]

    def before(op: bytes, args: list[object], cm: object, tm: object) -> None:
        if op == b"Do" and str(args[0]) in by_name:  # not a page's own images and forms
            current[0] = by_name[str(args[0])]

    def text(t: str, cm: object, tm: object, font: object, size: object) -> None:
        if current[0] is not None:
            current[0].text.update(letters(t))

    page.extract_text(visitor_operand_before=before, visitor_text=text)


def book_texts(path: Path) -> list[Counter[str]]:
    return [letters(page.extract_text()) for page in pypdf.PdfReader(path).pages]


def story_starts(path: Path) -> set[int]:
    """Pages (from 0) the outline's top-level entries open: the stories' first pages."""
    reader = pypdf.PdfReader(path)
    return {
        reader.get_destination_page_number(item)
        for item in reader.outline
        if not isinstance(item, list)
    }


def page_number(name: str) -> int:
    """The book page (from 0) an XObject named /P<n> draws."""
    match = re.fullmatch(r"/P(\d+)", name)
    assert match, name
    return int(match.group(1)) - 1


def crosses(
    segment: tuple[float, float, float, float], box: tuple[float, float, float, float]
) -> bool:
    x0, y0, x1, y1 = segment
    tol = 0.01
    if x0 == x1:
        return (
            box[0] + tol < x0 < box[2] - tol
            and min(y0, y1) < box[3] - tol
            and max(y0, y1) > box[1] + tol
        )
    return (
        box[1] + tol < y0 < box[3] - tol
        and min(x0, x1) < box[2] - tol
        and max(x0, x1) > box[0] + tol
    )


def first_lines(path: Path) -> list[str]:
    return [
        (page.extract_text() or "").strip().split("\n")[0] for page in pypdf.PdfReader(path).pages
    ]
