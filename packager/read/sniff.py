"""What a file is by its content, before a reader sees it: a picture renamed .txt is refused.

A story's extension chooses its reader, but files get renamed by mistake and
programs save what they like under any name. Decoded as windows-1252, the
bytes of a PNG become a chapter of symbols; so each file is looked at first:
its first bytes against known signatures (signatures.toml), a Word file's zip
for what it holds, and decoded text for its share of control characters.
"""

from __future__ import annotations

import io
import tomllib
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from packager.errors import StoryError, error
from packager.text import forbidden

# Text with more control characters than this is binary data, whatever its name.
# Real text has none (the odd one pasted is removed with a warning); bytes
# read as windows-1252 or latin-1 make one character in four or five a control.
MAX_CONTROL_SHARE = 0.10
_MIN_CONTROLS = 16  # a few pasted controls in a short file are still a story
_ZIP = b"PK\x03\x04"
_HEAD = 64  # bytes looked at for the NUL bytes that tell "BM..." and "MZ..." from text


@dataclass(frozen=True)
class Signature:
    looks_like: str
    magic: bytes
    offset: int = 0
    binary: bool = False  # two letters could start a text: needs NUL bytes as well


@cache
def signatures() -> tuple[Signature, ...]:
    data = tomllib.loads((Path(__file__).parent / "signatures.toml").read_text(encoding="utf-8"))
    return tuple(
        Signature(s["looks_like"], bytes.fromhex(s["hex"]), s.get("offset", 0), s.get("binary", 0))
        for s in data["signature"]
    )


def looks_like(data: bytes) -> str | None:
    """What the bytes are by their signature ('a PNG image'), or None if none matches."""
    for sig in signatures():
        if data[sig.offset : sig.offset + len(sig.magic)] != sig.magic:
            continue
        if sig.binary and b"\0" not in data[:_HEAD]:
            continue
        if sig.magic.startswith(b"PK"):
            return _zip_kind(data) or sig.looks_like
        return sig.looks_like
    return None


def _zip_kind(data: bytes) -> str | None:
    """A zip by what it holds: a Word document, an EPUB, an OpenDocument text."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(64)
    except Exception:  # a damaged zip is still "a ZIP archive": the caller says that
        return None
    if "word/document.xml" in names:
        return "a Word document"
    if mimetype.startswith(b"application/epub+zip"):
        return "an EPUB book"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        return "an OpenDocument text (.odt)"
    return None


# Formats that are zip archives, and what their content must look like.
ARCHIVES = {".docx": ("a Word document", "a Word document"), ".epub": ("an EPUB book", "an EPUB")}
_HINTS = {
    "an old Word .doc (or Excel .xls) file": "; open it in Word and save it as .docx",
    "an OpenDocument text (.odt)": "; save it as .docx",
}
_RENAME = {"a Word document": ".docx", "an EPUB book": ".epub"}


def refuse_binary(data: bytes, suffix: str, file: str) -> None:
    """Raise StoryError if the bytes are not what a file named *suffix* must hold."""
    kind = looks_like(data)
    if suffix in ARCHIVES:
        expected, name = ARCHIVES[suffix]
        if kind == expected or (data.startswith(_ZIP) and not _opens(data)):
            return  # a damaged zip: its reader says what is damaged (truncated, CRC...)
        if not data:
            raise StoryError([error(f"the file is empty, not {name}", file)])
        found = kind or ("text" if _textual(data[:4096]) else "data of no known kind")
        hint = _HINTS.get(found, "")
        raise StoryError([error(f"not {name}: it looks like {found}{hint}", file)])
    if kind is not None:
        hint = f"; rename it {_RENAME[kind]}" if kind in _RENAME else ""
        raise StoryError([error(f"not a text file: it looks like {kind}{hint}", file)])


def _opens(data: bytes) -> bool:
    """Whether zipfile can read the archive's directory at all."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)):
            return True
    except Exception:  # BadZipFile, EOFError, ValueError...: damaged or truncated
        return False


def _textual(head: bytes) -> bool:
    """Whether the first bytes read as text (a letter cut at the end does not count)."""
    text = head.decode("utf-8", "ignore")
    return b"\0" not in head and not forbidden.CONTROLS.search(text)


def refuse_control_heavy(text: str, file: str) -> None:
    """Raise StoryError if decoded text is mostly control characters: binary data."""
    controls = sum(1 for _ in forbidden.CONTROLS.finditer(text))
    if controls >= _MIN_CONTROLS and controls > len(text) * MAX_CONTROL_SHARE:
        share = controls * 100 // max(len(text), 1)
        raise StoryError(
            [error(f"not a text file: it looks like binary data ({share}% of its "
                   "characters are control characters or NUL bytes)", file)]
        )  # fmt: skip
