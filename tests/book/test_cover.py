"""The generated cover: the right size, deterministic, and the text stays inside."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import font_source_serif_pro
import lxml.etree as etree
import pypdf
import pytest
from conftest import write_story
from helpers import OPF_NS, assert_epubcheck_clean
from PIL import Image
from typer.testing import CliRunner

from packager.book import themes
from packager.book.cover import HEIGHT, WIDTH, make_cover
from packager.book.themes import CoverLook
from packager.build import build
from packager.cli import app
from packager.options import BuildOptions

FONTS = Path(font_source_serif_pro.__file__).parent / "files"
STYLE = CoverLook(FONTS / "SourceSerifPro-Semibold.otf", FONTS / "SourceSerifPro-It.otf",
                   background="#000000", foreground="#ffffff", accent="#ff0000")  # fmt: skip


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image.convert("RGB")


def _ink_rows(image: Image.Image, x0: int, x1: int) -> list[int]:
    """Rows with white-ish text pixels between columns x0 and x1."""
    grey = image.convert("L").crop((x0, 0, x1, HEIGHT))
    width = x1 - x0
    data = grey.tobytes()
    return [y for y in range(HEIGHT) if max(data[y * width : (y + 1) * width]) > 200]


def test_cover_size_and_determinism() -> None:
    first = make_cover("Lanterns at Low Tide", "Four Stories", ["Ines Marlow"], STYLE)
    again = make_cover("Lanterns at Low Tide", "Four Stories", ["Ines Marlow"], STYLE)
    assert first == again
    image = _image(first)
    assert image.size == (WIDTH, HEIGHT) == (1600, 2560)
    assert not Image.open(io.BytesIO(first)).getexif()  # no camera, date or software tags


def test_cover_shows_title_subtitle_and_editors() -> None:
    bare = _ink_rows(_image(make_cover("Tide", "", [], STYLE)), 200, 1400)
    full = _ink_rows(_image(make_cover("Tide", "A Subtitle", ["A. Editor"], STYLE)), 200, 1400)
    assert bare and min(bare) < HEIGHT * 0.4  # the title sits in the upper part
    assert max(full) > HEIGHT * 0.8  # the editors' names at the foot
    assert len(full) > len(bare)


def test_long_title_wraps_inside_the_margins() -> None:
    title = "The Extraordinarily Long and Winding Title of an Anthology " * 3
    image = _image(make_cover(title, "", [], STYLE))
    # Nothing white in the outer 120 px on either side: the text wrapped.
    assert not _ink_rows(image, 0, 120) and not _ink_rows(image, WIDTH - 120, WIDTH)
    one_word = _image(make_cover("W" * 300, "", [], STYLE))
    assert not _ink_rows(one_word, 0, 120) and not _ink_rows(one_word, WIDTH - 120, WIDTH)


# -- in the book ----------------------------------------------------------------------


def _anthology(tmp_path: Path, toml: str = "") -> Path:
    source = tmp_path / "src"
    write_story(source, "1-one.md", "# One\n\nA short story.\n")
    (source / "collection.toml").write_text(
        'title = "Drawn Covers"\nauthors = ["Ed Itor"]\n' + toml, encoding="utf-8"
    )
    return source


def _cover_item(epub: Path) -> tuple[str, bytes] | None:
    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        item = opf.find(".//opf:item[@properties='cover-image']", OPF_NS)
        if item is None:
            return None
        return item.get("media-type", ""), archive.read("EPUB/" + item.get("href", ""))


def _first_page_has_image(pdf: Path) -> bool:
    page = pypdf.PdfReader(pdf).pages[0]
    objects = page["/Resources"].get("/XObject") or {}
    return any(o.get_object().get("/Subtype") == "/Image" for o in objects.values())


@pytest.mark.parametrize("theme", ["classic", "fanzine"])
def test_a_book_without_a_cover_gets_the_themes_drawn_cover(tmp_path: Path, theme: str) -> None:
    source = _anthology(tmp_path, f'theme = "{theme}"\n')
    result = build(source, tmp_path / "out", BuildOptions(env={}, use_cache=False))
    epub, pdf = (o.path for o in result.outputs)
    found = _cover_item(epub)
    assert found is not None and found[0] == "image/jpeg"
    image = _image(found[1])
    assert image.size == (1600, 2560)
    look = themes.load_theme(theme).cover
    assert look is not None
    expected = tuple(int(look.background[i : i + 2], 16) for i in (1, 3, 5))
    assert all(abs(a - b) <= 6 for a, b in zip(image.getpixel((30, 30)), expected, strict=True))
    assert_epubcheck_clean(epub)
    assert not _first_page_has_image(pdf)  # a printed book's cover is the printer's file


def test_a_screen_pdf_opens_on_its_cover(tmp_path: Path) -> None:
    source = _anthology(tmp_path, 'pdf = "screen"\n')
    result = build(
        source, tmp_path / "out", BuildOptions(env={}, use_cache=False, formats=("pdf",))
    )
    assert _first_page_has_image(result.outputs[0].path)


@pytest.mark.parametrize("how", ["flag", "collection.toml"])
def test_no_cover(tmp_path: Path, how: str) -> None:
    source = _anthology(tmp_path, "cover = false\n" if how == "collection.toml" else "")
    flags = ["--no-cover"] if how == "flag" else []
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(out), "-f", "epub", *flags])
    assert result.exit_code == 0, result.output
    epub = next(out.glob("*.epub"))
    assert _cover_item(epub) is None
    with zipfile.ZipFile(epub) as archive:
        assert not [n for n in archive.namelist() if "cover" in n]


def test_cover_true_is_an_error(tmp_path: Path) -> None:
    source = _anthology(tmp_path, "cover = true\n")
    result = CliRunner().invoke(app, ["check", str(source)])
    assert result.exit_code == 1
    assert "collection.toml:3: cover:" in result.stderr
