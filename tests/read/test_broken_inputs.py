"""Every reader against a corpus of broken inputs: a Story, or a refusal naming the file.

The readers are walked from FORMATS (packager/read/story.py), so a new format
is fed the corpus as soon as it is registered: the inputs for text formats go
to every text reader, the archive inputs to every reader of a zip format. A
parser's exception escaping (exit 3 on the command line) fails the test, and
so does a Story whose text XML cannot hold.
"""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import hostile_files as hostile
import lxml.etree as etree
import pytest

from packager.errors import StoryError
from packager.read import FORMATS, read_story
from packager.text import clean

_RNG = random.Random(17)
TEXT_CORPUS: dict[str, bytes] = {
    "empty": b"",
    "nul bytes": b"\0" * 300,
    "random bytes": bytes(_RNG.randrange(256) for _ in range(4096)),
    "png": b"\x89PNG\r\n\x1a\n" + bytes(64),
    "pdf": b"%PDF-1.4\n" + bytes(range(256)),
    "zip": hostile.story_docx(["x"]),
    "truncated utf-16": codecs.BOM_UTF16_LE + "A story".encode("utf-16-le")[:-1],
    "utf-16 lone surrogate": codecs.BOM_UTF16_LE + b"A\x00\x00\xd8B\x00",
    "utf-32": codecs.BOM_UTF32_LE + "Words here.\n".encode("utf-32-le"),
    "invalid utf-8": b"Caf\xc3 \xff\xfe and \xed\xa0\x80 more words\n",
    "cesu-8": b"A smile \xed\xa0\xbd\xed\xb8\x80 words\n",
    "noncharacters": "Words \ufffe\uffff\U0010ffff\ufdd0 words\n".encode(),
    "references": b"Words &#xFFFE; &#1; &#xD800; &#x110000; &#0; &#x9D; <b>&#xFFFF;</b>\n",
    "controls": bytes(range(1, 32)) + b" words\n",
    "bidi": "\u202e\u2066words\u2069\u202c\n".encode(),
    "only invisible": "\u200b\u200d\ufeff\u2060\u00ad\n".encode(),
    "long word": b"x" * 10_001 + b"\n",
    "deep quotes": b"> " * 300 + b"words\n",
    "deep markup": b"<p>" + b"<em>" * 400 + b"x" + b"</em>" * 400 + b"</p>\n",
    "unclosed front matter": b"---\ntitle: A\nwords\n",
    "bad yaml": b"---\ntitle: [a, b\n---\nwords\n",
    "nested yaml": b"---\ntitle: " + b"[" * 5000 + b"]" * 5000 + b"\n---\nwords\n",
    "yaml alias": b"---\na: &x one\nb: *x\n---\nwords\n",
    "yaml tag": b"---\ntitle: !!python/object:os.system ls\n---\nwords\n",
    "yaml null title": b"---\ntitle: ~\nauthor:\n---\nwords\n",
    "front matter only": b"---\ntitle: A\n---\n",
    "doctype entities": b'<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa">]><p>&a;&a;&a;</p>\n',
    "xml declaration": b"<?xml version='1.0' encoding='bogus-8'?><p>words</p>\n",
    "cdata and comments": b"<![CDATA[x]]><!-- words --><p>words</p><!--\n",
    "script": b"<script>alert(1)</script><svg onload=alert(1)><p>words</p>\n",
    "markdown brackets": b"[" * 5000 + b"](" * 2000 + b"\n",
    "markdown emphasis": b"*a " * 5000 + b"\n",
    "table soup": b"<table><tr><td><table>" * 50 + b"words\n",
    "line separators": "a\u2028b\u2029c\u0085d\rn\r\ne\n".encode(),
}
ZIP_CORPUS: dict[str, bytes] = {
    "empty zip": b"PK\x05\x06" + bytes(18),
    "truncated": hostile.story_docx(["A story", "Words."])[:200],
    "damaged": hostile.crc_damaged(hostile.story_docx(["Words."])),
    "no document": hostile.docx(b""),
    "not xml": hostile.docx(b"\x89PNG\r\n\x1a\n" + bytes(100)),
    "bad xml": hostile.docx(b"<w:document><w:body>"),
    "entity bomb": hostile.entity_bomb(),
    "utf-16 entity bomb": hostile.docx(
        (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
            f'<w:document xmlns:w="{hostile.W}"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p>'
            "</w:body></w:document>"
        ).encode("utf-16")
    ),
    "deep": hostile.docx(hostile.document_xml("<w:p>" + "<w:r>" * 5000 + "</w:r>" * 5000)),
    "declared huge": hostile.declared_sizes(
        hostile.story_docx(["x"]), "word/document.xml", 2**32 - 1, 1
    ),
    "declared small": hostile.declared_sizes(
        hostile.story_docx(["x" * 5000]), "word/document.xml", 10, 10
    ),
    "traversal": hostile.docx(hostile.document_xml(""), {"/etc/passwd": b"x", "a\\b": b"y"}),
    "many entries": hostile.docx(
        hostile.document_xml(hostile.paragraph("x")), {f"m/{i}": b"" for i in range(10_001)}
    ),
    "noncharacters": hostile.story_docx(["Title", "A \ufdd0 \U0001fffe words.", "&#xFDD0;"]),
    "empty paragraphs": hostile.story_docx(["", " ", "\u00a0"]),
    "rels to nowhere": hostile.docx(
        hostile.document_xml(hostile.paragraph("x")),
        {"word/_rels/document.xml.rels": b"<Relationships><Relationship Id='r' Target='../x'"},
    ),
}
TEXT_FORMATS = sorted(s for s, kind in FORMATS.items() if kind != "Word")
ZIP_FORMATS = sorted(s for s, kind in FORMATS.items() if kind == "Word")


def _read(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(data)
    try:
        story = read_story(path, tmp_path, path.name)
    except StoryError as exc:
        assert exc.problems, "a refusal must say why"
        assert all(p.file == path.name for p in exc.problems), exc.problems
        return
    story = clean(story)  # typography parses the chapters again, as XML fragments
    for chapter in story.chapters:
        etree.fromstring(f"<div>{chapter.html}</div>")  # XML 1.0 can hold every character
        etree.fromstring(f"<div>{chapter.notes_html}{chapter.end_notes_html}</div>")
    etree.fromstring(f"<div>{story.meta.summary_html}{story.meta.notes_html}</div>")
    for label in (story.meta.title, *story.meta.authors, *(c.title or "" for c in story.chapters)):
        element = etree.Element("p")
        element.text = label  # lxml refuses what XML cannot hold


@pytest.mark.parametrize("suffix", TEXT_FORMATS)
@pytest.mark.parametrize("case", sorted(TEXT_CORPUS))
def test_text_readers_refuse_or_read_broken_input(tmp_path: Path, suffix: str, case: str) -> None:
    _read(tmp_path, suffix, TEXT_CORPUS[case])


@pytest.mark.parametrize("suffix", ZIP_FORMATS)
@pytest.mark.parametrize("case", sorted(ZIP_CORPUS) + sorted(TEXT_CORPUS))
def test_archive_readers_refuse_or_read_broken_input(
    tmp_path: Path, suffix: str, case: str
) -> None:
    _read(tmp_path, suffix, {**TEXT_CORPUS, **ZIP_CORPUS}[case])


def test_pictures_may_be_larger_than_a_document_entry() -> None:
    """A 20 MiB photograph (past the 16 MiB a parsed document may unpack to) is opened;
    a document part of that size, or a picture past the picture cap, is refused."""
    from packager.read.bounded import MAX_ENTRY_BYTES, MAX_MEDIA_BYTES, open_archive

    photo = random.Random(3).randbytes(20 * 2**20)  # noise: stored, not compressed
    archive = open_archive(hostile.docx(hostile.document_xml(""), {"word/media/a.jpg": photo}),
                           "a.docx", "Word file")  # fmt: skip
    assert len(archive.read("word/media/a.jpg", MAX_MEDIA_BYTES)) == len(photo)
    for name, size in (
        ("word/media/b.jpg", MAX_MEDIA_BYTES + 1),
        ("word/b.xml", MAX_ENTRY_BYTES + 1),
    ):
        data = hostile.declared_sizes(
            hostile.docx(hostile.document_xml(""), {name: b"x"}), name, size, size
        )
        with pytest.raises(StoryError, match=f"{name}: unpacks to more than"):
            open_archive(data, "a.docx", "Word file")
