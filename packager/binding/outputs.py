"""The binding outputs of a build (--format imposed, --format cover), from the book and its PDF.

[binding] ─binding_for─▶ Binding        checked before anything is laid out
book PDF ─impose_book─▶ OUT/<slug>-imposed.pdf (or -fronts/-backs), <slug>-instructions.pdf
book + page count ─cover_wrap─▶ OUT/<slug>-cover.pdf
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from packager.binding import settings
from packager.binding.settings import Binding
from packager.book import labels, trim
from packager.book.config import Config
from packager.errors import ConfigError, error
from packager.model import Book, Diagnostic, Resource
from packager.text import locales

FORMATS = ("imposed", "cover")


@dataclass(frozen=True)
class File:
    format: str  # "imposed", "instructions" or "cover"
    name: str
    data: bytes
    pages: int | None = None


def binding_for(config: Config, formats: Sequence[str]) -> Binding | None:
    """The build's Binding (None when neither output is asked for); a ConfigError for bad settings.

    A [binding] table is checked even when its outputs are not asked for, so a
    mistake in it is found by the next build (or ``packager check``), not the one that needs it.
    """
    wanted = any(f in formats for f in FORMATS)
    if config.binding is None and not wanted:
        return None
    s = config.settings
    size = trim.parse_size(s.page_size)
    found = settings.binding_from(
        config.binding or {},
        trim=(size.name, size.width, size.height),
        label=config.file,
        lines=config.binding_lines,
    )
    if wanted and s.pdf == "screen":
        where = config.file or "--pdf"
        message = 'pdf = "screen": binding needs the print PDF (facing pages, recto openers)'
        raise ConfigError([error(f"--format imposed/cover: {message}", where)])
    return found if wanted else None


def bound_files(
    book: Book,
    pdf: bytes,
    pages: int,
    binding: Binding,
    formats: Sequence[str],
    stem: str,
    config: Config,
) -> tuple[list[File], list[Diagnostic]]:
    """The files --format imposed and --format cover ask for, and what making them noticed."""
    # Imposing and the cover wrap need pikepdf and fontTools: imported when asked for,
    # so that a build (and the CLI) without them starts in a fraction of a second.
    from packager.binding import impose, render
    from packager.binding.coverwrap import cover_wrap

    files: list[File] = []
    found: list[Diagnostic] = []
    s = book.settings
    extra = render.book_fallbacks(book)
    if "imposed" in formats:
        done = impose.impose_book(
            pdf, binding, stem, label=f"{stem}.pdf", theme=s.theme,
            config_file=config.file, lines=config.binding_lines, extra=extra,
        )  # fmt: skip
        sheets = len(done.plan.sheets) * (2 if binding.duplex else 1)
        for name, data in done.files.items():
            imposed = not name.endswith("-instructions.pdf")
            kind, count = ("imposed", sheets) if imposed else ("instructions", None)
            files.append(File(kind, name, data, count))
        found.extend(impose.notes(done, config.file))
    if "cover" in formats:
        size = trim.parse_size(s.page_size)
        data, _, problems = cover_wrap(
            title=s.title,
            subtitle=s.subtitle,
            editors=s.editors,
            description=s.description,
            pages=pages,
            trim=(size.width, size.height),
            binding=binding,
            theme=s.theme,
            image=_given_cover(book),
            date=_pdf_date(s.modified),
            label=config.file,
            words=labels.for_book(s),
            rtl=(binding.direction or locales.direction(s.language)) == "rtl",
            extra=extra,
        )
        files.append(File("cover", f"{stem}-cover.pdf", data, 1))
        found.extend(problems)
    return files, found


def _given_cover(book: Book) -> Resource | None:
    """The editor's own cover image; None when packager draws the cover (the wrap draws its own)."""
    if book.settings.cover is None or not book.cover_href:
        return None
    return book.resource(book.cover_href)


def _pdf_date(modified: str) -> str:
    """dcterms:modified (2026-11-01T00:00:00Z) as a PDF date."""
    digits = "".join(ch for ch in modified if ch.isdigit())
    return f"D:{digits[:14]}Z"
