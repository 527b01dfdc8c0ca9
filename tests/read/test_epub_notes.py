"""Notes inside EPUB inputs (noteref calls, footnote and endnote markup, as pandoc 2, Sigil
and calibre write them): each call kept as a superscript, each note an end note of its
chapter, reported as moved, no word lost, and the built book passes EPUBCheck."""

from __future__ import annotations

from pathlib import Path

from epubs import accounted_words, source_words, write_epub, xhtml
from helpers import assert_epubcheck_clean

from packager.build import build
from packager.model import Story
from packager.options import BuildOptions
from packager.read.epubnotes import Note, end_notes_html
from packager.read.story import read_stories

# pandoc 2: a list of notes after a rule, each with a "↩" backlink (the list in a plain
# <div>, as an EPUB 2 made from it has it).
PANDOC_2 = """<section><h1>Low Tide</h1>
<p>The boat sat on the mud<a href="#fn1" class="footnote-ref" id="fnref1" epub:type="noteref">1</a>
until evening.<a href="#fn2" class="footnote-ref" id="fnref2" epub:type="noteref">[2]</a></p>
</section>
<div class="footnotes"><hr />
<ol>
<li id="fn1" epub:type="footnote"><p>Grey mud, <em>cold</em> mud.<a href="#fnref1"
 class="footnote-back" epub:type="backlink">\u21a9\ufe0e</a></p></li>
<li id="fn2" epub:type="footnote"><p>Or later.<a href="#fnref2"
 class="footnote-back" epub:type="backlink">\u21a9\ufe0e</a></p></li>
</ol>
</div>"""

# Sigil and hand-made EPUB 3: an aside per note, its number written in it (a backlink
# with words, kept), the call already a superscript.
ASIDES = """<h1>High Water</h1>
<p>The water came up to the third step.<sup><a epub:type="noteref" href="#n3">3</a></sup></p>
<p>Nobody moved the chairs.</p>
<aside epub:type="footnote" id="n3"><p><a href="#r3" epub:type="backlink">3</a> It had never
come past the second.</p></aside>
<p>By morning it had gone down again.</p>
<aside epub:type="note"><p>A tide table hung by the door.</p></aside>"""


def _story(tmp_path: Path) -> tuple[Path, Story]:
    path = write_epub(
        tmp_path / "src" / "tides.epub",
        {"c1.xhtml": xhtml(PANDOC_2), "c2.xhtml": xhtml(ASIDES)},
        "<dc:title>Tides</dc:title><dc:creator>Ona Reed</dc:creator>",
    )
    (story,) = read_stories(path, path.parent, "tides.epub")
    return path, story


def test_notes_become_their_chapters_end_notes(tmp_path: Path) -> None:
    path, story = _story(tmp_path)
    low, high = story.chapters
    assert (low.title, high.title) == ("Low Tide", "High Water")
    assert "mud<sup>1</sup>" in low.html and "evening.<sup>[2]</sup>" in low.html
    assert "Grey mud" not in low.html and "<hr" not in low.html  # the notes' rule went too
    # one list, numbered from 1 as the calls are
    assert low.end_notes_html.startswith("<ol><li>") and low.end_notes_html.count("<li>") == 2
    assert "<em>cold</em> mud." in low.end_notes_html and "\u21a9" not in low.end_notes_html
    # a note that writes its own number is not numbered again; the text after it stays
    assert "step.<sup>3</sup>" in high.html and "By morning" in high.html
    assert "A tide table" in high.html  # a note no call points to is the text's
    assert "<ol" not in high.end_notes_html and "3 It had never" in high.end_notes_html
    moved = [(c.file, c.action, c.text) for c in story.changes if c.kind == "moved"]
    assert moved == [
        ("tides.epub/OEBPS/c1.xhtml", "moved to end notes", "Grey mud, cold mud."),
        ("tides.epub/OEBPS/c1.xhtml", "moved to end notes", "Or later."),
        ("tides.epub/OEBPS/c2.xhtml", "moved to end notes", "3 It had never come past the second."),
    ]
    assert accounted_words([story]) == source_words(path)


def test_a_book_with_notes_from_an_epub_passes_epubcheck(tmp_path: Path) -> None:
    path, _ = _story(tmp_path)
    result = build(path.parent, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    assert_epubcheck_clean(result.outputs[0].path)


def test_a_page_of_endnotes_is_the_storys_end_notes(tmp_path: Path) -> None:
    docs = {
        "c1.xhtml": xhtml(
            '<h1>Ebb</h1><p>The sand was ribbed<a epub:type="noteref" href="notes.xhtml#e1">'
            "1</a> like a roof.</p>"
        ),
        "c2.xhtml": xhtml(
            '<h1>Flow</h1><p>Then it filled.<a epub:type="noteref" href="notes.xhtml#e2">2</a></p>'
        ),
        "notes.xhtml": xhtml(
            '<section epub:type="rearnotes"><h1>Notes</h1><ol>'
            '<li epub:type="rearnote" id="e1"><p>Ribbed by the last tide.</p></li>'
            '<li epub:type="rearnote" id="e2"><p>In an hour.</p></li></ol></section>'
        ),
    }
    path = write_epub(tmp_path / "ebb.epub", docs, "<dc:title>Ebb and Flow</dc:title>")
    (story,) = read_stories(path, tmp_path, "ebb.epub")
    assert [c.title for c in story.chapters] == ["Ebb", "Flow"]  # no chapter "Notes"
    assert not any(c.end_notes_html for c in story.chapters)
    end_notes = story.meta.end_notes_html
    assert end_notes.startswith("<ol><li>") and end_notes.count("<li>") == 2
    assert end_notes.index("Ribbed by") < end_notes.index("In an hour")
    reported = {(c.file, c.kind, c.action, c.text) for c in story.changes}
    assert ("ebb.epub/OEBPS/notes.xhtml", "removed", "notes page heading", "Notes") in reported
    assert ("ebb.epub/OEBPS/notes.xhtml", "moved", "moved to end notes", "In an hour.") in reported
    assert accounted_words([story]) == source_words(path)


def test_numbered_notes_share_a_list_while_their_numbers_follow() -> None:
    def note(n: int | None) -> Note:
        return Note(1, "x", f"<p>n{n}</p>", n)

    assert end_notes_html([note(1), note(2), note(None), note(4), note(5), note(7)]) == (
        "<ol><li><p>n1</p></li><li><p>n2</p></li></ol><p>nNone</p>"
        '<ol start="4"><li><p>n4</p></li><li><p>n5</p></li></ol>'
        '<ol start="7"><li><p>n7</p></li></ol>'
    )
