"""Font stacks with packager's fallbacks: what the PDF draws each piece of text with.

A stylesheet names its families (``"Source Serif Pro", Georgia, serif``); the
PDF renderer (packager.pdf.weasy) asks this module for the list it really
uses, given the text's language: the embedded families the stack opens with,
then the book's other embedded families (a display face's text falls back to
the theme's text face before anything else), then the script fallbacks the
book needs (packager.book.fallbacks), those meant for the language first, and
last the rest of the stack (Chinese, Japanese and Korean text opens with its own
face instead). So a character the theme's faces lack is drawn by
a font packager embeds, never by whatever the machine has installed: the same
book on any machine gives the same PDF.
"""

from __future__ import annotations

from collections.abc import Sequence

from packager.book.fallbacks import meant_for, ordered
from packager.model import Fallback
from packager.text.languages import is_cjk

# CSS Fonts 4's generic families: the machine's fonts, so the fallbacks go before them.
GENERIC = frozenset({
    "serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "emoji", "math",
    "fangsong", "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded",
})  # fmt: skip


def stack(
    families: Sequence[str],
    language: str,
    declared: Sequence[str],
    fallbacks: Sequence[Fallback],
) -> list[str]:
    """``families`` with the book's own faces after the embedded ones they open with.

    ``declared`` are the families the book's @font-face rules give (the theme's,
    the editor's and the fallbacks'), in the order the stylesheets give them.
    """
    if not fallbacks:
        return list(families)
    names = [f.family for f in ordered(fallbacks, language)]
    embedded = [d for d in declared if d not in names]
    lead = 0
    while lead < len(families) and families[lead] in embedded:
        lead += 1
    if lead == 0:  # a stack of the machine's fonts: packager's come before the generic
        lead = next((i for i, f in enumerate(families) if f.lower() in GENERIC), len(families))
    head = list(families[:lead])
    others = [d for d in embedded if d not in head]
    rest = [f for f in families[lead:] if f not in names]
    if is_cjk(language):
        # Chinese, Japanese and Korean text is set in its own face, Latin letters and
        # digits included, as its typesetters do: the marks it shares with Latin (“ ” ‘ ’
        # … —) are full-width there, and half-width in the theme's face.
        closest = ordered(fallbacks, language)[0]
        if meant_for(closest, language):
            own = closest.family
            return [own, *head, *others, *(n for n in names if n != own), *rest]
    return [*head, *others, *names, *rest]
