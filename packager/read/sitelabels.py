"""The labels archive downloads and download tools print before a work's metadata.

The tables are data (site-labels.toml, beside this module, with their sources):
each label names the story field it fills, or "" for a fact about the download.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_TABLES = tomllib.loads((Path(__file__).parent / "site-labels.toml").read_text(encoding="utf-8"))
ARCHIVE_LABELS: dict[str, str] = dict(_TABLES["archive"])
TITLE_PAGE_LABELS: dict[str, str] = dict(_TABLES["title-page"])
LIST_FIELDS = frozenset({"warnings", "fandoms", "relationships", "characters", "tags"})
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2})\b")


def first_date(text: str) -> str:
    """The first ISO date in a value ('Published: 2026-03-01 Words: 412' -> '2026-03-01')."""
    found = _DATE.search(text)
    return found.group(1).replace("/", "-") if found else ""
