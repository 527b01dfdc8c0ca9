"""The cover wrap: back, spine and front as one sheet with bleed, sized to the spine (pure).

    |<-bleed->|<-- back (trim) -->|<-spine->|<-- front (trim) -->|<-bleed->|

(a right-to-left book, bound on the right, the other way round: its front
on the left, its back on the right with the barcode area mirrored, at the
back's foot beside the spine, where a left-to-right book has it).

The spine is the paper stock's published width for the page count (or the
leaves times the caliper, for a hand binder's own paper). Spine text only
where the service allows it (its minimum page count) and only inside its
margins from the folds; the back carries the blurb above a barcode area
left clear; the front is the given cover image (to the bleed) or the
theme's drawn cover. All geometry in points, for templates/cover.html.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packager.binding.data import PT_PER, Stock
from packager.binding.geometry import Rect

INCH = PT_PER["in"]


@dataclass(frozen=True)
class Wrap:
    """The cover's geometry: every panel, the safe areas, the spine text and barcode boxes."""

    width: float
    height: float
    bleed: float
    spine: float
    trim: Rect  # the whole cover as trimmed: back + spine + front
    back: Rect
    spine_box: Rect
    front: Rect
    safe: float
    spine_margin: float
    barcode: Rect
    spine_text: bool  # the book is thick enough for the service to print spine text
    rtl: bool = False  # bound on the right: the front is the left-hand panel

    def spine_text_area(self) -> Rect:
        s = self.spine_box
        return Rect(
            s.x0 + self.spine_margin, s.y0 + self.safe, s.x1 - self.spine_margin, s.y1 - self.safe
        )


def spine_width(pages: int, stock: Stock | None, caliper: float) -> float:
    """The spine in points: the service's formula, or a leaf's caliper times the leaves."""
    if stock is not None:
        return stock.spine(pages) * INCH
    return pages / 2 * caliper


def wrap_geometry(
    trim_w: float,
    trim_h: float,
    pages: int,
    stock: Stock | None,
    caliper: float,
    bleed: float,
    rtl: bool = False,
) -> Wrap:
    """The wrap for a book of ``pages`` pages (even: a printer adds a blank to an odd count)."""
    spine = spine_width(pages, stock, caliper)
    b = stock.bleed * INCH if stock is not None else bleed
    width, height = 2 * trim_w + spine + 2 * b, trim_h + 2 * b
    left = Rect(b, b, b + trim_w, b + trim_h)
    spine_box = Rect(left.x1, b, left.x1 + spine, b + trim_h)
    right = Rect(spine_box.x1, b, spine_box.x1 + trim_w, b + trim_h)
    back, front = (right, left) if rtl else (left, right)
    safe = (stock.safe if stock is not None else 0.125) * INCH
    margin = (stock.spine_margin if stock is not None else 0.0625) * INCH
    bw, bh = stock.barcode if stock is not None else (2.0, 1.2)
    inset = (stock.barcode_margin if stock is not None else 0.25) * INCH
    x0 = back.x0 + inset if rtl else back.x1 - inset - bw * INCH  # the corner by the spine
    barcode = Rect(x0, back.y0 + inset, x0 + bw * INCH, back.y0 + inset + bh * INCH)
    minimum = stock.spine_text if stock is not None else 0
    text_room = spine - 2 * margin
    return Wrap(
        width,
        height,
        b,
        spine,
        Rect(b, b, width - b, height - b),
        back,
        spine_box,
        front,
        safe,
        margin,
        barcode,
        pages >= minimum and text_room >= 6.0,
        rtl,
    )


def context(
    wrap: Wrap,
    *,
    title: str,
    subtitle: str,
    editors: str,
    edited_by: str,
    language: str,
    blurb_html: str,
    image: str,
    look: dict[str, str],
    font_css: str,
    text_family: str,
    title_family: str,
) -> dict[str, Any]:
    """What templates/cover.html draws; every box in points from the top left (CSS).

    ``editors``: their names as the book's language lists them; ``edited_by``: the
    label above them, in that language.
    """

    def css(r: Rect) -> dict[str, float]:
        return {
            "left": round(r.x0, 3),
            "top": round(wrap.height - r.y1, 3),
            "width": round(r.x1 - r.x0, 3),
            "height": round(r.y1 - r.y0, 3),
        }

    s = wrap.safe
    back_text = Rect(wrap.back.x0 + s, wrap.barcode.y1 + s, wrap.back.x1 - s, wrap.back.y1 - s)
    front_text = Rect(wrap.front.x0 + s, wrap.front.y0 + s, wrap.front.x1 - s, wrap.front.y1 - s)
    area = wrap.spine_text_area()
    bleed = (
        Rect(0, 0, wrap.front.x1, wrap.height)
        if wrap.rtl
        else Rect(wrap.front.x0, 0, wrap.width, wrap.height)
    )
    return {
        "title": title,
        "subtitle": subtitle,
        "editors": editors,
        "edited_by": edited_by,
        "language": language,
        "direction": "rtl" if wrap.rtl else "ltr",
        "blurb": blurb_html,
        "image": image,
        "look": look,
        "font_css": font_css,
        "text_family": text_family,
        "title_family": title_family,
        "width": round(wrap.width, 3),
        "height": round(wrap.height, 3),
        "back": css(back_text),
        "front": css(front_text),
        "front_bleed": css(bleed),
        "barcode": css(wrap.barcode),
        "spine": _spine_line(wrap, area) if wrap.spine_text else None,
    }


def _spine_line(wrap: Wrap, area: Rect) -> dict[str, float]:
    """The spine's line of text before its quarter turn: as long as the spine area is tall,
    centred on it, so that turning it about its centre lays it along the spine."""
    size = min(14.0, (area.x1 - area.x0) * 0.62)
    length, line = area.y1 - area.y0, size * 1.3
    cx, cy = (area.x0 + area.x1) / 2, wrap.height - (area.y0 + area.y1) / 2
    return {
        "left": round(cx - length / 2, 3),
        "top": round(cy - line / 2, 3),
        "width": round(length, 3),
        "height": round(line, 3),
        "size": round(size, 2),
    }
