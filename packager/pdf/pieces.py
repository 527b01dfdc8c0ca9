"""Each page's part as page-piece data (PDF 1.3, ISO 32000-1 14.5), written and read back.

The join writes, on every page of the book, which part it belongs to, the
part's kind (story, contents, colophon...) and its matter (front, body,
back), so that a tool given only the PDF (``packager impose BOOK.pdf``)
knows where the book's parts begin and which pages are blank. Any other PDF
is read from its outline (each top-level entry starts a part), its page
labels (roman numbers are front matter) and its contents (a page that
paints nothing is blank). Pages are measured by their TrimBox, never the MediaBox.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Dictionary, String

from packager.errors import PackagerError, error
from packager.text import locales

_PAINTS = frozenset(
    {"Tj", "TJ", "'", '"', "Do", "sh", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "BI"}
)


def write(book: pikepdf.Pdf, spans: Sequence[tuple[int, int, str, str, str]], date: str) -> None:
    """Mark pages: each span is (first page, pages, part id, kind, matter); "" id: a blank."""
    for start, count, part, kind, matter in spans:
        private = Dictionary(Part=String(part), Kind=String(kind), Matter=String(matter))
        for offset in range(count):
            data = Dictionary(LastModified=String(date), Private=private)
            book.pages[start + offset].obj.PieceInfo = Dictionary(Packager=data)


@dataclass(frozen=True)
class PdfPage:
    label: str
    part: str  # "" for a blank page
    kind: str  # the part's kind: "story", "contents"... ("" when unknown)
    matter: str  # front, body or back
    start: bool  # the first page of its part


@dataclass(frozen=True)
class BookPdf:
    pages: tuple[PdfPage, ...]
    trim: tuple[float, float]  # width, height in points
    bleed: float  # how far every page's BleedBox reaches past its TrimBox
    title: str
    language: str
    rtl: bool  # /ViewerPreferences /Direction /R2L, or a right-to-left language
    date: str  # the PDF's creation date (D:...), for reproducible outputs


def box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float]:
    """A page box, normalised (the TrimBox if the box is missing, then the MediaBox)."""
    obj = page.obj
    value = obj.get(name) or obj.get("/TrimBox") or obj.MediaBox
    x0, y0, x1, y1 = (float(v) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def open_pdf(data: bytes, label: str) -> pikepdf.Pdf:
    """Open a PDF; an error naming the file when it cannot be read."""
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        message = "the PDF is encrypted; give packager an unlocked copy"
        raise PackagerError([error(message, label)]) from None
    except pikepdf.PdfError as exc:
        raise PackagerError([error(f"not a PDF packager can read ({exc})", label)]) from None


def read_book(data: bytes, label: str) -> BookPdf:
    """The pages of a book PDF (parts, blanks, labels) and its trim; every page one trim."""
    with open_pdf(data, label) as pdf:
        if not len(pdf.pages):
            raise PackagerError([error("the PDF has no pages", label)])
        trims = [box(p, "/TrimBox") for p in pdf.pages]
        w, h = trims[0][2] - trims[0][0], trims[0][3] - trims[0][1]
        for i, t in enumerate(trims):
            if abs(t[2] - t[0] - w) > 0.5 or abs(t[3] - t[1] - h) > 0.5:
                message = (
                    f"page {i + 1}'s trim ({t[2] - t[0]:.1f} x {t[3] - t[1]:.1f} pt) is not "
                    f"page 1's ({w:.1f} x {h:.1f} pt): a book to bind has one trim size"
                )
                raise PackagerError([error(message, label)])
        bleeds = [
            min(t[0] - b[0], t[1] - b[1], b[2] - t[2], b[3] - t[3])
            for t, b in zip(trims, (box(p, "/BleedBox") for p in pdf.pages), strict=True)
        ]
        language = str(pdf.Root.get("/Lang", ""))
        prefs = pdf.Root.get("/ViewerPreferences")
        rtl = isinstance(prefs, Dictionary) and str(prefs.get("/Direction", "")) == "/R2L"
        info = pdf.docinfo
        return BookPdf(
            pages=tuple(_read(pdf) or _guessed(pdf)),
            trim=(round(w, 3), round(h, 3)),
            bleed=round(max(0.0, min(bleeds)), 3),
            title=str(info.get("/Title", "")),
            language=language,
            rtl=rtl or (bool(language) and locales.direction(language) == "rtl"),
            date=str(info.get("/CreationDate", "D:20000101000000Z")),
        )


def _labels(pdf: pikepdf.Pdf) -> list[str]:
    return [str(p.label) if p.label is not None else str(i + 1) for i, p in enumerate(pdf.pages)]


def _read(pdf: pikepdf.Pdf) -> list[PdfPage] | None:
    """The pages as the join marked them; None if the PDF was not marked."""
    found: list[PdfPage] = []
    previous = None
    for page, label in zip(pdf.pages, _labels(pdf), strict=True):
        pieces = page.obj.get("/PieceInfo")
        info = pieces.get("/Packager") if isinstance(pieces, Dictionary) else None
        private = info.get("/Private") if isinstance(info, Dictionary) else None
        if not isinstance(private, Dictionary):
            return None
        part, kind, matter = (str(private.get(k, "")) for k in ("/Part", "/Kind", "/Matter"))
        found.append(PdfPage(label, part, kind, matter or "body", bool(part) and part != previous))
        previous = part
    return found


def _guessed(pdf: pikepdf.Pdf) -> list[PdfPage]:
    """Parts from the outline's top level, matter from the labels, blanks from the contents."""
    index = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    starts: dict[int, str] = {}
    with pdf.open_outline() as outline:
        for n, item in enumerate(outline.root):
            dest = item.destination
            target = dest[0] if isinstance(dest, pikepdf.Array) and len(dest) else None
            if target is not None and target.objgen in index:
                starts.setdefault(index[target.objgen], f"part-{n + 1}")
    found = []
    part = "front" if 0 not in starts else ""
    for i, (page, label) in enumerate(zip(pdf.pages, _labels(pdf), strict=True)):
        part = starts.get(i, part)
        blank = not _paints(page)
        kind = "story" if part.startswith("part-") and not blank else ""
        matter = "body" if label.isdigit() else "front"
        found.append(PdfPage(label, "" if blank else part, kind, matter, i in starts))
    return found


def _paints(page: pikepdf.Page) -> bool:
    try:
        return any(str(op.operator) in _PAINTS for op in pikepdf.parse_content_stream(page))
    except pikepdf.PdfError:
        return True
