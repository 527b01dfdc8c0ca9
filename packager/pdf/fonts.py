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
from collections.abc import Callable, Mapping

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError
from pikepdf import Array, Name

# A font program and the glyph ids to keep -> the subset program and its advances.
Subset = Callable[[bytes, set[int]], tuple[bytes, dict[int, float]]]

_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_MARK = "/PackagerFont"
_LAYOUT_TABLES = ("GSUB", "GPOS", "BASE", "JSTF")
# A glyph may map to no text (<0052> <>): WeasyPrint gives a cluster's text to
# its last glyph and none to the others.
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
_BFRANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


class _Font:
    """Dictionaries of one font program that can be one: their glyphs mean the same text."""

    def __init__(self, canonical: pikepdf.Object) -> None:
        self.canonical = canonical
        self.widths: dict[int, float] = {}
        self.unicode: dict[int, str] = {}
        self.seen: set[tuple[int, int]] = set()
        self.own_encoding = _own_encoding(canonical)

    def accepts(self, unicode: Mapping[int, str], font: pikepdf.Object) -> bool:
        """Whether ``font`` can be replaced by this one without changing what a glyph says.

        WeasyPrint numbers a part's missing glyphs (drawn as .notdef) from the
        font's glyph count up, in the order the part meets them, with an
        Encoding CMap of its own: in two parts the same code stands for two
        characters, so such a font keeps its own dictionary. So does a glyph
        that one part maps to U+0020 and another to U+00A0.
        """
        if self.own_encoding or _own_encoding(font):
            return False
        return all(self.unicode.get(glyph, text) == text for glyph, text in unicode.items())

    def add(self, font: pikepdf.Object, unicode: Mapping[int, str]) -> None:
        self.seen.add(font.objgen)
        self.widths.update(parse_widths(font.DescendantFonts[0].get("/W", Array())))
        self.unicode.update(unicode)


def _own_encoding(font: pikepdf.Object) -> bool:
    return font.get("/Encoding") != Name("/Identity-H")


def _unicode(font: pikepdf.Object) -> dict[int, str]:
    return parse_to_unicode(font.ToUnicode.read_bytes()) if "/ToUnicode" in font else {}


def share(
    book: pikepdf.Pdf,
    programs: Mapping[str, bytes],
    extra: tuple[pikepdf.Object, str, set[int]] | None = None,
    make_subset: Subset | None = None,
) -> None:
    """Give every page the book's copies of each font, subset once to the book's glyphs.

    The dictionaries of one program become one wherever their glyphs mean the
    same text (else each keeps its own ToUnicode, so every glyph still reads
    as its character), and all of them share one subset of the program.
    ``extra`` is a font (with its program's sha and glyph ids) that pages
    will use later (the folio font): it becomes its program's first copy.
    ``make_subset`` makes the subsets (``subset_font``, or the same through a cache).
    """
    make_subset = make_subset or subset_font
    fonts: dict[str, list[_Font]] = {}
    placed: dict[tuple[int, int], _Font] = {}  # each dictionary met, and where it went
    if extra is not None:
        font, sha, _ = extra
        first = _Font(font)
        first.add(font, _unicode(font))
        fonts[sha] = [first]
        placed[font.objgen] = first
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
        for name in sorted(table.keys()):  # keys() is a set: its order is the hash seed's
            font = table[name]
            if font.get("/Subtype") != Name.Type0:
                continue
            found = program_sha(font)
            if found is None:
                continue
            shared = placed.get(font.objgen)
            if shared is None:
                unicode = _unicode(font)
                group = fonts.setdefault(found, [])
                shared = next((f for f in group if f.accepts(unicode, font)), None)
                if shared is None:
                    shared = _Font(font)
                    group.append(shared)
                shared.add(font, unicode)
                placed[font.objgen] = shared
            if font.objgen != shared.canonical.objgen:
                table[name] = shared.canonical
    for sha, group in fonts.items():
        glyphs = set().union(*(set(f.widths) for f in group))
        if extra is not None and sha == extra[1]:
            glyphs |= extra[2]
        program = programs.get(sha) or _program(group[0].canonical) or b""
        subset_program, advances = make_subset(program, glyphs)
        stream = None
        for shared in group:
            wanted = set(shared.widths)
            if extra is not None and shared.canonical.objgen == extra[0].objgen:
                wanted |= extra[2]
            stream = _rewrite(book, shared, (subset_program, advances), wanted, stream)


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


def _rewrite(
    book: pikepdf.Pdf,
    shared: _Font,
    subset: tuple[bytes, Mapping[int, float]],
    wanted: set[int],
    stream: pikepdf.Stream | None,
) -> pikepdf.Stream | None:
    """One dictionary of the group: its widths, its ToUnicode, and the group's program.

    The first dictionary's font file becomes the subset program; the others
    point at it (``stream``), so the book embeds the program once.
    """
    subset_program, advances = subset
    font = shared.canonical
    descendant = font.DescendantFonts[0]
    widths = dict(shared.widths)
    for glyph in wanted:
        if glyph not in widths and glyph in advances:
            widths[glyph] = advances[glyph]
    descriptor = descendant.FontDescriptor
    for key in _FONT_FILES:
        own = descriptor.get(key)
        if not isinstance(own, pikepdf.Stream):
            continue
        if stream is None:
            own.write(subset_program)
            if _MARK in own:
                del own[_MARK]
            if "/Length1" in own:
                own.Length1 = len(subset_program)
            stream = own
        elif own.objgen != stream.objgen:
            descriptor[key] = stream
    descendant.W = build_widths(widths)
    font.ToUnicode = book.make_stream(build_to_unicode(shared.unicode))
    return stream


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
