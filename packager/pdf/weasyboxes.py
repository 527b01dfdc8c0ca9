"""What WeasyPrint's laid-out box tree says about a part: its pages' text, its footnotes
too tall for a page's foot, and the paragraphs to begin on a new page so that each
footnote stays on the page of its call.

Reads ``Page._page_box`` (WeasyPrint 70 keeps it on each page but does not
document it): a page box's last children are its footnote area, whose children
are the notes; every box names the element it was made from.
"""

from __future__ import annotations

from collections.abc import Iterator

from packager.pdf import weasyload  # noqa: F401  (first: WeasyPrint's libraries, opened fast)

# isort: split
from weasyprint import Document
from weasyprint.formatting_structure import boxes

from packager.pdf import textstream

# A footnote taller than this share of the page's text area is printed at the story's end.
MAX_NOTE_SHARE = 0.5
# What may be kept whole: blocks of lines, never a section or a story.
_PARAGRAPHS = frozenset(
    {"p", "li", "dd", "dt", "pre", "blockquote", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def long_notes(document: Document) -> tuple[str, ...]:
    """The ids of the footnotes taller than MAX_NOTE_SHARE of their page's text area."""
    found: list[str] = []
    for page in document.pages:
        box = page._page_box
        limit = box.height * MAX_NOTE_SHARE
        for area in _footnote_areas(box):
            for note in area.children:
                if note.margin_height() > limit and note.element is not None:
                    found.append(str(note.element.get("id") or ""))
    return tuple(dict.fromkeys(found))


def page_texts(document: Document) -> list[list[str]]:
    """The text of each page's text boxes in layout order, without margin boxes and
    generated content (``::before``, ``::marker``...): the document's own text."""
    pages = []
    for page in document.pages:
        texts: list[str] = []
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.MarginBox | boxes.FootnoteAreaBox):
                continue  # folios and heads; footnotes (the text stream skips them too)
            if isinstance(box, boxes.TextBox):
                if "::" not in (box.element_tag or ""):
                    texts.append(box.text)
            elif isinstance(box, boxes.ParentBox):
                stack.extend(reversed(box.children))
        pages.append(texts)
    return pages


def strays(document: Document, root: object) -> tuple[tuple[int, ...], int]:
    """The paragraphs to begin on the next page, and how many footnotes are off their
    call's page.

    WeasyPrint 70 (its issues #2502 and #1564), laying out a paragraph that
    breaks across a page, moves footnotes already on that page to the next
    one to make room for the paragraph's lines (layout/block.py,
    ``_linebox_layout``: "report footnotes" when fewer lines than ``orphans``
    would stay), away from their calls, and never brings them back, even when
    the paragraph then goes to the next page (``break-inside: avoid`` does
    not help: tried). The paragraph that begins on that page and breaks
    across its end is the one to begin on the next page instead: the layout
    before it is the same, and the notes keep the room it took. Paragraphs
    are named by their place among ``root``'s elements in document order
    (``root`` is the part's parsed document, ``HTML.etree_element``).
    """
    order = {id(el): i for i, el in enumerate(root.iter())}  # type: ignore[attr-defined]
    note_page: dict[str, int] = {}
    call_page: dict[str, int] = {}
    paragraphs: list[set[int]] = []
    first: dict[int, int] = {}  # a paragraph -> the page it begins on
    for number, page in enumerate(document.pages):
        box = page._page_box
        for area in _footnote_areas(box):
            for note in area.children:
                if note.element is not None and note.element.get("id"):
                    note_page.setdefault(str(note.element.get("id")), number)
        here: set[int] = set()
        for inner in _flow(box):
            element = inner.element
            if element is None:
                continue
            if isinstance(inner, boxes.InlineBox) and inner.element_tag == "a":
                href = str(element.get("href") or "")
                if href.startswith("#"):
                    call_page.setdefault(href[1:], number)
            elif _holds_lines(inner) and id(element) in order:
                here.add(order[id(element)])
                first.setdefault(order[id(element)], number)
        paragraphs.append(here)
    turned: list[int] = []
    off = 0
    for name, at in note_page.items():
        called = call_page.get(name)
        if called is None or called == at:
            continue
        off += 1
        end = min(called, at)  # the page whose end the note should not have crossed
        if end + 1 < len(paragraphs):
            split = paragraphs[end] & paragraphs[end + 1]
            turned.extend(sorted(p for p in split if first[p] == end))
    return tuple(dict.fromkeys(turned)), off


def _footnote_areas(page: boxes.PageBox) -> Iterator[boxes.FootnoteAreaBox]:
    for child in page.children:
        if isinstance(child, boxes.FootnoteAreaBox):
            yield child


def _flow(box: boxes.Box) -> Iterator[boxes.Box]:
    """A page's boxes in layout order, without its margin boxes and footnote area."""
    stack = [box]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.MarginBox | boxes.FootnoteAreaBox):
            continue
        yield box
        if isinstance(box, boxes.ParentBox):
            stack.extend(reversed(box.children))


def _holds_lines(box: boxes.Box) -> bool:
    """A paragraph: a block that holds lines, of an element that is one (an anonymous
    block, made for the text of a <section>, names the section)."""
    return (
        isinstance(box, boxes.BlockBox)
        and box.element_tag in _PARAGRAPHS
        and any(isinstance(c, boxes.LineBox) for c in box.children)
    )


Cut = tuple[int, int, int, int, str]  # page, block, piece (-1: none), text before, text


def clean_starts(document: Document, mark: str, piece: str) -> tuple[Cut, ...]:
    """The pages a layout may be cut at: (page, block, -1, 0, "") for a page that begins
    with a block of its own, (page, block, piece, count, text) for one that begins inside
    a piece of text of a block (elements with the attribute ``piece``): ``count`` of the
    piece's characters (textstream.significant) are on the pages before, and ``text`` is
    the page's first text.

    A block is an element with the attribute ``mark`` (its number,
    packager.pdf.storymarkup); it begins on a page when it was not on the page
    before (not the rest of a block broken across the pages). No footnote on
    a page that qualifies, or after it, is called from a page before it: the
    pages before it are a layout of their own.
    """
    found: list[Cut] = []
    before: set[int] = set()  # the blocks on the page before
    seen: dict[int, int] = {}  # characters of each piece on the pages so far
    note_page: dict[str, int] = {}
    call_page: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        box = page._page_box
        for area in _footnote_areas(box):
            for note in area.children:
                if note.element is not None and note.element.get("id"):
                    note_page.setdefault(str(note.element.get("id")), number)
        here: set[int] = set()
        first: tuple[int, int] | None = None  # the page's first block: its element, number
        text: tuple[int, int, str] | None = None  # its first text: element, piece, text
        counted: dict[int, int] = {}
        for inner in _flow(box):
            element = inner.element
            if element is None:
                continue
            if isinstance(inner, boxes.InlineBox) and inner.element_tag == "a":
                href = str(element.get("href") or "")
                if href.startswith("#"):
                    call_page.setdefault(href[1:], number)
            value = element.get(mark)
            if value is not None and isinstance(inner, boxes.BlockLevelBox):
                here.add(id(element))
                if first is None:
                    first = (id(element), int(value))
            if isinstance(inner, boxes.TextBox) and "::" not in (inner.element_tag or ""):
                place = element.get(piece)
                if text is None:
                    text = (id(element), -1 if place is None else int(place), inner.text)
                if place is not None:
                    length = len(textstream.significant(inner.text))
                    counted[id(element)] = counted.get(id(element), 0) + length
        if first is not None and first[0] not in before:
            found.append((number, first[1], -1, 0, ""))
        elif first is not None and text is not None and text[1] >= 0:
            found.append((number, first[1], text[1], seen.get(text[0], 0), text[2]))
        for owner, length in counted.items():
            seen[owner] = seen.get(owner, 0) + length
        before = here
    crossing = [(call_page[n], at) for n, at in note_page.items() if call_page.get(n, at) < at]
    return tuple(c for c in found if not any(a < c[0] <= at for a, at in crossing))
