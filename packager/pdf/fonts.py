"""Share and subset the fonts of a joined book (pikepdf objects, fontTools subsetting).

Every part embeds the same theme fonts, each listing the glyphs it used. Here
all the dictionaries of one font program become one, listing every glyph the
book uses, and the program is subset once to those glyphs. Glyph ids are kept
(``retain_gids``): the pages' text refers to glyphs by id.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError
from pikepdf import Array, Name

_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_MARK = "/PackagerFont"
_LAYOUT_TABLES = ("GSUB", "GPOS", "BASE", "JSTF")
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_BFRANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


class _Font:
    """All the dictionaries of one font program in the book, and what they use."""

    def __init__(self, canonical: pikepdf.Object) -> None:
        self.canonical = canonical
        self.widths: dict[int, float] = {}
        self.unicode: dict[int, str] = {}
        self.seen: set[tuple[int, int]] = set()

    def add(self, font: pikepdf.Object) -> None:
        key = font.objgen
        if key in self.seen:
            return
        self.seen.add(key)
        descendant = font.DescendantFonts[0]
        self.widths.update(parse_widths(descendant.get("/W", Array())))
        if "/ToUnicode" in font:
            self.unicode.update(parse_to_unicode(font.ToUnicode.read_bytes()))


def share(
    book: pikepdf.Pdf,
    programs: Mapping[str, bytes],
    extra: tuple[pikepdf.Object, str, set[int]] | None = None,
) -> None:
    """Give every page the book's single copy of each font, subset to the book's glyphs.

    ``extra`` is a font (with its program's sha and glyph ids) that pages
    will use later (the folio font): it becomes its program's shared copy.
    """
    fonts: dict[str, _Font] = {}
    if extra is not None:
        font, sha, _ = extra
        fonts[sha] = _Font(font)
        fonts[sha].add(font)
    tables_seen: set[tuple[int, int]] = set()
    for page in book.pages:
        resources = page.obj.get("/Resources")
        if resources is None or "/Font" not in resources:
            continue
        table = resources.Font
        if table.is_indirect:  # parts share one font table between their pages
            if table.objgen in tables_seen:
                continue
            tables_seen.add(table.objgen)
        for name in list(table.keys()):
            font = table[name]
            if font.get("/Subtype") != Name.Type0:
                continue
            found = program_sha(font)
            if found is None:
                continue
            shared = fonts.setdefault(found, _Font(font))
            shared.add(font)
            if font.objgen != shared.canonical.objgen:
                table[name] = shared.canonical
    for sha, shared in fonts.items():
        glyphs = set(shared.widths)
        if extra is not None and sha == extra[1]:
            glyphs |= extra[2]
        program = programs.get(sha) or _program(shared.canonical) or b""
        _rewrite(book, shared, program, glyphs)


def program_sha(font: pikepdf.Object) -> str | None:
    """The sha256 of a Type0 font's program, read from its stub if it was detached."""
    descriptor = font.DescendantFonts[0].get("/FontDescriptor")
    if descriptor is None:
        return None
    for key in _FONT_FILES:
        stream = descriptor.get(key)
        if isinstance(stream, pikepdf.Stream):
            if _MARK in stream:
                return str(stream[_MARK])
            return hashlib.sha256(stream.read_bytes()).hexdigest()
    return None


def _program(font: pikepdf.Object) -> bytes | None:
    descriptor = font.DescendantFonts[0].FontDescriptor
    for key in _FONT_FILES:
        stream = descriptor.get(key)
        if isinstance(stream, pikepdf.Stream) and _MARK not in stream:
            return bytes(stream.read_bytes())
    return None


def _rewrite(book: pikepdf.Pdf, shared: _Font, program: bytes, glyphs: set[int]) -> None:
    font = shared.canonical
    descendant = font.DescendantFonts[0]
    widths = dict(shared.widths)
    subset_program, advances = subset_font(program, glyphs)
    for glyph in glyphs:
        if glyph not in widths and glyph in advances:
            widths[glyph] = advances[glyph]
    descriptor = descendant.FontDescriptor
    for key in _FONT_FILES:
        stream = descriptor.get(key)
        if isinstance(stream, pikepdf.Stream):
            stream.write(subset_program)
            if _MARK in stream:
                del stream[_MARK]
            if "/Length1" in stream:
                stream.Length1 = len(subset_program)
    descendant.W = build_widths(widths)
    font.ToUnicode = book.make_stream(build_to_unicode(shared.unicode))


def subset_font(program: bytes, glyphs: set[int]) -> tuple[bytes, dict[int, float]]:
    """The program with only ``glyphs`` (ids kept), and their advances in 1/1000 em.

    The same fontTools options as WeasyPrint's own subsetting; the font's
    timestamp is kept, so the same book gives the same bytes.
    """
    try:
        font = TTFont(io.BytesIO(program), recalcTimestamp=False)
        # Dropped anyway (the PDF holds positioned glyphs), but first: the
        # subsetter reads every table it is given, and the layout tables of a
        # CJK face take seconds to read.
        for tag in _LAYOUT_TABLES:
            if tag in font:
                del font[tag]
    except (TTLibError, OSError, ValueError):
        return program, {}
    upem = font["head"].unitsPerEm
    order = font.getGlyphOrder()
    metrics = font["hmtx"].metrics
    advances = {g: metrics[order[g]][0] * 1000 / upem for g in glyphs if g < len(order)}
    options = subset.Options(
        retain_gids=True,
        passthrough_tables=True,
        ignore_missing_glyphs=True,
        hinting=False,
        desubroutinize=True,
        notdef_outline=True,
    )
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(glyphs | {0}))
    try:
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    except (TTLibError, KeyError, ValueError, AssertionError):
        return program, advances
    return out.getvalue(), advances


def parse_widths(w: pikepdf.Object) -> dict[int, float]:
    """A CIDFont /W array ([c [w1 w2 ...] c1 c2 w ...]) as {glyph: width}."""
    widths: dict[int, float] = {}
    items = list(w)
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            for offset, each in enumerate(nxt):
                widths[first + offset] = float(each)
            i += 2
        else:
            last, same = int(nxt), float(items[i + 2])
            for glyph in range(first, last + 1):
                widths[glyph] = same
            i += 3
    return widths


def build_widths(widths: Mapping[int, float]) -> pikepdf.Array:
    out: list[object] = []
    run: list[float] = []
    previous = None
    for glyph in sorted(widths):
        if previous is None or glyph != previous + 1:
            if run:
                out.append(Array(run))
            out.append(glyph)
            run = []
        run.append(round(widths[glyph], 3))
        previous = glyph
    if run:
        out.append(Array(run))
    return Array(out)


def parse_to_unicode(cmap: bytes) -> dict[int, str]:
    """The bfchar and bfrange entries of a ToUnicode CMap as {glyph: text}."""
    found: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for glyph, text in _BFCHAR.findall(block):
            found[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in _BFRANGE.findall(block):
            first = int(start, 16)
            for offset, glyph in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[glyph] = chr(first + offset)
    return found


def build_to_unicode(mapping: Mapping[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for glyph, text in batch:
            lines.append(f"<{glyph:04x}> <{text.encode('utf-16-be').hex()}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
