"""The print edition's pages in the EPUB: page-break markers and the page list.

A class reading the printed book and one reading the e-book should both find
page 37. The PDF is laid out first; for each of its pages, packager.pdf notes
where in its part's text the page begins, as an offset into the part's
*text stream*: the characters of the document's body that are neither white
space nor invisible format characters (soft hyphens, the break opportunities
packager adds to long words in print): see packager.textstream.

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

import dataclasses
import itertools
from collections.abc import Sequence

from lxml import etree

from packager.model import Book, PageStart, PageTarget, Part
from packager.pdf.textstream import BLOCKS, Stream, body_of, local_name, stream

_XHTML = "http://www.w3.org/1999/xhtml"
_EPUB = "http://www.idpf.org/2007/ops"
_EPUB_TYPE = f"{{{_EPUB}}}type"
# A marker may not be a child of these (HTML content models): it goes inside the item.
_NO_PHRASING = frozenset({
    "ol", "ul", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "hgroup", "html",
})  # fmt: skip
# A marker inside these would become part of their accessible name.
_NAMED = frozenset({"a", "h1", "h2", "h3", "h4", "h5", "h6"})


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
        body_of(root).append(span)
        return
    owner, tail, index = found.locate(offset)
    holder = owner.getparent() if tail else owner
    # Opening an element: the marker goes before it, as high as the content model allows.
    outermost = None
    while (
        firsts.get(holder) == offset
        and local_name(holder.tag) != "body"
        and local_name(holder.getparent().tag) not in _NO_PHRASING
    ):
        outermost, holder = holder, holder.getparent()
    if outermost is not None:
        outermost.addprevious(span)
        return
    # Inside a heading or a link: after it, so that its name stays its text.
    named = None
    for el in [holder, *holder.iterancestors()]:
        if local_name(el.tag) in _NAMED:
            named = el
        if local_name(el.tag) in BLOCKS and local_name(el.tag) not in _NAMED:
            break
    if named is not None and local_name(named.getparent().tag) not in _NO_PHRASING:
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
