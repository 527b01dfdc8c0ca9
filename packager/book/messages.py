"""collection.toml's problems as messages: the key, the line it is on, what was expected."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from packager.book import labels, trim
from packager.book.schema import (
    BindingTable,
    CollectionFile,
    Contributor,
    LabelsTable,
    StoryOverride,
)
from packager.errors import error, warning
from packager.model import Diagnostic
from packager.text import forbidden


def scrub_values(
    raw: Mapping[str, Any], text: str, label: str, keys: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The values without the characters XML forbids (TOML escapes allow them), and a
    warning naming the key and its line for each value that had some."""
    cleaned: dict[str, Any] = {}
    found: list[Diagnostic] = []

    def scrub(item: Any, here: tuple[str, ...]) -> Any:
        if isinstance(item, Mapping):
            value, notes = scrub_values(item, text, label, here)
            found.extend(notes)
            return value
        if isinstance(item, list):
            return [scrub(i, here) for i in item]
        if isinstance(item, str):
            item, removed = forbidden.strip(item, references=True)  # Markdown values read them
            if removed:
                name = ".".join(str(k) for k in here)
                found.append(warning(f"{name}: removed {removed}", label, key_line(text, here)))
        return item

    for key, value in raw.items():
        cleaned[key] = scrub(value, (*keys, key))
    return cleaned, found


def validation_problems(
    exc: ValidationError, raw: Mapping[str, Any], text: str, label: str
) -> list[Diagnostic]:
    problems = []
    seen: set[tuple[str | int, ...]] = set()
    for err in exc.errors():
        loc = _trim_loc(err["loc"])
        if loc in seen:
            continue  # a union type reports once per alternative
        seen.add(loc)
        line = key_line(text, tuple(str(p) for p in loc if isinstance(p, str)))
        problems.append(error(f"{key_name(loc)}: {_explain(err, raw, loc)}", label, line))
    return problems


def _trim_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # pydantic adds the union member ('str', 'list[str]', ...) to the location.
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (part in ("str", "date", "datetime") or "[" in part):
            break
        out.append(part)
    return tuple(out)


def _explain(err: Any, raw: Mapping[str, Any], loc: tuple[str | int, ...]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = loc[:-1]
        if parent == ("labels",):
            return f"unknown label (known labels: {', '.join(LabelsTable.model_fields)})"
        known = (
            CollectionFile.model_fields
            if not parent
            else Contributor.model_fields
            if parent[0] == "contributors"
            else BindingTable.model_fields
            if parent[0] == "binding"
            else StoryOverride.model_fields
        )
        return f"unknown key (known keys: {', '.join(sorted(known))})"
    if kind == "missing":
        return "is required"
    value = _lookup(raw, loc)
    got = f" (got {_describe(value)})"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ") + got
    field_name = str(loc[-1]) if loc else ""
    expected = _expected(field_name, loc)
    return f"must be {expected}{got}"


# What a key's value must be, where "text" alone would not help.
_EXPECTED = {"page_size": trim.SIZE_HELP, "bleed": trim.LENGTH_HELP}


def _expected(name: str, loc: tuple[str | int, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "binding":
        return _binding_expected(name)
    if len(loc) == 2 and loc[0] == "labels":
        return "text"
    model = StoryOverride if len(loc) == 3 and loc[0] == "stories" else CollectionFile
    if name == "binding" and len(loc) == 1:
        return "a table ([binding])"
    if len(loc) == 1 and name in _EXPECTED:
        return _EXPECTED[name]
    if isinstance(name, str) and name in model.model_fields:
        annotation = str(model.model_fields[name].annotation)
        if annotation == "<class 'bool'>":
            return "true or false"
        if name in ("stories", "contributors"):
            return f'a table of [{name}."<{"file name" if name == "stories" else "name"}>"] tables'
        if "list" in annotation and "str |" in annotation:
            return "text or a list of text"
        if "list" in annotation:
            return "a list of text"
        if "date" in annotation:
            return "a date or text"
        if annotation == str(bool):
            return "true or false"
        return "text"
    return "text"  # an item of a list


def _binding_expected(name: str) -> str:
    annotation = (
        str(BindingTable.model_fields[name].annotation) if name in BindingTable.model_fields else ""
    )
    if name == "sheets":
        return "a number of sheets, or a list of them such as [4, 4, 3]"
    if "bool" in annotation:
        return "true or false"
    if name == "caliper":
        return "a number of millimetres such as 0.1"
    if "int" in annotation or "float" in annotation:
        return "a number"
    return "text"


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, int | float):
        return f"the number {value}"
    return repr(value)


def _lookup(raw: Mapping[str, Any], loc: tuple[str | int, ...]) -> object:
    value: Any = raw
    for part in loc:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def drop_invalid(raw: Mapping[str, Any], exc: ValidationError) -> dict[str, Any]:
    """The raw table without the top-level keys that failed, to go on checking files."""
    bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    return {k: v for k, v in raw.items() if k not in bad}


def key_name(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", part):
            out += ("." if out else "") + part
        else:
            out += ("." if out else "") + f'"{part}"'
    return out or "collection"


def key_line(text: str, keys: tuple[str, ...]) -> int | None:
    """The line on which a (possibly nested) key is set, found by reading the TOML text."""
    if not text or not keys:
        return None
    lines = text.split("\n")

    def find(pattern: re.Pattern[str], start: int = 0, within_table: bool = False) -> int | None:
        for i in range(start, len(lines)):
            if pattern.match(lines[i]):
                return i
            if within_table and lines[i].lstrip().startswith("["):
                return None  # the next table begins
        return None

    as_table = find(_table_header(keys))
    if as_table is not None:
        return as_table + 1
    *tables, last = keys
    start = 0
    if tables:
        header = find(_table_header(tuple(tables)))
        if header is None:
            return None
        start = header + 1
    found = find(re.compile(r"^\s*" + _toml_key(last) + r"\s*="), start, within_table=True)
    if found is not None:
        return found + 1
    return start or None


def _table_header(keys: tuple[str, ...]) -> re.Pattern[str]:
    path = r"\s*\.\s*".join(_toml_key(k) for k in keys)
    return re.compile(r"^\s*\[\s*" + path + r"\s*\]")


def _toml_key(key: str) -> str:
    quoted = re.escape(key)
    return rf"(?:{quoted}|\"{quoted}\"|'{quoted}')"


def toml_error(exc: tomllib.TOMLDecodeError, label: str) -> Diagnostic:
    message = str(exc)
    match = re.search(r"\(at line (\d+), column \d+\)", message)
    line = int(match.group(1)) if match else None
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
    return error(f"not valid TOML: {message}", label, line)


def label_problems(raw: Mapping[str, Any], text: str, label: str) -> list[Diagnostic]:
    """Placeholders the editor's labels cannot fill (unknown keys and types: the schema)."""
    table = raw.get("labels")
    problems: list[Diagnostic] = []
    if not isinstance(table, Mapping):
        return problems
    for key, value in table.items():
        if key not in labels.entries() or not isinstance(value, str):
            continue
        reason = labels.check_override(key, value)
        if reason is not None:
            line = key_line(text, ("labels", key))
            problems.append(error(f"labels.{key}: {reason}", label, line))
    return problems
