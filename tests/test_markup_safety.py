"""Story text is data: no markup, script or template code from a story runs or vanishes."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from conftest import copy_samples, write_story
from helpers import Epub, assert_epubcheck_clean, normalize, pdf_pages
from typer.testing import CliRunner

from packager.book.themes import BUILTIN_TEMPLATES
from packager.build import BuildResult, build
from packager.cli import app
from packager.options import BuildOptions

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    source = tmp_path_factory.mktemp("safety") / "src"
    write_story(
        source,
        "01-md.md",
        "---\ntitle: 'Sum {{ 7*7 }} {% raw %}'\nauthor: '{{ config }}'\n---\n\n"
        f"In Markdown: {SCRIPT} stays text.\n\n"
        '<a name="x">an anchor without a target</a> and '
        '<a href="javascript:alert(2)">a trap</a>.\n\n'
        '<p onclick="alert(3)" style="color:red">A paragraph with handlers.</p>\n',
    )
    write_story(source, "02-txt.txt", f"Plain Text\n\nIn plain text: {SCRIPT} stays text.\n")
    return build(source, source.parent / "out", BuildOptions(env={}, use_cache=False))


def test_markup_in_stories_is_shown_as_text_in_both_outputs(built: BuildResult) -> None:
    epub_path = next(o.path for o in built.outputs if o.format == "epub")
    assert_epubcheck_clean(epub_path)
    epub = Epub.open(epub_path)
    stories = "".join(v.decode() for k, v in epub.files.items() if "story-" in k)
    assert stories.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "<script" not in stories and "onclick" not in stories and "javascript:" not in stories
    assert "style=" not in stories
    # The anchor that pointed nowhere is unwrapped (EPUBCheck refuses <a> with no
    # href); its words and the trap's words stay.
    assert "<a name" not in stories and "an anchor without a target" in stories
    assert "a trap" in stories

    body = "".join(
        p.body
        for p in pdf_pages(next(o.path for o in built.outputs if o.format == "pdf").read_bytes())
    )
    assert body.count(SCRIPT) == 2
    assert "an anchor without a target" in body and "A paragraph with handlers." in body


def test_template_syntax_in_metadata_is_literal_everywhere(built: BuildResult) -> None:
    epub = Epub.open(next(o.path for o in built.outputs if o.format == "epub"))
    nav = next(v for k, v in epub.files.items() if k.endswith("nav.xhtml")).decode()
    assert "Sum {{ 7*7 }} {% raw %}" in nav and "Sum 49" not in nav
    opf = next(v for k, v in epub.files.items() if k.endswith(".opf")).decode()
    assert "{{ config }}" in opf
    pdf = next(o.path for o in built.outputs if o.format == "pdf")
    assert any("Sum {{ 7*7 }} {% raw %}" in p.body for p in pdf_pages(pdf.read_bytes()))
    with pikepdf.open(pdf) as doc, doc.open_outline() as outline:
        assert "Sum {{ 7*7 }} {% raw %}" in [item.title for item in outline.root]


def test_editor_templates_run_sandboxed(tmp_path: Path, runner: CliRunner) -> None:
    source = tmp_path / "src"
    copy_samples(source)
    (source / "templates").mkdir()
    shipped = BUILTIN_TEMPLATES / "colophon.xhtml"
    (source / "templates" / "colophon.xhtml").write_text(
        shipped.read_text(encoding="utf-8").replace(
            "</section>", '{{ cycler.__init__.__globals__.os.popen("id").read() }}</section>', 1
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["build", str(source), "-o", str(tmp_path / "out"), "-f", "epub"])
    assert result.exit_code == 1, result.output
    assert "templates/colophon.xhtml: template: access to attribute '__init__'" in result.output
    assert "uid=" not in result.output
    assert not (tmp_path / "out").exists()


# HTML parsing, as browsers do it, leaves an unclosed <em> holding the
# paragraphs and lists after it, and text typed inside a <ul> where it is:
# well-formed, but not valid XHTML. Found by the fuzz tests.
MISNESTED_MD = """# Misnested

First words of the story <em>opened and never closed

Second paragraph of text.

- an item of a list
- another item

> a quoted line

Last words of the story.
"""
MISNESTED_HTML = """<html><body>
<p>Before the list.</p>
<ul>stray text in the list<li>proper item</li><em>
</em>more stray words<li>second item</li></ul>
<dl>loose term text<dt>Term</dt><dd>Definition words</dd></dl>
<p><b>bold <blockquote>quoted inside bold</blockquote> tail words</b></p>
<blockquote><li>item without a list</li> <li>its neighbour</li>after the items</blockquote>
<div><dt>lone term</dt><dd>lone definition</dd></div>
</body></html>
"""


def test_misnested_markup_is_mended_and_keeps_every_word(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    write_story(source, "01-misnested.md", MISNESTED_MD)
    write_story(source, "02-misnested.html", MISNESTED_HTML)
    result = build(source, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    epub = result.outputs[0].path
    assert_epubcheck_clean(epub)
    text = Epub.open(epub).text()  # normalized: letters and digits, folded
    for phrase in (
        "First words of the story opened and never closed",
        "Second paragraph of text.",
        "an item of a list",
        "a quoted line",
        "Last words of the story.",
        "stray text in the list",
        "proper item",
        "more stray words",
        "second item",
        "loose term text",
        "Definition words",
        "bold",
        "quoted inside bold",
        "tail words",
        "item without a list",
        "its neighbour",
        "after the items",
        "lone term",
        "lone definition",
    ):
        assert normalize(phrase) in text, phrase
    order = ["stray text in the list", "proper item", "more stray words", "second item"]
    places = [text.index(normalize(p)) for p in order]
    assert places == sorted(places)
