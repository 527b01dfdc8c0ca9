"""The cover wrap read back: its boxes, the spine the services publish, spine text, the barcode."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pypdf
import pytest
from conftest import copy_samples

from packager.binding.coverwrap import cover_wrap
from packager.binding.settings import Binding
from packager.build import build
from packager.options import BuildOptions

A5 = (148 * 72 / 25.4, 210 * 72 / 25.4)
# The services' published formulas, in inches (see packager/binding/stocks.toml for sources).
KDP_WHITE = 0.002252  # inches a page
KDP_CREAM = 0.0025
LULU = (1 / 444, 0.06)  # inches a page, plus the cover's own allowance


def _wrap(pages: int, stock: str, description: str = "A short blurb.") -> bytes:
    pdf, _, _ = cover_wrap(
        title="Lanterns at Low Tide", subtitle="Four Stories", editors=["Ines Marlow"],
        description=description, pages=pages, trim=A5, binding=Binding(paper_stock=stock),
        theme="classic", image=None, date="D:20261101000000Z", label="collection.toml",
    )  # fmt: skip
    return pdf


def _spine_chars(data: bytes, spine: float, bleed: float, path: Path) -> list[str]:
    path.write_bytes(data)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        x0 = bleed + A5[0]
        return [c["text"] for c in page.chars if x0 < (c["x0"] + c["x1"]) / 2 < x0 + spine]


def _boxes(data: bytes, path: Path) -> tuple[list[float], list[float], list[float]]:
    path.write_bytes(data)
    page = pypdf.PdfReader(path).pages[0]
    return [[float(v) for v in b] for b in (page.mediabox, page.trimbox, page.bleedbox)]  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("stock", "pages", "spine_in"),
    [
        ("kdp-white", 100, 100 * KDP_WHITE),
        ("kdp-white", 240, 240 * KDP_WHITE),
        ("kdp-cream", 500, 500 * KDP_CREAM),
        ("lulu-white", 120, 120 * LULU[0] + LULU[1]),
        ("lulu-cream", 302, 302 * LULU[0] + LULU[1]),
        ("lulu-cream", 660, 660 * LULU[0] + LULU[1]),
    ],
)
def test_wrap_is_two_trims_a_spine_and_bleed(
    stock: str, pages: int, spine_in: float, tmp_path: Path
) -> None:
    media, trim, bleed_box = _boxes(_wrap(pages, stock), tmp_path / "cover.pdf")
    bleed = 0.125 * 72
    spine = spine_in * 72
    assert media[2] - media[0] == pytest.approx(2 * A5[0] + spine + 2 * bleed, abs=0.01)
    assert media[3] - media[1] == pytest.approx(A5[1] + 2 * bleed, abs=0.01)
    assert trim == pytest.approx([bleed, bleed, media[2] - bleed, media[3] - bleed], abs=0.01)
    assert bleed_box == pytest.approx(media, abs=0.01)


def test_spine_text_only_from_the_services_minimum(tmp_path: Path) -> None:
    bleed = 0.125 * 72
    thin = _spine_chars(_wrap(78, "kdp-cream"), 78 * KDP_CREAM * 72, bleed, tmp_path / "a.pdf")
    assert thin == [], "KDP prints spine text on books of more than 79 pages only"
    thick = _spine_chars(_wrap(200, "kdp-cream"), 200 * KDP_CREAM * 72, bleed, tmp_path / "b.pdf")
    assert "".join(thick).replace(" ", "").startswith("LanternsatLowTide")
    lulu = _spine_chars(_wrap(80, "lulu-white"), (80 / 444 + 0.06) * 72, bleed, tmp_path / "c.pdf")
    assert lulu == [], "Lulu: no spine text at 80 pages or fewer"


def test_the_sample_built_with_its_cover(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    blurb = "Four stories of lamps and tides. " * 4
    with (source / "collection.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'\n[binding]\npaper_stock = "kdp-white"\nback_cover = "{blurb}"\n')
    result = build(
        source, tmp_path / "dist", BuildOptions(formats=("cover",), env={}, use_cache=False)
    )
    (output,) = result.outputs
    assert output.format == "cover" and output.path.name == "lanterns-at-low-tide-cover.pdf"
    with pdfplumber.open(output.path) as pdf:
        page = pdf.pages[0]
        text = page.extract_text()
        height = float(page.height)
        bleed = 0.125 * 72
        # The barcode area: 2 x 1.2 in at the bottom right of the back, 0.25 in in from the trim.
        x1, y0 = bleed + A5[0] - 0.25 * 72, bleed + 0.25 * 72
        inside = [
            c
            for c in page.chars
            if x1 - 2 * 72 < c["x0"] < x1 and y0 < height - c["bottom"] < y0 + 1.2 * 72
        ]
    assert "Four stories of lamps and tides." in text
    assert "Lanterns at Low Tide" in text
    assert inside == [], "the barcode area is left clear"
    notes = [d.message for d in result.diagnostics]
    assert any("no spine text" in n for n in notes), "the sample is too thin for spine text"
    assert not [d for d in result.diagnostics if d.severity.value == "warning"]


def test_text_too_near_the_trim_is_a_warning(tmp_path: Path) -> None:
    _, _, found = cover_wrap(
        title="T", subtitle="", editors=[], description="word " * 1500, pages=120, trim=A5,
        binding=Binding(), theme="classic", image=None, date="D:20261101000000Z", label="c.toml",
    )  # fmt: skip
    messages = [d.message for d in found if d.severity.value == "warning"]
    assert any("back cover comes nearer the trim" in m for m in messages)


def test_every_font_is_the_themes_and_embedded(tmp_path: Path) -> None:
    """Services refuse covers with fonts not embedded; and no fallback face sneaks in."""
    path = tmp_path / "cover.pdf"
    path.write_bytes(_wrap(200, "kdp-white"))
    page = pypdf.PdfReader(path).pages[0]
    fonts = page["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        name = str(font["/BaseFont"])  # the theme's faces, under their own or the cover's names
        assert "DejaVu" not in name and ("Source-Serif" in name or "Cover-" in name), name


def test_a_given_cover_image_fills_the_front_to_the_bleed(tmp_path: Path) -> None:
    from PIL import Image

    source = copy_samples(tmp_path / "stories")
    Image.new("RGB", (600, 900), (200, 30, 30)).save(source / "cover.png")
    config = source / "collection.toml"
    text = 'cover = "cover.png"\n' + config.read_text(encoding="utf-8")
    config.write_text(text + '\n[binding]\npaper_stock = "lulu-white"\n', encoding="utf-8")
    result = build(
        source, tmp_path / "dist", BuildOptions(formats=("cover",), env={}, use_cache=False)
    )
    (output,) = result.outputs
    page = pypdf.PdfReader(output.path).pages[0]
    images = [
        page["/Resources"]["/XObject"][n].get_object() for n in page["/Resources"]["/XObject"]
    ]
    assert any(i.get("/Subtype") == "/Image" for i in images), "the editor's image is on the cover"
    with pdfplumber.open(output.path) as pdf:
        (picture,) = pdf.pages[0].images
        width = float(pdf.pages[0].width)
    bleed = 0.125 * 72
    assert picture["x1"] == pytest.approx(width, abs=0.5), "to the outside bleed"
    assert picture["x0"] == pytest.approx(width - bleed - A5[0], abs=0.5), "from the spine fold"
