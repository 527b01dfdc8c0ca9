"""What a template sees of a story: its title, byline, facts (in the book's words) and chapters.

A story in another language than the book's carries its lang (and dir, when it is
written the other way) on its section; the opener's labels are the book's words,
so they carry the book's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from packager.book.labels import Labels
from packager.book.notes import EPUB, FOOTNOTES, PRINT, render_notes
from packager.model import PlacedStory
from packager.text import html, locales
from packager.text.languages import is_cjk

# The story facts on an opener: (label key, StoryMeta field).
_FACTS = (
    ("rating", "rating"),
    ("warnings", "warnings"),
    ("fandoms", "fandoms"),
    ("relationships", "relationships"),
    ("characters", "characters"),
    ("tags", "tags"),
    ("series", "series"),
    ("source", "source_url"),
)


def story_view(
    placed: PlacedStory,
    link: Callable[[str, str], str],
    labels: Labels,
    pdf: bool = False,
    notes: str = FOOTNOTES,
) -> dict[str, Any]:
    """``notes``: FOOTNOTES or ENDNOTES (packager.book.notes), where the story's notes go."""
    story, meta = placed.story, placed.story.meta
    facts = []
    for key, name in _FACTS:
        value = getattr(meta, name)
        if isinstance(value, tuple):
            value = ", ".join(value)
        if value:
            facts.append((labels.text(key), value))
    facts.append((labels.text("words"), labels.number(story.words)))
    if len(story.chapters) > 1:
        facts.append((labels.text("chapters"), labels.number(len(story.chapters))))
    book_language = labels.language
    # A joining script (Arabic, Syriac...) has no raised initial: set apart from its
    # word, the letter would lose the form that joins it to the next one.
    # Chinese, Japanese and Korean open a story with its first character as it is
    # (no capitals, and an ideograph set large reads as a heading).
    initial = not locales.joins(meta.language or book_language) and not is_cjk(
        meta.language or book_language
    )
    language = meta.language if meta.language and meta.language != book_language else ""
    direction = locales.direction(language) if language else labels.direction
    # WeasyPrint 70 ignores dir="auto", <bdi> and unicode-bidi: isolate (the EPUB's
    # isolation), but its text shaper (Pango) honours Unicode's isolates: in the PDF a
    # title and byline of the other direction are wrapped in FSI ... PDI, so that its
    # neutral characters ('!', digits) stay with it in the contents and running heads.
    isolate = pdf and direction != labels.direction
    texts = [
        html.mark_initial(c.html) if i == 0 and initial else c.html
        for i, c in enumerate(story.chapters)
    ]
    flavor = PRINT if pdf else EPUB
    pairs = list(zip(story.chapters, texts, strict=True))
    noted = render_notes(pairs, placed.id, flavor, notes, labels.text("notes"))
    return {
        "id": placed.id,
        "link": link(placed.href, placed.id),
        "language": meta.language,
        # The story's own language and direction where they are not the book's: on
        # its section, and (lang only) on its title in the contents.
        "attrs": _attrs(language, direction if direction != labels.direction else ""),
        "title_attrs": _attrs(language, ""),
        # The labels are the book's words: in a story of another language they say so.
        "label_attrs": _attrs(
            book_language if language else "",
            labels.direction if direction != labels.direction else "",
        ),
        "disclaimer": Markup(meta.disclaimer_html),
        "title": _isolated(meta.title) if isolate else meta.title,
        "authors": tuple(_isolated(a) for a in meta.authors) if isolate else meta.authors,
        "facts": facts,
        "summary": Markup(meta.summary_html),
        "notes": Markup(meta.notes_html),
        "end_notes": Markup(meta.end_notes_html),
        "endnotes": Markup(noted.end),
        "chapters": [
            {
                "id": cid,
                "title": c.title,
                # The first paragraph carries the opener's initial and lead-in.
                "html": Markup(text),
                "notes": Markup(c.notes_html),
                "end_notes": Markup(c.end_notes_html),
            }
            for c, cid, text in zip(story.chapters, placed.chapter_ids, noted.chapters, strict=True)
        ],
    }


def _isolated(text: str) -> str:
    """FIRST STRONG ISOLATE, the text, POP DIRECTIONAL ISOLATE."""
    return f"\u2068{text}\u2069" if text else text


def _attrs(language: str, direction: str) -> Markup:
    """' lang="he" xml:lang="he" dir="rtl"', each part only when given."""
    out = f' lang="{language}" xml:lang="{language}"' if language else ""
    out += f' dir="{direction}"' if direction else ""
    return Markup(out)  # a BCP 47 tag (checked by the schema and the readers) and ltr/rtl
