"""Word counts as AO3 counts them: each Chinese, Japanese or Thai character is a word."""

from __future__ import annotations

import pytest

from packager.text.words import count_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Don't p-p-please, well-known", 3),  # English as before
        ("灯塔下，老陈说：你又迟到了。", 11),  # 11 Han characters; punctuation is no word
        ("燈塔下，老陳說：「你又遲到了。」", 11),
        ("夜の灯台は静かだった", 10),  # kanji and kana alike
        ("コーヒー", 4),  # ー is Script=Common: AO3 counts it as a word of its own
        ("ｶﾀｶﾅ", 4),  # half-width katakana
        ("등대지기는 매일 밤 계단을 올라갔다", 5),  # Korean has spaces: words are words
        ("Alice said 你好 to Bob", 6),  # mixed: 4 words and 2 characters
        ("สวัสดี", 6),  # Thai, one by one (as AO3's \p{Thai})
        ("𠀀𠀁", 2),  # Han outside the Basic Multilingual Plane
        ("", 0),
    ],
)
def test_counts_like_the_archive(text: str, words: int) -> None:
    assert count_words(text) == words
