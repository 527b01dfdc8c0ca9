"""One note of an EPUB as the book holds it: its words, without its own number and
its links back to the text (the book writes both itself).

A link back is marked (``epub:type="backlink"``, ``role="doc-backlink"``) or
points to a call; it goes when it holds no words, or only "back" or the note's
number (Sigil's and calibre's notes begin with one), else its words stay. The
note's own number goes from its start only when it is the number its call
shows ("[2]" for a call "2"): a note may begin with a year.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

import lxml.etree as etree

from packager.read.blocks import epub_types, plain, squash
from packager.read.container import line_of
from packager.read.htmlnotes import BACK_TEXT
from packager.text import sanitize
from packager.text.html import replace_with_text
from packager.text.notes import calls_from_markers

_BLOCKS = frozenset({"p", "div", "blockquote", "ul", "ol", "dl", "table", "pre", "figure"})
_FIRST_TEXT = ("p", "sup", "span", "b", "strong", "small")  # where a note's number sits
_SYMBOLS = "*†‡"
_OWN_NUMBER = re.compile(r"\s*([\[(]?)\s*([0-9]{1,4}|[*†‡]{1,3})\s*([\])]?[.:)]?)(?=\s|$)\s*")
_AROUND = "[]() .←↑↩"  # around a number that links back: "[←1]" (calibre's)
_STOP = re.compile(r"\s*[.:)\]]+(?=\s|$)\s*")  # what followed a number that was a link


def note_html(
    el: etree._Element, to_call: Callable[[etree._Element], bool], labels: set[str]
) -> tuple[str, str, list[tuple[int, str, str]]]:
    """A note's sanitized XHTML blocks, its words, and what went: (line, what, words).

    ``to_call(link)`` says whether a link points to a call; ``labels`` are what the
    note's calls show ("2", "*"), case-folded, without brackets.
    """
    note = copy.deepcopy(el)
    note.tail = None
    removed: list[tuple[int, str, str]] = []
    at_start = False  # a link back, written as the note's number, began the note
    for link in list(note.iter("a")):
        text = squash(plain(link))
        backlink = "backlink" in epub_types(link) or link.get("role") == "doc-backlink"
        if not (backlink or to_call(link)):
            continue
        words = any(c.isalnum() for c in text)
        numbered = text.strip(_AROUND).casefold() in labels or text.strip() in _SYMBOLS
        if words and not (BACK_TEXT.match(text) or numbered):
            continue  # a link with words of its own: the sanitizer keeps them
        at_start = at_start or _first_text(note) is link
        line = line_of(link, line_of(el))
        replace_with_text(link)
        if words:
            removed.append((line, "link back to the text", text))
    note = _as_definition(note)
    at, own = _own_number(note, labels, at_start)
    if own:
        removed.append((line_of(el) if at is None else at, "note's own number", own))
    inner = (note.text or "") + "".join(
        etree.tostring(c, encoding="unicode", method="html") for c in note
    )
    if not any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in note):
        inner = f"<p>{inner}</p>"
    html = sanitize.sanitize(inner).strip()
    html = re.sub(r"^(<p(?:\s[^>]*)?>)\s+", r"\1", html)  # after the number taken out
    return calls_from_markers(html), squash(plain(note)), removed


def _as_definition(note: etree._Element) -> etree._Element:
    """A note written as a term and its definition (calibre's ``<dl><dt>[←1]</dt><dd>``):
    the definition, once the term holds no words (its link back gone)."""
    if note.tag != "dl" or len(note) != 2 or [c.tag for c in note] != ["dt", "dd"]:
        return note
    term = note[0]
    if any(ch.isalnum() for ch in plain(term)) or term.find(".//img") is not None:
        return note
    definition = note[1]
    definition.tail = None
    return definition


def _first_text(note: etree._Element) -> etree._Element:
    """The element whose text (or first child) begins the note."""
    el = note
    while not (el.text or "").strip() and len(el) and el[0].tag in (*_FIRST_TEXT, "a"):
        el = el[0]
    return el


def _own_number(
    note: etree._Element, labels: set[str], after_backlink: bool
) -> tuple[int | None, str]:
    """Take the note's own number from its start ("1.", "[1]", "*"); its line and it.

    Only the number its call shows is taken: a note may begin with a year. After a
    link back that was the number, only the stop that followed it (the "." of "1.").
    """
    el = note
    while not (el.text or "").strip() and len(el) and el[0].tag in _FIRST_TEXT:
        el = el[0]
    text = el.text or ""
    match = (_STOP if after_backlink else _OWN_NUMBER).match(text)
    if match and not after_backlink and match.group(2).casefold() not in labels:
        match = None
    if match is None or not match.group(0).strip():
        return None, ""
    el.text = text[match.end() :]
    line = el.sourceline if isinstance(el.sourceline, int) else None
    if el is not note and not plain(el) and el.tag != "p" and el.find(".//img") is None:
        replace_with_text(el)
    return line, match.group(0).strip()
