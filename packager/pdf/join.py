"""Join rendered parts into one book PDF (pikepdf, used only in packager/pdf/).

Parts arrive as separate PDFs (laid out in any process, or taken from the
cache). Joining them:

* their font programs are detached when they are rendered (``detach_fonts``)
  and attached once here, each subset to the glyphs the whole book uses, so
  the book embeds every font once (packager.pdf.fonts);
* story pages get their folios, drawn with the theme's folio style measured
  from a calibration render (packager.pdf.folios), so a story's layout never
  depends on the page it starts on;
* bookmarks, links between parts, page labels and metadata are written for
  the whole book.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

from packager.pdf import fonts, tags, weasyfonts
from packager.pdf import pieces as pieces_info
from packager.pdf.folios import FolioStyle, folios_font, print_folios
from packager.pdf.weasy import Anchor, Bookmark, Link, RenderedPart

_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_MARK = "/PackagerFont"  # on a detached font file: the sha256 of its program


def detach_fonts(
    pdf: bytes, laid_out: Mapping[str, bytes] | None = None
) -> tuple[bytes, dict[str, bytes]]:
    """Take the font programs out of a PDF: (the PDF with empty stubs, {sha: program}).

    ``laid_out`` holds the programs the renderer kept for its stubs
    (packager.pdf.weasyfonts), by sha256.
    """
    programs: dict[str, bytes] = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for descriptor in _font_descriptors(doc):
            for key in _FONT_FILES:
                stream = descriptor.get(key)
                if isinstance(stream, pikepdf.Stream) and _MARK not in stream:
                    data = stream.read_bytes()
                    sha = weasyfonts.stub_sha(data)
                    if sha is None:
                        sha = hashlib.sha256(data).hexdigest()
                    else:
                        data = (laid_out or {})[sha]
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


def take_pages(runs: Sequence[tuple[bytes, int, int]]) -> bytes:
    """One PDF of pages ``first`` to ``stop`` (exclusive) of each PDF, in order (the runs
    of a story laid out in slices, packager.pdf.slices; named links are dropped at the join)."""
    joined = pikepdf.new()
    opened = []
    for data, first, stop in runs:
        source = pikepdf.open(io.BytesIO(data))
        _drop_named_links(source)
        opened.append(source)
        joined.pages.extend(source.pages[first:stop])
    out = io.BytesIO()
    joined.save(out, deterministic_id=True, compress_streams=True)
    for source in opened:
        source.close()
    return out.getvalue()


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
    rtl: bool = False,
    subset: fonts.Subset | None = None,
) -> bytes:
    """One PDF of all pieces, in order, with shared fonts, folios, outline and links.

    ``bleed`` (points) sets every page's BleedBox that far beyond its TrimBox.
    With ``tagged`` (parts made by WeasyPrint's pdf/ua-1 variant), the parts'
    structure trees are joined into one, so the book stays a tagged PDF.
    ``rtl``: a right-to-left book, whose rectos (odd pages) are left-hand pages.
    ``subset`` makes the fonts' subsets (``fonts.subset_font`` unless given).
    """
    book = pikepdf.new()
    starts: list[int] = []
    opened = []
    for piece in pieces:
        source = pikepdf.open(io.BytesIO(piece.part.pdf))
        _drop_named_links(source)
        opened.append(source)
        starts.append(len(book.pages))
        book.pages.extend(source.pages)
    structure = tags.join(book, opened, starts) if tagged else None
    folio_font = folios_font(book, folios)
    fonts.share(book, programs, extra=folio_font, make_subset=subset)
    if folios is not None and folio_font is not None:
        print_folios(book, pieces, starts, folios, folio_font[0], artifact=tagged, rtl=rtl)
    if rtl:  # viewers show the spreads right to left (ISO 32000-1, 12.2, Direction)
        book.Root.ViewerPreferences = Dictionary(Direction=Name.R2L)
    _outline(book, pieces, starts)
    _links(book, pieces, starts, structure)
    if structure is not None:
        structure.finish()
    front = sum(p.part.pages for p in pieces if p.front)
    _page_labels(book, front)
    _boxes(book, bleed)
    spans = [
        (start, p.part.pages, p.id, p.kind, p.matter)
        for p, start in zip(pieces, starts, strict=True)
    ]
    pieces_info.write(book, spans, meta.date)
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


def _drop_named_links(part: pikepdf.Pdf) -> None:
    """Remove a part's links to its own named destinations (a note's call, its backlink).

    WeasyPrint links within a part by name; names do not survive the join, so
    every internal link is written again by ``_links``, to a page and place.
    """
    if "/Names" in part.Root and "/Dests" in part.Root.Names:
        del part.Root.Names.Dests
    for page in part.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        kept = [a for a in annots if not isinstance(a.get("/Dest"), pikepdf.String | Name)]
        if len(kept) != len(annots):
            page.obj.Annots = Array(kept)


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
                structure.tag_link(book, annotation, start + link.page, _link_text(link, titles))


_NOTE_ANCHOR = re.compile(r"-(note|ref)-([0-9]+)(?:-[0-9]+)?$")  # packager.book.notes' ids


def _link_text(link: Link, titles: Mapping[str, str]) -> str:
    """What a tagged link says it does: "Go to note 3", "Back to the text", "Go to <title>"."""
    note = _NOTE_ANCHOR.search(link.anchor)
    if note is not None:
        return f"Go to note {note.group(2)}" if note.group(1) == "note" else "Back to the text"
    return f"Go to {titles.get(link.anchor, link.anchor)}"


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
