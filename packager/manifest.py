"""A batch's manifest: the collections ``packager batch`` builds, read and checked at once.

    [[collection]]
    path = "spring-2025"          # the story folder, relative to the manifest
    name = "spring"               # optional: its folder under --out (default: path's name)
    theme = "modern"              # optional: wins over its collection.toml
    formats = ["epub", "pdf"]     # optional: epub, pdf, kepub (default: epub and pdf)

Every problem is reported with the manifest's file:line, all of them in one run.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packager.book.messages import toml_error
from packager.errors import ConfigError, error
from packager.model import Diagnostic
from packager.options import ALL_FORMATS
from packager.paths import display_path

_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*collection[ \t]*\]\]", re.MULTILINE)
_KEYS = ("path", "name", "theme", "formats")
_NAME = re.compile(r"^[\w][\w.-]*$")


@dataclass(frozen=True)
class Entry:
    """One collection of a batch."""

    path: Path
    name: str  # its folder under --out
    theme: str | None = None
    formats: tuple[str, ...] | None = None  # None: the batch's formats
    line: int | None = None  # where the manifest lists it


def read_manifest(path: Path) -> tuple[Entry, ...]:
    """The manifest's collections; a ConfigError with every problem (file:line) if any."""
    label = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([error(f"cannot read the manifest ({_why(exc)})", label)]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([toml_error(exc, label)]) from None
    problems: list[Diagnostic] = []
    tables = raw.get("collection")
    extra = sorted(set(raw) - {"collection"})
    if extra:
        problems.append(error(f"unknown key {extra[0]!r} (expected [[collection]] tables)", label))
    if not isinstance(tables, list) or not tables:
        problems.append(error("no [[collection]] tables: nothing to build", label, 1))
        raise ConfigError(problems)
    starts = [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)]
    entries: list[Entry] = []
    seen: dict[str, int | None] = {}
    for index, table in enumerate(tables):
        line = starts[index] if index < len(starts) else None
        keys = _lines(text, line)
        entry = _entry(table, path.parent, label, line, keys, problems)
        if entry is None:
            continue
        if entry.name in seen:
            problems.append(
                error(
                    f"name: {entry.name!r} is listed twice (first at line {seen[entry.name]}); "
                    "give one of them another name",
                    label,
                    keys.get("name", entry.line),
                )
            )
        seen.setdefault(entry.name, entry.line)
        entries.append(entry)
    if problems:
        raise ConfigError(problems)
    return tuple(entries)


def _entry(
    table: Any,
    base: Path,
    label: str,
    line: int | None,
    keys: dict[str, int],
    problems: list[Diagnostic],
) -> Entry | None:
    def wrong(key: str, message: str) -> None:
        problems.append(error(f"{key}: {message}", label, keys.get(key, line)))

    if not isinstance(table, dict):
        problems.append(error("collection: expected a [[collection]] table", label, line))
        return None
    for key in sorted(set(table) - set(_KEYS)):
        wrong(key, f"unknown key (expected one of {', '.join(_KEYS)})")
    folder = table.get("path")
    if not isinstance(folder, str) or not folder.strip():
        wrong("path", "expected the story folder, as text")
        return None
    name = table.get("name", Path(folder).name)
    if not isinstance(name, str) or not _NAME.match(name):
        wrong("name", f"expected a folder name of letters, digits, '.', '-', '_' (got {name!r})")
        return None
    theme = table.get("theme")
    if theme is not None and not isinstance(theme, str):
        wrong("theme", "expected a theme's name, as text")
    formats = table.get("formats")
    if formats is not None and (
        not isinstance(formats, list) or not formats or any(f not in ALL_FORMATS for f in formats)
    ):
        wrong("formats", f"expected a list of {', '.join(ALL_FORMATS)} (got {formats!r})")
        formats = None
    return Entry(
        base / folder,
        name,
        theme if isinstance(theme, str) else None,
        tuple(dict.fromkeys(formats)) if formats else None,
        line,
    )


def _lines(text: str, start: int | None) -> dict[str, int]:
    """The line of each key of the table that begins at ``start`` (up to the next table)."""
    found: dict[str, int] = {}
    if start is None:
        return found
    lines = text.splitlines()
    for number in range(start, len(lines)):
        row = lines[number].strip()
        if row.startswith("["):
            break
        key = row.split("=", 1)[0].strip().strip('"')
        if "=" in row and key not in found:
            found[key] = number + 1
    return found


def _why(exc: OSError | UnicodeDecodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return exc.strerror or str(exc)
