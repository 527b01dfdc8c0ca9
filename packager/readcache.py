"""Reading and cleaning a story file, remembered: a rebuild reads again only what changed.

An entry is named by everything its read depends on that is known before reading:
the story file's bytes, its name and place, the settings reading and cleaning use
(the book's language, the file's ``[stories."name"]`` tables, skip_empty_stories)
and packager's own reading code. The picture files the read looked for are kept in
the entry with what was there (a hash, "missing", "outside") and looked at again on
every lookup, so a picture edited, added or removed reads its story again.

Entries live in the layout cache's folder (packager.pdf.cache), checksummed like
its parts; one that does not decode is reported as damaged and read again. A read
that failed is never kept: its file is read again, and reports again, next time.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import ConfigDict, TypeAdapter, ValidationError

import packager
from packager import __version__
from packager.book.config import Config
from packager.model import Diagnostic, Severity, Story
from packager.paths import display_path
from packager.pdf.cache import Cache, key
from packager.read.images import probe
from packager.read.source import MAX_STORY_BYTES

FORMAT = "read-1"
# What a read and its cleaning run: their code is part of every key (an edited
# checkout of packager reads again, though its version number stayed the same).
_CODE = ("read", "text", "model.py", "load.py", "readcache.py", "errors.py", "paths.py")

Result = tuple[list[Story] | None, list[Diagnostic]]
_RESULT = TypeAdapter(
    tuple[tuple[Story, ...] | None, tuple[Diagnostic, ...]],
    config=ConfigDict(ser_json_bytes="base64", val_json_bytes="base64"),  # pictures
)
_PROBED = TypeAdapter(list[tuple[str, str]])  # (picture path, what was there)


class ReadCache:
    """The reads of one collection's story files, kept in ``store``."""

    def __init__(self, store: Cache, config: Config) -> None:
        self.store = store
        self.config = config
        self.names: dict[Path, str] = {}  # each file's entry, named from its bytes before reading

    def get(self, path: Path) -> Result | None:
        """The remembered read of ``path``, if its file and pictures are as they were."""
        name = self.names[path] = self._name(path)
        found = self.store.get_read(name) if name else None
        if found is None:
            return None
        meta, body = found
        try:
            probed = _PROBED.validate_python(meta.get("probed"))
            if any(probe(Path(where), self.config.source) != was for where, was in probed):
                return None  # a picture it names changed: read it again
            stories, diagnostics = _RESULT.validate_json(body)
        except ValidationError:
            self.store.damaged(f"{self.store.folder}/parts/{name}")
            return None
        return (list(stories) if stories is not None else None), list(diagnostics)

    def put(self, path: Path, result: Result, probed: Sequence[Path]) -> None:
        """Remember a read that did not fail, with what it found at each picture it looked for."""
        stories, diagnostics = result
        name = self.names.get(path)
        if not name or any(d.severity is Severity.ERROR for d in diagnostics):
            return
        looked = [[str(p), probe(p, self.config.source)] for p in dict.fromkeys(probed)]
        body = _RESULT.dump_json(
            (tuple(stories) if stories is not None else None, tuple(diagnostics))
        )
        self.store.put_read(name, {"probed": looked}, body)

    def _name(self, path: Path) -> str:
        """The entry's name: "" for a file that cannot be read or is over the size cap
        (reading it reports that, every time)."""
        try:
            if path.stat().st_size > MAX_STORY_BYTES:
                return ""
            data = path.read_bytes()
        except OSError:
            return ""
        config = self.config
        tables = {
            name: [config.overrides[name], config.override_lines.get(name, {})]
            for name in sorted(config.overrides)
            if name == path.name or name.startswith(f"{path.name}#")
        }
        settings = [config.settings.language, config.skip_empty_stories, config.file]
        return key(
            FORMAT,
            __version__,
            _code(),
            str(path),
            display_path(path),
            str(config.source),
            repr(tables),
            json.dumps(settings, default=str),
            data,
        )


@functools.cache
def _code() -> str:
    """A hash of packager's reading and cleaning code and data files."""
    root = Path(packager.__file__).parent
    digest = hashlib.sha256()
    for name in _CODE:
        top = root / name
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
