"""Themes: the only module that knows where styles/, templates and fonts live.

A theme is a folder in styles/ with a ``theme.toml`` (description, fonts),
``book.css`` (shared by EPUB and PDF), ``print.css`` (PDF only) and optionally
a ``templates/`` folder whose files replace the built-in templates of the
same name. Templates are looked up in SOURCE/templates, then the theme, then
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
class Theme:
    name: str
    description: str
    folder: Path
    book_css: Path
    print_css: Path
    fonts: tuple[Path, ...]

    @property
    def templates(self) -> Path:
        return self.folder / "templates"


def available() -> list[str]:
    return sorted(p.parent.name for p in styles_folder().glob("*/theme.toml"))


@cache
def load_theme(name: str) -> Theme:
    folder = styles_folder() / name
    manifest = folder / "theme.toml"
    if not manifest.is_file():
        known = ", ".join(available())
        raise ConfigError([error(f"no theme named '{name}' (known: {known})")])
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    return Theme(
        name=name,
        description=str(data.get("description", "")),
        folder=folder,
        book_css=folder / "book.css",
        print_css=folder / "print.css",
        fonts=tuple(_font_file(spec) for spec in data.get("fonts", [])),
    )


def template_dirs(theme: Theme, source: Path) -> list[Path]:
    """Where templates are looked up, first match wins."""
    return [d for d in (source / "templates", theme.templates, BUILTIN_TEMPLATES) if d.is_dir()]


def _font_file(spec: str) -> Path:
    """'package:path/in/package' -> the font file shipped by that Python package."""
    package, _, inner = spec.partition(":")
    try:
        path = Path(str(resources.files(package).joinpath(inner)))
    except ModuleNotFoundError:
        raise ConfigError([error(f"font package '{package}' is not installed")]) from None
    if not path.is_file():
        raise ConfigError([error(f"font file '{inner}' not found in package '{package}'")])
    return path
