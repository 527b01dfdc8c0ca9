"""Which characters a font file draws (its cmap, read with fontTools), and which need none.

The PDF draws every character of the book with a font packager embeds, so
before laying anything out packager asks each font's cmap what it has
(packager.book.fallbacks). A cmap is read once per process and file: reading
the largest (Noto Serif SC, 31,000 characters) takes about 0.1 s.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

# Characters drawn as nothing, or by the shaper from the font's space: a font
# needs no glyph of its own for them. Format characters (ZWJ, ZWNJ, the bidi
# marks, the soft hyphen), controls and the Unicode spaces (HarfBuzz draws
# U+2000-U+200A, U+202F, U+205F and U+3000 with the font's space when the
# font lacks them, so a French U+202F needs no other font).
_NO_GLYPH = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def characters(path: Path) -> frozenset[int]:
    """The code points ``path``'s cmap maps to a glyph (empty if it is not a font)."""
    try:
        stat = path.stat()
    except OSError:
        return frozenset()
    return _cmap(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _cmap(path: str, size: int, mtime: int) -> frozenset[int]:
    """One file's cmap; size and mtime in the key, so a changed file is read again."""
    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            # Only the code points are wanted, not the glyph names the cmap maps
            # them to: with no glyph order, fontTools names each glyph by number
            # and spares reading a CFF font's whole CFF table for its names (30 ms
            # for the cover's fonts).
            font.setGlyphOrder([])
            return frozenset(font.getBestCmap() or {})
    except (TTLibError, OSError, KeyError, AssertionError, ValueError):
        return frozenset()


def needs_glyph(char: str) -> bool:
    """Whether drawing ``char`` takes a glyph from some font."""
    if unicodedata.category(char) in _NO_GLYPH:
        return False
    code = ord(char)
    # Variation selectors choose a form of the character before them.
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def describe(char: str) -> str:
    """'"夜" (U+591C CJK UNIFIED IDEOGRAPH-591C)', for a message."""
    code = ord(char)
    name = unicodedata.name(char, "")
    if not name:
        private = 0xE000 <= code <= 0xF8FF or code >= 0xF0000
        name = "private use" if private else f"not in Unicode {unicodedata.unidata_version}"
    return f'"{char}" (U+{code:04X} {name})'
