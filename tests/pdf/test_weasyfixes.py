"""packager.pdf.weasyfixes: the rest of a paragraph broken across pages is laid out
without the paragraph's ::first-line style (WeasyPrint 70 gives it to the first line
of every page the paragraph runs onto)."""

from __future__ import annotations

import random

import pytest
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

import packager.pdf.weasy  # noqa: F401  (makes the fixes)
from packager.pdf import storymarkup

_TEXT = "the harbour lights went out one by one while the ferry waited at the quay"
_WORDS = tuple(_TEXT.split(" "))
_CSS = (
    "@page { size: 120mm 90mm; margin: 10mm } p { margin: 0; text-align: justify }"
    "p::first-line { font-variant: small-caps; letter-spacing: 0.1em; color: red }"
    "p::first-letter { font-size: 300% }"
)


def _first_lines(body: str) -> list[list[tuple[object, ...]]]:
    """The style of each text of each page's first line."""
    document = HTML(string=f'<html lang="en"><style>{_CSS}</style>{body}').render()
    found = []
    for page in document.pages:
        line = next(b for b in page._page_box.descendants() if isinstance(b, boxes.LineBox))
        texts = [b for b in line.descendants() if isinstance(b, boxes.TextBox)]
        found.append(
            [
                (b.style["font_variant_caps"], b.style["letter_spacing"], b.style["font_size"])
                for b in texts
            ]
        )
    return found


def _text(words: int) -> str:
    rng = random.Random(1)
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def test_only_the_first_line_of_a_paragraph_has_its_first_line_style() -> None:
    pages = _first_lines(f"<div><p>{_text(900)}</p></div>")
    assert len(pages) >= 3
    opening, *rest = pages
    assert ("small-caps", pytest.approx(1.6), pytest.approx(48)) in opening  # the drop letter
    for texts in rest:
        assert texts and all(t[:2] == ("normal", "normal") for t in texts), texts
        assert all(t[2] == pytest.approx(16) for t in texts)


def test_a_paragraph_marked_continued_is_laid_out_as_a_rest() -> None:
    body = f"<p {storymarkup.CONTINUED}>{_text(40)}</p>"
    ((*texts,),) = _first_lines(body)
    assert texts and all(t[:2] == ("normal", "normal") for t in texts), texts
    assert all(t[2] == pytest.approx(16) for t in texts)
