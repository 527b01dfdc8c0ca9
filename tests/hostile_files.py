"""Generators of hostile and broken story files, for the tests (nothing committed as binary).

Each returns bytes as a real tool (or an attacker) would write them: Word
files built entry by entry, so that a test can put anything in their XML.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def paragraph(text: str) -> str:
    """One Word paragraph with Word's usual markup around its text."""
    return (
        '<w:p w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3"><w:pPr><w:spacing w:after="120"/>'
        '</w:pPr><w:r><w:rPr><w:sz w:val="24"/></w:rPr>'
        f'<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
    )


def document_xml(body: str, prolog: str = "") -> bytes:
    return (
        f'{DECLARATION}{prolog}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    ).encode()


def docx(document: bytes, extra: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    """A Word file holding ``document`` as word/document.xml (and any extra entries)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        with archive.open("word/document.xml", "w", force_zip64=len(document) > 2**30) as entry:
            entry.write(document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def story_docx(paragraphs: list[str]) -> bytes:
    return docx(document_xml("".join(paragraph(p) for p in paragraphs)))


def entity_bomb() -> bytes:
    """'Billion laughs': ten entities, each ten of the one before (a few hundred bytes)."""
    entities = ['<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        entities.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">')
    prolog = f"<!DOCTYPE w:document [{''.join(entities)}]>"
    return docx(document_xml(paragraph("&lol9;"), prolog))


def decompression_bomb(unpacked: int) -> bytes:
    """A Word file whose document.xml inflates to ``unpacked`` bytes of one repeated paragraph."""
    one = paragraph("All work and no play makes Jack a dull boy.").encode()
    head = f'{DECLARATION}<w:document xmlns:w="{W}"><w:body>'.encode()
    tail = b"</w:body></w:document>"
    count = (unpacked - len(head) - len(tail)) // len(one)
    return docx(head + one * count + tail, level=9)


def declared_sizes(data: bytes, entry: str, file_size: int, compress_size: int) -> bytes:
    """The same zip with the sizes its central directory declares for ``entry`` rewritten.

    What a hand-made bomb does: the directory claims any size, and a reader
    that trusts it is checked before anything is unpacked.
    """
    raw = bytearray(data)
    name = entry.encode()
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", raw, at + 28)[0]
        if bytes(raw[at + 46 : at + 46 + length]) == name:
            struct.pack_into("<II", raw, at + 20, compress_size, file_size)
            return bytes(raw)
        at = raw.find(b"PK\x01\x02", at + 4)
    raise KeyError(entry)


def noisy_text(size: int, seed: int = 1) -> str:
    """Words that compress about three times, as real prose does."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: list[str] = []
    total = 0
    while total < size:
        word = "".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
        words.append(word)
        total += len(word) + 1
    return " ".join(words)


def compressible(size: int, seed: int = 1) -> bytes:
    """Bytes that deflate about 45 times: under the ratio cap, so only sizes can refuse them."""
    rng = random.Random(seed)
    letters = b"abcdefghijklmnopqrstuvwxyz"
    kib = (bytes(rng.choice(letters) for _ in range(24)) + b" " * 1000 for _ in range(size // 1024))
    return b"".join(kib)


def crc_damaged(data: bytes) -> bytes:
    """A zip whose first entry's data is changed: a CRC error when it is unpacked."""
    raw = bytearray(data)
    name_length, extra_length = struct.unpack_from("<HH", raw, 26)
    start = 30 + name_length + extra_length
    raw[start + 2] ^= 0xFF
    return bytes(raw)
