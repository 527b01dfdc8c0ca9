"""How WeasyPrint embeds and chooses fonts for packager: the adapter's font half.

Two changes to WeasyPrint 70's own behaviour, each for the duration of a render:

* ``stubbed``: a part's PDF carries a stub instead of each font program (the
  program itself is kept by the renderer, by its sha256). Subsetting each
  part's fonts separately would cost most of the time of writing it and embed
  one subset per part; compressing whole programs into every part (a Noto CJK
  face is 6-12 MB) would cost seconds each. The join attaches each program
  once, subset to the glyphs the whole book uses (packager.pdf.fonts).
* ``stacks``: every run of text is given packager's font stack for its
  language (packager.pdf.stacks), so what the theme's faces lack is drawn by
  the book's fallback faces and never by a font of the machine's.
* ``actual_text``: a line of shaped left-to-right text (Devanagari, Thai,
  any script with combining marks) carries its text as typed (``/ActualText``,
  PDF 1.7, 14.9.4). A PDF's glyphs are in the order they are drawn (a Hindi ि
  before its consonant) and its ToUnicode maps each glyph to one text for the
  whole font, while WeasyPrint gives a cluster's text to its last glyph: a
  glyph drawn first in "मा" reads as nothing wherever else it is used. Copy
  and paste, search and screen readers read the ActualText instead. Not for
  right-to-left lines: poppler and PDFium put an ActualText's characters
  along the run and reverse them again, where they read WeasyPrint's glyphs
  (drawn right to left) in the right order.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing import util as multiprocessing_util
from pathlib import Path
from typing import Any

from packager.pdf import weasyload  # noqa: F401  (first: WeasyPrint's libraries, opened fast)

# isort: split
import pydyf
import weasyprint.draw.text
import weasyprint.pdf.fonts
import weasyprint.text.line_break
from weasyprint.text.fonts import FontConfiguration

from packager.model import Fallback
from packager.pdf import stacks as font_stacks

# In a part's PDF, a font file that is a stub: its first four bytes (which tell
# OpenType/CFF from TrueType), this, and the program's sha256 in hex.
STUB = b"packager-font-program:"


def stub_sha(data: bytes) -> str | None:
    """The sha256 a stub font file names (None: a real program)."""
    if data[4 : 4 + len(STUB)] != STUB:
        return None
    return data[4 + len(STUB) :].decode("ascii")


class BookFonts(FontConfiguration):  # type: ignore[misc]
    """WeasyPrint's fonts of a book, remembering the families its @font-face rules give.

    WeasyPrint copies each @font-face program into a temporary folder that only its
    ``__del__`` removes, which never runs in a worker process (multiprocessing ends
    it with ``os._exit``) nor for an object frozen out of the collector: every PDF
    build left its fonts in the temporary folder. The folder is made here and removed
    when the object goes or the process ends (multiprocessing's finalizers run at the
    end of a worker and, through atexit, of the main process).
    """

    def __init__(self) -> None:
        super().__init__()
        self.declared: list[str] = []
        self._folder = Path(tempfile.mkdtemp(prefix="weasyprint-"))
        multiprocessing_util.Finalize(
            self,
            shutil.rmtree,
            args=(self._folder,),
            kwargs={"ignore_errors": True},
            exitpriority=0,
        )

    def add_font_face(self, rule_descriptors: dict[str, Any], url_fetcher: Any) -> Any:
        family = rule_descriptors.get("font_family")
        if isinstance(family, str) and family not in self.declared:
            self.declared.append(family)
        return super().add_font_face(rule_descriptors, url_fetcher)


@contextmanager
def stubbed(programs: dict[str, bytes]) -> Iterator[None]:
    """Embed stubs for the font programs, which go into ``programs`` by sha256.

    WeasyPrint's Font.clean subsets the program, makes a variable font static
    at the weight used and empties colour glyphs; all but the subsetting is
    kept (the static instance is the program the book embeds).
    """
    font_class = weasyprint.pdf.fonts.Font
    saved_subset, saved_clean = font_class.subset, font_class.clean

    def clean(self: Any, to_unicode: Any, hinting: Any) -> None:
        saved_clean(self, to_unicode, hinting)
        program = bytes(self.file_content)
        sha = hashlib.sha256(program).hexdigest()
        programs.setdefault(sha, program)
        self.file_content = program[:4] + STUB + sha.encode("ascii")

    font_class.subset = lambda self, to_unicode, hinting: None
    font_class.clean = clean
    try:
        yield
    finally:
        font_class.subset, font_class.clean = saved_subset, saved_clean


class _Style:
    """A computed style whose font-family is packager's stack."""

    def __init__(self, style: Any, families: list[str]) -> None:
        self.style, self.families = style, families

    def __getitem__(self, name: str) -> Any:
        return self.families if name == "font_family" else self.style[name]


@contextmanager
def stacks(fallbacks: Sequence[Fallback]) -> Iterator[None]:
    """Draw what the theme's faces lack with the book's fallbacks, by the text's language.

    WeasyPrint 70 gives Pango the stylesheet's families as they are
    (text/fonts.py, get_font_description, which text/line_break.py calls for
    every run of text with the run's computed style, its language included).
    """
    module = weasyprint.text.line_break
    describe = module.get_font_description

    def with_fallbacks(style: Any) -> Any:
        declared = getattr(style.font_config, "declared", ())
        families = list(style["font_family"])
        found = font_stacks.stack(families, style["lang"] or "", declared, fallbacks)
        return describe(style if found == families else _Style(style, found))

    module.get_font_description = with_fallbacks
    try:
        yield
    finally:
        module.get_font_description = describe


# Bidirectional classes of right-to-left letters and of Arabic digits.
_RTL = frozenset({"R", "AL", "AN"})


def shaped(text: str) -> bool:
    """Whether a left-to-right line's glyphs may not read back as its text (it has marks)."""
    if text.isascii() or max(text) < "\u0300":  # no marks and nothing right to left before it
        return False
    # Each distinct character at or above U+0300 once: a line of Latin text with curly
    # quotes and dashes has a handful, so this is cheap on every line WeasyPrint draws.
    high = [c for c in set(text) if c >= "\u0300"]
    if any(unicodedata.bidirectional(c) in _RTL for c in high):
        return False
    return any(unicodedata.category(c) in ("Mn", "Mc") for c in high)


@contextmanager
def actual_text() -> Iterator[None]:
    """Mark each drawn line of shaped or right-to-left text with its text as typed."""
    module = weasyprint.draw.text
    draw = module.draw_first_line

    def marked(stream: Any, textbox: Any, *args: Any) -> Any:
        text = textbox.text
        if not shaped(text):
            return draw(stream, textbox, *args)
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
        try:
            return draw(stream, textbox, *args)
        finally:
            stream.end_marked_content()

    module.draw_first_line = marked
    try:
        yield
    finally:
        module.draw_first_line = draw
