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
