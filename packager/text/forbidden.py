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
* U+E000-U+E004, the private-use characters packager uses for inline markup.

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
_NONCHARACTERS = r"\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_INTERNAL = r"\ue000-\ue004"
FORBIDDEN = re.compile(f"[{_CONTROLS}{_SURROGATES}{_NONCHARACTERS}{_INTERNAL}]")
CONTROLS = re.compile(f"[{_CONTROLS}]")


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


def strip(text: str) -> tuple[str, str]:
    """The text without forbidden characters, and what was removed ('' if nothing)."""
    found = FORBIDDEN.findall(text)
    if not found:
        return text, ""
    return FORBIDDEN.sub("", text), describe(found)


@dataclass(frozen=True)
class Scrubbed:
    """Text without forbidden characters, and a report per line that had some."""

    text: str
    changes: tuple[Change, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


def scrub(text: str, file: str, first_line: int = 1) -> Scrubbed:
    """Remove forbidden characters, reporting each line (counted from first_line) they were on.

    Lines are split on newlines only: the caller has normalised line ends.
    """
    if not FORBIDDEN.search(text):
        return Scrubbed(text)
    changes: list[Change] = []
    diagnostics: list[Diagnostic] = []
    for lineno, line in enumerate(text.split("\n"), start=first_line):
        found = FORBIDDEN.findall(line)
        if found:
            what = describe(found)
            diagnostics.append(warning(f"removed {what}", file, lineno))
            changes.append(Change(file, lineno, "repaired", "characters removed", what))
    return Scrubbed(FORBIDDEN.sub("", text), tuple(changes), tuple(diagnostics))
