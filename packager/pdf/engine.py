"""What the layout engine is on this machine: the libraries a story's layout depends on.

A part laid out with another WeasyPrint, pydyf, Pango, HarfBuzz or fontconfig,
or with other system fonts to fall back on, may differ by a byte, so all of
them name a cache entry (``part_key``) and a cluster's workers must agree with
the client before they lay anything out. The system's fonts are named by the
hashes of their files, not their names: two machines with the same file names
and other contents do not share an entry.

The second module that imports WeasyPrint (its ffi, for the C libraries'
versions and fontconfig's font list); the layout itself stays in weasy.py.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json

from packager.pdf import weasyload  # noqa: F401  (first: WeasyPrint's libraries, opened fast)

# isort: split
from weasyprint.text.ffi import ffi, fontconfig, harfbuzz, pango

from packager import __version__
from packager.pdf.weasy import VERSION as WEASYPRINT

# WeasyPrint's ffi declares neither; both exist in every HarfBuzz and fontconfig it supports.
# (override: a module reloaded by a test declares them again.)
ffi.cdef("const char *hb_version_string (void); int FcGetVersion (void);", override=True)
_MATCH = fontconfig.FcResultMatch


@functools.cache
def fingerprint() -> tuple[tuple[str, str], ...]:
    """The engine, as (name, version) pairs: packager, the libraries, the system fonts' hash."""
    return (
        ("packager", __version__),
        ("WeasyPrint", WEASYPRINT),
        ("pydyf", importlib.metadata.version("pydyf")),
        ("Pango", _dotted(pango.pango_version())),
        ("HarfBuzz", ffi.string(harfbuzz.hb_version_string()).decode()),
        ("fontconfig", _dotted(fontconfig.FcGetVersion())),
        ("system fonts", _system_fonts()),
    )


@functools.cache
def key() -> str:
    """The fingerprint as one string, for cache keys."""
    return json.dumps(fingerprint())


def differences(theirs: tuple[tuple[str, str], ...]) -> list[str]:
    """What differs between another machine's fingerprint and this one's, in words."""
    ours, other = dict(fingerprint()), dict(theirs)
    return [
        f"{name} {other.get(name, 'missing')} (here {ours[name]})"
        for name in ours
        if other.get(name) != ours[name]
    ]


def _dotted(number: int) -> str:
    """Pango's and fontconfig's version numbers: 15012 -> 1.50.12."""
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def _system_fonts() -> str:
    """A hash over the hashes of every font file fontconfig offers WeasyPrint as a fallback."""
    config = fontconfig.FcInitLoadConfigAndFonts()
    try:
        fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
        found = ffi.new("FcChar8 **")
        files = set()
        for i in range(fonts.nfont if fonts != ffi.NULL else 0):
            if fontconfig.FcPatternGetString(fonts.fonts[i], b"file", 0, found) == _MATCH:
                files.add(ffi.string(found[0]))
    finally:
        fontconfig.FcConfigDestroy(config)
    digest = hashlib.sha256()
    for path in sorted(files):
        try:
            with open(path, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
        except OSError:  # listed but unreadable: it cannot be used either
            continue
    return f"{len(files)} files, sha256 {digest.hexdigest()[:16]}"
