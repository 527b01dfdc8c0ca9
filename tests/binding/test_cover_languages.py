"""The cover wrap in the book's language: its own words, its direction, its fonts.

A German wrap says "Herausgegeben von" and lists its editors as German does; the
Arabic fixture book (tests/fixtures/books/ar), built with --format cover, has
its front on the left (bound on the right), the barcode area at the back's
foot beside the spine, its title and label read back (PDFium) as typed, and
every glyph drawn by an embedded font, never the machine's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
import pypdf
import pypdfium2 as pdfium
import pytest

from packager.binding.coverwrap import cover_wrap
from packager.binding.settings import Binding
from packager.book.labels import Labels
from packager.build import build
from packager.options import BuildOptions

BOOKS = Path(__file__).resolve().parents[1] / "fixtures" / "books"
A5 = (148 * 72 / 25.4, 210 * 72 / 25.4)
BLEED = 0.125 * 72  # KDP's
TITLE = "ضوء على الساحل"


def _letters(text: str) -> str:
    return "".join(c for c in text if not c.isspace())


def test_a_german_wrap_speaks_german(tmp_path: Path) -> None:
    pdf, _, _ = cover_wrap(
        title="Laternen bei Ebbe", subtitle="", editors=["Ines Marlow", "Tobiah Greaves"],
        description="Vier Geschichten.", pages=120, trim=A5, binding=Binding(),
        theme="classic", image=None, date="D:20261101000000Z", label="collection.toml",
        words=Labels("de"),
    )  # fmt: skip
    path = tmp_path / "cover.pdf"
    path.write_bytes(pdf)
    with pdfplumber.open(path) as doc:
        text = doc.pages[0].extract_text()
    assert "Herausgegeben von" in text and "Edited by" not in text
    assert "Ines Marlow und Tobiah Greaves" in text


@pytest.fixture(scope="module")
def arabic_cover(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("cover-ar")
    source = work / "ar"
    shutil.copytree(BOOKS / "ar", source, ignore=shutil.ignore_patterns(".packager-cache"))
    config = source / "collection.toml"
    text = config.read_text(encoding="utf-8")  # authors: the collection's editor
    config.write_text(text + '\n[binding]\npaper_stock = "kdp-white"\n', encoding="utf-8")
    result = build(source, work / "dist", BuildOptions(formats=("cover",), env={}))
    (output,) = result.outputs
    return output.path


def test_a_right_to_left_wrap_has_its_front_on_the_left(arabic_cover: Path) -> None:
    document = pdfium.PdfDocument(arabic_cover)
    page = document[0]
    width, height = page.get_size()
    textpage = page.get_textpage()
    left = _letters(textpage.get_text_bounded(0, 0, BLEED + A5[0], height))
    right = _letters(textpage.get_text_bounded(width - BLEED - A5[0], 0, width, height))
    assert _letters(TITLE) in left, "the front, with the title, is the left-hand panel"
    assert "تحرير" in left and "ليلى" in left, "the editor under the book's own label"
    assert _letters(TITLE) not in right
    # The barcode area: at the foot of the back (the right-hand panel), beside the spine.
    x0, y0 = width - BLEED - A5[0] + 0.25 * 72, BLEED + 0.25 * 72
    assert _letters(textpage.get_text_bounded(x0, y0, x0 + 2 * 72, y0 + 1.2 * 72)) == ""
    with pdfplumber.open(arabic_cover) as pdf:
        chars = pdf.pages[0].chars
        boxes = [r for r in pdf.pages[0].rects if r["non_stroking_color"] in ((1, 1, 1), [1, 1, 1])]
    assert chars
    barcode = next(r for r in boxes if abs(r["width"] - 144) < 1 and abs(r["height"] - 86.4) < 1)
    assert barcode["x0"] == pytest.approx(x0, abs=0.5), "the clear area by the spine"


def test_every_glyph_of_the_arabic_wrap_is_an_embedded_font(arabic_cover: Path) -> None:
    page = pypdf.PdfReader(arabic_cover).pages[0]
    fonts = page["/Resources"]["/Font"]
    names = []
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        names.append(str(font["/BaseFont"]))
    assert any("Amiri" in n or "Almarai" in n for n in names), names
    assert not any("DejaVu" in n for n in names), "no face of the machine's"
