"""The preflight: each rule tripped by a small EPUB, and not by one a step away from it."""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import copy_samples
from helpers import assert_epubcheck_clean
from PIL import Image
from typer.testing import CliRunner

from packager.cli import app
from packager.epub.preflight import RULES, preflight

CONTAINER = """<?xml version="1.0" encoding="utf-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
<rootfiles>
<rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>"""
OPF = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="id">urn:uuid:00000000-0000-4000-8000-000000000000</dc:identifier>
<dc:title>Mini</dc:title>
<dc:language>en</dc:language>
<meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
<meta name="cover" content="cover"/>
</metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="text" href="text.xhtml" media-type="application/xhtml+xml"/>
<item id="css" href="book.css" media-type="text/css"/>
<item id="cover" href="cover.png" media-type="image/png" properties="cover-image"/>
<!--more-->
</manifest>
<spine><itemref idref="text"/></spine>
</package>"""
NAV = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"
  lang="en" xml:lang="en">
<head><title>Contents</title></head>
<body>
<nav epub:type="toc" role="doc-toc"><h1>Contents</h1>
<ol><li><a href="text.xhtml">Story</a>
<ol><li><a href="text.xhtml#c1">One</a><!--deeper--></li></ol></li></ol>
</nav>
<nav epub:type="landmarks"><h2>Guide</h2>
<ol><li><a epub:type="bodymatter" href="text.xhtml">Start</a></li></ol>
</nav>
</body>
</html>"""
TEXT = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
<head><title>Story</title><link rel="stylesheet" type="text/css" href="book.css"/></head>
<body>
<section id="c1"><h1>One</h1>
<p id="p1">A line, and <a href="text.xhtml#p1">a link to it</a>.</p>
<p><img src="cover.png" alt="The cover"/></p>
</section>
</body>
</html>"""
CSS = """p { line-height: 1.4; hyphens: auto; -webkit-hyphens: auto; }
h1 { break-before: page; page-break-before: always; }
"""


def picture(mode: str, size: tuple[int, int], kind: str = "PNG", noise: bool = False) -> bytes:
    image = Image.new(mode, size, 255 if mode == "1" else None)
    if noise:  # random pixels compress to nothing: a large file
        image = Image.frombytes(mode, size, random.Random(0).randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


PNG = picture("RGB", (1, 1))  # opaque: a transparent one trips KOBO004

Files = dict[str, bytes | str]


def mini_epub(mutate: Callable[[Files], None] | None = None) -> bytes:
    """A small EPUB that every target accepts; ``mutate`` changes its files first."""
    files: Files = {
        "META-INF/container.xml": CONTAINER,
        "EPUB/content.opf": OPF,
        "EPUB/nav.xhtml": NAV,
        "EPUB/text.xhtml": TEXT,
        "EPUB/book.css": CSS,
        "EPUB/cover.png": PNG,
    }
    if mutate:
        mutate(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, data in files.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def edit(name: str, old: str, new: str) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        text = str(files[name])
        assert old in text, f"{old!r} not in {name}"
        files[name] = text.replace(old, new)

    return change


def both(*changes: Callable[[Files], None]) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        for c in changes:
            c(files)

    return change


def item(xml: str) -> Callable[[Files], None]:
    return edit("EPUB/content.opf", "<!--more-->", xml)


def codes(data: bytes, targets: tuple[str, ...] = ("kindle", "kobo", "apple")) -> list[str]:
    return [f.code for f in preflight(data, targets)]


def picture_item(name: str, media_type: str, data: bytes) -> Callable[[Files], None]:
    return both(
        item(f'<item id="p" href="{name}" media-type="{media_type}"/>'),
        lambda files: files.__setitem__(f"EPUB/{name}", data),
    )


WOFF = item('<item id="f" href="f.woff" media-type="font/woff"/>')
TTF = item('<item id="f" href="f.ttf" media-type="font/ttf"/>')
CASES = {
    "KDP001": edit("EPUB/text.xhtml", '<?xml version="1.0" encoding="utf-8"?>\n', ""),
    "KDP002": both(
        edit("EPUB/text.xhtml", "<body>", '<body id="top">'),
        edit("EPUB/nav.xhtml", 'href="text.xhtml#c1"', 'href="text.xhtml#top"'),
    ),
    "KDP003": edit("EPUB/text.xhtml", "<p id", '<p><img alt="lost"/></p><p id'),
    "KDP004": edit("EPUB/content.opf", "<dc:language>en</dc:language>", ""),
    "KDP005": edit("EPUB/content.opf", ">en<", ">tlh<"),
    "KDP006": lambda files: files.__setitem__("EPUB/big.bin", b"\0" * (51 * 1024 * 1024)),
    "KDP007": both(
        edit("EPUB/content.opf", ' properties="cover-image"', ""),
        edit("EPUB/content.opf", '<meta name="cover" content="cover"/>', ""),
    ),
    "KDP008": edit(
        "EPUB/nav.xhtml", "<!--deeper-->", '<ol><li><a href="text.xhtml#p1">Deep</a></li></ol>'
    ),
    "KDP009": WOFF,
    "KDP010": edit("EPUB/book.css", "line-height: 1.4", "line-height: -1em"),
    "KDP011": edit("EPUB/text.xhtml", "</section>", "<script>alert(1)</script></section>"),
    "KDP012": edit("EPUB/nav.xhtml", 'epub:type="bodymatter"', 'epub:type="toc"'),
    "KDP013": picture_item("big.png", "image/png", picture("RGB", (1500, 1300), noise=True)),
    "KDP014": picture_item("p.webp", "image/webp", picture("RGB", (8, 8), "WEBP")),
    "KOBO001": both(
        edit("EPUB/content.opf", ' properties="cover-image"', ""),
        edit("EPUB/content.opf", '<meta name="cover" content="cover"/>', ""),
    ),
    "KOBO002": edit("EPUB/content.opf", ">en<", ">English<"),
    "KOBO003": edit("EPUB/book.css", " page-break-before: always;", ""),
    "KOBO004": picture_item("clear.png", "image/png", picture("RGBA", (8, 8))),
    "KOBO005": picture_item("print.jpg", "image/jpeg", picture("CMYK", (8, 8), "JPEG")),
    "APPLE001": both(
        edit("EPUB/content.opf", ' properties="cover-image"', ""),
        edit("EPUB/content.opf", '<meta name="cover" content="cover"/>', ""),
    ),
    "APPLE002": edit("EPUB/content.opf", "<dc:language>en</dc:language>", ""),
    "APPLE003": TTF,
    "APPLE004": edit("EPUB/book.css", " -webkit-hyphens: auto;", ""),
    "APPLE005": edit("EPUB/nav.xhtml", 'epub:type="bodymatter"', 'epub:type="toc"'),
    "APPLE006": picture_item("wide.png", "image/png", picture("1", (2100, 2000))),
    "APPLE007": picture_item("print.jpg", "image/jpeg", picture("CMYK", (8, 8), "JPEG")),
}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(RULES)


def test_the_small_epub_trips_nothing_and_is_valid(tmp_path: Path) -> None:
    data = mini_epub()
    assert codes(data) == []
    path = tmp_path / "mini.epub"
    path.write_bytes(data)
    assert_epubcheck_clean(path)


@pytest.mark.parametrize("code", list(CASES))
def test_rule_is_tripped(code: str) -> None:
    found = preflight(mini_epub(CASES[code]), (RULES[code].target,))
    assert code in [f.code for f in found]
    finding = next(f for f in found if f.code == code)
    assert RULES[code].problem in finding.text() and RULES[code].fix


@pytest.mark.parametrize("code", list(CASES))
def test_rule_belongs_to_its_target_only(code: str) -> None:
    others = tuple(t for t in ("kindle", "kobo", "apple") if t != RULES[code].target)
    assert code not in codes(mini_epub(CASES[code]), others)


def test_near_misses_trip_nothing() -> None:
    # A TrueType font with Apple's display option: every target reads it.
    options = (
        '<?xml version="1.0" encoding="utf-8"?>\n<display_options><platform name="*">'
        '<option name="specified-fonts">true</option></platform></display_options>'
    )
    fonts = both(
        TTF, lambda f: f.__setitem__("META-INF/com.apple.ibooks.display-options.xml", options)
    )
    assert codes(mini_epub(fonts)) == []
    # A body id nobody links to; a link to an id that is not the body's.
    assert codes(mini_epub(edit("EPUB/text.xhtml", "<body>", '<body id="top">'))) == []
    # Only the EPUB 2 cover meta (Kindle, Kobo and Apple read it in EPUB 2 books).
    assert codes(mini_epub(edit("EPUB/content.opf", ' properties="cover-image"', ""))) == []
    # A regional tag Kindle accepts by its language.
    assert codes(mini_epub(edit("EPUB/content.opf", ">en<", ">pt-BR<"))) == []
    # A cover the size Kindle asks for (1600x2560: over Apple's 4 million pixels,
    # which are for pictures in the text).
    big_cover = lambda files: files.__setitem__("EPUB/cover.png", picture("1", (1600, 2560)))  # noqa: E731
    assert codes(mini_epub(big_cover)) == []


NCX = """<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
<head><meta name="dtb:uid" content="urn:uuid:00000000-0000-4000-8000-000000000000"/></head>
<docTitle><text>Mini</text></docTitle>
<navMap><navPoint id="n1"><navLabel><text>Story</text></navLabel>
<content src="text.xhtml"/></navPoint></navMap>
</ncx>"""


def with_ncx(files: Files) -> None:
    files["EPUB/toc.ncx"] = NCX
    edit(
        "EPUB/content.opf",
        "<!--more-->",
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>',
    )(files)
    edit("EPUB/content.opf", "<spine>", '<spine toc="ncx">')(files)


def test_ncx_links_to_a_body_id() -> None:
    assert codes(mini_epub(with_ncx)) == []
    body_link = both(
        with_ncx,
        edit("EPUB/text.xhtml", "<body>", '<body id="top">'),
        edit("EPUB/toc.ncx", 'src="text.xhtml"', 'src="text.xhtml#top"'),
    )
    assert [(f.code, f.file) for f in preflight(mini_epub(body_link))] == [
        ("KDP002", "EPUB/toc.ncx")
    ]


def test_wrong_files_are_reported_with_their_names() -> None:
    found = preflight(mini_epub(CASES["KDP001"]))
    assert [(f.code, f.file) for f in found] == [("KDP001", "EPUB/text.xhtml")]
    found = preflight(mini_epub(CASES["KOBO003"]))
    assert [(f.code, f.file) for f in found] == [("KOBO003", "EPUB/book.css")]


def test_cli_exit_codes_and_json(tmp_path: Path, runner: CliRunner) -> None:
    clean, warned, broken = tmp_path / "a.epub", tmp_path / "b.epub", tmp_path / "c.epub"
    clean.write_bytes(mini_epub())
    warned.write_bytes(mini_epub(CASES["KOBO003"]))
    broken.write_bytes(mini_epub(CASES["KDP005"]))
    assert (
        runner.invoke(app, ["check", "--targets", "kindle,kobo,apple", str(clean)]).exit_code == 0
    )
    result = runner.invoke(app, ["check", "--targets", "kobo", str(warned)])
    assert result.exit_code == 0 and "KOBO003" in result.output and "fix:" in result.output
    assert (
        runner.invoke(app, ["check", "--targets", "kobo", "--strict", str(warned)]).exit_code == 1
    )
    assert (
        runner.invoke(app, ["check", "--targets", "apple", "--strict", str(warned)]).exit_code == 0
    )
    result = runner.invoke(app, ["check", "--targets", "kindle", "--json", str(broken)])
    assert result.exit_code == 1  # an error: Send to Kindle refuses the book
    assert [f["code"] for f in json.loads(result.stdout)] == ["KDP005"]
    assert runner.invoke(app, ["check", "--targets", "nook", str(clean)]).exit_code == 2
    junk = tmp_path / "junk.epub"
    junk.write_text("not a zip")
    result = runner.invoke(app, ["check", str(junk)])
    assert result.exit_code == 1 and "not an EPUB" in result.output


def test_cli_checks_a_source_folder_without_writing(tmp_path: Path, runner: CliRunner) -> None:
    source = copy_samples(tmp_path / "stories")
    # Without a cover (none given, none drawn): the only thing any target misses.
    toml = source / "collection.toml"
    toml.write_text("cover = false\n" + toml.read_text("utf-8"), "utf-8")
    before = sorted(p.name for p in source.rglob("*"))
    result = runner.invoke(app, ["check", "--targets", "kindle,kobo,apple", str(source)])
    assert result.exit_code == 0, result.output
    assert {"KDP007", "KOBO001", "APPLE001"} == {
        line.split()[1] for line in result.output.splitlines() if line.startswith("warning:")
    }
    assert sorted(p.name for p in source.rglob("*")) == before
    assert not (tmp_path / "dist").exists()


def test_an_encoded_href_is_read() -> None:
    def spaced(files: Files) -> None:
        files["EPUB/my book.css"] = str(files.pop("EPUB/book.css")).replace(
            " page-break-before: always;", ""
        )
        edit("EPUB/content.opf", 'href="book.css"', 'href="my%20book.css"')(files)
        edit("EPUB/text.xhtml", 'href="book.css"', 'href="my%20book.css"')(files)

    found = preflight(mini_epub(spaced))
    assert [(f.code, f.file) for f in found] == [("KOBO003", "EPUB/my book.css")]
