"""Legacy encodings of non-Latin scripts: which reading of the bytes is real text.

charset-normalizer ranks the readings of a file; for the double-byte encodings
of Chinese, Japanese and Korean its best is sometimes another script's
(Shift_JIS bytes read as Korean UHC give rare Hangul syllables with no error).
Here each reading must also look like its language: Japanese prose has
hiragana, Korean is mostly Hangul from the 2,350 syllables of KS X 1001, and
Chinese uses the common characters of GB 2312 level 1 or Big5's frequent set.
The reading is then named by the narrowest standard encoding that gives the
same text (EUC-KR rather than UHC, ISO-8859-8 rather than windows-1255).
Pure: bytes and candidate names in, a decision out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# charset-normalizer's codec names, by language family.
_FAMILIES = {
    "zh": ("gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp950"),
    "ja": (
        "shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004",
        "euc_jisx0213", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_3",
        "iso2022_jp_ext", "iso2022_jp_2004",
    ),
    "ko": ("euc_kr", "cp949", "johab", "iso2022_kr"),
}  # fmt: skip
FAMILY = {codec: family for family, codecs in _FAMILIES.items() for codec in codecs}
# The names reported, narrowest first: the first that decodes to the same text is the
# file's encoding. Each is a Python codec name too, so a report can be decoded again.
_NAMED = {
    "zh": ("gbk", "gb18030", "big5", "cp950", "big5hkscs", "hz"),
    "ja": ("shift_jis", "euc_jp", "cp932", "shift_jis_2004", "euc_jis_2004", "iso2022_jp"),
    "ko": ("euc_kr", "cp949", "johab", "iso2022_kr"),
    "he": ("iso8859_8", "cp1255"),
}
_SHOWN = {
    "gbk": "gbk", "gb18030": "gb18030", "big5": "big5", "cp950": "cp950",
    "big5hkscs": "big5-hkscs", "hz": "hz", "shift_jis": "shift_jis", "euc_jp": "euc-jp",
    "cp932": "cp932", "shift_jis_2004": "shift_jis_2004", "euc_jis_2004": "euc_jis_2004",
    "iso2022_jp": "iso-2022-jp", "euc_kr": "euc-kr", "cp949": "cp949", "johab": "johab",
    "iso2022_kr": "iso-2022-kr", "iso8859_8": "iso-8859-8", "cp1255": "windows-1255",
    "cp1251": "windows-1251", "cp1256": "windows-1256", "cp1253": "windows-1253",
    "koi8_r": "koi8-r", "koi8_u": "koi8-u", "iso8859_5": "iso-8859-5", "cp866": "cp866",
    "mac_cyrillic": "mac-cyrillic", "iso8859_6": "iso-8859-6", "iso8859_7": "iso-8859-7",
    "cp874": "windows-874", "tis_620": "tis-620", "cp1258": "windows-1258",
}  # fmt: skip
CLOSE = 5.0  # chaos points: readings of two languages this close cannot be told apart
COHERENT = 10.0  # coherence points (how much the words look like the language's)
WEAK = 10.0  # above this much chaos a reading is a guess


@dataclass(frozen=True)
class Reading:
    text: str
    encoding: str  # as reported, e.g. "shift_jis"
    weak: bool  # True: too close to call, or too much noise: refuse rather than guess
    others: tuple[str, ...] = ()  # the other languages' encodings it could be


def choose(data: bytes, candidates: Sequence[tuple[str, float, float]]) -> Reading | None:
    """The real reading among charset-normalizer's (codec, chaos, coherence), best first.

    None when no candidate is a plausible text of a non-Latin script.
    """
    plausible: list[tuple[float, float, str, str]] = []  # (chaos, coherence, codec, text)
    for codec, chaos, coherence in candidates:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        family = FAMILY.get(codec)
        if _mostly_lowercase(text) and (family is None or _looks_like(text, family)):
            plausible.append((chaos, coherence, codec, text))
    if not plausible:
        return None
    chaos, coherence, codec, text = plausible[0]
    rivals = tuple(
        dict.fromkeys(
            _name(data, c, t)
            for ch, co, c, t in plausible[1:]
            if t != text and ch - chaos < CLOSE and coherence - co < COHERENT
        )
    )
    return Reading(text, _name(data, codec, text), chaos > WEAK or bool(rivals), rivals)


# In the Windows and ISO code pages of Cyrillic, Greek, Arabic and Hebrew (and in the
# double-byte ones of CJK) letters are bytes 0xC0-0xFF, so their words are runs of
# them; in Western text such a run (three accented letters in a row) is rare.
_FOREIGN_WORD = re.compile(rb"[\xc0-\xff]{3,}")


def non_latin(data: bytes) -> bool:
    """Whether these bytes (not UTF-8) look like the words of a non-Latin script."""
    return len(_FOREIGN_WORD.findall(data)) >= 2


def _name(data: bytes, codec: str, text: str) -> str:
    family = FAMILY.get(codec, "he" if codec in ("cp1255", "iso8859_8") else "")
    for narrow in _NAMED.get(family, ()):
        try:
            if data.decode(narrow) == text:
                return _SHOWN[narrow]
        except UnicodeDecodeError:
            continue
    return _SHOWN.get(codec, codec.replace("_", "-"))


def _mostly_lowercase(text: str) -> bool:
    """Prose in a cased script (Cyrillic, Greek) is mostly small letters; a reading in
    capitals is the wrong code page (Hebrew or cp1251 bytes read as KOI8-R)."""
    cased = [c for c in text if ord(c) > 0x7F and c.lower() != c.upper()]
    return sum(1 for c in cased if c.islower()) * 5 >= len(cased) * 3


def _looks_like(text: str, family: str) -> bool:
    letters = [c for c in text if ord(c) > 0x7F and c.isalpha()]
    if len(letters) < 4:
        return False
    hiragana = sum(1 for c in letters if "\u3041" <= c <= "\u309f")
    hangul = [c for c in letters if "\uac00" <= c <= "\ud7a3"]
    han = [c for c in letters if _is_han(c)]
    if family == "ja":
        return hiragana * 20 >= len(letters) and not hangul
    if family == "ko":
        common = sum(1 for c in hangul if _in_ks_x_1001(c))
        return len(hangul) * 2 >= len(letters) and common * 50 >= len(hangul) * 49
    if not han or hangul or hiragana:
        return False
    common = sum(1 for c in han if _common_han(c))
    return len(han) * 10 >= len(letters) * 9 and common * 10 >= len(han) * 9


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"


def _in_ks_x_1001(c: str) -> bool:
    """One of KS X 1001's 2,350 syllables (Python's euc_kr spells the others in 8 bytes)."""
    try:
        return len(c.encode("euc_kr")) == 2
    except UnicodeEncodeError:
        return False


def _common_han(c: str) -> bool:
    """In GB 2312's level 1 (3,755 characters) or Big5's frequent set (5,401)."""
    for codec, low, high in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            lead = c.encode(codec)[0]
        except UnicodeEncodeError:
            continue
        if low <= lead <= high:
            return True
    return False
