"""The book's own words in its language: the contents title, the story facts, the colophon...

Every string packager itself prints in a book is a label: a key (``contents``,
``words``, ``edited_by``) with its English text in the gettext template
``catalogue/packager.pot`` (the key is the entry's msgctxt) and its translation in
``catalogue/<language>.po``, one file per language, read with Babel at run time
(packager.text.locales). The editor's ``[labels]`` table in collection.toml wins
over both. A label the language's catalogue lacks is printed in English, and
``packager check`` names it (``problems``).
"""

from __future__ import annotations

import gettext
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from packager.errors import warning
from packager.model import Diagnostic, Settings
from packager.text import locales

CATALOGUE = Path(__file__).with_name("catalogue")
TEMPLATE = CATALOGUE / "packager.pot"
ENGLISH = "en"
# Tags whose catalogue has another name: Chinese by script, Norwegian Bokmål
# for the macrolanguage, the old code of Hebrew.
_ALIASES = {
    "zh": "zh_Hans", "zh-cn": "zh_Hans", "zh-sg": "zh_Hans", "zh-my": "zh_Hans",
    "zh-tw": "zh_Hant", "zh-hk": "zh_Hant", "zh-mo": "zh_Hant",
    "no": "nb", "iw": "he", "pt-pt": "pt",
}  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """A label as the template gives it: its key, English text(s) and placeholders."""

    key: str
    english: str
    plural: str  # the English plural ("{count} words"); "" for a label without one
    fields: frozenset[str]  # the placeholders it may use, e.g. {"names"}
    comment: str = ""


@lru_cache(maxsize=1)
def entries() -> dict[str, Entry]:
    """Every label, by key, in the template's order."""
    found = {}
    for key, english, plural, comments in locales.read_template(TEMPLATE.read_bytes()):
        fields = placeholders(english) | placeholders(plural)
        found[key] = Entry(key, english, plural, frozenset(fields), " ".join(comments))
    return found


def placeholders(text: str) -> set[str]:
    """The {names} a label's text uses; ValueError when its braces do not pair."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def check_override(key: str, text: str) -> str | None:
    """Why the editor's text for a label cannot be used (None: it can)."""
    entry = entries()[key]
    try:
        used = placeholders(text)
    except ValueError:
        return "braces must pair: write {{ and }} for a brace itself"
    allowed = entry.fields
    extra = sorted(used - allowed)
    if extra and not any(name.isidentifier() for name in extra):
        return "braces must hold a placeholder name: write {{ and }} for a brace itself"
    if extra:
        known = ", ".join("{" + f + "}" for f in sorted(allowed)) or "none"
        return f"unknown placeholder {{{extra[0]}}} (this label has: {known})"
    return None


def _available() -> dict[str, str]:
    return {p.stem.lower().replace("_", "-"): p.stem for p in CATALOGUE.glob("*.po")}


def catalogue_name(tag: str) -> str | None:
    """The catalogue of a BCP 47 tag: 'de-AT' -> 'de', 'zh-TW' -> 'zh_Hant'; 'en' for English."""
    parts = [p for p in tag.strip().replace("_", "-").split("-") if p]
    if not parts or parts[0].lower() == ENGLISH:
        return ENGLISH
    available = _available()
    for i in range(len(parts), 0, -1):
        wanted = "-".join(parts[:i]).lower()
        wanted = _ALIASES.get(wanted, wanted).lower().replace("_", "-")
        if wanted in available:
            return available[wanted]
    return None


@lru_cache(maxsize=64)
def _catalogue(name: str) -> tuple[gettext.NullTranslations, frozenset[str]]:
    if name == ENGLISH:
        return gettext.NullTranslations(), frozenset()
    return locales.read_catalogue((CATALOGUE / f"{name}.po").read_bytes(), name)


class Labels:
    """The labels of one book: its language's catalogue under the editor's [labels]."""

    def __init__(self, language: str, overrides: Mapping[str, str] | None = None) -> None:
        self.language = language
        self.catalogue = catalogue_name(language)
        self.overrides = dict(overrides or {})
        self._translations, self._missing = _catalogue(self.catalogue or ENGLISH)
        self.direction = locales.direction(language)

    def pattern(self, key: str, count: int | None = None) -> str:
        """The label's text before its placeholders are filled (the plural form for ``count``)."""
        if key in self.overrides:
            return self.overrides[key]
        entry = entries()[key]
        if entry.plural:
            n = 1 if count is None else count
            return self._translations.npgettext(key, entry.english, entry.plural, n)
        return self._translations.pgettext(key, entry.english)

    def text(self, key: str, count: int | None = None, **values: object) -> str:
        """The label with its placeholders filled; numbers as the language writes them."""
        shown = {k: self.number(v) if isinstance(v, int) else v for k, v in values.items()}
        if count is not None:
            shown["count"] = self.number(count)
        return self.pattern(key, count).format(**shown)

    def number(self, value: int) -> str:
        return locales.number(value, self.language)

    def date(self, text: str) -> str:
        return locales.date(text, self.language)

    def names(self, items: Sequence[str]) -> str:
        return locales.names(items, self.language)

    def missing(self) -> list[str]:
        """Keys printed in English though the book is not: neither catalogue nor editor has them."""
        if self.catalogue == ENGLISH:
            return []
        gaps = entries().keys() if self.catalogue is None else self._missing
        return [k for k in entries() if k in gaps and k not in self.overrides]


@lru_cache(maxsize=16)
def _cached(language: str, overrides: tuple[tuple[str, str], ...]) -> Labels:
    return Labels(language, dict(overrides))


def for_book(settings: Settings) -> Labels:
    """The labels of the book these settings describe."""
    return _cached(settings.language, settings.labels)


def problems(settings: Settings, file: str = "") -> list[Diagnostic]:
    """A warning for each label shown in English in a book that is not."""
    labels = for_book(settings)
    missing = labels.missing()
    if not missing:
        return []
    tag = settings.language
    if labels.catalogue is None:
        message = (
            f"labels: no catalogue of the book's own words for language '{tag}': "
            f"{', '.join(missing)} are in English (give them in [labels])"
        )
        return [warning(message, file)]
    return [
        warning(f"labels: no '{tag}' translation of '{key}': printed in English "
                f"(give it in [labels])", file)
        for key in missing
    ]  # fmt: skip
