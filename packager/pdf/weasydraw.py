"""WeasyPrint 70's drawing of a line of text, with its per-glyph loop made cheap.

WeasyPrint draws each line (``weasyprint.draw.text.draw_first_line``) by
walking its glyphs one by one in Python: for each, three or four reads of
Pango's structs through cffi, a check of the font's ToUnicode map and widths,
and a piece of the ``TJ`` string. That loop is about a seventh of the time a
story's layout takes. Here a line of ordinary glyphs is drawn with the same
arithmetic: each run's glyphs are read from Pango's array at once, and the piece
of the ``TJ`` string each glyph gives is kept with its font (the same glyph at
the same advance in the same font gives the same piece), so the stream and the
font's maps come out byte for byte as WeasyPrint writes them.

A line WeasyPrint draws with more than glyphs is left to it: an ellipsis, a
glyph raised or lowered (``rise``), an empty or missing glyph, a bitmap, SVG,
PNG or COLR font (emoji). So is every line if the installed WeasyPrint is not
the version this drawing was written against.
"""

from __future__ import annotations

from typing import Any

from packager.pdf import weasyload  # noqa: F401  (first: WeasyPrint's libraries, opened fast)

# isort: split
import weasyprint
import weasyprint.draw.text
from weasyprint.text.ffi import FROM_UNITS, ffi, pango

_original = weasyprint.draw.text.draw_first_line
_SUPPORTED = weasyprint.__version__.split(".")[0] == "70"  # the loop copied is 70's
_INFO = ffi.sizeof("PangoGlyphInfo")  # glyph, width, x_offset, y_offset, attributes
_FIELDS = 5
_SPECIAL = pango.PANGO_GLYPH_EMPTY  # this and above: empty, or the unknown-glyph flag set
_OLD_PANGO = pango.pango_version() < 14802


class _Unusual(Exception):
    """A line with more than ordinary glyphs: WeasyPrint draws it."""


def draw_first_line(
    stream: Any, textbox: Any, text_overflow: str, block_ellipsis: Any, matrix: Any
) -> Any:
    """``weasyprint.draw.text.draw_first_line``, the same stream for less time."""
    if text_overflow == "ellipsis" or block_ellipsis != "none":
        return _original(stream, textbox, text_overflow, block_ellipsis, matrix)
    if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
        return []
    layout = textbox.pango_layout
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    first_line, _ = layout.get_first_line()
    try:  # nothing is written to the stream until the whole line is known to be ordinary
        segments = _segments(stream, textbox, first_line)
    except _Unusual:
        return _original(stream, textbox, text_overflow, block_ellipsis, matrix)
    stream.set_text_matrix(*matrix.values)
    last = len(segments) - 1
    for n, (font_hash, font_size, string) in enumerate(segments):
        stream.set_font_size(font_hash, font_size)  # as WeasyPrint, at each change of font
        if string or n == last:
            stream.show_text(string)
    if not segments:
        stream.show_text("")
    return []


def _segments(stream: Any, textbox: Any, first_line: Any) -> list[tuple[str, float, str]]:
    """The line's TJ strings, one per run of one Pango font, with the font and its size."""
    segments: list[tuple[str, float, str]] = []
    string = ""
    previous = font = pieces = None
    font_size = 0.0
    run = first_line.runs[0]
    while run != ffi.NULL:
        item = run.data
        run = run.next
        pango_font = item.item.analysis.font
        if pango_font != previous:
            if font is not None:
                segments.append((font.hash, font_size, string))
            previous = pango_font
            font, font_size = stream.add_font(pango_font)
            if _OLD_PANGO or font.png:
                font_size = textbox.style["font_size"]
            if font.bitmap or font.png or font.svg or font.colr:
                raise _Unusual
            pieces = _pieces(font, font_size)
            string = ""
        assert pieces is not None
        glyphs = item.glyphs
        count = glyphs.num_glyphs
        parts = ["<"]
        if count:
            # Each PangoGlyphInfo as 5 ints: glyph, width, x_offset, y_offset and the
            # attribute bits (not read: WeasyPrint does not, and its unused bits vary).
            v = ffi.unpack(ffi.cast("int *", glyphs.glyphs), count * _FIELDS)
            keys = zip(v[0::_FIELDS], v[1::_FIELDS], v[2::_FIELDS], v[3::_FIELDS], strict=True)
            for i, key in enumerate(keys):
                piece = pieces.get(key)
                if piece is None:
                    piece = pieces[key] = _piece(
                        stream, textbox, item, pango_font, font, font_size, i, key
                    )
                parts.append(piece)
        string += "".join(parts)
        # Close the run's glyph list, as WeasyPrint does (a last '<' is dropped).
        string = string[:-1] if string[-1] == "<" else string + ">"
    if font is not None:
        segments.append((font.hash, font_size, string))
    return segments


def _pieces(font: Any, font_size: float) -> dict[tuple[int, ...], str]:
    """The pieces of TJ string drawn in this font (one document's) at this size so far."""
    kept: dict[float, dict[tuple[int, ...], str]] = font.__dict__.setdefault("_packager_pieces", {})
    return kept.setdefault(font_size, {})


def _piece(
    stream: Any,
    textbox: Any,
    item: Any,
    pango_font: Any,
    font: Any,
    font_size: float,
    i: int,
    key: tuple[int, ...],
) -> str:
    """One glyph's piece of the TJ string, and its entries in the font's ToUnicode map
    and widths, as WeasyPrint 70's loop makes them (draw/text.py); ``key``: its
    PangoGlyphInfo. A glyph raised or lowered, empty or missing is not ordinary."""
    glyph_id, width, x_offset, y_offset = key
    if y_offset or not 0 <= glyph_id < _SPECIAL:
        raise _Unusual
    if glyph_id not in font.to_unicode:
        glyphs = item.glyphs
        clusters = glyphs.log_clusters
        count = glyphs.num_glyphs
        offset = item.item.offset
        t1 = clusters[i]
        if item.item.analysis.level % 2:  # rtl
            t2 = item.item.length if i == 0 else clusters[i - 1]
        else:
            t2 = item.item.length if i == count - 1 else clusters[i + 1]
        utf8_text = textbox.pango_layout.text.encode()
        font.to_unicode[glyph_id] = utf8_text[offset + t1 : offset + t2].decode()
    piece = ""
    offset = x_offset / font_size
    if offset:
        piece += f">{-offset}<"
    piece += f"{glyph_id:04x}"
    if glyph_id in font.widths:
        logical_width = font.widths[glyph_id]
    else:
        pango.pango_font_get_glyph_extents(
            pango_font, glyph_id, stream.ink_rect, stream.logical_rect
        )
        logical_width = font.widths[glyph_id] = round(
            stream.logical_rect.width * 1000 * FROM_UNITS / font_size
        )
    kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
    if kerning:
        piece += f">{int(kerning)}<"
    return piece


def apply() -> None:
    """Draw lines so (once: applying it again changes nothing)."""
    if _SUPPORTED and _INFO == _FIELDS * 4:
        weasyprint.draw.text.draw_first_line = draw_first_line
