"""A footnote at the foot of the page that carries its call, even where WeasyPrint 70 moves
it on: a paragraph that breaks across a page's end pushes the notes of the lines before it
to the next page (WeasyPrint's issues #2502 and #1564), and packager lays the story out
again with that paragraph begun on the next page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
from conftest import write_story
from notebooks import filler

from packager.build import build, load_book
from packager.model import Severity
from packager.options import BuildOptions
from packager.pdf.footnotes import PARAGRAPHS_MOVED
from packager.pdf.weasy import Renderer

COUNT = 8


def _story(source: Path, words: int) -> Path:
    """Paragraphs of ``words`` words, each with a call after its 40th word ("cxN."), each
    note beginning "nxN". With 120 words, the third page's first paragraph breaks across
    its end in WeasyPrint 70 and takes notes of that page with it (found by trying)."""
    paragraphs = []
    for i in range(COUNT):
        text = filler(i, words).capitalize().split()
        paragraphs.append(" ".join(text[:40]) + f" cx{i}.[^n{i}] " + " ".join(text[40:]) + ".")
    notes = [f"[^n{i}]: nx{i} {filler(i, 10)}." for i in range(COUNT)]
    write_story(source, "split.md", "# Split\n\n" + "\n\n".join(paragraphs + notes) + "\n")
    return source


def _pages(pdf: bytes, prefix: str) -> dict[int, int]:
    """The page of each word "<prefix>N" (a call's word is followed by its number)."""
    found: dict[int, int] = {}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages):
            for word in page.extract_words():
                match = re.match(rf"{prefix}(\d+)(?:\.|$)", word["text"])
                if match:
                    found.setdefault(int(match.group(1)), number)
    return found


def test_weasyprint_alone_puts_a_note_on_the_page_after_its_call(tmp_path: Path) -> None:
    # The bug exists in this WeasyPrint: one layout, as WeasyPrint makes it.
    book = load_book(_story(tmp_path / "src", 120), BuildOptions(env={}, formats=("pdf",)))
    (story,) = [p for p in book.parts if p.kind == "story"]
    part = Renderer(book.resources).render(story.print_html, story.href, folios=False)
    calls, notes = _pages(part.pdf, "cx"), _pages(part.pdf, "nx")
    assert sorted(calls) == sorted(notes) == list(range(COUNT))
    off = [n for n in range(COUNT) if notes[n] != calls[n]]
    assert off and all(notes[n] == calls[n] + 1 for n in off)
    assert part.strays == len(off) and part.turned  # and packager sees it


def test_the_build_prints_every_note_on_its_calls_page(tmp_path: Path) -> None:
    source = _story(tmp_path / "src", 120)
    result = build(source, tmp_path / "out", BuildOptions(env={}, formats=("pdf",)))
    pdf = next(o.path for o in result.outputs if o.format == "pdf").read_bytes()
    calls, notes = _pages(pdf, "cx"), _pages(pdf, "nx")
    assert sorted(calls) == sorted(notes) == list(range(COUNT))  # nothing lost
    assert all(notes[n] == calls[n] for n in range(COUNT)), (calls, notes)
    (told,) = [d for d in result.diagnostics if PARAGRAPHS_MOVED in d.message]
    assert told.severity is Severity.INFO and "Split" in told.message
    assert "1 paragraph begun on the next page" in told.message


def test_a_story_whose_notes_are_in_place_is_laid_out_as_it_was(tmp_path: Path) -> None:
    # 100 words a paragraph: no paragraph takes a note off its page, nothing is said.
    source = _story(tmp_path / "src", 100)
    book = load_book(source, BuildOptions(env={}, formats=("pdf",)))
    (story,) = [p for p in book.parts if p.kind == "story"]
    alone = Renderer(book.resources).render(story.print_html, story.href, folios=False)
    assert alone.strays == 0
    result = build(source, tmp_path / "out", BuildOptions(env={}, formats=("pdf",)))
    assert not [d for d in result.diagnostics if PARAGRAPHS_MOVED in d.message]
    pdf = next(o.path for o in result.outputs if o.format == "pdf").read_bytes()
    calls, notes = _pages(pdf, "cx"), _pages(pdf, "nx")
    assert all(notes[n] == calls[n] for n in range(COUNT))
