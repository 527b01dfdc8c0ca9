"""Local images that stories refer to: kept when inside the source folder."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packager import html
from packager.errors import warning
from packager.model import Chapter, Diagnostic, Image

MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}


def resolve_images(
    chapters: tuple[Chapter, ...], story: Path, root: Path, file: str
) -> tuple[tuple[Chapter, ...], tuple[Image, ...], tuple[Diagnostic, ...]]:
    """Point each ``<img>`` at its copy inside the book, or replace it by its alt text."""
    images: dict[str, Image] = {}
    problems: list[Diagnostic] = []
    root = root.resolve()

    def resolve(src: str) -> str | None:
        if urlsplit(src).scheme or src.startswith("//"):
            problems.append(warning(f"image '{src}' is not a local file; left out", file))
            return None
        target = (story.parent / unquote(src.split("#")[0])).resolve()
        if not target.is_relative_to(root):
            problems.append(warning(f"image '{src}' is outside the source folder; left out", file))
            return None
        media_type = MEDIA_TYPES.get(target.suffix.lower())
        if media_type is None:
            kinds = ", ".join(sorted(MEDIA_TYPES))
            problems.append(warning(f"image '{src}' is not one of {kinds}; left out", file))
            return None
        if not target.is_file():
            problems.append(warning(f"image '{src}' does not exist; left out", file))
            return None
        rel = target.relative_to(root).as_posix()
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", target.stem).strip("-") or "image"
        digest = hashlib.sha1(rel.encode()).hexdigest()[:8]
        href = f"images/{stem}-{digest}{target.suffix.lower()}"
        images.setdefault(href, Image(target, href, media_type))
        return href

    fixed = tuple(
        Chapter(c.title, html.map_images(c.html, resolve), c.line) if "<img" in c.html else c
        for c in chapters
    )
    return fixed, tuple(images.values()), tuple(problems)
