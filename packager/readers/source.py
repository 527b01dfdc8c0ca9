"""Story file bytes to text: the decoding and hygiene every reader shares."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packager.errors import StoryError, error, warning
from packager.model import Diagnostic

MAX_STORY_BYTES = 50 * 1024 * 1024  # a 10-million-word novel is about 60 MB of text
# C0 controls other than tab and newline, DEL, and C1 controls: XML 1.0 forbids
# most of them and no story means them. Removed with a warning.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Line and paragraph separators become newlines (U+2029 crashes WeasyPrint 70
# inside a wrapped paragraph).
_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n\n", "\u0085": "\n"})


@dataclass(frozen=True)
class SourceText:
    text: str
    diagnostics: tuple[Diagnostic, ...]


def decode(data: bytes, file: str) -> SourceText:
    """Decode a story file (UTF-8, with or without BOM, or UTF-16 with BOM)."""
    if len(data) > MAX_STORY_BYTES:
        raise StoryError([error(f"file is larger than {MAX_STORY_BYTES // 2**20} MiB", file)])
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise StoryError(
            [error(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8", file, line)]
        ) from None
    return clean_text(text, file)


def clean_text(text: str, file: str) -> SourceText:
    """Normalise line ends and separators; drop control characters with a warning."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_SEPARATORS)
    diagnostics: list[Diagnostic] = []
    if _CONTROL.search(text):
        for lineno, line in enumerate(text.split("\n"), start=1):
            found = _CONTROL.findall(line)
            if found:
                codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
                diagnostics.append(warning(f"removed control characters ({codes})", file, lineno))
        text = _CONTROL.sub("", text)
    return SourceText(text, tuple(diagnostics))
