"""A story whose footnote is too long for the foot of a page: its notes at its end.

WeasyPrint 70 never splits a footnote across pages: it moves a note that
does not fit, whole, to the next page (its issue #1833), with the line that
calls it (footnote-policy: line), and one taller than the page overflows it,
its last lines cut off. packager.pdf.weasy measures every laid-out note; a
story with one taller than half its page's text area would leave half-empty
pages, or worse, so it is laid out again from ``Part.print_fallback`` (the
same story with its notes at its end, packager.book.notes) and the build
says so, as information.

A footnote WeasyPrint put on another page than its call's (weasyboxes.strays:
a paragraph that breaks across the page's end pushed it on) is brought back
by laying the story out again with that paragraph kept whole on the next
page (it begins that page), a few rounds at most (the next page's end moves
too); the build says how many paragraphs were moved, as information, only
when that brought notes back to their calls' pages.
"""

from __future__ import annotations

import dataclasses

from packager.pdf import slices
from packager.pdf.weasy import RenderedPart, Renderer

# The message that says a story's notes were printed at its end: information, not a problem.
NOTES_MOVED = "notes printed at the end of the story: "
PARAGRAPHS_MOVED = "footnotes kept on their calls' pages: "
SAID = (NOTES_MOVED, PARAGRAPHS_MOVED)  # what the build says of each story, as information
_ROUNDS = 3  # layouts after the first, at most


def render_story(
    renderer: Renderer, html: str, fallback: str, href: str, left: bool
) -> RenderedPart:
    """A story without folios; with its notes at its end if one is too long for a page's foot.

    A very long story is laid out in runs of its blocks (packager.pdf.slices).
    """

    def lay(markup: str, verso: bool, cuts: bool) -> RenderedPart:
        part = renderer.render(markup, href, folios=False, left=verso, cuts=cuts)
        return _notes_with_calls(renderer, part, markup, href, verso, cuts)

    tagged = renderer.variant is not None
    part = slices.lay_out(html, left, lay, tagged)
    if not part.long_notes or not fallback:
        return part
    again = slices.lay_out(fallback, left, lay, tagged)
    count = len(part.long_notes)
    said = f"{NOTES_MOVED}{count} note{'s' if count > 1 else ''} too long for the foot of a page"
    return dataclasses.replace(again, messages=(*again.messages, said))


def _notes_with_calls(
    renderer: Renderer, part: RenderedPart, html: str, href: str, left: bool, cuts: bool
) -> RenderedPart:
    """The part again with the paragraphs moved on that took notes off their calls' pages,
    while that brings notes back; the best layout found (fewest notes off their page)."""
    best: RenderedPart = part
    tried: tuple[int, ...] = ()
    for _ in range(_ROUNDS):
        if not best.strays or best.turned == tried:
            break
        tried = best.turned
        again = renderer.render(html, href, folios=False, left=left, turned=tried, cuts=cuts)
        if again.strays >= best.strays:
            break
        best = again
    if best is part:
        return part
    count = len(tried)
    said = f"{PARAGRAPHS_MOVED}{count} paragraph{'s' if count > 1 else ''} begun on the next page"
    return dataclasses.replace(best, messages=(*best.messages, said))
