"""Pictures inside an EPUB story, read from the container for the book.

Each ``<img>`` of the story's text that points to an entry of the container is
given that entry's bytes under a key (``#embedded-1``), as the Word reader gives
the pictures a file holds; packager.read.images then checks and cleans them
(type by content, caps, metadata) like any other picture. A remote address is
left as it is: it is never fetched, and images reports it and keeps the alt
text. A picture the EPUB names but does not hold is left out, its alt text kept.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from packager.read.container import Container, resolve
from packager.read.images import EMBEDDED


class ContainerPictures:
    """The pictures of one story of an EPUB, by the key its text now calls them by."""

    def __init__(self, box: Container) -> None:
        self.box = box
        self.embedded: dict[str, bytes] = {}
        self._keys: dict[str, str] = {}  # entry -> key

    def __call__(self, entry: str, src: str) -> str | None:
        """The src of the book's copy of the picture ``src`` in document ``entry``."""
        src = src.strip()
        if urlsplit(src).scheme in ("http", "https") or src.startswith("//"):
            return src  # never fetched: reported as remote, its alt text kept
        target = resolve(entry, src) if src and not src.startswith("data:") else None
        if target is None or target not in self.box.names:
            return None
        key = self._keys.get(target)
        if key is None:
            key = f"{EMBEDDED}{len(self._keys) + 1}"
            self.embedded[key] = self.box.read(target)  # within the container's bounds
            self._keys[target] = key
        return key
