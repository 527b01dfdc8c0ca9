"""A story whose footnote is too long for the foot of a page: its notes at its end.

WeasyPrint 70 never splits a footnote across pages: it moves a note that
does not fit, whole, to the next page (its issue #1833), with the line that
calls it (footnote-policy: line), and one taller than the page overflows it,
its last lines cut off. packager.pdf.weasy measures every laid-out note; a
story with one taller than half its page's text area would leave half-empty
pages, or worse, so it is laid out again from ``Part.print_fallback`` (the
same story with its notes at its end, packager.book.notes) and the build
says so, as information.
"""

from __future__ import annotations

import dataclasses

from packager.pdf.weasy import RenderedPart, Renderer

# The message that says a story's notes were printed at its end: information, not a problem.
NOTES_MOVED = "notes printed at the end of the story: "


def render_story(
    renderer: Renderer, html: str, fallback: str, href: str, left: bool
) -> RenderedPart:
    """A story without folios; with its notes at its end if one is too long for a page's foot."""
    part = renderer.render(html, href, folios=False, left=left)
    if not part.long_notes or not fallback:
        return part
    again = renderer.render(fallback, href, folios=False, left=left)
    count = len(part.long_notes)
    said = f"{NOTES_MOVED}{count} note{'s' if count > 1 else ''} too long for the foot of a page"
    return dataclasses.replace(again, messages=(*again.messages, said))
