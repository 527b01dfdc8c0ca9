"""packager.imports: the CLI's imports are frozen out of the cycle collector's walks."""

from __future__ import annotations

import gc
import subprocess
import sys

from packager.imports import preload, settled


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
    inside = []
    was = gc.get_freeze_count()
    with settled():
        inside.append(gc.isenabled())
        made = [[n] for n in range(1000)]
    assert inside == [False]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= was + len(made)
    gc.disable()
    try:
        with settled():
            pass
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


def test_preload_imports_once_and_a_second_call_freezes_nothing() -> None:
    shown = _fresh(
        "import gc, sys; from packager.imports import preload\n"
        "preload('json'); first = gc.get_freeze_count()\n"
        "junk = [[n] for n in range(1000)]; preload('json')\n"
        "print('json' in sys.modules, first > 0, gc.get_freeze_count() == first)"
    )
    assert shown == "True True True"
    preload("json")  # already imported here: nothing happens
