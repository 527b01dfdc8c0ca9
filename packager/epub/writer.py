"""write_epub(book) -> bytes: the only module that imports ebooklib.

ebooklib builds the package (OPF metadata, manifest, spine, the navigation
document and the NCX for older readers). Its archive is then rewritten so that
two builds of the same book are byte-identical: ebooklib stamps wall-clock
times into the zip entries and, unless told otherwise, invents a random uuid
and the current time as dcterms:modified.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Sequence

from ebooklib import epub
from lxml import etree

from packager.book.labels import Labels, for_book
from packager.epub import accessibility
from packager.epub.zipper import FixedZip
from packager.model import Book, PageTarget, Part, TocEntry

_XHTML = "application/xhtml+xml"
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
_W3CDTF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_MARC_EDITOR = "edt"
NAV_DEPTH = 2  # the levels Kindle shows; Kobo and Apple Books show as many or more


def write_epub(book: Book) -> bytes:
    """The EPUB 3 file of the book, reproducibly packed."""
    settings = book.settings
    labels = for_book(settings)
    eb = epub.EpubBook()
    eb.set_identifier(settings.identifier)
    eb.set_title(settings.title)
    eb.set_language(settings.language)
    if labels.direction == "rtl":
        # The spine's page-progression-direction: pages turn right to left.
        eb.set_direction("rtl")
    eb.metadata[epub.NAMESPACES["OPF"]].pop("generator", None)  # names an ebooklib version
    for i, editor in enumerate(settings.editors, start=1):
        eb.add_author(editor, role=_MARC_EDITOR, uid=f"editor-{i}")
    authors = _story_authors(book)
    for i, author in enumerate(authors, start=1):
        eb.add_metadata("DC", "contributor", author, {"id": f"author-{i}"})
        eb.add_metadata(
            None,
            "meta",
            "aut",
            {"refines": f"#author-{i}", "property": "role", "scheme": "marc:relators"},
        )
    if _W3CDTF.match(settings.date):
        eb.add_metadata("DC", "date", settings.date)
    for name, value in (
        ("description", settings.description),
        ("publisher", settings.publisher),
        ("rights", settings.rights),
    ):
        if value:
            eb.add_metadata("DC", name, value)
    if settings.version:  # schema.org's CreativeWork version; "schema:" is a reserved prefix
        eb.add_metadata(None, "meta", settings.version, {"property": "schema:version"})

    found = accessibility.audit(_documents(book))
    for prop, value in accessibility.metadata(found, page_list=bool(book.pages), labels=labels):
        eb.add_metadata(None, "meta", value, {"property": prop})
    if book.pages:
        # Which edition the page numbers are of (EPUB Accessibility 1.1, "Page source"):
        # a dc:source refined as the source of the pagination, as DAISY Ace reads it.
        eb.add_metadata("DC", "source", page_source(book), {"id": "page-source"})
        eb.add_metadata(
            None, "meta", "pagination", {"refines": "#page-source", "property": "source-of"}
        )

    for res in book.resources:
        if not res.in_epub:
            continue
        item = epub.EpubItem(
            uid=_item_id(res.href), file_name=res.href, media_type=res.media_type, content=res.data
        )
        if res.href == book.cover_href:
            item.properties = ["cover-image"]
            # EPUB 2 readers (and Kindle) find the cover through this meta.
            eb.add_metadata(None, "meta", "", {"name": "cover", "content": item.id})
        eb.add_item(item)

    spine = []
    for part in _epub_parts(book):
        doc = epub.EpubItem(
            uid=part.id, file_name=part.href, media_type=_XHTML, content=part.xhtml.encode("utf-8")
        )
        eb.add_item(doc)
        spine.append(doc)
    eb.add_item(epub.EpubNcx())
    direction = "rtl" if labels.direction == "rtl" else None
    eb.add_item(epub.EpubNav(title=labels.text("contents"), direction=direction))
    eb.spine = spine
    toc = flatten(_full_toc(book), NAV_DEPTH)
    eb.toc = [_toc_item(entry, f"toc-{i}") for i, entry in enumerate(toc, start=1)]
    eb.guide = _landmarks(book, labels)

    modified = dt.datetime.strptime(settings.modified, "%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    options = {
        "raise_exceptions": True,
        "mtime": modified,
        "epub3_pages": False,
        "landmark_title": labels.text("landmarks"),
        "package_direction": labels.direction == "rtl",  # <package dir="rtl">
    }
    writer = _ReproducibleWriter(out, eb, options)
    writer.pages = book.pages
    writer.labels = labels
    writer.process()
    writer.write()
    return out.getvalue()


def page_source(book: Book) -> str:
    """The edition whose pages the page list mirrors: the PDF built with this EPUB."""
    settings = book.settings
    if settings.pdf == "screen":
        about = ["screen PDF edition"]
    else:
        about = [f"print edition, {settings.page_size}"]
    about += [settings.edition] if settings.edition else []
    about += [f"version {settings.version}"] if settings.version else []
    return f"{settings.title} ({', '.join(about)})"


def _epub_parts(book: Book) -> list[Part]:
    return [p for p in book.parts if p.in_epub]


def _documents(book: Book) -> list[tuple[str, str]]:
    return [(part.href, part.xhtml) for part in _epub_parts(book)]


def _story_authors(book: Book) -> list[str]:
    seen: dict[str, None] = {}
    for part in book.parts:
        if part.kind == "story" and part.author:
            seen.setdefault(part.author, None)
    return [a for a in seen if a not in book.settings.editors]


def _full_toc(book: Book) -> list[TocEntry]:
    """The navigation: front matter pages, every story with its chapters, back matter."""
    parts = _epub_parts(book)
    front = [TocEntry(p.title, p.href) for p in parts if p.matter == "front" and p.kind != "cover"]
    back = [TocEntry(p.title, p.href) for p in parts if p.matter == "back"]
    return [*front, *book.toc, *back]


def flatten(entries: Sequence[TocEntry], depth: int) -> list[TocEntry]:
    """The tree cut to ``depth`` levels: deeper entries follow their ancestor at the last level.

    Kindle shows two levels of the navigation and drops the rest (Kindle
    Publishing Guidelines, "Navigation"); flattened, a third-level heading is
    still reachable, in reading order.
    """
    out = []
    for entry in entries:
        if depth <= 1:
            out.append(TocEntry(entry.title, entry.href))
            out.extend(flatten(entry.children, 1))
        else:
            out.append(TocEntry(entry.title, entry.href, tuple(flatten(entry.children, depth - 1))))
    return out


def _toc_item(entry: TocEntry, uid: str) -> object:
    if not entry.children:
        return epub.Link(entry.href, entry.title, uid)
    children = [_toc_item(c, f"{uid}-{i}") for i, c in enumerate(entry.children, start=1)]
    return (epub.Link(entry.href, entry.title, uid), children)


def _landmarks(book: Book, labels: Labels) -> list[dict[str, str]]:
    marks = []
    for part in _epub_parts(book):
        if part.kind == "cover":
            marks.append({"type": "cover", "href": part.href, "title": labels.text("cover")})
        elif part.kind == "imprint":
            # An EPUB 2 guide type and an EPUB 3 landmark (Structural Semantics Vocabulary).
            title = labels.text("copyright")
            marks.append({"type": "copyright-page", "href": part.href, "title": title})
        elif part.kind == "contents":
            marks.append({"type": "toc", "href": part.href, "title": labels.text("contents")})
    first = next((p for p in book.parts if p.matter == "body"), None)
    if first is not None:
        # "text" is EPUB 2's guide type; ebooklib maps it to the bodymatter landmark.
        title = labels.text("start_of_stories")
        marks.append({"type": "text", "href": first.href, "title": title})
    return marks


def _item_id(href: str) -> str:
    return "res-" + re.sub(r"[^A-Za-z0-9_-]+", "-", href).strip("-")


APPLE_OPTIONS = "com.apple.ibooks.display-options.xml"
_APPLE_FONTS = (
    '<?xml version="1.0" encoding="utf-8"?>\n<display_options><platform name="*">'
    '<option name="specified-fonts">true</option></platform></display_options>\n'
)


class _ReproducibleWriter(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer, writing into a FixedZip (EpubWriter.write, ebooklib 0.20),
    with the print edition's page list in the navigation document and the NCX.

    ebooklib's own page list (option epub3_pages) takes every element with an
    epub:type and an id for a page, so it is off and the list is written here.
    """

    pages: tuple[PageTarget, ...] = ()
    labels: Labels = Labels("en")

    def _get_nav(self, item: epub.EpubNav) -> bytes:
        data: bytes = super()._get_nav(item)
        root = etree.fromstring(data)
        body = root.find(f"{{{_XHTML_NS}}}body")
        assert body is not None
        # Each entry isolated in its own direction: a Hebrew title in an English
        # book (or the reverse) never scrambles its neighbours.
        for link in body.iter(f"{{{_XHTML_NS}}}a"):
            link.set("dir", "auto")
        if not self.pages:
            return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))
        nav = etree.SubElement(
            body,
            f"{{{_XHTML_NS}}}nav",
            {_EPUB_TYPE: "page-list", "role": "doc-pagelist", "hidden": "hidden"},
        )
        etree.SubElement(nav, f"{{{_XHTML_NS}}}h2").text = self.labels.text("pages")
        ol = etree.SubElement(nav, f"{{{_XHTML_NS}}}ol")
        for page in self.pages:
            li = etree.SubElement(ol, f"{{{_XHTML_NS}}}li")
            etree.SubElement(li, f"{{{_XHTML_NS}}}a", {"href": page.href}).text = page.label
        return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))

    def _get_ncx(self) -> bytes:
        data: bytes = super()._get_ncx()
        if not self.pages:
            return data
        root = etree.fromstring(data)
        ns = f"{{{_NCX_NS}}}"
        numbers = [int(p.label) for p in self.pages if p.label.isdigit()]
        for meta in root.iterfind(f"{ns}head/{ns}meta"):
            if meta.get("name") == "dtb:totalPageCount":
                meta.set("content", str(len(self.pages)))
            elif meta.get("name") == "dtb:maxPageNumber":
                meta.set("content", str(max(numbers, default=0)))
        page_list = etree.SubElement(root, f"{ns}pageList")
        label = etree.SubElement(page_list, f"{ns}navLabel")
        etree.SubElement(label, f"{ns}text").text = self.labels.text("pages")
        for i, page in enumerate(self.pages, start=1):
            target = etree.SubElement(
                page_list,
                f"{ns}pageTarget",
                {"id": f"pt-{i}", "type": "normal" if page.label.isdigit() else "front"},
            )
            if page.label.isdigit():
                target.set("value", page.label)
            label = etree.SubElement(target, f"{ns}navLabel")
            etree.SubElement(label, f"{ns}text").text = page.label
            etree.SubElement(target, f"{ns}content", {"src": page.href})
        return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))

    def write(self) -> None:
        modified = self.options["mtime"]
        self.out = FixedZip(self.file_name, "w")
        # A zip entry holds a date from 1980 to 2107.
        self.out.stamp = min(
            max(modified, dt.datetime(1980, 1, 1)), dt.datetime(2107, 12, 31, 23, 59, 58)
        ).timetuple()[:6]
        # An attribute's value (html, not xml.sax.saxutils: that imports urllib.request).
        self.out.lang = html.escape(self.book.language or "", quote=False).replace('"', "&quot;")
        try:
            self.out.writestr("mimetype", "application/epub+zip")
            self._write_container()
            if any(item.media_type.startswith("font/") for item in self.book.get_items()):
                # Apple Books shows embedded fonts only when told to (embed_fonts = true).
                self.out.writestr(f"META-INF/{APPLE_OPTIONS}", _APPLE_FONTS)
            self._write_opf()
            self._write_items()
        finally:  # also on an error: no deflating thread outlives the zip
            self.out.close()
