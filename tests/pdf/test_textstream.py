"""Where a stream offset lives in its text node: the counted character, found by index."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from packager.pdf import textstream

# Counted letters, white space of several kinds and format characters (soft
# hyphen, zero width space, bidi marks and isolates) that the stream skips.
_TEXT = st.text(
    st.sampled_from("ab é字\t\n\u00a0\u3000\u00ad\u200b\u200e\u2068\u2069"), max_size=60
)


@given(st.lists(_TEXT, min_size=1, max_size=4))
def test_each_offset_is_the_counted_character_it_names(texts: list[str]) -> None:
    body = "".join(f"<p>{t}<em>{t[::-1]}</em></p>" for t in texts)
    root = etree.fromstring(f"<html><body>{body}</body></html>")
    found = textstream.stream(root)
    for offset, ch in enumerate(found.text):
        owner, tail, index = found.locate(offset)
        raw = owner.tail if tail else owner.text
        assert raw[index] == ch
        before = textstream.significant(raw[:index])
        start = next(s.start for s in found.segments if s.owner is owner and s.tail is tail)
        assert len(before) == offset - start


def test_a_story_on_one_line_is_marked_page_by_page_in_one_pass() -> None:
    line = " ".join(f"word{n}\u00ad" for n in range(200_000))  # one text node of 1.5 MB
    found = textstream.stream(etree.fromstring(f"<html><body><p>{line}</p></body></html>"))
    for offset in range(0, len(found.text), 3_000):  # a page every 3,000 characters
        start = found.word_start(offset)
        _, _, index = found.locate(start)
        assert (index == 0 or line[index - 1] == " ") and line[index : index + 4] == "word"


def test_the_format_character_table_is_this_unicodes_cf() -> None:
    """format-characters.txt, read instead of scanning every code point, is Cf exactly."""
    table = textstream._FORMAT_TABLE.read_text(encoding="utf-8")
    if f"unicode {unicodedata.unidata_version}\n" not in table:
        pytest.skip(f"the table is for another Unicode than {unicodedata.unidata_version}")
    assert textstream.format_ranges() == textstream.scan_format_ranges()
    pattern = textstream._format_characters()
    assert pattern.sub("", "a\u00adb\u200bc\u2066d\U000e0001e") == "abcde"
