"""Notes in the PDF: each footnote at the foot of the page that calls it, the call a link
to it; endnotes at the story's end; a note too long for a page's foot printed there too."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from conftest import write_story
from notebooks import filler, notes_anthology

from packager.build import build
from packager.model import Severity
from packager.options import BuildOptions

KEYS = ("sa", "sb", "sc")


@dataclass
class Word:
    page: int
    text: str
    top: float  # from the page's top, in points
    x: float


def _words(pdf: bytes) -> list[Word]:
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages):
            for w in page.extract_words():
                found.append(Word(number, w["text"], float(w["top"]), float(w["x0"])))
    return found


def _find(words: list[Word], token: str) -> Word:
    (word,) = [w for w in words if re.sub(r"[^\w]", "", w.text).startswith(token)]
    return word


def _pdf(tmp: Path, notes: str | None = None) -> tuple[bytes, list[str]]:
    source = notes_anthology(tmp / "src", notes)
    result = build(source, tmp / "out", BuildOptions(env={}, formats=("pdf",), use_cache=False))
    path = next(o.path for o in result.outputs if o.format == "pdf")
    return path.read_bytes(), [str(d) for d in result.diagnostics]


@pytest.fixture(scope="module")
def footnoted(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _pdf(tmp_path_factory.mktemp("footnotes"))[0]


def test_each_footnote_is_on_the_page_of_its_call(footnoted: bytes) -> None:
    words = _words(footnoted)
    for key in KEYS:
        for n in range(1, 4):  # the fourth note of the Word story is an endnote
            call, note = _find(words, f"{key}call{n}"), _find(words, f"{key}note{n}")
            assert note.page == call.page, (key, n)
            assert note.top > call.top  # below the text: at the page's foot
            # The note's number is printed before its text.
            before = [w for w in words if w.page == note.page and abs(w.top - note.top) < 2]
            assert any(w.text == f"{n}." and w.x < note.x for w in before), (key, n)


def test_the_word_endnote_is_at_the_story_end(footnoted: bytes) -> None:
    words = _words(footnoted)
    note = _find(words, "sbnote4")
    last = max((w for w in words if w.text.startswith("sbcall")), key=lambda w: (w.page, w.top))
    # after the story's last paragraph, under a "Notes" heading
    heading = [w for w in words if w.text.lower() == "notes" and w.page == note.page]
    assert heading and heading[0].top < note.top
    assert (note.page, note.top) > (last.page, last.top)


def test_calls_link_to_their_notes_and_back(footnoted: bytes) -> None:
    words = _words(footnoted)
    with pikepdf.open(io.BytesIO(footnoted)) as pdf:
        links = []
        for number, page in enumerate(pdf.pages):
            height = float(page.mediabox[3])
            for annot in page.obj.get("/Annots", []):
                dest = annot.get("/Dest")
                if annot.get("/Subtype") == "/Link" and dest is not None:
                    rect = [float(v) for v in annot.Rect]
                    target = pdf.pages.index(pikepdf.Page(dest[0]))
                    links.append(
                        (number, height - rect[3], rect[0], target, height - float(dest[3]))
                    )
    for key in KEYS:
        for n in range(1, 4):
            call, note = _find(words, f"{key}call{n}"), _find(words, f"{key}note{n}")
            # A link just after the call's word, to the note's line on the same page.
            to_note = [
                link
                for link in links
                if link[0] == call.page and abs(link[1] - call.top) < 6 and link[2] > call.x
                and link[3] == note.page and abs(link[4] - note.top) < 12
            ]  # fmt: skip
            assert to_note, (key, n)
            # And one from the note's number back to the call.
            back = [
                link
                for link in links
                if link[0] == note.page and abs(link[1] - note.top) < 6
                and link[3] == call.page and abs(link[4] - call.top) < 12
            ]  # fmt: skip
            assert back, (key, n)


def test_endnotes_mode_prints_notes_at_each_story_end(tmp_path: Path) -> None:
    pdf, _ = _pdf(tmp_path, "endnotes")
    words = _words(pdf)
    for key in KEYS:
        last_call = max(
            (w for w in words if w.text.startswith(f"{key}call")), key=lambda w: (w.page, w.top)
        )
        notes = [_find(words, f"{key}note{n}") for n in range(1, 5)]
        assert all((w.page, w.top) > (last_call.page, last_call.top) for w in notes), key
        assert [w.page for w in notes] == sorted(w.page for w in notes)


def test_a_note_too_long_for_the_foot_goes_to_the_story_end(tmp_path: Path) -> None:
    # WeasyPrint 70 moves a footnote whole (its #1833): one taller than the page would
    # overflow it and lose its last lines. This one is about a page long.
    long_note = " ".join(filler(i, 40) for i in range(12)) + " z98765."
    text = (
        "# Long\n\n"
        + "\n\n".join(filler(i, 60).capitalize() + "." for i in range(3))
        + "\n\nThe call longcall.[^long] And a short one shortcall.[^short]\n\n"
        + "\n\n".join(filler(i, 60).capitalize() + "." for i in range(3, 6))
        + f"\n\n[^long]: longnote {long_note}\n\n[^short]: shortnote here.\n"
    )
    source = tmp_path / "src"
    write_story(source, "long.md", text)
    result = build(source, tmp_path / "out", BuildOptions(env={}, formats=("pdf",)))
    (told,) = [d for d in result.diagnostics if "too long for the foot" in d.message]
    assert told.severity is Severity.INFO and "Long" in told.message
    pdf = next(o.path for o in result.outputs if o.format == "pdf").read_bytes()
    words = _words(pdf)
    call, note = _find(words, "longcall"), _find(words, "longnote")
    assert (note.page, note.top) > (call.page, call.top)
    assert _find(words, "shortnote").page >= call.page
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[_find(words, "z98765").page]
        last = _find(words, "z98765")
        assert last.top < float(page.height)  # every line of it printed, on a page
