"""Folios (page numbers) drawn on the joined book's story pages, in the theme's style.

A story is laid out once, wherever it lands in the book; its page numbers are
printed afterwards with the font, size, colour and place that a calibration
render (numbered 1 and 1234567890, left and right pages) measured.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name

from packager.pdf import fonts

if TYPE_CHECKING:
    from packager.pdf.join import Piece

FOLIO_FONT = Name("/PackagerFolio")


@dataclass(frozen=True)
class Folio:
    """Where and how a theme prints the page number on one kind of page."""

    font: str  # sha256 of the font program
    size: float
    color: tuple[float, ...]
    x: float  # the anchor: left edge, centre or right edge, by `align`
    y: float
    align: str  # "left", "center" or "right"
    digits: tuple[tuple[str, int], ...]  # "0".."9" -> glyph id
    widths: tuple[tuple[int, float], ...]  # glyph id -> width in 1/1000 em

    def content(self, number: int) -> bytes:
        digits, widths = dict(self.digits), dict(self.widths)
        glyphs = [digits[d] for d in str(number)]
        width = sum(widths.get(g, 0.0) for g in glyphs) / 1000 * self.size
        x = self.x - {"left": 0.0, "center": width / 2, "right": width}[self.align]
        color = " ".join(f"{c:.4f}" for c in self.color)
        operator = {1: "g", 3: "rg", 4: "k"}.get(len(self.color), "g")
        text = "".join(f"{g:04x}" for g in glyphs)
        return (
            f"q {color} {operator} BT {FOLIO_FONT} {self.size:.4f} Tf "
            f"1 0 0 1 {x:.3f} {self.y:.3f} Tm <{text}> Tj ET Q\n"
        ).encode()


@dataclass(frozen=True)
class FolioStyle:
    """The theme's folios on a story's first page, on left pages and on right pages."""

    first: Folio | None  # a story's first page, on the right (always, in print)
    left: Folio | None
    right: Folio | None
    font_pdf: bytes = b""  # a PDF whose first page uses the folio font (for its dictionary)
    first_left: Folio | None = None  # a story's first page on the left (on screen)

    def for_page(self, first: bool, right: bool) -> Folio | None:
        if first:
            return self.first if right else self.first_left
        return self.right if right else self.left


LONG_NUMBER = 1234567890  # every digit once: calibration learns each digit's glyph


def calibrate(short: bytes, long: bytes, short_left: bytes, long_left: bytes) -> FolioStyle:
    """Measure the theme's folios from two renders of the same pages.

    ``short`` numbers its three pages 1, 2, 3; ``long`` numbers them from
    LONG_NUMBER. Both have no running heads, so the only text on a page is its
    folio. Comparing a short and a long number on the same page tells whether
    the folio is aligned left, centred or right. ``short_left`` and
    ``long_left`` are one page each, a first page on the left.
    """
    with (
        pikepdf.open(io.BytesIO(short)) as a,
        pikepdf.open(io.BytesIO(long)) as b,
        pikepdf.open(io.BytesIO(short_left)) as a_left,
        pikepdf.open(io.BytesIO(long_left)) as b_left,
    ):
        learned = _learn_digits(b)
        first, left, right = (_measure(a, b, i, learned) for i in range(3))
        first_left = _measure(a_left, b_left, 0, learned)
    return FolioStyle(first, left, right, long, first_left)


def _measure(
    a: pikepdf.Pdf,
    b: pikepdf.Pdf,
    index: int,
    learned: tuple[dict[str, int], dict[int, float], str] | None,
) -> Folio | None:
    """The folio of page ``index``, from its short (``a``) and long (``b``) numbers."""
    run_a = _only_run(a, index)
    run_b = _only_run(b, index)
    if run_a is None or run_b is None or learned is None:
        return None
    digits, widths, font_sha = learned
    align, x = _alignment(run_a.x, run_a.width(widths), run_b.x, run_b.width(widths))
    return Folio(
        font=font_sha,
        size=run_a.size,
        color=run_a.color,
        x=x,
        y=run_a.y,
        align=align,
        digits=tuple(sorted(digits.items())),
        widths=tuple(sorted(widths.items())),
    )


@dataclass
class _Run:
    font: pikepdf.Object
    size: float
    x: float
    y: float
    color: tuple[float, ...]
    glyphs: list[int] = field(default_factory=list)

    def width(self, widths: Mapping[int, float]) -> float:
        return sum(widths.get(g, 0.0) for g in self.glyphs) / 1000 * self.size


def _alignment(x_a: float, w_a: float, x_b: float, w_b: float) -> tuple[str, float]:
    if abs(x_a - x_b) < 0.5:
        return "left", x_a
    if abs((x_a + w_a) - (x_b + w_b)) < 0.5:
        return "right", x_a + w_a
    return "center", x_a + w_a / 2


def _learn_digits(doc: pikepdf.Pdf) -> tuple[dict[str, int], dict[int, float], str] | None:
    run = _only_run(doc, 0)
    if run is None or len(run.glyphs) != len(str(LONG_NUMBER)):
        return None
    digits = {d: g for d, g in zip(str(LONG_NUMBER), run.glyphs, strict=True)}
    widths = fonts.parse_widths(run.font.DescendantFonts[0].get("/W", Array()))
    sha = fonts.program_sha(run.font)
    return (digits, widths, sha) if sha else None


def _only_run(doc: pikepdf.Pdf, index: int) -> _Run | None:
    if index >= len(doc.pages):
        return None
    runs = list(_text_runs(doc.pages[index]))
    return runs[0] if len(runs) == 1 else None


def _text_runs(page: pikepdf.Page) -> Iterator[_Run]:
    """Each text-showing operation of a page: its font, size, origin and glyphs."""
    page_fonts = page.obj.Resources.get("/Font", Dictionary())
    ctm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    color: tuple[float, ...] = (0.0,)
    stack: list[tuple[tuple[float, ...], tuple[float, ...]]] = []
    tm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    font: pikepdf.Object | None = None
    size = 0.0
    for instruction in pikepdf.parse_content_stream(page):
        operands, op = instruction.operands, str(instruction.operator)
        if op == "q":
            stack.append((ctm, color))
        elif op == "Q" and stack:
            ctm, color = stack.pop()
        elif op == "cm":
            ctm = _multiply(tuple(float(v) for v in operands), ctm)
        elif op in ("rg", "g", "k"):
            color = tuple(float(v) for v in operands)
        elif op == "Tm":
            tm = tuple(float(v) for v in operands)
        elif op == "Tf":
            font, size = page_fonts.get(str(operands[0])), float(operands[1])
        elif op in ("TJ", "Tj") and font is not None:
            matrix = _multiply(tm, ctm)
            scale = (matrix[2] ** 2 + matrix[3] ** 2) ** 0.5
            items = operands[0] if op == "TJ" else [operands[0]]
            glyphs: list[int] = []
            for item in items:
                if isinstance(item, pikepdf.String):
                    raw = bytes(item)
                    glyphs += [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            yield _Run(font, size * scale, matrix[4], matrix[5], color, glyphs)


def _multiply(m: Sequence[float], n: Sequence[float]) -> tuple[float, ...]:
    """m x n for PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def folios_font(
    book: pikepdf.Pdf, folios: FolioStyle | None
) -> tuple[pikepdf.Object, str, set[int]] | None:
    """The folio font's dictionary copied into the book, with the glyphs folios need."""
    if folios is None or not folios.font_pdf:
        return None
    style = folios.right or folios.left or folios.first
    if style is None:
        return None
    with pikepdf.open(io.BytesIO(folios.font_pdf)) as source:
        run = _only_run(source, 0)
        if run is None:
            return None
        font = book.copy_foreign(run.font)
    return font, style.font, {g for _, g in style.digits}


def print_folios(
    book: pikepdf.Pdf,
    pieces: Sequence[Piece],
    starts: Sequence[int],
    folios: FolioStyle,
    font: pikepdf.Object,
    artifact: bool = False,
    rtl: bool = False,
) -> None:
    """Each story page's folio, in the theme's style for its side of the spread.

    A recto (odd number) is a right-hand page, or a left-hand one in a
    right-to-left book (``rtl``): the folio takes the side the page is on.
    """
    for piece, start in zip(pieces, starts, strict=True):
        if piece.folio is None:
            continue
        for offset in range(piece.part.pages):
            number = piece.folio + offset
            style = folios.for_page(first=offset == 0, right=(number % 2 == 1) != rtl)
            if style is None:
                continue
            page = book.pages[start + offset]
            resources = page.obj.Resources
            if "/Font" not in resources:
                resources.Font = Dictionary()
            resources.Font[FOLIO_FONT] = font
            # Wrap the page's own drawing so its graphics state cannot leak.
            page.contents_add(book.make_stream(b"q\n"), prepend=True)
            folio = style.content(number)
            if artifact:  # PDF/UA: page furniture is an artifact, outside the structure
                folio = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n" + folio + b"\nEMC"
            page.contents_add(book.make_stream(b"\nQ\n" + folio))
