"""Characters that XML 1.0 forbids or Unicode reserves: removed wherever text comes in.

XML 1.0 allows ``#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
[#x10000-#x10FFFF]`` (https://www.w3.org/TR/xml/#charsets): lxml refuses a
document with anything else ("PCDATA invalid Char value 65534") and the EPUB
and the PDF cannot carry it. Every way text enters packager (story files
after decoding, Word documents, front matter, collection.toml, file names)
passes through this module, which removes:

* C0 controls other than tab and line ends, DEL and the C1 controls
  (U+0085 is a line break, handled by the decoder);
* lone surrogates (U+D800-U+DFFF), which arrive from CESU-8 byte runs and
  from file names that are not UTF-8 (Python's surrogateescape);
* the 66 noncharacters: U+FDD0-U+FDEF and the last two code points of every
  plane (U+FFFE, U+FFFF, U+1FFFE ... U+10FFFF), "permanently reserved for
  internal use" (Unicode 15, section 23.7) and discouraged by XML 1.0 2.2;
* U+E000-U+E008, the private-use characters packager uses for inline markup,
  note calls and pictures.

Each removal is reported with its line and code points.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from packager.errors import warning
from packager.model import Change, Diagnostic

_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f"
_SURROGATES = r"\ud800-\udfff"
_NONCHARACTERS = r"\ufdd0-\ufdef\ufffe\uffff"  # and U+1FFFE, U+1FFFF ... U+10FFFF
_INTERNAL = r"\ue000-\ue008"
# Above the BMP, every plane's last two code points: a class that names all 32 makes
# the regex engine test each of them at every character (ten times slower on a book),
# so the patterns take the one range U+1FFFE-U+10FFFF and keep its noncharacters only.
_ASTRAL = "\U0001fffe-\U0010ffff"


def _noncharacter(char: str) -> bool:
    return ord(char) < 0x10000 or ord(char) & 0xFFFE == 0xFFFE


class _Forbidden:
    """re.Pattern's search, match, findall and sub for a class of forbidden characters."""

    def __init__(self, ranges: str) -> None:
        self._candidates = re.compile(f"[{ranges}{_ASTRAL}]")

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        for found in self._candidates.finditer(text, pos):
            if _noncharacter(found.group()):
                return found
        return None

    def match(self, text: str) -> re.Match[str] | None:
        found = self._candidates.match(text)
        return found if found is not None and _noncharacter(found.group()) else None

    def findall(self, text: str) -> list[str]:
        return [c for c in self._candidates.findall(text) if _noncharacter(c)]

    def sub(self, replacement: str, text: str) -> str:
        return self._candidates.sub(
            lambda m: replacement if _noncharacter(m.group()) else m.group(), text
        )


FORBIDDEN = _Forbidden(f"{_CONTROLS}{_SURROGATES}{_NONCHARACTERS}{_INTERNAL}")
CONTROLS = re.compile(f"[{_CONTROLS}]")
# What XML and Unicode forbid, without packager's own markers (for text it has made).
UNMARKED = _Forbidden(f"{_CONTROLS}{_SURROGATES}{_NONCHARACTERS}")


def codes(found: Iterable[str]) -> str:
    """'U+0000, U+202E' for the characters given (a string or a list of them)."""
    return ", ".join(f"U+{c:04X}" for c in sorted({ord(c) for c in found}))


def describe(found: Iterable[str]) -> str:
    """What was removed, by kind: 'control characters (U+0000); noncharacters (U+FFFE)'."""
    kinds: dict[str, list[str]] = {}
    for char in found:
        point = ord(char)
        if 0xD800 <= point <= 0xDFFF:
            kind = "lone surrogates"
        elif 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE:
            kind = "noncharacters"
        else:
            kind = "control characters"
        kinds.setdefault(kind, []).append(char)
    order = ("control characters", "noncharacters", "lone surrogates")
    return "; ".join(f"{k} ({codes(kinds[k])})" for k in order if k in kinds)


def strip(text: str, *, references: bool = False, markers: bool = True) -> tuple[str, str]:
    """The text without forbidden characters, and what was removed ('' if nothing).

    With references=True, character references to them (``&#xFFFE;``) go too;
    with markers=False, packager's own markers (U+E000-U+E008) stay.
    """
    pattern = FORBIDDEN if markers else UNMARKED
    found = pattern.findall(text)
    named: list[str] = []
    if references and "&#" in text:
        named = [chr(_value(m)) for m in _REFERENCE.finditer(text) if _forbidden_reference(m)]
        if named:
            text = _REFERENCE.sub(lambda m: "" if _forbidden_reference(m) else m.group(0), text)
    notes = [describe(found)] if found else []
    notes += [f"character references to {describe(named)}"] if named else []
    return (pattern.sub("", text) if found else text), "; ".join(notes)


@dataclass(frozen=True)
class Scrubbed:
    """Text without forbidden characters, and a report per line that had some."""

    text: str
    changes: tuple[Change, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


def scrub(text: str, file: str, first_line: int = 1, *, references: bool = False) -> Scrubbed:
    """Remove forbidden characters, reporting each line (counted from first_line) they were on.

    With references=True (Markdown, HTML), character references that a parser
    would turn into a forbidden character (``&#xFFFE;``, ``&#1;``) go too.
    Lines are split on newlines only: the caller has normalised line ends.
    """
    raw = FORBIDDEN.search(text) is not None
    refs = references and "&#" in text and any(map(_forbidden_reference, _REFERENCE.finditer(text)))
    if not raw and not refs:
        return Scrubbed(text)
    changes: list[Change] = []
    diagnostics: list[Diagnostic] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        lineno = i + first_line
        found = FORBIDDEN.findall(line)
        named = [m for m in _REFERENCE.finditer(line) if _forbidden_reference(m)] if refs else []
        if named:
            line = _REFERENCE.sub(lambda m: "" if _forbidden_reference(m) else m.group(0), line)
        notes = []
        if found:
            notes.append(describe(found))
        if named:
            points = [chr(_value(m)) for m in named]
            notes.append(f"character references to {describe(points)}")
        for what in notes:
            diagnostics.append(warning(f"removed {what}", file, lineno))
            changes.append(Change(file, lineno, "repaired", "characters removed", what))
        lines[i] = FORBIDDEN.sub("", line)
    return Scrubbed("\n".join(lines), tuple(changes), tuple(diagnostics))


# A numeric character reference, as HTML and CommonMark read them.
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
# HTML reads &#x80; to &#x9F; as the windows-1252 characters, but for these five.
_C1_KEPT = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _value(match: re.Match[str]) -> int:
    hexa, decimal = match.groups()
    return int(hexa, 16) if hexa else int(decimal)


def _forbidden_reference(match: re.Match[str]) -> bool:
    """Whether a parser would read this reference as a forbidden character.

    &#0; and references past U+10FFFF become U+FFFD, which is allowed.
    """
    value = _value(match)
    if not 0 < value <= 0x10FFFF:
        return False
    if 0x80 <= value <= 0x9F:
        return value in _C1_KEPT
    return FORBIDDEN.match(chr(value)) is not None
