"""Notes inside an EPUB's documents: footnote and endnote markup, read into chapter end notes.

EPUB 3 marks a note's call ``<a epub:type="noteref">`` (or ``role="doc-noteref"``)
and the note ``epub:type="footnote"``/``"endnote"``/``"rearnote"`` (or
``role="doc-footnote"``/``"doc-endnote"``), often inside a section of notes
(``epub:type="footnotes"``, ``role="doc-endnotes"``) that pandoc and Sigil put at
the end of each document. The call stays where it is, as a superscript; each
note is taken out of the text and becomes an end note of the chapter it is in,
numbered by its call ("1"), reported as moved. A backlink without words (the
"↩" that pandoc writes) goes; one with words (a calibre note's number) stays.
"""

from __future__ import annotations

import copy
from collections.abc import Container, Sequence
from dataclasses import dataclass

import lxml.etree as etree

from packager.read.blocks import epub_types, plain
from packager.read.container import line_of
from packager.text import sanitize

_NOTE_TYPES = frozenset({"footnote", "endnote", "rearnote"})
_NOTE_ROLES = frozenset({"doc-footnote", "doc-endnote"})
_SECTION_TYPES = frozenset({"footnotes", "endnotes", "rearnotes"})
_SECTION_ROLES = frozenset({"doc-endnotes", "doc-footnotes"})
_BLOCKS = frozenset({"p", "div", "blockquote", "ul", "ol", "dl", "table", "pre", "figure"})
_HOLDERS = frozenset({"ol", "ul", "div", "section", "aside"})  # what notes sit in


@dataclass(frozen=True)
class Note:
    """A note taken out of a document: where it was, its words, and its end-note HTML."""

    line: int
    text: str
    html: str  # sanitized XHTML blocks, without its number
    number: int | None = None  # its call's number, where the note does not write it


def _is_note(el: etree._Element, called: Container[str] = ()) -> bool:
    """A footnote or endnote; a general "note" only where a call points to it."""
    types = epub_types(el)
    if types & _NOTE_TYPES or el.get("role") in _NOTE_ROLES:
        return True
    return "note" in types and (el.get("id") or "") in called


def _is_section(el: etree._Element) -> bool:
    return bool(epub_types(el) & _SECTION_TYPES) or el.get("role") in _SECTION_ROLES


def _is_call(el: etree._Element) -> bool:
    return el.tag == "a" and ("noteref" in epub_types(el) or el.get("role") == "doc-noteref")


def take_notes(body: etree._Element, calls: dict[str, str] | None = None) -> list[Note]:
    """Take the notes out of a document's body (in place), calls made superscripts.

    ``calls`` holds the labels of the calls of earlier documents, by the id they
    point to (a page of endnotes is called from the chapters before it); this
    document's are added to it.
    """
    labels: dict[str, str] = {}
    for call in [a for a in body.iter("a") if _is_call(a)]:
        target = (call.get("href") or "").partition("#")[2]
        if target:
            labels.setdefault(target, plain(call))
        inside_sup = call.find(".//sup") is not None
        parent = call.getparent()
        if not inside_sup and (parent is None or parent.tag != "sup"):
            sup = etree.SubElement(call, "sup")
            sup.text, call.text = call.text, None
            for child in list(call)[:-1]:
                sup.append(child)  # moves it
    if calls is not None:
        for target, label in labels.items():
            calls.setdefault(target, label)
        labels = {**calls, **labels}
    notes: list[Note] = []
    for el in [e for e in body.iter() if isinstance(e.tag, str) and _is_note(e, labels)]:
        if any(_is_note(a, labels) for a in el.iterancestors()) or el.getparent() is None:
            continue  # inside a note already taken (or taken with it)
        notes.append(_note(el, labels.get(el.get("id") or "", "")))
        parent = el.getparent()
        _remove(el)
        # The list or section that held the notes, once only its rule is left.
        while parent is not None and parent.tag in _HOLDERS and _empty(parent):
            el, parent = parent, parent.getparent()
            _remove(el)
    for section in [e for e in body.iter() if isinstance(e.tag, str) and _is_section(e)]:
        if section.getparent() is not None and _empty(section):
            _remove(section)  # only its rule or an empty list is left
    return notes


def _empty(el: etree._Element) -> bool:
    return not plain(el) and el.find(".//img") is None


def _note(el: etree._Element, label: str) -> Note:
    note = copy.deepcopy(el)
    note.tail = None
    for link in list(note.iter("a")):
        backlink = "backlink" in epub_types(link) or link.get("role") == "doc-backlink"
        if backlink and not any(c.isalnum() for c in plain(link)):
            _remove(link)
    text = plain(note)
    inner = (note.text or "") + "".join(
        etree.tostring(c, encoding="unicode", method="html") for c in note
    )
    if not any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in note):
        inner = f"<p>{inner}</p>"
    number = label.strip("[]() ")  # a call may be written "[1]"
    shown = int(number) if number.isdigit() and not text.lstrip("[( ").startswith(number) else None
    return Note(line_of(el), text, sanitize.sanitize(inner), shown)


def end_notes_html(notes: Sequence[Note]) -> str:
    """Notes as end notes: numbered ones as a list's items (the list gives the number,
    which is no word of the story), in one list while their numbers follow each other."""
    parts: list[str] = []
    after: int | None = None  # the number the open list would give next
    for note in notes:
        if after is not None and note.number != after:
            parts.append("</ol>")
            after = None
        if note.number is not None and after is None:
            # WeasyPrint 70 honours start only with presentational hints: a list of
            # the chapter's notes from 1 is numbered right in the PDF too.
            parts.append("<ol>" if note.number == 1 else f'<ol start="{note.number}">')
        if note.number is None:
            parts.append(note.html)
        else:
            parts.append(f"<li>{note.html}</li>")
            after = note.number + 1
    if after is not None:
        parts.append("</ol>")
    return "".join(parts)


def _remove(el: etree._Element) -> None:
    """Take an element out, keeping the text after it where it was."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)
