"""A story's pictures: every ``<img>`` pointed at the book's own copy, or its alt text kept.

Where a picture can come from: a file in the source folder (``![map](map.png)``,
``<img src="map.png">``), a ``data:`` URL in an HTML page, a picture inside a
Word file (its reader names it ``#embedded-N``). Each is checked and cleaned
by packager.read.pictures; one over the caps fails the build naming it. A
remote picture (an ``http`` address in a download) is never fetched: it is
reported with its address and its alt text stays in the text. A picture
without alt text is kept and reported (readers who cannot see it get nothing).

Readers that flatten a page to text first (webpage, docx) mark each picture
with ``mark`` and put it back with ``place`` once the text is XHTML.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import hashlib
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from html import escape
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import lxml.html

from packager.errors import StoryError, error, info, warning
from packager.model import Diagnostic, Image, Story
from packager.paths import outside
from packager.read.meta import apply
from packager.read.pictures import MAX_BYTES, NotAPicture, PictureError, extract_picture
from packager.text import html

# The picture files a collection may name itself (a cover, an editor's CSS): by extension.
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}
EMBEDDED = "#embedded-"  # the src a reader gives a picture it holds as bytes
PICTURE_OPEN, PICTURE_CLOSE = "\ue007", "\ue008"
_MARK = re.compile(f"{PICTURE_OPEN}([0-9]+){PICTURE_CLOSE}")
_DATA = re.compile(r"^data:([^,;]*)((?:;[^,;]*)*),(.*)$", re.S | re.I)
_PROBED: ContextVar[list[Path] | None] = ContextVar("probed", default=None)


@contextlib.contextmanager
def probes() -> Iterator[list[Path]]:
    """Gather every picture file the reads within look for, found or not: what a read
    depends on besides its story file (packager.readcache checks them again)."""
    found: list[Path] = []
    token = _PROBED.set(found)
    try:
        yield found
    finally:
        _PROBED.reset(token)


def probe(path: Path, root: Path) -> str:
    """What a read would find at ``path``: "outside", "missing", or its bytes' sha256."""
    if outside(path, root) is not None:
        return "outside"
    target = path.resolve()
    try:
        with target.open("rb") as f:
            return hashlib.sha256(f.read(MAX_BYTES + 1)).hexdigest()
    except OSError:
        return "missing"


def mark(root: lxml.html.HtmlElement, found: list[tuple[str, str]]) -> None:
    """Replace each ``<img>`` of a page by a marker; its (src, alt) goes into ``found``."""
    for img in list(root.iter("img")):
        found.append(((img.get("src") or "").strip(), (img.get("alt") or "").strip()))
        html.replace_with_text(img, f"{PICTURE_OPEN}{len(found) - 1}{PICTURE_CLOSE}")


def place(fragment: str, found: list[tuple[str, str]]) -> str:
    """Marked pictures as ``<img>`` elements again (their src resolved later)."""
    if PICTURE_OPEN not in fragment:
        return fragment

    def img(match: re.Match[str]) -> str:
        src, alt = found[int(match.group(1))]
        return f'<img src="{escape(src)}" alt="{escape(alt)}"/>'

    return _MARK.sub(img, fragment)


def unmark(text: str) -> str:
    """Text without picture markers (a title cannot show a picture)."""
    return _MARK.sub("", text) if PICTURE_OPEN in text else text


def resolve_images(
    story: Story, root: Path, file: str, embedded: Mapping[str, bytes] | None = None
) -> Story:
    """The story with each ``<img>`` (in its text, notes and fields) pointed at its copy
    inside the book, or replaced by its alt text; the copies in ``Story.images``.

    Raises StoryError naming every picture over the caps.
    """
    found = _Pictures(story.path, root, file, embedded or {})
    chapters = []
    for chapter in story.chapters:
        found.line = chapter.line
        chapters.append(
            dataclasses.replace(
                chapter,
                html=found.fragment(chapter.html),
                notes_html=found.fragment(chapter.notes_html),
                end_notes_html=found.fragment(chapter.end_notes_html),
                footnotes=tuple(
                    dataclasses.replace(n, html=found.fragment(n.html)) for n in chapter.footnotes
                ),
            )
        )
    found.line = 1
    fields = {
        k: found.fragment(v)
        for k, v in dataclasses.asdict(story.meta).items()
        if k.endswith("_html") and "<img" in v
    }
    if found.refused:
        raise StoryError([error(message, file) for message in dict.fromkeys(found.refused)])
    return dataclasses.replace(
        story,
        meta=apply(story.meta, fields),
        chapters=tuple(chapters),
        images=tuple(found.images.values()),
        diagnostics=(*story.diagnostics, *found.problems),
    )


class _Pictures:
    """The pictures of one story, each read and checked once however often it is shown."""

    def __init__(self, story: Path, root: Path, file: str, embedded: Mapping[str, bytes]) -> None:
        self.story, self.root, self.file, self.embedded = story, root, file, embedded
        self.real_root = root.resolve()
        self.line = 1
        self.images: dict[str, Image] = {}
        self.problems: list[Diagnostic] = []
        self.refused: list[str] = []
        self._by_source: dict[str, str | None] = {}

    def fragment(self, fragment: str) -> str:
        return html.map_images(fragment, self._resolve) if "<img" in fragment else fragment

    def _resolve(self, src: str, alt: str) -> str | None:
        if not alt:
            shown = (
                "an embedded picture" if src.startswith(("data:", EMBEDDED)) else f"picture '{src}'"
            )
            self.problems.append(
                warning(f"{shown} has no alt text: readers who cannot see it "
                        "get nothing (describe it in the story's source)", self.file, self.line)
            )  # fmt: skip
        if src not in self._by_source:
            self._by_source[src] = self._read(src)
        return self._by_source[src]

    def _read(self, src: str) -> str | None:
        file, line = self.file, self.line
        try:
            data, name, source = _bytes_of(
                src, self.story, self.root, self.real_root, file, self.embedded
            )
        except _LeftOut as exc:
            self.problems.append(warning(str(exc), file, line))
            return None
        try:
            picture = extract_picture(data, name, source)
        except PictureError as exc:
            self.refused.append(f"picture '{name}': {exc}")
            return None
        except NotAPicture as exc:
            self.problems.append(warning(f"picture '{name}' is {exc}; left out", file, line))
            return None
        self.problems.extend(info(f"picture '{name}': {what}", file, line) for what in picture.done)
        self.images.setdefault(picture.image.href, picture.image)
        return picture.image.href


class _LeftOut(ValueError):
    """A picture that cannot be in the book (the message says why); its alt text stays."""


def _bytes_of(
    src: str, story: Path, root: Path, real_root: Path, file: str, embedded: Mapping[str, bytes]
) -> tuple[bytes, str, Path]:
    """The picture's bytes, the name messages give it, and the file it came from."""
    if src in embedded:
        return embedded[src], f"{Path(file).stem}-{src.removeprefix(EMBEDDED)}", story
    if not src:
        raise _LeftOut("a picture without a src (no file, no data); left out")
    if src[:5].lower() == "data:":
        return _data_url(src), f"{Path(file).stem}-embedded", story
    if urlsplit(src).scheme or src.startswith("//"):
        raise _LeftOut(f"remote picture {src} is never fetched: left out, its alt text kept")
    path = story.parent / unquote(src.split("#")[0].split("?")[0])
    probed = _PROBED.get()
    if probed is not None:
        probed.append(path)
    reason = outside(path, root)
    if reason is not None:
        raise _LeftOut(f"picture '{src}' {reason}; left out")
    target = path.resolve()
    if not target.is_file():
        raise _LeftOut(f"picture '{src}' does not exist; left out")
    try:
        with target.open("rb") as f:
            data = f.read(MAX_BYTES + 1)  # one byte more than the cap: refused by its size
        return data, target.relative_to(real_root).as_posix(), target
    except OSError as exc:
        raise _LeftOut(f"picture '{src}' cannot be read ({exc.strerror}); left out") from None


def _data_url(src: str) -> bytes:
    match = _DATA.match(src)
    if match is None:
        raise _LeftOut("a data: picture that is not a data URL; left out")
    params, payload = match.group(2).lower(), match.group(3)
    if len(payload) * 3 // 4 > MAX_BYTES + 3:
        return b"\0" * (MAX_BYTES + 1)  # refused by its size, without decoding it
    try:
        if ";base64" in params:
            return base64.b64decode(re.sub(r"\s+", "", unquote(payload)), validate=True)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise _LeftOut("a data: picture whose base64 data is damaged; left out") from None
