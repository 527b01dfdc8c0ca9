"""Trim sizes, margins, bleed and the print/screen modes of the PDF: the page's geometry.

A page size is a preset name (the sizes print-on-demand services print) or
any ``WIDTHxHEIGHT`` in inches or millimetres. The presets carry margins set
by hand; a custom size gets margins in the same proportions to its width and
height, and a body size that suits its width. Everything here is pure: text
in, numbers and CSS out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PT_PER = {"in": 72.0, "mm": 72 / 25.4, "pt": 1.0}
MODES = ("print", "screen")


@dataclass(frozen=True)
class Trim:
    """A trim size and its margins, in points; the body font size in points."""

    name: str
    width: float
    height: float
    inside: float  # the binding side: wider than the outside
    outside: float
    top: float
    bottom: float
    font_size: float


def _preset(name: str, unit: str, *values: float) -> Trim:
    w, h, inside, outside, top, bottom, size = values
    k = PT_PER[unit]
    return Trim(name, w * k, h * k, inside * k, outside * k, top * k, bottom * k, size)


# Margins give about 60-70 characters a line at the body size, with the inside
# (binding) margin wider than the outside one. They are above the minimums
# print-on-demand services ask (KDP: 0.375-0.75in inside by page count,
# 0.25in outside) for books of up to about 700 pages.
PRESETS: dict[str, Trim] = {
    t.name: t
    for t in (
        _preset("5x8in", "in", 5, 8, 0.75, 0.55, 0.6, 0.75, 10),
        _preset("5.25x8in", "in", 5.25, 8, 0.75, 0.55, 0.6, 0.75, 10),
        _preset("5.5x8.5in", "in", 5.5, 8.5, 0.8, 0.6, 0.65, 0.8, 10.5),
        _preset("6x9in", "in", 6, 9, 0.85, 0.65, 0.7, 0.85, 11),
        _preset("A5", "mm", 148, 210, 20, 15, 17, 20, 10.5),
        _preset("B-format", "mm", 129, 198, 19, 14, 16, 19, 10),
        _preset("A4", "mm", 210, 297, 32, 26, 24, 28, 12),
        _preset("letter", "in", 8.5, 11, 1.25, 1, 0.95, 1.1, 12),
    )
}
DEFAULT = "A5"

# A custom size: the presets' margins as fractions of the width (sides) and
# height (top, bottom), on average.
_INSIDE, _OUTSIDE, _TOP, _BOTTOM = 0.145, 0.11, 0.08, 0.095
# Between 3 and 17 inches a side: smaller than a pocket book or larger than a
# tabloid is a typing mistake, not a book.
MIN_SIDE, MAX_SIDE = 3 * 72.0, 17 * 72.0
MAX_BLEED = 0.5 * 72.0  # printers ask 0.125in or 3-5mm

_CUSTOM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[x\u00d7]\s*(\d+(?:\.\d+)?)\s*(in|mm)\s*$", re.I)
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|mm|pt)\s*$", re.I)

SIZE_HELP = (
    f"one of {', '.join(PRESETS)}, or WIDTHxHEIGHT in in or mm such as 140x216mm or 5.06x7.81in"
)
LENGTH_HELP = "a length in in, mm or pt such as '0.125in' or '3mm'"


def parse_size(value: str) -> Trim:
    """The trim for a page_size value; ValueError with what is expected when it is not one."""
    for name, trim in PRESETS.items():
        if value.strip().casefold() == name.casefold():
            return trim
    match = _CUSTOM.match(value)
    if match is None:
        raise ValueError(f"must be {SIZE_HELP}")
    unit = match.group(3).lower()
    width, height = (float(match.group(i)) * PT_PER[unit] for i in (1, 2))
    if not all(MIN_SIDE <= side <= MAX_SIDE for side in (width, height)):
        raise ValueError("each side must be between 3in (76.2mm) and 17in (431.8mm)")
    name = f"{match.group(1)}x{match.group(2)}{unit}"
    return PRESETS.get(name) or custom(name, width, height)


def custom(name: str, width: float, height: float) -> Trim:
    """Margins and body size for a size that is not a preset, in the presets' proportions."""
    return Trim(
        name,
        width,
        height,
        inside=round(width * _INSIDE, 2),
        outside=round(width * _OUTSIDE, 2),
        top=round(height * _TOP, 2),
        bottom=round(height * _BOTTOM, 2),
        font_size=_font_size(width),
    )


def _font_size(width: float) -> float:
    """The body size for a page width: 10pt on pocket sizes up to 12pt on A4 and letter."""
    mm = width / PT_PER["mm"]
    for limit, size in ((135, 10.0), (150, 10.5), (165, 11.0), (185, 11.5)):
        if mm < limit:
            return size
    return 12.0


def parse_length(value: str) -> float:
    """A bleed such as "0.125in", "3mm" or "9pt", in points; ValueError when it is not one."""
    match = _LENGTH.match(value)
    if match is None:
        raise ValueError(f"must be {LENGTH_HELP}")
    points = float(match.group(1)) * PT_PER[match.group(2).lower()]
    if points > MAX_BLEED:
        raise ValueError("must be at most 0.5in (12.7mm); printers ask 0.125in or 3-5mm")
    return points


def mark_room(bleed: float) -> float:
    """How far the page extends past the trim when crop marks are drawn.

    WeasyPrint draws crop marks in the outer half of the CSS bleed area
    (weasyprint/draw/__init__.py, draw_background); a CSS bleed of twice the
    real bleed plus 18pt puts them 9pt beyond the bleed, each bleed + 9pt long,
    so nothing of them can show on the trimmed page.
    """
    return 2 * bleed + 18.0


def page_css(trim: Trim, mode: str = "print", bleed: float = 0.0, crop_marks: bool = False) -> str:
    """The @page rules: size, margins (mirrored in print, even on screen), bleed and marks."""
    rules = [
        f"@page {{ size: {trim.width:.3f}pt {trim.height:.3f}pt; "
        f"margin-top: {trim.top:.3f}pt; margin-bottom: {trim.bottom:.3f}pt; }}"
    ]
    if mode == "screen":
        # One page at a time: the text stays in place as the reader pages through.
        side = (trim.inside + trim.outside) / 2
        rules.append(f"@page {{ margin-left: {side:.3f}pt; margin-right: {side:.3f}pt; }}")
        rules.append("a[href], .toc-link { color: #1f5a99; }")
    else:
        inside, outside = f"{trim.inside:.3f}pt", f"{trim.outside:.3f}pt"
        rules.append(f"@page :right {{ margin-left: {inside}; margin-right: {outside}; }}")
        rules.append(f"@page :left {{ margin-left: {outside}; margin-right: {inside}; }}")
        if crop_marks:
            rules.append(f"@page {{ bleed: {mark_room(bleed):.3f}pt; marks: crop; }}")
        elif bleed:
            rules.append(f"@page {{ bleed: {bleed:.3f}pt; }}")
    rules.append(f"html {{ font-size: {trim.font_size:g}pt; }}")
    # A picture is never cut across a page: none is taller than the text area
    # (less a line's strut; WeasyPrint moves one that does not fit to the next page).
    text_height = trim.height - trim.top - trim.bottom
    rules.append(f".story img {{ max-height: {0.9 * text_height:.3f}pt; }}")
    return "\n".join(rules) + "\n"
