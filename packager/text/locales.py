"""A language's conventions from Unicode CLDR, through Babel (the only module that imports it).

Numbers (``1.451`` in German, ``1 451`` in French), dates (``2 décembre 2026``),
lists of names (``A, B und C``), the writing direction, and reading a gettext
catalogue (.po) into a ``gettext.GNUTranslations``, compiled in memory: the
catalogues ship as text and need no build step.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from collections.abc import Sequence
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date as _format_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

FALLBACK = "en"
_ISO_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.+Z-]*)?")


@lru_cache(maxsize=64)
def locale(tag: str) -> Locale | None:
    """The CLDR locale of a BCP 47 tag ('pt-BR', 'zh-Hant', 'sr-Latn'); None if CLDR has none."""
    try:
        return Locale.parse(tag.strip().replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def known(tag: str) -> bool:
    return locale(tag) is not None


def direction(tag: str) -> str:
    """'rtl' for a language written right to left (ar, he, fa, ur...), else 'ltr'."""
    found = locale(tag)
    if found is not None and found.character_order == "right-to-left":
        return "rtl"
    return "ltr"


# Scripts whose letters join their neighbours (Unicode's cursive scripts, ISO 15924 codes).
JOINING_SCRIPTS = frozenset({"Arab", "Syrc", "Mong", "Nkoo", "Adlm", "Rohg", "Mand", "Phag"})


def script(tag: str) -> str:
    """The ISO 15924 script a language is written in: 'ar' -> 'Arab', 'sr-Latn' -> 'Latn'."""
    found = locale(tag)
    if found is None:
        return ""
    if found.script:
        return str(found.script)
    likely = get_global("likely_subtags").get(found.language, "")
    parts = str(likely).split("_")
    return parts[1] if len(parts) > 2 else ""


def joins(tag: str) -> bool:
    """Whether the language's letters join (Arabic, Persian, Urdu, Syriac...)."""
    return script(tag) in JOINING_SCRIPTS


def number(value: int, tag: str) -> str:
    """A whole number as the language groups its digits: 1,451; 1.451; 1 451; 1'451."""
    return str(format_decimal(value, locale=locale(tag) or FALLBACK))


def date(text: str, tag: str) -> str:
    """An ISO date ('2026-12-02') as the language writes it in full; other text as given."""
    match = _ISO_DAY.fullmatch(text.strip())
    try:
        day = dt.date.fromisoformat(match.group(1)) if match else None
    except ValueError:  # 2026-02-30
        day = None
    if day is None:
        return text
    return str(_format_date(day, format="long", locale=locale(tag) or FALLBACK))


def names(items: Sequence[str], tag: str) -> str:
    """'A', 'A and B', 'A, B and C', in the language's own list pattern."""
    items = [n for n in items if n]
    if len(items) <= 1:
        return "".join(items)
    return str(format_list(items, locale=locale(tag) or FALLBACK))


def read_catalogue(data: bytes, tag: str) -> tuple[gettext.GNUTranslations, frozenset[str]]:
    """A .po file as translations, and the contexts (label keys) it leaves untranslated.

    Babel compiles it to the MO format in memory; untranslated and fuzzy entries
    are left out of the MO, so gettext falls back to the English msgid for them.
    """
    catalog = read_po(io.BytesIO(data), locale=locale(tag) or FALLBACK)
    missing = frozenset(
        str(m.context)
        for m in catalog
        if m.id and m.context and (m.fuzzy or not _translated(m.string))
    )
    out = io.BytesIO()
    write_mo(out, catalog)
    out.seek(0)
    return gettext.GNUTranslations(out), missing


def _translated(value: object) -> bool:
    if isinstance(value, tuple | list):
        return bool(value) and all(value)
    return bool(value)


def read_template(data: bytes) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """A .pot file's entries: (context, msgid, msgid_plural or "", comments), in file order."""
    catalog = read_po(io.BytesIO(data))
    found = []
    for m in catalog:
        if not m.id:
            continue  # the header
        singular, plural = (m.id[0], m.id[1]) if isinstance(m.id, tuple | list) else (m.id, "")
        found.append((str(m.context or ""), str(singular), str(plural), tuple(m.auto_comments)))
    return found
