"""build(): the whole recipe, read -> clean -> assemble -> render -> write.

Everything is read and checked before anything is written, so a bad story
never leaves a half-written book: outputs go to temporary files in the
output folder and are renamed into place only when all of them are ready.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from packager.book import assets, contributors, render, themes
from packager.book.collection import assemble, discover
from packager.book.config import Config, display_path, load_config
from packager.book.stylesheets import user_styles
from packager.epub import epubcheck, pagelist
from packager.epub.kepub import write_kepub
from packager.epub.writer import write_epub
from packager.errors import ConfigError, OutputError, PackagerError, StoryError, error
from packager.model import Book, Collection, Diagnostic, Settings, Severity, Story
from packager.parallel import default_jobs, pmap
from packager.pdf.cache import Cache
from packager.progress import Progress, Silent
from packager.read import read_story
from packager.read.meta import apply, meta_updates
from packager.text.cleanup import clean
from packager.text.languages import kindle_accepts

if sys.platform != "win32":
    import fcntl

FORMATS = ("epub", "pdf")  # the default; "kepub" (Kobo) on request
ALL_FORMATS = ("epub", "kepub", "pdf")
CACHE_NAME = ".packager-cache"


@dataclass(frozen=True)
class Loaded:
    """The stories of a collection, read and cleaned, and what was noticed."""

    config: Config
    stories: tuple[Story, ...]
    diagnostics: tuple[Diagnostic, ...]

    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


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


# Below this much text, starting worker processes costs more than it saves.
PARALLEL_BYTES = 512 * 1024


def load_stories(
    source: Path,
    *,
    theme: str | None = None,
    env: Mapping[str, str] | None = None,
    jobs: int = 1,
    css: bool = False,
    progress: Progress | None = None,
) -> Loaded:
    """Read and clean every story; raise with every problem of every file at once.

    With css=True (``packager check``), the editor's stylesheets are read too,
    so that what they refer to outside the folder is reported before a build.
    """
    if not source.is_dir():
        raise PackagerError([error("no such folder", display_path(source))])
    config, failed = _config_or_defaults(source, theme, env)
    # Errors in collection.toml are raised as a ConfigError, with the stories' after them.
    kind = ConfigError if failed else StoryError
    try:
        files, notes = discover(config)
    except StoryError as exc:  # 'order' names files that are not there, or there are none
        failed.extend(exc.problems)
        try:
            files, notes = discover(dataclasses.replace(config, order=None))
        except StoryError:
            raise kind(failed) from None
    size = sum(path.stat().st_size for path in files)
    tasks = [(path, config) for path in files]
    progress = progress or Silent()
    progress.stage("reading", len(tasks))
    results = pmap(
        _read_and_clean, tasks, jobs if size >= PARALLEL_BYTES else 1, done=progress.advance
    )
    stories: list[Story] = []
    problems: list[Diagnostic] = list(notes)
    for story, found in results:
        if story is None:
            failed.extend(found)
        else:
            stories.append(story)
            problems.extend(found)
    if failed:
        raise kind(failed)
    problems.extend(contributors.problems(config.settings, stories, config.file))
    if css:
        problems.extend(user_styles(config.settings.extra_css, config.source).diagnostics)
    return Loaded(config, tuple(stories), tuple(problems))


def _config_or_defaults(
    source: Path, theme: str | None, env: Mapping[str, str] | None
) -> tuple[Config, list[Diagnostic]]:
    """The collection's config; if it has errors, the defaults and those errors.

    Reading the stories with the defaults reports their problems in the same
    run: an editor fixes everything at once, not one file per build.
    """
    try:
        return load_config(source, theme=theme, env=env), []
    except ConfigError as exc:
        # A bad SOURCE_DATE_EPOCH is one of exc's problems: leave it out here.
        plain = dict(os.environ if env is None else env)
        plain.pop("SOURCE_DATE_EPOCH", None)
        try:
            return load_config(source, theme=theme, env=plain, read_file=False), list(exc.problems)
        except PackagerError:
            raise exc from None


def _read_and_clean(task: tuple[Path, Config]) -> tuple[Story | None, list[Diagnostic]]:
    """One story, read, with its overrides, cleaned: the unit of work of a worker."""
    path, config = task
    try:
        story = read_story(path, config.source, display_path(path))
    except StoryError as exc:
        return None, list(exc.problems)
    story, found = _override(story, config)
    return clean(story, config.settings.language), [*found, *story.diagnostics]


def build(
    source: Path,
    out: Path,
    *,
    formats: Sequence[str] = FORMATS,
    theme: str | None = None,
    strict: bool = False,
    env: Mapping[str, str] | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    check: bool = False,
    pdf_mode: str | None = None,
    progress: Progress | None = None,
    cover: bool = True,
    versioned: bool = False,
    pdf_variant: str | None = None,
) -> BuildResult:
    """Build the anthology in SOURCE into OUT/<slug>.epub and OUT/<slug>.pdf.

    With check=True the EPUB goes through EPUBCheck before anything is
    written: a book EPUBCheck rejects fails the build and replaces nothing.
    ``pdf_mode`` ("print" or "screen", the --pdf flag) wins over collection.toml's ``pdf``;
    cover=False (--no-cover) leaves the cover out, given or drawn; versioned=True
    (--versioned) names the outputs <slug>-<version>.epub and .pdf.
    """
    jobs = jobs or default_jobs()
    progress = progress or Silent()
    loaded = load_stories(source, theme=theme, env=env, jobs=jobs, progress=progress)
    flags: dict[str, Any] = {}  # the command line wins over collection.toml
    if pdf_mode is not None:
        flags["pdf"] = pdf_mode
    if not cover:
        flags.update(cover=None, generate_cover=False)
    if flags:
        settings = dataclasses.replace(loaded.config.settings, **flags)
        loaded = dataclasses.replace(
            loaded, config=dataclasses.replace(loaded.config, settings=settings)
        )
    _fail_if_strict(loaded.diagnostics, strict)
    stem = loaded.config.settings.slug
    if versioned:
        version = loaded.config.settings.version
        if not version:
            where = loaded.config.file or display_path(source)
            raise ConfigError([error("--versioned: collection.toml gives no version", where)])
        stem = f"{stem}-{version}"
    collection = assemble(loaded.config, loaded.stories)
    refused: list[Diagnostic] = []
    book = _render(loaded.config, collection, refused)
    _fail_if_strict(refused, strict)

    settings = collection.settings
    readers = _reader_warnings(settings, formats)
    _fail_if_strict(readers, strict)
    files: dict[Path, bytes] = {}
    outputs: list[Output] = []
    diagnostics = [*loaded.diagnostics, *refused, *readers]
    pdf = None
    if "pdf" in formats:
        # The PDF first: the EPUB marks where each of its pages begins (packager.pagelist).
        from packager.pdf.writer import write_pdf  # WeasyPrint takes a second to import

        store = Cache(cache_dir or source / CACHE_NAME) if use_cache else None
        pdf = write_pdf(book, jobs=jobs, store=store, progress=progress, variant=pdf_variant)
        diagnostics.extend(pdf.diagnostics)
        _fail_if_strict(pdf.diagnostics, strict)
        book = pagelist.mark(book, pdf.page_starts)
    if "epub" in formats or "kepub" in formats:
        progress.stage("epub", 1)
        epub = write_epub(book)
        progress.advance()
        if "epub" in formats:
            path = out / f"{stem}.epub"
            files[path] = epub
            checked = False
            if check:
                found = epubcheck.check_epub(files[path], display_path(path))
                errors = [d for d in found if d.severity is Severity.ERROR]
                if errors:
                    raise OutputError(errors)
                diagnostics.extend(found)
                _fail_if_strict(found, strict)
                checked = not found
            size, marked = len(files[path]), len(book.pages)
            outputs.append(Output("epub", path, size, checked=checked, page_list=marked))
        if "kepub" in formats:
            path = out / f"{stem}.kepub.epub"
            files[path] = write_kepub(epub)
            outputs.append(Output("kepub", path, len(files[path]), page_list=len(book.pages)))
    if pdf is not None:
        path = out / f"{stem}.pdf"
        files[path] = pdf.data
        outputs.append(Output("pdf", path, len(pdf.data), pdf.pages, pdf.laid_out))
    progress.stage("writing", len(files))
    _write_all(files)
    progress.advance(len(files))
    outputs = [
        dataclasses.replace(o, sha256=hashlib.sha256(files[o.path]).hexdigest()) for o in outputs
    ]
    return BuildResult(
        settings.title,
        len(collection.stories),
        collection.words,
        tuple(outputs),
        tuple(diagnostics),
        tuple(p.story for p in collection.stories),
    )


def load_book(
    source: Path, *, theme: str | None = None, env: Mapping[str, str] | None = None
) -> Book:
    """The rendered book of SOURCE, written nowhere (for tools and tests)."""
    loaded = load_stories(source, theme=theme, env=env)
    return _render(loaded.config, assemble(loaded.config, loaded.stories))


def epub_bytes(
    source: Path, *, theme: str | None = None, env: Mapping[str, str] | None = None
) -> bytes:
    """The EPUB that ``build`` would write for SOURCE, written nowhere."""
    return write_epub(load_book(source, theme=theme, env=env))


def _reader_warnings(settings: Settings, formats: Sequence[str]) -> list[Diagnostic]:
    """What a reading device would refuse in a book made from these settings."""
    if "epub" not in formats or kindle_accepts(settings.language):  # a KEPUB is Kobo's only
        return []
    message = (
        f"language: Kindle does not accept books in '{settings.language}' "
        "(Send to Kindle fails with E999); the EPUB is written anyway"
    )
    return [Diagnostic(Severity.WARNING, message, "collection.toml")]


def preview_book(source: Path, theme: str | None = None) -> tuple[Book, list[Diagnostic]]:
    """The book's documents without writing anything (for `packager preview`)."""
    loaded = load_stories(source, theme=theme)
    collection = assemble(loaded.config, loaded.stories)
    found = list(loaded.diagnostics)
    return _render(loaded.config, collection, found), found


def _render(config: Config, collection: Collection, found: list[Diagnostic] | None = None) -> Book:
    """The book; what gathering its files refused (the editor's CSS) is added to ``found``."""
    theme = themes.load_theme(config.settings.theme)
    gathered = assets.gather(collection, theme, config.source)
    if found is not None:
        found.extend(gathered.diagnostics)
    env = render.environment(themes.template_dirs(theme, config.source))
    try:
        book = render.render_book(
            collection, env, gathered.styles, gathered.resources, gathered.cover_href
        )
    except jinja2.TemplateSyntaxError as exc:
        where = display_path(Path(exc.filename)) if exc.filename else exc.name or "template"
        raise PackagerError([error(f"template: {exc.message}", where, exc.lineno)]) from None
    except jinja2.TemplateError as exc:
        raise PackagerError([error(f"template: {exc.message or exc}")]) from None
    # A printed book's cover is a separate file for the printer: the cover page
    # opens the PDF only on screen, or where the theme asks for it.
    if config.settings.pdf != "screen" and not (theme.cover and theme.cover.in_pdf):
        parts = tuple(
            dataclasses.replace(p, in_pdf=False) if p.kind == "cover" else p for p in book.parts
        )
        book = dataclasses.replace(book, parts=parts)
    return book


def _override(story: Story, config: Config) -> tuple[Story, list[Diagnostic]]:
    fields = config.overrides.get(story.name)
    if not fields:
        return story, []
    updates, problems = meta_updates(
        fields,
        config.file,
        config.override_lines.get(story.name, {}),
        where=f'stories."{story.name}"',
    )
    return dataclasses.replace(story, meta=apply(story.meta, updates)), problems


def _fail_if_strict(diagnostics: Sequence[Diagnostic], strict: bool) -> None:
    found = [d for d in diagnostics if d.severity is Severity.WARNING]
    if strict and found:
        raise PackagerError(
            [Diagnostic(Severity.ERROR, f"{d.message} (--strict)", d.file, d.line) for d in found]
        )


# mkstemp names a file PREFIX + 8 of [a-z0-9_] + SUFFIX (CPython's
# tempfile._RandomNameSequence); a stale file must match exactly that.
TEMP_SUFFIX = ".tmp"
_TEMP_RANDOM = r"[a-z0-9_]{8}"


def _write_all(files: Mapping[Path, bytes]) -> None:
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
