"""What a book's settings derive when collection.toml is silent: its file name, its
title from the folder, and its modification time (SOURCE_DATE_EPOCH)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from packager.errors import ConfigError, error

# When neither SOURCE_DATE_EPOCH nor a date is given, builds are still
# reproducible: the book is stamped with this fixed moment.
FALLBACK_MODIFIED = "2000-01-01T00:00:00Z"


# A slug's length in characters: a CJK character is 3 bytes of a file name's 255.
_SLUG_LENGTH = 60


def slugify(text: str) -> str:
    """The outputs' file name from the title: 'Café Stories' -> 'cafe-stories'.

    Latin letters lose their accents (as URLs and shells like them); every other
    script keeps its letters and marks ('灯塔与海', 'ضوء-على-الساحل'), so a book
    whose title is not in Latin letters is not called 'book'.
    """
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.category(char).startswith("M"):
            if kept and not kept[-1].isascii():
                kept.append(char)  # a mark of a non-Latin letter (Devanagari, Arabic)
        elif char.isalnum():
            kept.append(char if char.isascii() else unicodedata.normalize("NFKC", char))
        else:
            kept.append("-")
    slug = re.sub(r"-+", "-", unicodedata.normalize("NFC", "".join(kept))).strip("-")
    return slug[:_SLUG_LENGTH].rstrip("-") or "book"


def title_from_folder(source: Path) -> str:
    name = source.resolve().name or "Anthology"
    words = [w for w in re.split(r"[\s_-]+", name) if w]
    return " ".join(w[:1].upper() + w[1:] if w.islower() else w for w in words)


# The latest moment SOURCE_DATE_EPOCH may name: 2107-12-31T23:59:59Z, because
# a ZIP archive (the EPUB) stores the year as 1980 plus 7 bits (APPNOTE 4.4.6).
MAX_SOURCE_DATE_EPOCH = 4354819199


def source_date_epoch(env: Mapping[str, str]) -> int | None:
    """SOURCE_DATE_EPOCH in seconds, None when unset or empty; a ConfigError when invalid.

    The value is an integer as ``date +%s`` prints it, and the specification
    asks a build to fail on a malformed one rather than guess
    (https://reproducible-builds.org/specs/source-date-epoch/).
    """
    value = env.get("SOURCE_DATE_EPOCH", "")
    text = value.strip()
    if not text:
        return None
    if re.fullmatch(r"[0-9]{1,20}", text) and int(text) <= MAX_SOURCE_DATE_EPOCH:
        return int(text)
    shown = repr(value if len(value) <= 40 else value[:40] + "...")
    message = (
        f"SOURCE_DATE_EPOCH must be a whole number of seconds between 0 and "
        f"{MAX_SOURCE_DATE_EPOCH} (1970-01-01 to 2107-12-31, the dates an EPUB can hold) "
        f"(got {shown})"
    )
    raise ConfigError([error(message)])


def modified_time(env: Mapping[str, str], date: str) -> str:
    """dcterms:modified: SOURCE_DATE_EPOCH, else the collection's date, else a fixed time."""
    epoch = source_date_epoch(env)
    if epoch is not None:
        moment = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        day = dt.date.fromisoformat(date[:10])
    except ValueError:
        return FALLBACK_MODIFIED
    return f"{day.isoformat()}T00:00:00Z"
