"""Notes as each output shows them: pop-up footnotes in the EPUB, footnotes on the PDF's
pages, or endnotes at the story's end in both.

EPUB (the markup Apple Books, Kobo, Kindle and Thorium document for pop-up
notes): the call is ``<a epub:type="noteref" role="doc-noteref">`` around a
superscript number, the note an ``<aside epub:type="footnote"
role="doc-footnote">`` after the block that calls it, in the same file, its
number first as a link back to the call (Kindle wants notes linked both
ways; no "↩" glyph, which Kobo's fonts lack). Kobo pops up a note that comes
after its call, so notes never precede their calls.

PDF: the same call, followed by the note as a ``<span class="footnote">``
that the print stylesheet floats to the page's foot (WeasyPrint's ``float:
footnote``); its ``::footnote-call`` is hidden, since WeasyPrint's own call is
not a link (its issue #1545): the ``<a>`` is, and the join writes it.

Endnotes (the theme's ``notes = "endnotes"``, a note the source made an
endnote, or one whose call was lost): a "Notes" section at the story's end,
``<section epub:type="endnotes" role="doc-endnotes">`` with a numbered list;
the same markup in both outputs. Ids are the story's id plus the note's
number: unique in the book. Pure: strings in, strings out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import lxml.etree as etree

from packager.model import Chapter, Note
from packager.text import html
from packager.text.notes import CALL

FOOTNOTES, ENDNOTES = "footnotes", "endnotes"
MODES = (FOOTNOTES, ENDNOTES)
EPUB, PRINT = "epub", "pdf"
NOTES_TITLE = "Notes"
# Block elements of a note: in print the note is a <span> inside a paragraph,
# so its blocks become spans shown as blocks (print.css .note-block).
_BLOCK_NAMES = frozenset(
    {"p", "div", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4",
     "h5", "h6", "pre", "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th",
     "figure", "figcaption", "hr"}
)  # fmt: skip
_FIRST_P = re.compile(r"^\s*<p(?:\s[^>]*)?>")


@dataclass(frozen=True)
class StoryNotes:
    """A story's chapters with their calls (and, in footnotes mode, their notes) in place,
    and the section of notes printed at its end ("" when there is none)."""

    chapters: tuple[str, ...]
    end: str = ""


def note_id(story_id: str, number: int) -> str:
    return f"{story_id}-note-{number}"


def call_id(story_id: str, number: int, repeat: int = 1) -> str:
    return f"{story_id}-ref-{number}" + (f"-{repeat}" if repeat > 1 else "")


def render_notes(
    chapters: Sequence[tuple[Chapter, str]],
    story_id: str,
    flavor: str,
    mode: str = FOOTNOTES,
    title: str = NOTES_TITLE,
) -> StoryNotes:
    """Every chapter's (chapter, its XHTML) with calls and notes made for ``flavor``.

    ``mode`` FOOTNOTES keeps footnotes beside their calls; ENDNOTES puts every
    note in the section at the story's end, headed ``title`` (plain text: the
    book's word for notes, packager.book.labels).
    """
    every = [n for chapter, _ in chapters for n in chapter.footnotes]
    if not every:
        return StoryNotes(tuple(text for _, text in chapters))
    calls_seen: dict[int, int] = {}
    called = {int(m.group(1)) for _, text in chapters for m in CALL.finditer(text)}
    at_end = [
        n for n in every if mode == ENDNOTES or n.kind != "footnote" or n.number not in called
    ]
    here = {n.number: n for n in every if n not in at_end}
    out = []
    for _, text in chapters:
        if flavor == EPUB:
            out.append(_epub_chapter(text, here, story_id, calls_seen))
        else:
            out.append(_print_chapter(text, here, story_id, calls_seen))
    end = _end_section(at_end, story_id, called, title) if at_end else ""
    return StoryNotes(tuple(out), end)


def _call(story_id: str, number: int, seen: dict[int, int]) -> str:
    seen[number] = seen.get(number, 0) + 1
    return (
        f'<a class="noteref" id="{call_id(story_id, number, seen[number])}" '
        f'href="#{note_id(story_id, number)}" epub:type="noteref" role="doc-noteref">'
        f"<sup>{number}</sup></a>"
    )


def _backlinked(note: Note, story_id: str, linked: bool) -> str:
    """The note's blocks, its number first: a link back to its first call (if it has one)."""
    number = (
        f'<a class="note-back" href="#{call_id(story_id, note.number)}" '
        f'role="doc-backlink">{note.number}.</a>'
        if linked
        else f'<span class="note-number">{note.number}.</span>'
    )
    opening = _FIRST_P.match(note.html)
    if opening is None:
        return f'<p class="note-first">{number}</p>{note.html}'
    return note.html[: opening.end()] + number + " " + note.html[opening.end() :]


def _epub_chapter(text: str, here: dict[int, Note], story_id: str, seen: dict[int, int]) -> str:
    """Calls as noterefs; each footnote's aside after the top-level block that calls it first."""
    ends = _top_level_ends(text)
    after: dict[int, list[Note]] = {}  # a block's end -> the asides that follow it
    parts: list[str] = []
    at = 0
    for match in CALL.finditer(text):
        number = int(match.group(1))
        first = number not in seen
        parts += [text[at : match.start()], _call(story_id, number, seen)]
        at = match.end()
        if first and number in here:
            block_end = next((e for e in ends if e >= at), len(text))
            after.setdefault(block_end, []).append(here[number])
    parts.append(text[at:])
    out = "".join(parts)
    if not after:
        return out
    # The calls changed the text's length: find the same block ends in the output.
    shift = {e: o for e, o in zip(ends, _top_level_ends(out), strict=True)}
    shift[len(text)] = len(out)
    pieces, at = [], 0
    for block_end in sorted(after):
        where = shift[block_end]
        pieces += [out[at:where], *(_aside(n, story_id) for n in after[block_end])]
        at = where
    pieces.append(out[at:])
    return "".join(pieces)


def _top_level_ends(fragment: str) -> list[int]:
    """Where each top-level element of a fragment ends (offsets just after its end tag)."""
    ends = []
    depth = 0
    for match in html.TOKEN.finditer(fragment):
        name, token = match.group("name"), match.group(0)
        if name is None or token.endswith("/>") or name.lower() in html.VOID_NAMES:
            if depth == 0 and name is not None:
                ends.append(match.end())
            continue
        depth += -1 if token.startswith("</") else 1
        if depth == 0:
            ends.append(match.end())
    return ends


def _aside(note: Note, story_id: str) -> str:
    return (
        f'<aside class="footnote" id="{note_id(story_id, note.number)}" epub:type="footnote" '
        f'role="doc-footnote">{_backlinked(note, story_id, True)}</aside>'
    )


def _print_chapter(text: str, here: dict[int, Note], story_id: str, seen: dict[int, int]) -> str:
    """Calls as links, each footnote's text just after its first call, to float to the foot."""

    def replace(match: re.Match[str]) -> str:
        number = int(match.group(1))
        first = number not in seen
        made = _call(story_id, number, seen)
        if first and number in here:
            made += _print_note(here[number], story_id)
        return made

    return CALL.sub(replace, text)


def _print_note(note: Note, story_id: str) -> str:
    root = html.parse(_backlinked(note, story_id, True))
    for el in root.iter():
        if el is not root and isinstance(el.tag, str) and el.tag in _BLOCK_NAMES:
            el.set("class", f"note-block note-{el.tag}")
            el.tag = "span"
            if not (el.tail or "").strip():
                el.tail = None  # white space between blocks: in print, an empty line
    if not (root.text or "").strip():
        root.text = None
    # HTML serialization: WeasyPrint parses print documents as HTML, where an
    # empty <span/> would stay open.
    inner = html.escape(root.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in root
    )
    return f'<span class="footnote" id="{note_id(story_id, note.number)}">{inner}</span>'


def _end_section(notes: Sequence[Note], story_id: str, called: set[int], title: str) -> str:
    items = "".join(
        f'<li class="endnote" id="{note_id(story_id, n.number)}">'
        f"{_backlinked(n, story_id, n.number in called)}</li>"
        for n in sorted(notes, key=lambda n: n.number)
    )
    title_id = f"{story_id}-notes-title"
    return (
        f'<section class="endnotes" id="{story_id}-notes" epub:type="endnotes" '
        f'role="doc-endnotes" aria-labelledby="{title_id}">'
        f'<h2 class="story-meta-heading endnotes-title" id="{title_id}">{html.escape(title)}</h2>'
        f'<ol class="endnote-list">{items}</ol></section>'
    )
