"""write_pdf(book) -> PdfOutput: the only module that imports WeasyPrint.

Each part of the book (title page, contents, each story, colophon) is laid
out as its own WeasyPrint document, then the pages are joined into one PDF.
Laying parts out separately keeps memory flat and lets a later version lay
stories out in parallel and cache them; the book stays one book because:

* a part's page count depends only on which side it starts on, and every
  part but the disclaimer starts on a right-hand page (a blank left page is
  inserted before it when needed), so start numbers are known in order;
* stories are numbered in arabic from 1 and the front matter in roman, so
  the contents page, laid out last, can print the real start pages;
* links and bookmarks are resolved over the joined pages, and fonts are
  shared by name, so each font is embedded once.

WeasyPrint may only read the book's own resources: the URL fetcher serves
files from Book.resources (collected from SOURCE and the theme) and refuses
everything else, so no network request and no other local file.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from packager.errors import warning
from packager.model import Book, Diagnostic, Part, Severity

# Resources are addressed under a host that can never resolve (RFC 2606).
BASE_URL = "https://book.invalid/"
_TARGET = re.compile(r'data-target="([^"]+)"')
# WeasyPrint's notes about the machine rather than the book: without the system
# HarfBuzz-Subset library it subsets fonts with fontTools, which works.
_ENVIRONMENT_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)


@dataclass(frozen=True)
class PdfOutput:
    data: bytes
    pages: int
    story_pages: dict[str, int]  # story id -> printed number of its first page
    diagnostics: tuple[Diagnostic, ...]


class _BookFetcher(URLFetcher):  # type: ignore[misc]
    """Serve the book's resources from memory; refuse every other URL."""

    def __init__(self, book: Book) -> None:
        super().__init__(allowed_protocols=())
        self._files = {BASE_URL + r.href: r for r in book.resources}
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        resource = self._files.get(url.split("#", 1)[0])
        if resource is None:
            self.refused.append(url)
            raise ValueError(f"{url} is not part of the book")
        return URLFetcherResponse(url, resource.data, {"Content-Type": resource.media_type})


def write_pdf(book: Book) -> PdfOutput:
    """Lay out every part, join the pages, and return the PDF with its page count."""
    fetcher = _BookFetcher(book)
    fonts = FontConfiguration()
    with _weasyprint_messages() as messages, _font_timestamps(book.settings.modified):

        def layout(html: str, href: str, first_number: int) -> Document:
            start = CSS(string=f"@page :first {{ counter-reset: page {first_number} }}")
            document = HTML(string=html, base_url=BASE_URL + href, url_fetcher=fetcher)
            return document.render(font_config=fonts, stylesheets=[start])

        links = "".join(f'<link rel="stylesheet" href="{h}"/>' for h in book.pdf_css)
        blank_html = f"<html><head>{links}</head><body class='blank'></body></html>"
        blank = layout(blank_html, "blank.html", 1).pages[0]

        def sequence(parts: list[Part], number_part: dict[str, int]) -> list[object]:
            pages: list[object] = []
            for part in parts:
                if part.recto and len(pages) % 2 == 1:
                    pages.append(blank)
                number_part[part.id] = len(pages) + 1
                html = part.print_html
                if part.kind == "contents":
                    html = _fill_contents(html, starts)
                pages.extend(layout(html, part.href, len(pages) + 1).pages)
            return pages

        starts: dict[str, int] = {}
        body = sequence([p for p in book.parts if p.matter != "front"], starts)
        front_starts: dict[str, int] = {}
        front = sequence([p for p in book.parts if p.matter == "front"], front_starts)
        if len(front) % 2 == 1:
            front.append(blank)  # the first story opens on a right-hand page

        joined = layout(blank_html, "blank.html", 1).copy([*front, *body])
        _set_metadata(joined, book)
        data = joined.write_pdf()
    problems = [
        Diagnostic(Severity.INFO, f"PDF: {m}")
        if m.startswith(_ENVIRONMENT_NOTICES)
        else warning(f"PDF: {m}")
        for m in dict.fromkeys(messages)
    ]
    problems.extend(warning(f"PDF: refused to load {url}") for url in fetcher.refused)
    story_pages = {k: v for k, v in starts.items() if k.startswith("story-")}
    return PdfOutput(data, len(front) + len(body), story_pages, tuple(problems))


def _fill_contents(html: str, starts: dict[str, int]) -> str:
    """Give each contents entry the printed number of the page its story starts on."""

    def number(match: re.Match[str]) -> str:
        page = starts.get(match.group(1))
        return match.group(0) + (f' data-page="{page}"' if page else "")

    return _TARGET.sub(number, html)


def _set_metadata(document: Document, book: Book) -> None:
    settings = book.settings
    meta = document.metadata
    meta.title = settings.title
    meta.authors = list(settings.editors)
    meta.description = settings.description or None
    meta.lang = settings.language
    meta.created = settings.modified
    meta.modified = settings.modified
    meta.generator = "packager"


@contextmanager
def _font_timestamps(modified: str) -> Iterator[None]:
    """Stamp subset fonts with the book's time, not the clock.

    Without the system HarfBuzz-Subset library WeasyPrint subsets fonts with
    fontTools, which writes the current time into each font's 'head' table
    unless SOURCE_DATE_EPOCH is set (fontTools.misc.timeTools.timestampNow).
    """
    moment = dt.datetime.strptime(modified, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


@contextmanager
def _weasyprint_messages() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors instead of letting them print."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

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
