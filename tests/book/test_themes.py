"""Themes: listed, inherited, each a finished book (fonts, initials, ornaments, EPUBCheck)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest
from conftest import SAMPLES, Built, copy_samples
from helpers import XHTML_NS, Epub, assert_epubcheck_clean, source_blocks, words
from lxml import etree
from typer.testing import CliRunner

from packager.book import themes
from packager.build import build
from packager.cli import app
from packager.epub.preflight import preflight
from packager.errors import ConfigError
from packager.model import Severity
from packager.options import BuildOptions
from packager.text import html

THEMES = ("classic", "modern", "fanzine")
STORY_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".md", ".txt"))
# A colour no theme uses: the editor's ornament is found in the PDF by it.
USER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10" width="40" height="10">'
    '<rect x="5" y="2" width="30" height="6" fill="#c0ffee"/></svg>'
)
FONT_FAMILIES = {
    "classic": {"SourceSerifPro"},
    "modern": {"SourceSansPro"},
    "fanzine": {"Lato", "FjallaOne"},
}


def _with_settings(source: Path, extra: str) -> None:
    """Add top-level keys to the sample's collection.toml (before its first table)."""
    config = source / "collection.toml"
    text = config.read_text(encoding="utf-8")
    first_table = text.index("\n[") + 1
    config.write_text(text[:first_table] + extra + text[first_table:], encoding="utf-8")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory, sample_build: Built) -> dict[str, Built]:
    """The sample in every theme: modern with its fonts in the EPUB, fanzine with an SVG of
    the editor's for scene breaks. Classic is the session's sample build."""
    built = {"classic": sample_build}
    for theme, extra in (
        ("modern", "embed_fonts = true\n"),
        ("fanzine", 'scene_break = "breaks/mine.svg"\n'),
    ):
        work = tmp_path_factory.mktemp(theme)
        source = copy_samples(work / "stories")
        (source / "breaks").mkdir()
        (source / "breaks" / "mine.svg").write_text(USER_SVG, encoding="utf-8")
        text = (source / "collection.toml").read_text(encoding="utf-8")
        text = text.replace('theme = "classic"\n', f'theme = "{theme}"\n{extra}')
        (source / "collection.toml").write_text(text, encoding="utf-8")
        built[theme] = Built(source, build(source, work / "dist", BuildOptions(env={})))
    return built


def _embedded_fonts(pdf_path: Path) -> set[str]:
    with pikepdf.open(pdf_path) as pdf:
        return {
            str(font.BaseFont)
            for page in pdf.pages
            for font in page.obj.Resources.get("/Font", {}).values()
        }


def _family(font: str) -> str:
    """The family of an embedded font's name: '/ABCDEF+Source-Serif-Pro-It' -> 'SourceSerifPro'."""
    name = font.split("+", 1)[1].replace("-", "")
    known = set().union(*FONT_FAMILIES.values())
    return next((family for family in known if name.startswith(family)), name)


def _body_text(pdf_path: Path) -> str:
    """The story pages' text without running heads and folios, the initials read with their word.

    Two artefacts of pdfplumber's reading, not of the PDF: it judges a gap a
    space when it is wider than 3 pt whatever the size, and a 30-pt
    initial's side bearing is wider ("T he"), so the gap is judged relative to
    the glyph size (x_tolerance_ratio); and it puts a raised initial, whose
    top stands far above the line's, on a line of its own ("T\nhe"), so a
    line holding nothing but a large initial is joined to the next.
    """
    texts = []
    with pdfplumber.open(pdf_path) as pdf:
        sizes = sorted(c["size"] for page in pdf.pages for c in page.chars)
        body_size = sizes[len(sizes) // 2]
        for page in pdf.pages:
            band = page.height * 0.075
            body = page.crop((0, band, page.width, page.height - band))
            text = body.extract_text(x_tolerance_ratio=0.15) or ""
            big = {c["text"] for c in body.chars if c["size"] > 2 * body_size}

            def join(match: re.Match[str], big: set[str] = big) -> str:
                alone = match.group(1)
                return alone if set(alone) <= big else match.group(0)

            texts.append(re.sub(r"(?m)^([^\w\s]?\w)\n(?=\w)", join, text))
    return "\n".join(texts)


def _joined(text: str) -> str:
    """Words with hyphens taken out, so a line-end hyphenation reads as the source."""
    return " " + " ".join(words(re.sub(r"-\n", "", text).replace("-", ""))) + " "


def test_themes_command_lists_every_theme_with_its_description() -> None:
    result = CliRunner().invoke(app, ["themes"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines() if line.strip())
    assert set(THEMES) <= set(lines)
    for name in THEMES:
        assert lines[name].strip() == themes.load_theme(name).description
        assert len(lines[name]) > 30


@pytest.mark.parametrize("theme", THEMES)
def test_epub_passes_epubcheck(books: dict[str, Built], theme: str) -> None:
    if theme == "classic":
        pytest.skip("the sample build is checked in test_sample_book")
    assert_epubcheck_clean(books[theme].output("epub"))


@pytest.mark.parametrize("theme", THEMES)
def test_pdf_embeds_the_themes_fonts_subset(books: dict[str, Built], theme: str) -> None:
    fonts = _embedded_fonts(books[theme].output("pdf"))
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+\S+", f) for f in fonts), fonts
    assert {_family(f) for f in fonts} == FONT_FAMILIES[theme]
    assert not [d for d in books[theme].result.diagnostics if d.severity is Severity.WARNING]


def test_themes_look_different(books: dict[str, Built]) -> None:
    families = [frozenset(map(_family, _embedded_fonts(b.output("pdf")))) for b in books.values()]
    assert len(set(families)) == len(THEMES)
    sheets = {Epub.open(b.output("epub")).files["EPUB/css/book.css"] for b in books.values()}
    assert len(sheets) == len(THEMES)


@pytest.mark.parametrize("theme", THEMES)
def test_every_story_word_is_in_the_pdf_in_order(books: dict[str, Built], theme: str) -> None:
    text = _joined(_body_text(books[theme].output("pdf")))
    for story in STORY_FILES:
        pos = 0
        for block in source_blocks(story):
            run = _joined(block)
            if run.strip():
                found = text.find(run, pos)
                assert found >= 0, f"{theme}: {story.name}: words missing: {run[:80]}"
                pos = found + len(run) - 1


@pytest.mark.parametrize("theme", THEMES)
def test_story_openers_have_an_initial(books: dict[str, Built], theme: str) -> None:
    epub = Epub.open(books[theme].output("epub"))
    openings = [
        p
        for doc in epub.spine_documents()
        for p in doc.iterfind(".//x:p[@class='opening']", XHTML_NS)
    ]
    assert len(openings) == len(STORY_FILES)
    for p in openings:
        initial = p.find(".//x:span[@class='initial']", XHTML_NS)
        assert initial is not None and 1 <= len(initial.text or "") <= 2
        text = "".join(p.itertext())
        first = re.match(r"\W*(\w+)", text)
        assert first and first.group(1)[0] == initial.text[-1]  # the word reads whole
    # The PDF's text in the order it is drawn (as pypdf, copy and paste and pdf.js's
    # search read it) has each opening's first words whole: the initial is not
    # painted apart from its word, as a float would be.
    drawn = " ".join(
        words(
            " ".join(
                page.extract_text() for page in pypdf.PdfReader(books[theme].output("pdf")).pages
            )
        )
    )
    for p in openings:
        first_words = " ".join(words("".join(p.itertext()))[:3])
        assert first_words in drawn, first_words
    # In the PDF, the initial is set far larger than the text it opens.
    with pdfplumber.open(books[theme].output("pdf")) as pdf:
        sizes = [c["size"] for page in pdf.pages for c in page.chars]
        body = sorted(sizes)[len(sizes) // 2]
        big = [s for s in sizes if s > 2 * body]
    assert len(big) >= len(STORY_FILES)


def test_embed_fonts_puts_the_fonts_in_the_epub(books: dict[str, Built]) -> None:
    epub = Epub.open(books["modern"].output("epub"))
    opf = epub.opf()
    fonts = [
        i.get("href")
        for i in opf.iterfind(".//{*}item")
        if i.get("media-type", "").startswith("font/")
    ]
    assert sorted(Path(f).name for f in fonts) == sorted(
        f.path.name for f in themes.load_theme("modern").fonts
    )
    css = epub.files["EPUB/css/fonts.css"].decode()
    assert css.count("@font-face") == len(fonts)
    doc = epub.files["EPUB/story-001.xhtml"].decode()
    assert 'href="css/fonts.css"' in doc
    classic = Epub.open(books["classic"].output("epub"))
    assert not [n for n in classic.files if n.startswith("EPUB/fonts/")]
    # Apple Books shows embedded fonts only when the book says so; the preflight agrees.
    options = "META-INF/com.apple.ibooks.display-options.xml"
    assert b'<option name="specified-fonts">true</option>' in epub.files[options]
    assert options not in classic.files
    findings = preflight(Path(books["modern"].output("epub")).read_bytes(), ["apple"], "m.epub")
    assert [f.code for f in findings if f.code == "APPLE003"] == []


def test_theme_ornament_and_the_editors_svg(books: dict[str, Built]) -> None:
    classic = Epub.open(books["classic"].output("epub"))
    drawn = themes.load_theme("classic").ornament
    assert drawn is not None
    assert classic.files["EPUB/images/ornament.svg"] == drawn.read_bytes()
    fanzine = Epub.open(books["fanzine"].output("epub"))
    declaration = '<?xml version="1.0" encoding="utf-8"?>\n'  # every XML file has it (Kindle)
    assert fanzine.files["EPUB/images/ornament.svg"].decode() == declaration + USER_SVG
    css = fanzine.files["EPUB/css/ornament.css"].decode()
    assert "url(../images/ornament.svg)" in css
    doc = fanzine.files["EPUB/story-002.xhtml"].decode()
    assert 'href="css/ornament.css"' in doc and "<hr" in doc
    # The PDF draws it: its colour is painted on the page that holds the break.
    with pikepdf.open(books["fanzine"].output("pdf")) as pdf:
        painted = [i for i, page in enumerate(pdf.pages) if b"0.752941 1 0.933333" in _drawn(page)]
    assert painted


def _drawn(page: pikepdf.Page) -> bytes:
    """Every content stream a page paints, its form and pattern XObjects included."""
    contents = page.obj.get("/Contents", pikepdf.Array())
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    out = [stream.read_bytes() for stream in streams]
    seen: set[tuple[int, int]] = set()

    def walk(resources: pikepdf.Object) -> Iterator[bytes]:
        for kind in ("/XObject", "/Pattern"):
            for obj in resources.get(kind, {}).values():
                if obj.objgen in seen or not isinstance(obj, pikepdf.Stream):
                    continue
                seen.add(obj.objgen)
                yield obj.read_bytes()
                if "/Resources" in obj:
                    yield from walk(obj.Resources)

    out.extend(walk(page.obj.get("/Resources", pikepdf.Dictionary())))
    return b"\n".join(out)


def test_svg_outside_the_folder_is_refused_with_a_warning(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    (tmp_path / "outside.svg").write_text(USER_SVG, encoding="utf-8")
    _with_settings(source, 'scene_break = "../outside.svg"\n')
    result = build(source, tmp_path / "dist", BuildOptions(formats=("epub",), env={}))
    warned = [d.message for d in result.diagnostics if d.severity is Severity.WARNING]
    assert any("scene_break" in m and "outside the source folder" in m for m in warned), warned
    epub = Epub.open(result.outputs[0].path)
    assert epub.files["EPUB/images/ornament.svg"].decode() != USER_SVG  # the theme's


def test_scripted_svg_is_refused(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    bad = USER_SVG.replace("<rect", '<script>alert(1)</script><rect onclick="x()"')
    (source / "bad.svg").write_text(bad, encoding="utf-8")
    _with_settings(source, 'scene_break = "bad.svg"\n')
    result = build(source, tmp_path / "dist", BuildOptions(formats=("epub",), env={}))
    warned = [d.message for d in result.diagnostics if d.severity is Severity.WARNING]
    assert any("scene_break" in m and "<script>" in m for m in warned), warned
    assert b"script" not in Epub.open(result.outputs[0].path).files["EPUB/images/ornament.svg"]


# -- inheritance ------------------------------------------------------------------


@pytest.fixture
def styles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A styles/ folder with packager's own themes and room for the test's."""
    folder = tmp_path / "styles"
    folder.mkdir()
    for theme in themes.styles_folder().iterdir():
        (folder / theme.name).symlink_to(theme, target_is_directory=True)
    monkeypatch.setattr(themes, "styles_folder", lambda: folder)
    themes.load_theme.cache_clear()
    yield folder
    themes.load_theme.cache_clear()


def test_child_theme_overrides_one_file_and_takes_the_rest(styles: Path, tmp_path: Path) -> None:
    kid = styles / "kid"
    kid.mkdir()
    (kid / "theme.toml").write_text('extends = "classic"\n', encoding="utf-8")
    (kid / "book.css").write_text("p { color: #123456; }\n", encoding="utf-8")
    theme = themes.load_theme("kid")
    classic = themes.load_theme("classic")
    assert theme.book_css == kid / "book.css"
    assert theme.print_css == classic.print_css
    assert theme.fonts == classic.fonts and theme.ornament == classic.ornament
    assert theme.description == classic.description
    source = copy_samples(tmp_path / "stories")
    result = build(source, tmp_path / "dist", BuildOptions(formats=("epub",), theme="kid", env={}))
    epub = Epub.open(result.outputs[0].path)
    assert epub.files["EPUB/css/book.css"] == b"p { color: #123456; }\n"
    assert epub.files["EPUB/images/ornament.svg"] == classic.ornament.read_bytes()  # type: ignore[union-attr]
    root = etree.fromstring(epub.files["EPUB/story-001.xhtml"])
    assert root.find(".//x:p[@class='opening']", XHTML_NS) is not None


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ('extends = "nosuch"\n', "extends: no theme named 'nosuch'"),
        ('extends = "kid"\n', "themes extend each other (kid -> kid)"),
        ("extends = 3\n", "extends: must be the name of a theme"),
        ('colour = "red"\n', "unknown key 'colour'"),
        (
            '[cover]\ntitle_font = "font_lato:files/Lato-Bold.ttf"\nbackground = "red"\n',
            "cover.background: must be a colour like '#1f2a36'",
        ),
        ('[cover]\ntext_font = "font_lato:files/Lato-Bold.ttf"\n', "cover: title_font is required"),
        (
            '[cover]\ntitle_font = "font_lato:files/Lato-Bold.ttf"\nsize = 3\n',
            "cover: unknown key 'size'",
        ),
    ],
)
def test_bad_theme_manifest_is_an_error_naming_it(
    styles: Path, tmp_path: Path, manifest: str, expected: str
) -> None:
    kid = styles / "kid"
    kid.mkdir()
    (kid / "theme.toml").write_text(manifest, encoding="utf-8")
    source = copy_samples(tmp_path / "stories")
    result = CliRunner().invoke(
        app, ["build", str(source), "-o", str(tmp_path / "dist"), "-f", "epub", "--theme", "kid"]
    )
    assert result.exit_code == 1, result.output
    assert "kid/theme.toml" in result.output and expected in result.output
    checked = CliRunner().invoke(app, ["check", str(source), "--theme", "kid"])
    assert checked.exit_code == 1 and expected in checked.output


def test_themes_extending_each_other_in_a_ring(styles: Path) -> None:
    for name, parent in (("ring-a", "ring-b"), ("ring-b", "ring-a")):
        (styles / name).mkdir()
        (styles / name / "theme.toml").write_text(f'extends = "{parent}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        themes.load_theme("ring-a")
    assert "ring-a -> ring-b -> ring-a" in str(caught.value.problems[0])


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        (
            "<p>The tower.</p><p>Next.</p>",
            '<p class="opening"><span class="initial">T</span>he tower.</p><p>Next.</p>',
        ),
        (
            '<blockquote class="epigraph"><p>Sea.</p></blockquote><p>\u201cNo,\u201d she said.</p>',
            '<blockquote class="epigraph"><p>Sea.</p></blockquote>'
            '<p class="opening"><span class="initial">\u201cN</span>o,\u201d she said.</p>',
        ),
        (
            "<p><em>Margery Ellen</em> sank.</p>",
            '<p class="opening"><em><span class="initial">M</span>argery Ellen</em> sank.</p>',
        ),
        ("<p>I.</p>", '<p class="opening"><span class="initial">I</span>.</p>'),
        ('<p class="verse">Roses<br/>are red</p>', '<p class="verse">Roses<br/>are red</p>'),
        ("<ul><li>One</li></ul><p>Two</p>", "<ul><li>One</li></ul><p>Two</p>"),
        ("<p>\u2026</p>", "<p>\u2026</p>"),
        ("", ""),
    ],
)
def test_mark_initial(fragment: str, expected: str) -> None:
    assert html.mark_initial(fragment) == expected
    assert words(html.text_of(html.mark_initial(fragment))) == words(html.text_of(fragment))
