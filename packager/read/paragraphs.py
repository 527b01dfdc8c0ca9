"""Plain text as paragraphs: lines, indentation, blank lines, inline markup.

A paragraph keeps its source lines and the line number it starts on, so every
decision made about it can be reported with file:line.
"""

from __future__ import annotations

import html as stdlib_html
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from packager.model import Change
from packager.read.images import unmark as unmark_pictures
from packager.text import html
from packager.text.notes import NOTE_CLOSE, NOTE_OPEN, calls_from_markers

# Inline markup found in plain text (HTML remnants such as <i>…</i>) is held
# as private-use characters until the text is escaped, then made real tags.
EM_OPEN, EM_CLOSE, STRONG_OPEN, STRONG_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003"
# A paragraph that starts with HEADING is a heading by markup (an HTML <h2>,
# a Word heading style), not by guesswork.
HEADING = "\ue004"
MARKERS = EM_OPEN + EM_CLOSE + STRONG_OPEN + STRONG_CLOSE + HEADING
_MARKUP = {
    EM_OPEN: "<em>",
    EM_CLOSE: "</em>",
    STRONG_OPEN: "<strong>",
    STRONG_CLOSE: "</strong>",
    HEADING: "",
}
# Call markers (packager.text.notes) go too, their numbers stay: "dawn.1 Then".
_NO_MARKERS = str.maketrans("", "", MARKERS + NOTE_OPEN + NOTE_CLOSE)

_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w])")
_ENTITY = re.compile(r"&(?:#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6}|[A-Za-z][A-Za-z0-9]{1,30});")
_TAG = re.compile(
    r"</?(?P<name>i|em|b|strong|u|s|strike|span|div|p|br|font|center|small|big|sup|sub|hr)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_TAG_MARKER = {"i": (EM_OPEN, EM_CLOSE), "em": (EM_OPEN, EM_CLOSE)}
_TAG_MARKER.update({"b": (STRONG_OPEN, STRONG_CLOSE), "strong": (STRONG_OPEN, STRONG_CLOSE)})
_SPACE_RUN = re.compile(r"[ \t\u00a0]*[ \t][ \t\u00a0]*|\u00a0{2,}")


@dataclass(frozen=True)
class Para:
    """A blank-line separated paragraph of a plain-text story."""

    line: int  # the line of the file it starts on
    lines: tuple[str, ...]
    blank_before: int = 1  # blank lines before it (2 or more often mark a boundary)

    @property
    def indent(self) -> int:
        first = self.lines[0]
        width = 0
        for ch in first:
            if ch == "\t":
                width += 4
            elif ch in " \u00a0\u2000\u2001\u2002\u2003\u3000":
                width += 1
            else:
                break
        return width

    @property
    def text(self) -> str:
        """The paragraph as one line of text, inner whitespace tidied.

        A line that ends in a hyphen joins the next without a space: in wrapped
        text that hyphen belongs to a compound ("well-" / "known").
        """
        out = ""
        for line in self.stripped_lines:
            if out and not (out.endswith("-") and not out.endswith("--")):
                out += " "
            out += line
        return out

    @property
    def is_heading(self) -> bool:
        """Marked as a heading by the markup it came from (HTML, Word)."""
        return self.lines[0].lstrip().startswith(HEADING)

    @property
    def plain(self) -> str:
        """The text without inline markup markers (or pictures): what recognisers look at."""
        return unmark_pictures(self.text).translate(_NO_MARKERS)

    @property
    def stripped_lines(self) -> list[str]:
        return [tidy(line) for line in self.lines if line.strip()]


def tidy(line: str) -> str:
    """Strip a line and collapse runs of spaces, tabs and no-break spaces."""
    return _SPACE_RUN.sub(" ", line.strip(" \t\u00a0\u3000"))


def paragraphs(body: str, first_line: int = 1) -> list[Para]:
    """Split text into paragraphs at blank lines, each with its first line number."""
    found: list[Para] = []
    current: list[str] = []
    start = first_line
    blanks = 0
    before = 0
    for offset, line in enumerate(body.split("\n")):
        if line.strip(" \t\u00a0\u3000"):
            if not current:
                start, before = first_line + offset, blanks
            current.append(line)
            blanks = 0
        else:
            if current:
                found.append(Para(start, tuple(current), before))
                current = []
            blanks += 1
    if current:
        found.append(Para(start, tuple(current), before))
    return found


def hard_wrapped(paras: Iterable[Para]) -> tuple[bool, int]:
    """Whether the text is wrapped at a fixed width (as Project Gutenberg is), and the width."""
    multi = [p.stripped_lines for p in paras if len(p.stripped_lines) > 1]
    lengths = [len(line) for lines in multi for line in lines]
    if len(multi) < 3 or not lengths:
        return False, 0
    width = int(statistics.quantiles(lengths, n=10)[-1]) if len(lengths) > 1 else lengths[0]
    if not 40 <= width <= 100:
        return False, width
    inner = [len(line) for lines in multi for line in lines[:-1]]
    full = sum(1 for n in inner if n >= 0.75 * width)
    return full >= 0.6 * len(inner), width


def convert_remnants(body: str, file: str, first_line: int) -> tuple[str, list[Change]]:
    """HTML left in plain text: entities become characters, <i>/<b> emphasis, others go."""
    if "&" not in body and "<" not in body:
        return body, []
    changes: list[Change] = []
    lines = body.split("\n")
    for i, line in enumerate(lines):
        found: list[str] = []
        new = _TAG.sub(partial(_tag, found=found), _ENTITY.sub(partial(_entity, found=found), line))
        if found:
            what = ", ".join(dict.fromkeys(found))
            changes.append(
                Change(file, first_line + i, "repaired", "HTML remnants converted", what)
            )
            lines[i] = new
    # A <br> becomes a line break inside the same numbered line: keep numbering
    # by joining the pieces with a marker the paragraph splitter keeps together.
    return "\n".join(line.replace("\n", "\u2028") for line in lines), changes


def _entity(match: re.Match[str], found: list[str]) -> str:
    value = stdlib_html.unescape(match.group(0))
    if value != match.group(0):
        found.append(match.group(0))
    return value


def _tag(match: re.Match[str], found: list[str]) -> str:
    name = match.group("name").lower()
    found.append(match.group(0))  # as typed: its attributes are words of the file too
    if name == "br":
        return "\n"
    markers = _TAG_MARKER.get(name)
    if markers is None:
        return " " if name in ("p", "div", "hr") else ""
    return markers[1] if match.group(0).startswith("</") else markers[0]


def inline(text: str) -> str:
    """Escape text, then make ``**strong**``, ``*em*``, ``_em_`` and remnant tags real."""
    out = html.escape(text)
    if "*" in out:
        out = _STRONG.sub(r"<strong>\1</strong>", out)
        out = _EM_STAR.sub(r"<em>\1</em>", out)
    if "_" in out:
        out = _EM_UNDERSCORE.sub(r"<em>\1</em>", out)
    if any(m in out for m in MARKERS):
        out = "".join(_MARKUP.get(ch, ch) for ch in out)
    return calls_from_markers(out).replace("\u2028", "<br/>")
