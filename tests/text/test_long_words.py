"""Long words: the quick token check before the word patterns changes no answer."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from packager.text import html

_WORD = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["a", "é", "字", "&amp;", "\u00ad"]),
    st.sampled_from([1, 5, 29, 30, 59, 60, 61, 90]),
)
_TAG = st.builds(lambda n: f'<a href="{"x" * n}">', st.sampled_from([1, 59, 60, 70]))
_GAP = st.sampled_from([" ", "\n", "\u00a0", "\u3000", "", "</p><p>"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.one_of(_WORD, _TAG, _GAP), max_size=12))
    return "<p>" + "".join(pieces) + "</p>"


def _breakable_by_pattern(document: str) -> str:
    """breakable() as the pattern alone decides, with no quick check first."""
    saved = html._longest_token
    html._longest_token = lambda markup: 10**9  # type: ignore[assignment]
    try:
        return html.breakable(document)
    finally:
        html._longest_token = saved  # type: ignore[assignment]


@given(documents())
def test_breakable_is_what_the_pattern_alone_gives(document: str) -> None:
    assert html.breakable(document) == _breakable_by_pattern(document)


@settings(max_examples=30)
@given(
    st.sampled_from([html.MAX_WORD - 1, html.MAX_WORD, html.MAX_WORD + 1]),
    _TAG,
    st.sampled_from([" ", "\n", "\u00a0", "</p><p>"]),
)
def test_longest_word_finds_the_word_over_the_limit(n: int, tag: str, gap: str) -> None:
    fragment = f"<p>{tag}{'w' * n}{gap}end</p>"
    expected = n if n > html.MAX_WORD else 0
    assert html.longest_word(fragment) == expected
    # a long attribute is not a word
    assert html.longest_word(f'<p><a href="{"x" * (html.MAX_WORD + 5)}">a</a></p>') == 0


def test_a_sixty_letter_word_gets_its_breaks() -> None:
    out = html.breakable("<p>" + "a" * 60 + " b</p>")
    assert re.fullmatch(r"<p>a{30}\u200ba{30} b</p>", out)
