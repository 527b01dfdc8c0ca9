"""Which drawn lines carry their typed text as /ActualText: marks, never right to left."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from packager.pdf.weasyfonts import shaped


def _by_definition(text: str) -> bool:
    if any(unicodedata.bidirectional(c) in ("R", "AL", "AN") for c in text):
        return False
    return any(unicodedata.category(c) in ("Mn", "Mc") for c in text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain",
        "naïve café",
        "e\u0301",
        "क्षत्रिय",
        "שלום",
        "a\u0301 שלום",
        "ÿ" * 10,
        "\u02ff",
        "“Quoted” — and a mark: e\u0301",
        "“No marks” — “none at all”…",
        "x\u0301" * 3 + "\u05d0",
    ],
)
def test_shaped_is_its_definition(text: str) -> None:
    assert shaped(text) is _by_definition(text)


@given(st.text())
def test_shaped_is_its_definition_for_any_text(text: str) -> None:
    assert shaped(text) is _by_definition(text)


def test_no_character_below_u0300_is_a_mark_or_right_to_left() -> None:
    """What shaped()'s quick answer for such lines rests on."""
    assert not any(_by_definition(chr(c)) for c in range(0x300))
    assert shaped("e\u0301") and not shaped("".join(map(chr, range(0x20, 0x300))))
