"""The print edition's pages in the EPUB: page-break markers and the page list.

A class reading the printed book and one reading the e-book should both find
page 37. The PDF is laid out first; for each of its pages, packager.pdf notes
where in its part's text the page begins, as an offset into the part's
*text stream*: the characters of the document's body that are neither white
space nor invisible format characters (soft hyphens, the break opportunities
packager adds to long words in print). Both renderings of a part come from the
same templates, so their streams are the same characters, and an offset in the
print document is the same place in the EPUB document.

    print HTML ─WeasyPrint─▶ pages' text boxes ─align─▶ start offset per page
    EPUB XHTML ─stream─▶ text nodes ─mark─▶ <span epub:type="pagebreak"/> per page

A marker stands before the first word that begins on its page: a page that
opens inside a word hyphenated across the turn is marked after that word, and
one that opens on a heading, a link or a paragraph is marked before it, so
that the heading's or link's accessible name stays its own text. A page
without text (a blank left-hand page, a full-page picture) is marked where the
next text begins. Pure: no WeasyPrint, no ebooklib.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from packager.model import Book, PageTarget, Part

_XHTML = "http://www.w3.org/1999/xhtml"
_EPUB = "http://www.idpf.org/2007/ops"
_EPUB_TYPE = f"{{{_EPUB}}}type"
# Elements whose text is not laid out as text (or not at all).
_SKIP = frozenset({"head", "script", "style", "svg", "math", "template", "title"})
# Elements that start and end a line of their own: a word cannot run across them.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div", "dl",
    "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
})  # fmt: skip
# A marker may not be a child of these (HTML content models): it goes inside the item.
_NO_PHRASING = frozenset({
    "ol", "ul", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "hgroup", "html",
})  # fmt: skip
# A marker inside these would become part of their accessible name.
_NAMED = frozenset({"a", "h1", "h2", "h3", "h4", "h5", "h6"})
# How far ahead a text box's text is looked for when it is not where expected
# (text hidden in print, or a letter the layout split off): characters.
_WINDOW = 4000


def significant(text: str) -> str:
    """The characters of ``text`` that the stream counts."""
    return _format_characters().sub("", "".join(text.split()))


@functools.cache
def _format_characters() -> re.Pattern[str]:
    """Unicode's format characters (category Cf), as ranges: found once, when needed."""
    codes = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    ranges = []
    for _, run in itertools.groupby(enumerate(codes), lambda pair: pair[1] - pair[0]):
        found = [code for _, code in run]
        ranges.append(f"{re.escape(chr(found[0]))}-{re.escape(chr(found[-1]))}")
    return re.compile(f"[{''.join(ranges)}]+")


def _counts(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) != "Cf"


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass(frozen=True)
class _Segment:
    start: int  # offset in the stream of the segment's first counted character
    owner: Any  # the element whose .text (or, with tail, .tail) this is
    tail: bool
    raw: str
    apart: bool  # white space or a block edge lies between this text and the counted one before


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
        for ch in reversed(seg.raw[:index]):
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
        # The shortest prefix of the text that holds offset - start + 1 counted characters.
        wanted = offset - seg.start + 1
        low, high = 0, len(seg.raw)
        while low < high:
            middle = (low + high) // 2
            if len(significant(seg.raw[: middle + 1])) >= wanted:
                high = middle
            else:
                low = middle + 1
        if low >= len(seg.raw):
            raise ValueError(offset)  # offsets come from this stream: cannot happen
        return seg, low

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [s.start for s in self.segments]


def texts(root: Any) -> Iterator[tuple[Any, bool, str | None, bool]]:
    """(owner, tail?, text, a block edge before it) for each text node of the body, in order.

    Works on lxml and ElementTree trees alike (WeasyPrint parses with html5lib).
    """
    body = next((el for el in root.iter() if _local(el.tag) == "body"), root)
    edge = True

    def walk(el: Any) -> Iterator[tuple[Any, bool, str | None, bool]]:
        nonlocal edge
        name = _local(el.tag)
        if name in _SKIP or not isinstance(el.tag, str):
            return
        block = name in _BLOCKS
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


@dataclass(frozen=True)
class PageStart:
    """Where a printed page begins: its label, its part (None: a blank page) and offset."""

    label: str
    part: str | None
    offset: int = 0


def mark(book: Book, pages: Sequence[PageStart]) -> Book:
    """The book with a page-break marker for every printed page, and its page list.

    A page of a part the EPUB leaves out (the half-title), and a blank page,
    are marked where the next page that is in the EPUB begins.
    """
    in_epub = {p.id: p for p in book.parts if p.in_epub}
    placed: list[tuple[str, str, int]] = []  # (label, part id, offset)
    waiting: list[str] = []
    for page in pages:
        waiting.append(page.label)
        if page.part in in_epub:
            placed.extend((label, page.part, page.offset) for label in waiting)
            waiting = []
    if waiting and placed:  # blank pages at the very end: after the last text
        last = placed[-1][1]
        placed.extend((label, last, 1 << 62) for label in waiting)
    by_part: dict[str, list[tuple[str, int]]] = {}
    for label, pid, offset in placed:
        by_part.setdefault(pid, []).append((label, offset))
    parts: list[Part] = []
    targets: list[PageTarget] = []
    for part in book.parts:
        marks = by_part.get(part.id)
        if marks:
            xhtml, ids = _marked(part.xhtml, marks)
            part = dataclasses.replace(part, xhtml=xhtml)
            for (label, _), pid in zip(marks, ids, strict=True):
                targets.append(PageTarget(label, f"{part.href}#{pid}"))
        parts.append(part)
    return dataclasses.replace(book, parts=tuple(parts), pages=tuple(targets))


def roman(number: int) -> str:
    """``number`` in lower-case roman numerals, as CSS's lower-roman counter style writes it."""
    out = []
    for value, letters in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def page_id(label: str) -> str:
    return "page-" + "".join(c if c.isalnum() else "-" for c in label)


def _marked(xhtml: str, marks: Sequence[tuple[str, int]]) -> tuple[str, list[str]]:
    """The document with a marker at each (label, offset), and the markers' ids."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xhtml.encode("utf-8"), parser)
    found = stream(root)
    firsts = _firsts(found)
    ids = [page_id(label) for label, _ in marks]
    groups: dict[int, list[etree._Element]] = {}
    for (label, offset), pid in zip(marks, ids, strict=True):
        span = etree.Element(
            f"{{{_XHTML}}}span",
            {_EPUB_TYPE: "pagebreak", "role": "doc-pagebreak", "id": pid, "aria-label": label},
            nsmap={"epub": _EPUB},
        )
        groups.setdefault(found.word_start(min(offset, len(found.text))), []).append(span)
    # From the last place to the first: a marker splits a text node, and the
    # places before it keep their offsets.
    for offset in sorted(groups, reverse=True):
        spans = groups[offset]
        _insert(root, found, firsts, offset, spans[0])
        for previous, span in itertools.pairwise(spans):
            span.tail, previous.tail = previous.tail, None
            previous.addnext(span)
    etree.cleanup_namespaces(root)
    return etree.tostring(root.getroottree(), encoding="unicode"), ids


def _firsts(found: Stream) -> dict[etree._Element, int]:
    """Each element's first counted character (elements without text are left out)."""
    firsts: dict[etree._Element, int] = {}
    for seg in found.segments:
        holder = seg.owner.getparent() if seg.tail else seg.owner
        while holder is not None and holder not in firsts:
            firsts[holder] = seg.start
            holder = holder.getparent()
    return firsts


def _insert(
    root: etree._Element,
    found: Stream,
    firsts: dict[etree._Element, int],
    offset: int,
    span: etree._Element,
) -> None:
    """Put ``span`` before the counted character at ``offset`` (see the module's rules)."""
    if offset >= len(found.text):
        body = next((el for el in root.iter() if _local(el.tag) == "body"), root)
        body.append(span)
        return
    owner, tail, index = found.locate(offset)
    holder = owner.getparent() if tail else owner
    # Opening an element: the marker goes before it, as high as the content model allows.
    outermost = None
    while (
        firsts.get(holder) == offset
        and _local(holder.tag) != "body"
        and _local(holder.getparent().tag) not in _NO_PHRASING
    ):
        outermost, holder = holder, holder.getparent()
    if outermost is not None:
        outermost.addprevious(span)
        return
    # Inside a heading or a link: after it, so that its name stays its text.
    named = None
    for el in [holder, *holder.iterancestors()]:
        if _local(el.tag) in _NAMED:
            named = el
        if _local(el.tag) in _BLOCKS and _local(el.tag) not in _NAMED:
            break
    if named is not None and _local(named.getparent().tag) not in _NO_PHRASING:
        span.tail, named.tail = named.tail, None
        named.addnext(span)
        return
    if tail:
        text = owner.tail
        owner.tail, span.tail = text[:index], text[index:]
        owner.addnext(span)
    else:
        text = owner.text
        owner.text, span.tail = text[:index], text[index:]
        owner.insert(0, span)
