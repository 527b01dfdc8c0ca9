"""What each document of an EPUB's spine is, and which work of the EPUB it belongs to.

A document is story text, an archive's work preface, a title page of entries
(FanFicFare's), a log page, navigation, a contents page, a cover or a title
page: told by the package (its nav and guide), by epub:type, and by what the
document says, never by class names or file names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import lxml.etree as etree

from packager.read import titlepage
from packager.read.archivework import is_archive_preface
from packager.read.blocks import Block, blocks, body_of, epub_types, plain, without_code
from packager.read.container import Container, line_of
from packager.read.epubnotes import DocNotes
from packager.read.package import Package
from packager.text import forbidden

_TITLE_PAGE_WORDS = 80  # a "title page" with more words than this is story text


@dataclass
class Doc:
    """One document of the spine, read into blocks, and what it is."""

    entry: str
    body: etree._Element
    blocks: list[Block]
    kind: str  # text, preface, fields, log, nav, contents, cover, title, notes, aside
    code: list[tuple[int, str, str]]  # (line, tag, what) of the code taken out
    notes: DocNotes = field(default_factory=DocNotes)  # its footnotes and endnotes, taken out
    controls: list[tuple[int, str]] = field(default_factory=list)  # (line, what) removed


@dataclass
class Parsed:
    """A document's body without its code, before its notes are taken out."""

    body: etree._Element
    code: list[tuple[int, str, str]]
    controls: list[tuple[int, str]]


def parse(box: Container, entry: str) -> Parsed:
    """A document's body, without its code and forbidden characters."""
    body = body_of(box.xml(entry))
    if body is None:
        raise box.refuse("damaged EPUB: a document of its spine has no <body>", entry)
    return Parsed(body, without_code(body), _without_forbidden(body))


def _without_forbidden(body: etree._Element) -> list[tuple[int, str]]:
    """The characters no book may carry out of the text (packager.text.forbidden), with
    packager's own markers: it marks note calls with them, so a document's would be calls."""
    found: list[tuple[int, str]] = []
    for el in body.iter():
        for attr in ("text", "tail"):
            value = getattr(el, attr)
            if value and forbidden.FORBIDDEN.search(value):
                text, what = forbidden.strip(value)
                setattr(el, attr, text)
                found.append((line_of(el), what))
    return found


def document(
    package: Package, entry: str, index: int, parsed: Parsed, notes: DocNotes, linear: bool = True
) -> Doc:
    """A document of the spine (parsed, its notes taken out: epubnotes.take_notes); one out
    of the reading order (``linear`` false) is "aside", never story text."""
    body = parsed.body
    run = blocks(body, entry)
    if not linear:
        return Doc(entry, body, run, "aside", parsed.code, notes, parsed.controls)
    kind = "notes" if notes.notes and all(b.level for b in run) else ""  # a page of endnotes
    kind = kind or _kind(package, entry, body, run, index)
    return Doc(entry, body, run, kind, parsed.code, notes, parsed.controls)


def _kind(package: Package, entry: str, body: etree._Element, run: list[Block], index: int) -> str:
    types = set().union(*(epub_types(el) for el in body.iter("body", "section", "nav", "div")))
    words = sum(len(b.text.split()) for b in run)
    in_toc = sum(len(plain(el).split()) for el in body.iter("nav") if "toc" in epub_types(el))
    if entry == package.nav or (in_toc and in_toc >= 0.8 * words):
        return "nav"
    if package.guide.get("toc") == entry:
        return "contents"
    pictured = not words and run and index == 0  # a picture before anything else
    if "cover" in types or package.guide.get("cover") == entry or pictured:
        return "cover"
    if is_archive_preface(run):
        return "preface"
    if titlepage.is_log_page(body):
        return "log"
    if titlepage.is_title_page(body):
        return "fields"
    title_page = "titlepage" in types or entry in (
        package.guide.get("title-page"),
        package.guide.get("titlepage"),
    )
    if title_page and words <= _TITLE_PAGE_WORDS:
        return "title"
    if _is_contents(body, words):
        return "contents"
    return "text"


def _is_contents(body: etree._Element, words: int) -> bool:
    """A page of links to the book's own documents: an inline table of contents."""
    links = [a for a in body.iter("a") if (a.get("href") or "").split("#")[0]]
    inside = [a for a in links if not re.match(r"[a-z]+:", a.get("href") or "")]
    linked = sum(len(plain(a).split()) for a in inside)
    return len(inside) >= 3 and words > 0 and linked >= 0.8 * words


def works_of(docs: Sequence[Doc]) -> list[list[Doc]]:
    """Docs grouped by work: each archive preface or title page starts one."""
    works: list[list[Doc]] = [[]]
    seen_text = False
    for doc in docs:
        start = doc.kind in ("preface", "fields") or (doc.kind == "title" and seen_text)
        if start and any(d.kind in ("text", "preface", "fields") for d in works[-1]):
            works.append([])
        seen_text = seen_text or doc.kind == "text"
        works[-1].append(doc)
    # A preface with no text after it (a series' own, before its first work's) goes
    # with the work that follows it.
    merged: list[list[Doc]] = []
    for work in (w for w in works if w):
        if merged and not any(d.kind == "text" for d in merged[-1]):
            merged[-1].extend(work)
        else:
            merged.append(work)
    return merged
