"""Story metadata from front matter or from ``[stories."<file>"]`` in collection.toml.

Both sources fill the same StoryMeta; an override in collection.toml wins.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from packager.errors import error, warning
from packager.model import Diagnostic, StoryMeta
from packager.read.markdown import render_fragment
from packager.text import hygiene
from packager.text.languages import language_tag
from packager.text.sanitize import TooDeep

TEXT_FIELDS = ("title", "rating", "date", "source_url", "language", "series")
LIST_FIELDS = ("warnings", "fandoms", "relationships", "characters", "tags")
MARKDOWN_FIELDS = {
    "summary": "summary_html",
    "notes": "notes_html",
    "end_notes": "end_notes_html",
    "disclaimer": "disclaimer_html",
    "author_bio": "author_bio_html",
}
AUTHOR_FIELDS = ("author", "authors")
# Fields shown in the contents, bookmarks and openers: cleaned as labels.
LABEL_FIELDS = frozenset(("title", "rating", *AUTHOR_FIELDS, *LIST_FIELDS))
KNOWN_FIELDS = frozenset((*TEXT_FIELDS, *LIST_FIELDS, *MARKDOWN_FIELDS, *AUTHOR_FIELDS))


def _describe(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table of keys" if value else "an empty table"
    return f"{value!r}"


def meta_updates(
    fields: Mapping[str, object],
    file: str,
    lines: Mapping[str, int],
    *,
    where: str = "front matter",
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Validate metadata fields; return StoryMeta field values and problems found."""
    updates: dict[str, Any] = {}
    problems: list[Diagnostic] = []

    def bad(key: str, expected: str, value: object) -> None:
        message = f"{where}: '{key}' must be {expected} (got {_describe(value)})"
        problems.append(error(message, file, lines.get(key)))

    def tidy(key: str, text: str) -> str:
        """A label (title, name, tag) or a plain value, without what no book should carry."""
        if key in LABEL_FIELDS:
            text, notes = hygiene.label(text)
        else:
            text, removed = hygiene.without_controls(text)
            notes = [f"removed {removed}"] if removed else []
        problems.extend(warning(f"{where}: '{key}': {n}", file, lines.get(key)) for n in notes)
        return text

    for key, value in fields.items():
        if key == "language":
            tag = language_tag(value) if isinstance(value, str) else None
            if tag is None:
                bad(key, "a language tag such as 'en' or 'pt-BR', or a language name", value)
            else:
                updates[key] = tag
        elif key in TEXT_FIELDS:
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                updates[key] = tidy(key, str(value).strip())
            else:
                bad(key, "text", value)
        elif key in AUTHOR_FIELDS or key in LIST_FIELDS:
            items = _text_list(value)
            if items is None:
                bad(key, "text or a list of text", value)
            else:
                cleaned = (tidy(key, item) for item in items)
                updates["authors" if key in AUTHOR_FIELDS else key] = tuple(c for c in cleaned if c)
        elif key in MARKDOWN_FIELDS:
            if isinstance(value, str):
                try:
                    html, found = render_fragment(tidy(key, value), file, lines.get(key, 1))
                except TooDeep as exc:
                    problems.append(error(f"{where}: '{key}': {exc}", file, lines.get(key)))
                    continue
                updates[MARKDOWN_FIELDS[key]] = html
                problems.extend(found)
            else:
                bad(key, "text", value)
        else:
            known = ", ".join(sorted(KNOWN_FIELDS - {"authors"}))
            problems.append(
                warning(
                    f"{where}: unknown key '{key}' ignored (known: {known})", file, lines.get(key)
                )
            )
    return updates, problems


def apply(meta: StoryMeta, updates: Mapping[str, Any]) -> StoryMeta:
    return dataclasses.replace(meta, **updates)


def _text_list(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return tuple(v for v in [value.strip()] if v)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(s for s in (str(v).strip() for v in value) if s)
    return None
