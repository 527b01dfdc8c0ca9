"""A story with no text: an empty file, white space only, or nothing after its front matter.

Such a file would become a chapter titled after its name with nothing in
it. It is an error naming the file, or, with ``skip_empty_stories = true``
in collection.toml, left out of the book with a warning.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from packager.errors import StoryError, error, warning
from packager.model import Chapter, Diagnostic
from packager.text import html

# Characters that show nothing: the format characters (Cf: ZERO WIDTH SPACE,
# joiners, bidi controls, BOM), separators and the Hangul fillers, which
# Unicode gives the category of letters but fonts draw as nothing.
_BLANK_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
HINT = "remove it, or set skip_empty_stories = true in collection.toml to leave such files out"


class EmptyStory(StoryError):
    """A story file with no text; skipped with a warning when the collection says so."""

    def __init__(self, why: str, file: str) -> None:
        self.why, self.file = why, file
        super().__init__([error(f"no story: {why}; {HINT}", file)])

    def skipped(self) -> Diagnostic:
        """The warning for a file left out with skip_empty_stories = true."""
        return warning(f"no story: {self.why}; left out (skip_empty_stories = true)", self.file)


def visible(text: str) -> bool:
    """Whether the text has a character that shows on the page."""
    return any(unicodedata.category(c) not in _BLANK_CATEGORIES and c not in _FILLERS for c in text)


def has_text(chapters: Iterable[Chapter]) -> bool:
    """Whether any chapter shows something: a visible character or a picture."""
    return any("<img" in c.html or visible(html.text_of(c.html)) for c in chapters)


def refuse(data: bytes, text: str, file: str) -> EmptyStory:
    """The error for a story without text, saying what the file held instead."""
    if not data:
        why = "the file is empty (0 bytes)"
    elif text and not visible(text):
        kinds = sorted({_name(c) for c in text if not c.isascii() or not c.isspace()})
        shown = f" ({', '.join(kinds[:6])})" if kinds else ""
        why = f"the file holds only white space{shown}"
    else:
        why = "the file has no story text (only front matter, a title or markup)"
    return EmptyStory(why, file)


def _name(char: str) -> str:
    return unicodedata.name(char, f"U+{ord(char):04X}")
