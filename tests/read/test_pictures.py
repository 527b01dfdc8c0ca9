"""Every picture kept: from Word files, data: URLs and files beside a story, checked by
content, its metadata gone, sized to fit; one over the caps fails naming its file."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import write_story
from helpers import OPF_NS, XHTML_NS, Epub, assert_epubcheck_clean
from lxml import etree
from PIL import Image
from typer.testing import CliRunner
from wordfiles import Picture, WordStory, write_docx

from packager.build import build
from packager.cli import app
from packager.model import Severity
from packager.options import BuildOptions
from packager.read.pictures import (
    MAX_BOOK_PIXELS,
    MAX_BYTES,
    NotAPicture,
    PictureError,
    extract_picture,
)

GPS, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F
Built = tuple[Path, Path, list[str]]  # the EPUB, the PDF, what the build said


def photo(size: tuple[int, int] = (300, 200), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, a GPS position, an orientation."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneCam"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "JPEG", exif=exif.tobytes(), quality=85)
    return out.getvalue()


def png(size: tuple[int, int], mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 255 if mode == "1" else (40, 90, 160)).save(out, "PNG")
    return out.getvalue()


def test_metadata_goes_and_the_photo_stays_upright() -> None:
    picture = extract_picture(photo(orientation=6), "holiday.jpg")
    image = Image.open(io.BytesIO(picture.image.data))
    assert picture.image.media_type == "image/jpeg" and image.format == "JPEG"
    assert dict(image.getexif()) == {} and "exif" not in image.info
    assert image.size == (200, 300) == (picture.image.width, picture.image.height)
    assert picture.image.href.startswith("images/holiday-") and picture.image.href.endswith(".jpg")


def test_an_upright_jpeg_keeps_its_pixels() -> None:
    data = photo()
    picture = extract_picture(data, "p.jpg")
    assert b"PhoneCam" in data and b"PhoneCam" not in picture.image.data
    assert len(picture.image.data) < len(data)  # only the EXIF segment went
    a = Image.open(io.BytesIO(data)).tobytes()
    assert Image.open(io.BytesIO(picture.image.data)).tobytes() == a


def test_formats_colours_and_size_for_e_readers() -> None:
    out = io.BytesIO()
    Image.new("CMYK", (40, 30)).save(out, "JPEG")
    cmyk = extract_picture(out.getvalue(), "print.jpg")
    assert Image.open(io.BytesIO(cmyk.image.data)).mode == "RGB"
    out = io.BytesIO()
    Image.new("RGB", (40, 30)).save(out, "TIFF")
    tiff = extract_picture(out.getvalue(), "scan.tif")
    assert tiff.image.media_type == "image/png" and tiff.image.href.endswith(".png")
    big = extract_picture(png((3000, 2000)), "big.png")
    assert big.image.width * big.image.height <= MAX_BOOK_PIXELS
    assert big.image.width / big.image.height == pytest.approx(1.5, rel=0.01)
    assert any("scaled down from 3000\u00d72000" in d for d in big.done)


def test_the_caps_refuse_before_decoding() -> None:
    with pytest.raises(PictureError, match="megapixels"):
        extract_picture(png((9000, 8000), "1"), "huge.png")
    with pytest.raises(PictureError, match="MB"):
        extract_picture(b"\0" * (MAX_BYTES + 1), "heavy.png")
    with pytest.raises(NotAPicture):
        extract_picture(b"\x89PNG\r\n\x1a\nnot really", "fake.png")


PAGE = """<!DOCTYPE html><html><head><title>Inlaid</title></head><body>
<h1>Inlaid</h1>
<p>The map was small.</p>
<p><img src="data:image/png;base64,{data}" alt="A small blue map"/></p>
<p>And a picture from the web: <img src="https://example.invalid/remote.png" alt="the coast"/></p>
<p>Then they left, and never came back to the harbour at all.</p>
</body></html>
"""


@pytest.fixture(scope="module")
def pictured(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("pictures")
    source = tmp / "src"
    source.mkdir()
    (source / "collection.toml").write_text('title = "Pictures"\n', encoding="utf-8")
    story = WordStory(
        "The Photo",
        [
            "They stood on the quay.",
            Picture(photo(orientation=6), "Two people on a quay at dawn"),
            "The second picture is tall.",
            Picture(png((300, 2400)), "A tall lighthouse", width_in=1.0),
            "The end.",
        ],
    )
    write_docx(source / "01-photo.docx", story)
    write_story(
        source, "02-inlaid.html", PAGE.format(data=base64.b64encode(png((60, 40))).decode())
    )
    result = build(source, tmp / "out", BuildOptions(env={}, use_cache=False))
    epub = next(o.path for o in result.outputs if o.format == "epub")
    pdf = next(o.path for o in result.outputs if o.format == "pdf")
    return epub, pdf, [str(d) for d in result.diagnostics]


def test_pictures_are_in_the_epub_with_their_alt_text(
    pictured: tuple[Path, Path, list[str]],
) -> None:
    epub_path, _, said = pictured
    epub = Epub.open(epub_path)
    opf = epub.opf()
    items = {
        i.get("href"): i.get("media-type")
        for i in opf.iterfind(".//opf:item", OPF_NS)
        if i.get("media-type") in ("image/jpeg", "image/png") and "cover" not in i.get("href")
    }
    assert sorted(items.values()) == ["image/jpeg", "image/png", "image/png"]
    alts = {}
    for name, data in epub.files.items():
        if name.endswith(".xhtml") and "story-" in name:
            for img in etree.fromstring(data).iterfind(".//x:img", XHTML_NS):
                alts[img.get("src")] = img.get("alt")
    assert sorted(alts.values()) == ["A small blue map", "A tall lighthouse",
                                     "Two people on a quay at dawn"]  # fmt: skip
    assert set(alts) == set(items)
    for href in items:
        image = Image.open(io.BytesIO(epub.files[epub.opf_dir + href]))
        assert dict(image.getexif()) == {}, href  # no camera, no GPS position
        if image.format == "JPEG":
            assert image.size == (200, 300)  # upright
    text = epub.text()
    assert "thecoast" in text  # the remote picture's alt text stays
    assert any("remote picture https://example.invalid/remote.png is never fetched" in d
               for d in said)  # fmt: skip
    accessible = opf.findall(".//opf:meta[@property='schema:accessibilityFeature']", OPF_NS)
    assert "alternativeText" in {m.text for m in accessible}
    assert_epubcheck_clean(epub_path)


def test_pictures_fit_their_pdf_pages(pictured: Built) -> None:
    _, pdf, _ = pictured
    placed = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            for image in page.images:
                placed.append((image, float(page.width), float(page.height)))
                assert image["x0"] >= 0 and image["x1"] <= float(page.width)
                assert image["top"] >= 0 and image["bottom"] <= float(page.height)
    sizes = sorted((i["srcsize"], i["width"] / i["height"]) for i, _, _ in placed)
    # the three pictures (a print PDF has no cover), in proportion
    assert [s for s, _ in sizes] == [(60, 40), (200, 300), (300, 2400)]
    assert [r for _, r in sizes] == pytest.approx([1.5, 2 / 3, 0.125], rel=0.02)
    tall, _, height = next(p for p in placed if p[0]["srcsize"] == (300, 2400))
    assert tall["height"] < height * 0.8  # scaled down to the text area, on one page


def test_a_picture_over_the_caps_fails_the_build_naming_its_file(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    write_docx(
        source / "03-huge.docx", WordStory("Huge", ["Text.", Picture(png((9000, 8000), "1"), "x")])
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(out), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "03-huge.docx" in result.output and "megapixels" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_missing_alt_text_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    write_docx(source / "a.docx", WordStory("A", ["Text.", Picture(png((20, 20)))]))
    result = build(source, tmp_path / "out", BuildOptions(env={}, formats=("epub",)))
    (warned,) = [d for d in result.diagnostics if "no alt text" in d.message]
    assert warned.severity is Severity.WARNING and warned.file.endswith("a.docx")
    epub = Epub.open(next(o.path for o in result.outputs))
    with zipfile.ZipFile(epub.path) as z:
        opf = z.read(next(n for n in z.namelist() if n.endswith(".opf"))).decode()
    assert "alternativeText" not in opf and "dcterms:conformsTo" not in opf  # no false claims
