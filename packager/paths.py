"""Paths as messages name them, and whether a path stays inside the source folder."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder if inside it.

    Bytes of a name that are not UTF-8 (which Python keeps as lone surrogates)
    are shown as escapes, 'caf\\xe9.txt': a message must be printable.
    """
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = path.as_posix()
    return readable(shown)


def readable(name: str) -> str:
    """A name from the file system with its undecodable bytes as escapes ('caf\\xe9')."""
    if name.isascii() or name.isprintable() or not _has_surrogates(name):
        return name
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _has_surrogates(name: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in name)


def outside(path: Path, root: Path) -> str | None:
    """Why ``path`` may not go into the book (it lies outside ``root``), or None.

    The path is resolved first, so a symlink that leads out of the folder is
    caught as well as a ``../`` path; the two get different reasons because
    the editor fixes them differently.
    """
    real_root = root.resolve()
    if path.resolve().is_relative_to(real_root):
        return None
    plain = Path(os.path.normpath(path.absolute()))
    if plain.is_relative_to(real_root) or plain.is_relative_to(os.path.normpath(root.absolute())):
        return "links outside the source folder"
    return "is outside the source folder"
