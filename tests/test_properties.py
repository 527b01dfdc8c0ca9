"""Property: whatever paragraphs a writer types, every word reaches the book or the report."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import lxml.html
from helpers import words
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from packager.model import Story
from packager.read import read_story
from packager.read.blank import EmptyStory
from packager.text.cleanup import clean
from packager.text.notes import CALL

WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=9
)
NUMBER = st.integers(min_value=0, max_value=9999).map(str)
MARK = st.sampled_from(['"', "'", "*", "**", "<", ">", "&", "...", "--", ",", ".", "!", "?", ";"])
TOKEN = st.one_of(WORD, WORD, WORD, NUMBER, MARK)
GLUE = st.sampled_from([" ", " ", " ", ""])


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(TOKEN, min_size=1, max_size=25))
    text = tokens[0]
    for token in tokens[1:]:
        text += draw(GLUE) + token
    # Markdown would read "3. " at the start of a line as a list number.
    return text.lstrip("0123456789") or "word"


STORY = st.lists(paragraph(), min_size=1, max_size=8)


def book_and_report_words(story: Story, numbers: list[str] | None = None) -> Counter[str]:
    """The story's words in the book and the report; ``numbers``: typed list numbers."""
    parts = [story.meta.notes_html, story.meta.end_notes_html]
    # A note's call shows its number, which is not a word of the text; its note's words are.
    parts += [CALL.sub(" ", c.html) for c in story.chapters]
    parts += [n.html for c in story.chapters for n in c.footnotes]
    found = Counter(
        w
        for part in parts
        for w in words(" ".join(lxml.html.fromstring(f"<div>{part}</div>").itertext()))
    )
    # An ordered list shows its typed numbers through its numbering, not as text;
    # Markdown numbers the items from the first one's number (CommonMark), so
    # each item stands for the number typed before it.
    if numbers is not None:
        items = sum(
            len(ol.findall("li"))
            for part in parts
            for ol in lxml.html.fromstring(f"<div>{part}</div>").iter("ol")
        )
        assert items == len(numbers), (items, numbers)
        found.update(numbers)
    found.update(w for c in story.chapters if c.title for w in words(c.title))
    found.update(
        w for c in story.changes if c.kind in ("removed", "metadata") for w in words(c.text)
    )
    # HTML remnants in plain text ("<B A >") become markup, reported as typed.
    found.update(
        w
        for c in story.changes
        if c.kind == "repaired" and c.action == "HTML remnants converted"
        for w in words(c.text)
    )
    return found


def read(name: str, text: str) -> Story:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        return clean(read_story(path, path.parent, name))


PROBE = "Then it was over."


def read_or_refused(name: str, source: str) -> tuple[Story | None, str]:
    """The story and the text it was read from; refused as empty (read/blank), the same
    file with a sentence of story after it, whose every word the caller then checks.

    A refusal is an error the editor sees, not a silent loss: it is right for a file
    whose text is a title, a chapter number, markup, signs ('X --', '0.', '*') or debris
    the report names. Such a file read with a sentence more must keep every word too
    (a reader that dropped text and then refused the file would fail there). Where
    even that is refused (markup that swallows what follows), the file is a few words.
    """
    try:
        return read(name, source), source
    except EmptyStory as refused:
        assert name in str(refused)
    probed = f"{source}\n{PROBE}\n"
    try:
        return read(name, probed), probed
    except EmptyStory:
        assert len(words(source)) <= 8, source
        return None, source


PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(STORY)
# A scene-break marker with a letter: drawn as a break, reported. (Alone it would be a
# story without text, refused as empty by read/blank: the story needs a word after it.)
@example(["X --", "Then"])
# A title and a line the cleanup removes and reports: refused as empty, and with a
# sentence more, every word is in the book or the report (hypothesis found it).
@example(["A A A A A A", " 0 0 0"])
def test_txt_keeps_every_word(paragraphs: list[str]) -> None:
    source = "\n\n".join(paragraphs) + "\n"
    story, source = read_or_refused("story.txt", source)
    if story is None:
        return
    assert book_and_report_words(story, []) == Counter(words(source))


@PROFILE
@given(STORY)
# One list "0. 0." shows as 0, 1: each number typed is an item. (Alone, empty items are
# no story text, refused as empty: a word follows them.)
@example([" 0.", " 0.", "Then"])
@example(["<? A"])  # a processing instruction: CommonMark raw HTML the sanitizer drops
def test_markdown_keeps_every_word(paragraphs: list[str]) -> None:
    source = "\n\n".join(paragraphs) + "\n"
    story, source = read_or_refused("story.md", source)
    if story is None:
        return
    typed = [t.info for t in MarkdownIt("commonmark").parse(source) if t.type == "list_item_open"]
    numbers = [n for n in typed if n]  # bullet items have none
    assert book_and_report_words(story, numbers) == Counter(words(source))
