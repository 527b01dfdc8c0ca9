"""An XHTML content document as a flat run of blocks: what the EPUB reader walks.

Converters wrap text in layers of ``<div>`` (calibre renames every class,
FanFicFare leaves text loose between ``<br/>``s), so structure is read from
elements and labels, never from class names: containers are opened, and each
paragraph, heading, quote, list or table becomes one Block with its line.
Loose text between blocks becomes paragraphs (two line breaks in a row end one).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import lxml.etree as etree

from packager.read.container import line_of
from packager.read.recognize import is_scene_break
from packager.text import sanitize

_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
_CONTAINERS = frozenset({"body", "div", "section", "article", "main", "center", "header",
                         "footer", "aside", "nav", "span"})  # fmt: skip
_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol",
                     "dl", "table", "hr", "figure", "address"})  # fmt: skip
_BLOCKS |= _CONTAINERS - {"span"}  # a span holds text, never blocks
# Where a line of text ends, for reports and labels: blocks, list items, cells.
_LINE_ENDS = _BLOCKS | {"li", "dt", "dd", "tr", "td", "th", "caption", "figcaption", "legend"}
_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed",
                   "form", "button", "input", "select", "textarea", "head"})  # fmt: skip
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_PARAGRAPHS = _CONTAINERS | {"p"}  # a leaf container is a paragraph (Block.html)


@dataclass(frozen=True)
class Block:
    """One block of a content document, with the entry and line it comes from."""

    entry: str
    el: etree._Element  # in no namespace: p, h2, blockquote, dl, or a leaf div
    line: int

    @property
    def tag(self) -> str:
        return str(self.el.tag)

    @cached_property
    def text(self) -> str:  # read often, and a block's element is never changed
        return plain(self.el)

    @property
    def level(self) -> int:
        """1 to 6 for a heading, 0 for anything else."""
        return int(self.tag[1]) if self.tag in HEADINGS else 0

    def html(self) -> str:
        """The block as HTML for the sanitizer; a leaf <div> is a paragraph."""
        el = self.el
        if el.tag in _CONTAINERS:
            el = copy.copy(el)
            el.tag = "p"
        return etree.tostring(el, encoding="unicode", method="html", with_tail=False)

    def lines(self) -> list[tuple[int, str]]:
        """The block's text line by line, for reports of what was left out."""
        return text_lines(self.el)


def body_of(root: etree._Element) -> etree._Element | None:
    """The document's <body>, its tags stripped of their namespace (in place)."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = etree.QName(el).localname
    etree.cleanup_namespaces(root)
    return root.find("body")


def epub_types(el: etree._Element) -> set[str]:
    """An element's epub:type values ('titlepage', 'toc', 'cover', 'footnote')."""
    return set((el.get(_EPUB_TYPE) or "").split())


def blocks(body: etree._Element, entry: str) -> list[Block]:
    """The document's blocks in reading order (see without_code first)."""
    return [
        b for b in _walk(body, entry) if b.text or b.el.find(".//img") is not None or b.tag == "hr"
    ]


def without_code(body: etree._Element) -> list[tuple[int, str, str]]:
    """Take scripts, styles and forms out of a document: (line, tag, what) of each.

    The text after each stays where it was; a form's words are reported.
    """
    found = []
    for el in list(body.iter(*_DROP)):
        parent = el.getparent()
        if parent is None:
            continue
        words = plain(el)
        what = "code" if el.tag in ("script", "style") or not words else words
        found.append((line_of(el), str(el.tag), what))
        _append_after(el, el.tail or "")
        parent.remove(el)
    return found


def squash(text: str) -> str:
    """Markup's text as a reader sees it: runs of white space are one space."""
    return re.sub(r"[ \t\r\n\f]+", " ", text).strip(" \t\r\n\f\u00a0")


def plain(el: etree._Element) -> str:
    """An element's text as one line: its lines joined by spaces."""
    return " ".join(text for _, text in text_lines(el))


def text_lines(el: etree._Element) -> list[tuple[int, str]]:
    """An element's text as the lines a reader sees: broken at <br/> and at blocks."""
    lines: list[tuple[int, str]] = []
    current: list[str] = []
    start = line_of(el)

    def flush(next_line: int) -> None:
        nonlocal start
        text = squash("".join(current))
        if text:
            lines.append((start, text))
        current.clear()
        start = next_line

    def walk(node: etree._Element) -> None:
        line = line_of(node, start)
        if node.tag == "br" or node.tag in _LINE_ENDS:
            flush(line)
        if node.text:
            current.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                current.append(child.tail)
        if node.tag in _LINE_ENDS:
            flush(line)

    walk(el)
    flush(start)
    return lines


def _walk(el: etree._Element, entry: str) -> Iterator[Block]:
    children = [c for c in el if isinstance(c.tag, str)]
    if el.tag not in _CONTAINERS or not any(c.tag in _BLOCKS for c in children):
        if el.tag != "span" or plain(el):
            yield Block(entry, el, line_of(el))
        return
    run: list[etree._Element | str] = []
    line = line_of(el)
    if el.text and el.text.strip():
        run.append(el.text)
    for child in el:
        if isinstance(child.tag, str) and child.tag in _BLOCKS:
            yield from _loose(run, entry, line)
            run = []
            yield from _walk(child, entry)
            line = line_of(child, line)
        elif isinstance(child.tag, str):
            run.append(child)
            line = line if len(run) > 1 else (line_of(child, line))
        if (child.tail and child.tail.strip()) or (child.tail and run):
            run.append(child.tail)
    yield from _loose(run, entry, line)


def _loose(run: list[etree._Element | str], entry: str, line: int) -> Iterator[Block]:
    """Text and inline elements between blocks, as paragraphs split at double breaks."""
    para = etree.Element("p")
    count = 0  # <br/>s in a row at the end of the paragraph so far
    for node in run:
        if isinstance(node, str):
            if node.strip():
                count = 0
            _append_text(para, node)
            continue
        if node.tag == "br":
            count += 1
            if count >= 2:
                yield from _emit(para, entry, line)
                para, count = etree.Element("p"), 0
                line = line_of(node, line)
                continue
        elif plain(node):
            count = 0
        clone = copy.copy(node)
        clone.tail = None
        para.append(clone)
    yield from _emit(para, entry, line)


def _emit(para: etree._Element, entry: str, line: int) -> Iterator[Block]:
    while len(para) and para[-1].tag == "br" and not (para[-1].tail or "").strip():
        para.remove(para[-1])  # the first of a double break
    if plain(para) or para.find(".//img") is not None:
        para.text = re.sub(r"^\s+", "", para.text or "")
        yield Block(entry, para, line)


def _append_after(el: etree._Element, text: str) -> None:
    """Text that followed an element, joined to what comes before it."""
    prev, parent = el.getprevious(), el.getparent()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    elif parent is not None:
        parent.text = (parent.text or "") + text


def _append_text(para: etree._Element, text: str) -> None:
    if len(para):
        para[-1].tail = (para[-1].tail or "") + text
    else:
        para.text = (para.text or "") + text


@dataclass(frozen=True)
class Fragment:
    """A run of blocks as the book's XHTML, and what making it changed."""

    html: str
    pictures: tuple[Block, ...] = ()  # blocks with a picture left out (alt text kept)
    breaks: tuple[Block, ...] = ()  # scene-break lines with letters ("-x-"), drawn as breaks


# What becomes of a picture: (the entry it is in, its src) -> the src the book's copy is
# made from (a key of the pictures read from the container, or a remote address, which
# is never fetched), or None: it is not there, and its alt text stands for it.
Pictures = Callable[[str, str], "str | None"]


def fragment(run: Sequence[Block], picture: Pictures | None = None) -> Fragment:
    """The sanitized XHTML of a run of blocks: a scene-break line is <hr/>; each picture
    kept where ``picture`` gives it a src, else replaced by its alt text in brackets."""
    pictures: list[Block] = []
    breaks: list[Block] = []
    parts: list[str] = []
    for block in run:
        kept = False
        if block.el.find(".//img") is not None or block.tag == "img":
            el = copy.deepcopy(block.el)
            lost = False
            for img in [i for i in el.iter("img")]:
                src = picture(block.entry, img.get("src") or "") if picture else None
                if src is not None:
                    img.set("src", src)
                    kept = True
                    continue
                lost = True
                alt = squash(img.get("alt") or "")
                shown = alt and alt not in plain(el)  # not already its caption
                _append_after(img, (f"[{alt}]" if shown else "") + (img.tail or ""))
                img.getparent().remove(img)  # type: ignore[union-attr]
            block = Block(block.entry, el, block.line)
            if lost:
                pictures.append(block)
        if block.tag in _PARAGRAPHS and is_scene_break(block.text) and not kept:
            parts.append("<hr/>")
            if any(c.isalnum() for c in block.text):  # "-x-", "oOo": its letters go
                breaks.append(block)
        elif block.text or block.tag == "hr" or kept:
            parts.append(block.html())
    return Fragment(sanitize.sanitize("".join(parts)), tuple(pictures), tuple(breaks))
