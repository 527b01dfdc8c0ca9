"""Notes that no markup names, told by their structure: calibre's EPUB 2 notes.

calibre (ebook-convert) writes a converted document's notes as plain links
and targets, without ``epub:type``: from HTML, ``<sup><a href="#fn1"
id="ref1">1</a></sup>`` and, at the document's end, ``<li id="fn1">... <a
href="#ref1">↩</a></li>``; from Word, ``<a id="back_note_1"
href="index_split_001.html#note_1">1</a>`` and ``<dl id="note_1"><dt>[<a
href="index_split_000.html#back_note_1">←1</a>]</dt><dd>...</dd></dl>`` in
a file of notes it split off. A link is a note's call here when it shows a
call's label (a number, a letter, a symbol: packager.read.htmlnotes),
points forward in the reading order to a short block without headings, and
that block links back to it, or the call is a superscript and the block is
at its document's end (nothing after it but other such notes, headings and
rules). Both are then marked as EPUB 3 marks them (``role="doc-noteref"``,
``role="doc-footnote"``), and packager.read.epubnotes reads them like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import lxml.etree as etree

from packager.read.blocks import HEADINGS, epub_types, plain, squash
from packager.read.epubnotes import Key, call_ids, link_target
from packager.read.htmlnotes import CALL_TEXT

_NOTE_BLOCKS = frozenset(
    {"p", "li", "dl", "dd", "dt", "div", "aside", "section", "footer", "td", "blockquote"}
)
_MAX_WORDS = 600  # a "note" longer than this is a part of the text, not a note
_AFTER_NOTES = frozenset({*HEADINGS, "hr", "br"})  # what may follow the last note


@dataclass(frozen=True)
class _Candidate:
    call: etree._Element
    entry: str  # the call's document
    note: etree._Element
    note_entry: str


def mark_plain_notes(docs: Sequence[tuple[str, etree._Element]]) -> int:
    """Mark the plain calls and notes of the documents' bodies (in place); how many calls."""
    ids: dict[Key, etree._Element] = {}
    place: dict[etree._Element, tuple[int, int]] = {}
    for d, (entry, body) in enumerate(docs):
        for i, el in enumerate(body.iter()):
            place[el] = (d, i)
            if isinstance(el.tag, str) and el.get("id"):
                ids.setdefault((entry, str(el.get("id"))), el)
    entry_of = {body: entry for entry, body in docs}
    found: list[_Candidate] = []
    for entry, body in docs:
        for a in body.iter("a"):
            if _marked(a) or not CALL_TEXT.match(squash(plain(a))):
                continue
            key = link_target(entry, a.get("href") or "")
            note = _note_block(ids.get(key)) if key else None
            if note is None or place[note] <= place[a] or _inside(a, note) or _in_heading(a):
                continue
            found.append(_Candidate(a, entry, note, entry_of[_body(note)]))
    notes = {c.note for c in found}
    marked = 0
    for c in found:
        if _links_back(c) or (_superscript(c.call) and _at_end(c.note, notes)):
            c.call.set("role", "doc-noteref")
            if not _marked(c.note):
                c.note.set("role", "doc-footnote")
            marked += 1
    return marked


def _marked(el: etree._Element) -> bool:
    return bool(el.get("role")) or bool(epub_types(el))


def _note_block(target: etree._Element | None) -> etree._Element | None:
    """The block that holds a note: the target, or the block around an anchor in it;
    a term and its definition that are the whole of a list, that list."""
    el = target
    while el is not None and el.tag not in _NOTE_BLOCKS:
        el = el.getparent()
    if el is None:
        return None
    parent = el.getparent()
    if el.tag in ("dt", "dd") and parent is not None and parent.tag == "dl" and len(parent) <= 2:
        el = parent
    words = plain(el).split()
    if not words or len(words) > _MAX_WORDS or any(True for _ in el.iter(*HEADINGS)):
        return None
    return el


def _links_back(c: _Candidate) -> bool:
    """Whether the note holds a link to its call (or to the <sup> around it)."""
    back = {(c.entry, name) for name in call_ids(c.call)}
    return any(link_target(c.note_entry, a.get("href") or "") in back for a in c.note.iter("a"))


def _superscript(a: etree._Element) -> bool:
    parent = a.getparent()
    return (parent is not None and parent.tag == "sup") or a.find(".//sup") is not None


def _at_end(note: etree._Element, notes: set[etree._Element]) -> bool:
    """Nothing after the note in its document but other notes, headings and rules."""
    el: etree._Element | None = note
    while el is not None and el.tag != "body":
        for after in el.itersiblings():
            if not isinstance(after.tag, str) or after in notes or after.tag in _AFTER_NOTES:
                continue
            inner = [n for n in after.iterdescendants() if n in notes]
            left = plain(after)
            for n in inner:
                left = left.replace(plain(n), "", 1)
            if squash(left):
                return False
        if (el.tail or "").strip():
            return False
        el = el.getparent()
    return True


def _inside(el: etree._Element, other: etree._Element) -> bool:
    return any(a is other for a in el.iterancestors())


def _in_heading(el: etree._Element) -> bool:
    return any(a.tag in HEADINGS for a in el.iterancestors())


def _body(el: etree._Element) -> etree._Element:
    return next((up for up in el.iterancestors() if up.tag == "body"), el)
