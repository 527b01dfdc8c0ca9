"""Notes in HTML: a page's note links and their targets, as numbered notes.

What pages and converters make: ``<sup><a href="#fn1">1</a></sup>`` in the
text and, further down, the note (``<li id="fn1">``, ``<p><a name="fn1"></a>1.
Text</p>``, ``<aside id="fn1">``); mammoth's Word footnotes and endnotes are
the same shape (``<a href="#footnote-2">[1]</a>`` and ``<li
id="footnote-2">``). A link is a note's call when it is short (a number, a
letter, a symbol), points forward in the page, and its target is a block of
text without headings: so a contents page's links to its chapters, and the
notes' own links back to their calls, are not calls. Every call is replaced
by a call marker (packager.text.notes) in the tree, and every note taken out
of it, before the page is read as a story. The notes are numbered in the
order of their first call; the note's own number ("1.", "[1]") and its links
back to the text go (the book writes its own), reported with file:line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.etree as etree
import lxml.html

from packager.model import Change, Note
from packager.read.paragraphs import tidy
from packager.text import sanitize
from packager.text.html import replace_with_text
from packager.text.notes import calls_from_markers, marker

_NOTE_BLOCKS = frozenset({"p", "li", "dd", "div", "aside", "section", "footer", "td"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# What a call shows: "1", "[1]", "(12)", "*", "†", "a", "iv", "note 3".
CALL_TEXT = re.compile(r"^[\[(]?\s*(?:note\s*)?(?:[0-9]{1,4}|[a-zA-Z]|[ivxlcIVXLC]{1,6}|"
                        r"[*†‡§¶#]{1,3})\s*[\])]?\.?$")  # fmt: skip
# A note's own number at its start: "1.", "[1]", "1)", "*", "†".
_OWN_NUMBER = re.compile(r"^\s*(?:[\[(]?[0-9]{1,4}[\])]?[.:)]?|[*†‡]{1,3})(?=\s|$)\s*")
BACK_TEXT = re.compile(
    r"^\s*[\[(]?\s*(?:[↩↑^⤴\ufe0e\ufe0f]+|(?:back|return|go back|jump back)"
    r"(?: to (?:the )?(?:text|story|top|reading))?|top|up|[0-9]{1,4}\.?)\s*[\])]?\s*$",
    re.I,
)
# A block that only titled the notes, left empty when they are taken out.
_NOTES_HEADING = re.compile(r"^(?:foot|end)?notes?:?$|^(?:translator|author)['’]?s notes?:?$", re.I)
MAX_NOTE_CHARS = 20_000  # a "note" longer than this is a part of the page, not a note


@dataclass
class PageNotes:
    """The notes taken out of a page, and what taking them out removed."""

    notes: list[Note] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def take_notes(
    root: lxml.html.HtmlElement, file: str, kind_of: Callable[[str], str] | None = None
) -> PageNotes:
    """Replace each note call in ``root`` by a call marker, take each note out of it.

    ``kind_of`` says, from a target's id, whether it is a "footnote" or an
    "endnote" (Word's two kinds); every note is a footnote otherwise.
    """
    found = PageNotes()
    order = {el: i for i, el in enumerate(root.iter())}
    targets = _targets(root)
    numbers: dict[lxml.html.HtmlElement, int] = {}
    calls: list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement, int]] = []
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if not href.startswith("#") or not CALL_TEXT.match(tidy(link.text_content())):
            continue
        target = targets.get(href[1:])
        body = _note_body(target) if target is not None else None
        if body is None or order.get(body, -1) <= order[link] or _contains(body, link):
            continue
        if body not in numbers:
            numbers[body] = len(numbers) + 1
        calls.append((link, body, numbers[body]))
    if not calls:
        return found
    call_names = {n for link, _, _ in calls for n in (link.get("id"), link.get("name")) if n}
    for link, _, number in calls:
        _replace_call(link, marker(number))
    for body, number in sorted(numbers.items(), key=lambda item: item[1]):
        line = body.sourceline or 1
        for back in _strip_backlinks(body, call_names):
            if any(ch.isalnum() for ch in back):
                found.changes.append(Change(file, line, "removed", "link back to the text", back))
        own = _strip_own_number(body)
        if own:
            found.changes.append(Change(file, line, "removed", "note's own number", own))
        kind = kind_of(str(body.get("id") or "")) if kind_of else "footnote"
        found.notes.append(Note(number, _note_html(body), line, kind))
        parent = body.getparent()
        body.drop_tree()
        _drop_emptied(parent, file, found)
    return found


def _targets(root: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    found: dict[str, lxml.html.HtmlElement] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in (el.get("id"), el.get("name") if el.tag == "a" else None):
            if name:
                found.setdefault(name, el)
    return found


def _note_body(target: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The block that holds a note: the target, or the block around an anchor in it."""
    el: lxml.html.HtmlElement | None = target
    while el is not None and el.tag not in _NOTE_BLOCKS:
        el = el.getparent()
    if el is None or el.tag == "body":
        return None
    if any(el.iter(*_HEADINGS)) or len(el.text_content()) > MAX_NOTE_CHARS:
        return None
    return el if el.text_content().strip() else None


def _contains(el: lxml.html.HtmlElement, other: lxml.html.HtmlElement) -> bool:
    return any(e is other for e in el.iter())


def _replace_call(link: lxml.html.HtmlElement, text: str) -> None:
    """The call (with a <sup> that holds only it) becomes the marker text."""
    el = link
    parent = link.getparent()
    if (
        parent is not None
        and parent.tag in ("sup", "span")
        and len(parent) == 1
        and not (parent.text or "").strip()
        and not (link.tail or "").strip()
    ):
        el = parent
    replace_with_text(el, text)


def _strip_backlinks(body: lxml.html.HtmlElement, call_names: set[str]) -> list[str]:
    """Remove the links back to the text (to a call; "↩", "back"): the book writes its own.

    Returns the text of those that held more than an arrow (a number, "back").
    """
    removed = []
    for a in list(body.iter("a")):
        href = (a.get("href") or "").strip()
        if href.lower().startswith(("http://", "https://", "mailto:")):
            continue
        text = a.text_content() or ""
        back = href.startswith("#") and (href[1:] in call_names or BACK_TEXT.match(text))
        if back and (BACK_TEXT.match(text) or _OWN_NUMBER.fullmatch(text)):
            removed.append(text.strip())
            replace_with_text(a, "")
            continue
        a.drop_tag()  # an anchor (<a name="fn1">) or another link inside the page: words stay
    return removed


def _strip_own_number(body: lxml.html.HtmlElement) -> str:
    """Remove the note's own number from the start of its text; return it ("" if none)."""
    el = body
    while not (el.text or "").strip() and len(el) and el[0].tag in ("p", "sup", "span", "b"):
        el = el[0]
    text = el.text or ""
    match = _OWN_NUMBER.match(text)
    if match is None or not match.group(0).strip():
        return ""
    el.text = text[match.end() :]
    if el is not body and not el.text_content().strip() and el.tag in ("sup", "span", "b"):
        replace_with_text(el, "")
    return match.group(0).strip()


def _note_html(body: lxml.html.HtmlElement) -> str:
    raw = (body.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in body
    )
    fragment = sanitize.sanitize(raw).strip()
    if not fragment.startswith(("<p", "<ul", "<ol", "<blockquote", "<div", "<table", "<dl")):
        fragment = f"<p>{fragment}</p>"
    fragment = re.sub(r"^(<p(?:\s[^>]*)?>)\s+", r"\1", fragment)  # after the number taken out
    return calls_from_markers(fragment)


def _drop_emptied(parent: lxml.html.HtmlElement | None, file: str, found: PageNotes) -> None:
    """A notes list left empty goes, with the "Notes" heading or rule just before it."""
    while parent is not None and parent.tag in ("ol", "ul", "div", "section", "aside", "footer"):
        if parent.text_content().strip() or parent.find(".//img") is not None:
            return
        before = parent.getprevious()
        grand = parent.getparent()
        if grand is None:
            return
        parent.drop_tree()
        heading = False
        while before is not None and isinstance(before.tag, str):
            text = tidy(before.text_content())
            previous = before.getprevious()
            if before.tag == "hr" and not text:
                before.drop_tree()
            elif not heading and _NOTES_HEADING.match(text) and before.find(".//img") is None:
                found.changes.append(
                    Change(file, before.sourceline or 1, "removed", "notes heading", text)
                )
                before.drop_tree()
                heading = True
            else:
                break
            before = previous
        parent = grand
