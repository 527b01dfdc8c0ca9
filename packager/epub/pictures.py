"""The preflight's picture rules: what Kindle, Kobo and Apple Books say of a picture.

Read from the picture's content (packager.read.pictures.picture_facts), never
its name: packager cleans its own stories' pictures when it reads them, so in
its books these find only what cleaning leaves (a transparent background);
in another tool's EPUB, anything.
"""

from __future__ import annotations

from collections.abc import Iterator

from packager.read.pictures import picture_facts

MAX_KINDLE_PICTURE = 5 * 1024 * 1024  # Kindle Publishing Guidelines: 5 MB an image
MAX_APPLE_PIXELS = 4_000_000  # Apple Books Asset Guide: pixels of an image in the book
_KINDLE_FORMATS = ("JPEG", "PNG", "GIF")


def picture_findings(
    media_type: str, data: bytes, cover: bool = False
) -> Iterator[tuple[str, str]]:
    """(rule code, detail) for each rule of rules.toml a manifest item's picture trips.

    The pixel limit is for pictures in the text: a cover is the size the stores
    ask for (Kindle's 1600x2560 is 4.1 million pixels).
    """
    if not media_type.startswith("image/") or media_type == "image/svg+xml" or not data:
        return
    facts = picture_facts(data)
    if facts is None:
        yield "KDP014", "not a picture packager can read"
        return
    if facts.format not in _KINDLE_FORMATS:
        yield "KDP014", facts.format
    if len(data) > MAX_KINDLE_PICTURE:
        yield "KDP013", f"{len(data) / 2**20:.1f} MB"
    if facts.transparent:
        yield "KOBO004", f"colour mode {facts.mode}"
    if facts.mode in ("CMYK", "YCCK"):
        yield "KOBO005", facts.mode
        yield "APPLE007", facts.mode
    if facts.width * facts.height > MAX_APPLE_PIXELS and not cover:
        yield "APPLE006", f"{facts.width}\u00d7{facts.height} pixels"
