"""collection.toml and command-line settings, validated at the edge.

Every problem (unknown key, wrong type, missing file) is reported in one run,
each with the key and, where it can be found, the line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from packager.book import themes, trim
from packager.book.derived import (
    modified_time,
    slugify,
    source_date_epoch,
    title_from_folder,
)
from packager.book.messages import (
    drop_invalid,
    key_line,
    key_name,
    label_problems,
    scrub_values,
    toml_error,
    validation_problems,
)
from packager.book.schema import CollectionFile
from packager.errors import ConfigError, error, parsing
from packager.model import Diagnostic, Settings, Severity
from packager.paths import display_path, outside
from packager.read.markdown import render_fragment
from packager.text import forbidden, html, hygiene, sanitize
from packager.text.typography import smarten_text, smartener

CONFIG_NAME = "collection.toml"


@dataclass(frozen=True)
class Config:
    """The validated collection: settings for the book, and how to find its stories."""

    source: Path
    file: str  # how to name collection.toml in messages ("" when there is none)
    settings: Settings
    order: tuple[str, ...] | None = None
    overrides: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    override_lines: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()  # warnings about collection.toml itself
    skip_empty_stories: bool = False  # a story without text: left out with a warning
    binding: Mapping[str, object] | None = None  # [binding], its keys' types checked
    binding_lines: Mapping[str, int | None] = field(default_factory=dict)


def load_config(
    source: Path,
    *,
    theme: str | None = None,
    env: Mapping[str, str] | None = None,
    read_file: bool = True,
) -> Config:
    """Read SOURCE/collection.toml (optional) and apply command-line settings.

    With read_file=False, the defaults: what the stories are read with when
    collection.toml has errors, so that theirs are reported in the same run.
    """
    env = os.environ if env is None else env
    path = source / CONFIG_NAME
    label = display_path(path)
    text = ""
    raw: dict[str, Any] = {}
    if read_file and path.is_file():
        if not path.resolve().is_relative_to(source.resolve()):
            # Named by the link itself: display_path would resolve it to its target.
            link = (Path(display_path(source)) / CONFIG_NAME).as_posix()
            raise ConfigError([error("links outside the source folder; refused", link)])
        with parsing("cannot read this TOML file", label, kind=ConfigError):
            try:
                text = path.read_text(encoding="utf-8-sig")
                raw = tomllib.loads(text)
            except UnicodeDecodeError:
                raise ConfigError([error("not UTF-8 text", label)]) from None
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError([toml_error(exc, label)]) from None
    raw, notes = scrub_values(raw, text, label)
    problems: list[Diagnostic] = []
    try:
        parsed = CollectionFile.model_validate(raw)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, raw, text, label))
        parsed = CollectionFile.model_validate(drop_invalid(raw, exc))
    theme_name = theme or parsed.theme or themes.DEFAULT_THEME
    if theme_name not in themes.available():
        known = ", ".join(themes.available())
        key = "--theme" if theme else "theme"
        line = None if theme else key_line(text, ("theme",))
        problems.append(
            error(f"{key}: no theme named '{theme_name}' (known: {known})", label, line)
        )
    else:
        try:  # its theme.toml (parent, fonts, ornament), so that `check` finds its errors too
            themes.load_theme(theme_name)
        except ConfigError as exc:
            problems.extend(exc.problems)
    problems.extend(_missing_files(parsed, source, text, label))
    problems.extend(label_problems(raw, text, label))
    changelog_html, found = _changelog(source, parsed.language)
    problems.extend(d for d in found if d.severity is Severity.ERROR)
    notes.extend(d for d in found if d.severity is not Severity.ERROR)
    try:
        source_date_epoch(env)
    except ConfigError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    settings = dataclasses.replace(
        _settings(parsed, source, theme_name, env, label), changelog_html=changelog_html
    )
    overrides = {
        name: {k: _plain(v) for k, v in o.model_dump(exclude_none=True).items()}
        for name, o in parsed.stories.items()
    }
    lines = {
        name: {k: key_line(text, ("stories", name, k)) or 0 for k in fields}
        for name, fields in overrides.items()
    }
    order = tuple(parsed.order) if parsed.order is not None else None
    binding = parsed.binding.model_dump(exclude_unset=True) if parsed.binding else None
    binding_lines = {k: key_line(text, ("binding", k)) for k in binding or {}}
    if binding is not None:
        binding_lines[""] = key_line(text, ("binding",))
    file = label if text else ""
    return Config(
        source,
        file,
        settings,
        order,
        overrides,
        lines,
        diagnostics=tuple(notes),
        skip_empty_stories=parsed.skip_empty_stories,
        binding=binding,
        binding_lines=binding_lines,
    )


def _settings(
    parsed: CollectionFile, source: Path, theme: str, env: Mapping[str, str], label: str
) -> Settings:
    title = hygiene.label(parsed.title or "")[0] or title_from_folder(source)
    editors = [parsed.authors] if isinstance(parsed.authors, str) else parsed.authors
    date = str(parsed.date) if parsed.date is not None else ""
    identifier = parsed.identifier.strip() or (
        "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "packager:" + title))
    )
    lang = parsed.language  # the book's own text is set in the book's language

    def smart(text: str) -> str:
        return smarten_text(text, lang)

    bios = []
    for name, contributor in parsed.contributors.items():
        shown = smart(hygiene.label(name)[0])
        bio = _markdown(contributor.bio, f'contributors."{name}".bio', label, lang)
        if shown and bio:
            bios.append((shown, bio))
    return Settings(
        title=smart(title),
        subtitle=smart(hygiene.label(parsed.subtitle)[0]),
        editors=tuple(smart(e) for e in (hygiene.label(e)[0] for e in editors) if e),
        language=parsed.language,
        date=date,
        modified=modified_time(env, date),
        description=parsed.description.strip(),
        publisher=parsed.publisher.strip(),
        rights=parsed.rights.strip(),
        identifier=identifier,
        disclaimer_html=_markdown(parsed.disclaimer or "", "disclaimer", label, lang),
        theme=theme,
        extra_css=tuple(source / c for c in parsed.css),
        cover=source / parsed.cover if parsed.cover else None,
        generate_cover=parsed.cover is not False,
        page_size=parsed.page_size,
        slug=slugify(title),
        edition=smart(hygiene.label(parsed.edition)[0]),
        version=parsed.version,
        dedication_html=_markdown(parsed.dedication, "dedication", label, lang),
        bios=tuple(bios),
        pdf=parsed.pdf,
        bleed=trim.parse_length(parsed.bleed) if parsed.bleed.strip() else 0.0,
        crop_marks=parsed.crop_marks,
        embed_fonts=parsed.embed_fonts,
        notes=parsed.notes or "",
        scene_break=source / parsed.scene_break if parsed.scene_break else None,
        labels=tuple(sorted(_labels(parsed).items())),
    )


def _labels(parsed: CollectionFile) -> dict[str, str]:
    """[labels] as given: the editor's words are theirs (no typography applied)."""
    table = cast(BaseModel, parsed.labels)  # a model made from the label keys (schema.py)
    return {k: str(v) for k, v in table.model_dump(exclude_none=True).items()}


# A CHANGELOG.md beside the stories becomes the book's "What's New" page.
CHANGELOG = "CHANGELOG.md"
MAX_CHANGELOG = 1024 * 1024


def _changelog(source: Path, lang: str = "en") -> tuple[str, list[Diagnostic]]:
    """SOURCE/CHANGELOG.md as a fragment with its headings a level down ("" if none)."""
    path = source / CHANGELOG
    if not path.is_file():
        return "", []
    label = (Path(display_path(source)) / CHANGELOG).as_posix()
    if not path.resolve().is_relative_to(source.resolve()):
        return "", [error("links outside the source folder; refused", label)]
    if path.stat().st_size > MAX_CHANGELOG:
        return "", [error(f"larger than {MAX_CHANGELOG // 1024} KiB", label)]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return "", [error("not UTF-8 text", label)]
    scrubbed = forbidden.scrub(text.replace("\r\n", "\n").replace("\r", "\n"), label)
    try:
        fragment = _markdown(scrubbed.text, "CHANGELOG.md", label, lang)
    except ConfigError as exc:
        return "", list(exc.problems)
    # The page's own title is the <h1>: the changelog's headings go one level down.
    fragment = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", fragment)
    return fragment, list(scrubbed.diagnostics)


_HEADING = re.compile(r"<(/?)h([1-6])\b")


def _markdown(text: str, key: str, label: str, lang: str = "en") -> str:
    """A Markdown value of collection.toml as a sanitized, typeset fragment ("" if blank)."""
    if not text.strip():
        return ""
    try:
        rendered, _ = render_fragment(text, label)
    except sanitize.TooDeep as exc:
        raise ConfigError([error(f"{key}: {exc}", label)]) from None
    return html.map_text(rendered, smartener(lang))


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _missing_files(parsed: CollectionFile, source: Path, text: str, label: str) -> list[Diagnostic]:
    problems: list[Diagnostic] = []

    def check(loc: tuple[str | int, ...], name: str, what: str) -> None:
        target = source / name
        key = key_name(loc)
        line = key_line(text, tuple(str(p) for p in loc if isinstance(p, str)))
        reason = outside(target, source)
        if reason is not None:
            problems.append(error(f"{key}: '{name}' {reason}; refused", label, line))
        elif not target.is_file():
            problems.append(
                error(f"{key}: no {what} '{name}' in {display_path(source)}", label, line)
            )

    if parsed.cover:
        check(("cover",), parsed.cover, "cover image")
    if parsed.scene_break:  # one outside the folder is refused with a warning (ornament.py)
        ornament = source / parsed.scene_break
        if outside(ornament, source) is None and not ornament.is_file():
            line = key_line(text, ("scene_break",))
            where = display_path(source)
            message = f"scene_break: no SVG file '{parsed.scene_break}' in {where}"
            problems.append(error(message, label, line))
    for i, css in enumerate(parsed.css):
        check(("css", i), css, "CSS file")
    for i, name in enumerate(parsed.order or []):
        check(("order", i), name, "story file")
    for name in parsed.stories:
        # "works.epub#2": the second work of an EPUB split into stories (split = true)
        base, mark, part = name.rpartition("#")
        work = mark and part.isdigit() and base.lower().endswith(".epub")
        check(("stories", name), base if work else name, "story file")
    return problems
