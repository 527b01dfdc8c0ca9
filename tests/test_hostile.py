"""Hostile and broken files (issue 17): one fixed example of each shape, through the real CLI.

A shape packager refuses must exit 1, name the file (every bad file of the
run, in one run) and write nothing; a shape it repairs must build, warn with
the file and line, and give an EPUB that EPUBCheck passes. Every file is
written by the test (tests/hostile_files.py), none is committed.
"""

from __future__ import annotations

import codecs
import os
import struct
import zipfile
from pathlib import Path

import hostile_files as hostile
from helpers import Epub, assert_epubcheck_clean
from typer.testing import CliRunner, Result

from packager.cli import app
from packager.read.bounded import MAX_ENTRY_BYTES, MAX_RATIO, MAX_UNPACKED_BYTES
from packager.read.docx import MAX_ELEMENTS

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 40
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00"
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00" + b"\x00" * 52
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56
WHITE = " \t\r\n\u00a0\u3000\u200b\r\n  \n"


def build(source: Path, out: Path, *args: str) -> Result:
    command = ["build", str(source), "-o", str(out), "--no-cache", "-j", "1", "-f", "epub"]
    result = CliRunner().invoke(app, [*command, *args])
    assert "internal error" not in result.output and "Traceback" not in result.output
    return result


def errors_by_file(result: Result) -> dict[str, str]:
    """Each 'error: FILE[:LINE]: message' line of stderr, by the file's name."""
    found: dict[str, str] = {}
    for line in result.stderr.splitlines():
        if line.startswith("error: "):
            where, _, message = line.removeprefix("error: ").partition(": ")
            found[Path(where.split(":")[0]).name] = message
    return found


def _zip(entries: dict[str, bytes]) -> bytes:
    return hostile.docx(hostile.document_xml(hostile.paragraph("x")), entries)


def _encrypted(data: bytes) -> bytes:
    """The zip with its document entry marked as encrypted (general-purpose flag bit 0)."""
    raw = bytearray(data)
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + length] == b"word/document.xml":
            raw[at + 8] |= 1
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


def _many_elements() -> bytes:
    """Just over the element cap, in short paragraphs of words (compressed 3 to 5 times)."""
    words = hostile.noisy_text(MAX_ELEMENTS * 3).split()
    body = "".join(f"<w:p><w:r><w:t>{w}</w:t></w:r></w:p>" for w in words[: MAX_ELEMENTS // 3 + 10])
    return hostile.docx(hostile.document_xml(body))


REFUSED: dict[str, tuple[bytes, str]] = {
    # Binary files under a story's name.
    "picture.txt": (PNG, "not a text file: it looks like a PNG image"),
    "photo.md": (JPEG, "not a text file: it looks like a JPEG image"),
    "anim.html": (GIF, "not a text file: it looks like a GIF image"),
    "print.txt": (PDF, "not a text file: it looks like a PDF document"),
    "archive.md": (_zip({}), "not a text file: it looks like a Word document; rename it .docx"),
    "linux.txt": (ELF, "not a text file: it looks like a Linux program (an ELF executable)"),
    "windows.md": (PE, "not a text file: it looks like a Windows program (an executable or DLL)"),
    "mac.txt": (MACHO, "not a text file: it looks like a macOS program (a Mach-O executable)"),
    "noise.txt": (
        bytes(range(32)) * 64 + b"words" * 10,
        "not a text file: it looks like binary data (",
    ),
    # Empty and white-space-only stories.
    "empty.txt": (b"", "no story: the file is empty (0 bytes); remove it, or set "),
    "white.md": (
        WHITE.encode(),
        "no story: the file holds only white space (IDEOGRAPHIC SPACE, NO-BREAK SPACE, "
        "ZERO WIDTH SPACE)",
    ),
    "white16.txt": (codecs.BOM_UTF16_LE + WHITE.encode("utf-16-le"), "no story: the file holds"),
    "front.md": (b"---\ntitle: Only a Title\n---\n\n\n", "no story: the file has no story text"),
    # Word files: not Word, damaged, bombs.
    "text.docx": (b"Just some words.\n", "not a Word document: it looks like text"),
    "pdf.docx": (PDF, "not a Word document: it looks like a PDF document"),
    "old.docx": (OLE, "not a Word document: it looks like an old Word .doc (or Excel .xls) file"),
    "laughs.docx": (
        hostile.entity_bomb(),
        "word/document.xml: declares XML entities (the way 'billion laughs' attacks are made",
    ),
    "inflated.docx": (
        hostile.decompression_bomb(MAX_ENTRY_BYTES - 2**20),
        "word/document.xml: compressed ",  # about a thousand times
    ),
    "huge.docx": (
        hostile.declared_sizes(hostile.story_docx(["x"]), "word/document.xml", 2**31, 2**26),
        f"word/document.xml: unpacks to more than {MAX_ENTRY_BYTES // 2**20} MiB; refused",
    ),
    "elements.docx": (_many_elements(), f"holds more than {MAX_ELEMENTS:,} XML elements"),
    "outside.docx": (
        _zip({"../../evil.xml": b"<x/>"}),
        "entry '../../evil.xml' points outside the container",
    ),
    "locked.docx": (_encrypted(hostile.story_docx(["x"])), "word/document.xml: encrypted"),
    "damaged.docx": (
        hostile.crc_damaged(hostile.story_docx(["x"])),
        "[Content_Types].xml: damaged: cannot",
    ),
    "badxml.docx": (hostile.docx(b"<w:document"), "not a readable Word (.docx) file (unclosed"),
    "nested.docx": (
        hostile.docx(hostile.document_xml("<w:p>" + "<w:r>" * 3000 + "</w:r>" * 3000 + "</w:p>")),
        "not a readable Word (.docx) file (it is nested too deeply to read)",
    ),
}


def test_every_hostile_file_is_refused_naming_it_in_one_run(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "fine.md").write_text("A story that is fine.\n", encoding="utf-8")
    for name, (data, _) in REFUSED.items():
        (source / name).write_bytes(data)
    out = tmp_path / "out"
    result = build(source, out)
    assert result.exit_code == 1, result.output
    found = errors_by_file(result)
    assert set(found) == set(REFUSED), result.stderr
    for name, (_, message) in REFUSED.items():
        assert found[name].startswith(message), (name, found[name])
    assert not out.exists()


def test_the_caps_are_what_security_md_says() -> None:
    assert (MAX_ENTRY_BYTES, MAX_UNPACKED_BYTES, MAX_RATIO) == (16 * 2**20, 200 * 2**20, 100)
    text = (Path(__file__).parent.parent / "SECURITY.md").read_text(encoding="utf-8")
    for shown in ("16 MiB", "200 MiB", "100 times", f"{MAX_ELEMENTS:,} XML elements"):
        assert shown in text, shown


def cesu8(text: str) -> bytes:
    """Text as CESU-8: each half of a surrogate pair encoded on its own (Java's modified UTF-8)."""
    units = "".join(
        chr(c)
        if c < 0x10000
        else "".join(map(chr, struct.unpack("<2H", chr(c).encode("utf-16-le"))))
        for c in map(ord, text)
    )
    return units.encode("utf-8", "surrogatepass")


def test_repairable_shapes_build_with_a_warning_naming_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    files = {
        "01-noncharacters.txt": "Noncharacters\n\nA \ufffe b \uffff c \U0001fffe d \ufdd0 e.\n",
        "02-references.md": "References\n\nA &#xFFFE; b <b>&#1;</b> c &#xFDD0; d.\n",
        "03-null-title.md": "---\ntitle: ~\n---\nThe title was null.\n",
        "04-empty-title.md": '---\ntitle: ""\n---\n# The Heading\n\nThe title was empty.\n',
        "05-override.md": "---\ntitle: The Override\n---\nIts title in collection.toml is empty.\n",
    }
    for name, text in files.items():
        (source / name).write_text(text, encoding="utf-8")
    (source / "06-cesu.txt").write_bytes(
        cesu8("CESU-8\n\nA smile \U0001f600 kept.\n") + b"A lone \xed\xa0\x80 half.\n"
    )
    (source / "07-word.docx").write_bytes(
        hostile.story_docx(["Word", "A \ufdd0 noncharacter in Word.", "The end."])
    )
    (source / os.fsdecode(b"08-caf\xe9.txt")).write_text("Not UTF-8 in its name.\n")
    (source / "collection.toml").write_text(
        'title = "Hostile"\n[stories."05-override.md"]\ntitle = ""\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    result = build(source, out)
    assert result.exit_code == 0, result.output
    warnings = [line.removeprefix("warning: ") for line in result.stderr.splitlines()]

    def warned(name: str, line: int | None, message: str) -> None:
        where = f"{name}:{line}" if line else name
        assert any(w.split(": ", 1)[0].endswith(where) and message in w for w in warnings), (
            where,
            message,
            warnings,
        )

    warned("01-noncharacters.txt", 3, "removed noncharacters (U+FDD0, U+FFFE, U+FFFF, U+1FFFE)")
    warned("02-references.md", 3, "removed character references to control characters (U+0001)")
    warned("02-references.md", 3, "noncharacters (U+FDD0, U+FFFE)")
    warned(
        "03-null-title.md", 2, "front matter: 'title' is empty; the story is called 'Null Title'"
    )
    warned("04-empty-title.md", 2, "the story is called 'The Heading' (from its first heading)")
    warned("collection.toml", 3, "'title' is empty; the story keeps its title 'The Override'")
    warned("06-cesu.txt", 4, "removed lone surrogates (U+D800)")
    warned("07-word.docx", 2, "removed noncharacters (U+FDD0)")
    epub_path = next(out.glob("*.epub"))
    assert_epubcheck_clean(epub_path)
    epub = Epub.open(epub_path)
    text = epub.text()
    assert "asmilekept" in text and "alonehalf" in text and "anoncharacterinword" in text
    nav = epub.files["EPUB/nav.xhtml"].decode()
    for title in ("Null Title", "The Heading", "The Override", "Café", "CESU-8"):
        assert title in nav, title
    assert "\ufffe" not in text and "\ufdd0" not in text


def test_empty_stories_can_be_left_out_with_a_warning(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.md").write_text("The one real story.\n", encoding="utf-8")
    (source / "b.txt").write_bytes(b"")
    (source / "c.md").write_text(WHITE, encoding="utf-8")
    (source / "collection.toml").write_text("skip_empty_stories = true\n", encoding="utf-8")
    out = tmp_path / "out"
    result = build(source, out)
    assert result.exit_code == 0, result.output
    assert "b.txt: no story: the file is empty (0 bytes); left out" in result.stderr
    assert "c.md: no story: the file holds only white space" in result.stderr
    epub = next(out.glob("*.epub"))
    assert_epubcheck_clean(epub)
    assert len(Epub.open(epub).spine_documents()) > 0
    with zipfile.ZipFile(epub) as z:
        stories = [n for n in z.namelist() if n.startswith("EPUB/story-")]
    assert stories == ["EPUB/story-001.xhtml"]

    (source / "a.md").write_text("", encoding="utf-8")
    result = build(source, tmp_path / "none")
    assert result.exit_code == 1
    assert "every story file is empty" in result.stderr
    assert not (tmp_path / "none").exists()


def test_a_picture_that_is_not_a_picture_is_left_out(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "map.gif").write_bytes(b"<html>a page saved under a picture's name</html>")
    (source / "a.md").write_text("Words before.\n\n![A map](map.gif)\n", encoding="utf-8")
    out = tmp_path / "out"
    result = build(source, out)
    assert result.exit_code == 0, result.output
    assert "a.md:1: picture 'map.gif' is not a PNG, JPEG" in result.stderr  # the chapter's line
    assert "; left out" in result.stderr
    assert_epubcheck_clean(next(out.glob("*.epub")))


def test_a_cover_that_is_not_a_picture_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "cover.jpg").write_bytes(PDF)  # a PDF renamed .jpg
    (source / "collection.toml").write_text('title = "T"\ncover = "cover.jpg"\n', "utf-8")
    (source / "a.md").write_text("Words of a story.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = build(source, out)
    assert result.exit_code == 1, result.output
    assert errors_by_file(result)["cover.jpg"].startswith("cover: not a PNG, JPEG")
    assert not out.exists() or not any(out.iterdir())
