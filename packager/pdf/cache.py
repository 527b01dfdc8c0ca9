"""The build cache: rendered story PDFs, font programs and story files read, by content hash.

A folder (``SOURCE/.packager-cache`` unless told otherwise) holds:

    CACHEDIR.TAG             marks the folder as a cache for backup tools
    packager-cache.json      {"format": FORMAT}: whose cache this is
    parts/<key>              a rendered part: header, JSON, PDF; or a font's subset for
                             a set of glyphs: header, JSON (its advances), the program;
                             or a story file read and cleaned: header, JSON (the
                             pictures it looked for), the read as JSON (packager.readcache)
    fonts/<sha256>           a font program, named by its own hash

Nothing read from the cache is trusted: every entry carries a checksum that
is verified, part entries are JSON and PDF (never pickles), and a folder that
is not a packager cache of this format is left alone with a warning.

Several builds, on one machine or several sharing the folder (NFS, CephFS,
Lustre, EFS), may use it at once: every file, the marker included, is written
under a name of its own, flushed to disk, and renamed over its place, which
POSIX and NFS make atomic within a folder. Two writers of one entry write the
same bytes (the key names everything the layout depends on, the engine too),
so the last rename wins and no reader ever sees half an entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from packager.errors import warning
from packager.model import Diagnostic

FORMAT = 1
MARKER = "packager-cache.json"
_MAGIC = b"PACKAGER-CACHE 1\n"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by packager.\n"
    "# It can be deleted; packager will rebuild it.\n"
)


def key(*parts: bytes | str) -> str:
    """A cache key: sha256 over the parts, each length-prefixed so they cannot run together."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class Cache:
    """A verified, content-addressed store; every problem becomes a warning, never an error."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.diagnostics: list[Diagnostic] = []
        self.usable = self._open()
        self.hits = 0
        self.misses = 0

    def _open(self) -> bool:
        marker = self.folder / MARKER
        if self.folder.exists() and not self.folder.is_dir():
            return self._refuse("is not a folder")
        if marker.is_file():
            return self._check_marker(marker)
        if self.folder.exists() and any(
            p.name not in _SKELETON and not p.name.startswith(_TMP) for p in self.folder.iterdir()
        ):
            return self._refuse("is not a packager cache (no packager-cache.json)")
        try:  # another build may be making it at the same moment: every step may happen twice
            (self.folder / "parts").mkdir(parents=True, exist_ok=True)
            (self.folder / "fonts").mkdir(exist_ok=True)
            _atomic_write(self.folder / "CACHEDIR.TAG", _TAG.encode())
            _atomic_write(marker, (json.dumps({"format": FORMAT}) + "\n").encode())
        except OSError as exc:
            return self._refuse(f"cannot be written ({exc.strerror})")
        return True

    def _check_marker(self, marker: Path) -> bool:
        try:
            found = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return self._refuse("has an unreadable packager-cache.json")
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            return self._refuse(f"is a cache of another format (expected {FORMAT})")
        return True

    def _refuse(self, why: str) -> bool:
        self.diagnostics.append(warning(f"cache {why}; building without it", str(self.folder)))
        return False

    def _corrupt(self, path: Path) -> None:
        self.damaged(str(path))

    def damaged(self, where: str) -> None:
        """Say that an entry (a path, or the name of one whose content made no sense) is
        damaged: it is ignored and made again."""
        self.diagnostics.append(warning("cache entry is damaged; ignored and rebuilt", where))

    # -- parts: a JSON description and a PDF --------------------------------------

    def get_part(self, name: str) -> tuple[dict[str, Any], bytes] | None:
        found = self._entry(name, lambda pdf: pdf.startswith(b"%PDF"))
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put_part(self, name: str, meta: dict[str, Any], pdf: bytes) -> None:
        self._put_entry(name, meta, pdf)

    # -- a font subset to a book's glyphs: its advances as JSON, the program ---------

    def get_subset(self, name: str) -> tuple[dict[str, Any], bytes] | None:
        return self._entry(name, bool)

    def put_subset(self, name: str, meta: dict[str, Any], program: bytes) -> None:
        self._put_entry(name, meta, program)

    # -- a story file read and cleaned (packager.readcache): what it probed, the read as JSON

    def get_read(self, name: str) -> tuple[dict[str, Any], bytes] | None:
        return self._entry(name, lambda body: body.startswith(b"["))

    def put_read(self, name: str, meta: dict[str, Any], body: bytes) -> None:
        self._put_entry(name, meta, body)

    def _entry(
        self, name: str, body_ok: Callable[[bytes], bool]
    ) -> tuple[dict[str, Any], bytes] | None:
        """An entry of parts/: its JSON line and the bytes after it (None if absent or damaged)."""
        path = self.folder / "parts" / name
        payload = self._read(path)
        if payload is None:
            return None
        head, _, body = payload.partition(b"\n")
        try:
            meta = json.loads(head)
        except ValueError:
            meta = None
        if not isinstance(meta, dict) or not body_ok(body):
            self._corrupt(path)
            return None
        return meta, body

    def _put_entry(self, name: str, meta: dict[str, Any], body: bytes) -> None:
        head = json.dumps(meta, sort_keys=True, separators=(",", ":")).encode()
        self._write(self.folder / "parts" / name, head + b"\n" + body)

    # -- font programs, named by their hash ---------------------------------------

    def get_font(self, sha: str) -> bytes | None:
        data = self._read(self.folder / "fonts" / sha)
        if data is not None and hashlib.sha256(data).hexdigest() != sha:
            self._corrupt(self.folder / "fonts" / sha)
            return None
        return data

    def put_font(self, sha: str, data: bytes) -> None:
        if not (self.folder / "fonts" / sha).exists():
            self._write(self.folder / "fonts" / sha, data)

    # -- files ----------------------------------------------------------------------

    def _read(self, path: Path) -> bytes | None:
        if not self.usable:
            return None
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            self._corrupt(path)
            return None
        if not raw.startswith(_MAGIC):
            self._corrupt(path)
            return None
        checksum, _, payload = raw[len(_MAGIC) :].partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            self._corrupt(path)
            return None
        return payload

    def _write(self, path: Path, payload: bytes) -> None:
        if not self.usable:
            return
        data = _MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        try:
            _atomic_write(path, data)
        except OSError as exc:
            self.usable = False
            self.diagnostics.append(
                warning(
                    f"cache cannot be written ({exc.strerror}); going on without it",
                    str(self.folder),
                )
            )


_TMP = ".tmp-"
_SKELETON = ("parts", "fonts", "CACHEDIR.TAG", MARKER)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary name of this host and process, flushed,
    then renamed over ``path`` (the last of two writers wins; both wrote the same bytes)."""
    prefix = f"{_TMP}{socket.gethostname()}-{os.getpid()}-"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
