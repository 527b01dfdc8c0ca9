"""Notes read from every format: where each call is, what each note says, nothing lost."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import lxml.html
from conftest import ROOT, write_story
from helpers import words
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wordfiles import WordStory, write_docx

from packager.model import Note, Severity, Story
from packager.read import read_story
from packager.text.cleanup import clean
from packager.text.notes import CALL, called

FIXTURES = ROOT / "tests" / "fixtures"


def read(path: Path) -> Story:
    return clean(read_story(path, path.parent, path.name))


def notes_of(story: Story) -> list[Note]:
    return sorted((n for c in story.chapters for n in c.footnotes), key=lambda n: n.number)


def text(fragment: str) -> str:
    return " ".join(lxml.html.fromstring(f"<div>{fragment}</div>").text_content().split())


MARKDOWN = """\
---
title: The Ferry
---
The ferry left at dawn.[^dawn] It rained.[^rain] Again ^[an *inline* note].

The gulls[^dawn] followed.

[^dawn]: Six in the morning, by the harbour clock.

[^rain]: It always rains.

    Even in August.

[^lost]: A note nobody calls.

# Two

The second chapter[^two].

[^two]: A note in chapter two.
"""


def test_markdown_footnotes(tmp_path: Path) -> None:
    story = read(write_story(tmp_path, "ferry.md", MARKDOWN))
    one, two = story.chapters
    assert called(one.html) == [1, 2, 3, 1]  # numbered by first call; a repeat calls again
    assert called(two.html) == [4]
    assert [n.number for n in one.footnotes] == [1, 2, 3]
    assert [text(n.html) for n in one.footnotes] == [
        "Six in the morning, by the harbour clock.",
        "It always rains. Even in August.",
        "an inline note",
    ]
    assert "<em>inline</em>" in one.footnotes[2].html
    assert [(n.number, n.line) for n in two.footnotes] == [(4, 20), (5, 14)]
    assert text(two.footnotes[1].html) == "A note nobody calls."  # kept, at the story's end
    (warned,) = [d for d in story.diagnostics if "never called" in d.message]
    assert warned.severity is Severity.WARNING and warned.line == 14
    assert "[^" not in one.html + two.html and "\u21a9" not in one.html


def test_a_footnote_label_is_text_without_a_definition(tmp_path: Path) -> None:
    story = read(write_story(tmp_path, "s.md", "Brackets [^1] stay as typed.\n"))
    assert "[^1]" in story.chapters[0].html and not notes_of(story)


def test_word_footnotes_and_endnotes(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "word.docx",
        WordStory(
            "The Ferry",
            [
                "The ferry left at dawn.{fn:A note about the _ferry_.|Its second paragraph.} "
                "Then it rained.",
                "The gulls followed.{en:An endnote, at the end.}",
            ],
        ),
    )
    story = read(path)
    assert story.meta.title == "The Ferry"
    (chapter,) = story.chapters
    assert called(chapter.html) == [1, 2]
    foot, end = notes_of(story)
    assert (foot.kind, end.kind) == ("footnote", "endnote")
    assert text(foot.html) == "A note about the ferry. Its second paragraph."
    assert "<em>ferry</em>" in foot.html
    assert text(end.html) == "An endnote, at the end."
    assert "\u2191" not in chapter.html + foot.html + end.html  # mammoth's backlinks are gone


PAGE = """<!DOCTYPE html>
<html><head><title>The Lighthouse</title></head><body>
<p><a href="#part-2">2</a> (a contents link, not a note)</p>
<h1>The Lighthouse</h1>
<p>The keeper climbed.<sup><a href="#fn1" id="ref1">1</a></sup> Every night.</p>
<p>He counted them<a href="#n2" name="r2">[2]</a>: one hundred and twelve.</p>
<h2 id="part-2">Part Two</h2>
<p>At the top, the lamp.</p>
<hr/>
<h3>Notes</h3>
<ol>
<li id="fn1">The stairs were <em>iron</em>. <a href="#ref1">\u21a9</a></li>
<li><a name="n2"></a>2. He counted twice. <a href="#r2">back</a></li>
</ol>
</body></html>
"""


def test_html_note_links(tmp_path: Path) -> None:
    story = read(write_story(tmp_path, "page.html", PAGE))
    html = "".join(c.html for c in story.chapters)
    assert called(html) == [1, 2]
    one, two = notes_of(story)
    assert text(one.html) == "The stairs were iron." and text(two.html) == "He counted twice."
    assert "Part Two" in [c.title for c in story.chapters]  # a heading, not a note
    assert "Notes" not in [c.title for c in story.chapters]
    assert "<hr" not in story.chapters[-1].html  # the rule above the notes went with them
    removed = {(c.action, c.text) for c in story.changes if c.kind == "removed"}
    assert ("notes heading", "Notes") in removed
    assert ("link back to the text", "back") in removed
    assert ("note's own number", "2.") in removed


def test_archive_download_notes(tmp_path: Path) -> None:
    page = (FIXTURES / "archive-download.html").read_text(encoding="utf-8")
    page = page.replace(
        "There's no river.\"</p>",
        'There\'s no river."<sup><a href="#fn1" name="return1">1</a></sup></p>',
    ).replace(
        '<blockquote class="userstuff"><p>More soon.</p></blockquote>',
        '<blockquote class="userstuff"><p>More soon.</p><p><a name="fn1"></a>1. Rivers on '
        'maps are <em>promises</em>. <a href="#return1">(back)</a></p></blockquote>',
    )
    story = read(write_story(tmp_path, "download.html", page))
    first = story.chapters[0]
    assert called(first.html) == [1]
    (note,) = first.footnotes
    assert text(note.html) == "Rivers on maps are promises."
    assert text(first.end_notes_html) == "More soon."  # the chapter's end notes keep the rest


def test_a_call_in_the_summary_prints_its_note_at_the_end(tmp_path: Path) -> None:
    page = """<html><body><h1>T</h1><p>Summary: a story.<sup><a href="#n1">1</a></sup></p>
<p>The text of it, long enough to be a paragraph of the story itself.</p>
<p>More of the story text here.</p>
<p id="n1">1. The note.</p></body></html>"""
    story = read(write_story(tmp_path, "s.html", page))
    assert [text(n.html) for n in notes_of(story)] == ["The note."]
    assert "data-note" not in story.meta.summary_html + story.meta.notes_html


# Word fidelity with notes: every word of the text and of every note is in the book
# (the chapters and their notes) or the report; a note's label is markup, like a link's
# target, and its call shows the note's number instead.
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_SENTENCE = st.lists(_WORD, min_size=1, max_size=12).map(" ".join)


@st.composite
def noted_story(draw: st.DrawFn) -> tuple[str, Counter[str]]:
    paragraphs = draw(st.lists(_SENTENCE, min_size=1, max_size=6))
    labels = draw(st.lists(st.sampled_from(["a", "b", "note", "x1"]), max_size=4, unique=True))
    body: list[str] = []
    expected: Counter[str] = Counter()
    for i, para in enumerate(paragraphs):
        calls = [label for j, label in enumerate(labels) if j % len(paragraphs) == i]
        body.append(para + "".join(f"[^{label}]" for label in calls) + ".")
        expected.update(words(para))
    for label in labels:
        note = draw(_SENTENCE)
        body.append(f"[^{label}]: {note}")
        expected.update(words(note))
        if draw(st.booleans()):  # and a note written where it is called
            inline = draw(_SENTENCE)
            body[0] += f" ^[{inline}]"
            expected.update(words(inline))
    return "\n\n".join(body) + "\n", expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(noted_story())
def test_markdown_notes_keep_every_word(case: tuple[str, Counter[str]]) -> None:
    source, expected = case
    with tempfile.TemporaryDirectory() as tmp:
        story = read(write_story(Path(tmp), "story.md", source))
    found: Counter[str] = Counter()
    for chapter in story.chapters:
        found.update(words(text(CALL.sub(" ", chapter.html))))
        for note in chapter.footnotes:
            found.update(words(text(note.html)))
    found.update(
        w for c in story.changes if c.kind in ("removed", "metadata") for w in words(c.text)
    )
    found.update(w for c in story.chapters if c.title for w in words(c.title))
    assert found == expected
