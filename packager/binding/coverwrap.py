"""cover_wrap(): the wrap-around cover a print-on-demand service asks for, checked.

    stock + page count ─wrap_geometry─▶ panels ─cover.html─▶ WeasyPrint ─▶ TrimBox/BleedBox
    the laid-out text ─text_boxes─▶ a warning for any text outside the safe areas

The blurb is the collection's ``back_cover`` (Markdown), else its description.
The label above the editors' names and the way the names are listed are the
book's own words in its language (packager.book.labels); a right-to-left book's
wrap has its front on the left; the book's fallback faces draw what the
theme's faces lack.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from packager.binding import data, place, render, wrap
from packager.binding.geometry import Rect
from packager.binding.settings import Binding
from packager.book import themes
from packager.book.labels import Labels
from packager.errors import warning
from packager.model import Diagnostic, Resource, Severity
from packager.pdf.readback import Box, text_boxes
from packager.read.markdown import render_fragment
from packager.text import html
from packager.text.typography import smarten_blocks

INCH = data.PT_PER["in"]


def cover_wrap(
    *,
    title: str,
    subtitle: str,
    editors: Sequence[str],
    description: str,
    pages: int,
    trim: tuple[float, float],
    binding: Binding,
    theme: str,
    image: Resource | None,
    date: str,
    label: str,
    words: Labels | None = None,
    rtl: bool = False,
    extra: render.Extra = render.NO_EXTRA,
) -> tuple[bytes, wrap.Wrap, list[Diagnostic]]:
    """The cover PDF, its geometry, and what the safe-area check found.

    ``words``: the book's labels (English when not given); ``rtl``: bound on the
    right; ``extra``: the book's fallback faces.
    """
    words = words or Labels("en")
    stock = data.stocks()[binding.paper_stock]
    even = pages + pages % 2  # a printer adds a blank page to an odd count
    geometry = wrap.wrap_geometry(trim[0], trim[1], even, stock, binding.caliper, 0.0, rtl)
    resources, faces, family = render.theme_fonts(theme)
    look = themes.load_theme(theme).cover
    colours = {"background": "#1f2a36", "foreground": "#f4efe6", "accent": "#c9a45c"}
    title_family = family
    if look is not None:
        colours = {
            "background": look.background,
            "foreground": look.foreground,
            "accent": look.accent,
        }
        for role, path in (("Cover Title", look.title_font), ("Cover Text", look.text_font)):
            href = f"fonts/cover-{role.split()[1].lower()}{path.suffix}"
            resources.append(Resource(href, "font/otf", path.read_bytes()))
            faces += f'\n@font-face {{ font-family: "{role}"; src: url({href}); }}'
        title_family = "Cover Title"
    if image is not None:
        resources.append(image)
    blurb = _blurb(binding.back_cover or description, label)
    context = wrap.context(
        geometry,
        title=title,
        subtitle=subtitle,
        editors=words.names(list(editors)) if editors else "",
        edited_by=words.text("cover_edited_by"),
        language=words.language,
        blurb_html=Markup(blurb),  # a sanitized fragment (packager.text.html)
        image=image.href if image is not None else "",
        look=colours,
        font_css=Markup(faces + "\n" + extra.css),  # packager's own @font-face rules
        text_family=family,
        title_family=title_family,
    )
    laid_out, _ = render.to_pdf(render.html("cover.html", context), resources, extra)
    t = geometry.trim
    pdf = place.finish_cover(laid_out, (t.x0, t.y0, t.x1, t.y1), f"{title}: cover", date)
    found = safe_area(geometry, text_boxes(pdf), stock.service, label)
    if not geometry.spine_text:
        note = (
            f"cover: no spine text: {even} pages; {stock.service} prints spine text "
            f"from {stock.spine_text} pages"
        )
        found.append(Diagnostic(Severity.INFO, note, label))
    return pdf, geometry, found


def _blurb(markdown: str, label: str) -> str:
    if not markdown.strip():
        return ""
    fragment, _ = render_fragment(markdown, label)
    return html.map_text(fragment, smarten_blocks)


def safe_area(
    geometry: wrap.Wrap, boxes: Sequence[Box], service: str, label: str
) -> list[Diagnostic]:
    """A warning for each panel whose text comes nearer the trim or a fold than allowed."""
    s = geometry.safe
    back, front, spine = geometry.back, geometry.front, geometry.spine_box
    panels = {
        "back cover": (back, back.grow(-s, -s, -s, -s), s),
        "spine": (spine, geometry.spine_text_area(), geometry.spine_margin),
        "front cover": (front, front.grow(-s, -s, -s, -s), s),
    }
    found: dict[str, str] = {}
    for box in boxes:
        text = Rect(*box)
        if text.x1 - text.x0 < 0.5 or text.y1 - text.y0 < 0.5:
            continue
        centre = (text.x0 + text.x1) / 2
        name = next((n for n, (p, _, _) in panels.items() if p.x0 <= centre <= p.x1), "")
        if not name:
            found.setdefault("bleed", "cover: text in the bleed, beyond the trim")
            continue
        _, area, room = panels[name]
        if not _within(text, area):
            found.setdefault(
                name,
                f"cover: text on the {name} comes nearer the trim or a spine fold than "
                f"{service}'s {room / INCH:g} in",
            )
        elif name == "back cover" and text.overlaps(geometry.barcode):
            found.setdefault("barcode", "cover: the back cover's text runs into the barcode area")
    return [warning(message, label) for message in found.values()]


def _within(inner: Rect, outer: Rect, slack: float = 0.5) -> bool:
    return (
        outer.x0 - slack <= inner.x0
        and inner.x1 <= outer.x1 + slack
        and outer.y0 - slack <= inner.y0
        and inner.y1 <= outer.y1 + slack
    )
