"""The render stage: Collection + theme templates -> Book of XHTML documents.

Each part of the book is rendered twice from the same templates: once as an
EPUB content document (links between files, the EPUB stylesheets), once as an
HTML document for the PDF (links within one book, print stylesheets added).
Pure apart from loading template files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from packager import __version__
from packager.book import jinja
from packager.book.contributors import join_names
from packager.book.labels import for_book
from packager.book.notes import ENDNOTES, EPUB, FOOTNOTES, PRINT
from packager.book.views import story_view
from packager.model import Book, Collection, Part, Resource
from packager.paths import display_path
from packager.text import html, runs
from packager.text.cleanup import count_words

if TYPE_CHECKING:
    from jinja2 import Environment


@dataclass(frozen=True)
class Styles:
    """The stylesheets of the book, as hrefs inside it, in cascade order."""

    epub: tuple[str, ...]  # theme, then the editor's CSS
    pdf: tuple[str, ...]  # theme, print, page size, then the editor's CSS


# A disclaimer of up to this many words is printed on the imprint (copyright)
# page, as books print their legal notices; a longer one keeps a page of its own.
SHORT_DISCLAIMER = 60


def render_book(
    collection: Collection,
    env: Environment,
    styles: Styles,
    resources: Sequence[Resource],
    cover_href: str = "",
    notes: str = FOOTNOTES,
    printed: bool = True,
    epub: bool = True,
) -> Book:
    """Render every part of the book from its template, for both outputs.

    ``notes``: the theme's choice, FOOTNOTES or ENDNOTES (packager.book.notes).
    ``printed=False`` (a build that makes no PDF) leaves the print markup out,
    ``epub=False`` (one that makes no EPUB) the EPUB's content documents.
    """
    settings = collection.settings
    labels = for_book(settings)
    common: dict[str, Any] = {
        # Fields named *_html are sanitized fragments: Markup so autoescape keeps them.
        "book": dataclasses.replace(
            settings,
            disclaimer_html=Markup(settings.disclaimer_html),
            dedication_html=Markup(settings.dedication_html),
            changelog_html=Markup(settings.changelog_html),
        ),
        "version": __version__,
        "words": collection.words,
        "story_count": len(collection.stories),
        "cover_href": cover_href,
        "identifier": shown_identifier(settings.identifier),
        "dir": labels.direction,  # the book's: "rtl" for Arabic, Hebrew, Persian, Urdu...
    }
    # The disclaimer's text (the editor's, or the default notice), measured
    # once; an editor's own disclaimer page template keeps its page.
    disclaimer = Markup(
        jinja.render_template(env, "disclaimer-text.xhtml", _page(common, "disclaimer"))
    )
    short = count_words(html.text_of(disclaimer)) <= SHORT_DISCLAIMER
    on_imprint = short and not jinja.replaced(env, "disclaimer.xhtml")
    common.update(disclaimer=disclaimer, disclaimer_on_imprint=on_imprint)
    about = labels.text("about_authors" if len(collection.contributors) > 1 else "about_author")
    whats_new = labels.text("whats_new")

    def part(
        kind: str,
        pid: str,
        title: str,
        matter: str,
        recto: bool = True,
        in_epub: bool = True,
        **extra: Any,
    ) -> Part:
        def page(flavor: str, mode: str = notes) -> str:
            link: Callable[[str, str], str] = _epub_link if flavor == EPUB else _pdf_link
            listed = kind in ("contents", "contributors")  # the others need no list
            pdf = flavor == PRINT
            stories = (
                [story_view(s, link, labels, pdf) for s in collection.stories] if listed else []
            )
            context = {
                **_page(common, kind, title, matter),
                **extra,
                "stylesheets": styles.epub if flavor == "epub" else styles.pdf,
                "stories": stories if kind == "contents" else [],
                "back": _back_entries(collection, about, whats_new, link)
                if kind == "contents"
                else [],
                "contributors": _contributors(collection, stories)
                if kind == "contributors"
                else [],
            }
            if "placed" in extra:
                context["story"] = story_view(extra["placed"], link, labels, pdf, mode)
            return jinja.render_template(env, f"{kind}.xhtml", context)

        author = join_names(extra["placed"].story.meta.authors) if "placed" in extra else ""
        # A note too long for the foot of a page cannot be printed there (WeasyPrint
        # moves notes whole): the PDF then prints that story's notes at its end.
        footnoted = (
            "placed" in extra
            and notes == FOOTNOTES
            and any(c.footnotes for c in extra["placed"].story.chapters)
        )
        return Part(
            id=pid,
            href=f"{pid}.xhtml",
            kind=kind,
            title=title,
            xhtml=page(EPUB) if in_epub and epub else "",
            print_html=runs.in_spans(html.breakable(page(PRINT))) if printed else "",
            print_fallback=runs.in_spans(html.breakable(page(PRINT, ENDNOTES)))
            if footnoted and printed
            else "",
            matter=matter,
            recto=recto,
            author=author,
            in_epub=in_epub,
            source=display_path(extra["placed"].story.path) if "placed" in extra else "",
        )

    # The order of a printed book: half-title (i), title (iii), imprint on its
    # back (iv), dedication, disclaimer, contents, the stories, back matter.
    parts: list[Part] = []
    if cover_href:
        parts.append(part("cover", "cover", labels.text("cover"), "front"))
    # E-books skip the half-title (Standard Ebooks, Vellum's EPUBs): it is a
    # print convention, a page to protect the title page.
    parts.append(part("halftitle", "halftitle", settings.title, "front", in_epub=False))
    parts.append(part("title", "titlepage", settings.title, "front"))
    parts.append(part("imprint", "imprint", labels.text("copyright"), "front", recto=False))
    if settings.dedication_html:
        parts.append(part("dedication", "dedication", labels.text("dedication"), "front"))
    if not on_imprint:
        title = labels.text("disclaimer")
        parts.append(part("disclaimer", "disclaimer", title, "front", recto=False))
    parts.append(part("contents", "contents", labels.text("contents"), "front"))
    for placed in collection.stories:
        parts.append(part("story", placed.id, placed.story.meta.title, "body", placed=placed))
    if collection.contributors:
        parts.append(part("contributors", "contributors", about, "back"))
    if settings.changelog_html:
        parts.append(part("whatsnew", "whatsnew", whats_new, "back"))
    parts.append(part("colophon", "colophon", labels.text("colophon"), "back"))
    return Book(
        settings=settings,
        parts=tuple(parts),
        resources=tuple(resources),
        toc=collection.toc,
        pdf_css=styles.pdf,
        cover_href=cover_href,
        words=collection.words,
        story_count=len(collection.stories),
    )


def _page(
    common: dict[str, Any], kind: str, title: str = "", matter: str = "front"
) -> dict[str, Any]:
    return {**common, "title": title, "kind": kind, "matter": matter}


def shown_identifier(identifier: str) -> str:
    """The identifier as a copyright page prints it: 'ISBN 978-...' for an ISBN URN."""
    for prefix in ("urn:isbn:", "isbn:"):
        if identifier.lower().startswith(prefix):
            return "ISBN " + identifier[len(prefix) :]
    return identifier


def _back_entries(
    collection: Collection, about: str, whats_new: str, link: Callable[[str, str], str]
) -> list[dict[str, str]]:
    """Contents lines after the stories: the contributors and What's New pages, if any."""
    entries = []
    if collection.contributors:
        entries.append(
            {"id": "contributors", "title": about, "link": link("contributors.xhtml", "")}
        )
    if collection.settings.changelog_html:
        entries.append({"id": "whatsnew", "title": whats_new, "link": link("whatsnew.xhtml", "")})
    return entries


def _contributors(
    collection: Collection, stories: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_id = {s["id"]: s for s in stories}
    return [
        {
            "name": c.name,
            "bio": Markup(c.bio_html),
            "stories": [by_id[sid] for sid in c.stories],
        }
        for c in collection.contributors
    ]


def _epub_link(href: str, anchor: str = "") -> str:
    return f"{href}#{anchor}" if anchor else href


def _pdf_link(href: str, anchor: str = "") -> str:
    # One PDF is one document: every target is an anchor; a file's anchor is its id.
    return "#" + (anchor or href.removesuffix(".xhtml"))
