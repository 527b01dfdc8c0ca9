"""HTML stories: an archive's work download, or a story page saved from a site.

An archive download (the layout of the Archive of Our Own's "Download HTML":
a preface with the title, byline, tag list, summary and notes; chapters with
their own notes; an afterword with the end notes) is read by its structure,
and every field goes to its place. Any other page is reduced to its
paragraphs, with emphasis kept, and read like a plain-text story (title,
byline, notes, debris, chapters). Nothing from the page is trusted: scripts,
styles, forms and remote resources never reach the book.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator

import lxml.etree as etree
import lxml.html

from packager.errors import parsing
from packager.model import Change
from packager.read import archive, boilerplate, htmlnotes, images
from packager.read.body import Body
from packager.read.paragraphs import (
    EM_CLOSE,
    EM_OPEN,
    HEADING,
    STRONG_CLOSE,
    STRONG_OPEN,
    Para,
    tidy,
)
from packager.read.txt import read_paragraphs
from packager.text import sanitize

# Elements that are never story text.
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math")
_CODE = frozenset({"script", "style"})
# Page furniture around a story: removed, and reported when it held words.
_CHROME = ("nav", "header", "footer", "form", "button", "select", "textarea", "aside")
_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "pre", "hr", "table",
     "ul", "ol", "dl", "dt", "dd", "section", "article", "main", "center", "figure", "tr",
     "td", "th"}
)  # fmt: skip
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_EM, _STRONG = (EM_OPEN, EM_CLOSE), (STRONG_OPEN, STRONG_CLOSE)
_MARKS = {"em": _EM, "i": _EM, "cite": _EM, "strong": _STRONG, "b": _STRONG}


def read_html(text: str, file: str, known_title: str) -> Body:
    """Read a story from the text of an HTML file."""
    sanitize.check_depth(text)  # before lxml, which drops what lies deeper than 256
    with parsing("cannot read this HTML", file):
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text) or "<p></p>")
    body = Body()
    _remove_unsafe(root, file, body)
    if root.xpath("//div[@id='preface']") and root.xpath("//div[@id='chapters']"):
        return archive.read_download(root, file, body)
    return read_page(root, file, known_title, body)


def read_page(root: lxml.html.HtmlElement, file: str, known_title: str, found: Body) -> Body:
    """Any page: its paragraphs, read like plain text (title, byline, notes, debris)."""
    pictures: list[tuple[str, str]] = []  # (src, alt) of each <img>, marked in the text
    images.mark(root, pictures)
    container = _story_container(root)
    title_el = None if known_title else _title_heading(container)
    paras = list(_paragraphs(container, title_el))
    title = tidy(images.unmark(title_el.text_content())) if title_el is not None else ""
    if not title and not known_title:
        title = _page_title(root)
    body = read_paragraphs(paras, file, known_title or title)
    body.changes[:0] = found.changes
    body.diagnostics[:0] = found.diagnostics
    body.notes, body.embedded = found.notes, found.embedded
    if pictures:
        _place_pictures(body, pictures)
    if title and not body.title:
        body.title = title
        line = title_el.sourceline if title_el is not None else 1
        body.changes.insert(0, Change(file, line or 1, "metadata", "title", title))
    body.changes.sort(key=lambda c: c.line)
    return body


def _place_pictures(body: Body, pictures: list[tuple[str, str]]) -> None:
    """The pictures marked in the page, as <img> in the text they ended up in."""
    body.chapters = tuple(
        dataclasses.replace(
            c,
            html=images.place(c.html, pictures),
            notes_html=images.place(c.notes_html, pictures),
            end_notes_html=images.place(c.end_notes_html, pictures),
        )
        for c in body.chapters
    )
    body.notes_html = images.place(body.notes_html, pictures)
    body.end_notes_html = images.place(body.end_notes_html, pictures)
    body.disclaimer_html = images.place(body.disclaimer_html, pictures)


def _remove_unsafe(
    root: lxml.html.HtmlElement,
    file: str,
    body: Body,
    kind_of: Callable[[str], str] | None = None,
) -> None:
    # A comment before or after the root element (the first thing in a file)
    # sits outside it: never in the book, so it is reported like the others.
    outside = [
        c
        for c in (*root.itersiblings(preceding=True), *root.itersiblings())
        if c.tag is etree.Comment
    ]
    for comment in [*outside, *root.iter(etree.Comment)]:
        # Hidden in a browser, so not story text; reported line by line.
        content = comment.text or ""
        first = (comment.sourceline or 1) - content.count("\n")  # libxml2 gives the last line
        for i, text in enumerate(content.split("\n")):
            if text.strip():
                line = max(1, first + i)
                body.changes.append(
                    Change(file, line, "removed", "HTML comment", text.strip()[:80])
                )
        _drop(comment)
    for el in list(root.iter(*_DROP)):
        if el.tag in _CODE:  # one report per script or style sheet: code, not text
            lines = (el.text_content() or "").strip("\n").count("\n") + 1
            if el.text_content().strip():
                start = el.sourceline or 1
                text = f"code, {lines} line{'s' if lines > 1 else ''}"
                body.changes.append(Change(file, start, "removed", f"page <{el.tag}>", text))
        else:
            _report_removed(el, file, body)
        _drop(el)
    # Notes first: a page may keep them in an <aside> or its <footer>.
    taken = htmlnotes.take_notes(root, file, kind_of)
    body.notes.extend(taken.notes)
    body.changes.extend(taken.changes)
    for el in list(root.iter(*_CHROME)):
        _report_removed(el, file, body)
        _drop(el)


def _report_removed(el: lxml.html.HtmlElement, file: str, body: Body) -> None:
    """One 'removed' change per line of text an element held, from the line it starts on."""
    for i, text in enumerate(el.text_content().split("\n")):
        words = tidy(text)
        if words:
            line = (el.sourceline or 1) + i
            body.changes.append(Change(file, line, "removed", f"page <{el.tag}>", words[:80]))


def _story_container(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding the story: the one with the most paragraphs of its own."""
    body = root.find("body")
    scope = body if body is not None else root
    best, count = scope, len(scope.findall("p"))
    for el in scope.iter("div", "article", "main", "section", "td"):
        n = len(el.findall("p"))
        if n > count:
            best, count = el, n
    return best


def _paragraphs(
    container: lxml.html.HtmlElement, skip: lxml.html.HtmlElement | None
) -> Iterator[Para]:
    for el, indent in _blocks(container, 0):
        if el is skip:
            continue
        line = el.sourceline or 1
        if el.tag == "hr":
            yield Para(line, ("* * *",))
            continue
        text = _marked_text(el).strip()
        if not text.strip(" \u2028\u00a0"):
            continue
        prefix = HEADING if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6") else ""
        yield Para(line, (" " * indent + prefix + text,))


def _blocks(el: lxml.html.HtmlElement, indent: int) -> Iterator[tuple[lxml.html.HtmlElement, int]]:
    """Leaf block elements in document order, with the indentation of their quotes."""
    children = [c for c in el if isinstance(c.tag, str)]
    if el.tag == "hr" or not any(c.tag in _BLOCKS for c in children):
        yield el, indent
        return
    if (el.text or "").strip():
        yield _loose(el.text, el), indent
    inner = indent + 4 if el.tag == "blockquote" else indent
    for child in children:
        if child.tag in _BLOCKS:
            yield from _blocks(child, inner)
        else:
            yield child, inner
        if (child.tail or "").strip():
            yield _loose(child.tail, child), inner


def _loose(text: str, near: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Text between blocks, as a paragraph of its own."""
    para = lxml.html.Element("p")
    para.text = text
    para.sourceline = near.sourceline
    return para


def _marked_text(el: lxml.html.HtmlElement) -> str:
    """An element's text with emphasis as marker characters and <br> as a line break."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        marks = _MARKS.get(tag)
        if tag == "br":
            parts.append("\u2028")
        if marks:
            parts.append(marks[0])
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if marks:
            parts.append(marks[1])

    walk(el)
    return re.sub(r"[ \t\r\n]+", " ", "".join(parts))


def _title_heading(container: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The story's title heading: marked as a title, or a first heading above all others."""
    headings = list(container.iter("h1", "h2", "h3", "h4", "h5", "h6"))
    if not headings:
        return None
    first = headings[0]
    if "title" in (first.get("class") or "").split():
        return first
    others = [int(h.tag[1]) for h in headings[1:]]
    if all(level > int(first.tag[1]) for level in others):
        return first  # a lone top heading, with chapters (if any) below it
    return None


def _page_title(root: lxml.html.HtmlElement) -> str:
    title = root.find(".//title")
    if title is None:
        return ""
    text = tidy(title.text_content())
    site = boilerplate.whole_line(text)  # a site's own page title: "STORY - PART - Wattpad"
    if site is not None and site.title:
        return site.title
    # "Story Title - Chapter 1 - Author - Site" -> "Story Title"
    return re.split(r"\s+[|\-–—]\s+", text)[0] if text else ""


def _drop(el: lxml.html.HtmlElement) -> None:
    if el.getparent() is not None:
        el.drop_tree()  # keeps the text that follows the element
