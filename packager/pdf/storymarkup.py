"""A story's print markup as spans of text: its opener, chapters and their blocks.

A story too long to lay out at once (packager.pdf.slices) is laid out as
runs of its blocks, each an HTML document of its own. This module finds
where, in the story's print markup (``Part.print_html``, made from
templates/story.xhtml), the opener, the chapters and the blocks of each
chapter begin and end, and writes the markup of one run of blocks. Markup
it does not recognise (a theme's own story template, text directly inside
a chapter, a script) gives no map: such a story is laid out whole. Pure:
the markup is read as our own well-formed XHTML, by its tags.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from packager.text.html import VOID_NAMES

# A start or end tag (its name, its attributes, a self-closing slash), or what is not one.
_TAG = re.compile(
    r"<(?P<end>/?)(?P<name>[a-zA-Z][\w:.-]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)"
    r"(?P<close>/?)>|<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![^>]*>",
    re.S,
)
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ID = re.compile(r"""\sid\s*=\s*(?:"[^"]*"|'[^']*')""")
_STYLE = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RAW = frozenset({"script", "style", "textarea"})  # text that is not markup
MARK = "data-cut"  # the attribute that numbers a block (packager.pdf.weasyboxes.clean_starts)
PIECE = "data-piece"  # the attribute that numbers a piece of text of a long block
LONG_BLOCK = 20_000  # characters of markup: a block longer is cut into pieces (units)
# The rest of a paragraph that a run begins with (packager.pdf.weasyfixes).
CONTINUED = "data-continued"


@dataclass(frozen=True)
class Chapter:
    open: tuple[int, int]  # its start tag
    close: tuple[int, int]  # its end tag
    blocks: tuple[tuple[int, int], ...]  # each child element, start tag to end tag


@dataclass(frozen=True)
class StoryMap:
    html: str
    opener: tuple[int, int]  # <header class="opener">...</header>
    text_open_end: int  # just after <div class="story-text">
    text_close: tuple[int, int]  # its </div>
    story_close: int  # where the story's </section> begins
    chapters: tuple[Chapter, ...]

    @functools.cached_property
    def blocks(self) -> tuple[tuple[int, tuple[int, int]], ...]:
        """Every block of the story in order: (its chapter, its span)."""
        return tuple((i, span) for i, c in enumerate(self.chapters) for span in c.blocks)

    @functools.cached_property
    def units(self) -> tuple[Unit, ...]:
        """What runs are made of: each block, and each top-level piece of a block longer
        than LONG_BLOCK characters (a paragraph hundreds of pages long)."""
        found: list[Unit] = []
        for number, (_, span) in enumerate(self.blocks):
            pieces = _pieces(self.html, span) if span[1] - span[0] > LONG_BLOCK else None
            if pieces is None:
                found.append(Unit(number, -1, span[0], span[1], False))
            else:
                found += [Unit(number, i, a, b, plain) for i, (a, b, plain) in enumerate(pieces)]
        return tuple(found)

    @functools.cached_property
    def lookup(self) -> dict[tuple[int, int], int]:
        """The unit of each (block, piece); (block, -1): the block's first unit."""
        found: dict[tuple[int, int], int] = {}
        for index, unit in enumerate(self.units):
            found.setdefault((unit.block, -1), index)
            if unit.piece >= 0:
                found[unit.block, unit.piece] = index
        return found


@dataclass(frozen=True)
class Unit:
    block: int  # its block's number
    piece: int  # its place among the block's pieces; -1: the whole block
    start: int  # its span in the markup (a piece's text: without its <span> tags)
    end: int
    plain: bool  # a piece of text alone, where a run may begin (at a word)


def _pieces(html: str, span: tuple[int, int]) -> list[tuple[int, int, bool]] | None:
    """A block's content as pieces: runs of text, and elements at its top level; an
    element <span> without attributes holding only text counts as its text. None if the
    block has no content to cut (a void element)."""
    tag = _TAG.match(html, span[0])
    assert tag is not None
    if tag.group("close") or (tag.group("name") or "").lower() in VOID_NAMES:
        return None
    inside, stop = tag.end(), html.rfind("</", span[0], span[1])
    pieces: list[tuple[int, int, bool]] = []
    depth = 0
    element_start = 0
    tags_inside = 0
    last = inside
    for found in _TAG.finditer(html, inside, stop):
        if depth == 0 and found.start() > last:
            pieces.append((last, found.start(), True))
        last = found.end()
        name = found.group("name")
        if name is None or name.lower() in VOID_NAMES or found.group("close"):
            if depth == 0:
                pieces.append((found.start(), found.end(), False))
            else:
                tags_inside += 1
            continue
        if not found.group("end"):
            if depth == 0:
                element_start, tags_inside = found.start(), 0
                plain = name.lower() == "span" and not found.group("attrs").strip()
                open_end = found.end()
            else:
                tags_inside += 1
            depth += 1
            continue
        depth -= 1
        if depth == 0:
            if plain and tags_inside == 0:
                pieces.append((open_end, found.start(), True))
            else:
                pieces.append((element_start, found.end(), False))
        else:
            tags_inside += 1
    if stop > last:
        pieces.append((last, stop, True))
    return pieces or None


def _classes(attrs: str) -> set[str]:
    found = _CLASS.search(attrs)
    return set((found.group(1) or found.group(2) or "").split()) if found else set()


def map_story(html: str) -> StoryMap | None:
    """Where a story's opener, chapters and blocks are; None if the markup is not the
    template's (then the story is laid out whole)."""
    stack: list[tuple[str, int, str]] = []  # name, where its start tag begins, its role
    opener: tuple[int, int] | None = None
    text_open_end = -1
    text_close: tuple[int, int] | None = None
    story_close = -1
    chapters: list[Chapter] = []
    chapter_open: tuple[int, int] = (0, 0)
    blocks: list[tuple[int, int]] = []
    seen_story = False
    last = 0
    for tag in _TAG.finditer(html):
        between = html[last : tag.start()]
        last = tag.end()
        if stack and stack[-1][2] in ("chapter", "text") and between.strip():
            return None  # text directly in a chapter: no block to cut at
        name = tag.group("name")
        if name is None:
            continue  # a comment, a declaration
        name = name.lower().rpartition(":")[2]
        if not tag.group("end"):
            if name in _RAW:
                return None
            parent = stack[-1][2] if stack else ""
            classes = _classes(tag.group("attrs"))
            role = "inside" if parent else ""
            if not parent and name == "section" and "story" in classes and not seen_story:
                role, seen_story = "story", True
            elif parent == "story" and name == "header" and "opener" in classes:
                role = "opener"
            elif parent == "story" and name == "div" and "story-text" in classes:
                role = "text"
            elif parent == "text":
                if "chapter" not in classes:
                    return None
                role = "chapter"
            elif parent == "chapter":
                role = "block"
            if name in VOID_NAMES or tag.group("close"):
                if role == "block":
                    blocks.append((tag.start(), tag.end()))
                elif role not in ("", "inside"):
                    return None
                continue
            stack.append((name, tag.start(), role))
            if role == "text":
                text_open_end = tag.end()
            elif role == "chapter":
                chapter_open, blocks = (tag.start(), tag.end()), []
            continue
        if not stack or stack[-1][0] != name:
            return None  # not well formed
        _, start, role = stack.pop()
        if role == "opener":
            opener = (start, tag.end())
        elif role == "block":
            blocks.append((start, tag.end()))
        elif role == "chapter":
            chapters.append(Chapter(chapter_open, (tag.start(), tag.end()), tuple(blocks)))
        elif role == "text":
            text_close = (tag.start(), tag.end())
        elif role == "story":
            story_close = tag.start()
    if opener is None or text_close is None or story_close < 0 or not chapters or stack:
        return None
    return StoryMap(html, opener, text_open_end, text_close, story_close, tuple(chapters))


def _with_style(start_tag: str, declarations: str) -> str:
    """A start tag with declarations added to its style attribute (after its own)."""
    found = _STYLE.search(start_tag)
    if found:
        own = (found.group(1) or found.group(2) or "").strip().rstrip(";")
        value = f"{own}; {declarations}" if own else declarations
        return start_tag[: found.start()] + f' style="{value}"' + start_tag[found.end() :]
    end = len(start_tag) - (2 if start_tag.endswith("/>") else 1)
    return start_tag[:end] + f' style="{declarations}"' + start_tag[end:]


def _marked(start_tag: str, number: int) -> str:
    end = len(start_tag) - (2 if start_tag.endswith("/>") else 1)
    return start_tag[:end] + f' {MARK}="{number}"' + start_tag[end:]


def _start_tag(html: str, at: int) -> str:
    found = _TAG.match(html, at)
    assert found is not None
    return found.group(0)


def _opener_again(html: str) -> str:
    """The opener as a page of its own that sets the running heads' strings: no ids,
    no bookmarks, and a page break after it."""

    def tag(found: re.Match[str]) -> str:
        text = found.group(0)
        if found.group("name") is None or found.group("end"):
            return text
        return _with_style(_ID.sub("", text), "bookmark-level: none")

    again = _TAG.sub(tag, html)
    return (
        _with_style(_start_tag(again, 0), "break-after: page") + again[len(_start_tag(again, 0)) :]
    )


def slice_markup(story: StoryMap, first: int, end: int, char: int = 0) -> str:
    """The markup of units ``first`` to ``end`` (exclusive) of the story (``char``: from
    that character of the first unit's markup on), each block marked with its number
    (MARK), each plain piece of a long block with its place (PIECE).

    The first run holds the opener; the last, what follows the chapters (the
    story's notes). Any other run begins with a page to be thrown away: the
    opener again, so that the running heads have the story's strings, then a
    forced break, so that the run's first block is not on a ``:first`` page.
    The block before that one, if in the same chapter, stays, empty and not
    displayed, so that selectors such as ``p + p`` match as they did. The
    run's first block discards the top margin that the forced break would
    keep (``margin-break: discard``), as the unforced page break did. A run
    that begins inside a paragraph begins it without indent, without an id,
    and without its ``::first-line`` style.
    """
    html = story.html
    units = story.units
    blocks = story.blocks
    end = min(end, len(units))
    out = [html[: story.opener[0]]]
    continued = first > 0 and (char > 0 or units[first].piece > 0)
    if first == 0:
        out.append(html[story.opener[0] : story.opener[1]])
    out.append(html[story.opener[1] : story.text_open_end])
    chapter = -1
    at = first
    while at < end:
        number = units[at].block
        index, (start, stop) = blocks[number]
        if index != chapter:
            if chapter >= 0:
                out.append(_close(html, story.chapters[chapter]))
            chapter = index
            open_span = story.chapters[index].open
            out.append(html[open_span[0] : open_span[1]])
            if at == first > 0:
                out.append(_opener_again(html[story.opener[0] : story.opener[1]]))
                if number > 0 and blocks[number - 1][0] == index:
                    out.append(_hidden(html, blocks[number - 1][1]))
        tag = _start_tag(html, start)
        marked = _marked(tag, number)
        if at == first > 0:
            marked = _with_style(marked, "margin-break: discard")
        if at == first and continued:
            marked = _continued(marked)
        if units[at].piece < 0:
            out.append(marked + html[start + len(tag) : stop])
            at += 1
            continue
        out.append(marked)
        while at < end and units[at].block == number:
            unit = units[at]
            begin = unit.start + (char if at == first else 0)
            if unit.plain:
                out.append(f'<span {PIECE}="{unit.piece}">{html[begin : unit.end]}</span>')
            else:
                out.append(html[begin : unit.end])
            at += 1
        out.append(f"</{_start_name(tag)}>")
    out.append(_close(html, story.chapters[chapter]))
    if end == len(units):
        out.append(html[story.text_close[0] :])
    else:
        out.append(html[story.text_close[0] : story.text_close[1]])
        out.append(html[story.story_close :])
    return "".join(out)


def _start_name(tag: str) -> str:
    found = _TAG.match(tag)
    assert found is not None
    return str(found.group("name"))


def _continued(start_tag: str) -> str:
    """The start tag of a paragraph's rest: no id, no first-line indent, marked continued."""
    tag = _with_style(_ID.sub("", start_tag), "text-indent: 0 !important")
    return tag[:-1] + f' {CONTINUED}="">'


def _close(html: str, chapter: Chapter) -> str:
    return html[chapter.close[0] : chapter.close[1]]


def _hidden(html: str, span: tuple[int, int]) -> str:
    """A block's start tag without id, not displayed, and closed at once (no text)."""
    found = _TAG.match(html, span[0])
    assert found is not None
    name = found.group("name")
    tag = _with_style(_ID.sub("", found.group(0)), "display: none !important")
    if tag.endswith("/>") or name.lower() in VOID_NAMES:
        return tag
    return f"{tag}</{name}>"
