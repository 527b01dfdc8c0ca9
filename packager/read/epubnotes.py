"""Notes inside an EPUB's documents: footnote and endnote markup, read into numbered notes.

EPUB 3 marks a note's call ``<a epub:type="noteref">`` (or ``role="doc-noteref"``)
and the note ``epub:type="footnote"``/``"endnote"``/``"rearnote"`` (or
``role="doc-footnote"``/``"doc-endnote"``), often inside a section of notes
(``epub:type="footnotes"``, ``role="doc-endnotes"``) that pandoc and Sigil put at
the end of each document, or on a page of endnotes that every chapter calls.

The notes of the whole EPUB are numbered together, in the order of their first
call through the spine (pandoc restarts its ids, not its meaning, in each
document: a call's target is read as document and id); a note nothing calls
gets the next number after the called ones. Each call (with the ``<sup>`` that
only holds it) is replaced by a call marker (packager.text.notes), each note
taken out of its document as a packager.model.Note, without its own number
("1.", "[1]") and its links back to the text, which the book writes itself:
those are reported with file:line when they held words.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field

import lxml.etree as etree

from packager.model import Change, Note
from packager.read.blocks import HEADINGS, epub_types, plain, squash
from packager.read.body import Body
from packager.read.container import line_of, resolve
from packager.read.notebody import note_html
from packager.text.html import replace_with_text
from packager.text.notes import called, marker, renumber

_NOTE_TYPES = frozenset({"footnote", "endnote", "rearnote"})
_NOTE_ROLES = frozenset({"doc-footnote", "doc-endnote"})
_END_TYPES = frozenset({"endnote", "rearnote"})
_SECTION_TYPES = frozenset({"footnotes", "endnotes", "rearnotes"})
_SECTION_ROLES = frozenset({"doc-endnotes", "doc-footnotes"})
_HOLDERS = frozenset({"ol", "ul", "div", "section", "aside"})  # what notes sit in
_WRAPPERS = ("sup", "span")  # around a call, holding only it

Key = tuple[str, str]  # a document and an id in it


@dataclass
class DocNotes:
    """What came out of one document: its notes, and the words that taking them out removed."""

    notes: list[Note] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


@dataclass
class _Call:
    entry: str
    el: etree._Element
    label: str
    note: etree._Element | None = None


def _is_note(el: etree._Element, called: Container[str] = ()) -> bool:
    """A footnote or endnote; a general "note" only where a call points to it."""
    types = epub_types(el)
    if types & _NOTE_TYPES or el.get("role") in _NOTE_ROLES:
        return True
    return "note" in types and (el.get("id") or "") in called


def _is_endnote(el: etree._Element) -> bool:
    """What the source made an endnote (printed at the story's end whatever the setting)."""
    return bool(epub_types(el) & _END_TYPES) or el.get("role") == "doc-endnote"


def _is_section(el: etree._Element) -> bool:
    return bool(epub_types(el) & _SECTION_TYPES) or el.get("role") in _SECTION_ROLES


def _is_noteref(el: etree._Element) -> bool:
    return el.tag == "a" and ("noteref" in epub_types(el) or el.get("role") == "doc-noteref")


def link_target(entry: str, href: str) -> Key | None:
    """The document and id a link points to (its own document for "#id")."""
    path, _, name = href.strip().partition("#")
    if not name:
        return None
    doc = resolve(entry, path) if path else entry
    return (doc, name) if doc is not None else None


def take_notes(
    docs: Sequence[tuple[str, etree._Element]],
    where: Callable[[str], str],
    aside: Container[str] = (),
) -> dict[str, DocNotes]:
    """Take the notes out of the documents' bodies (in place), their calls made markers.

    ``docs`` are the spine's (entry, body) in reading order, then those out of it
    (``aside``: linear="no"), whose notes go to the document that calls each first
    (or the last in the reading order); ``where(entry)`` names an entry in reports.
    Returns each entry's notes and reports.
    """
    ids: dict[Key, etree._Element] = {}
    for entry, body in docs:
        for el in body.iter():
            if isinstance(el.tag, str) and el.get("id"):
                ids.setdefault((entry, str(el.get("id"))), el)
    refs = [(entry, a) for entry, body in docs for a in body.iter("a") if _is_noteref(a)]
    # A call's own id (or its <sup>'s): a link to it, in a note, leads back to the text.
    call_keys = {(entry, str(n)) for entry, a in refs for n in call_ids(a)}
    calls: list[_Call] = []
    for entry, a in refs:
        key = link_target(entry, a.get("href") or "")
        if key not in call_keys:
            calls.append(_Call(entry, a, squash(plain(a))))
    called = {k for c in calls if (k := link_target(c.entry, c.el.get("href") or ""))}
    found: dict[etree._Element, str] = {}  # every note, outermost only -> its entry
    for entry, body in docs:
        here = {name for doc, name in called if doc == entry}
        for el in body.iter():
            inside = isinstance(el.tag, str) and any(a in found for a in el.iterancestors())
            if isinstance(el.tag, str) and not inside and _is_note(el, here):
                found[el] = entry
    number: dict[etree._Element, int] = {}
    first_call: dict[etree._Element, str] = {}  # a note -> the document that calls it first
    labels: dict[etree._Element, set[str]] = {}
    for c in calls:
        key = link_target(c.entry, c.el.get("href") or "")
        target = ids.get(key) if key else None
        c.note = next((e for e in _self_and_up(target) if e in found), None)
        if c.note is None or c.note in c.el.iterancestors() or _in_heading(c.el):
            c.note = None  # a superscript that leads nowhere a note is, or in a title
            continue
        number.setdefault(c.note, len(number) + 1)
        first_call.setdefault(c.note, c.entry)
        labels.setdefault(c.note, set()).add(c.label.strip("[]() .").casefold())
    for note in found:
        number.setdefault(note, len(number) + 1)  # never called: after the called ones
    for c in calls:
        if c.note is not None:
            replace_with_text(_with_wrapper(c.el), marker(number[c.note]))
        else:
            _as_superscript(c.el)
    out: dict[str, DocNotes] = {entry: DocNotes() for entry, _ in docs}
    last = next((e for e, _ in reversed(docs) if e not in aside), "")
    for note, entry in found.items():
        taken = out[first_call.get(note, last) if entry in aside else entry]
        file = where(entry)
        line = line_of(note)
        to_call = functools.partial(_links_to, entry, call_keys)
        html, words, removed = note_html(note, to_call, labels.get(note, set()))
        taken.changes.extend(Change(file, at, "removed", what, text) for at, what, text in removed)
        kind = "endnote" if _is_endnote(note) else "footnote"
        taken.notes.append(Note(number[note], html, line, kind))
        taken.changes.append(Change(file, line, "moved", kind, words))
        parent = note.getparent()
        replace_with_text(note)
        # The list or section that held the notes, once only its rule is left.
        while parent is not None and parent.tag in _HOLDERS and _empty(parent):
            el, parent = parent, parent.getparent()
            rule = el.getprevious()
            if rule is not None and rule.tag == "hr":  # the rule above the notes (calibre's)
                replace_with_text(rule)
            replace_with_text(el)
    for _, body in docs:
        for section in [e for e in body.iter() if isinstance(e.tag, str) and _is_section(e)]:
            if section.getparent() is not None and _empty(section):
                replace_with_text(section)  # only its rule or an empty list is left
    return out


def numbered(out: Body, notes: Sequence[Note]) -> None:
    """The notes of one work into ``out``, numbered from 1 in the order its chapters call
    them, then the rest (a split EPUB's works are stories, each numbered on its own)."""
    known = sorted(n.number for n in notes)
    order = [n for c in out.chapters for n in called(c.html) if n in known]
    numbers: dict[int, int] = {}
    for old in [*order, *known]:
        numbers.setdefault(old, len(numbers) + 1)
    out.notes = [dataclasses.replace(n, number=numbers[n.number]) for n in notes]
    if all(old == new for old, new in numbers.items()):
        return
    out.chapters = tuple(
        dataclasses.replace(c, html=renumber(c.html, numbers), notes_html=renumber(c.notes_html,
                            numbers), end_notes_html=renumber(c.end_notes_html, numbers))
        for c in out.chapters
    )  # fmt: skip
    out.notes = [dataclasses.replace(n, html=renumber(n.html, numbers)) for n in out.notes]
    out.notes_html = renumber(out.notes_html, numbers)
    out.end_notes_html = renumber(out.end_notes_html, numbers)
    for key, value in out.meta.items():
        if key.endswith("_html"):
            out.meta[key] = renumber(value, numbers)


def _links_to(entry: str, keys: set[Key], link: etree._Element) -> bool:
    return link_target(entry, link.get("href") or "") in keys


def call_ids(a: etree._Element) -> list[str]:
    names = [a.get("id")]
    parent = a.getparent()
    if parent is not None and parent.tag in _WRAPPERS and len(parent) == 1:
        names.append(parent.get("id"))
    return [n for n in names if n]


def _self_and_up(el: etree._Element | None) -> list[etree._Element]:
    return [] if el is None else [el, *el.iterancestors()]


def _in_heading(el: etree._Element) -> bool:
    return any(a.tag in HEADINGS for a in el.iterancestors())


def _with_wrapper(call: etree._Element) -> etree._Element:
    """The call, or the <sup> around it that holds nothing else."""
    parent = call.getparent()
    if (
        parent is not None
        and parent.tag in _WRAPPERS
        and len(parent) == 1
        and not (parent.text or "").strip()
        and not (call.tail or "").strip()
    ):
        return parent
    return call


def _as_superscript(call: etree._Element) -> None:
    """A call left as text keeps its label, as a superscript (it links nowhere in the book)."""
    parent = call.getparent()
    if call.find(".//sup") is not None or (parent is not None and parent.tag == "sup"):
        return
    sup = etree.SubElement(call, "sup")
    sup.text, call.text = call.text, None
    for child in list(call)[:-1]:
        sup.append(child)  # moves it


def _empty(el: etree._Element) -> bool:
    return not plain(el) and el.find(".//img") is None
