"""Importing many modules at once without the cycle collector walking them again and again.

An import makes hundreds of thousands of long-lived objects (functions, classes,
module dicts, compiled patterns) and no garbage. Python's collector counts them
as they are made, and every few hundred runs a collection over them; the full
collections that follow walk every object made so far. Starting the CLI paid
about 0.1 s for that (``python -X importtime`` against the same with the
collector off), and every later full collection walked the modules again.

``settled()`` pauses the collector while a block imports, then freezes what
exists (``gc.freeze``): later collections skip it. It is meant for a process's
start, before the book is read; frozen objects that later become garbage are
freed by their reference counts as usual, but a cycle among them is kept until
the process ends.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def settled() -> Iterator[None]:
    """Run the block (imports) with the collector paused, then freeze what it made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def preload(module: str) -> None:
    """Import ``module`` settled, unless this process has imported it already."""
    if module not in sys.modules:
        with settled():
            importlib.import_module(module)
