"""Notes inside EPUB inputs (noteref calls, footnote and endnote markup, as pandoc 2 and 3,
Sigil and calibre write them): each call a call of the book's note model, numbered through
the whole EPUB, each note a Note of the chapter that calls it; the book's EPUB has pop-up
footnotes and passes EPUBCheck, its PDF prints each note on the page of its call, and no
word is lost."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import lxml.html
import pdfplumber
import pytest
from epubs import accounted_words, source_words, write_epub, xhtml
from helpers import Epub, assert_epubcheck_clean
from lxml import etree
from notebooks import filler

from packager.build import build
from packager.model import Note, Story
from packager.options import BuildOptions
from packager.read.story import read_stories
from packager.text.notes import call, called

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"

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
<li id="fn2" epub:type="footnote"><p>2. Or later.<a href="#fnref2"
 class="footnote-back" epub:type="backlink">\u21a9\ufe0e</a></p></li>
</ol>
</div>"""

# Sigil and hand-made EPUB 3: an aside per note, its number written in it as a link back,
# the call already a superscript; a general "note" no call points to is story text.
ASIDES = """<h1>High Water</h1>
<p>The water came up to the third step.<sup><a epub:type="noteref" href="#n3"
 id="r3">3</a></sup></p>
<p>Nobody moved the chairs.</p>
<aside epub:type="footnote" id="n3"><p><a href="#r3" epub:type="backlink">3</a> It had never
come past the second.</p></aside>
<p>By morning it had gone down again.</p>
<aside epub:type="note"><p>A tide table hung by the door.</p></aside>"""

# pandoc 3: each document's notes restart at fn1 (the same ids as the first document's),
# in asides; one writes its number "[1]"; one nothing calls, beginning with a year.
PANDOC_3 = """<section id="three"><h1>Slack Water</h1>
<p>The gulls came back<a href="#fn1" id="fnref1" epub:type="noteref" role="doc-noteref">1</a>
before the turn.</p>
</section>
<section id="footnotes" class="footnotes" epub:type="footnotes"><hr />
<aside epub:type="footnote" role="doc-footnote" id="fn1">
<p>[1] Herring gulls, mostly.</p></aside>
<aside epub:type="footnote" role="doc-footnote" id="fn9">
<p>1912 was the year of the flood.</p></aside>
</section>"""

DOCS = {"c1.xhtml": xhtml(PANDOC_2), "c2.xhtml": xhtml(ASIDES), "c3.xhtml": xhtml(PANDOC_3)}


def _story(tmp_path: Path) -> tuple[Path, Story]:
    path = write_epub(
        tmp_path / "src" / "tides.epub", DOCS,
        "<dc:title>Tides</dc:title><dc:creator>Ona Reed</dc:creator>",
    )  # fmt: skip
    (story,) = read_stories(path, path.parent, "tides.epub")
    return path, story


def _text(fragment: str) -> str:
    return " ".join(lxml.html.fromstring(f"<div>{fragment}</div>").text_content().split())


def _line(doc: str, marker: str) -> int:
    """The line of the entry on which ``marker`` is written."""
    return DOCS[doc][: DOCS[doc].index(marker)].count("\n") + 1


def test_calls_become_calls_and_notes_become_notes(tmp_path: Path) -> None:
    _, story = _story(tmp_path)
    low, high, slack = story.chapters
    assert (low.title, high.title, slack.title) == ("Low Tide", "High Water", "Slack Water")
    # One numbering through the EPUB, in the order of the calls; the call is the book's.
    assert (called(low.html), called(high.html), called(slack.html)) == ([1, 2], [3], [4])
    html = low.html
    assert html.index("mud") < html.index(call(1)) < html.index("until") < html.index(call(2))
    assert "<sup>" not in html and "[2]" not in html
    assert "step." + call(3) in high.html  # the <sup> that only held the call went with it
    assert "Grey mud" not in html and "<hr" not in html  # the notes and their rule went
    assert "<hr" not in slack.html and "Herring" not in slack.html
    assert not any(c.end_notes_html for c in story.chapters)
    texts = {n.number: _text(n.html) for c in story.chapters for n in c.footnotes}
    assert texts == {
        1: "Grey mud, cold mud.",
        2: "Or later.",  # its own "2." went
        3: "It had never come past the second.",  # its number, a link back, went
        4: "Herring gulls, mostly.",  # the second document's "fn1": its own note
        5: "1912 was the year of the flood.",  # never called: the next number, a year kept
    }
    assert [n.number for n in slack.footnotes] == [4, 5]  # the uncalled one on the last
    assert "<em>cold</em> mud." in low.footnotes[0].html and "\u21a9" not in low.footnotes[0].html
    assert {n.kind for c in story.chapters for n in c.footnotes} == {"footnote"}
    assert "A tide table" in high.html and "By morning" in high.html  # text stays text


def test_what_went_is_reported_with_entry_and_line(tmp_path: Path) -> None:
    path, story = _story(tmp_path)
    removed = {(c.file, c.line, c.action, c.text) for c in story.changes if c.kind == "removed"}
    c1, c2, c3 = (f"tides.epub/OEBPS/{d}" for d in ("c1.xhtml", "c2.xhtml", "c3.xhtml"))
    assert (c1, _line("c1.xhtml", 'id="fn2"'), "note's own number", "2.") in removed
    assert (c2, _line("c2.xhtml", 'id="n3"'), "link back to the text", "3") in removed
    assert (c3, _line("c3.xhtml", "[1] Herring"), "note's own number", "[1]") in removed
    assert not [c for c in story.changes if "\u21a9" in c.text]  # a wordless arrow: nothing
    moved = [(c.file, c.line, c.action, c.text) for c in story.changes if c.kind == "moved"]
    assert (c1, _line("c1.xhtml", 'id="fn1"'), "footnote", "Grey mud, cold mud.") in moved
    assert len(moved) == 5
    assert accounted_words([story]) == source_words(path)


def test_a_book_with_notes_from_an_epub(tmp_path: Path) -> None:
    path, _ = _story(tmp_path)
    result = build(path.parent, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    epub = result.outputs[0].path
    assert_epubcheck_clean(epub)
    book = Epub.open(epub)
    docs = [etree.fromstring(d) for n, d in book.files.items() if n.endswith(".xhtml")]
    calls = [
        a for d in docs for a in d.iter("{*}a") if "noteref" in (a.get(EPUB_TYPE) or "").split()
    ]
    assert len(calls) == 4 and all(a.get("role") == "doc-noteref" for a in calls)
    asides = {
        " ".join("".join(a.itertext()).split()): a
        for d in docs
        for a in d.iter("{*}aside")
        if a.get(EPUB_TYPE) == "footnote"
    }
    assert {re.sub(r"^\d+\. ", "", t) for t in asides} >= {
        "Grey mud, cold mud.", "Or later.", "It had never come past the second.",
        "Herring gulls, mostly.",
    }  # fmt: skip
    assert all(a.get("role") == "doc-footnote" for a in asides.values())
    for a in calls:  # each call leads to its note, in the same file
        target = a.get("href").removeprefix("#")
        assert any(el.get("id") == target for el in a.getroottree().iter())


def test_a_page_of_endnotes_gives_the_storys_endnotes(tmp_path: Path) -> None:
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
    path = write_epub(tmp_path / "src" / "ebb.epub", docs, "<dc:title>Ebb and Flow</dc:title>")
    (story,) = read_stories(path, path.parent, "ebb.epub")
    ebb, flow = story.chapters  # no chapter "Notes"
    assert (ebb.title, flow.title) == ("Ebb", "Flow")
    assert (called(ebb.html), called(flow.html)) == ([1], [2])
    assert [(n.number, n.kind, _text(n.html)) for n in ebb.footnotes + flow.footnotes] == [
        (1, "endnote", "Ribbed by the last tide."),
        (2, "endnote", "In an hour."),
    ]
    reported = {(c.file, c.kind, c.action, c.text) for c in story.changes}
    assert ("ebb.epub/OEBPS/notes.xhtml", "removed", "notes page heading", "Notes") in reported
    assert ("ebb.epub/OEBPS/notes.xhtml", "moved", "endnote", "In an hour.") in reported
    assert accounted_words([story]) == source_words(path)
    # The source's endnotes are the book's, at the story's end.
    result = build(path.parent, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    assert_epubcheck_clean(result.outputs[0].path)
    book = Epub.open(result.outputs[0].path)
    (story_doc,) = [etree.fromstring(d) for n, d in book.files.items() if "story-" in n]
    (section,) = [s for s in story_doc.iter("{*}section") if s.get(EPUB_TYPE) == "endnotes"]
    assert "Ribbed by the last tide." in "".join(section.itertext())


def test_a_note_whose_call_is_lost_is_kept(tmp_path: Path) -> None:
    docs = {
        "c1.xhtml": xhtml(
            '<h1>One</h1><p>Plain text, no call here.</p><aside epub:type="footnote" id="x">'
            "<p>A footnote nothing calls.</p></aside>"
        ),
        "c2.xhtml": xhtml(
            '<h1>Two</h1><p>A call<a epub:type="noteref" href="#nowhere">7</a> to nothing.</p>'
        ),
    }
    path = write_epub(tmp_path / "lost.epub", docs, "<dc:title>Lost</dc:title>")
    (story,) = read_stories(path, tmp_path, "lost.epub")
    one, two = story.chapters
    assert [_text(n.html) for n in two.footnotes] == ["A footnote nothing calls."]
    assert "A footnote" not in one.html and not called(one.html + two.html)
    assert "call<sup>7</sup> to nothing" in two.html  # a call to no note stays as it reads


def test_a_split_epub_numbers_each_works_notes_from_one(tmp_path: Path) -> None:
    def title_page(title: str) -> str:  # FanFicFare's: "Label: value" entries
        return xhtml(
            f"<h3>{title} by Ona Reed</h3><div><b>Rating:</b> General<br /><b>Status:</b> "
            "Completed<br /><b>Words:</b> 1,234<br /></div>"
        )

    def chapter(word: str) -> str:
        return xhtml(
            f'<h2>{word}</h2><p>A {word} call<a epub:type="noteref" href="#n">1</a>.</p>'
            f'<aside epub:type="footnote" id="n"><p>The {word} note.</p></aside>'
        )

    docs = {
        "t1.xhtml": title_page("First"), "a.xhtml": chapter("alpha"),
        "t2.xhtml": title_page("Second"), "b.xhtml": chapter("beta"),
    }  # fmt: skip
    path = write_epub(tmp_path / "two.epub", docs)
    stories = read_stories(path, tmp_path, "two.epub", split=True)
    assert len(stories) == 2
    for story, word in zip(stories, ("alpha", "beta"), strict=True):
        notes = [n for c in story.chapters for n in c.footnotes]
        assert [(n.number, _text(n.html)) for n in notes] == [(1, f"The {word} note.")]
        assert called("".join(c.html for c in story.chapters)) == [1]


def test_private_use_characters_in_an_epub_make_no_call(tmp_path: Path) -> None:
    forged = "\ue0051\ue006"  # how packager marks a call inside a reader
    docs = {"c1.xhtml": xhtml(f"<h1>One</h1><p>Forged {forged} call.</p>")}
    path = write_epub(tmp_path / "forged.epub", docs)
    (story,) = read_stories(path, tmp_path, "forged.epub")
    assert not called(story.chapters[0].html) and "\ue005" not in story.chapters[0].html
    (repaired,) = [c for c in story.changes if c.kind == "repaired"]
    assert repaired.file == "forged.epub/OEBPS/c1.xhtml" and "U+E005" in repaired.text


# -- the PDF: each footnote on the page of its call -------------------------------------


def _long_chapter(title: str, calls: list[tuple[str, str]]) -> str:
    """A chapter of several pages, its notes at its end as pandoc 3 writes them (ids restart
    in each document); call ``k`` after the word ``callK``, its note beginning ``noteK``.

    Each call is in a one-line paragraph: WeasyPrint 70 prints the note of a call in a
    paragraph it splits across two pages at the foot of the next (as its issue #2502
    shows for 57 and 65), whatever reader the story came from.
    """
    paras, notes = [], []
    for i in range(18):
        paras.append(f"<p>{filler(i, 60).capitalize()}.</p>")
        if i % 6 == 2 and calls:
            word, note = calls.pop(0)
            n = len(notes) + 1
            paras.append(
                f'<p>Then {word}.<a href="#fn{n}" id="fnref{n}" epub:type="noteref" '
                f'role="doc-noteref">{n}</a> {filler(i + 3, 6)}.</p>'
            )
            notes.append(
                f'<aside epub:type="footnote" role="doc-footnote" id="fn{n}"><p>{note} '
                f"{filler(i, 10)}.</p></aside>"
            )
    return xhtml(
        f"<section><h1>{title}</h1>{''.join(paras)}</section>"
        f'<section epub:type="footnotes"><hr/>{"".join(notes)}</section>'
    )


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    tmp = tmp_path_factory.mktemp("epubnotes")
    docs = {
        "c1.xhtml": _long_chapter("Outward", [("callone", "noteone"), ("calltwo", "notetwo")]),
        "c2.xhtml": _long_chapter("Homeward", [("callthree", "notethree")]),
    }
    path = write_epub(tmp / "src" / "voyage.epub", docs, "<dc:title>Voyage</dc:title>")
    result = build(path.parent, tmp / "out", BuildOptions(formats=("pdf",), env={}))
    return path, result.outputs[0].path.read_bytes()


def test_each_note_is_printed_at_the_foot_of_its_calls_page(printed: tuple[Path, bytes]) -> None:
    _, pdf = printed
    found: dict[str, list[tuple[int, float]]] = {}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages):
            for w in page.extract_words():
                word = re.sub(r"[^a-z]", "", w["text"].lower())
                found.setdefault(word, []).append((number, float(w["top"])))
    pages = {p for places in found.values() for p, _ in places}
    for which in ("one", "two", "three"):
        ((call_page, call_top),) = found[f"call{which}"]
        ((note_page, note_top),) = found[f"note{which}"]
        assert note_page == call_page and note_top > call_top, which
    # the calls are on different pages: the test says something
    assert len({found[f"call{w}"][0][0] for w in ("one", "two", "three")}) == 3 and len(pages) > 3


def test_the_notes_words_are_all_in_the_pdf_story(printed: tuple[Path, bytes]) -> None:
    path, _ = printed
    (story,) = read_stories(path, path.parent, "voyage.epub")
    notes: list[Note] = [n for c in story.chapters for n in c.footnotes]
    assert [n.number for n in notes] == [1, 2, 3]  # the second document's "fn1" is the third
    assert accounted_words([story]) == source_words(path)
    with zipfile.ZipFile(path) as z:
        assert z.read("OEBPS/c2.xhtml").count(b'id="fn1"') == 1


def test_notes_in_an_archive_works_chapters(tmp_path: Path) -> None:
    url = "https://archive.example.org/works/5"
    docs = {
        "preface.xhtml": xhtml(
            '<div><h2>Preface</h2><p><b>Lamps</b><br/>Posted originally on the <a href="https://'
            f'archive.example.org/">Archive of Our Own</a> at <a href="{url}">{url}</a>.</p>'
            "<dl><dt>Rating:</dt><dd>General Audiences</dd></dl>"
            "<h1>Lamps</h1><div>by <a>Marrow_and_Moth</a></div></div>"
        ),
        "ch1.xhtml": xhtml(
            "<div><h2>Chapter 1: Oil</h2><p>The keeper trimmed the wick"
            '<sup><a epub:type="noteref" href="#n1" id="c1">1</a></sup> at six.</p>'
            '<aside epub:type="footnote" id="n1"><p><a href="#c1">1</a>. Cotton, then.</p></aside>'
            "<p>Chapter End Notes</p><blockquote><p>Thanks for reading.</p></blockquote></div>"
        ),
    }
    path = write_epub(tmp_path / "lamps.epub", docs, "<dc:title>Lamps</dc:title>")
    (story,) = read_stories(path, tmp_path, "lamps.epub")
    assert story.meta.rating == "General Audiences"
    (chapter,) = story.chapters
    assert chapter.title == "Chapter 1: Oil"
    assert "wick" + call(1) + " at six" in chapter.html
    assert "Thanks for reading." in chapter.end_notes_html  # the archive's own end notes
    (note,) = chapter.footnotes
    assert _text(note.html) == "Cotton, then."
    removed = {(c.action, c.text) for c in story.changes if c.kind == "removed"}
    assert ("link back to the text", "1") in removed and ("note's own number", ".") in removed
    assert accounted_words([story]) == source_words(path)
