"""The clean stage: typographer's punctuation everywhere a reader sees text.

Pure: a Story in, a Story out. Readers have already made the structure
(paragraphs, chapters, scene breaks); this stage finishes the characters and
counts the words.
"""

from __future__ import annotations

import dataclasses

from packager.model import Story, StoryMeta
from packager.text import html, notes
from packager.text.typography import smarten_text, smartener
from packager.text.words import count_words

__all__ = ["clean", "count_words"]


def clean(story: Story, language: str = "en") -> Story:
    """Return the story with its language's quotes, dashes and ellipses, and its word count.

    The language is the story's own (front matter), else ``language``, the book's.
    """
    lang = story.meta.language or language
    blocks = smartener(lang)
    chapters = tuple(
        dataclasses.replace(
            c,
            title=smarten_text(c.title, lang) if c.title else c.title,
            html=html.map_text(c.html, blocks),
            notes_html=html.map_text(c.notes_html, blocks),
            end_notes_html=html.map_text(c.end_notes_html, blocks),
            footnotes=tuple(
                dataclasses.replace(n, html=html.map_text(n.html, blocks)) for n in c.footnotes
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
    meta = _clean_meta(story.meta, lang)
    return dataclasses.replace(story, meta=meta, chapters=chapters, words=words)


def _clean_meta(meta: StoryMeta, lang: str) -> StoryMeta:
    blocks = smartener(lang)

    def text(value: str) -> str:
        return smarten_text(value, lang)

    return dataclasses.replace(
        meta,
        title=text(meta.title),
        authors=tuple(text(a) for a in meta.authors),
        summary_html=html.map_text(meta.summary_html, blocks),
        notes_html=html.map_text(meta.notes_html, blocks),
        end_notes_html=html.map_text(meta.end_notes_html, blocks),
        author_bio_html=html.map_text(meta.author_bio_html, blocks),
        warnings=tuple(text(w) for w in meta.warnings),
        fandoms=tuple(text(f) for f in meta.fandoms),
        relationships=tuple(text(r) for r in meta.relationships),
        characters=tuple(text(c) for c in meta.characters),
        tags=tuple(text(t) for t in meta.tags),
    )
