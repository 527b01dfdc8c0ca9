"""A typographic cover when the editor gives none: title, subtitle, editors.

The only module that imports Pillow. The image is 1600x2560 (the 1:1.6 shape
Amazon and Kobo recommend), a JPEG without metadata, drawn only from its
inputs, so the same book gets the same bytes on every build. The theme gives
the fonts and colours (theme.toml ``[cover]``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from packager.book.themes import CoverLook

WIDTH, HEIGHT = 1600, 2560
_MARGIN = 160
_TITLE_SIZES = (190, 170, 150, 132, 116, 102, 90, 80, 70)
_MAX_TITLE_LINES = 5


def make_cover(
    title: str,
    subtitle: str,
    editors: Sequence[str],
    style: CoverLook,
    byline: str = "Edited by",
    names: str = "",
) -> bytes:
    """The cover as JPEG bytes; ``byline`` over ``names`` (the editors, joined) at the foot."""
    image = Image.new("RGB", (WIDTH, HEIGHT), style.background)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * _MARGIN
    # A frame inside the edges, in the accent colour.
    draw.rectangle((70, 70, WIDTH - 71, HEIGHT - 71), outline=style.accent, width=6)

    font, lines = _fit(title, style.title_font, inner)
    line_height = int(font.size * 1.15)
    y = int(HEIGHT * 0.30) - (len(lines) * line_height) // 2
    for line in lines:
        _centred(draw, y, line, font, style.foreground)
        y += line_height
    y += 70
    draw.line((WIDTH // 2 - 160, y, WIDTH // 2 + 160, y), fill=style.accent, width=6)
    y += 90
    if subtitle:
        small = ImageFont.truetype(str(style.text_font), 72)
        for line in _wrap(subtitle, small, inner)[:4]:
            _centred(draw, y, line, small, style.foreground)
            y += 92
    if editors:
        names = names or _join(editors)
        text_font = ImageFont.truetype(str(style.text_font), 64)
        lines = [byline, *_wrap(names, text_font, inner)[:3]]
        y = HEIGHT - 260 - 84 * (len(lines) - 1)
        for i, line in enumerate(lines):
            _centred(draw, y, line, text_font, style.accent if i == 0 else style.foreground)
            y += 84
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, optimize=True, progressive=False)
    return out.getvalue()


def _fit(text: str, path: Path, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest title size at which the title wraps into a few lines."""
    for size in _TITLE_SIZES:
        font = ImageFont.truetype(str(path), size)
        lines = _wrap(text, font, width)
        if len(lines) <= _MAX_TITLE_LINES and all(font.getlength(ln) <= width for ln in lines):
            return font, lines
    font = ImageFont.truetype(str(path), _TITLE_SIZES[-1])
    lines = _wrap(text, font, width)
    if len(lines) > _MAX_TITLE_LINES:
        lines = [*lines[: _MAX_TITLE_LINES - 1], lines[_MAX_TITLE_LINES - 1].rstrip() + " …"]
    return font, lines


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap; a word wider than the line is cut into pieces that fit."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while font.getlength(word) > width:
            cut = max(
                1, next(i for i in range(len(word), 0, -1) if font.getlength(word[:i]) <= width)
            )
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _centred(
    draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont, fill: str
) -> None:
    draw.text((WIDTH / 2, y), text, font=font, fill=fill, anchor="ma")


def _join(names: Sequence[str]) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
