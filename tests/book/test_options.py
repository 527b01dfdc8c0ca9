"""Collection options: theme, cover, the editor's CSS and templates, order, page size."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from conftest import write_story
from helpers import OPF_NS, XHTML_NS, Epub, assert_epubcheck_clean, pdf_pages
from PIL import Image

from packager.book.collection import discover
from packager.book.config import load_config
from packager.build import BuildResult, build
from packager.model import Severity
from packager.options import BuildOptions

STORY_A = """---
title: "Alpha: A \\"Quoted\\" Title"
author: [Ann One, Bo Two]
fandoms: [Original Work]
---
## First

"Hello," said Ann.

## Second

'Goodbye,' said Bo.
"""


@pytest.fixture(scope="module")
def options_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    source = tmp_path_factory.mktemp("opts") / "options-zine"
    write_story(source, "1-alpha.md", STORY_A)
    write_story(source, "2-beta.txt", "Beta\n\nA plain story.\n")
    write_story(source, "3-gamma.md", "# Gamma\n\nThe last one.\n")
    Image.new("RGB", (160, 256), (30, 60, 90)).save(source / "cover.png")
    (source / "extra.css").write_text(".story-title { letter-spacing: 0.2em; }\n")
    (source / "templates").mkdir()
    (source / "templates" / "disclaimer.xhtml").write_text(
        '{% extends "document.xhtml" %}{% block content %}'
        '<section class="disclaimer" id="disclaimer"><h1>Fine Print</h1>'
        "<p>Our own words, in both books.</p></section>{% endblock %}\n"
    )
    (source / "collection.toml").write_text(
        'theme = "modern"\n'
        'cover = "cover.png"\n'
        'css = ["extra.css"]\n'
        'page_size = "6x9in"\n'
        'order = ["3-gamma.md", "1-alpha.md"]\n'
    )
    result = build(source, source.parent / "dist", BuildOptions(env={}))
    return source, result


def output(result: BuildResult, fmt: str) -> Path:
    return next(o.path for o in result.outputs if o.format == fmt)


def test_options_epub_is_valid(options_build: tuple[Path, BuildResult]) -> None:
    assert_epubcheck_clean(output(options_build[1], "epub"))


def test_order_and_unlisted_warning(options_build: tuple[Path, BuildResult]) -> None:
    _, result = options_build
    epub = Epub.open(output(result, "epub"))
    titles = [
        "".join(h.itertext())
        for doc in epub.spine_documents()
        for h in doc.iterfind(".//x:h1[@class='story-title']", XHTML_NS)
    ]
    assert titles == ["Gamma", "Alpha: A \u201cQuoted\u201d Title", "Beta"]
    warned = [d for d in result.diagnostics if d.severity is Severity.WARNING]
    assert [d.message for d in warned] == [
        "'2-beta.txt' is not listed in 'order'; placed after the listed stories"
    ]


def test_cover_in_epub(options_build: tuple[Path, BuildResult]) -> None:
    epub = Epub.open(output(options_build[1], "epub"))
    opf = epub.opf()
    cover = opf.find(".//opf:item[@properties='cover-image']", OPF_NS)
    assert cover is not None and cover.get("media-type") == "image/png"
    meta = opf.find(".//opf:meta[@name='cover']", OPF_NS)
    assert meta is not None and meta.get("content") == cover.get("id")
    first = epub.spine_documents()[0]
    assert first.find(".//x:img", XHTML_NS).get("src") == cover.get("href")


def test_theme_user_css_and_template_override(options_build: tuple[Path, BuildResult]) -> None:
    _, result = options_build
    epub = Epub.open(output(result, "epub"))
    css = {k: v.decode() for k, v in epub.files.items() if k.endswith(".css")}
    assert any("Source Sans" in v for v in css.values())  # the modern theme
    assert any("letter-spacing: 0.2em" in v for v in css.values())  # the editor's CSS
    assert not any("@page" in v for v in css.values())  # print rules stay out of the EPUB
    raw = b"".join(v for k, v in epub.files.items() if k.endswith(".xhtml")).decode()
    assert "Our own words, in both books." in raw and "non-commercial" not in raw

    pdf = output(result, "pdf")
    text = "\n".join(p.body for p in pdf_pages(pdf.read_bytes()))
    assert "Our own words, in both books." in text
    reader = pypdf.PdfReader(pdf)
    fonts = {
        str(f.get_object()["/BaseFont"])
        for page in reader.pages
        for f in page["/Resources"].get("/Font", {}).values()
    }
    assert fonts and all("SourceSansPro" in f.replace("-", "") for f in fonts), fonts
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (432, 648)  # 6 x 9 in


def test_authors_joined_and_contributors(options_build: tuple[Path, BuildResult]) -> None:
    epub = Epub.open(output(options_build[1], "epub"))
    contributors = [c.text for c in epub.opf().iterfind(".//dc:contributor", OPF_NS)]
    assert contributors == ["Ann One and Bo Two"]


class _Trap(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        _Trap.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def trap() -> Iterator[str]:
    """A loopback HTTP server that records any request made to it."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Trap)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Trap.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pdf_fetches_nothing_outside_the_book(tmp_path: Path, trap: str) -> None:
    source = tmp_path / "src"
    write_story(source, "a.md", "Text.\n")
    secret = tmp_path / "secret.png"
    Image.new("RGB", (4, 4)).save(secret)
    (source / "net.css").write_text(
        f'@import url("{trap}/import.css");\n'
        f'body {{ background: url("{trap}/bg.png"); }}\n'
        f'p {{ background: url("file://{secret}"); }}\n'
        'h1 { background: url("../secret.png"); }\n'
    )
    (source / "collection.toml").write_text('css = ["net.css"]\n')
    result = build(source, tmp_path / "out", BuildOptions(env={}))
    assert _Trap.hits == []
    refused = [d.message for d in result.diagnostics if "refused to load" in d.message]
    assert any(f"{trap}/bg.png" in m for m in refused)
    assert any("secret.png" in m for m in refused)


def test_letter_and_a4_sizes(tmp_path: Path) -> None:
    for size, expected in (("letter", (612, 792)), ("A4", (595, 842))):
        source = tmp_path / size
        write_story(source, "a.md", "Text.\n")
        (source / "collection.toml").write_text(f'page_size = "{size}"\n')
        result = build(source, tmp_path / f"out-{size}", BuildOptions(formats=("pdf",), env={}))
        box = pypdf.PdfReader(output(result, "pdf")).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == expected


def test_discover_skips_non_stories(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for name in ("10-b.md", "2-a.txt", "README.md", "_draft.md", ".hidden.md", "notes.rtf"):
        write_story(source, name, "x\n")
    files, notes = discover(load_config(source, env={}))
    assert [f.name for f in files] == ["2-a.txt", "10-b.md"]
    assert [n.file.rsplit("/", 1)[-1] for n in notes] == ["notes.rtf"]


def test_blank_left_pages_before_right_hand_starts(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for name in ("1-one.md", "2-two.md", "3-three.md"):
        write_story(source, name, f"# {name[2:-3].title()}\n\nA one-page story.\n")
    result = build(source, tmp_path / "out", BuildOptions(formats=("pdf",), env={}))
    pages = pdf_pages(output(result, "pdf").read_bytes())
    starts = {
        title: p.index
        for p in pages
        for title in ("One", "Two", "Three", "Colophon", "Contents")
        if p.body.lstrip().startswith(title)
    }
    assert list(starts) == ["Contents", "One", "Two", "Three", "Colophon"]
    for title, index in starts.items():
        assert index % 2 == 0, f"{title} starts on a left-hand page"
    # Each one-page story is followed by a truly blank left-hand page.
    for title in ("One", "Two", "Three"):
        blank = pages[starts[title] + 1]
        assert (blank.head, blank.body.strip(), blank.foot) == ("", "", ""), title
    assert [pages[starts[t]].foot for t in ("One", "Two", "Three")] == ["1", "3", "5"]


def test_disclaimer_markdown_and_escaped_metadata(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_story(
        source,
        "a.md",
        '---\ntitle: "<b>Bold</b> {{ 7*7 }}"\nauthor: "A & B"\n---\nText <i>kept</i>.\n',
    )
    (source / "collection.toml").write_text(
        'title = "{% raw %}Book"\ndisclaimer = "These are *our* words -- nobody else\'s."\n'
    )
    result = build(source, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    epub = Epub.open(output(result, "epub"))
    raw = {k: v.decode() for k, v in epub.files.items() if k.endswith(".xhtml")}
    # A short disclaimer is printed on the imprint (copyright) page: tests/book/test_matter.py.
    disclaimer = next(v for k, v in raw.items() if k.endswith("imprint.xhtml"))
    assert "These are <em>our</em> words \u2014 nobody else\u2019s." in disclaimer
    story = next(v for k, v in raw.items() if "story-001" in k)
    # Metadata reaches the templates as text: escaped, never markup, never template code.
    assert "&lt;b&gt;Bold&lt;/b&gt; {{ 7*7 }}" in story and "A &amp; B" in story
    assert "<i>kept</i>" in story
    assert "{% raw %}Book" in next(v for k, v in raw.items() if k.endswith("titlepage.xhtml"))
