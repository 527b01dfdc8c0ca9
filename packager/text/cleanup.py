"""The clean stage: typographer's punctuation everywhere a reader sees text.

Pure: a Story in, a Story out. Readers have already made the structure
(paragraphs, chapters, scene breaks); this stage finishes the characters and
counts the words.
"""

from __future__ import annotations

import dataclasses
import re

from packager.model import Story, StoryMeta
from packager.text import html, notes
from packager.text.typography import smarten_blocks, smarten_text

_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")


def clean(story: Story) -> Story:
    """Return the story with curly quotes, dashes and ellipses, and its word count."""
    chapters = tuple(
        dataclasses.replace(
            c,
            title=smarten_text(c.title) if c.title else c.title,
            html=html.map_text(c.html, smarten_blocks),
            notes_html=html.map_text(c.notes_html, smarten_blocks),
            end_notes_html=html.map_text(c.end_notes_html, smarten_blocks),
            footnotes=tuple(
                dataclasses.replace(n, html=html.map_text(n.html, smarten_blocks))
                for n in c.footnotes
            ),
        )
        for c in story.chapters
    )
    # A story's words are its text's and its footnotes' (the calls' numbers are not words).
    words = sum(
        count_words(html.text_of(notes.CALL.sub("", c.html)))
        + sum(count_words(html.text_of(n.html)) for n in c.footnotes)
        for c in chapters
    )
    return dataclasses.replace(story, meta=_clean_meta(story.meta), chapters=chapters, words=words)


def count_words(text: str) -> int:
    """Words as a reader counts them: "don't" and "p-p-please" are one word each."""
    return len(_WORD.findall(text))


def _clean_meta(meta: StoryMeta) -> StoryMeta:
    return dataclasses.replace(
        meta,
        title=smarten_text(meta.title),
        authors=tuple(smarten_text(a) for a in meta.authors),
        summary_html=html.map_text(meta.summary_html, smarten_blocks),
        notes_html=html.map_text(meta.notes_html, smarten_blocks),
        end_notes_html=html.map_text(meta.end_notes_html, smarten_blocks),
        author_bio_html=html.map_text(meta.author_bio_html, smarten_blocks),
        warnings=tuple(smarten_text(w) for w in meta.warnings),
        fandoms=tuple(smarten_text(f) for f in meta.fandoms),
        relationships=tuple(smarten_text(r) for r in meta.relationships),
        characters=tuple(smarten_text(c) for c in meta.characters),
        tags=tuple(smarten_text(t) for t in meta.tags),
    )
