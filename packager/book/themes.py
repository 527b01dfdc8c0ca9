"""Themes: the only module that knows where styles/, templates and fonts live.

A theme is a folder in styles/ with a ``theme.toml`` (description, fonts,
ornament, parent), ``book.css`` (shared by EPUB and PDF), ``print.css`` (PDF
only) and optionally a ``templates/`` folder whose files replace the built-in
templates of the same name. styles/base holds the structure all themes share;
it comes first in the cascade. Templates are looked up in SOURCE/templates,
then the theme (and its parents), then packager's own.

A theme may name a parent (``extends = "classic"``): every file the child's
folder lacks (book.css, print.css, a template, the ornament) comes from the
parent, and so do the fonts when the child lists none. A child overrides one
file without copying the rest.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from packager.errors import ConfigError, error

DEFAULT_THEME = "classic"
_PACKAGE = Path(__file__).resolve().parent.parent  # packager/
BUILTIN_TEMPLATES = _PACKAGE / "book" / "templates"
MANIFEST = "theme.toml"
_KEYS = frozenset({"description", "extends", "fonts", "ornament", "cover", "fallback", "notes"})
_FALLBACKS = ("serif", "sans")  # packager/book/fallbacks.toml gives a file for each
# Where notes go: the foot of the page (pop-ups in the EPUB), or the story's end.
NOTES = ("footnotes", "endnotes")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def styles_folder() -> Path:
    """styles/ inside an installed wheel, or at the top of a source checkout."""
    for candidate in (_PACKAGE / "styles", _PACKAGE.parent / "styles"):
        if candidate.is_dir():
            return candidate
    raise ConfigError([error("packager's styles/ folder is missing from the installation")])


@dataclass(frozen=True)
class Font:
    """A font file a theme embeds in the PDF, with the face it provides."""

    family: str
    path: Path
    weight: int = 400
    style: str = "normal"


@dataclass(frozen=True)
class CoverLook:
    """theme.toml's [cover]: the faces and colours of the cover packager draws."""

    title_font: Path
    text_font: Path
    background: str = "#1f2a36"
    foreground: str = "#f4efe6"
    accent: str = "#c9a45c"
    in_pdf: bool = False  # also the PDF's first page (a screen PDF always has it)


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    folders: tuple[Path, ...]  # the theme's own folder, then its parent's, and so on
    fonts: tuple[Font, ...]
    ornament: Path | None = None  # an SVG drawn for scene breaks, instead of the CSS's own
    cover: CoverLook | None = None  # how a generated cover looks (theme.toml [cover])
    fallback: str = "serif"  # the style of the script fallbacks that draw what fonts lack
    notes: str = NOTES[0]  # theme.toml notes: "footnotes" or "endnotes"

    @property
    def folder(self) -> Path:
        return self.folders[0]

    @property
    def book_css(self) -> Path:
        return self.find("book.css")

    @property
    def print_css(self) -> Path:
        return self.find("print.css")

    @property
    def templates(self) -> tuple[Path, ...]:
        """The template folders of the theme and its parents, the child's first."""
        return tuple(f / "templates" for f in self.folders if (f / "templates").is_dir())

    def find(self, name: str) -> Path:
        """A file of the theme: the child's own, else the nearest parent's."""
        for folder in self.folders:
            if (folder / name).is_file():
                return folder / name
        return self.folder / name  # missing everywhere: reading it reports the child's path


def base_css() -> tuple[Path, Path]:
    """The structure every theme shares: (book.css, print.css) of styles/base."""
    base = styles_folder() / "base"
    return base / "book.css", base / "print.css"


def available() -> list[str]:
    return sorted(p.parent.name for p in styles_folder().glob(f"*/{MANIFEST}"))


def describe() -> list[tuple[str, str]]:
    """Every theme with its one-line description, for ``packager themes``."""
    return [(name, load_theme(name).description) for name in available()]


@cache
def load_theme(name: str) -> Theme:
    return _load(name, ())


def _load(name: str, children: tuple[str, ...]) -> Theme:
    folder = styles_folder() / name
    manifest = folder / MANIFEST
    if not manifest.is_file():
        known = ", ".join(available())
        if children:
            label = str(styles_folder() / children[-1] / MANIFEST)
            raise ConfigError([error(f"extends: no theme named '{name}' (known: {known})", label)])
        raise ConfigError([error(f"no theme named '{name}' (known: {known})")])
    label = str(manifest)
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([error(f"theme.toml is not valid: {exc}", label)]) from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        known_keys = ", ".join(sorted(_KEYS))
        message = f"unknown key '{unknown[0]}' (known keys: {known_keys})"
        raise ConfigError([error(f"theme.toml is not valid: {message}", label)])
    parent: Theme | None = None
    extends = data.get("extends")
    if extends is not None:
        if not isinstance(extends, str) or not extends:
            raise ConfigError([error("extends: must be the name of a theme", label)])
        if extends == name or extends in children:
            chain = " -> ".join((*children, name, extends))
            raise ConfigError([error(f"extends: themes extend each other ({chain})", label)])
        parent = _load(extends, (*children, name))
    try:
        fonts = tuple(
            Font(
                family=str(entry["family"]),
                path=_font_file(str(entry["file"]), label),
                weight=int(entry.get("weight", 400)),
                style=str(entry.get("style", "normal")),
            )
            for entry in data.get("fonts", [])
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError([error(f"theme.toml is not valid: {exc!r}", label)]) from None
    folders = (folder, *(parent.folders if parent else ()))
    if not fonts and parent is not None:
        fonts = parent.fonts
    description = str(data.get("description", "") or (parent.description if parent else ""))
    ornament = parent.ornament if parent else None
    if "ornament" in data:
        ornament = _ornament(str(data["ornament"]), folders, label)
    look = parent.cover if parent else None
    if "cover" in data:
        look = _cover(data["cover"], label)
    elif look is None and fonts:
        look = CoverLook(fonts[0].path, fonts[0].path)
    fallback = data.get("fallback", parent.fallback if parent else "serif")
    if fallback not in _FALLBACKS:
        raise ConfigError([error("fallback: must be 'serif' or 'sans'", label)])
    notes = data.get("notes", parent.notes if parent else NOTES[0])
    if notes not in NOTES:
        shown = " or ".join(f'"{n}"' for n in NOTES)
        raise ConfigError([error(f"notes: must be {shown} (got {notes!r})", label)])
    return Theme(name, description, folders, fonts, ornament, look, fallback, notes)


def _cover(table: object, label: str) -> CoverLook:
    if not isinstance(table, dict):
        raise ConfigError([error("cover: must be a table ([cover])", label)])
    known = {"title_font", "text_font", "background", "foreground", "accent", "in_pdf"}
    unknown = sorted(set(table) - known)
    if unknown:
        keys = ", ".join(sorted(known))
        raise ConfigError([error(f"cover: unknown key '{unknown[0]}' (known keys: {keys})", label)])
    colours = {}
    for key in ("background", "foreground", "accent"):
        if key in table:
            value = table[key]
            if not isinstance(value, str) or not _COLOUR.fullmatch(value):
                raise ConfigError([error(f"cover.{key}: must be a colour like '#1f2a36'", label)])
            colours[key] = value
    try:
        title_font = _font_file(str(table["title_font"]), label)
        text_font = _font_file(str(table.get("text_font", table["title_font"])), label)
    except KeyError:
        raise ConfigError([error("cover: title_font is required", label)]) from None
    in_pdf = table.get("in_pdf", False)
    if not isinstance(in_pdf, bool):
        raise ConfigError([error("cover.in_pdf: must be true or false", label)])
    return CoverLook(title_font, text_font, in_pdf=in_pdf, **colours)


def _ornament(name: str, folders: tuple[Path, ...], label: str) -> Path:
    """The theme's scene-break ornament: an SVG file in the theme's folder (or a parent's)."""
    for folder in folders:
        path = folder / name
        if path.is_file() and path.resolve().is_relative_to(folder.resolve()):
            if path.suffix.lower() != ".svg":
                raise ConfigError([error(f"ornament: '{name}' must be an SVG file", label)])
            return path
    raise ConfigError([error(f"ornament: no file '{name}' in the theme's folder", label)])


def template_dirs(theme: Theme, source: Path) -> list[Path]:
    """Where templates are looked up, first match wins.

    SOURCE/templates must lie inside SOURCE: a link to a folder elsewhere is
    refused, as links from story files are (packager.render refuses single
    template files that link out).
    """
    own = source / "templates"
    if own.is_dir() and not own.resolve().is_relative_to(source.resolve()):
        where = f"{source.as_posix().rstrip('/')}/templates"
        raise ConfigError([error("links outside the source folder; refused", where)])
    found = [own, *theme.templates, BUILTIN_TEMPLATES]
    return [d for d in found if d.is_dir()]


def _font_file(spec: str, label: str) -> Path:
    """'package:path/in/package' -> the font file shipped by that Python package."""
    package, _, inner = spec.partition(":")
    try:
        path = Path(str(resources.files(package).joinpath(inner)))
    except ModuleNotFoundError:
        raise ConfigError([error(f"font package '{package}' is not installed", label)]) from None
    if not path.is_file():
        raise ConfigError([error(f"font file '{inner}' not in package '{package}'", label)])
    return path
