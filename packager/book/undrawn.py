"""The characters no font can draw, as errors naming the file and line that hold them.

packager.book.fallbacks finds them in the rendered book; here each is traced
back to what the editor wrote: the story file (its first line holding the
character), else collection.toml, else packager's own words for the book's
language. The message says what would draw it: the CJK fonts
(``pip install 'anthology-packager[cjk]'``), or nothing packager knows of.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from packager.errors import error
from packager.model import Book, Collection, Diagnostic, Story, Undrawn
from packager.paths import display_path
from packager.text.cmaps import describe

_SHOWN = 8  # characters named in one message; the rest are counted


def problems(book: Book, collection: Collection, config_file: str = "") -> list[Diagnostic]:
    """One error per file that holds characters no font can draw (all files at once)."""
    if not book.undrawn:
        return []
    stories = {p.id: p.story for p in collection.stories}
    found: dict[str, dict[int, list[Undrawn]]] = {}  # file -> line -> characters
    at: dict[str, int] = {}  # where each character is first typed, to name them in order
    for char in book.undrawn:
        file, line, at[char.char] = _locate(char, stories, config_file)
        found.setdefault(file, {}).setdefault(line, []).append(char)
    for lines in found.values():
        for chars in lines.values():
            chars.sort(key=lambda c: at[c.char])
    return [_message(file, lines) for file, lines in found.items()]


def _locate(char: Undrawn, stories: Mapping[str, Story], config_file: str) -> tuple[str, int, int]:
    """The file, line (0: unknown) and offset where the editor typed ``char``."""
    for part in char.parts:
        story = stories.get(part)
        if story is not None:
            line, offset = _line_of(char.char, _read(story.path, story.encoding))
            if not line:  # not as typed (a Word file, an entity): the chapter that holds it
                line = next((c.line for c in story.chapters if char.char in c.html), 1)
            return display_path(story.path), line, offset
    if config_file:
        line, offset = _line_of(char.char, _read(Path(config_file), "utf-8"))
        if line:
            return config_file, line, offset
    return "", 0, 0


def _read(path: Path, encoding: str) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    try:
        return data.decode(encoding, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def _line_of(char: str, text: str) -> tuple[int, int]:
    """The line (0: not there) and offset of ``char``'s first occurrence in ``text``."""
    at = text.find(char)
    return (0, 0) if at < 0 else (text.count("\n", 0, at) + 1, at)


def _message(file: str, lines: dict[int, list[Undrawn]]) -> Diagnostic:
    first = min(lines) if any(lines) else 0
    chars = [c for line in sorted(lines) for c in lines[line]]
    named = ", ".join(describe(c.char) for c in chars[:_SHOWN])
    if len(chars) > _SHOWN:
        named += f" and {len(chars) - _SHOWN} more"
    where = sorted(n for n in lines if n)
    also = f" (on lines {', '.join(map(str, where))})" if len(where) > 1 else ""
    if not file:
        also = " (in packager's own words for the book's language)"
    return error(f"no font can draw {named}{also}: {_advice(chars)}", file, first or None)


def _advice(chars: Sequence[Undrawn]) -> str:
    installs = sorted({c.install for c in chars if c.install})
    advice = [f"install the fonts for them: pip install '{i}'" for i in installs]
    if any(not c.install for c in chars):
        advice.append(
            "for the others no font packager knows has a glyph (the theme's faces and "
            "packager's Noto faces): replace them, or give the theme a font that has them "
            "(theme.toml [[fonts]])"
            if installs
            else "no font packager knows has a glyph for them (the theme's faces and "
            "packager's Noto faces): replace them, or give the theme a font that has them "
            "(theme.toml [[fonts]])"
        )
    return "; ".join(advice)
