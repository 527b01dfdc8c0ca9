"""Join rendered parts into one book PDF: the only module that imports pikepdf.

Parts arrive as separate PDFs (laid out in any process, or taken from the
cache). Joining them:

* their font programs are detached when they are rendered (``detach_fonts``)
  and attached once here, each subset to the glyphs the whole book uses, so
  the book embeds every font once (packager.pdffonts);
* story pages get their folios, drawn with the theme's folio style measured
  from a calibration render (``FolioStyle``), so a story's layout never
  depends on the page it starts on;
* bookmarks, links between parts, page labels and metadata are written for
  the whole book.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

from packager.pdf import fonts, tags
from packager.pdf.weasy import Anchor, Bookmark, Link, RenderedPart

_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_MARK = "/PackagerFont"  # on a detached font file: the sha256 of its program
FOLIO_FONT = Name("/PackagerFolio")


def detach_fonts(pdf: bytes) -> tuple[bytes, dict[str, bytes]]:
    """Take the font programs out of a PDF: (the PDF with empty stubs, {sha: program})."""
    programs: dict[str, bytes] = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for descriptor in _font_descriptors(doc):
            for key in _FONT_FILES:
                stream = descriptor.get(key)
                if isinstance(stream, pikepdf.Stream) and _MARK not in stream:
                    data = stream.read_bytes()
                    sha = hashlib.sha256(data).hexdigest()
                    programs[sha] = data
                    stream.write(b"")
                    stream[_MARK] = pikepdf.String(sha)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue(), programs


def _font_descriptors(doc: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    for obj in doc.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == Name.FontDescriptor:
            yield obj


# -- folios -------------------------------------------------------------------


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


# -- the book -------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A run of pages of the book: a rendered part, or a blank page."""

    part: RenderedPart
    id: str = ""
    folio: int | None = None  # the first page's folio, when packager prints them (stories)
    front: bool = False  # numbered in roman numerals
    kind: str = ""  # the part's kind (story, contents, colophon...): "" for a blank page
    matter: str = ""  # front, body or back


@dataclass(frozen=True)
class Metadata:
    title: str
    authors: tuple[str, ...]
    description: str
    language: str
    date: str  # PDF date string, D:YYYYMMDDHHmmSSZ
    producer: str


def assemble(
    pieces: Sequence[Piece],
    programs: Mapping[str, bytes],
    folios: FolioStyle | None,
    meta: Metadata,
    *,
    bleed: float = 0.0,
    tagged: bool = False,
) -> bytes:
    """One PDF of all pieces, in order, with shared fonts, folios, outline and links.

    ``bleed`` (points) sets every page's BleedBox that far beyond its TrimBox.
    With ``tagged`` (parts made by WeasyPrint's pdf/ua-1 variant), the parts'
    structure trees are joined into one, so the book stays a tagged PDF.
    """
    book = pikepdf.new()
    starts: list[int] = []
    opened = []
    for piece in pieces:
        source = pikepdf.open(io.BytesIO(piece.part.pdf))
        opened.append(source)
        starts.append(len(book.pages))
        book.pages.extend(source.pages)
    structure = tags.join(book, opened, starts) if tagged else None
    folio_font = _folio_font(book, folios)
    fonts.share(book, programs, extra=folio_font)
    if folios is not None and folio_font is not None:
        _print_folios(book, pieces, starts, folios, folio_font[0], artifact=tagged)
    _outline(book, pieces, starts)
    _links(book, pieces, starts, structure)
    if structure is not None:
        structure.finish()
    front = sum(p.part.pages for p in pieces if p.front)
    _page_labels(book, front)
    _boxes(book, bleed)
    _piece_info(book, pieces, starts, meta.date)
    _metadata(book, meta)
    if tagged:
        tags.accessible(book, meta.title, meta.language)
    out = io.BytesIO()
    book.save(
        out,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        min_version="1.7",
    )
    for source in opened:
        source.close()
    return out.getvalue()


def _folio_font(
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


def _print_folios(
    book: pikepdf.Pdf,
    pieces: Sequence[Piece],
    starts: Sequence[int],
    folios: FolioStyle,
    font: pikepdf.Object,
    artifact: bool = False,
) -> None:
    for piece, start in zip(pieces, starts, strict=True):
        if piece.folio is None:
            continue
        for offset in range(piece.part.pages):
            number = piece.folio + offset
            style = folios.for_page(first=offset == 0, right=number % 2 == 1)
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


def _outline(book: pikepdf.Pdf, pieces: Sequence[Piece], starts: Sequence[int]) -> None:
    with book.open_outline() as outline:
        stack: list[tuple[int, pikepdf.OutlineItem]] = []
        for piece, start in zip(pieces, starts, strict=True):
            for mark in piece.part.bookmarks:
                item = _outline_item(mark, start)
                while stack and stack[-1][0] >= mark.level:
                    stack.pop()
                if stack:
                    stack[-1][1].children.append(item)
                else:
                    outline.root.append(item)
                stack.append((mark.level, item))


def _outline_item(mark: Bookmark, start: int) -> pikepdf.OutlineItem:
    return pikepdf.OutlineItem(
        mark.label,
        start + mark.page,
        pikepdf.PageLocation.XYZ,
        left=round(mark.x, 2),
        top=round(mark.y, 2),
    )


def _links(
    book: pikepdf.Pdf,
    pieces: Sequence[Piece],
    starts: Sequence[int],
    structure: tags.Structure | None = None,
) -> None:
    """Links from one part to another (the contents to the stories)."""
    targets: dict[str, tuple[int, Anchor]] = {}
    titles: dict[str, str] = {}
    for piece, start in zip(pieces, starts, strict=True):
        for anchor in piece.part.anchors:
            targets.setdefault(anchor.name, (start + anchor.page, anchor))
            if piece.part.bookmarks:
                titles.setdefault(anchor.name, piece.part.bookmarks[0].label)
    for piece, start in zip(pieces, starts, strict=True):
        for link in piece.part.links:
            annotation = _add_link(book, start, link, targets)
            if annotation is not None and structure is not None:
                title = titles.get(link.anchor, link.anchor)
                structure.tag_link(book, annotation, start + link.page, f"Go to {title}")


def _add_link(
    book: pikepdf.Pdf, start: int, link: Link, targets: Mapping[str, tuple[int, Anchor]]
) -> pikepdf.Object | None:
    found = targets.get(link.anchor)
    if found is None:
        return None
    page_index, anchor = found
    annotation = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([round(v, 3) for v in link.rect]),
        Border=Array([0, 0, 0]),
        Dest=Array(
            [book.pages[page_index].obj, Name.XYZ, round(anchor.x, 3), round(anchor.y, 3), 0]
        ),
    )
    page = book.pages[start + link.page].obj
    if "/Annots" not in page:
        page.Annots = Array()
    made = book.make_indirect(annotation)
    page.Annots.append(made)
    return made


def _boxes(book: pikepdf.Pdf, bleed: float) -> None:
    """TrimBox and BleedBox on every page, as a printer's preflight reads them.

    WeasyPrint writes the TrimBox (the CSS page box) but puts the BleedBox at
    most 10pt beyond it, whatever the bleed (weasyprint/pdf/__init__.py), and
    with crop marks the CSS bleed area also holds the marks: the BleedBox is
    set here from the real bleed, within the MediaBox.
    """
    for page in book.pages:
        media = [float(v) for v in page.obj.MediaBox]
        trim = [float(v) for v in page.obj.get("/TrimBox", page.obj.MediaBox)]
        box = [
            max(media[0], trim[0] - bleed),
            max(media[1], trim[1] - bleed),
            min(media[2], trim[2] + bleed),
            min(media[3], trim[3] + bleed),
        ]
        page.obj.TrimBox = Array([round(v, 3) for v in trim])
        page.obj.BleedBox = Array([round(v, 3) for v in box])


def _piece_info(
    book: pikepdf.Pdf, pieces: Sequence[Piece], starts: Sequence[int], date: str
) -> None:
    """Each page's part, kind and matter as page-piece data (PDF 1.3, ISO 32000-1 14.5).

    What binding needs to place blanks where the book wants them, kept in the
    PDF so that ``packager impose BOOK.pdf`` knows the book without its sources.
    """
    for piece, start in zip(pieces, starts, strict=True):
        private = Dictionary(Part=pikepdf.String(piece.id), Kind=pikepdf.String(piece.kind),
                             Matter=pikepdf.String(piece.matter))  # fmt: skip
        for offset in range(piece.part.pages):
            data = Dictionary(LastModified=pikepdf.String(date), Private=private)
            book.pages[start + offset].obj.PieceInfo = Dictionary(Packager=data)


def page_label(index: int, front: int) -> str:
    """The label of page ``index`` (from 0) of a book whose first ``front`` pages are roman."""
    return roman(index + 1) if index < front else str(index - front + 1)


def roman(number: int) -> str:
    """``number`` in lower-case roman numerals, as CSS's lower-roman counter style writes it."""
    out = []
    for value, letters in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def _page_labels(book: pikepdf.Pdf, front: int) -> None:
    """Page labels that match the printed folios: roman front matter, then 1, 2, 3..."""
    numbers: list[object] = []
    if front:
        numbers += [0, Dictionary(S=Name.r)]
    numbers += [front, Dictionary(S=Name.D, St=1)]
    book.Root.PageLabels = Dictionary(Nums=Array(numbers))


def _metadata(book: pikepdf.Pdf, meta: Metadata) -> None:
    info = book.docinfo
    info.Title = meta.title
    if meta.authors:
        info.Author = ", ".join(meta.authors)
    if meta.description:
        info.Subject = meta.description
    info.Creator = "packager"
    info.Producer = meta.producer
    info.CreationDate = meta.date
    info.ModDate = meta.date
    book.Root.Lang = pikepdf.String(meta.language)
