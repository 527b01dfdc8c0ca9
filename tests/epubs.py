"""EPUB inputs for the tests: written by hand (small, or hostile), and counted independently.

``source_words`` reads an EPUB the way a reading system shows it (the linear
spine's bodies, a picture's alt text where no caption says it), with lxml's
HTML parser and none of packager's code; ``accounted_words`` is what packager
made of it: the story's text and notes, plus every word it reported as taken out.
A note's call is markup on both sides, as a link's target is: the source's
label ("[2]", "*") is not counted, nor the number the book gives the note.
"""

from __future__ import annotations

import collections
import io
import posixpath
import zipfile
from collections.abc import Container, Iterable, Mapping
from pathlib import Path

import lxml.etree as etree
import lxml.html
from helpers import words

from packager.model import Story
from packager.text.notes import CALL

CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
TAKEN_OUT = ("removed", "metadata")


def xhtml(body: str, title: str = "x", doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{doctype}\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\n'
        f"<head><title>{title}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def package(
    docs: Iterable[str],
    metadata: str = "<dc:title>A Test</dc:title>",
    extra: str = "",
    aside: Container[str] = (),
) -> str:
    """An EPUB 3 package document over the given documents (hrefs inside OEBPS/); those
    in ``aside`` out of the reading order (linear="no")."""
    names = list(docs)
    items = "".join(
        f'<item id="d{i}" href="{n}" media-type="application/xhtml+xml"/>'
        for i, n in enumerate(names)
    )
    off = ' linear="no"'
    refs = "".join(
        f'<itemref idref="d{i}"{off if n in aside else ""}/>' for i, n in enumerate(names)
    )
    return (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="id">urn:test</dc:identifier>{metadata}'
        f"<dc:language>en</dc:language></metadata><manifest>{items}{extra}</manifest>"
        f"<spine>{refs}</spine></package>"
    )


def write_epub(
    path: Path,
    docs: Mapping[str, str],
    metadata: str = "<dc:title>A Test</dc:title>",
    entries: Mapping[str, bytes] | None = None,
    opf: str | None = None,
) -> Path:
    """A small EPUB: documents (name -> XHTML, inside OEBPS/) and any other entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        out.writestr("META-INF/container.xml", CONTAINER)
        out.writestr("OEBPS/content.opf", opf if opf is not None else package(docs, metadata))
        for name, text in docs.items():
            out.writestr(f"OEBPS/{name}", text, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in (entries or {}).items():
            out.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def source_words(path: Path) -> collections.Counter[str]:
    """The words a reader of the EPUB sees, counted without packager's code."""
    with zipfile.ZipFile(path) as epub:
        container = etree.fromstring(epub.read("META-INF/container.xml"))
        opf_name = container.find(".//{*}rootfile").get("full-path")  # type: ignore[union-attr]
        opf = etree.fromstring(epub.read(opf_name))
        items = {i.get("id"): i.get("href") for i in opf.iter("{*}item")}
        found: collections.Counter[str] = collections.Counter()
        for ref in opf.iter("{*}itemref"):
            if ref.get("linear") == "no":
                continue
            name = posixpath.normpath(
                posixpath.join(posixpath.dirname(opf_name), items[ref.get("idref")])
            )
            body = lxml.html.document_fromstring(epub.read(name)).find("body")
            for code in body.xpath(".//script|.//style"):
                code.drop_tree()
            for a in body.iter("a"):
                if "noteref" in (a.get("epub:type") or "").split() or a.get("role") == (
                    "doc-noteref"
                ):
                    a.drop_tree()  # a call: the book numbers the notes itself
            found.update(_shown_words(body))
    return found


def _shown_words(el: lxml.html.HtmlElement) -> list[str]:
    """The words of markup as a reader meets them: a picture's alt text where no
    caption stands for it."""
    for img in el.iter("img"):
        figure = next((a for a in img.iterancestors("figure")), None)
        caption = figure is not None and figure.find(".//figcaption") is not None
        if not caption:  # the alt text stands for the picture
            img.tail = f" {img.get('alt') or ''} {img.tail or ''}"
    return words(" ".join(el.itertext()))


def accounted_words(stories: Iterable[Story]) -> collections.Counter[str]:
    """The words of the stories' text and notes, and of what was reported taken out."""
    found: collections.Counter[str] = collections.Counter()
    for story in stories:
        parts = [story.meta.notes_html, story.meta.end_notes_html]
        for chapter in story.chapters:
            parts += [chapter.notes_html, chapter.html, chapter.end_notes_html]
            parts += [note.html for note in chapter.footnotes]
            found.update(words(chapter.title or ""))
        for part in parts:
            part = CALL.sub(" ", part)  # a call shows the book's number for its note
            if part:
                found.update(_shown_words(lxml.html.fromstring(f"<div>{part}</div>")))
        for change in story.changes:
            if change.kind in TAKEN_OUT:
                found.update(words(change.text))
    return found
