"""WeasyPrint's C libraries, opened without ctypes.util.find_library's subprocesses.

WeasyPrint (``weasyprint/text/ffi.py``) opens GObject, Pango, HarfBuzz,
Fontconfig and PangoFT2 by trying a list of names for each, the first ones in
forms that are not file names (``gobject-2.0``). cffi hands each such name to
``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``, gcc and ld
to look for it: 68 subprocesses and 0.2-0.3 s at the start of every PDF build
on this machine. Every list also holds the library's soname
(``libgobject-2.0.so.0``) and macOS install name, which the system's loader
opens directly, and which is where find_library's answer would lead it too.

So the first import asks find_library nothing. Should a library then not open
(a system that names it only in a form find_library knows), the import is
undone and made again as WeasyPrint makes it. Every module that imports
WeasyPrint imports this one first (tests/test_architecture.py checks it).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import gc
import importlib
import io
import sys
import threading

BINDINGS = "weasyprint.text.ffi"


def _none(name: str) -> None:
    return None


def load(module: str = BINDINGS) -> None:
    """Import ``module`` with find_library answering None, else as it would be.

    Only on Linux, where find_library starts subprocesses (on Windows and macOS
    it does not, and its answers lead elsewhere than the names alone), and only
    in the main thread: find_library and stdout are the whole process's.
    """
    if module in sys.modules:
        return
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is not threading.main_thread()
    ):
        importlib.import_module(module)
        return
    real = ctypes.util.find_library
    ctypes.util.find_library = _none
    try:
        # WeasyPrint prints its installation advice before it gives up.
        with contextlib.redirect_stdout(io.StringIO()):
            importlib.import_module(module)
        return
    except OSError:
        top = module.partition(".")[0]
        for name in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
            del sys.modules[name]
        gc.collect()  # the undone modules are cycles: freed now, not frozen (packager.imports)
    finally:
        ctypes.util.find_library = real
    importlib.import_module(module)


load()
