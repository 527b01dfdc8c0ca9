"""Long runs of text cut into spans for print: the layout of a huge paragraph stays linear.

WeasyPrint 70 lays a paragraph out line by line, and for each line it hands
Pango the rest of the *text box* (one text node): it encodes it, lays it out
whole to find the first line's end, and at drawing time lays it out again.
A story on one line, 2 MB of text in one node, costs time that grows with
the square of its length (a 2 MB line took eight minutes). Cut into spans of
about RUN characters, each line costs what the rest of its span costs, and
the whole paragraph time in proportion to its length (bench/shapes.py).

The spans carry no class and no style: the page is the same, the text
stream is the same characters, only the PDF's layout work changes. The cut
is made after a space (or CJK punctuation), so no word, entity or ligature
is split.
"""

from __future__ import annotations

import re

RUN = 1000  # characters per span; a line is 60 to 90
_LONG = re.compile(r"(?<=>)[^<]{" + str(2 * RUN) + r",}")
_NOT_TEXT = re.compile(r"<(style|script|title|textarea)\b[^>]*>$", re.I)
# Where a run may be cut: after a space, or after CJK punctuation (text without spaces).
_CUT = re.compile("[ \u3001\u3002\uff0c\uff0e\uff01\uff1f]")


def in_spans(document: str) -> str:
    """Print markup with every text node longer than 2 * RUN characters cut into spans."""
    if not _LONG.search(document):
        return document

    def cut(match: re.Match[str]) -> str:
        start = match.start()
        tag = document[document.rfind("<", 0, start) : start]
        if _NOT_TEXT.match(tag):
            return match.group(0)
        pieces = _pieces(match.group(0))
        return "".join(f"<span>{p}</span>" if i % 2 else p for i, p in enumerate(pieces))

    return _LONG.sub(cut, document)


def _pieces(text: str) -> list[str]:
    """The text in pieces of about RUN characters, each ending after a space (or 。)."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > RUN:
        cut = _CUT.search(text, start + RUN)
        if cut is None:
            break
        pieces.append(text[start : cut.end()])
        start = cut.end()
    pieces.append(text[start:])
    return pieces
