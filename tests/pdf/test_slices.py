"""A story too long to lay out at once, laid out in runs of its blocks (packager.pdf.slices):
the book is the book laid out whole, page for page and word for word.

The thresholds are lowered so that a story of a few dozen pages is laid out
in many runs; bench/shapes.py measures the memory this saves on the largest
Word file the caps allow.
"""

from __future__ import annotations

import io
import itertools
import random
import re
import zipfile
from pathlib import Path

import lxml.html
import pdfplumber
import pikepdf
import pytest
from conftest import SAMPLES, write_story
from helpers import assert_epubcheck_clean

from packager.build import build, load_book
from packager.options import BuildOptions
from packager.pdf import footnotes, slices, storymarkup

_TEXT = (
    "the harbour lights went out one by one while the ferry waited at the quay and nobody "
    "on board said a word about the weather or the late hour extraordinarily unremarkable"
)
_WORDS = tuple(_TEXT.split(" "))


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[:1].upper() + text[1:] + "."


def _long_story(seed: int, chapters: int = 3) -> str:
    """Chapters of paragraphs of every length, scene breaks, lists, quotes, sub-headings,
    footnotes: the shapes a page break can fall between or inside."""
    rng = random.Random(seed)
    lines = ["---", "title: The Long Night", "author: Mara Quill", "summary: It goes on.", "---"]
    note = 0
    for chapter in range(chapters):
        lines.append(f"# Chapter {chapter + 1}")
        for _ in range(rng.randint(60, 110)):
            shape = rng.random()
            if shape < 0.03:
                lines.append("* * *")
            elif shape < 0.05:
                lines.append("## A turn in the road")
            elif shape < 0.08:
                lines.append(f"- {_sentence(rng, 6)}\n- {_sentence(rng, 30)}")
            elif shape < 0.11:
                lines.append("> " + _sentence(rng, rng.randint(20, 90)))
            elif shape < 0.18:
                note += 1
                lines.append(f"{_sentence(rng, rng.randint(5, 60))} cx{note}.[^n{note}]")
                lines.append(f"[^n{note}]: nx{note} {_sentence(rng, rng.randint(5, 40))}")
            else:
                lines.append(_sentence(rng, rng.choice([2, 3, 8, 30, 60, 120, 250])))
    return "\n\n".join(lines) + "\n"


def _source(folder: Path, seed: int, toml: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "collection.toml").write_text(
        f'title = "Runs"\nauthors = ["Ed Itor"]\nlanguage = "en"\n{toml}', encoding="utf-8"
    )
    write_story(folder, "long.md", _long_story(seed))
    write_story(folder, "short.md", f"# After\n\n{_sentence(random.Random(1), 80)}\n")
    return folder


def _in_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Lay out every story in runs of at most 40 blocks; the runs each story was laid
    out in are counted in the list returned."""
    monkeypatch.setattr(slices, "SLICE_FROM", 0)
    monkeypatch.setattr(slices, "RUN_BLOCKS", 40)
    monkeypatch.setattr(slices, "RUN_CHARS", 20_000)
    counted: list[int] = []
    joined = slices._joined

    def counting(runs: list[slices._Run]) -> object:
        counted.append(len(runs))
        return joined(runs)

    monkeypatch.setattr(slices, "_joined", counting)
    return counted


def _build(source: Path, out: Path) -> tuple[bytes, bytes]:
    # One process: the runs are counted here (a forked worker's count would be lost).
    build(source, out, BuildOptions(env={}, jobs=1, use_cache=False))
    return next(out.glob("*.pdf")).read_bytes(), next(out.glob("*.epub")).read_bytes()


def _words(pdf: bytes) -> list[list[tuple[str, float, float]]]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [
            [(w["text"], round(w["x0"], 2), round(w["top"], 2)) for w in page.extract_words()]
            for page in doc.pages
        ]


def _outline(pdf: bytes) -> list[tuple[int, str, int]]:
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_outline() as outline:
        pages = {page.objgen: n for n, page in enumerate(doc.pages)}
        found: list[tuple[int, str, int]] = []

        def walk(items: list[pikepdf.OutlineItem], depth: int) -> None:
            for item in items:
                found.append((depth, item.title, pages[item.destination[0].objgen]))
                walk(item.children, depth + 1)

        walk(outline.root, 0)
        return found


@pytest.mark.parametrize(
    ("toml", "seed"),
    [('theme = "classic"\n', 5), ('theme = "modern"\npdf = "screen"\n', 9)],
    ids=["print", "screen"],
)
def test_a_story_laid_out_in_runs_is_the_story_laid_out_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, seed: int
) -> None:
    source = _source(tmp_path / "src", seed, toml)
    # Without the footnote rounds, which choose paragraphs to move from what they see:
    # the story's whole layout, or each run's (see the next test).
    monkeypatch.setattr(footnotes, "_ROUNDS", 0)
    whole_pdf, whole_epub = _build(source, tmp_path / "whole")
    counted = _in_runs(monkeypatch)
    pdf, epub = _build(source, tmp_path / "runs")
    assert max(counted) >= 5  # the long story was laid out in runs
    # Every word on the same page at the same place: running heads (the story's
    # strings on every page of every run), folios, footnotes, page sides.
    assert _words(pdf) == _words(whole_pdf)
    assert _outline(pdf) == _outline(whole_pdf)
    # The page list (where each page begins in the text) is the same: the same EPUB.
    assert epub == whole_epub
    with zipfile.ZipFile(io.BytesIO(epub)) as book:
        markers = sum(book.read(n).count(b'epub:type="pagebreak"') for n in book.namelist())
    assert markers >= len(_words(pdf)) - 10  # a marker for each page, less the front matter's


def test_footnotes_stay_on_their_calls_pages_across_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path / "src", 5, 'theme = "classic"\n')
    counted = _in_runs(monkeypatch)
    pdf, epub = _build(source, tmp_path / "out")
    assert max(counted) >= 5
    calls, notes = _pages(pdf, "cx"), _pages(pdf, "nx")
    assert calls and sorted(calls) == sorted(notes)  # every note printed, once
    assert {n: notes[n] for n in notes} == calls
    epub_path = tmp_path / "out" / "book.epub"
    epub_path.write_bytes(epub)
    assert_epubcheck_clean(epub_path)


def _pages(pdf: bytes, prefix: str) -> dict[int, int]:
    found: dict[int, int] = {}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages):
            for word in page.extract_words():
                match = re.match(rf"{prefix}(\d+)(?:\.|$)", word["text"])
                if match:
                    assert int(match.group(1)) not in found, word  # printed twice
                    found[int(match.group(1))] = number
    return found


# -- the markup of a run (pure) ---------------------------------------------------------


def _sample_stories() -> list[str]:
    book = load_book(SAMPLES, BuildOptions(env={}))
    return [p.print_html for p in book.parts if p.kind == "story"]


def _displayed_blocks(markup: str) -> list[int]:
    root = lxml.html.document_fromstring(markup.encode())
    return [
        int(el.get(storymarkup.MARK))
        for el in root.iter()
        if el.get(storymarkup.MARK) is not None and "display: none" not in (el.get("style") or "")
    ]


def test_the_runs_of_a_story_hold_each_of_its_blocks_once() -> None:
    for html in _sample_stories():
        story = storymarkup.map_story(html)
        assert story is not None
        count = len(story.blocks)
        root = lxml.html.document_fromstring(html.encode())
        chapters = root.find_class("chapter")
        assert count == sum(len(c) for c in chapters) > 5
        for cuts in ([0, count], [0, 2, count], [0, 1, 3, count - 1, count]):
            held: list[int] = []
            for first, end in itertools.pairwise(cuts):
                held += _displayed_blocks(storymarkup.slice_markup(story, first, end))
            assert held == list(range(count))


def test_one_run_is_the_story_with_its_blocks_numbered() -> None:
    for html in _sample_stories():
        story = storymarkup.map_story(html)
        assert story is not None
        whole = storymarkup.slice_markup(story, 0, len(story.blocks))
        unmarked = re.sub(rf' {storymarkup.MARK}="\d+"', "", whole)
        assert re.sub(r">\s+<", "><", unmarked) == re.sub(r">\s+<", "><", html)


def test_a_later_run_begins_with_a_page_that_sets_the_running_heads_and_no_ids() -> None:
    (html, *_) = _sample_stories()
    story = storymarkup.map_story(html)
    assert story is not None
    later = storymarkup.slice_markup(story, 3, 6)
    root = lxml.html.document_fromstring(later.encode())
    (opener,) = root.find_class("opener")
    assert "break-after: page" in opener.get("style")
    assert opener.find_class("story-title")[0].text_content().strip()
    assert not [el for el in opener.iter() if el.get("id")]  # no anchor twice in the book
    assert all("bookmark-level: none" in (el.get("style") or "") for el in opener.iter())
    # The opener's text comes before the chapter's blocks, in the chapter.
    assert opener.getparent().get("class") == "chapter"


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h.replace('<div class="story-text">', '<div class="text">'),
        lambda h: re.sub(r'(<\w+ class="chapter")', r"Loose text\1", h, count=1),
        lambda h: re.sub(r'(<\w+ class="chapter"[^>]*>)', r"\1stray words", h, count=1),
        lambda h: h.replace("</header>", "", 1),
    ],
    ids=["another template", "text between chapters", "text in a chapter", "not well formed"],
)
def test_markup_that_is_not_the_templates_is_laid_out_whole(change: object) -> None:
    (html, *_) = _sample_stories()
    assert storymarkup.map_story(html) is not None
    assert callable(change)
    assert storymarkup.map_story(change(html)) is None


def test_a_tagged_pdf_lays_its_story_out_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # Its structure tree is made by one layout: runs would each have their own.
    (html, *_) = _sample_stories()
    monkeypatch.setattr(slices, "SLICE_FROM", 0)
    asked: list[bool] = []

    def lay(markup: str, verso: bool, cuts: bool) -> object:
        asked.append(cuts)
        assert markup == html
        return object()

    slices.lay_out(html, False, lay, tagged=True)  # type: ignore[arg-type]
    assert asked == [False]
    assert slices.how(html, tagged=True) == "" != slices.how(html)
