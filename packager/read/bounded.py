"""Zip archives (Word files now, EPUBs next) opened within bounds, before any entry is parsed.

A small zip can unpack to gigabytes (a "zip bomb"), name entries outside any
folder ('../../etc/passwd'), or hold XML that expands entities a billion
times. So the central directory is checked first, from the sizes it
declares: how many entries, what each unpacks to, how far each one is
compressed, what they add up to, and where each name points. zipfile never
unpacks more than an entry declares (a lie ends in a CRC error), so the
checks bound the work. Every refusal is a StoryError naming the file and,
where there is one, the entry.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import cached_property

from packager.errors import StoryError, error, reason

MAX_ENTRIES = 10_000  # a Word file has a few dozen, an illustrated EPUB a few hundred
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all entries together
# One entry: a document a reader parses whole. 16 MiB of XML holds up to two
# million words (a long novel has 100,000; Word's markup takes most of a
# document.xml); more is refused before it is unpacked, so that reading the
# largest allowed document stays within SECURITY.md's budget (bench/shapes.py).
MAX_ENTRY_BYTES = 16 * 1024 * 1024
# Any other entry (a picture, a font): the largest picture packager takes
# (packager.read.pictures.MAX_BYTES), which is read as bytes, never parsed as XML.
MAX_MEDIA_BYTES = 40 * 1024 * 1024
# Entries that readers parse as documents, by name; content that looks like XML
# under any other name is held to MAX_ENTRY_BYTES when it is read (read/docx.py).
_DOCUMENT = (".xml", ".rels", ".xhtml", ".html", ".htm", ".opf", ".ncx", ".svg", ".css")
# Text and markup compress 3 to 20 times; a zip bomb 1,000 (deflate's limit).
MAX_RATIO = 100
RATIO_FROM = 1024 * 1024  # small entries may be as repetitive as they like
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Archive:
    """An opened zip whose directory passed the checks: entries are read on demand."""

    file: str  # the file's name in messages
    kind: str  # "Word file", "EPUB": what the messages call it
    zip: zipfile.ZipFile
    infos: tuple[zipfile.ZipInfo, ...]
    # How a message names an entry: inside the file's path ('work.epub/OEBPS/ch1.xhtml',
    # as the EPUB reader's reports and line numbers do), or first in the message
    # ('story.docx: word/document.xml: ...', one file to the editor).
    entry_paths: bool = False

    @cached_property  # asked once per entry read: made once
    def names(self) -> frozenset[str]:
        return frozenset(i.filename for i in self.infos)

    def where(self, entry: str) -> str:
        """How messages and reports name an entry: 'stories/work.epub/OEBPS/ch1.xhtml'."""
        return f"{self.file}/{entry}"

    def refuse(self, message: str, entry: str = "", line: int | None = None) -> StoryError:
        """A refusal naming the file, and the entry when there is one."""
        if entry and self.entry_paths:
            return StoryError([error(message, self.where(entry), line)])
        return StoryError([error(f"{entry}: {message}" if entry else message, self.file, line)])

    def head(self, entry: str, size: int) -> bytes:
        """The first ``size`` bytes of an entry (to tell what it is before reading it all)."""
        try:
            with self.zip.open(entry) as stream:
                return stream.read(size)
        except Exception as exc:  # zlib.error, BadZipFile, EOFError, NotImplementedError
            raise self.refuse(f"damaged: cannot unpack it ({reason(exc)})", entry) from None

    def read(self, entry: str, limit: int = MAX_ENTRY_BYTES) -> bytes:
        """An entry's bytes, counted as they unpack; damage and excess are refused."""
        try:
            info = self.zip.getinfo(entry)
        except KeyError:
            raise self.refuse(f"named by the {self.kind} but not in it", entry) from None
        if info.file_size > limit:
            raise self.refuse(f"unpacks to more than {_mib(limit)}; refused", entry)
        out = io.BytesIO()
        try:
            with self.zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    out.write(chunk)
                    if out.tell() > info.file_size:  # zipfile stops at the size; never trust it
                        raise self.refuse("unpacks to more than it declares; refused", entry)
        except StoryError:
            raise
        except Exception as exc:  # zlib.error, BadZipFile (CRC), EOFError, NotImplementedError
            raise self.refuse(f"damaged: cannot unpack it ({reason(exc)})", entry) from None
        return out.getvalue()


def open_archive(
    data: bytes,
    file: str,
    kind: str,
    document_cap: int = MAX_ENTRY_BYTES,
    media_cap: int = MAX_MEDIA_BYTES,
    entry_paths: bool = False,
) -> Archive:
    """Open a zip and check its central directory; raise StoryError naming the file.

    ``document_cap`` bounds an entry a reader parses as a document (by its name),
    ``media_cap`` any other entry, both from the sizes the directory declares.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = tuple(archive.infolist())
    except Exception as exc:  # BadZipFile, LargeZipFile, EOFError, ValueError, OSError
        raise StoryError(
            [error(f"not a readable {kind} (a damaged or truncated zip: {reason(exc)})", file)]
        ) from None
    box = Archive(file, kind, archive, infos, entry_paths)
    if len(infos) > MAX_ENTRIES:
        raise box.refuse(f"has {len(infos):,} entries, more than {MAX_ENTRIES:,}; refused")
    if len(box.names) != len(infos):
        raise box.refuse("names two entries alike (readers disagree which one counts); refused")
    total = 0
    for info in infos:
        name = info.filename
        if not safe_name(name):
            raise box.refuse(
                f"entry '{name}' points outside the container (a name with '..', "
                "a leading '/', a '\\' or a drive letter); refused"
            )
        if info.flag_bits & 0x1:
            raise box.refuse("encrypted with a password; refused", name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise box.refuse("compressed in a way Word and EPUB never use; refused", name)
        cap = document_cap if name.lower().endswith(_DOCUMENT) else media_cap
        if info.file_size > cap:
            raise box.refuse(f"unpacks to more than {_mib(cap)}; refused", name)
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_FROM and info.file_size / packed > MAX_RATIO:
            raise box.refuse(
                f"compressed {info.file_size // packed:,} times, more than any document is "
                f"(at most {MAX_RATIO}: a 'zip bomb'); refused",
                name,
            )
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise box.refuse(f"unpacks to more than {_mib(MAX_UNPACKED_BYTES)}; refused")
    return box


def safe_name(name: str) -> bool:
    """Whether an entry's name stays inside the archive ('../x', '/x', 'C:x' do not)."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in name.split("/")


def _mib(size: int) -> str:
    return f"{size // 2**20} MiB"
