"""An EPUB's container, read within bounds: zip entries and their XML, never trusted.

Nothing is extracted and nothing is loaded whole: the central directory is
checked first (how many entries, what they unpack to, how far each one is
compressed, where its name points), then each entry is read on demand with a
running count. XML is parsed with entities, DTDs and the network off; a
document that declares entities is refused (that is how entity attacks are
made, and no EPUB needs them). Every refusal is a StoryError naming the file
and, when there is one, the entry.
"""

from __future__ import annotations

import html.entities
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import lxml.etree as etree

from packager.errors import StoryError, error

# The caps every zip story shares with Word files: one definition (packager.read.bounded).
from packager.read.bounded import (
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_UNPACKED_BYTES,
    RATIO_FROM,
    safe_name,
)

MAX_DOCUMENT_BYTES = 32 * 1024 * 1024  # one XHTML file: several million words
_CHUNK = 64 * 1024
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
    """An opened EPUB: its entries by name, and the file's name for messages."""

    file: str
    zip: zipfile.ZipFile
    names: frozenset[str]

    def where(self, entry: str) -> str:
        """How messages and reports name an entry: 'stories/work.epub/OEBPS/ch1.xhtml'."""
        return f"{self.file}/{entry}"

    def refuse(self, message: str, entry: str = "", line: int | None = None) -> StoryError:
        return StoryError([error(message, self.where(entry) if entry else self.file, line)])

    def read(self, entry: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
        """An entry's bytes, counted as they unpack; damage and excess are refused."""
        if entry not in self.names:
            raise self.refuse(f"the EPUB names '{entry}', which is not in it; refused")
        info = self.zip.getinfo(entry)
        if info.file_size > limit:
            raise self.refuse(f"unpacks to more than {limit // 2**20} MiB; refused", entry)
        out = io.BytesIO()
        try:
            with self.zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    out.write(chunk)
                    if out.tell() > min(limit, info.file_size):
                        raise self.refuse("unpacks to more than it declares; refused", entry)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise self.refuse(f"damaged EPUB: cannot unpack this entry ({exc})", entry) from None
        return out.getvalue()

    def xml(self, entry: str) -> etree._Element:
        """An entry parsed as XML: no DTD loaded, no entity expanded, nothing fetched."""
        return parse_xml(self.read(entry), self, entry)


def open_container(data: bytes, file: str) -> Container:
    """Open an EPUB's zip and check its directory before anything is unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        message = f"not a readable EPUB (a damaged or truncated zip: {exc})"
        raise StoryError([error(message, file)]) from None
    box = Container(file, archive, frozenset(i.filename for i in infos))
    if len(infos) > MAX_ENTRIES:
        raise box.refuse(f"has {len(infos):,} entries, more than {MAX_ENTRIES:,}; refused")
    if len(box.names) != len(infos):
        raise box.refuse("names two entries alike (readers disagree which one counts); refused")
    total = 0
    for info in infos:
        if not safe_name(info.filename):
            raise box.refuse(
                f"entry '{info.filename}' points outside the container (a name with '..', "
                "a leading '/', a '\\' or a drive letter); refused"
            )
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise box.refuse(f"unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB; refused")
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_FROM and info.file_size / packed > MAX_RATIO:
            ratio = info.file_size // packed
            raise box.refuse(
                f"compressed {ratio:,} times (a 'zip bomb'; at most {MAX_RATIO}); refused",
                info.filename,
            )
        if info.flag_bits & 0x1:
            raise box.refuse("is encrypted with a password; refused", info.filename)
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
