"""Word counts as the archives count them.

In scripts written without spaces between words (Chinese, Japanese, Thai), each
character is a word: AO3 counts Han, Hiragana, Katakana and Thai characters one
by one and every other word as usual, in mixed text too (otwarchive,
lib/word_counter.rb and CHARACTER_COUNT_SCRIPTS in config/config.yml). Korean
is written with spaces, so its words are counted as words. "don't" and
"p-p-please" are one word each.
"""

from __future__ import annotations

import re

# Unicode's Script=Han, Hiragana, Katakana and Thai, as ranges (Python's re has no \p{Han}).
# U+30FC (ー) and U+30FB (・) are Script=Common, as AO3's \p{Katakana} leaves them.
_CHARACTER_SCRIPTS = (
    "\u2e80-\u2e99\u2e9b-\u2ef3\u2f00-\u2fd5\u3005\u3007\u3021-\u3029\u3038-\u303b"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufa6d\ufa70-\ufad9"
    "\U00016fe2\U00016fe3\U00016ff0\U00016ff1\U00020000-\U0002a6df\U0002a700-\U0002ebe0"
    "\U0002f800-\U0002fa1d\U00030000-\U0003134a\U00031350-\U000323af"  # Han
    "\u3041-\u3096\u309d-\u309f\U0001b001-\U0001b11f\U0001b132\U0001b150-\U0001b152"
    "\U0001f200"  # Hiragana
    "\u30a1-\u30fa\u30fd-\u30ff\u31f0-\u31ff\u32d0-\u32fe\u3300-\u3357\uff66-\uff6f"
    "\uff71-\uff9d\U0001aff0-\U0001affe\U0001b000\U0001b120-\U0001b122\U0001b155"
    "\U0001b164-\U0001b167"  # Katakana
    "\u0e01-\u0e3a\u0e40-\u0e5b"  # Thai
)
_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")
_CHARACTER = re.compile(f"[{_CHARACTER_SCRIPTS}]")
_MIXED = re.compile(
    f"[{_CHARACTER_SCRIPTS}]|(?:(?![{_CHARACTER_SCRIPTS}])\\w)+"
    f"(?:['\u2019\\-](?:(?![{_CHARACTER_SCRIPTS}])\\w)+)*"
)


def count_words(text: str) -> int:
    """Words as a reader (and AO3) counts them: each Chinese or Japanese character is one."""
    # The distinct characters are few and found fast: search them, not the text.
    # subn counts the matches without making a string of each (findall's list).
    if _CHARACTER.search("".join(set(text))) is None:
        return _WORD.subn("", text)[1]
    return _MIXED.subn("", text)[1]
