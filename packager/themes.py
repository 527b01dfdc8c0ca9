"""Themes: the only module that knows where styles/, templates and fonts live.

A theme is a folder in styles/ with a ``theme.toml`` (description, fonts),
``book.css`` (shared by EPUB and PDF), ``print.css`` (PDF only) and optionally
a ``templates/`` folder whose files replace the built-in templates of the
same name. styles/base holds the structure all themes share; it comes first
in the cascade. Templates are looked up in SOURCE/templates, then the theme, then
packager's own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from packager.errors import ConfigError, error

DEFAULT_THEME = "classic"
_PACKAGE = Path(__file__).resolve().parent
BUILTIN_TEMPLATES = _PACKAGE / "templates"


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
class Theme:
    name: str
    description: str
    folder: Path
    fonts: tuple[Font, ...]

    @property
    def book_css(self) -> Path:
        return self.folder / "book.css"

    @property
    def print_css(self) -> Path:
        return self.folder / "print.css"

    @property
    def templates(self) -> Path:
        return self.folder / "templates"


def base_css() -> tuple[Path, Path]:
    """The structure every theme shares: (book.css, print.css) of styles/base."""
    base = styles_folder() / "base"
    return base / "book.css", base / "print.css"


def available() -> list[str]:
    return sorted(p.parent.name for p in styles_folder().glob("*/theme.toml"))


@cache
def load_theme(name: str) -> Theme:
    folder = styles_folder() / name
    manifest = folder / "theme.toml"
    if not manifest.is_file():
        known = ", ".join(available())
        raise ConfigError([error(f"no theme named '{name}' (known: {known})")])
    label = str(manifest)
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        fonts = tuple(
            Font(
                family=str(entry["family"]),
                path=_font_file(str(entry["file"]), label),
                weight=int(entry.get("weight", 400)),
                style=str(entry.get("style", "normal")),
            )
            for entry in data.get("fonts", [])
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError([error(f"theme.toml is not valid: {exc}", label)]) from None
    return Theme(name, str(data.get("description", "")), folder, fonts)


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
    return [d for d in (own, theme.templates, BUILTIN_TEMPLATES) if d.is_dir()]


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
