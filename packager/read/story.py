"""Story files to Story objects: one reader per format, chosen by extension."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from pathlib import Path

from packager.errors import StoryError, error, warning
from packager.model import Change, Chapter, Diagnostic, Severity, Story, StoryMeta
from packager.paths import readable
from packager.read import blank, markdown, sitetext, sniff, txt
from packager.read.body import Body
from packager.read.docx import read_docx
from packager.read.epub import read_epub
from packager.read.frontmatter import FrontMatter, split_front_matter
from packager.read.images import resolve_images
from packager.read.meta import apply, meta_updates
from packager.read.paragraphs import inline
from packager.read.source import MAX_STORY_BYTES, SourceText, decode
from packager.read.webpage import read_html
from packager.text import forbidden, html, hygiene, notes, sanitize
from packager.text.languages import language_tag

FORMATS = {
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".txt": "plain text",
    ".html": "HTML",
    ".htm": "HTML",
    ".docx": "Word",
    ".epub": "EPUB",
}
_HTML = (".html", ".htm")
_MARKUP = (".md", ".markdown", *_HTML)  # formats whose character references are read
_BINARY = (".docx", ".epub")  # zip containers: read as bytes, no front matter
# Files that often sit beside stories but are not stories.
NOT_STORIES = frozenset({"readme", "license", "licence", "changelog", "contributing"})


def is_story_file(path: Path) -> bool:
    return (
        path.suffix.lower() in FORMATS
        and path.stem.lower() not in NOT_STORIES
        and not path.name.startswith((".", "_"))
    )


def read_story(path: Path, root: Path, file: str) -> Story:
    """Read one story file; raise StoryError listing every problem with file:line."""
    return read_stories(path, root, file)[0]


def read_stories(path: Path, root: Path, file: str, split: bool = False) -> tuple[Story, ...]:
    """The story of a file; with ``split``, each work of an EPUB that holds several."""
    try:
        return _read_stories(path, root, file, split)
    except sanitize.TooDeep as exc:
        raise StoryError([error(str(exc), file, exc.line)]) from None


def _read_stories(path: Path, root: Path, file: str, split: bool) -> tuple[Story, ...]:
    try:
        if path.stat().st_size > MAX_STORY_BYTES:  # refused before it is read
            raise StoryError([error(f"file is larger than {MAX_STORY_BYTES // 2**20} MiB", file)])
        data = path.read_bytes()
    except OSError as exc:
        raise StoryError([f"{file}: cannot read ({exc.strerror})"]) from None
    suffix = path.suffix.lower()
    sniff.refuse_binary(data, suffix, file)
    if suffix in _BINARY:
        source = SourceText("", suffix[1:], (), ())
        front = FrontMatter()
    else:
        source = decode(data, file, markup=suffix in _MARKUP)
        front = split_front_matter(source.text, file) if suffix not in _HTML else FrontMatter()
    updates, problems = meta_updates(front.fields, file, front.lines)
    if any(p.severity is Severity.ERROR for p in problems):
        raise StoryError(problems)
    meta = apply(StoryMeta(), updates)
    if suffix == ".txt":
        bodies = [txt.read_body(front.body, file, front.body_line, meta.title)]
    elif suffix == ".docx":
        bodies = [read_docx(data, file, meta.title)]
    elif suffix == ".epub":
        bodies = read_epub(data, file, split)
    elif suffix in _HTML:
        bodies = [read_html(source.text, file, meta.title)]
    else:
        text, site = sitetext.strip_lines(front.body, file, front.body_line)
        md = markdown.MarkdownBody(text, file, front.body_line, meta.title)
        found = Body(md.title, {}, md.chapters, changes=[*site.changes, *md.changes],
                     diagnostics=md.diagnostics, notes=list(md.notes))  # fmt: skip
        site.fill(found, meta.title)  # a title or author only the site's text gave
        bodies = [found]
    names = (
        [path.name] if len(bodies) == 1 else [f"{path.name}#{i}" for i in range(1, len(bodies) + 1)]
    )
    return tuple(
        _story(path, root, file, name, source, meta, [*problems], body, front, data)
        for name, body in zip(names, bodies, strict=True)
    )


def _story(
    path: Path,
    root: Path,
    file: str,
    name: str,
    source: SourceText,
    meta: StoryMeta,
    problems: list[Diagnostic],
    body: Body,
    front: FrontMatter,
    data: bytes,
) -> Story:
    """A Story from what a reader found in one body (one work of the file)."""
    detected, chapters = body.title, notes.attach(body.chapters, body.notes)
    embedded = body.embedded
    meta = _with_detected(meta, body)
    changes: list[Change] = [*source.changes, *body.changes]
    found: list[Diagnostic] = list(body.diagnostics)
    chapters, meta, leftovers = _without_forbidden(chapters, meta, file)
    found.extend(leftovers)
    if not blank.has_text(chapters):
        text = source.text or html.text_of("".join(c.html for c in chapters))
        raise blank.refuse(data, text, file)
    if not meta.title:
        title = detected or title_from_name(path)
        if "title" in front.fields:  # given, but empty: say what the story is called instead
            whence = "its first heading" if detected else "the file name"
            found.append(
                warning(f"front matter: 'title' is empty; the story is called '{title}' "
                        f"(from {whence})", file, front.lines.get("title"))
            )  # fmt: skip
        elif not detected and title == UNTITLED:
            found.append(
                warning(
                    f"no title found; called '{UNTITLED}' (set one in the file or "
                    f'with [stories."{name}"] in collection.toml)',
                    file,
                )
            )
        meta = apply(meta, {"title": title})
    too_long = [(c.line, n) for c in chapters if (n := html.longest_word(c.html))]
    if too_long:
        raise StoryError(
            [
                error(f"a 'word' of {n:,} characters with no space; the limit is "
                      f"{html.MAX_WORD:,} (is it data pasted as text?)", file, line)
                for line, n in too_long
            ]
        )  # fmt: skip
    meta, chapters = _uncall_outside_text(meta, chapters)
    meta, chapters, tidied = _tidy_labels(meta, chapters, file)
    found.extend(tidied)
    story = Story(
        path=path,
        name=readable(name),
        meta=meta,
        chapters=chapters,
        encoding=source.encoding,
        changes=tuple(changes),
        diagnostics=(*source.diagnostics, *problems, *found),
    )
    return resolve_images(story, root, file, embedded)


def _uncall_outside_text(
    meta: StoryMeta, chapters: Sequence[Chapter]
) -> tuple[StoryMeta, tuple[Chapter, ...]]:
    """Calls outside the story's text (a summary, an author's note) as plain numbers:
    their notes are printed at the story's end (packager.text.notes.attach)."""
    fields = {
        k: notes.uncall(v)
        for k, v in dataclasses.asdict(meta).items()
        if k.endswith("_html") and "data-note" in v
    }
    tidied = tuple(
        dataclasses.replace(
            c, notes_html=notes.uncall(c.notes_html), end_notes_html=notes.uncall(c.end_notes_html)
        )
        if "data-note" in c.notes_html + c.end_notes_html
        else c
        for c in chapters
    )
    return (apply(meta, fields) if fields else meta), tidied


def _without_forbidden(
    chapters: tuple[Chapter, ...], meta: StoryMeta, file: str
) -> tuple[tuple[Chapter, ...], StoryMeta, list[Diagnostic]]:
    """The last net: what a parser made of the markup that no book may carry, removed.

    The decoder has removed forbidden characters and references to them with
    their lines; this catches anything a parser still produced, by chapter.
    """
    found: list[Diagnostic] = []

    def tidy(value: str, line: int | None) -> str:
        text, removed = forbidden.strip(value, markers=False)  # notes' and pictures' stay
        if removed:
            found.append(warning(f"removed {removed}", file, line))
        return text

    chapters = tuple(
        dataclasses.replace(
            c,
            title=tidy(c.title, c.line) if c.title else c.title,
            html=tidy(c.html, c.line),
            notes_html=tidy(c.notes_html, c.line),
            end_notes_html=tidy(c.end_notes_html, c.line),
        )
        for c in chapters
    )
    updates: dict[str, object] = {}
    for name, value in dataclasses.asdict(meta).items():
        if isinstance(value, str):
            updates[name] = tidy(value, None)
        elif isinstance(value, tuple):
            updates[name] = tuple(tidy(v, None) for v in value)
    return chapters, apply(meta, updates), found


def _tidy_labels(
    meta: StoryMeta, chapters: Sequence[Chapter], file: str
) -> tuple[StoryMeta, tuple[Chapter, ...], list[Diagnostic]]:
    """Titles and names as the contents and bookmarks show them (see packager.hygiene)."""
    found: list[Diagnostic] = []
    title, notes = hygiene.label(meta.title)
    found += [warning(f"title: {n}", file) for n in notes]
    authors: list[str] = []
    for name in meta.authors:
        name, notes = hygiene.label(name)
        found += [warning(f"author: {n}", file) for n in notes]
        authors += [name] if name else []
    tidied: list[Chapter] = []
    for chapter in chapters:
        if chapter.title:
            heading, notes = hygiene.label(chapter.title)
            found += [warning(f"chapter title: {n}", file, chapter.line) for n in notes]
            chapter = dataclasses.replace(chapter, title=heading or None)
        tidied.append(chapter)
    updates = {"title": title or UNTITLED, "authors": tuple(authors)}
    return apply(meta, updates), tuple(tidied), found


def _with_detected(meta: StoryMeta, body: Body) -> StoryMeta:
    """Add what the plain-text reader found; the front matter, if any, wins."""
    given = dataclasses.asdict(meta)
    updates: dict[str, object] = {}
    for key, value in body.meta.items():
        if key == "author":
            key, value = "authors", tuple(value) if isinstance(value, list) else (str(value),)
        elif key == "summary":
            key, value = "summary_html", f"<p>{inline(str(value))}</p>"
        elif key == "language":
            value = language_tag(str(value)) or ""
        elif isinstance(value, list):
            value = tuple(v for v in value if v)
        if key in given and not given[key]:
            updates[key] = value
    for key, found in (
        ("notes_html", body.notes_html),
        ("end_notes_html", body.end_notes_html),
        ("disclaimer_html", body.disclaimer_html),
    ):
        if found:
            updates[key] = given[key] + found
    return apply(meta, updates)


UNTITLED = "Untitled"


def title_from_name(path: Path) -> str:
    """A readable title from a file name: '03-the-night-ferry.md' -> 'The Night Ferry'.

    A name that is only an archive's id ('004_1f319cfad394e1be.txt') gives "Untitled".
    """
    stem = re.sub(r"^\d+[\s._-]+", "", path.stem) or path.stem
    if any("\ud800" <= c <= "\udfff" for c in stem):  # bytes that are not UTF-8 (Windows)
        stem = os.fsencode(stem).decode("cp1252", "replace")
    if re.fullmatch(r"[0-9a-fA-F]{8,}", stem) and any(c.isdigit() for c in stem):
        return UNTITLED
    words = [w for w in re.split(r"[\s_-]+", stem) if w]
    if all(w.islower() for w in words):
        words = [w[:1].upper() + w[1:] for w in words]
    return " ".join(words) or path.stem
