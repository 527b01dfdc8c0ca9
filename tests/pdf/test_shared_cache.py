"""One layout cache shared by builds running at once (two processes, as two machines on a
shared file system would): no torn entry, and both books identical to a clean build."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from conftest import copy_samples

from packager.build import build
from packager.options import BuildOptions
from packager.pdf import cache

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def test_two_builds_at_once_share_one_cache_folder(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    shared = tmp_path / "shared-cache"
    env = {**os.environ, **ENV}
    command = [sys.executable, "-m", "packager", "build", str(source), "-f", "pdf", "-j", "1"]
    # The cache is named by the environment, as an operator's jobs on several machines name it.
    env["PACKAGER_CACHE"] = str(shared)
    procs = [
        subprocess.Popen([*command, "-o", str(tmp_path / f"out{i}"), "-q"], env=env, stderr=-1)
        for i in (1, 2)
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr
        assert b"cache" not in stderr  # no warning: no entry was found damaged
    clean = build(
        source, tmp_path / "clean", BuildOptions(formats=("pdf",), use_cache=False, env=ENV)
    )
    expected = clean.outputs[0].path.read_bytes()
    for i in (1, 2):
        assert (tmp_path / f"out{i}" / clean.outputs[0].path.name).read_bytes() == expected
    # Every entry is whole: its checksum matches, and no temporary file is left behind.
    entries = [*(shared / "parts").iterdir(), *(shared / "fonts").iterdir()]
    assert len([p for p in entries if p.parent.name == "parts"]) >= 4
    for entry in entries:
        assert not entry.name.startswith("."), entry
        raw = entry.read_bytes()
        assert raw.startswith(cache._MAGIC)
        checksum, _, payload = raw[len(cache._MAGIC) :].partition(b"\n")
        assert hashlib.sha256(payload).hexdigest().encode() == checksum, entry
    assert sorted(p.name for p in shared.iterdir()) == [
        "CACHEDIR.TAG", "fonts", "packager-cache.json", "parts"
    ]  # fmt: skip
    # A third build takes every story from it and gives the same bytes.
    again = build(source, tmp_path / "again", BuildOptions(formats=("pdf",), cache=shared, env=ENV))
    assert again.outputs[0].laid_out == ()
    assert again.outputs[0].path.read_bytes() == expected


def test_a_cache_being_made_by_another_build_is_not_refused(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    (folder / "parts").mkdir(parents=True)  # another build has begun making it, no marker yet
    (folder / ".tmp-otherhost-1-abc").write_bytes(b"")
    store = cache.Cache(folder)
    assert store.usable and store.diagnostics == []
    assert (folder / cache.MARKER).is_file()


def test_a_folder_of_other_files_is_still_refused(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "thesis.tex").write_text("mine")
    store = cache.Cache(folder)
    assert not store.usable
    assert "is not a packager cache" in store.diagnostics[0].message
