"""Story file bytes to text: encodings, mojibake, line ends, characters XML forbids.

The only module that imports charset-normalizer and ftfy.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from packager.errors import StoryError, error, parsing, warning
from packager.model import Change, Diagnostic
from packager.read import legacy, sniff
from packager.text import forbidden

MAX_STORY_BYTES = 50 * 1024 * 1024  # a 10-million-word novel is about 60 MB of text
# Line and paragraph separators become newlines (U+2029 crashes WeasyPrint 70
# inside a wrapped paragraph). U+0085 (NEL) is a line break too, unless it is
# the second half of a UTF-8 letter read as Latin-1 ("Ã\x85" is "Å"), which
# the mojibake repair mends.
_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n\n", "\u0085": "\n"})
_NEL = re.compile(r"(?<![\u00c2-\u00f4])\u0085")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Code pages that charset-normalizer confuses with one another on short
# Western texts (it often says cp1250 for a French or German cp1252 file).
_LATIN = frozenset(
    {
        "cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_15", "iso8859_2",
        "iso8859_9", "mac_roman", "mac_latin2", "cp437", "cp850", "cp858",
    }
)  # fmt: skip
_C1 = re.compile(rb"[\x80-\x9f]")
_HIGH = re.compile(rb"[\x80-\xff]")
_FEW_HIGH_BYTES = 32


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str
    changes: tuple[Change, ...]
    diagnostics: tuple[Diagnostic, ...]


def decode(data: bytes, file: str, *, markup: bool = False) -> SourceText:
    """Decode a story file, whatever its encoding, and repair what copying broke.

    markup: the text is Markdown or HTML, whose character references are read too.
    """
    if len(data) > MAX_STORY_BYTES:
        raise StoryError([error(f"file is larger than {MAX_STORY_BYTES // 2**20} MiB", file)])
    with parsing("cannot read this file's text", file):  # charset-normalizer, ftfy
        text, encoding, guessed = _decode(data, file)
    changes: list[Change] = []
    notes: list[Diagnostic] = []
    if encoding not in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
        changes.append(Change(file, 1, "repaired", "decoded as", encoding))
    if guessed:
        notes.append(warning(f"encoding guessed as {encoding}; check the accented letters", file))
    # Line ends first: a NEL after a CR is a line break of its own, not half of a CRLF.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sniff.refuse_control_heavy(text, file)  # binary data under a text file's name
    with parsing("cannot read this file's text", file):
        # (the lookbehind keeps the pattern from a fast scan: most texts have no NEL)
        text = _NEL.sub("\n", text) if "\u0085" in text else text
        text, mended = _mend_mojibake(text, file)
    cleaned = clean_text(text, file, markup=markup)
    return SourceText(
        cleaned.text,
        encoding,
        (*changes, *mended, *cleaned.changes),
        (*notes, *cleaned.diagnostics),
    )


def _decode(data: bytes, file: str) -> tuple[str, str, bool]:
    """The text, the encoding's name, and whether that was a low-confidence guess."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _paired(data.decode(name, "surrogatepass")), name, False
            except UnicodeDecodeError:
                break
    odd, even, half = data[1::2].count(0), data[0::2].count(0), len(data) // 2
    if (
        len(data) >= 4
        and len(data) % 2 == 0
        and max(odd, even) * 5 >= half * 2 >= min(odd, even) * 40
    ):
        # UTF-16 without a BOM (Western text: every other byte is NUL). Valid
        # UTF-8 too, so it must be tried first.
        name = "utf-16-le" if odd > even else "utf-16-be"
        try:
            return data.decode(name), name, True
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    cesu = _cesu8(data)
    if cesu is not None:
        return cesu
    import charset_normalizer  # only files that are not UTF-8 need it

    results = charset_normalizer.from_bytes(data)
    best = results.best()
    # Without a BOM, UTF-16 text of any Western language is half NUL bytes; a
    # guess of UTF-16 without them reads bytes as Chinese.
    utf16 = best is not None and best.encoding.startswith(("utf_16", "utf_32"))
    if utf16 and data.count(0) < len(data) // 10:
        best = None
    high = len(_HIGH.findall(data))
    if best is not None and best.encoding not in _LATIN and high < _FEW_HIGH_BYTES:
        # Too few non-ASCII bytes to tell Urdu from Latin: take the common
        # case, a Windows Western file, and say it was a guess; but the words
        # of a Cyrillic, Greek, Arabic or Hebrew code page are refused, not
        # turned into accented Latin letters.
        if legacy.non_latin(data):
            raise StoryError([_cannot_tell(file, "too little text to tell its code page")])
        best = None
    if best is not None and best.encoding not in _LATIN and not utf16:
        # Chinese, Japanese, Korean, Cyrillic, Greek, Arabic, Hebrew...: the reading
        # must look like its language, and no other reading may come close.
        candidates = [
            (m.encoding, m.percent_chaos, m.percent_coherence)
            for m in results
            if m.encoding not in _LATIN and not m.encoding.startswith(("utf_16", "utf_32"))
        ]
        reading = legacy.choose(data, candidates)
        if reading is not None and not reading.weak:
            return reading.text, reading.encoding, False
        if reading is not None or legacy.non_latin(data):
            could = ", ".join((reading.encoding, *reading.others)) if reading else ""
            raise StoryError([_cannot_tell(file, f"it could be {could}" if could else "")])
        best = None  # no reading of another script holds: a Western file after all
    if best is None or best.encoding in _LATIN:
        # Bytes 0x80-0x9F are letters and punctuation in windows-1252 and
        # invisible controls in latin-1: a text that has them means 1252.
        weak = best is None or high < _FEW_HIGH_BYTES
        if _C1.search(data):
            try:
                return data.decode("cp1252"), "windows-1252", weak
            except UnicodeDecodeError:
                pass
        return data.decode("latin-1"), "latin-1", weak
    try:
        return str(best), best.encoding, best.percent_chaos > 10
    except (UnicodeDecodeError, LookupError):
        raise StoryError([error("cannot tell this file's text encoding", file)]) from None


def _cannot_tell(file: str, why: str) -> Diagnostic:
    detail = f" ({why})" if why else ""
    return error(
        f"cannot tell this file's text encoding for sure{detail}; "
        "save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
        file,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _cesu8(data: bytes) -> tuple[str, str, bool] | None:
    """UTF-8 whose only flaw is surrogates encoded one by one (CESU-8, Java's "modified
    UTF-8", MySQL's utf8mb3 dumps): the pairs become their characters, and a lone
    surrogate is left for the scrub to remove and report. None if it is not that."""
    try:
        text = data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None
    paired = _paired(text)
    return paired, "cesu-8" if len(paired) < len(text) else "utf-8", False


def _paired(text: str) -> str:
    """High and low surrogates that stand side by side become the character they encode."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _mend_mojibake(text: str, file: str) -> tuple[str, list[Change]]:
    """Repair text decoded with the wrong encoding somewhere upstream ('donâ€™t')."""
    if text.isascii():
        return text, []
    import ftfy  # only text with non-ASCII characters can hold mojibake

    changes: list[Change] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.isascii() or not ftfy.badness.is_bad(line):
            continue
        fixed = ftfy.fix_encoding(line)
        if fixed != line:
            changes.append(Change(file, i + 1, "repaired", "mojibake repaired", _excerpt(line)))
            lines[i] = fixed
    return "\n".join(lines), changes


def _excerpt(line: str) -> str:
    return line if len(line) <= 60 else line[:57] + "..."


@dataclass(frozen=True)
class CleanText:
    text: str
    changes: tuple[Change, ...]
    diagnostics: tuple[Diagnostic, ...]


def clean_text(text: str, file: str, *, markup: bool = False) -> CleanText:
    """Normalise line ends and separators; drop what XML forbids, with a warning per line."""
    # Line numbers in every report count U+2028 as one line break and U+2029
    # as two (a paragraph break), as Unicode-aware editors show them.
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_SEPARATORS)
    scrubbed = forbidden.scrub(text, file, references=markup)
    return CleanText(scrubbed.text, scrubbed.changes, scrubbed.diagnostics)
