"""Story files to Story objects: one reader per format, chosen by extension."""

from __future__ import annotations

import re
from pathlib import Path

from packager.errors import StoryError
from packager.frontmatter import split_front_matter
from packager.model import Severity, Story, StoryMeta
from packager.readers import markdown, txt
from packager.readers.images import resolve_images
from packager.readers.meta import apply, meta_updates
from packager.readers.source import decode

FORMATS = {".md": "Markdown", ".markdown": "Markdown", ".txt": "plain text"}
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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StoryError([f"{file}: cannot read ({exc.strerror})"]) from None
    source = decode(data, file)
    front = split_front_matter(source.text, file)
    updates, problems = meta_updates(front.fields, file, front.lines)
    if any(p.severity is Severity.ERROR for p in problems):
        raise StoryError(problems)
    meta = apply(StoryMeta(), updates)
    if path.suffix.lower() == ".txt":
        body = txt.read_body(front.body, file, front.body_line, meta.title)
        detected, chapters = body.title, body.chapters
        changes, found = body.changes, body.diagnostics
    else:
        md = markdown.MarkdownBody(front.body, file, front.body_line, meta.title)
        detected, chapters = md.title, md.chapters
        changes, found = tuple(md.changes), tuple(md.diagnostics)
    if not meta.title:
        meta = apply(meta, {"title": detected or title_from_name(path)})
    chapters, images, image_problems = resolve_images(chapters, path, root, file)
    return Story(
        path=path,
        name=path.name,
        meta=meta,
        chapters=chapters,
        images=images,
        changes=changes,
        diagnostics=(*source.diagnostics, *problems, *found, *image_problems),
    )


def title_from_name(path: Path) -> str:
    """A readable title from a file name: '03-the-night-ferry.md' -> 'The Night Ferry'."""
    stem = re.sub(r"^[\d\s._-]+(?=\D)", "", path.stem) or path.stem
    words = [w for w in re.split(r"[\s_-]+", stem) if w]
    if all(w.islower() for w in words):
        words = [w[:1].upper() + w[1:] for w in words]
    return " ".join(words) or path.stem
