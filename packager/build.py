"""build(): the whole recipe, read -> clean -> assemble -> render -> write.

Everything is read and checked before anything is written, so a bad story
never leaves a half-written book: every output is made in memory first and
renamed into place only when all of them are ready (packager.write).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packager.binding.outputs import binding_for, bound_files
from packager.book import undrawn
from packager.book.collection import assemble
from packager.book.config import Config
from packager.book.documents import render_collection
from packager.epub import epubcheck, pagelist, write_epub
from packager.epub.kepub import write_kepub
from packager.epub.preflight import language_warnings
from packager.errors import ConfigError, OutputError, PackagerError, StoryError, error
from packager.load import Loaded, load_stories
from packager.model import Book, Diagnostic, Severity, Story
from packager.options import BuildOptions
from packager.parallel import default_jobs
from packager.paths import display_path
from packager.pdf.cache import Cache
from packager.progress import Progress, Silent
from packager.write import write_all

if TYPE_CHECKING:
    from packager.pdf.tasks import Runner
    from packager.pdf.writer import PdfOutput

__all__ = ["BuildOptions", "BuildResult", "Loaded", "Output", "build", "load_stories"]

CACHE_NAME = ".packager-cache"


@dataclass(frozen=True)
class Output:
    format: str
    path: Path
    size: int
    pages: int | None = None
    laid_out: tuple[str, ...] = ()  # PDF: stories laid out afresh (not from the cache)
    sha256: str = ""
    checked: bool = False  # EPUB: EPUBCheck ran on it and found nothing wrong
    page_list: int = 0  # EPUB, KEPUB: the PDF's pages it lists and marks


@dataclass(frozen=True)
class BuildResult:
    title: str
    stories: int
    words: int
    outputs: tuple[Output, ...]
    diagnostics: tuple[Diagnostic, ...]
    read: tuple[Story, ...] = ()  # the stories, in reading order
    cache_hits: int = 0  # parts of the PDF taken from the layout cache
    cache_misses: int = 0  # parts laid out because the cache did not have them
    retried: int = 0  # layout tasks run again on a cluster because their worker died


def build(
    source: Path,
    out: Path,
    options: BuildOptions = BuildOptions(),
    progress: Progress | None = None,
    runner: Runner | None = None,
) -> BuildResult:
    """Build the anthology in SOURCE into OUT/<slug>.epub and OUT/<slug>.pdf (and .kepub.epub).

    The stories' PDF layouts run on ``runner`` if given (a batch's cluster), else on
    the cluster ``options.scheduler`` names (connected first, so an unreachable one
    fails before anything is read), else on ``options.jobs`` local processes.
    """
    if runner is None and options.scheduler and "pdf" in options.formats:
        from packager.pdf.cluster import Cluster  # Dask, only when asked for

        cluster = Cluster(options.scheduler)
        try:
            return _build(source, out, options, progress, cluster)
        finally:
            cluster.close()
    return _build(source, out, options, progress, runner)


def _build(
    source: Path,
    out: Path,
    options: BuildOptions,
    progress: Progress | None,
    runner: Runner | None,
) -> BuildResult:
    progress = progress or Silent()
    options = dataclasses.replace(options, jobs=options.jobs or default_jobs())
    found = _Findings(options.strict)
    store = open_cache(source, options)
    loaded = load_stories(source, options, progress=progress, store=store)  # read, clean
    found.add(loaded.diagnostics)
    stem = _stem(loaded.config, options)
    binding = binding_for(loaded.config, options.formats)  # a bad [binding] fails before layout
    printed = "pdf" in options.formats or binding is not None
    epub = bool({"epub", "kepub"} & set(options.formats)) or binding is not None
    collection = assemble(loaded.config, loaded.stories)  # assemble
    book, refused = render_collection(
        loaded.config, collection, printed=printed, epub=epub
    )  # render
    found.add(refused)
    if printed:  # every character drawn, or nothing
        problems = undrawn.problems(book, collection, loaded.config.file)
        if problems:
            raise StoryError(problems)
    found.add(language_warnings(book.settings, options.formats))
    pdf = None
    if printed:  # first: the EPUB marks its pages
        pdf = _pdf(book, store, options, progress, found, runner)
        if epub:
            book = pagelist.mark(book, pdf.page_starts)  # the page list; binding's pages
    elif store is not None:  # the PDF's writer reports them with its own
        found.add(store.diagnostics)
    files = dict(_epubs(book, out / stem, options, progress, found))  # write
    if pdf is not None and "pdf" in options.formats:
        files[Output("pdf", out / f"{stem}.pdf", len(pdf.data), pdf.pages, pdf.laid_out)] = pdf.data
    if pdf is not None and binding is not None:  # imposed sheets, the cover wrap
        progress.stage("binding", 1)
        made, noticed = bound_files(
            book, pdf.data, pdf.pages, binding, options.formats, stem, loaded.config
        )
        found.add(noticed)
        files.update({Output(f.format, out / f.name, len(f.data), f.pages): f.data for f in made})
        progress.advance()
    progress.stage("writing", len(files))
    write_all({o.path: data for o, data in files.items()})
    progress.advance(len(files))
    return BuildResult(
        book.settings.title,
        len(collection.stories),
        collection.words,
        tuple(
            dataclasses.replace(o, sha256=hashlib.sha256(d).hexdigest()) for o, d in files.items()
        ),
        found.diagnostics,
        tuple(p.story for p in collection.stories),
        store.hits if store and pdf else 0,
        store.misses if store and pdf else 0,
        pdf.retried if pdf else 0,
    )


def undrawn_problems(loaded: Loaded) -> list[Diagnostic]:
    """The characters of the book no font can draw in its PDF, for ``packager check``."""
    collection = assemble(loaded.config, loaded.stories)
    book, _ = render_collection(loaded.config, collection)
    return undrawn.problems(book, collection, loaded.config.file)


def load_book(source: Path, options: BuildOptions = BuildOptions()) -> Book:
    """The rendered book of SOURCE, written nowhere (for tools and tests)."""
    return preview_book(source, options)[0]


def epub_bytes(source: Path, options: BuildOptions = BuildOptions()) -> bytes:
    """The EPUB that ``build`` would write for SOURCE (without a page list), written nowhere."""
    return write_epub(load_book(source, options))


def preview_book(
    source: Path,
    options: BuildOptions = BuildOptions(),
    store: Cache | None = None,
    *,
    printed: bool = True,
) -> tuple[Book, list[Diagnostic]]:
    """The book's documents and what was noticed, writing nothing but ``store``'s reads.

    ``printed=False``: the EPUB's documents only (``preview``), as an EPUB-only build.
    """
    loaded = load_stories(source, options, store=store)
    collection = assemble(loaded.config, loaded.stories)
    book, refused = render_collection(loaded.config, collection, printed=printed)
    return book, [*loaded.diagnostics, *refused, *(store.diagnostics if store else ())]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Findings:
    """The build's warnings, in the order found; with --strict the first ones fail it."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.diagnostics: tuple[Diagnostic, ...] = ()

    def add(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics += tuple(diagnostics)
        warnings = [d for d in diagnostics if d.severity is Severity.WARNING]
        if self.strict and warnings:
            raise PackagerError(
                [Diagnostic(Severity.ERROR, f"{d.message} (--strict)", d.file, d.line)
                 for d in warnings]
            )  # fmt: skip


def _stem(config: Config, options: BuildOptions) -> str:
    """The outputs' file name without its extension: the slug, with --versioned the version."""
    stem = config.settings.slug
    if not options.versioned:
        return stem
    if not config.settings.version:
        where = config.file or display_path(config.source)
        raise ConfigError([error("--versioned: collection.toml gives no version", where)])
    return f"{stem}-{config.settings.version}"


def _pdf(
    book: Book,
    store: Cache | None,
    options: BuildOptions,
    progress: Progress,
    found: _Findings,
    runner: Runner | None,
) -> PdfOutput:
    from packager.pdf.writer import write_pdf  # WeasyPrint takes a second to import

    jobs = options.jobs or 1
    pdf = write_pdf(
        book,
        jobs=jobs,
        store=store,
        progress=progress,
        variant=options.pdf_variant,
        runner=runner,
    )
    found.add(pdf.diagnostics)
    return pdf


def open_cache(source: Path, options: BuildOptions) -> Cache | None:
    """The build cache of SOURCE: None with --no-cache, and where SOURCE is not a folder
    (a missing or deleted SOURCE is an error to report, not a cache to make)."""
    return Cache(cache_folder(source, options)) if options.use_cache and source.is_dir() else None


def cache_folder(source: Path, options: BuildOptions) -> Path:
    """--cache, else $PACKAGER_CACHE (a folder several machines may share), else SOURCE's."""
    env = os.environ if options.env is None else options.env
    shared = env.get("PACKAGER_CACHE")
    return options.cache or (Path(shared) if shared else source / CACHE_NAME)


def _epubs(
    book: Book, stem: Path, options: BuildOptions, progress: Progress, found: _Findings
) -> Iterator[tuple[Output, bytes]]:
    """The EPUB and the KEPUB asked for, the EPUB checked first with --check."""
    if "epub" not in options.formats and "kepub" not in options.formats:
        return
    progress.stage("epub", 1)
    epub = write_epub(book)
    progress.advance()
    marked = len(book.pages)
    if "epub" in options.formats:
        path = stem.with_name(stem.name + ".epub")
        checked = False
        if options.check:
            problems = epubcheck.check_epub(epub, display_path(path))
            errors = [d for d in problems if d.severity is Severity.ERROR]
            if errors:
                raise OutputError(errors)
            found.add(problems)
            checked = not problems
        yield Output("epub", path, len(epub), checked=checked, page_list=marked), epub
    if "kepub" in options.formats:
        kepub = write_kepub(epub)
        path = stem.with_name(stem.name + ".kepub.epub")
        yield Output("kepub", path, len(kepub), page_list=marked), kepub
