"""Every character drawn: the Noto faces the PDF needs where the theme's faces fall short.

The theme's faces draw what they have; each other character of the book (its
stories and its own pages, in the language each is in) is drawn by the first
face of fallbacks.toml that has it, the faces preferred for that language
first. Only the faces the book needs go into it, as @font-face rules in
css/fallbacks.css (the PDF's only: reading systems have their own fonts) and
their files; the PDF renderer puts their families after the theme's own in
every font stack (packager.pdf.stacks). A character no face has, installed or
not, is an ``Undrawn``: the build refuses it before anything is laid out
(packager.book.undrawn names its file and line), rather than print a blank.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol, TypeVar

import lxml.html

from packager.model import Book, Fallback, Resource, Undrawn
from packager.text.cmaps import characters, needs_glyph

DATA = Path(__file__).with_name("fallbacks.toml")
CSS_HREF = "css/fallbacks.css"
STYLES = ("serif", "sans")
_SKIPPED = frozenset({"head", "title", "style", "script"})


@dataclass(frozen=True)
class Face:
    """One entry of fallbacks.toml, in one style (serif or sans)."""

    script: str
    files: tuple[Path, ...]  # the upright face first; () when not installed
    languages: tuple[str, ...]
    install: str
    ranges: tuple[tuple[int, int], ...]

    @property
    def family(self) -> str:
        # Not the font's own name: a system font of that name must never stand in for it.
        return f"{self.files[0].stem.split('[')[0].split('-')[0]} (packager)" if self.files else ""

    def covers(self) -> frozenset[int]:
        return characters(self.files[0]) if self.files else frozenset()

    def meant_for(self, code: int) -> bool:
        return any(low <= code <= high for low, high in self.ranges)


@cache
def faces(style: str) -> tuple[Face, ...]:
    """The fallback faces of one style, in fallbacks.toml's order."""
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    found = []
    for entry in data["face"]:
        files = [_installed(spec) for spec in entry[style]]
        ranges = tuple(
            (int(low, 16), int(high, 16)) for low, high in (r.split("-") for r in entry["ranges"])
        )
        found.append(
            Face(
                script=entry["script"],
                files=tuple(f for f in files if f is not None) if files[0] else (),
                languages=tuple(entry.get("languages", ())),
                install=entry["install"],
                ranges=ranges,
            )
        )
    return tuple(found)


def _installed(spec: str) -> Path | None:
    """'package:path/in/package' -> the file, or None when the package is not installed."""
    package, _, inner = spec.partition(":")
    try:
        path = Path(str(resources.files(package).joinpath(inner)))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


class _ForLanguages(Protocol):
    @property
    def languages(self) -> tuple[str, ...]: ...


_F = TypeVar("_F", bound=_ForLanguages)


def ordered(found: Sequence[_F], language: str) -> list[_F]:
    """The faces for text in ``language``: those meant for it first (the closest tag first)."""

    def closeness(face: _F) -> int:
        tag = language.casefold()
        return max(
            (len(t) for t in face.languages if _within(tag, t.casefold())),
            default=0,
        )

    return sorted(found, key=lambda face: -closeness(face))  # sorted() is stable


def meant_for(face: _F, language: str) -> bool:
    """Whether ``face`` is there for text in ``language`` (one of its tags, or narrower)."""
    tag = language.casefold()
    return any(_within(tag, t.casefold()) for t in face.languages)


def _within(tag: str, prefix: str) -> bool:
    """Whether BCP 47 ``tag`` is ``prefix`` or a narrower tag of it ('zh-hant-tw', 'zh-hant')."""
    return tag == prefix or tag.startswith(prefix + "-")


def apply(book: Book, theme_fonts: Sequence[Path], style: str) -> Book:
    """The book with the fallback faces its PDF needs, and what none of them can draw."""
    chosen: set[str] = set()
    undrawn: dict[str, list[str]] = {}  # character -> the parts that hold it
    own: frozenset[int] = frozenset().union(*(characters(p) for p in theme_fonts))
    for part_id, language, text in _texts(book, own):
        lacking = {c for c in set(text) if ord(c) not in own and needs_glyph(c)}
        candidates = [(f, f.covers()) for f in ordered(faces(style), language)]
        for char in sorted(lacking):
            face = next((f for f, has in candidates if ord(char) in has), None)
            if face is None:
                where = undrawn.setdefault(char, [])
                if part_id not in where:
                    where.append(part_id)
            else:
                chosen.add(face.script)
    used = [f for f in faces(style) if f.script in chosen]
    css = "".join(_font_face(face, path) for face in used for path in face.files)
    fonts = [
        Resource(f"fonts/{p.name}", _media_type(p), p.read_bytes(), in_epub=False)
        for face in used
        for p in face.files
    ]
    kept = [r for r in book.resources if r.href != CSS_HREF]
    return dataclasses.replace(
        book,
        resources=(*kept, Resource(CSS_HREF, "text/css", css.encode(), in_epub=False), *fonts),
        fallbacks=tuple(Fallback(f.family, f.languages) for f in used),
        undrawn=tuple(
            Undrawn(char, tuple(parts), _install(ord(char), style))
            for char, parts in sorted(undrawn.items())
        ),
    )


def _install(code: int, style: str) -> str:
    """What to install to draw ``code``: a face meant for it that is not installed."""
    return next((f.install for f in faces(style) if not f.files and f.meant_for(code)), "")


def _font_face(face: Face, path: Path) -> str:
    italic = "italic" if "Italic" in path.name else "normal"
    # A variable face gives every weight (WeasyPrint makes the instance it draws).
    weight = " font-weight: 700;" if "Bold" in path.name else ""
    return (
        f'@font-face {{ font-family: "{face.family}"; font-style: {italic};{weight} '
        f"src: url(../fonts/{path.name}); }}\n"
    )


def _media_type(path: Path) -> str:
    return "font/otf" if path.suffix.lower() == ".otf" else "font/ttf"


def _texts(book: Book, own: frozenset[int]) -> Iterator[tuple[str, str, str]]:
    """(part id, language, text) for the text each PDF part draws, by language.

    A part whose markup holds no character the theme's faces lack is not
    parsed: in a book in the theme's scripts, none is.
    """
    for part in book.parts:
        if not part.in_pdf:
            continue
        if all(ord(c) in own or not needs_glyph(c) for c in set(part.print_html)):
            continue
        root = lxml.html.document_fromstring(part.print_html.encode())
        found: dict[str, list[str]] = {}
        stack = [(root, root.get("lang") or book.settings.language)]
        while stack:  # depth first, without recursion: nesting is the story's to choose
            el, language = stack.pop()
            if isinstance(el.tag, str) and el.tag not in _SKIPPED:
                language = el.get("lang") or language
                found.setdefault(language, []).append(el.text or "")
                stack.extend((child, language) for child in reversed(el))
            parent = el.getparent()
            if el.tail and parent is not None:
                found.setdefault(_language_of(parent, book), []).append(el.tail)
        for language, texts in found.items():
            yield part.id, language, "".join(texts)


def _language_of(el: lxml.html.HtmlElement, book: Book) -> str:
    for each in (el, *el.iterancestors()):
        if each.get("lang"):
            return str(each.get("lang"))
    return book.settings.language
