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
from typing import Any

import lxml.html

from packager.errors import parsing
from packager.read.body import Body
from packager.read.bounded import MAX_MEDIA_BYTES, Archive, open_archive
from packager.read.htmlnotes import take_notes
from packager.read.images import EMBEDDED
from packager.read.webpage import read_page
from packager.text import forbidden, sanitize

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

    archive = open_archive(data, file, "Word file")
    _check_xml(archive)
    pictures: dict[str, bytes] = {}

    def picture(image: Any) -> dict[str, str]:
        """A picture of the document, kept as bytes for packager.read.images."""
        with image.open() as stream:
            content = stream.read(MAX_MEDIA_BYTES + 1)  # the directory was checked
        src = f"{EMBEDDED}{len(pictures) + 1}"
        pictures[src] = content
        return {"src": src, "alt": str(getattr(image, "alt_text", "") or "")}

    with parsing("not a readable Word (.docx) file", file):
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=_STYLE_MAP,
            convert_image=mammoth.images.img_element(picture),
        )
    # One block per line, so that "line" in a report is the paragraph's number.
    text = re.sub(r"(</(?:p|h[1-6]|li|blockquote|table)>)", r"\1\n", str(result.value))
    scrubbed = forbidden.scrub(text, file)  # XML allows noncharacters such as U+FDD0
    sanitize.check_depth(scrubbed.text)  # before lxml, which drops what lies deeper than 256
    with parsing("not a readable Word (.docx) file", file):
        root = lxml.html.document_fromstring(f"<html><body>{scrubbed.text}</body></html>")
    found = Body(
        changes=list(scrubbed.changes), diagnostics=list(scrubbed.diagnostics), embedded=pictures
    )
    taken = take_notes(root, file, _note_kind)
    found.notes = taken.notes
    found.changes.extend(taken.changes)
    return read_page(root, file, known_title, found)


def _note_kind(target: str) -> str:
    """mammoth gives Word's footnotes ids "footnote-N" and its endnotes "endnote-N"."""
    return "endnote" if target.startswith("endnote-") else "footnote"


# mammoth reads Word's XML into a DOM (xml.dom.minidom) and converts it in
# Python: about 130 microseconds and 1 KB of memory per element. This many
# elements (a 500,000-word document with Word's usual markup) take it about 40
# seconds and 300 MiB, inside SECURITY.md's budget (bench/shapes.py).
MAX_ELEMENTS = 300_000
# An entity declaration can only stand in a document's prolog, before its root
# element; Word never writes one.
_PROLOG = 64 * 1024
_ROOT = re.compile(r"<[A-Za-z_]")
_ENTITY = "<!ENTITY"


def _check_xml(archive: Archive) -> None:
    """Refuse entity declarations (entity bombs) and more elements than mammoth can take.

    Every entry that looks like XML is looked at, whatever its name: the parts
    mammoth parses are named by the package's relationships, which may name any.
    """
    elements = 0
    for info in archive.infos:
        head = _text(archive.head(info.filename, _PROLOG))
        if not head.lstrip("\ufeff \t\r\n").startswith("<"):
            continue  # a picture or an embedded file: mammoth does not parse it as XML
        data = archive.read(info.filename)  # XML: at most MAX_ENTRY_BYTES
        root = _ROOT.search(head)
        prolog = head[: root.start()] if root else head
        if _ENTITY in prolog:
            raise archive.refuse(
                "declares XML entities (the way 'billion laughs' attacks are made; "
                "Word never writes them); refused",
                info.filename,
            )
        if root is None and len(data) > _PROLOG:
            raise archive.refuse("no root element in its first 64 KiB; refused", info.filename)
        elements += data.count(b"<") - data.count(b"</")
        if elements > MAX_ELEMENTS:
            raise archive.refuse(
                f"holds more than {MAX_ELEMENTS:,} XML elements (a document of about "
                "500,000 words; split it into several stories); refused"
            )


def _text(head: bytes) -> str:
    """The start of an XML entry as text: UTF-16 by its mark or its NUL bytes, else UTF-8."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif head.startswith(b"<\0"):
        encoding = "utf-16-le"
    elif head.startswith(b"\0<"):
        encoding = "utf-16-be"
    else:
        encoding = "utf-8"
    return head.decode(encoding, "replace")
