"""A renderer parses the book's stylesheets once, and every part after the first is laid
out exactly as if they had been parsed for it (packager.pdf.weasysheets)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest

from packager.model import Resource
from packager.pdf import weasysheets
from packager.pdf.weasy import Renderer

# A page size and a counter style of its own, a property WeasyPrint ignores (a
# warning), and addresses outside the book (refused while parsing, and while laying out).
CSS = b"""
@import url(https://example.com/more.css);
@page { size: 100mm 150mm; margin: 12mm; @bottom-center { content: counter(page, stars) } }
@counter-style stars { system: additive; additive-symbols: 5 "*****", 1 "*"; }
p { color: #123456; fontsize: 3pt; width: var(--measure, 3 apples); }
section { background: url(https://example.com/paper.png); }
"""


def page(words: str) -> str:
    return (
        '<html lang="en"><head><link rel="stylesheet" href="css/book.css"/></head>'
        f"<body><section><p>{words}</p></section></body></html>"
    )


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted: list[int] = []
    real = weasysheets._original

    def counting(*args: object) -> Iterator[object]:
        counted.append(1)
        yield from real(*args)

    monkeypatch.setattr(weasysheets, "_original", counting)
    return counted


def test_parts_after_the_first_reuse_the_sheets_and_come_out_the_same(parses: list[int]) -> None:
    book = [Resource("css/book.css", "text/css", CSS)]
    shared = Renderer(book)
    first = shared.render(page("The boats came in."), "one.xhtml", first_number=6)
    second = shared.render(page("Nobody waited on the quay."), "two.xhtml", first_number=6)
    assert len(parses) == 1  # the second part's sheets were the first's
    alone = Renderer(book).render(page("Nobody waited on the quay."), "two.xhtml", first_number=6)
    assert len(parses) == 2  # a renderer of its own parses them for itself
    assert second.pdf == alone.pdf and second.pages == alone.pages
    # What parsing said and refused is the second part's too.
    assert second.messages == alone.messages == first.messages
    assert any("fontsize" in m for m in second.messages)
    assert any("3 apples" in m for m in second.messages)  # a var() value warns per part
    assert any("example.com/more.css" in m for m in second.messages)
    assert any("example.com/paper.png" in m for m in second.messages)
    # The @page size and the @counter-style rule applied to it.
    reader = pypdf.PdfReader(io.BytesIO(second.pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        100,
        150,
    )
    assert "******" in reader.pages[0].extract_text()  # page 6 in stars


def test_a_part_with_other_sheets_gets_its_own(parses: list[int]) -> None:
    book = [
        Resource("css/book.css", "text/css", CSS),
        Resource("css/other.css", "text/css", b"@page { size: 80mm 120mm }"),
    ]
    renderer = Renderer(book)
    renderer.render(page("One."), "one.xhtml")
    other = page("Two.").replace("css/book.css", "css/other.css")
    part = renderer.render(other, "two.xhtml")
    with_style = page("Three.").replace("</head>", "<style>p { color: red }</style></head>")
    renderer.render(with_style, "three.xhtml")
    assert len(parses) == 3
    box = pypdf.PdfReader(io.BytesIO(part.pdf)).pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 80


def test_sheets_with_cascade_layers_are_parsed_for_each_part(parses: list[int]) -> None:
    layered = b"@layer base { p { color: blue } } @page { size: 90mm 140mm }"
    renderer = Renderer([Resource("css/book.css", "text/css", layered)])
    parts = [renderer.render(page(w), f"{w}.xhtml") for w in ("one", "two")]
    assert len(parses) == 2  # a layer's order is the document's: not kept
    for part in parts:
        box = pypdf.PdfReader(io.BytesIO(part.pdf)).pages[0].mediabox
        assert round(float(box.width) / 72 * 25.4) == 90
