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
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateRuntimeError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from packager import __version__, html
from packager.config import display_path
from packager.errors import PackagerError, error
from packager.model import Book, Collection, Part, PlacedStory, Resource

_FACTS = (
    ("Rating", "rating"),
    ("Warnings", "warnings"),
    ("Fandoms", "fandoms"),
    ("Relationships", "relationships"),
    ("Characters", "characters"),
    ("Tags", "tags"),
    ("Source", "source_url"),
)


@dataclass(frozen=True)
class Styles:
    """The stylesheets of the book, as hrefs inside it, in cascade order."""

    epub: tuple[str, ...]  # theme, then the editor's CSS
    pdf: tuple[str, ...]  # theme, print, page size, then the editor's CSS


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def environment(template_dirs: Sequence[Path]) -> Environment:
    """Templates render in Jinja's immutable sandbox.

    An editor's own templates (SOURCE/templates/) come with story folders that
    are shared and downloaded; in the sandbox they can lay out the book but
    not reach Python (``cycler.__init__.__globals__``) or change its data.
    """
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["join_names"] = join_names
    return env


def render_book(
    collection: Collection,
    env: Environment,
    styles: Styles,
    resources: Sequence[Resource],
    cover_href: str = "",
) -> Book:
    """Render every part of the book from its template, for both outputs."""
    settings = collection.settings
    common: dict[str, Any] = {
        # Fields named *_html are sanitized fragments: Markup so autoescape keeps them.
        "book": dataclasses.replace(settings, disclaimer_html=Markup(settings.disclaimer_html)),
        "version": __version__,
        "words": collection.words,
        "story_count": len(collection.stories),
        "cover_href": cover_href,
    }

    def part(
        kind: str, pid: str, title: str, matter: str, recto: bool = True, **extra: Any
    ) -> Part:
        def page(flavor: str) -> str:
            link: Callable[[str, str], str] = _epub_link if flavor == "epub" else _pdf_link
            context = {
                **common,
                **extra,
                "title": title,
                "kind": kind,
                "matter": matter,
                "stylesheets": styles.epub if flavor == "epub" else styles.pdf,
                "stories": [_story_view(s, link) for s in collection.stories]
                if kind == "contents"
                else [],
            }
            if "placed" in extra:
                context["story"] = _story_view(extra["placed"], link)
            template = env.get_template(f"{kind}.xhtml")
            try:
                return template.render(context)
            except TemplateRuntimeError as exc:  # e.g. the sandbox refused an attribute
                where = display_path(Path(template.filename or template.name or kind))
                raise PackagerError([error(f"template: {exc}", where)]) from None

        author = join_names(extra["placed"].story.meta.authors) if "placed" in extra else ""
        return Part(
            id=pid,
            href=f"{pid}.xhtml",
            kind=kind,
            title=title,
            xhtml=page("epub"),
            print_html=html.breakable(page("pdf")),
            matter=matter,
            recto=recto,
            author=author,
        )

    parts: list[Part] = []
    if cover_href:
        parts.append(part("cover", "cover", "Cover", "front"))
    parts.append(part("title", "titlepage", settings.title, "front"))
    parts.append(part("disclaimer", "disclaimer", "Disclaimer", "front", recto=False))
    parts.append(part("contents", "contents", "Contents", "front"))
    for placed in collection.stories:
        parts.append(part("story", placed.id, placed.story.meta.title, "body", placed=placed))
    parts.append(part("colophon", "colophon", "Colophon", "back"))
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


def _epub_link(href: str, anchor: str = "") -> str:
    return f"{href}#{anchor}" if anchor else href


def _pdf_link(href: str, anchor: str = "") -> str:
    # One PDF is one document: every target is an anchor; a file's anchor is its id.
    return "#" + (anchor or href.removesuffix(".xhtml"))


def _story_view(placed: PlacedStory, link: Callable[[str, str], str]) -> dict[str, Any]:
    story, meta = placed.story, placed.story.meta
    facts = []
    for label, name in _FACTS:
        value = getattr(meta, name)
        if isinstance(value, tuple):
            value = ", ".join(value)
        if value:
            facts.append((label, value))
    facts.append(("Words", f"{story.words:,}"))
    return {
        "id": placed.id,
        "link": link(placed.href, placed.id),
        "language": meta.language,
        "disclaimer": Markup(meta.disclaimer_html),
        "title": meta.title,
        "authors": meta.authors,
        "facts": facts,
        "summary": Markup(meta.summary_html),
        "notes": Markup(meta.notes_html),
        "end_notes": Markup(meta.end_notes_html),
        "chapters": [
            {
                "id": cid,
                "title": c.title,
                # The first paragraph carries the opener's initial and lead-in.
                "html": Markup(html.mark_initial(c.html) if i == 0 else c.html),
                "notes": Markup(c.notes_html),
                "end_notes": Markup(c.end_notes_html),
            }
            for i, (c, cid) in enumerate(zip(story.chapters, placed.chapter_ids, strict=True))
        ],
    }
