"""Note calls in story text: how a reader marks where a footnote is called.

A note's call sits in its chapter's XHTML as ``<a data-note="N">N</a>``
(packager.model.Note). The sanitizer never lets ``data-note`` through, so
only a reader can make a call: readers that flatten a page to text mark a
call with NOTE_OPEN + N + NOTE_CLOSE (private-use characters that source
text cannot hold: packager.text.hygiene removes them) and turn the marks
into calls once the text is safe XHTML. The renderers (packager.book.notes)
give each output its own markup. Pure.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from packager.model import Chapter, Note

NOTE_OPEN, NOTE_CLOSE = "\ue005", "\ue006"
_MARK = re.compile(f"{NOTE_OPEN}([0-9]{{1,6}}){NOTE_CLOSE}")
CALL = re.compile(r'<a data-note="([0-9]+)">[0-9]+</a>')


def marker(number: int) -> str:
    """A call as text, for readers that flatten markup to text first."""
    return f"{NOTE_OPEN}{number}{NOTE_CLOSE}"


def call(number: int) -> str:
    """A call as the model holds it in a chapter's XHTML."""
    return f'<a data-note="{number}">{number}</a>'


def calls_from_markers(fragment: str) -> str:
    """Marked calls (``marker``) in safe XHTML, as calls."""
    if NOTE_OPEN not in fragment:
        return fragment
    return _MARK.sub(lambda m: call(int(m.group(1))), fragment)


def unmark(text: str) -> str:
    """Text without call markers (the number stays, as a reader reads it)."""
    return _MARK.sub(r"\1", text) if NOTE_OPEN in text else text


def called(fragment: str) -> list[int]:
    """The numbers of the notes called in a fragment, in order (a repeat each time)."""
    if "data-note" not in fragment:
        return []
    return [int(n) for n in CALL.findall(fragment)]


def uncall(fragment: str) -> str:
    """Calls as plain superscript numbers: text where no note can be linked (a summary)."""
    if "data-note" not in fragment:
        return fragment
    return CALL.sub(lambda m: f"<sup>{m.group(1)}</sup>", fragment)


def attach(chapters: Sequence[Chapter], notes: Sequence[Note]) -> tuple[Chapter, ...]:
    """Each note into the chapter that calls it first; notes never called go to the last.

    Calls inside notes are shown as plain numbers: a note is not laid out
    inside another (the one called there is placed on its own).
    """
    if not chapters:
        return tuple(chapters)
    notes = [dataclasses.replace(n, html=uncall(n.html)) for n in notes]
    home: dict[int, int] = {}
    for index, chapter in enumerate(chapters):
        for number in called(chapter.html):
            home.setdefault(number, index)
    known = {n.number for n in notes}
    placed: list[list[Note]] = [list(c.footnotes) for c in chapters]
    for note in sorted(notes, key=lambda n: n.number):
        placed[home.get(note.number, len(chapters) - 1)].append(note)
    out = []
    for chapter, held in zip(chapters, placed, strict=True):
        html = chapter.html
        if any(n not in known for n in called(html)):
            html = CALL.sub(lambda m: m.group(0) if int(m.group(1)) in known else
                            f"<sup>{m.group(1)}</sup>", html)  # fmt: skip
        out.append(dataclasses.replace(chapter, html=html, footnotes=tuple(held)))
    return tuple(out)
