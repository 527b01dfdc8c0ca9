"""HTML downloads, saved story pages and Word files (original sample files)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from conftest import ROOT
from helpers import OPF_NS, XHTML_NS, Epub, assert_epubcheck_clean, unwrap_initials
from lxml import etree

from packager.build import build
from packager.model import Story
from packager.options import BuildOptions
from packager.read import read_story
from packager.text.cleanup import clean

FIXTURES = ROOT / "tests" / "fixtures"


def read(path: Path) -> Story:
    return clean(read_story(path, path.parent, path.name))


def all_html(story: Story) -> str:
    return "".join(
        [story.meta.summary_html, story.meta.notes_html, story.meta.end_notes_html]
        + [c.html for c in story.chapters]
    )


def make_docx(path: Path) -> Path:
    doc = docx.Document()
    doc.add_paragraph("The Glass Orchard", style="Title")
    doc.add_paragraph("by Wen Halloway")
    doc.add_paragraph("Disclaimer: the orchard is mine, the glass is not.")
    doc.add_heading("Chapter One", level=1)
    para = doc.add_paragraph("The trees rang when the wind ")
    para.add_run("touched").italic = True
    para.add_run(" them, and ")
    para.add_run("nobody").bold = True
    para.add_run(' picked the fruit. "It\'s too pretty," Nell said.')
    doc.add_paragraph("* * *")
    doc.add_paragraph("Dear Nell, the orchard is yours now.", style="Quote")
    doc.add_heading("Chapter Two", level=1)
    doc.add_paragraph("She picked one anyway <script>alert(1)</script>.")
    doc.add_paragraph("A/N: Thanks for reading!")
    doc.save(path)
    return path


def test_archive_download_metadata() -> None:
    story = read(FIXTURES / "archive-download.html")
    meta = story.meta
    assert meta.title == "The Cartographer\u2019s Apprentice"
    assert meta.authors == ("Quill_and_Compass",)
    assert meta.rating == "General Audiences"
    assert meta.warnings == ("No Archive Warnings Apply",)
    assert meta.fandoms == ("Original Work",)
    assert meta.relationships == ("Ilse & Marten",)
    assert meta.characters == ("Ilse Varga", "Marten Orr")
    assert meta.tags == ("Gen", "Maps", "Found Family")
    assert meta.language == "en"
    assert meta.source_url == "https://archive.example.org/works/4242"
    assert (
        meta.summary_html == "<p>Ilse draws maps of places that don\u2019t exist <em>yet</em>.</p>"
    )
    assert meta.notes_html == "<p>For the spring exchange. Thanks to my beta!</p>"
    assert meta.end_notes_html == "<p>Thank you for reading. Comments make my day.</p>"


def test_archive_download_chapters_and_chapter_notes() -> None:
    story = read(FIXTURES / "archive-download.html")
    assert [c.title for c in story.chapters] == ["Chapter 1: North", "Chapter 2: South"]
    first = story.chapters[0]
    assert first.notes_html == "<p>The first map.</p>"
    assert first.end_notes_html == "<p>More soon.</p>"
    assert first.html.startswith("<p>\u201cYou\u2019ve drawn a river here,\u201d")
    assert "<hr/>" in first.html  # "* * *" became the scene-break ornament
    # Code and hidden comments are not story text, but their removal is reported.
    assert [(c.line, c.action, c.text) for c in story.changes if c.kind == "removed"] == [
        (6, "page <style>", "code, 1 line"),
        (7, "page <script>", "code, 1 line"),
        (52, "HTML comment", "chapter content"),
        (59, "HTML comment", "/chapter content"),
        (69, "page <script>", "code, 1 line"),
        (80, "site message", "Please drop by the Archive and comment to let the creator know "
         "if you enjoyed their work!"),
    ]  # fmt: skip


def test_html_is_sanitized() -> None:
    story = read(FIXTURES / "archive-download.html")
    body = all_html(story)
    for forbidden in ("script", "alert", "onclick", "javascript", "tracker.example.com", "<img"):
        assert forbidden not in body, forbidden
    assert "She didn\u2019t look up." in body  # the link's words stay
    assert "Marten brought the tea." in body
    assert "[a pixel]" in body  # a remote image leaves its alt text, with a warning
    remote = "remote picture https://tracker.example.com/pixel.gif is never fetched"
    assert any(remote in d.message for d in story.diagnostics)


def test_story_page_read_like_an_editor() -> None:
    story = read(FIXTURES / "story-page.html")
    assert story.encoding == "windows-1252"
    assert story.meta.title == "Lamps in the Fog"
    assert story.meta.authors == ("Rowan Ashby",)
    assert story.meta.notes_html == "<p>A/N: Written in one sitting. Be kind!</p>"
    assert [c.title for c in story.chapters] == ["Chapter One", "Chapter Two"]
    body = all_html(story)
    assert "He didn\u2019t hurry" in body and "Ada \u2013 caf\u00e9 owner" in body
    assert "the <em>whole</em> harbour" in body
    assert '<blockquote class="quoted"><p class="letter-line">Dear Tomas,</p>' in body
    assert body.endswith('<p class="end-mark">THE END</p>')
    removed = [(c.line, c.action) for c in story.changes if c.kind == "removed"]
    assert removed == [
        (9, "page <header>"),
        (10, "page <nav>"),
        (14, "site counters"),
        (30, "site buttons"),
        (32, "page <footer>"),
    ]
    for chrome in ("Log in", "Terms", "Reads", "Follow"):
        assert chrome not in body


def test_docx_story(tmp_path: Path) -> None:
    story = read(make_docx(tmp_path / "glass.docx"))
    assert story.meta.title == "The Glass Orchard"
    assert story.meta.authors == ("Wen Halloway",)
    assert "Disclaimer: the orchard is mine" in story.meta.notes_html
    assert "A/N: Thanks for reading!" in story.meta.end_notes_html
    assert [c.title for c in story.chapters] == ["Chapter One", "Chapter Two"]
    first = story.chapters[0].html
    assert "<em>touched</em>" in first and "<strong>nobody</strong>" in first
    assert "\u201cIt\u2019s too pretty,\u201d" in first
    assert "<hr/>" in first
    assert (
        '<blockquote class="quoted"><p>Dear Nell, the orchard is yours now.</p></blockquote>'
        in first
    )
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in story.chapters[1].html
    )  # typed text stays text
    assert [(c.line, c.kind) for c in story.changes][:2] == [(1, "metadata"), (2, "metadata")]


def test_not_a_docx_is_a_clear_error(tmp_path: Path) -> None:
    from packager.errors import StoryError

    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(StoryError, match=r"^broken.docx: not a Word document: it looks like text$"):
        read_story(bad, tmp_path, "broken.docx")
    bad.write_bytes(b"PK\x03\x04 a zip cut short")
    # A zip cut short is a damaged Word file: the reader says so (read/sniff hands it on).
    damaged = r"^broken.docx: not a readable Word file \(a damaged or truncated zip"
    with pytest.raises(StoryError, match=damaged):
        read_story(bad, tmp_path, "broken.docx")


def test_anthology_of_html_and_docx(tmp_path: Path) -> None:
    source = tmp_path / "mixed"
    source.mkdir()
    shutil.copy(FIXTURES / "archive-download.html", source / "1-archive.html")
    shutil.copy(FIXTURES / "story-page.html", source / "2-page.htm")
    make_docx(source / "3-glass.docx")
    result = build(source, tmp_path / "out", BuildOptions(env={}))
    epub_path = next(o.path for o in result.outputs if o.format == "epub")
    assert_epubcheck_clean(epub_path)
    epub = Epub.open(epub_path)
    doc = next(d for d in epub.spine_documents() if d.find(".//x:header", XHTML_NS) is not None)
    opener = doc.find(".//x:header[@class='opener']", XHTML_NS)
    facts = {
        "".join(dt.itertext()): "".join(dt.getnext().itertext())
        for dt in opener.iterfind(".//x:dt", XHTML_NS)
    }
    # The compact preface readers know from archive downloads.
    assert facts == {
        "Rating": "General Audiences",
        "Warnings": "No Archive Warnings Apply",
        "Fandoms": "Original Work",
        "Relationships": "Ilse & Marten",
        "Characters": "Ilse Varga, Marten Orr",
        "Tags": "Gen, Maps, Found Family",
        "Source": "https://archive.example.org/works/4242",
        "Words": str(len(re.findall(r"\w+(?:['\u2019-]\w+)*", story_text(doc)))),
        "Chapters": "2",
    }
    contributors = [c.text for c in epub.opf().iterfind(".//dc:contributor", OPF_NS)]
    assert contributors == ["Quill_and_Compass", "Rowan Ashby", "Wen Halloway"]


def story_text(doc: etree._Element) -> str:
    """The story's own text: not chapter titles or chapter notes (archives count it so)."""
    text = doc.find(".//x:div[@class='story-text']", XHTML_NS)
    for extra in text.xpath(
        ".//x:div[starts-with(@class, 'chapter-')] | .//x:h2", namespaces=XHTML_NS
    ):
        extra.getparent().remove(extra)
    return " ".join(unwrap_initials(text).itertext())
