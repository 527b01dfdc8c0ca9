"""An EPUB's container, read within bounds: zip entries and their XML, never trusted.

Nothing is extracted and nothing is loaded whole: packager.read.bounded checks
the central directory first (how many entries, what they unpack to, how far
each one is compressed, where its name points), then reads each entry on
demand with a running count. XML is parsed with entities, DTDs and the network off; a
document that declares entities is refused (that is how entity attacks are
made, and no EPUB needs them). Every refusal is a StoryError naming the file
and, when there is one, the entry.
"""

from __future__ import annotations

import html.entities
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import lxml.etree as etree

from packager.errors import StoryError

# The zip's directory checks and bounded reads are the Word reader's (packager.read.bounded).
from packager.read.bounded import MAX_UNPACKED_BYTES, Archive, open_archive, safe_name

MAX_DOCUMENT_BYTES = 32 * 1024 * 1024  # one XHTML file: several million words
# Fonts may be obfuscated (the IDPF's and Adobe's algorithms); anything else is DRM.
FONT_OBFUSCATION = frozenset(
    {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
)
_ENC = "{http://www.w3.org/2001/04/xmlenc#}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
# XML knows five named entities; XHTML files written for EPUB 2 use HTML's (&nbsp;)
# and name the XHTML DTD for them, which is never fetched: they become characters.
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_NAMED = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding=["']([\w.-]+)""")


@dataclass(frozen=True)
class Container:
    """An opened EPUB: its zip within bounds (packager.read.bounded), and its XML."""

    archive: Archive

    @property
    def file(self) -> str:
        return self.archive.file

    @property
    def names(self) -> frozenset[str]:
        return self.archive.names

    def where(self, entry: str) -> str:
        return self.archive.where(entry)

    def refuse(self, message: str, entry: str = "", line: int | None = None) -> StoryError:
        return self.archive.refuse(message, entry, line)

    def read(self, entry: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
        """An entry's bytes, counted as they unpack; damage and excess are refused."""
        if entry not in self.names:
            raise self.refuse(f"the EPUB names '{entry}', which is not in it; refused")
        return self.archive.read(entry, limit)

    def xml(self, entry: str) -> etree._Element:
        """An entry parsed as XML: no DTD loaded, no entity expanded, nothing fetched."""
        return parse_xml(self.read(entry), self, entry)


def open_container(data: bytes, file: str) -> Container:
    """Open an EPUB's zip and check its directory before anything is unpacked.

    A picture is held to the picture cap when it is read (left out with a warning,
    packager.read.epubpictures), not here: one large picture does not refuse the book.
    """
    box = Container(
        open_archive(data, file, "EPUB", MAX_DOCUMENT_BYTES, MAX_UNPACKED_BYTES, entry_paths=True)
    )
    _refuse_drm(box)
    return box


def resolve(base: str, href: str) -> str | None:
    """The entry an href in entry ``base`` points to; None if it leaves the container."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    # An absolute path is from the container's root; any other, from the entry's folder.
    here = "" if path.startswith("/") else posixpath.dirname(base)
    joined = posixpath.normpath(posixpath.join(here, path.lstrip("/")))
    return joined if safe_name(joined) and joined != "." else None


def _refuse_drm(box: Container) -> None:
    """Encrypted entries (other than obfuscated fonts) mean DRM: say so, and stop."""
    name = "META-INF/encryption.xml"
    if name not in box.names:
        return
    root = box.xml(name)
    for data in root.iter(f"{_ENC}EncryptedData"):
        method = data.find(f"{_ENC}EncryptionMethod")
        algorithm = method.get("Algorithm", "") if method is not None else ""
        if algorithm not in FONT_OBFUSCATION:
            ref = data.find(f"{_ENC}CipherData/{_ENC}CipherReference")
            target = ref.get("URI", "") if ref is not None else "an entry"
            raise box.refuse(
                f"is protected by DRM ({name} encrypts {target} with {algorithm or 'a cipher'}); "
                "packager cannot read it: use a DRM-free copy (archive downloads are)"
            )


def rootfile(box: Container) -> str:
    """The package document's entry, as META-INF/container.xml names it."""
    name = "META-INF/container.xml"
    if name not in box.names:
        raise box.refuse(f"not an EPUB: it has no {name}")
    for el in box.xml(name).iter(f"{_CONTAINER}rootfile"):
        full = el.get("full-path", "")
        if el.get("media-type", "application/oebps-package+xml") == "application/oebps-package+xml":
            if not safe_name(full):
                raise box.refuse(f"names '{full}', outside the container; refused", name)
            if full not in box.names:
                raise box.refuse(f"names '{full}', which is not in the EPUB", name)
            return full
    raise box.refuse("names no package document (rootfile)", name)


def parse_xml(data: bytes, box: Container, entry: str) -> etree._Element:
    """Bytes of an XML entry to its root element, or a StoryError naming the entry."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (allowed by EPUB 2)
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise box.refuse("damaged EPUB: not UTF-16 as its mark says", entry) from None
    else:
        declared = _DECLARED_ENCODING.match(data)
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        if encoding not in ("utf-8", "utf8"):
            try:
                data = data.decode(encoding).encode("utf-8")
            except (LookupError, UnicodeDecodeError):
                raise box.refuse(f"damaged EPUB: not {encoding} as it says", entry) from None
    # The declaration goes (its encoding is now UTF-8 either way); lines keep their numbers.
    data = _DECLARATION.sub(b"", data)
    data = _NAMED.sub(_character_reference, data)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise box.refuse(f"damaged EPUB: not well-formed XML ({exc.msg})", entry, line) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[union-attr]
        raise box.refuse(
            "declares XML entities in its DOCTYPE (the way entity attacks are made; "
            "no EPUB needs them); refused",
            entry,
        )
    for node in root.iter(etree.Entity):
        raise box.refuse(f"refers to an undefined entity {node.text}", entry, line_of(node))
    return root


def line_of(el: etree._Element, default: int = 1) -> int:
    """The line an element starts on in its entry (lxml knows it for parsed elements)."""
    line = el.sourceline
    return line if isinstance(line, int) and line > 0 else default


def _character_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1).decode("ascii")
    if name in _XML_ENTITIES:
        return match.group(0)
    text = html.entities.html5.get(f"{name};")
    if text is None:
        return match.group(0)
    return "".join(f"&#{ord(c)};" for c in text).encode("ascii")
