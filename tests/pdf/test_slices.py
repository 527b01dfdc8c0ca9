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
    """Lay out every story in runs of at most 30 blocks; the runs each story was laid
    out in are counted in the list returned."""
    monkeypatch.setattr(slices, "SLICE_FROM", 0)
    monkeypatch.setattr(slices, "RUN_BLOCKS", 30)
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


def _one_line_story(seed: int, words: int = 25_000) -> str:
    """A story of one enormous paragraph (text pasted with no line ends), with emphasis,
    entities and letters outside ASCII."""
    rng = random.Random(seed)
    found = []
    for number in range(words):
        word = rng.choice((*_WORDS, "café", "R&D", "naïve", "—"))
        if number % 97 == 0:
            word = f"*{word}*"
        found.append(word + (rng.choice(".!,") if rng.random() < 0.08 else ""))
    return "# One\n\n" + " ".join(found) + "\n"


@pytest.mark.parametrize(
    "toml",
    ['theme = "classic"\n', 'theme = "modern"\n', 'theme = "fanzine"\npdf = "screen"\n'],
    ids=["classic", "modern", "screen"],
)
def test_a_paragraph_hundreds_of_pages_long_is_cut_between_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "collection.toml").write_text(
        f'title = "Runs"\nauthors = ["Ed Itor"]\nlanguage = "en"\n{toml}', encoding="utf-8"
    )
    write_story(source, "one.md", _one_line_story(3))
    whole_pdf, whole_epub = _build(source, tmp_path / "whole")
    counted = _in_runs(monkeypatch)
    monkeypatch.setattr(storymarkup, "LONG_BLOCK", 5_000)
    pdf, epub = _build(source, tmp_path / "runs")
    # One block: every run after the first begins inside the paragraph.
    assert max(counted) >= 5
    # Each run's first line is the paragraph's line there: not indented, not in the
    # opening's small capitals, the words spaced as they were.
    assert _words(pdf) == _words(whole_pdf)
    assert epub == whole_epub


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


def _shown_text(markup: str) -> str:
    root = lxml.html.document_fromstring(markup.encode())
    return "".join(
        el.text_content()
        for el in root.iter("p")
        if el.get(storymarkup.MARK) is not None and "display: none" not in (el.get("style") or "")
    )


def test_a_run_that_begins_inside_a_paragraph_holds_the_rest_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(storymarkup, "LONG_BLOCK", 2_000)
    (html, *_) = _sample_stories()
    story = storymarkup.map_story(html)
    assert story is not None
    # The story's first paragraph made 3,000 words long, with emphasis and entities.
    start, end = next(span for _, span in story.blocks if html.startswith("<p", span[0]))
    words = _one_line_story(4, words=3_000).split("\n\n", 1)[1].strip().split(" ")
    body = " ".join(f"<em>{w[1:-1]}</em>" if w.startswith("*") else w for w in words)
    body = body.replace("&", "&amp;")
    tag_end = html.index(">", start) + 1
    long_html = html[:tag_end] + body + html[html.rindex("</", start, end) :]
    story = storymarkup.map_story(long_html)
    assert story is not None
    units = story.units
    pieces = [n for n, u in enumerate(units) if u.plain and u.end - u.start > 200]
    assert len(pieces) > 5  # the paragraph is in pieces
    text = _shown_text(storymarkup.slice_markup(story, 0, len(units)))
    assert text.count("R&D") == body.count("R&amp;D") > 0
    for number in pieces[::3]:
        unit = units[number]
        inside = long_html.index(" ", unit.start + 100) + 1 - unit.start
        for char in (0, inside):
            markup = storymarkup.slice_markup(story, number, len(units), char)
            root = lxml.html.document_fromstring(markup.encode())
            (rest,) = [el for el in root.iter("p") if el.get(storymarkup.CONTINUED) is not None]
            assert rest.get("id") is None and "text-indent: 0" in rest.get("style")
            shown = _shown_text(markup)
            # Nothing lost, nothing twice: the paragraph from that word on, then the rest.
            assert text.endswith(shown) and len(shown) > len(text) // 20
            where = lxml.html.fragment_fromstring(
                long_html[unit.start + char : unit.end], create_parent="p"
            )
            assert shown.startswith(where.text_content()[:40])


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


def test_a_run_is_never_cut_at_its_last_page() -> None:
    # The end of a run (a paragraph cut short, its widows) may move where its last
    # page begins; the pages before it begin where they do in the whole layout.
    (html, *_) = _sample_stories()
    story = storymarkup.map_story(html)
    assert story is not None
    later = [n for n, (c, _) in enumerate(story.blocks) if n and story.blocks[n - 1][0] == c]
    a, b = later[0], later[1]
    part = type("Part", (), {"pages": 6, "cuts": ((2, a, -1, 0, ""), (5, b, -1, 0, ""))})
    assert slices._last_cut(part, story, 0, 0, 0) == (2, story.lookup[a, -1], 0)  # type: ignore[arg-type]
    part.pages = 7
    assert slices._last_cut(part, story, 0, 0, 0) == (5, story.lookup[b, -1], 0)  # type: ignore[arg-type]
