"""The generated cover: the right size, deterministic, and the text stays inside."""

from __future__ import annotations

import io
from pathlib import Path

import font_source_serif_pro
from PIL import Image

from packager.cover import HEIGHT, WIDTH, CoverStyle, make_cover

FONTS = Path(font_source_serif_pro.__file__).parent / "files"
STYLE = CoverStyle(FONTS / "SourceSerifPro-Semibold.otf", FONTS / "SourceSerifPro-It.otf",
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
