"""Word stories (.docx) through mammoth: headings, emphasis and quotes by style.

mammoth turns the document into plain semantic HTML (no fonts, no colours),
which is then read like a story page: a Title-style or single top heading is
the title, a "by NAME" paragraph the byline, author's notes move, and the
other headings are chapters. Word files have no lines: reports give the
paragraph number instead.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import lxml.html

from packager.errors import StoryError, error
from packager.read.body import Body
from packager.read.htmlnotes import take_notes
from packager.read.images import EMBEDDED
from packager.read.webpage import read_page
from packager.text import sanitize

# Word's built-in styles that mean something in a story.
_STYLE_MAP = """
p[style-name='Title'] => h1.title:fresh
p[style-name='Subtitle'] => p:fresh
p[style-name='Quote'] => blockquote > p:fresh
p[style-name='Intense Quote'] => blockquote > p:fresh
p[style-name='Block Text'] => blockquote > p:fresh
"""


def read_docx(data: bytes, file: str, known_title: str) -> Body:
    """Read a story from the bytes of a .docx file."""
    import mammoth  # only Word files need it

    _check_unpacked_size(data, file)
    pictures: dict[str, bytes] = {}

    def picture(image: Any) -> dict[str, str]:
        """A picture of the document, kept as bytes for packager.read.images."""
        with image.open() as stream:
            content = stream.read(MAX_UNPACKED_BYTES)
        src = f"{EMBEDDED}{len(pictures) + 1}"
        pictures[src] = content
        return {"src": src, "alt": str(getattr(image, "alt_text", "") or "")}

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=_STYLE_MAP,
            convert_image=mammoth.images.img_element(picture),
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise StoryError([error(f"not a readable Word (.docx) file ({exc})", file)]) from None
    # One block per line, so that "line" in a report is the paragraph's number.
    text = re.sub(r"(</(?:p|h[1-6]|li|blockquote|table)>)", r"\1\n", str(result.value))
    sanitize.check_depth(text)  # before lxml, which drops what lies deeper than 256
    root = lxml.html.document_fromstring(f"<html><body>{text}</body></html>")
    found = Body(embedded=pictures)
    taken = take_notes(root, file, _note_kind)
    found.notes, found.changes = taken.notes, taken.changes
    return read_page(root, file, known_title, found)


def _note_kind(target: str) -> str:
    """mammoth gives Word's footnotes ids "footnote-N" and its endnotes "endnote-N"."""
    return "endnote" if target.startswith("endnote-") else "footnote"


# A .docx is a zip: a small file can unpack to gigabytes (a "zip bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def _check_unpacked_size(data: bytes, file: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise StoryError([error(f"not a readable Word (.docx) file ({exc})", file)]) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise StoryError(
            [error(f"unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB; refused", file)]
        )
