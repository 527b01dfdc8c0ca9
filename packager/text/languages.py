"""Language names as story sites write them, to BCP 47 tags."""

from __future__ import annotations

import re

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
# The languages most often seen on fan-fiction archives, by the names they use.
_NAMES = {
    "english": "en", "español": "es", "espanol": "es", "spanish": "es",
    "français": "fr", "francais": "fr", "french": "fr", "deutsch": "de", "german": "de",
    "italiano": "it", "italian": "it", "português": "pt", "portugues": "pt",
    "português brasileiro": "pt-BR", "portuguese": "pt", "русский": "ru", "russian": "ru",
    "polski": "pl", "polish": "pl", "nederlands": "nl", "dutch": "nl", "svenska": "sv",
    "swedish": "sv", "dansk": "da", "danish": "da", "norsk": "no", "norwegian": "no",
    "bokmål": "nb", "norsk bokmål": "nb", "nynorsk": "nn", "norsk nynorsk": "nn",
    "suomi": "fi", "finnish": "fi", "čeština": "cs", "czech": "cs", "magyar": "hu",
    "hungarian": "hu", "türkçe": "tr", "turkish": "tr", "ελληνικά": "el", "greek": "el",
    "українська": "uk", "ukrainian": "uk", "中文-普通话 國語": "zh", "中文": "zh",
    "chinese": "zh", "日本語": "ja", "japanese": "ja", "한국어": "ko", "korean": "ko",
    "bahasa indonesia": "id", "indonesian": "id", "tiếng việt": "vi", "vietnamese": "vi",
    "català": "ca", "catalan": "ca", "română": "ro", "romanian": "ro", "עברית": "he",
    "hebrew": "he", "العربية": "ar", "arabic": "ar", "filipino": "fil", "tagalog": "tl",
}  # fmt: skip


def language_tag(value: str) -> str | None:
    """'en', 'pt-BR', 'English', 'Español' -> a BCP 47 tag; None if not recognised."""
    text = value.strip()
    if _TAG.match(text):
        return text
    return _NAMES.get(text.casefold())


# The languages Kindle Direct Publishing accepts for eBooks, as ISO 639-1 and
# 639-2/3 codes: KDP Help, "Book Supported Languages" (G200673300), with its
# "Chinese (Traditional) (Beta)" page (G27T64E65VM6JWKK): Arabic and Traditional
# Chinese are in beta, and "KDP doesn't support eBooks in Chinese (Simplified)";
# Romanian is in KDP's language menu. Send to Kindle refuses a book in another
# language, or without one, with E999.
KINDLE_LANGUAGES = frozenset({
    "af", "afr", "gsw", "ar", "ara", "eu", "eus", "baq", "nb", "nob", "br", "bre", "ca", "cat",
    "zh", "zho", "chi", "kw", "cor", "co", "cos", "da", "dan", "nl", "nld", "dut", "stq", "en",
    "eng", "fi", "fin", "fr", "fra", "fre", "fy", "fry", "gl", "glg", "de", "deu", "ger", "gu",
    "guj", "hi", "hin", "is", "isl", "ice", "ga", "gle", "it", "ita", "ja", "jpn", "lb", "ltz",
    "mr", "mar", "ml", "mal", "gv", "glv", "frr", "no", "nor", "nn", "nno", "pl", "pol", "pt",
    "por", "oc", "oci", "ro", "ron", "rum", "rm", "roh", "sco", "gd", "gla", "es", "spa", "sv",
    "swe", "ta", "tam", "cy", "cym", "wel",
})  # fmt: skip
# Chinese only in its Traditional script: written so, or by the regions that write it.
_TRADITIONAL = frozenset({"hant", "tw", "hk", "mo"})


def kindle_accepts(tag: str) -> bool:
    """Whether Kindle accepts a book in this BCP 47 language (its primary subtag counts).

    Chinese counts only in Traditional script (zh-Hant, zh-TW, zh-HK, zh-MO).
    """
    parts = tag.strip().casefold().split("-")
    if parts[0] in ("zh", "zho", "chi"):
        return bool(_TRADITIONAL.intersection(parts[1:]))
    return parts[0] in KINDLE_LANGUAGES


# Chinese (and its languages with codes of their own), Japanese and Korean: the
# scripts that break lines between characters and have no capitals.
_CJK = frozenset({"zh", "ja", "ko", "yue", "cmn", "wuu", "hak", "nan", "gan", "hsn", "lzh"})


def is_cjk(tag: str) -> bool:
    """Whether a BCP 47 tag names Chinese, Japanese or Korean ('zh-Hant', 'ja', 'ko-KR')."""
    return tag.split("-", 1)[0].strip().casefold() in _CJK
