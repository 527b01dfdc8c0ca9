"""Render one part of the book to PDF with WeasyPrint: the only module that imports it.

A part is one HTML document (a story, the contents, the title page). Stories
are rendered without folios, so that a rendered story does not depend on the
page it will start on: it can be laid out in any process, in any order, and
reused from the cache when it has not changed. packager.pdfbook joins the
parts and writes the folios with the real numbers.

WeasyPrint may only read the book's own resources: the URL fetcher serves
files from Book.resources (collected from SOURCE and the theme) and refuses
everything else, so no network request and no other local file.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from packager.pdf import weasyload  # noqa: F401  (first: WeasyPrint's libraries, opened fast)

# isort: split
import weasyprint
from weasyprint import CSS, HTML, Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from packager.model import Fallback, Resource
from packager.pdf import (
    storymarkup,
    textstream,
    weasyboxes,
    weasydraw,
    weasyfixes,
    weasyfonts,
    weasysheets,
)

weasydraw.apply()
weasyfixes.apply()
weasysheets.apply()

# Resources are addressed under a host that can never resolve (RFC 2606).
BASE_URL = "https://book.invalid/"
PX = 0.75  # CSS pixels to PDF points


def _empty_margin_boxes(edge: str) -> CSS:
    """A stylesheet that empties every margin box along the top or bottom edge."""
    boxes = ("left-corner", "left", "center", "right", "right-corner")
    rules = " ".join(f"@{edge}-{box} {{ content: none !important }}" for box in boxes)
    return CSS(string=f"@page {{ {rules} }}")


# Stories are drawn without folios: the contract with themes is that folios
# live in the bottom margin boxes and running heads in the top ones.
_NO_FOLIOS = _empty_margin_boxes("bottom")
_NO_HEADS = _empty_margin_boxes("top")
# The first page is a verso: a left-hand page, or a right-hand one when the
# document is right to left (CSS Paged Media 3, 4.1 and CSS Fragmentation 3:
# the root's break-before decides; WeasyPrint's layout.initialize_page_maker
# reads it, and starts a right-to-left root on a left-hand recto by default).
_VERSO_FIRST = CSS(string="html { break-before: verso }")

# WeasyPrint's notes about the machine rather than the book: without the system
# HarfBuzz-Subset library it would subset fonts with fontTools (not used here:
# fonts are subset once for the whole book), and a link that points into
# another part is resolved when the parts are joined.
_NOT_PROBLEMS = ("Using fontTools instead of HarfBuzz-Subset", "No anchor #")
_NOT_IN_BOOK = "is not part of the book"

VERSION = weasyprint.__version__


@dataclass(frozen=True)
class Bookmark:
    level: int
    label: str
    page: int  # 0-based, within the part
    x: float  # PDF points from the bottom-left corner
    y: float


@dataclass(frozen=True)
class Anchor:
    name: str
    page: int
    x: float
    y: float


@dataclass(frozen=True)
class Link:
    page: int
    rect: tuple[float, float, float, float]  # x1, y1, x2, y2 in PDF points
    anchor: str


@dataclass(frozen=True)
class RenderedPart:
    """A part laid out and written as a PDF of its own, with what joining it needs."""

    pdf: bytes
    pages: int
    bookmarks: tuple[Bookmark, ...] = ()
    anchors: tuple[Anchor, ...] = ()
    links: tuple[Link, ...] = ()  # internal links, to be resolved across parts
    messages: tuple[str, ...] = ()
    starts: tuple[int, ...] = ()  # per page: where it begins in the part's text (pagelist)
    long_notes: tuple[str, ...] = ()  # ids of footnotes too tall for the foot of a page
    turned: tuple[int, ...] = ()  # paragraphs to begin on a new page (weasyboxes.strays)
    strays: int = 0  # footnotes not on the page of their call
    cuts: tuple[weasyboxes.Cut, ...] = ()  # where a run of pages may end (weasyboxes.clean_starts)


class BookFetcher(URLFetcher):  # type: ignore[misc]
    """Serve the book's resources from memory; refuse every other URL."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        super().__init__(allowed_protocols=())
        self._files = {BASE_URL + r.href: r for r in resources}
        self._origins: dict[str, str] | None = None
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        resource = self._files.get(url.split("#", 1)[0])
        if resource is None:
            self.refused.append(url)
            raise ValueError(f"{_shown(url)} {_NOT_IN_BOOK}")
        return URLFetcherResponse(url, resource.data, {"Content-Type": resource.media_type})

    def refusal(self, url: str) -> str:
        """The warning for a refused address, naming the stylesheet that asked for it."""
        if self._origins is None:
            self._origins = self._find_origins()
        origin = self._origins.get(url.split("#", 1)[0])
        return f"refused to load {_shown(url)}" + (f" (from {origin})" if origin else "")

    def _find_origins(self) -> dict[str, str]:
        """Every address the book's stylesheets name, resolved as WeasyPrint resolves it."""
        from packager.book.stylesheets import references  # only needed when something is refused

        origins: dict[str, str] = {}
        for href, resource in self._files.items():
            if resource.media_type == "text/css":
                css = resource.data.decode("utf-8", "replace")
                for address, line in references(css):
                    target = urljoin(href, address.strip()).split("#", 1)[0]
                    origins.setdefault(target, f"{resource.href}, line {line}")
        return origins


def _shown(url: str) -> str:
    return "a data: URL" if url.lower().startswith("data:") else url


class Renderer:
    """Lays out parts of one book; one per process (fonts are loaded once)."""

    def __init__(
        self,
        resources: Sequence[Resource],
        variant: str | None = None,
        fallbacks: Sequence[Fallback] = (),
    ) -> None:
        self.fetcher = BookFetcher(resources)
        self.fonts = weasyfonts.BookFonts()
        self.variant = variant  # e.g. "pdf/ua-1": WeasyPrint tags the part's structure
        self.fallbacks = tuple(fallbacks)  # the script fonts the book needs, in its stacks
        self.programs: dict[str, bytes] = {}  # every font program laid out here, by sha256
        self.stylesheets: weasysheets.Kept = {}  # the parts' sheets, parsed once (see there)

    def render(
        self,
        html: str,
        href: str,
        *,
        first_number: int | None = None,
        folios: bool = True,
        heads: bool = True,
        left: bool = False,
        turned: tuple[int, ...] = (),
        cuts: bool = False,
    ) -> RenderedPart:
        """Lay out and write one part. ``first_number`` sets its first folio.

        ``left``: the part starts on a verso, an even page: a left-hand page, or a
        right-hand one in a right-to-left book (else on a recto). ``turned``: the
        paragraphs (by place in document order, weasyboxes.strays) that begin a page.
        ``cuts``: find the pages that begin with a block of their own (storymarkup.MARK).
        """
        sheets = []
        if first_number is not None:
            sheets.append(CSS(string=f"@page :first {{ counter-reset: page {first_number} }}"))
        if not folios:
            sheets.append(_NO_FOLIOS)
        if not heads:
            sheets.append(_NO_HEADS)
        if left:
            sheets.append(_VERSO_FIRST)
        refused_before = len(self.fetcher.refused)
        with (
            _messages() as messages,
            weasyfonts.stubbed(self.programs),
            weasyfonts.stacks(self.fallbacks),
            weasyfonts.actual_text(),
            weasysheets.kept(self.stylesheets),
        ):
            document = HTML(string=html, base_url=BASE_URL + href, url_fetcher=self.fetcher)
            _turn_page_before(document.etree_element, turned)
            rendered = document.render(font_config=self.fonts, stylesheets=sheets)
            data = rendered.write_pdf(pdf_variant=self.variant)
        starts = textstream.align(
            textstream.stream_text(document.etree_element), weasyboxes.page_texts(rendered)
        )
        long_notes = weasyboxes.long_notes(rendered)
        keep, strays = weasyboxes.strays(rendered, document.etree_element)
        # WeasyPrint logs each refusal too ("Failed to load image at ..."): once is enough.
        kept = [m for m in messages if _NOT_IN_BOOK not in m]
        asked = dict.fromkeys(self.fetcher.refused[refused_before:])
        refused = [self.fetcher.refusal(url) for url in asked]
        said = tuple(dict.fromkeys([*kept, *refused]))
        part = _describe(rendered, data, said, starts, long_notes)
        clean = (
            weasyboxes.clean_starts(rendered, storymarkup.MARK, storymarkup.PIECE) if cuts else ()
        )
        return dataclasses.replace(
            part, turned=tuple(sorted({*turned, *keep})), strays=strays, cuts=clean
        )


def _turn_page_before(root: Any, places: tuple[int, ...]) -> None:
    """A page break before the elements at these places in document order (the style
    attribute: WeasyPrint reads it when it lays out, after parsing)."""
    wanted = set(places)
    for i, el in enumerate(root.iter()):
        if i in wanted:
            style = (el.get("style") or "").strip().rstrip(";")
            el.set("style", (style + "; " if style else "") + "break-before: page")


def _describe(
    document: Document,
    data: bytes,
    messages: tuple[str, ...],
    starts: tuple[int, ...],
    long_notes: tuple[str, ...] = (),
) -> RenderedPart:
    bookmarks: list[Bookmark] = []
    anchors: list[Anchor] = []
    links: list[Link] = []
    for number, page in enumerate(document.pages):
        height = page.height * PX
        for level, label, (x, y), _ in page.bookmarks:
            bookmarks.append(Bookmark(level, label, number, x * PX, height - y * PX))
        for name, (x, y, *_) in page.anchors.items():
            anchors.append(Anchor(name, number, x * PX, height - y * PX))
        found: list[Link] = []
        # Each rectangle is (x1, y1, x2, y2), whatever WeasyPrint 70's docstring says
        # (anchors.rectangle_aabb); every box inside a link repeats it (the <sup> of a call).
        for kind, target, (x1, y1, x2, y2), _ in page.links:
            if kind == "internal":
                rect = (x1 * PX, height - y2 * PX, x2 * PX, height - y1 * PX)
                found.append(Link(number, rect, target))
        found = list(dict.fromkeys(found))
        links.extend(link for link in found if not any(_inside(link, o) for o in found))
    return RenderedPart(
        data,
        len(document.pages),
        tuple(bookmarks),
        tuple(anchors),
        tuple(links),
        messages,
        starts,
        long_notes,
    )


def _inside(link: Link, other: Link) -> bool:
    """Whether ``link`` is another box of ``other``'s link, within its rectangle."""
    if link == other or link.anchor != other.anchor:
        return False
    (a, b, c, d), (e, f, g, h) = link.rect, other.rect
    return e <= a and f <= b and c <= g and d <= h


@contextmanager
def _messages() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors instead of letting them print."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = record.getMessage()
            if not text.startswith(_NOT_PROBLEMS):
                messages.append(text)

    logger = logging.getLogger("weasyprint")
    handler = Collect(level=logging.WARNING)
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved
