"""The EPUB's zip: entries deflated in threads, written as zipfile itself writes them."""

from __future__ import annotations

import io
import random
import zipfile

from packager.epub.zipper import LEVEL, FixedZip, declared


def _entries() -> list[tuple[str, bytes]]:
    rng = random.Random(7)
    words = [bytes(rng.choices(b"abcdefghij ", k=rng.randint(1, 9))) for _ in range(400)]
    return [
        ("mimetype", b"application/epub+zip"),
        ("EPUB/empty.css", b""),
        ("EPUB/story.xhtml", b"<html>" + b" ".join(rng.choices(words, k=60_000)) + b"</html>"),
        ("EPUB/noise.bin", bytes(rng.getrandbits(8) for _ in range(50_000))),  # packs badly
        ("EPUB/short.xhtml", b"<p>x</p>"),
    ]


def test_fixed_zip_writes_the_bytes_zipfile_writes_in_the_order_given() -> None:
    made = io.BytesIO()
    with FixedZip(made, "w") as out:
        for name, data in _entries():
            out.writestr(name, data)
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as plain:
        for name, data in _entries():
            info = zipfile.ZipInfo(name, date_time=FixedZip.stamp)
            info.create_system, info.external_attr = 3, 0o100644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            body = declared(data) if name.endswith(".xhtml") else data
            plain.writestr(info, body, compresslevel=None if stored else LEVEL)
    assert made.getvalue() == expected.getvalue()
    with zipfile.ZipFile(made) as back:
        assert back.testzip() is None  # every CRC matches
        assert back.namelist() == [name for name, _ in _entries()]
        assert back.read("EPUB/noise.bin") == _entries()[3][1]
