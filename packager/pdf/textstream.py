"""A document's text stream: its body's text without white space or format characters.

Both renderings of a part (the EPUB's XHTML and the PDF's HTML) come from
the same templates, so their streams are the same characters, and an offset
into one is the same place in the other. packager.pdf finds where each laid-out
page begins with ``align``; packager.pagelist marks those places in the EPUB.
Format characters (Unicode Cf: soft hyphens, the U+200B break opportunities
packager adds to long words in print, bidi controls) do not count. Works on
lxml and ElementTree trees (WeasyPrint parses with html5lib). Pure.
"""

from __future__ import annotations

import array
import bisect
import functools
import itertools
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Elements whose text is not laid out as text (or not at all).
_SKIP = frozenset({"head", "script", "style", "svg", "math", "template", "title"})
# Footnotes are not where the text has them: beside their call in the EPUB (an
# aside after the paragraph), at the foot of the page in the PDF (a span in the
# paragraph). Neither counts, so both streams stay the same characters.
_SKIP_CLASS = "footnote"
# Elements that start and end a line of their own: a word cannot run across them.
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div", "dl",
    "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
})  # fmt: skip
# How far ahead a text box's text is looked for when it is not where expected
# (text hidden in print, or a letter the layout split off): characters.
_WINDOW = 4000


def significant(text: str) -> str:
    """The characters of ``text`` that the stream counts."""
    return _format_characters().sub("", "".join(text.split()))


_FORMAT_TABLE = Path(__file__).with_name("format-characters.txt")


@functools.cache
def _format_characters() -> re.Pattern[str]:
    """Unicode's format characters (category Cf), as a class of ranges: read once, when needed."""
    return re.compile(
        "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in format_ranges()) + "]+"
    )


def format_ranges() -> list[tuple[int, int]]:
    """The Cf ranges of this Python's Unicode: from format-characters.txt when it is that
    version (scanning all 1.1M code points takes a quarter of a second), else scanned."""
    lines = _FORMAT_TABLE.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if line and not line.startswith("#")]
    if body and body[0] == f"unicode {unicodedata.unidata_version}":
        spans = [line.split("-") for line in body[1:]]
        return [(int(span[0], 16), int(span[-1], 16)) for span in spans]
    return scan_format_ranges()


def scan_format_ranges() -> list[tuple[int, int]]:
    """Every code point's category asked: the ranges of Cf."""
    codes = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    ranges = []
    for _, run in itertools.groupby(enumerate(codes), lambda pair: pair[1] - pair[0]):
        found = [code for _, code in run]
        ranges.append((found[0], found[-1]))
    return ranges


@functools.cache
def _counted() -> re.Pattern[str]:
    """One character that the stream counts: not white space (as str.split sees it), not Cf."""
    return re.compile(f"[^\\s{_format_characters().pattern[1:-2]}]")


def _counts(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) != "Cf"


def local_name(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass(frozen=True)
class _Segment:
    start: int  # offset in the stream of the segment's first counted character
    owner: Any  # the element whose .text (or, with tail, .tail) this is
    tail: bool
    raw: str
    apart: bool  # white space or a block edge lies between this text and the counted one before

    @functools.cached_property
    def places(self) -> array.array[int]:
        """Where in ``raw`` each counted character is: found once, in one pass.

        A story on one line is one text node of megabytes, and a page marker
        is placed for each of its hundreds of pages: each look-up is then an
        index, not a search of the text (which made marking quadratic).
        """
        return array.array("q", (m.start() for m in _counted().finditer(self.raw)))


@dataclass(frozen=True)
class Stream:
    """A document's text stream, and where its characters live."""

    text: str
    segments: tuple[_Segment, ...]  # text nodes with counted characters, in order

    def word_start(self, offset: int) -> int:
        """``offset`` if a word begins there, else where the next word begins."""
        while offset < len(self.text) and not self._begins_word(offset):
            offset += 1
        return offset

    def _begins_word(self, offset: int) -> bool:
        seg, index = self._find(offset)
        for i in range(index - 1, -1, -1):  # no copy of a text that may be a whole story
            ch = seg.raw[i]
            if ch.isspace():
                return True
            if _counts(ch):
                return False
        return seg.apart

    def locate(self, offset: int) -> tuple[Any, bool, int]:
        """(owner, tail?, index in that string) of the counted character at ``offset``."""
        seg, index = self._find(offset)
        return seg.owner, seg.tail, index

    def _find(self, offset: int) -> tuple[_Segment, int]:
        seg = self.segments[bisect.bisect_right(self._starts, offset) - 1]
        wanted = offset - seg.start  # the segment's counted characters before this one
        if not 0 <= wanted < len(seg.places):
            raise ValueError(offset)  # offsets come from this stream: cannot happen
        return seg, seg.places[wanted]

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [s.start for s in self.segments]


def body_of(root: Any) -> Any:
    """The document's ``<body>`` (the root itself when there is none)."""
    return next((el for el in root.iter() if local_name(el.tag) == "body"), root)


def texts(root: Any) -> Iterator[tuple[Any, bool, str | None, bool]]:
    """(owner, tail?, text, a block edge before it) for each text node of the body, in order.

    Works on lxml and ElementTree trees alike (WeasyPrint parses with html5lib).
    """
    body = body_of(root)
    edge = True

    def walk(el: Any) -> Iterator[tuple[Any, bool, str | None, bool]]:
        nonlocal edge
        name = local_name(el.tag)
        if name in _SKIP or not isinstance(el.tag, str):
            return
        if _SKIP_CLASS in (el.get("class") or "").split():
            return
        block = name in BLOCKS
        edge = edge or block
        yield el, False, el.text, edge
        edge = edge and not (el.text and significant(el.text))
        for child in el:
            yield from walk(child)
            yield child, True, child.tail, edge
            edge = edge and not (child.tail and significant(child.tail))
        edge = edge or block

    yield from walk(body)


def stream_text(root: Any) -> str:
    """The text stream of a document: what ``align`` matches the laid-out pages against."""
    return "".join(significant(text) for _, _, text, _ in texts(root) if text)


def stream(root: Any) -> Stream:
    """The text stream of an lxml document, with its text nodes."""
    parts: list[str] = []
    segments: list[_Segment] = []
    length = 0
    apart = True  # white space or a block edge since the last counted character
    for owner, tail, text, edge in texts(root):
        if not text:
            continue
        apart = apart or edge
        counted = significant(text)
        if counted:
            segments.append(_Segment(length, owner, tail, text, apart))
            parts.append(counted)
            length += len(counted)
            last = len(text.rstrip()) - 1
            while not _counts(text[last]):
                last -= 1
            apart = text[last + 1 :] != significant(text[last + 1 :])
        else:
            apart = apart or any(c.isspace() for c in text)
    return Stream("".join(parts), tuple(segments))


def _fold(text: str) -> str:
    """Lower case, one character for one (text-transform changes case, not places)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def align(text: str, pages: Sequence[Sequence[str]]) -> tuple[int, ...]:
    """For each page, the stream offset of the first character laid out on it.

    ``pages`` holds, for each page in order, the text of its text boxes in
    layout order (without margin boxes and generated content). A box's text is
    the stream's, save for case (text-transform) and a hyphen the layout added
    at a line's end; text the layout leaves out (hidden in print) is skipped.
    A page without text starts where the next text begins.
    """
    folded = _fold(text)
    pos = 0
    firsts: list[int | None] = []
    for boxes in pages:
        first = None
        for raw in boxes:
            chunk = _fold(significant(raw))
            found = _match(folded, pos, chunk)
            if found is None:
                continue
            start, pos = found
            first = start if first is None else first
        firsts.append(first)
    starts: list[int] = []
    following = len(text)
    for first in reversed(firsts):
        following = following if first is None else first
        starts.append(following)
    return tuple(reversed(starts))


def _match(folded: str, pos: int, chunk: str) -> tuple[int, int] | None:
    """Where ``chunk`` lies at or after ``pos``: (start, end), or None."""
    if not chunk:
        return None
    candidates = [chunk, chunk[:-1]] if len(chunk) > 1 else [chunk]  # the added hyphen
    for candidate in candidates:
        if folded.startswith(candidate, pos):
            return pos, pos + len(candidate)
    for candidate in candidates:
        at = folded.find(candidate, pos, pos + _WINDOW + len(candidate))
        if at >= 0:
            return at, at + len(candidate)
    return None
