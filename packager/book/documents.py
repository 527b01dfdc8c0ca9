"""The render stage: a collection in its theme, as the Book both writers read."""

from __future__ import annotations

import dataclasses

from packager.book import assets, fallbacks, jinja, labels, render, themes
from packager.book.config import Config
from packager.model import Book, Collection, Diagnostic


def render_collection(
    config: Config, collection: Collection, *, printed: bool = True, epub: bool = True
) -> tuple[Book, list[Diagnostic]]:
    """The book, and what gathering its files refused (the editor's CSS).

    ``printed=False``: for a build that makes no PDF, without the print markup and
    the script fallbacks only the PDF embeds. ``epub=False``: for a build that makes
    no EPUB (nor a binding, whose pages are listed in the EPUB's documents), without
    the EPUB's content documents (each part's ``xhtml`` is empty).
    """
    theme = themes.load_theme(config.settings.theme)
    gathered = assets.gather(collection, theme, config.source)
    env = jinja.environment(
        themes.template_dirs(theme, config.source), labels.for_book(collection.settings)
    )
    with jinja.template_errors():
        book = render.render_book(
            collection,
            env,
            gathered.styles,
            gathered.resources,
            gathered.cover_href,
            config.settings.notes or theme.notes,
            printed,
            epub,
        )
    # A printed book's cover is a separate file for the printer: the cover page
    # opens the PDF only on screen, or where the theme asks for it.
    if config.settings.pdf != "screen" and not (theme.cover and theme.cover.in_pdf):
        parts = tuple(
            dataclasses.replace(p, in_pdf=False) if p.kind == "cover" else p for p in book.parts
        )
        book = dataclasses.replace(book, parts=parts)
    if printed:
        book = fallbacks.apply(book, [f.path for f in theme.fonts], theme.fallback)
    return book, list(gathered.diagnostics)
