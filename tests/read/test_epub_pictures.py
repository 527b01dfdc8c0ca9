"""Pictures inside EPUB stories: read from the container into the book (checked and
cleaned as every picture is), with their alt text; one the EPUB names but does not
hold, or that points outside it, left out with its alt text and a warning; a remote
one never fetched; one over the caps fails the build naming the file."""

from __future__ import annotations

import io
from pathlib import Path

from epubs import write_epub, xhtml
from helpers import assert_epubcheck_clean
from PIL import Image
from typer.testing import CliRunner

from packager.build import build
from packager.cli import app
from packager.options import BuildOptions
from packager.read.story import read_stories


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 90, 40)).save(out, "PNG")
    return out.getvalue()


BODY = (
    '<h1>The Map</h1><p>She unfolded it.</p><div><img src="../images/map.png" alt="A map"/></div>'
    '<p>The second one <img src="/OEBPS/images/map.png" alt="the same map"/> again.</p>'
    '<p><img src="gone.png" alt="A lost sketch"/></p>'
    '<p><img src="../../outside.png" alt="An escapee"/></p>'
    '<p><img src="https://pictures.invalid/far.png" alt="A far picture"/></p>'
)


def test_pictures_come_from_the_container(tmp_path: Path) -> None:
    path = write_epub(
        tmp_path / "src" / "map.epub",
        {"text/c1.xhtml": xhtml(BODY)},
        entries={"OEBPS/images/map.png": png((30, 20))},
    )
    (story,) = read_stories(path, path.parent, "map.epub")
    (picture,) = story.images  # read once, called twice
    assert (picture.media_type, picture.width, picture.height) == ("image/png", 30, 20)
    html = story.chapters[0].html
    assert html.count(f'src="{picture.href}"') == 2 and 'alt="A map"' in html
    assert "[A lost sketch]" in html and "[An escapee]" in html and "[A far picture]" in html
    messages = [(d.file, d.message) for d in story.diagnostics]
    lost = [f for f, m in messages if "does not hold" in m]
    assert lost == ["map.epub/OEBPS/text/c1.xhtml", "map.epub/OEBPS/text/c1.xhtml"]
    assert any("https://pictures.invalid/far.png is never fetched" in m for _, m in messages)
    result = build(path.parent, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    assert_epubcheck_clean(result.outputs[0].path)


def test_a_picture_over_the_caps_fails_naming_the_file(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_epub(
        source / "huge.epub",
        {"c1.xhtml": xhtml('<h1>Huge</h1><p>Text.</p><p><img src="big.png" alt="x"/></p>')},
        entries={"OEBPS/big.png": png((9000, 8000))},
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(out), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "huge.epub" in result.output and "megapixels" in result.output
    assert "Traceback" not in result.output and not out.exists()
