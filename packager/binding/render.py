"""HTML pages of binding (job sheet, calibration, cover wrap) to PDF, in the theme's faces.

The pages are templates beside this module, in packager's Jinja environment,
laid out by packager's WeasyPrint adapter with the theme's fonts and, where the
book has them, its script fallbacks (packager.book.fallbacks: the faces its
PDF draws what the theme lacks with), and nothing else (no network, no other
file); packager.binding.place subsets the fonts.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packager.book import fallbacks, themes
from packager.book.jinja import environment, render_template, template_errors
from packager.book.stylesheets import FONT_TYPES
from packager.model import Book, Fallback, Resource

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def _templates() -> Any:
    return environment([TEMPLATES])  # packager's sandboxed, autoescaping, strict environment


def html(template: str, context: dict[str, Any]) -> str:
    with template_errors():
        return render_template(_templates(), template, context)


def theme_fonts(name: str) -> tuple[list[Resource], str, str]:
    """The theme's fonts as resources, their @font-face rules, and its text family."""
    theme = themes.load_theme(name)
    resources, faces = [], []
    for font in theme.fonts:
        href = f"fonts/{font.path.name}"
        kind = FONT_TYPES.get(font.path.suffix.lower(), "application/octet-stream")
        resources.append(Resource(href, kind, font.path.read_bytes()))
        faces.append(
            f'@font-face {{ font-family: "{font.family}"; font-weight: {font.weight}; '
            f"font-style: {font.style}; src: url({href}); }}"
        )
    family = theme.fonts[0].family if theme.fonts else "serif"
    return resources, "\n".join(faces), family


@dataclass(frozen=True)
class Extra:
    """The book's fallback faces: their files, their @font-face rules, their families."""

    resources: tuple[Resource, ...] = ()
    css: str = ""
    fallbacks: tuple[Fallback, ...] = ()


NO_EXTRA = Extra()


def book_fallbacks(book: Book) -> Extra:
    """The fallback faces the book's PDF uses, for pages about the book (its title, names)."""
    rules = next((r.data.decode() for r in book.resources if r.href == fallbacks.CSS_HREF), "")
    if not rules or not book.fallbacks:
        return Extra()
    files = tuple(r for r in book.resources if r.href.startswith("fonts/") and r.href in rules)
    return Extra(files, rules.replace("url(../fonts/", "url(fonts/"), book.fallbacks)


def to_pdf(
    document: str, resources: Sequence[Resource], extra: Extra = NO_EXTRA
) -> tuple[bytes, tuple[str, ...]]:
    """Lay out one HTML document: the PDF (full fonts; place.finish subsets them) and warnings."""
    from packager.pdf.weasy import Renderer  # WeasyPrint takes a second to import

    renderer = Renderer([*resources, *extra.resources], fallbacks=extra.fallbacks)
    part = renderer.render(document, "binding.html")
    return part.pdf, part.messages
