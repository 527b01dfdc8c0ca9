"""The sites' and reading apps' own text, wherever it sits: every shape of the corpus
(packager/read/boilerplate.toml) is removed and reported at the top, the middle and the
end of a story, on a line of its own and glued to the story's words; every story word
stays; a title (and author) a footer carries is taken when the story gives none."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from helpers import words
from hypothesis import given
from hypothesis import strategies as st

from packager.model import Story
from packager.read import boilerplate
from packager.read.story import read_story
from packager.text import html

A = "The ferry came in at six, and the gulls came in with it."
B = "Nobody on the pier said a word about the weather."
C = "By morning the harbour had forgotten all of it."
CASES = [(shape, example) for shape in boilerplate.SHAPES for example in shape.examples]
IDS = [f"{s.site}-{s.kind}-{i}".replace(" ", "_") for i, (s, _) in enumerate(CASES)]


def placements(shape: boilerplate.Shape, example: str) -> dict[str, str]:
    """The story around the site text, in each place it is found in real files."""
    found = {
        "own line, middle": f"Harbour\n\n{A}\n\n{example}\n\n{B}\n\n{C}\n",
        "first line": f"{example}\n\nHarbour\n\n{A}\n\n{B}\n\n{C}\n",
        "last line": f"Harbour\n\n{A}\n\n{B}\n\n{C}\n\n{example}\n",
        "a line of a paragraph": f"Harbour\n\n{A}\n{example}\n{B}\n\n{C}\n",
    }
    if shape.where == "anywhere":
        found["glued after a sentence"] = f"Harbour\n\n{A}{example}\n\n{B}\n\n{C}\n"
        found["glued between sentences"] = f"Harbour\n\n{A}{example}{B}\n\n{C}\n"
        found["spaced inside a paragraph"] = f"Harbour\n\n{A} {example} {B}\n\n{C}\n"
    return found


def read(tmp_path: Path, name: str, text: str) -> Story:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_story(path, tmp_path, name)


def book_text(story: Story) -> str:
    return " ".join(html.text_of(c.html) for c in story.chapters)


def accounted(story: Story) -> collections.Counter[str]:
    """The story's words, its notes', and those of every line reported as taken out."""
    found = collections.Counter(words(book_text(story)))
    found.update(words(html.text_of(story.meta.notes_html + story.meta.end_notes_html)))
    for change in story.changes:
        if change.kind in ("removed", "metadata"):
            found.update(words(change.text))
    return found


def test_the_corpus_has_every_kind_of_site_text() -> None:
    kinds = {s.kind for s in boilerplate.SHAPES}
    sites = {s.site for s in boilerplate.SHAPES}
    assert {"site footer", "site tagline", "page title", "share prompt", "vote prompt",
            "archive header", "anti-piracy notice"} <= kinds  # fmt: skip
    assert {"Wattpad", "AO3", "FanFiction.Net", "Quotev", "Tumblr", "Webnovel",
            "Royal Road"} <= sites  # fmt: skip
    assert all(s.examples for s in boilerplate.SHAPES)


@pytest.mark.parametrize(("shape", "example"), CASES, ids=IDS)
def test_each_shape_is_removed_and_reported_wherever_it_sits(
    tmp_path: Path, shape: boilerplate.Shape, example: str
) -> None:
    for place, text in placements(shape, example).items():
        story = read(tmp_path, "story.txt", text)
        book = book_text(story)
        where = f"{example!r} ({place})"
        for sentence in (A, B, C):
            assert sentence in book, f"{sentence!r} lost with {where}: {book!r}"
        assert example not in book, where
        reported = [c for c in story.changes if c.text == example.strip()]
        assert reported and reported[0].kind in ("removed", "metadata"), (where, story.changes)
        line = text.split("\n").index(next(ln for ln in text.split("\n") if example in ln)) + 1
        assert reported[0].line == line, where
        # Site text glued to a word is its own words: a reader tells them apart.
        assert accounted(story) == collections.Counter(
            words(text.replace(example, f" {example} "))
        ), where


@pytest.mark.parametrize(
    "shape", [s for s in boilerplate.SHAPES if s.title], ids=lambda s: f"{s.site}-{s.kind}"
)
def test_a_title_is_taken_from_the_site_text_that_carries_it(
    tmp_path: Path, shape: boilerplate.Shape
) -> None:
    example = shape.examples[0]
    # "004_1f319cfad394e1be.txt": an archive's id, so the file's name gives no title.
    untitled = read(tmp_path, "004_1f319cfad394e1be.txt", f"{A}\n\n{B}\n\n{example}\n\n{C}\n")
    assert untitled.meta.title == shape.title
    assert untitled.meta.authors == ((shape.author,) if shape.author else ())
    assert not any("no title found" in d.message for d in untitled.diagnostics)
    taken = [c for c in untitled.changes if c.text == example]
    assert [(c.kind, c.action) for c in taken] == [("metadata", "title")]
    # A title the story gives itself wins over the site's.
    titled = read(tmp_path, "004_1f319cfad394e1be.txt", f"Harbour\n\n{A}\n\n{example}\n\n{B}\n")
    assert titled.meta.title == "Harbour"


def test_the_archive_message_gives_the_source_address(tmp_path: Path) -> None:
    story = read(
        tmp_path,
        "story.txt",
        f"Harbour\n\n{A}\n\nPosted originally on the Archive of Our Own at "
        f"https://archiveofourown.org/works/4242.\n\n{B}\n",
    )
    assert story.meta.source_url == "https://archiveofourown.org/works/4242"


@pytest.mark.parametrize(
    "line",
    [
        "Keep reading, she told herself, and turned the page.",
        "She read this story on the ferry, twice.",
        "The story was passed down without a word of it written.",
        "Like this, she said, and showed him the knot.",
        "If you find the harbour, you find the town.",
        "Your gift is in the drawer.",
        "Posted on the door was a note from the harbourmaster.",
        "Next to the chapel stood the old customs house.",
        "The Night Ferry left at nine - as it always did.",
    ],
)
def test_story_lines_like_site_text_stay(tmp_path: Path, line: str) -> None:
    story = read(tmp_path, "story.txt", f"Harbour\n\n{A}\n\n{line}\n\n{B}\n")
    assert line in book_text(story).replace("\u2014", "-")
    assert not [c for c in story.changes if c.kind == "removed"]


def test_a_saved_page_takes_its_title_from_the_sites_page_title(tmp_path: Path) -> None:
    page = (
        "<html><head><title>The Night Ferry - Chapter 3 - Wattpad</title></head><body>"
        f"<p>{A}</p><p>{B}</p><p>{C}</p></body></html>"
    )
    story = read(tmp_path, "004_1f319cfad394e1be.html", page)
    assert story.meta.title == "The Night Ferry"


@pytest.mark.parametrize(("shape", "example"), CASES, ids=IDS)
def test_each_shape_is_removed_from_a_markdown_story(
    tmp_path: Path, shape: boilerplate.Shape, example: str
) -> None:
    places = placements(shape, example)
    places["in emphasis, own line"] = f"Harbour\n\n{A}\n\n*{example}*\n\n{B}\n\n{C}\n"
    for place, text in places.items():
        story = read(tmp_path, "story.md", text)
        book = book_text(story)
        where = f"{example!r} ({place})"
        for sentence in (A, B, C):
            assert sentence.replace(",", "") in book.replace(",", ""), (where, book)
        assert example not in book and "*" not in book, (where, book)
        reported = [c for c in story.changes if c.text == example.strip()]
        assert reported and reported[0].kind in ("removed", "metadata"), (where, story.changes)
        line = next(i for i, ln in enumerate(text.split("\n"), 1) if example in ln)
        assert reported[0].line == line, where


def test_a_markdown_story_takes_its_title_from_a_footer(tmp_path: Path) -> None:
    shape = next(s for s in boilerplate.SHAPES if s.title and s.author)
    text = f"{A}\n\n{B}\n\n{shape.examples[0]}\n\n{C}\n"
    story = read(tmp_path, "004_1f319cfad394e1be.md", text)
    assert (story.meta.title, story.meta.authors) == (shape.title, (shape.author,))
    assert not any("no title found" in d.message for d in story.diagnostics)
    fenced = read(tmp_path, "story.md", f"# Harbour\n\n```\n{shape.examples[0]}\n```\n\n{A}\n")
    assert shape.examples[0] in book_text(fenced)  # code is shown as written


@pytest.mark.parametrize("marked", [False, True])
def test_asking_each_line_only_for_the_storys_own_words_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, marked: bool
) -> None:
    """strip_site_text asks a line only for the shapes' words its whole story holds;
    asking for every word finds the same site text, inline markers included."""
    from packager.read import sitetext
    from packager.read.paragraphs import Para

    lines = [e for _, e in CASES] + [A, B, C, "She left a note for the story's sake."]
    if marked:  # an emphasis marker inside a site word: the shapes read it without
        lines = [line.replace("o", "o\ue001", 1) for line in lines]
    paras = [Para(i * 2 + 1, (line,)) for i, line in enumerate(lines)]
    quick = sitetext.strip_site_text(paras, "s.txt")
    monkeypatch.setattr(boilerplate, "needs_in", lambda text: boilerplate._ALL_NEEDS)
    every = sitetext.strip_site_text(paras, "s.txt")
    assert quick.paras == every.paras and quick.changes == every.changes
    assert len(quick.changes) >= (len(CASES) // 2 if marked else len(CASES))  # it found some


_PIECES = [e for _, e in CASES] + [A, B, C, "", "", "*" + A + "*", "```", "    " + B, "Rated: T"]


@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.sampled_from(["", "Wattpad"]))
def test_a_story_without_site_words_is_given_back_as_written(pieces: list[str], extra: str) -> None:
    """strip_lines walks no line of a story that holds none of the shapes' words; it
    finds the same site text and gives the same text as when it asks every line."""
    from packager.read import sitetext

    text = "\n".join([*pieces, extra])
    quick_text, quick = sitetext.strip_lines(text, "s.md", 3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(boilerplate, "needs_in", lambda text: boilerplate._ALL_NEEDS)
        every_text, every = sitetext.strip_lines(text, "s.md", 3)
    assert quick_text == every_text and quick.changes == every.changes
    assert (quick.title, quick.author, quick.url) == (every.title, every.author, every.url)
    if not boilerplate.needs_in(text):
        assert quick_text == text and not quick.changes


def test_site_text_is_still_cut_from_a_story_that_holds_its_words() -> None:
    from packager.read import sitetext

    example = next(e for s, e in CASES if s.where == "line")
    text, site = sitetext.strip_lines(f"{A}\n\n{example}\n\n{B}\n", "s.md", 1)
    assert example not in text and site.changes and A in text and B in text
