"""write_kepub(epub) -> bytes: the Kobo edition (.kepub.epub) of a built EPUB.

Kobo readers open a KEPUB with their newer renderer, which counts pages,
reading time and highlights by ``koboSpan`` elements: every sentence of every
text paragraph is wrapped in ``<span class="koboSpan" id="kobo.P.S">`` (P
counts the paragraphs of a document, S the sentences of a paragraph), as
Kobo's own KEPUBs and kepubify do. The text is otherwise the EPUB's, word for
word; soft hyphens are removed (the Kobo renderer shows them in search and
dictionary look-ups) and every CSS ``break-*`` gets its ``page-break-*``
twin, which is the only form Kobo's renderers honour.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator

from lxml import etree

_XHTML = "http://www.w3.org/1999/xhtml"
_OPF = "{http://www.idpf.org/2007/opf}"
_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
SOFT_HYPHEN = "\u00ad"
# Elements whose text is a paragraph of its own for Kobo's counting.
_BLOCKS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "caption",
    "figcaption", "blockquote", "div", "section", "article", "header", "footer", "aside",
    "address", "pre", "body", "nav",
})  # fmt: skip
_SKIP = frozenset({"script", "style", "svg", "math", "head"})
# A sentence: up to its closing punctuation (and quotes) and the spaces after it.
_SENTENCE = re.compile(r"\S.*?(?:[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*(?=\s|$)\s*|$)", re.S)
_BREAK = re.compile(r"(?<![\w-])break-(before|after|inside)\s*:\s*([\w-]+)\s*(!important)?", re.I)
_PAGE_BREAK = {"page": "always", "left": "left", "right": "right", "recto": "always",
               "verso": "always", "column": "always", "always": "always", "auto": "auto",
               "avoid": "avoid", "avoid-page": "avoid", "avoid-column": "avoid"}  # fmt: skip


def write_kepub(epub: bytes) -> bytes:
    """The KEPUB of an EPUB: same files, same order and times, content documents spanned."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub)) as src, zipfile.ZipFile(out, "w") as dst:
        documents, sheets = _content(src)
        for info in src.infolist():
            data = src.read(info)
            if info.filename in documents:
                data = kobo_document(data)
            elif info.filename in sheets:
                data = page_breaks(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data, compresslevel=None if info.filename == "mimetype" else 3)
    return out.getvalue()


def _content(src: zipfile.ZipFile) -> tuple[set[str], set[str]]:
    """The spine's content documents (not the navigation document) and the stylesheets."""
    container = etree.fromstring(src.read("META-INF/container.xml"))
    opf_path = container.find(".//{*}rootfile").get("full-path", "")  # type: ignore[union-attr]
    opf = etree.fromstring(src.read(opf_path))
    base = posixpath.dirname(opf_path)
    items = {i.get("id"): i for i in opf.iterfind(f".//{_OPF}item")}
    documents = set()
    for ref in opf.iterfind(f".//{_OPF}itemref"):
        item = items[ref.get("idref")]
        if "nav" not in (item.get("properties") or "").split():
            documents.add(posixpath.join(base, item.get("href", "")))
    sheets = {
        posixpath.join(base, i.get("href", ""))
        for i in items.values()
        if i.get("media-type") == "text/css"
    }
    return documents, sheets


def kobo_document(data: bytes) -> bytes:
    """One XHTML document with its sentences in koboSpans and no soft hyphens."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    body = root.find(f"{{{_XHTML}}}body")
    if body is None:
        return data
    for el in root.iter():
        if el.text:
            el.text = el.text.replace(SOFT_HYPHEN, "")
        if el.tail:
            el.tail = el.tail.replace(SOFT_HYPHEN, "")
    jobs = list(_texts(body, body))
    numbers: dict[etree._Element, tuple[int, int]] = {}
    for parent, anchor, block in jobs:
        para, sentence = numbers.get(block, (len(numbers) + 1, 0))
        text = anchor.tail if anchor is not None else parent.text
        assert text is not None
        stripped = text.lstrip()
        lead = text[: len(text) - len(stripped)]
        spans = []
        for match in _SENTENCE.finditer(stripped):
            if not match.group(0):
                continue
            sentence += 1
            span = etree.Element(
                f"{{{_XHTML}}}span", {"class": "koboSpan", "id": f"kobo.{para}.{sentence}"}
            )
            span.text = match.group(0)
            spans.append(span)
        numbers[block] = (para, sentence)
        if anchor is None:
            parent.text = lead
            at = 0
        else:
            anchor.tail = lead
            at = parent.index(anchor) + 1
        for offset, span in enumerate(spans):
            parent.insert(at + offset, span)
    _wrap_body(body)
    serialized = etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=False)
    assert isinstance(serialized, bytes)
    return _DECLARATION + serialized


def _texts(
    el: etree._Element, block: etree._Element
) -> Iterator[tuple[etree._Element, etree._Element | None, etree._Element]]:
    """(parent, the child whose tail it is or None for parent.text, paragraph) in text order."""
    if not isinstance(el.tag, str) or etree.QName(el).localname in _SKIP:
        return
    if etree.QName(el).localname in _BLOCKS:
        block = el
    if el.text and el.text.strip():
        yield el, None, block
    for child in el:
        yield from _texts(child, block)
        if child.tail and child.tail.strip():
            yield el, child, block


def _wrap_body(body: etree._Element) -> None:
    """Kobo's own KEPUBs hold the body's content in #book-columns > #book-inner."""
    outer = etree.Element(f"{{{_XHTML}}}div", {"id": "book-columns"})
    inner = etree.SubElement(outer, f"{{{_XHTML}}}div", {"id": "book-inner"})
    inner.text, body.text = body.text, None
    for child in list(body):
        inner.append(child)
    body.append(outer)


def page_breaks(css: str) -> str:
    """Every ``break-*`` declaration followed by its CSS 2 ``page-break-*`` twin."""

    def twin(match: re.Match[str]) -> str:
        side, value, important = match.group(1), match.group(2).lower(), match.group(3) or ""
        mapped = _PAGE_BREAK.get(value)
        if mapped is None or (side == "inside" and mapped not in ("avoid", "auto")):
            return match.group(0)
        return f"{match.group(0)}; page-break-{side.lower()}: {mapped}{important}"

    return _BREAK.sub(twin, css)
