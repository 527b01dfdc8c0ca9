"""A picture's bytes to what the book holds (Pillow): checked, cleaned, sized for e-readers.

``extract_picture(data, name)`` is for every picture a story brings, whatever
it came in: a file beside the story, a Word file's picture, a ``data:`` URL,
a picture inside an EPUB. What it does, and why:

* the type is read from the content, never from a name or a declared type;
  PNG, JPEG and GIF go in as they are (re-encoded only when they must be),
  WebP, BMP and TIFF become PNG (or JPEG, a lossy WebP): Kindle reads only
  JPEG, PNG and GIF (Kindle Publishing Guidelines), and so does every EPUB 2
  reading system;
* caps: MAX_BYTES and MAX_PIXELS refuse a picture, with a message naming it,
  before it is decoded (a small file can decode to gigabytes);
* metadata goes: EXIF (GPS position, camera, owner), XMP, IPTC, comments; a
  JPEG keeps its pixels untouched (its metadata segments are cut out), and
  its EXIF orientation is applied first, so a phone's portrait photo stays
  upright;
* colour: CMYK and other print colour models become RGB (Apple Books refuses
  CMYK, Kobo asks for RGB); an ICC profile of an RGB picture stays;
* size: over MAX_BOOK_PIXELS (Apple Books' limit for images in a book, 4
  million pixels; about 300 dpi across an A5 page's text) a picture is
  scaled down. What is still off for a device (a file over Kindle's 5 MB, a
  transparent background on Kobo) is for ``packager check --targets``.

The only module besides book/cover.py that imports Pillow.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from packager.model import Image

MAX_BYTES = 40 * 1024 * 1024  # a picture file; the largest camera JPEGs are about 25 MB
MAX_PIXELS = 64_000_000  # decoded, 4 bytes a pixel: 256 MB; a 60-megapixel camera fits
MAX_BOOK_PIXELS = 4_000_000
_KEPT = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}
_CONVERTED = ("WEBP", "BMP", "TIFF")
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}
JPEG_QUALITY = 90
_ORIENTATION = 0x0112


class PictureError(ValueError):
    """A picture over the caps: refused (the book would be too big or never built)."""


class NotAPicture(ValueError):
    """Bytes that are not a picture packager can read: left out, its alt text kept."""


@dataclass(frozen=True)
class Picture:
    """A picture ready for the book, and what was done to it (for the report)."""

    image: Image
    done: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """What a picture's header says (for checks of pictures made by other tools)."""

    format: str
    mode: str
    width: int
    height: int
    transparent: bool


def extract_picture(data: bytes, name: str, source: Path | None = None) -> Picture:
    """The book's copy of a picture. ``name`` (its file name, or a name for it) names it in
    messages and gives its name in the book; ``source`` is the file it came from.

    Raises PictureError over the caps, NotAPicture for bytes Pillow cannot read.
    """
    if len(data) > MAX_BYTES:
        raise PictureError(
            f"{len(data) / 2**20:.1f} MB; a picture may have {MAX_BYTES // 2**20} MB at most"
        )
    picture = _open(data)
    width, height = picture.size
    if width * height > MAX_PIXELS:
        raise PictureError(
            f"{width}\u00d7{height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"a picture may have {MAX_PIXELS // 1_000_000} megapixels at most"
        )
    done: list[str] = []
    out, media_type = _cleaned(picture, data, done)
    final = _open(out) if out is not data else picture
    digest = hashlib.sha256(out).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(name).stem).strip("-")[:40] or "picture"
    href = f"images/{stem}-{digest}{_EXTENSIONS[media_type]}"
    image = Image(source or Path(name), href, media_type, out, *final.size)
    return Picture(image, tuple(done))


def picture_facts(data: bytes) -> Facts | None:
    """Format, colour mode, size and transparency from a picture's header (None: unreadable)."""
    try:
        picture = _open(data)
        kind, mode, size = str(picture.format), picture.mode, picture.size
        transparent = False
        if mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
            # An alpha channel is not transparency until a pixel uses it.
            alpha = picture.convert("RGBA").getchannel("A")
            low = alpha.getextrema()[0]
            transparent = isinstance(low, int | float) and low < 255
    except (NotAPicture, PictureError, OSError, ValueError, SyntaxError):
        return None
    return Facts(kind, mode, *size, transparent)


def _open(data: bytes) -> PILImage.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # damaged EXIF: it is removed anyway
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            return PILImage.open(io.BytesIO(data), formats=[*_KEPT, *_CONVERTED])
    except PILImage.DecompressionBombError as exc:
        raise PictureError(str(exc)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise NotAPicture("not a PNG, JPEG, GIF, WebP, BMP or TIFF picture") from exc


def _cleaned(picture: PILImage.Image, data: bytes, done: list[str]) -> tuple[bytes, str]:
    """The picture's bytes as the book holds them, and their media type."""
    kind = str(picture.format)
    big = picture.size[0] * picture.size[1] > MAX_BOOK_PIXELS
    if kind == "GIF" and (not big or getattr(picture, "is_animated", False)):
        return data, "image/gif"  # frames and timings as made; a GIF holds no EXIF
    orientation = _orientation(picture) if kind in ("JPEG", "TIFF", "WEBP") else 1
    print_colours = picture.mode not in ("1", "L", "LA", "P", "PA", "RGB", "RGBA", "I;16")
    if kind == "JPEG" and orientation == 1 and not big and not print_colours:
        stripped = _strip_jpeg(data)
        if stripped != data:
            done.append("metadata (EXIF, XMP, comments) removed")
        return stripped, "image/jpeg"
    try:
        picture.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise NotAPicture(f"a damaged {kind} picture ({exc})") from None
    icc = picture.info.get("icc_profile")
    had_metadata = "exif" in picture.info or bool(getattr(picture, "text", None))
    if orientation != 1:
        picture = ImageOps.exif_transpose(picture)
        done.append("turned upright (its EXIF orientation)")
    if print_colours:
        done.append(f"colours converted from {picture.mode} to RGB")
        picture, icc = picture.convert("RGB"), None
    if big:
        before = picture.size
        scale = (MAX_BOOK_PIXELS / (before[0] * before[1])) ** 0.5
        size = (max(1, int(before[0] * scale)), max(1, int(before[1] * scale)))
        picture = picture.resize(size, PILImage.Resampling.LANCZOS)
        done.append(f"scaled down from {before[0]}\u00d7{before[1]} to {size[0]}\u00d7{size[1]}")
    lossy = kind == "JPEG" or (kind == "WEBP" and not picture.info.get("lossless"))
    out = io.BytesIO()
    if lossy and picture.mode in ("RGB", "L"):
        picture.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=icc)
        media_type = "image/jpeg"
    else:
        picture.save(out, "PNG", icc_profile=icc)
        media_type = "image/png"
    if kind not in _KEPT or _KEPT[kind] != media_type:
        done.append(f"converted from {kind} to {media_type.split('/')[1].upper()}")
    if had_metadata:
        done.append("metadata (EXIF, XMP, text) removed")
    return out.getvalue(), media_type


def _orientation(picture: PILImage.Image) -> int:
    """The EXIF orientation (1: upright); damaged EXIF, which Pillow warns about, is none."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = picture.getexif().get(_ORIENTATION, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


# JPEG segments that hold metadata rather than the picture: APP1 (EXIF, XMP), APP3-APP13
# (IPTC, Photoshop), APP15, COM. APP0 (JFIF), APP2 with an ICC profile and APP14 (Adobe:
# how colours are encoded) are needed to show the pixels right.
_JPEG_METADATA = frozenset({0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE})


def _strip_jpeg(data: bytes) -> bytes:
    """The JPEG without its metadata segments; the compressed pixels untouched."""
    if data[:2] != b"\xff\xd8":
        return data
    out = [data[:2]]
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return data  # not a segment where one should be: leave the file as it is
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: the picture, up to its end (EOI)
            end = data.find(b"\xff\xd9", at)  # never inside compressed data (JPEG F.1.2.3)
            out.append(data[at : end + 2] if end >= 0 else data[at:])
            return b"".join(out)
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        segment = data[at : at + 2 + length]
        icc = marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\x00"
        if marker not in _JPEG_METADATA and (marker != 0xE2 or icc):
            out.append(segment)
        at += 2 + length
    return data
