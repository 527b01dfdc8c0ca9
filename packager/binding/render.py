"""HTML pages of binding (job sheet, calibration, cover wrap) to PDF, in the theme's faces.

The pages are templates beside this module, in packager's Jinja environment,
laid out by packager's WeasyPrint adapter with the theme's fonts and nothing
else (no network, no other file); packager.binding.place subsets the fonts.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from packager.book import themes
from packager.book.jinja import environment, render_template, template_errors
from packager.book.stylesheets import FONT_TYPES
from packager.model import Resource

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


def to_pdf(document: str, resources: Sequence[Resource]) -> tuple[bytes, tuple[str, ...]]:
    """Lay out one HTML document: the PDF (full fonts; place.finish subsets them) and warnings."""
    from packager.pdf.weasy import Renderer  # WeasyPrint takes a second to import

    part = Renderer(resources).render(document, "binding.html")
    return part.pdf, part.messages
