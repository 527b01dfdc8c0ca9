"""The PDF of a book: stories laid out in parallel (or taken from the cache), then joined.

    stories ──pmap(render, no folios)──▶ story PDFs ──┐      (cached by content)
    front matter, back matter, blank page ─render────┤      (numbers known: in order)
    calibration (the theme's folios) ─render──────────┤
                                                       └─join.assemble─▶ book PDF

A story's page count depends only on the side it starts on, and every story
starts on a right-hand page, so once all stories are laid out their first
page numbers follow in order; the contents page is laid out last, with them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from packager import __version__
from packager.errors import warning
from packager.model import Book, Diagnostic, PageStart, Part, Severity
from packager.pdf import folios, footnotes, join, layout, weasy
from packager.pdf.cache import Cache
from packager.pdf.tasks import Local, Runner, is_font
from packager.pdf.weasy import RenderedPart, Renderer
from packager.progress import Progress, Silent
from packager.text import locales

_TARGET = re.compile(r'data-target="([^"]+)"')


@dataclass(frozen=True)
class PdfOutput:
    data: bytes
    pages: int
    story_pages: dict[str, int]  # story id -> printed number of its first page
    diagnostics: tuple[Diagnostic, ...]
    laid_out: tuple[str, ...] = ()  # the stories laid out this time (the others were cached)
    page_starts: tuple[PageStart, ...] = ()  # every page: its label, part and first character
    retried: int = 0  # layout tasks run again because their worker died


VARIANTS = ("pdf/ua-1",)  # WeasyPrint's variants that survive the join (tags are merged)


def write_pdf(
    book: Book,
    *,
    jobs: int = 1,
    store: Cache | None = None,
    progress: Progress | None = None,
    variant: str | None = None,
    runner: Runner | None = None,
) -> PdfOutput:
    """The book as one PDF; stories laid out on ``jobs`` processes (or ``runner``: a
    cluster), reused from ``store``.

    ``variant`` "pdf/ua-1" makes a tagged, accessible PDF: each part is tagged by
    WeasyPrint and pdfbook joins their structure trees into the book's.
    """
    progress = progress or Silent()
    runner = runner or Local(jobs)
    retried_before = runner.retried
    renderer = Renderer(book.resources, variant, book.fallbacks)
    known = {hashlib.sha256(r.data).hexdigest(): r.data for r in book.resources if is_font(r.href)}
    programs: dict[str, bytes] = dict(known)
    problems: list[Diagnostic] = []
    reported: set[str] = set()  # each message once per book, not once per part
    screen = book.settings.pdf == "screen"
    stories = [p for p in book.parts if p.kind == "story"]
    progress.stage("pdf", len(stories))
    done_here: dict[tuple[str, str, int | None, bool, bool], RenderedPart] = {}

    def render(
        html: str,
        href: str,
        first_number: int | None = None,
        heads: bool = True,
        left: bool = False,
    ) -> RenderedPart:
        """A part laid out here, in order (its numbers are known), or taken from the cache;
        each once (the same arguments give the same part)."""
        asked = (html, href, first_number, heads, left)
        if asked not in done_here:
            done_here[asked] = _render(html, href, first_number, heads, left)
        return done_here[asked]

    def _render(
        html: str, href: str, first_number: int | None, heads: bool, left: bool
    ) -> RenderedPart:
        side = layout.side(left)
        how = f"in order, first={first_number}, heads={heads}, {side}, {book.settings.pdf}"
        how += f", variant={variant}" if variant else ""
        name = layout.part_key(book, html, how)
        found = layout.from_cache(store, name, programs) if store else None
        if found is not None:
            return found
        part = renderer.render(html, href, first_number=first_number, heads=heads, left=left)
        detached, used = join.detach_fonts(part.pdf, renderer.programs)
        programs.update(used)
        done = dataclasses.replace(part, pdf=detached)
        if store is not None:
            layout.to_cache(store, name, done, tuple(sorted(used)), programs)
        return done

    links = "".join(f'<link rel="stylesheet" href="{h}"/>' for h in book.pdf_css)
    lang = f' lang="{book.settings.language}"' if variant else ""  # PDF/UA: every part has one
    blank_html = f"<html{lang}><head>{links}</head><body class='blank'></body></html>"

    def sequence(
        parts: Sequence[Part], front: bool, starts: dict[str, int], until: str = ""
    ) -> list[join.Piece]:
        """The parts' pieces in order, numbered from 1; with ``until``, the pieces before
        the first part of that kind or the first story (laid out ahead, while the
        stories are: their numbers are already known)."""
        blank = render(blank_html, "blank.html")
        pieces: list[join.Piece] = []
        number = 1
        for part in parts:
            if until and part.kind in (until, "story"):
                return pieces
            if part.recto and number % 2 == 0 and not screen:
                pieces.append(join.Piece(blank, front=front))
                number += 1
            starts[part.id] = number
            left = number % 2 == 0  # laid out as a left-hand page: margins, running heads
            if part.kind == "story":
                rendered = laid_out.get((part.id, left))
                if rendered is None:  # a side _all_stories did not foresee: lay it out now
                    progress.more(1)
                    more, again = layout.lay_out(
                        book, [(part, left)], runner, store, known, programs, progress, variant
                    )
                    rendered = more[part.id, left]
                    fresh.extend(again)
                piece = join.Piece(rendered, part.id, number, front, part.kind, part.matter)
                pieces.append(piece)
            else:
                html = part.print_html
                if part.kind == "contents":
                    html = _fill_contents(html, story_starts)
                rendered = render(html, part.href, first_number=number, left=left)
                pieces.append(join.Piece(rendered, part.id, None, front, part.kind, part.matter))
            number += rendered.pages
        if front and number % 2 == 0 and not screen:
            pieces.append(join.Piece(blank, front=True))  # the first story opens on a right page
        return pieces

    story_starts: dict[str, int] = {}
    printed = [p for p in book.parts if p.in_pdf]
    front_parts = [p for p in printed if p.matter == "front"]
    calibrated: list[folios.FolioStyle] = []

    def meanwhile() -> None:
        """What this process lays out while the stories are laid out elsewhere: what does
        not wait for their page counts (the contents page and all after it do)."""
        calibrated.append(_calibrate(render, links, book.settings.language))
        sequence(front_parts, True, {}, until="contents")

    laid_out, fresh = layout.lay_out_all(
        book, stories, runner, store, known, programs, progress, variant, meanwhile
    )
    if not calibrated:  # no story was laid out, so nothing ran meanwhile
        meanwhile()
    body = sequence([p for p in printed if p.matter != "front"], False, story_starts)
    front = sequence(front_parts, True, {})
    by_id = {p.id: p for p in printed}
    for piece in [*body, *front]:  # each part's messages, in the order laid out before
        if piece.id:
            problems.extend(_problems(by_id[piece.id], piece.part, reported))
    folio_style = calibrated[0]
    bleed = 0.0 if screen else book.settings.bleed
    data = join.assemble(
        [*front, *body],
        programs,
        folio_style,
        _metadata(book),
        bleed=bleed,
        tagged=variant is not None,
        rtl=locales.direction(book.settings.language) == "rtl",
        subset=layout.cached_subsets(store) if store is not None else None,
    )
    pages = sum(piece.part.pages for piece in [*front, *body])
    if store is not None:
        problems.extend(store.diagnostics)
    numbers = {k: v for k, v in story_starts.items() if k.startswith("story-")}
    return PdfOutput(
        data,
        pages,
        numbers,
        tuple(problems),
        tuple(dict.fromkeys(fresh)),
        _page_starts(front, body),
        runner.retried - retried_before,
    )


def _page_starts(front: Sequence[join.Piece], body: Sequence[join.Piece]) -> tuple[PageStart, ...]:
    """Each page's label (as pdfbook labels it: roman front matter, then 1, 2...) and start."""
    roman = sum(piece.part.pages for piece in front)
    found: list[PageStart] = []
    for piece in [*front, *body]:
        starts = piece.part.starts
        for page in range(piece.part.pages):
            label = join.page_label(len(found), roman)
            offset = starts[page] if page < len(starts) else 0
            found.append(PageStart(label, piece.id or None, offset))
    return tuple(found)


def _calibrate(render: Callable[..., RenderedPart], links: str, language: str) -> folios.FolioStyle:
    """Render three pages twice (numbered 1 and 1234567890) to learn the theme's folios.

    A one-page render starting on a left-hand page gives the folio of a
    story that opens on the left (on screen, where there are no blanks).
    """

    def html(count: int) -> str:
        pages = "".join(
            '<p style="break-after: page">&#160;</p>' if i < count - 1 else "<p>&#160;</p>"
            for i in range(count)
        )
        return (
            f'<html lang="{language}"><head>{links}</head>'
            f'<body class="bodymatter story"><section class="story">{pages}</section></body></html>'
        )

    def both(count: int, left: bool) -> tuple[bytes, bytes]:
        pages = html(count)
        numbers = (1, folios.LONG_NUMBER)
        short, long = (
            render(pages, "calibration.html", first_number=n, heads=False, left=left)
            for n in numbers
        )
        return short.pdf, long.pdf

    return folios.calibrate(*both(3, False), *both(1, True))


def _fill_contents(html: str, starts: Mapping[str, int]) -> str:
    """Give each contents entry the printed number of the page its story starts on."""

    def number(match: re.Match[str]) -> str:
        page = starts.get(match.group(1))
        return match.group(0) + (f' data-page="{page}"' if page else "")

    return _TARGET.sub(number, html)


def _problems(part: Part, rendered: RenderedPart, seen: set[str]) -> list[Diagnostic]:
    """The part's messages not reported yet: every part reads the same stylesheets."""
    where = f" ({part.title})" if part.kind == "story" else ""
    found = []
    for message in rendered.messages:
        if message.startswith(footnotes.SAID):  # every story's own: always reported
            found.append(Diagnostic(Severity.INFO, f"PDF{where}: {message}"))
        elif message not in seen:
            seen.add(message)
            found.append(warning(f"PDF{where}: {message}"))
    return found


def _metadata(book: Book) -> join.Metadata:
    settings = book.settings
    moment = dt.datetime.strptime(settings.modified, "%Y-%m-%dT%H:%M:%SZ")
    return join.Metadata(
        title=settings.title,
        authors=settings.editors,
        description=settings.description,
        language=settings.language,
        date=moment.strftime("D:%Y%m%d%H%M%SZ"),
        producer=f"packager {__version__} (WeasyPrint {weasy.VERSION})",
    )
