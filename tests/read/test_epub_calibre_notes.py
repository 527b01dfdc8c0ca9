"""calibre's EPUB 2 notes, which no epub:type marks: plain links and targets, made by
ebook-convert in the test from an HTML page with note links and from a Word file with
footnotes, read as the book's notes (packager.read.plainnotes)."""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from epubs import accounted_words, source_words
from helpers import assert_epubcheck_clean
from wordfiles import WordStory, write_docx

from packager.build import build
from packager.model import Story
from packager.options import BuildOptions
from packager.read.story import read_stories
from packager.text import clean
from packager.text.notes import call

CALIBRE = shutil.which("ebook-convert")

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"/><title>The Ferry</title></head>
<body><h1>The Ferry</h1>
<p>The lights went out one by one.<sup><a href="#fn1" id="ref1">1</a></sup> Nobody spoke.</p>
<p>The ferry waited at the quay.<sup><a href="#fn2" id="ref2">2</a></sup> It was late.</p>
<p>A map of the bay<sup><a href="#bay">a</a></sup> hung in the cabin.</p>
<p id="bay">The bay was wide and grey, and the gulls slept on the water.</p>
<p>They landed at dawn.</p>
<hr/>
<ol><li id="fn1"><p>The harbour lights, not the town's. <a href="#ref1">↩</a></p></li>
<li id="fn2"><p>Pier four, by the old crane. <a href="#ref2">↩</a></p></li></ol>
</body></html>
"""


def _convert(source: Path, out: Path) -> Path:
    if CALIBRE is None:
        if os.environ.get("PACKAGER_REQUIRE_CALIBRE") == "1":
            pytest.fail("calibre's ebook-convert is required (PACKAGER_REQUIRE_CALIBRE=1)")
        pytest.skip("calibre's ebook-convert is not installed")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(out.parent)}
    command = [CALIBRE, str(source), str(out), "--no-default-epub-cover"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def from_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("calibre-page")
    (work / "ferry.html").write_text(PAGE, encoding="utf-8")
    return _convert(work / "ferry.html", work / "ferry.epub")


@pytest.fixture(scope="module")
def from_word(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("calibre-word")
    blocks = [
        "The lights went out wordcall1.{fn:wordnote1 the harbour lights.} Nobody spoke.",
        "The ferry waited wordcall2.{fn:wordnote2 pier four.} It was late.",
        "They landed wordcall3.{en:wordnote3 at dawn, an endnote.} at last.",
    ]
    write_docx(work / "ferry.docx", WordStory("The Ferry", blocks))  # type: ignore[arg-type]
    return _convert(work / "ferry.docx", work / "ferry.epub")


def read(path: Path) -> Story:
    (story,) = read_stories(path, path.parent, path.name)
    return clean(story)


def test_calibres_notes_from_a_page_are_the_storys_notes(from_page: Path) -> None:
    story = read(from_page)
    (chapter,) = story.chapters
    assert "one by one." + call(1) in chapter.html and "the quay." + call(2) in chapter.html
    assert [(n.number, n.kind) for n in chapter.footnotes] == [(1, "footnote"), (2, "footnote")]
    assert "The harbour lights, not the town\u2019s." in chapter.footnotes[0].html
    assert "Pier four, by the old crane." in chapter.footnotes[1].html
    assert not chapter.html.endswith("<hr/>")  # the rule above the notes went with them
    assert "Pier four" not in chapter.html and "↩" not in chapter.html + str(story.chapters)
    # A superscript link to a paragraph of the text that does not link back is no call:
    # its label stays, a superscript, and the paragraph stays where it is.
    assert "of the bay<sup>a</sup> hung" in chapter.html
    assert chapter.html.index("The bay was wide") < chapter.html.index("They landed")
    moved = [c for c in story.changes if c.kind == "moved"]
    assert [c.action for c in moved] == ["footnote", "footnote"]
    assert all(c.file.startswith("ferry.epub/") and c.line > 1 for c in moved)
    # Every word kept, or reported; the calls' labels are the book's own numbers now.
    calls = collections.Counter({"1": 1, "2": 1})
    assert accounted_words([story]) == source_words(from_page) - calls


def test_calibres_notes_from_word_are_the_storys_notes(from_word: Path) -> None:
    story = read(from_word)
    text = "".join(c.html for c in story.chapters)
    notes = [n for c in story.chapters for n in c.footnotes]
    for n in (1, 2, 3):
        assert f"wordcall{n}." + call(n) in text
        assert f"wordnote{n}" not in text
    assert [n.number for n in notes] == [1, 2, 3]
    assert [n.html.split()[0] for n in notes] == ["<p>wordnote1", "<p>wordnote2", "<p>wordnote3"]
    assert not any("←" in n.html or "[" in n.html for n in notes)  # calibre's "[←1]" went
    # calibre's file of notes (its heading "Notes") is not a chapter; what went is reported.
    assert "Notes" not in [c.title for c in story.chapters]
    backs = [c for c in story.changes if c.action == "link back to the text"]
    assert sorted(c.text for c in backs) == ["←1", "←2", "←3"]
    assert all(".epub/" in c.file and c.line > 1 for c in backs)
    calls = collections.Counter({"1": 1, "2": 1, "3": 1})
    assert accounted_words([story]) == source_words(from_word) - calls


def test_a_book_of_calibres_epubs_has_pop_up_notes(
    from_page: Path, from_word: Path, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(from_page, source / "01-page.epub")
    shutil.copy(from_word, source / "02-word.epub")
    result = build(source, tmp_path / "out", BuildOptions(env={}, formats=("epub",)))
    (epub,) = [o.path for o in result.outputs if o.format == "epub"]
    assert_epubcheck_clean(epub)
    with zipfile.ZipFile(epub) as book:
        text = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    assert text.count('epub:type="noteref"') >= 5 and text.count('epub:type="footnote"') == 5
