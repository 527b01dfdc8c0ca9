"""Notes in an EPUB's documents out of the reading order (linear="no" in the spine: the
pop-up notes file of many EPUBs): each note a Note of the story that calls it, the document
itself no chapter, whatever else it held reported with entry:line; the book passes EPUBCheck."""

from __future__ import annotations

import collections
import zipfile
from pathlib import Path

import lxml.html
from epubs import accounted_words, package, source_words, write_epub, xhtml
from helpers import Epub, assert_epubcheck_clean, words

from packager.build import build
from packager.model import Severity
from packager.options import BuildOptions
from packager.read.story import read_stories
from packager.text.notes import called

OUT = "document out of the reading order"

NOTES = xhtml(
    "<h1>Notes</h1>\n<p>Compiled by the harbour master.</p>\n"
    '<aside epub:type="footnote" id="n1"><p>Ribbed by the last tide.</p></aside>\n'
    '<aside epub:type="footnote" id="n2"><p>In an hour, <em>more or less</em>.</p></aside>\n'
    '<aside epub:type="footnote" id="n3"><p>A note no call points to.</p></aside>'
)
DOCS = {
    "c1.xhtml": xhtml(
        '<h1>Ebb</h1><p>The sand was ribbed<a epub:type="noteref" href="notes.xhtml#n1">'
        "1</a> like a roof.</p>"
    ),
    "map.xhtml": xhtml("<p>A map of the bay, drawn by hand.</p>"),
    "c2.xhtml": xhtml(
        '<h1>Flow</h1><p>Then it filled.<a epub:type="noteref" href="notes.xhtml#n2">2</a></p>'
    ),
    "notes.xhtml": NOTES,
}
ASIDE = ("map.xhtml", "notes.xhtml")


def _epub(path: Path, docs: dict[str, str] = DOCS) -> Path:
    return write_epub(path, docs, opf=package(docs, "<dc:title>Ebb and Flow</dc:title>", "", ASIDE))


def _line(doc: str, text: str) -> int:
    return DOCS[doc][: DOCS[doc].index(text)].count("\n") + 1


def _aside_words() -> collections.Counter[str]:
    """The words of the documents out of the reading order, read without packager."""
    found: collections.Counter[str] = collections.Counter()
    for name in ASIDE:
        body = lxml.html.document_fromstring(DOCS[name].split("?>", 1)[1]).find("body")
        found.update(words(" ".join(body.itertext())))
    return found


def test_notes_out_of_the_reading_order_are_the_storys_notes(tmp_path: Path) -> None:
    path = _epub(tmp_path / "src" / "ebb.epub")
    (story,) = read_stories(path, path.parent, "ebb.epub")
    ebb, flow = story.chapters  # neither the notes nor the map is a chapter
    assert (ebb.title, flow.title) == ("Ebb", "Flow")
    assert (called(ebb.html), called(flow.html)) == ([1], [2])
    texts = [(n.number, n.kind, " ".join(n.html.split())) for n in ebb.footnotes + flow.footnotes]
    assert texts == [
        (1, "footnote", "<p>Ribbed by the last tide.</p>"),
        (2, "footnote", "<p>In an hour, <em>more or less</em>.</p>"),
        (3, "footnote", "<p>A note no call points to.</p>"),  # kept: after the called ones
    ]
    assert "map of the bay" not in ebb.html + flow.html
    notes, drawn = "ebb.epub/OEBPS/notes.xhtml", "ebb.epub/OEBPS/map.xhtml"
    reported = {(c.file, c.line, c.kind, c.action, c.text) for c in story.changes}
    assert (notes, _line("notes.xhtml", "<h1>"), "removed", OUT, "Notes") in reported
    said = "Compiled by the harbour master."
    assert (notes, _line("notes.xhtml", said), "removed", OUT, said) in reported
    map_text = "A map of the bay, drawn by hand."
    assert (drawn, _line("map.xhtml", map_text), "removed", OUT, map_text) in reported
    moved = "In an hour, more or less."
    assert (notes, _line("notes.xhtml", 'id="n2"'), "moved", "footnote", moved) in reported
    # Every word: the reading order's, and those of the documents out of it.
    assert accounted_words([story]) == source_words(path) + _aside_words()


def test_a_split_epubs_works_each_get_the_notes_they_call(tmp_path: Path) -> None:
    title = (  # FanFicFare's title page of "Label: value" entries starts each work
        "<h3>{} by Ona Reed</h3><div><b>Rating:</b> General<br /><b>Status:</b> "
        "Completed<br /><b>Words:</b> 1,234<br /></div>"
    )
    docs = {
        "t1.xhtml": xhtml(title.format("First")), "c1.xhtml": DOCS["c1.xhtml"],
        "t2.xhtml": xhtml(title.format("Second")), "c2.xhtml": DOCS["c2.xhtml"],
        "map.xhtml": DOCS["map.xhtml"], "notes.xhtml": NOTES,
    }  # fmt: skip
    path = _epub(tmp_path / "two.epub", docs)
    first, second = read_stories(path, tmp_path, "two.epub", split=True)
    one = [" ".join(n.html.split()) for c in first.chapters for n in c.footnotes]
    two = [" ".join(n.html.split()) for c in second.chapters for n in c.footnotes]
    assert one == ["<p>Ribbed by the last tide.</p>"]
    # The second work calls note 2 and holds the last document: the uncalled note too.
    assert two == ["<p>In an hour, <em>more or less</em>.</p>", "<p>A note no call points to.</p>"]
    assert called("".join(c.html for c in second.chapters)) == [1]  # numbered from 1


def test_a_book_with_notes_from_out_of_the_reading_order(tmp_path: Path) -> None:
    path = _epub(tmp_path / "src" / "ebb.epub")
    result = build(path.parent, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    epub = result.outputs[0].path
    assert_epubcheck_clean(epub)
    book = Epub.open(epub)
    (story,) = [d.decode() for n, d in book.files.items() if "story-" in n]
    assert story.count('epub:type="noteref"') == 2 and story.count('epub:type="footnote"') == 2
    # The note nothing calls is printed at the story's end (packager.book.notes).
    assert 'epub:type="endnotes"' in story and "A note no call points to." in story
    assert "Ribbed by the last tide." in story and "map of the bay" not in story
    with zipfile.ZipFile(epub) as made:
        assert not [n for n in made.namelist() if n.endswith(("notes.xhtml", "map.xhtml"))]


def test_a_damaged_document_out_of_the_reading_order_is_a_warning(tmp_path: Path) -> None:
    docs = {**DOCS, "map.xhtml": "<html><body><p>Unclosed</body>"}
    path = _epub(tmp_path / "ebb.epub", docs)
    (story,) = read_stories(path, tmp_path, "ebb.epub")
    assert [c.title for c in story.chapters] == ["Ebb", "Flow"]  # the story is read
    (damaged,) = [d for d in story.diagnostics if "out of the reading order" in d.message]
    assert damaged.severity is Severity.WARNING and damaged.file == "ebb.epub/OEBPS/map.xhtml"
