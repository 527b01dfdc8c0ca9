"""Anthologies with notes in every format, for the EPUB and PDF tests.

Each story has a few pages of text; the paragraph that calls note N ends its
sentence with the word ``callN`` just before the call, and note N begins with
the word ``noteN`` (in a story whose id is ``sK``: ``sKcallN``, ``sKnoteN``),
so a test finds a call's page and its note's page by those words.
"""

from __future__ import annotations

from pathlib import Path

from wordfiles import WordStory, write_docx

_TEXT = (
    "the harbour lights went out one by one while the ferry waited at the quay and "
    "nobody on board said a word about the weather or the late hour"
)
_WORDS = tuple(_TEXT.split())


def filler(seed: int, count: int) -> str:
    return " ".join(_WORDS[(seed * 7 + i) % len(_WORDS)] for i in range(count))


def markdown_story(key: str, notes: int, paragraphs: int = 14) -> str:
    body = [f"# The {key.upper()} Story\n"]
    every = max(1, paragraphs // notes)
    n = 0
    for i in range(paragraphs):
        text = filler(i, 70).capitalize()
        if i % every == 0 and n < notes:
            n += 1
            text += f" {key}call{n}.[^n{n}] {filler(i + 3, 20)}"
        body.append(text + ".")
    for i in range(1, n + 1):
        body.append(f"[^n{i}]: {key}note{i} {filler(i, 12)}.")
    return "\n\n".join(body) + "\n"


def html_story(key: str, notes: int, paragraphs: int = 14) -> str:
    every = max(1, paragraphs // notes)
    body, items = [], []
    n = 0
    for i in range(paragraphs):
        text = filler(i, 70).capitalize()
        if i % every == 0 and n < notes:
            n += 1
            text += (
                f' {key}call{n}.<sup><a href="#fn{n}" id="ref{n}">{n}</a></sup> {filler(i + 3, 20)}'
            )
            items.append(
                f'<li id="fn{n}">{key}note{n} {filler(i, 12)}. <a href="#ref{n}">↩</a></li>'
            )
        body.append(f"<p>{text}.</p>")
    return (
        f"<!DOCTYPE html><html><head><title>The {key.upper()} Story</title></head><body>"
        f"<h1>The {key.upper()} Story</h1>{''.join(body)}<hr/><h3>Notes</h3>"
        f"<ol>{''.join(items)}</ol></body></html>"
    )


def word_story(path: Path, key: str, notes: int, paragraphs: int = 14) -> Path:
    """Footnotes, and the last note an endnote (Word's two kinds)."""
    every = max(1, paragraphs // notes)
    blocks: list[str | object] = []
    n = 0
    for i in range(paragraphs):
        text = filler(i, 70).capitalize()
        if i % every == 0 and n < notes:
            n += 1
            kind = "en" if n == notes else "fn"
            text += f" {key}call{n}.{{{kind}:{key}note{n} {filler(i, 12)}.}} {filler(i + 3, 20)}"
        blocks.append(text + ".")
    return write_docx(path, WordStory(f"The {key.upper()} Story", blocks))  # type: ignore[arg-type]


def notes_anthology(source: Path, notes: str | None = None) -> Path:
    """Three stories, one per format, each with four notes; ``notes``: collection.toml's key."""
    source.mkdir(parents=True, exist_ok=True)
    toml = 'title = "Notes"\nauthors = ["An Editor"]\n'
    if notes:
        toml += f'notes = "{notes}"\n'
    (source / "collection.toml").write_text(toml, encoding="utf-8")
    (source / "01-md.md").write_text(markdown_story("sa", 4), encoding="utf-8")
    word_story(source / "02-word.docx", "sb", 4)
    (source / "03-page.html").write_text(html_story("sc", 4), encoding="utf-8")
    return source
