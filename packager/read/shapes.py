"""What a paragraph of a plain-text story is: site debris, a title, a letter, an indented block.

The line recognisers (packager.read.recognize) look at one line; these look at
paragraphs and at runs of them, as the text reader walks the story.
"""

from __future__ import annotations

from packager.read import recognize
from packager.read.paragraphs import Para

_TITLE_MAX = 100


def debris(text: str) -> str | None:
    """What kind of site debris a line is, if it is any."""
    if recognize.is_counter_line(text):
        return "site counters"
    if recognize.is_leftover_line(text):
        return "site buttons"
    if recognize.is_position_line(text):
        return "chapter navigation"
    return None


def title_like(para: Para) -> bool:
    text = para.plain
    if len(para.lines) != 1 or not text or len(text) > _TITLE_MAX or para.is_heading:
        return False
    if text.endswith((".", ",", ";", ":", '"', "'", "\u201d", "\u2019")) and not text.endswith(
        ".."
    ):
        return False
    if text.startswith(('"', "'", "\u201c", "\u2018", "-", "(")):
        return False
    return not (
        recognize.chapter_heading(text)
        or recognize.byline(text)
        or recognize.header_field(text)
        or recognize.note_kind(text)
        or recognize.is_scene_break(text)
        or recognize.is_end_mark(text)
    )


def quote_blocks(paras: list[Para], wrapped: bool) -> list[tuple[int, int]]:
    """Runs of paragraphs that are letters or indented blocks: (first, last) index pairs."""
    blocks: list[tuple[int, int]] = []
    indents = [p.indent for p in paras]
    # The story's own indentation: the least that a quarter of its paragraphs use.
    usual = min((i for i in set(indents) if indents.count(i) * 4 >= len(indents)), default=0)
    deep = [p.indent >= usual + 2 and not recognize.is_scene_break(p.plain) for p in paras]
    if wrapped or sum(deep) > 0.6 * len(paras):
        deep = [False] * len(paras)  # indentation is the paragraph style here, not a quote
    i = 0
    while i < len(paras):
        if not deep[i]:
            i += 1
            continue
        first = last = i
        j = i + 1
        while j < len(paras):
            if deep[j]:
                last = j
            elif not (j + 1 < len(paras) and deep[j + 1]):
                break  # one plain paragraph between indented ones stays inside
            j += 1
        if first > 0 and recognize.is_salutation(paras[first - 1].plain):
            first -= 1
        if last + 1 < len(paras) and _sign_off(paras[last + 1]):
            last += 1
            if last + 1 < len(paras) and _signature(paras[last + 1]):
                last += 1
        blocks.append((first, last))
        i = last + 1
    return blocks + _letters(paras, blocks)


def _letters(paras: list[Para], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Unindented letters: paragraphs ending in a valediction ('With Love,').

    The letter starts after a salutation, or at a paragraph set off by two or
    more blank lines, at most twelve paragraphs back; without one of those the
    text stays as it is.
    """
    used = {i for first, last in taken for i in range(first, last + 1)}
    found: list[tuple[int, int]] = []
    for end, para in enumerate(paras):
        if end in used or end == 0 or not recognize.is_valediction(para.plain):
            continue
        for start in range(end - 1, max(-1, end - 13), -1):
            if start in used:
                break
            if recognize.is_salutation(paras[start].plain) or paras[start].blank_before >= 2:
                last = end + 1 if end + 1 < len(paras) and _signature(paras[end + 1]) else end
                found.append((start, last))
                used.update(range(start, last + 1))
                break
    return found


def _sign_off(para: Para) -> bool:
    text = para.plain
    if para.is_heading or recognize.chapter_heading(text):
        return False
    return recognize.is_valediction(text) or (
        len(para.lines) == 1
        and len(text) <= 80
        and not text.endswith((".", "!", "?", '"', "\u201d"))
        and not recognize.is_scene_break(text)
    )


def _signature(para: Para) -> bool:
    """A name under a letter's closing line: one to three capitalised words."""
    words = para.plain.rstrip(".").split()
    if para.is_heading or recognize.chapter_heading(para.plain):
        return False
    return 0 < len(words) <= 3 and all(w[:1].isupper() for w in words) and len(para.lines) == 1
