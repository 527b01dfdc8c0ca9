"""Local images that stories refer to: kept when inside the source folder."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packager.errors import warning
from packager.model import Chapter, Diagnostic, Image
from packager.paths import outside
from packager.read.sniff import looks_like
from packager.text import html

MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}

# The sanitizer empties data: addresses, and Word pictures arrive with none.
_EMBEDDED = (
    "an embedded image (a data: URL or a picture inside the file) is not a file "
    "in the source folder; left out"
)


_KINDS = {"image/png": "a PNG image", "image/jpeg": "a JPEG image", "image/gif": "a GIF image"}


def mislabelled(target: Path, media_type: str) -> str:
    """Why a picture's bytes are not what its name says ('' when they are).

    A JPEG renamed .png, or a page saved as .gif, would go into the EPUB under
    the wrong media type (EPUBCheck rejects it) and print as nothing.
    """
    try:
        with target.open("rb") as handle:
            head = handle.read(64)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    kind = looks_like(head)
    if kind == _KINDS[media_type]:
        return ""
    return f"is not {_KINDS[media_type]}: it looks like {kind or 'something else'}"


def _book_href(target: Path, root: Path) -> str:
    """Where an image of the source folder goes inside the book: one name per file."""
    rel = target.relative_to(root).as_posix()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", target.stem).strip("-") or "image"
    digest = hashlib.sha1(rel.encode()).hexdigest()[:8]
    return f"images/{stem}-{digest}{target.suffix.lower()}"


def resolve_images(
    chapters: tuple[Chapter, ...], story: Path, root: Path, file: str
) -> tuple[tuple[Chapter, ...], tuple[Image, ...], tuple[Diagnostic, ...]]:
    """Point each ``<img>`` at its copy inside the book, or replace it by its alt text."""
    images: dict[str, Image] = {}
    problems: list[Diagnostic] = []
    real_root = root.resolve()

    def resolve(src: str) -> str | None:
        if not src.strip() or src.lstrip().lower().startswith("data:"):
            problems.append(warning(_EMBEDDED, file))
            return None
        if urlsplit(src).scheme or src.startswith("//"):
            problems.append(warning(f"image '{src}' is not a local file; left out", file))
            return None
        path = story.parent / unquote(src.split("#")[0])
        reason = outside(path, root)
        if reason is not None:
            problems.append(warning(f"image '{src}' {reason}; left out", file))
            return None
        target = path.resolve()
        media_type = MEDIA_TYPES.get(target.suffix.lower())
        if media_type is None:
            kinds = ", ".join(sorted(MEDIA_TYPES))
            problems.append(warning(f"image '{src}' is not one of {kinds}; left out", file))
            return None
        if not target.is_file():
            problems.append(warning(f"image '{src}' does not exist; left out", file))
            return None
        wrong = mislabelled(target, media_type)
        if wrong:
            problems.append(warning(f"image '{src}' {wrong}; left out", file))
            return None
        href = _book_href(target, real_root)
        images.setdefault(href, Image(target, href, media_type))
        return href

    fixed = tuple(
        dataclasses.replace(c, html=html.map_images(c.html, resolve)) if "<img" in c.html else c
        for c in chapters
    )
    return fixed, tuple(images.values()), tuple(problems)
