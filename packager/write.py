"""The write stage: every output renamed into place whole, or none of them.

Killed at any moment, a build leaves every output whole, old or new; the
temporary files a killed build leaves behind are removed by the next one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from packager.errors import OutputError, error
from packager.paths import display_path

if sys.platform != "win32":
    import fcntl

# mkstemp names a file PREFIX + 8 of [a-z0-9_] + SUFFIX (CPython's
# tempfile._RandomNameSequence); a stale file must match exactly that.
TEMP_SUFFIX = ".tmp"
_TEMP_RANDOM = r"[a-z0-9_]{8}"


def write_all(files: Mapping[Path, bytes]) -> None:
    """Write each output to a temporary file beside it, then rename all into place.

    Killed at any moment, a build leaves every output whole, old or new; the
    temporary files a killed build leaves behind are removed by the next one.
    """
    umask = os.umask(0o022)
    os.umask(umask)
    pending: list[tuple[Path, Path]] = []  # (temporary file, output) not yet renamed
    locks: list[int] = []
    target = next(iter(files), Path())
    try:
        for target in files:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError) as exc:
                where = display_path(Path(exc.filename or target.parent))
                raise OutputError([error("cannot write the book (not a folder)", where)]) from None
            if target.is_dir() and not target.is_symlink():
                # Found now, not when renaming, so that no other output is replaced either.
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
            _remove_stale(target)
        for target, data in files.items():
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent
            )
            locks.append(fd)
            pending.append((Path(name), target))
            _lock(fd)
            with open(fd, "wb", closefd=False) as handle:
                handle.write(data)
            os.fsync(fd)
            os.chmod(name, 0o666 & ~umask)  # mkstemp makes files only the owner can read
        while pending:
            tmp, target = pending[0]
            os.replace(tmp, target)
            pending.pop(0)
        for folder in dict.fromkeys(path.parent for path in files):
            target = folder
            _sync_folder(folder)
    except BaseException as exc:  # KeyboardInterrupt too: never leave a temporary file
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if isinstance(exc, OSError):
            problem = error(f"cannot write the book ({exc.strerror or exc})", display_path(target))
            raise OutputError([problem]) from None
        raise
    finally:
        for fd in locks:
            os.close(fd)


def _remove_stale(target: Path) -> None:
    """Remove ``.<name>.<random>.tmp`` files of this output that a killed build left."""
    stale = re.compile(re.escape(f".{target.name}.") + _TEMP_RANDOM + re.escape(TEMP_SUFFIX))
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return  # the writes that follow will report the folder's problem
    for entry in entries:
        if not stale.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):  # not ours to remove after all: leave it
            if entry.is_file(follow_symlinks=False) and not _in_use(entry.path):
                os.unlink(entry.path)


def _lock(fd: int) -> None:
    """Mark a temporary file as being written by a live build (released when it dies)."""
    if sys.platform != "win32":
        with contextlib.suppress(OSError):  # no locks (some network mounts): write anyway
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _in_use(path: str) -> bool:
    """Whether a live build (a concurrent one into the same folder) holds this file's lock."""
    if sys.platform == "win32":
        return False  # Windows refuses to delete a file another process has open
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _sync_folder(folder: Path) -> None:
    """Sync a folder, so that the renames in it survive a power cut (POSIX fsync(2))."""
    flag = getattr(os, "O_DIRECTORY", None)
    if flag is None:
        return  # Windows cannot open a folder; NTFS journals the rename itself
    try:
        fd = os.open(folder, os.O_RDONLY | flag)
    except PermissionError:
        return  # a folder we may write but not read: the renames are done, durably or not
    try:
        os.fsync(fd)
    except OSError as exc:
        # Some file systems (some FUSE and network mounts) cannot sync a folder.
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)
