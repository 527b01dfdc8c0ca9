"""Start-up costs: the CLI's imports frozen out of the collector's walks (packager.imports),
WeasyPrint's libraries opened without subprocesses (packager.pdf.weasyload)."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
from pathlib import Path

import pytest

from packager.pdf import weasyload


def _fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_cli_starts_with_its_modules_frozen_and_the_collector_on() -> None:
    shown = _fresh(
        "import gc; import packager.cli; import sys\n"
        "print(gc.get_freeze_count(), gc.isenabled(), 'weasyprint' in sys.modules)"
    )
    frozen, enabled, weasyprint = shown.split()
    assert int(frozen) > 100_000  # the modules' objects, skipped by every collection
    assert enabled == "True"
    assert weasyprint == "False"  # an EPUB build never pays for it


def test_settled_pauses_the_collector_and_leaves_it_as_it_found_it() -> None:
    # In a fresh process: freezing this test worker's heap would keep its garbage.
    shown = _fresh(
        "import gc; from packager.imports import settled\n"
        "inside = []; was = gc.get_freeze_count()\n"
        "with settled():\n"
        "    inside.append(gc.isenabled()); made = [[n] for n in range(1000)]\n"
        "after = gc.isenabled(); frozen = gc.get_freeze_count() >= was + 1000\n"
        "gc.disable()\n"
        "with settled():\n"
        "    pass\n"
        "print(inside, after, frozen, gc.isenabled())"
    )
    assert shown == "[False] True True False"  # paused, restored, frozen; a caller's choice kept


def test_preload_imports_once_and_a_second_call_freezes_nothing() -> None:
    shown = _fresh(
        "import gc, sys; from packager.imports import preload\n"
        "preload('json'); first = gc.get_freeze_count()\n"
        "junk = [[n] for n in range(1000)]; preload('json')\n"
        "print('json' in sys.modules, first > 0, gc.get_freeze_count() == first)"
    )
    assert shown == "True True True"


def test_weasyprints_libraries_open_without_a_subprocess() -> None:
    # Before packager.pdf.weasyload, ctypes.util.find_library ran ldconfig and
    # gcc 68 times (0.2 s) at the start of every PDF build.
    shown = _fresh(
        "import subprocess\n"
        "started = []\n"
        "real = subprocess.Popen.__init__\n"
        "def counted(self, *a, **k):\n"
        "    started.append(a[:1]); real(self, *a, **k)\n"
        "subprocess.Popen.__init__ = counted\n"
        "import packager.pdf.writer, weasyprint.text.ffi as ffi\n"
        "print(len(started), ffi.pango is not None, ffi.harfbuzz is not None)"
    )
    assert shown == "0 True True"


def test_a_library_only_find_library_knows_is_opened_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A module that opens nothing unless find_library answers: weasyload's first
    # import asks find_library nothing and fails, is undone, and is made again
    # with the real find_library; the advice printed on the way is not shown.
    package = tmp_path / "findonly"
    package.mkdir()
    (package / "__init__.py").write_text("answers = []\n", "utf-8")
    (package / "ffi.py").write_text(
        "import ctypes.util, findonly\n"
        "print('install advice')\n"
        "found = ctypes.util.find_library('c')\n"
        "findonly.answers.append(found)\n"
        "if found is None:\n"
        "    raise OSError('cannot load library')\n",
        "utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    real = ctypes.util.find_library
    try:
        weasyload.load("findonly.ffi")
        assert sys.modules["findonly.ffi"].found == real("c") is not None
        assert sys.modules["findonly"].answers == [real("c")]  # the undone package is gone
        assert ctypes.util.find_library is real
        assert capsys.readouterr().out == "install advice\n"  # the second, real import's
    finally:
        for name in ("findonly", "findonly.ffi"):
            sys.modules.pop(name, None)
