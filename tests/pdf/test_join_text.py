"""Joining parts keeps every glyph's text: the garbled CJK title of issue 15 (part 3).

Two parts draw characters their font lacks, in a different order. WeasyPrint
numbers such glyphs from the font's glyph count up, part by part, with an
Encoding of the part's own: the same code is 灯 in one part and 夜 in the
other. One shared font dictionary for both (the join did that) gave one of the
parts the other's text. Read back here by decoding each page's text through
the ToUnicode map of the font it names, as a PDF reader does.
"""

from __future__ import annotations

import dataclasses
import io
import re

import pikepdf

from packager.book.themes import load_theme
from packager.model import Resource
from packager.pdf import join
from packager.pdf.weasy import Renderer

_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def _to_unicode(font: pikepdf.Object) -> dict[int, str]:
    cmap = font.ToUnicode.read_bytes()
    return {
        int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S)
        for code, text in _BFCHAR.findall(block)
    }


def page_text(page: pikepdf.Page) -> str:
    """The page's text: each shown string's two-byte codes through its font's ToUnicode."""
    fonts = page.obj.Resources.Font
    maps: dict[str, dict[int, str]] = {}
    out: list[str] = []
    current: dict[int, str] = {}
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "Tf":
            name = str(operands[0])
            current = maps.setdefault(name, _to_unicode(fonts[name]))
        elif op in ("Tj", "TJ"):
            strings = operands[0] if op == "TJ" else [operands[0]]
            for item in strings:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    out.extend(current.get(int.from_bytes(data[i : i + 2]), "\ufffd")
                               for i in range(0, len(data), 2))  # fmt: skip
    return "".join(out)


def test_parts_missing_glyphs_keep_their_own_text_after_the_join() -> None:
    theme = load_theme("classic")
    font = theme.fonts[0].path
    css = (
        f'@font-face {{ font-family: "Source Serif Pro"; src: url(../fonts/{font.name}); }}\n'
        'body { font-family: "Source Serif Pro"; }'
    )
    resources = [
        Resource("css/book.css", "text/css", css.encode()),
        Resource(f"fonts/{font.name}", "font/otf", font.read_bytes()),
    ]
    renderer = Renderer(resources)  # no fallbacks: Source Serif Pro has no CJK
    pieces, programs = [], {}
    for text in ("A 夜の灯台", "B 灯台の夜"):
        html = (
            '<html lang="ja"><head><link rel="stylesheet" href="css/book.css"/></head>'
            f"<body><p>{text}</p></body></html>"
        )
        part = renderer.render(html, "part.html")
        pdf, used = join.detach_fonts(part.pdf, renderer.programs)
        programs.update(used)
        pieces.append(join.Piece(dataclasses.replace(part, pdf=pdf)))
    meta = join.Metadata("Join", (), "", "ja", "D:20000101000000Z", "test")
    book = join.assemble(pieces, programs, None, meta)
    with pikepdf.open(io.BytesIO(book)) as pdf:
        texts = [page_text(page).replace(" ", "") for page in pdf.pages]
        # Both pages still use one font program, embedded once.
        files = {
            f.DescendantFonts[0].FontDescriptor.FontFile3.objgen
            for page in pdf.pages
            for f in page.obj.Resources.Font.values()
        }
    assert texts == ["A夜の灯台", "B灯台の夜"]
    assert len(files) == 1
