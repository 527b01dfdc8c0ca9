"""A story too long to lay out at once: laid out in runs of its blocks, and joined.

WeasyPrint holds every page of a document, with its boxes, until the whole
document is laid out: about half a megabyte a page of prose, so a story of
thousands of pages (a Word file of 100,000 paragraphs) would need gigabytes.
A story of more than SLICE_FROM characters of print markup is laid out in
runs of at most RUN_BLOCKS blocks and RUN_CHARS characters
(packager.pdf.storymarkup). Each run but the last is cut at the last page,
before its own last one, that begins with a block of its own
(weasyboxes.clean_starts): the pages before that page are the pages the
whole story has there, and the next run begins with that block, on a page
of the same side. A block longer than storymarkup.LONG_BLOCK (a story
pasted as one line) is made of pieces, and a run may also be cut at a page
that begins inside a piece of text, at a word: the next run begins with the
rest of the paragraph from that word, laid out as the rest of a paragraph
broken across pages is (no indent, no ``::first-line`` style:
packager.pdf.weasyfixes). A run with no such page is laid out longer. The kept
pages are joined into one PDF, and their bookmarks, anchors, links and
page starts moved to their places: the story is one part, as if laid out
whole, and only one run's pages are held at a time.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from typing import TypeVar

import lxml.html

from packager.pdf import join, storymarkup, textstream
from packager.pdf.storymarkup import StoryMap
from packager.pdf.weasy import Anchor, Bookmark, Link, RenderedPart

SLICE_FROM = 1_000_000  # characters of a story's print markup (about 150,000 words)
RUN_BLOCKS = 2_500  # blocks (paragraphs, headings...) of a run at most
RUN_CHARS = 400_000  # characters of markup of a run at most (about 200 pages of prose)

# Lays out markup: (markup, it starts on a verso, find the pages it may be cut at).
Lay = Callable[[str, bool, bool], RenderedPart]
_Paged = TypeVar("_Paged", Bookmark, Anchor, Link)


@dataclass(frozen=True)
class _Run:
    part: RenderedPart
    first: int  # its first page kept (1 after the page thrown away)
    stop: int  # its first page not kept
    base: int  # where its text stream begins in the story's, less its opener's


def how(html: str, tagged: bool = False) -> str:
    """What a layout cache key says of the way the story is laid out: in runs, and how long."""
    if len(html) <= SLICE_FROM or tagged:
        return ""
    return f", in runs of {RUN_BLOCKS} blocks, {RUN_CHARS} characters"


def lay_out(html: str, left: bool, lay: Lay, tagged: bool = False) -> RenderedPart:
    """The story laid out (``left``: it starts on a verso), whole or in runs. A tagged
    PDF's story is laid out whole: its structure tree is made by one layout."""
    long = len(html) > SLICE_FROM and not tagged
    story = storymarkup.map_story(html) if long else None
    if story is None or len(story.units) < 2:
        return lay(html, left, False)
    count = len(story.units)
    starts = [unit.start for unit in story.units]
    opener = _stream_length(html[story.opener[0] : story.opener[1]])
    runs: list[_Run] = []
    first = char = base = pages = 0
    while True:
        thrown = 1 if first or char else 0  # a run after the first begins with a page thrown away
        verso = left != (pages % 2 == 1)  # the side of its first page kept
        end = _run_end(starts, first)
        while True:
            markup = storymarkup.slice_markup(story, first, end, char)
            part = lay(markup, verso != bool(thrown), end < count)
            cut = None if end >= count else _last_cut(part, story, first, char, thrown)
            if cut is not None or end >= count:
                break
            end = _run_end(starts, end)
        runs.append(
            _Run(part, thrown, part.pages if cut is None else cut[0], base - thrown * opener)
        )
        pages += runs[-1].stop - thrown
        if cut is None:
            return _joined(runs)
        base += part.starts[cut[0]] - thrown * opener
        _, first, char = cut


def _run_end(starts: list[int], first: int) -> int:
    """Where a run from unit ``first`` ends: RUN_BLOCKS or RUN_CHARS, whichever comes first;
    the rest of the story when little would be left after it."""
    end = min(first + RUN_BLOCKS, bisect.bisect_right(starts, starts[first] + RUN_CHARS))
    end = max(end, first + 2)
    return len(starts) if len(starts) - end < RUN_BLOCKS // 4 else end


def _last_cut(
    part: RenderedPart, story: StoryMap, first: int, char: int, thrown: int
) -> tuple[int, int, int] | None:
    """The last page of the run before its last one that may begin the next run, as
    (page, unit, character): it begins a block that is not the first of its chapter, or
    a word inside a piece of text of a long block; later than where the run began."""
    blocks, units = story.blocks, story.units
    for page, block, piece, before, text in reversed(part.cuts):
        if not thrown < page < part.pages - 1:  # the last page: its start may be moved by the end
            continue
        if piece < 0:
            unit = story.lookup[block, -1]
            if unit > first and blocks[block - 1][0] == blocks[block][0]:
                return page, unit, 0
            continue
        unit = story.lookup[block, piece]
        begin = units[unit].start + (char if unit == first else 0)
        at = _word_after(story.html, begin, units[unit].end, before, text)
        if at is not None and (unit, at - units[unit].start) > (first, char):
            return page, unit, at - units[unit].start
    return None


_CHARACTER = re.compile(r"&#?\w+;|.", re.S)


def _word_after(html: str, begin: int, end: int, count: int, text: str) -> int | None:
    """Where, in the text from ``begin`` to ``end`` (markup: entities), the word begins that
    follows ``count`` characters (textstream.significant): the first of a page whose
    first text is ``text``. None where that is not a word's beginning there, or not that
    text (a word hyphenated across the pages)."""
    at, seen = begin, 0
    found = _CHARACTER.finditer(html, begin, end)
    for character in found:
        if seen >= count:
            break
        seen += len(textstream.significant(unescape(character.group(0))))
        at = character.end()
    if seen != count:
        return None
    while at < end and (m := _CHARACTER.match(html, at)) and unescape(m.group(0)).isspace():
        at = m.end()
    if at == begin or not unescape(html[at - 1]).isspace():
        return None  # not after a space: inside a word
    wanted = textstream.significant(text).lower()[:24]
    there = textstream.significant(unescape(html[at : min(end, at + 400)])).lower()
    return at if wanted and there.startswith(wanted) else None


def _stream_length(opener: str) -> int:
    """How many characters of text stream the opener holds (each run after the first
    begins with it again)."""
    root = lxml.html.document_fromstring(f"<html><body>{opener}</body></html>")
    return len(textstream.stream_text(root))


def _joined(runs: list[_Run]) -> RenderedPart:
    """The runs' kept pages as one part."""
    bookmarks: list[Bookmark] = []
    anchors: list[Anchor] = []
    links: list[Link] = []
    starts: list[int] = []
    at = 0  # the story's page of the run's first kept page
    for run in runs:
        shift = at - run.first
        part = run.part
        kept = range(run.first, run.stop)
        bookmarks += [_moved(b, shift) for b in part.bookmarks if b.page in kept]
        anchors += [_moved(a, shift) for a in part.anchors if a.page in kept]
        links += [_moved(link, shift) for link in part.links if link.page in kept]
        starts += [run.base + part.starts[page] for page in kept]
        at += run.stop - run.first
    return RenderedPart(
        join.take_pages([(r.part.pdf, r.first, r.stop) for r in runs]),
        at,
        tuple(bookmarks),
        tuple(anchors),
        tuple(links),
        tuple(dict.fromkeys(m for r in runs for m in r.part.messages)),
        tuple(starts),
        tuple(dict.fromkeys(n for r in runs for n in r.part.long_notes)),
        strays=sum(r.part.strays for r in runs),
    )


def _moved(item: _Paged, shift: int) -> _Paged:
    return dataclasses.replace(item, page=item.page + shift)
