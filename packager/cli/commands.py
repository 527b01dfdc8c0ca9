"""The command line: parse flags, call build(), map errors to exit codes. No logic.

Exit codes: 0 success, 1 bad input (each problem named with file:line),
2 command-line usage, 3 a bug in packager.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import rich.progress
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from packager import __version__
from packager.book import themes
from packager.book.config import display_path
from packager.build import BuildResult, Loaded, build, epub_bytes, load_stories
from packager.cli import report, scaffold, stats
from packager.epub.preflight import TARGETS, preflight
from packager.errors import PackagerError
from packager.model import Diagnostic, Severity
from packager.progress import Progress

app = typer.Typer(
    help="Turn a folder of stories into a finished anthology: EPUB 3 and print-ready PDF.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)

T = TypeVar("T")
INTERNAL_ERROR = 3


class Format(StrEnum):
    epub = "epub"
    pdf = "pdf"
    kepub = "kepub"  # Kobo's .kepub.epub, on request only


class PdfMode(StrEnum):
    print = "print"
    screen = "screen"


def _version(value: bool) -> None:
    if value:
        out.print(f"packager {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """packager: stories in, anthology out."""


SourceArg = Annotated[
    Path,
    typer.Argument(help="Folder of story files (.md, .txt), with an optional collection.toml."),
]
ThemeOpt = Annotated[str | None, typer.Option("--theme", help="Theme name (see packager themes).")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat every warning as an error.")]


class PdfVariant(StrEnum):
    ua1 = "pdf/ua-1"  # tagged, accessible PDF (WeasyPrint's variant, tags kept by the join)


PdfVariantOpt = Annotated[
    PdfVariant | None,
    typer.Option("--pdf-variant", help="pdf/ua-1: a tagged, accessible PDF (PDF/UA-1)."),
]


@app.command("build")
def build_command(
    source: SourceArg = Path("stories"),
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("dist"),
    formats: Annotated[
        list[Format] | None,
        typer.Option(
            "--format",
            "-f",
            help="epub, pdf or kepub (Kobo); repeat for more (default: epub, pdf).",
        ),
    ] = None,
    theme: ThemeOpt = None,
    strict: StrictOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option("--cache", help="Layout cache folder (default: SOURCE/.packager-cache)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Lay out every story again; use no cache.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Run EPUBCheck on the EPUB before writing (needs Java)."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a report as JSON (outputs, stories, warnings).")
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Build again whenever a source file changes.")
    ] = False,
    no_cover: Annotated[
        bool, typer.Option("--no-cover", help="No cover: neither the given one nor a drawn one.")
    ] = False,
    versioned: Annotated[
        bool,
        typer.Option("--versioned", help="Name the outputs <slug>-<version> (collection.toml)."),
    ] = False,
    pdf_mode: Annotated[
        PdfMode | None,
        typer.Option(
            "--pdf",
            help="print: facing pages, stories on right-hand pages (default); "
            "screen: no blank pages, coloured links. Wins over collection.toml's pdf.",
        ),
    ] = None,
    pdf_variant: PdfVariantOpt = None,
) -> None:
    """Build SOURCE into OUT/<slug>.epub and OUT/<slug>.pdf."""
    chosen = [f.value for f in formats] if formats else ["epub", "pdf"]
    started = time.monotonic()

    def run(progress: Progress | None = None) -> BuildResult:
        return build(
            source,
            out_dir,
            formats=chosen,
            theme=theme,
            strict=strict,
            jobs=jobs,
            cache_dir=cache,
            use_cache=not no_cache,
            check=check,
            pdf_mode=pdf_mode.value if pdf_mode else None,
            progress=progress,
            cover=not no_cover,
            versioned=versioned,
            pdf_variant=pdf_variant.value if pdf_variant else None,
        )

    if as_json:
        try:
            result = run()
        except PackagerError as exc:
            out.print_json(data=report.error_report(exc.problems))
            raise typer.Exit(exc.exit_code) from None
        out.print_json(data=report.build_report(result, time.monotonic() - started))
        return
    if watch:
        _watch_builds(source, theme, out_dir, run, quiet)
        return
    if quiet:
        result = _guard(run)
    elif err.is_terminal:
        with _Bars() as bars:
            result = _guard(lambda: run(bars))
    else:
        result = _guard(lambda: run(_Lines()))
    if not quiet:
        _print_diagnostics(result.diagnostics)
        _print_summary(result, time.monotonic() - started)


class _Bars:
    """A progress bar per stage on an interactive terminal (gone when the build ends)."""

    def __init__(self) -> None:
        self.bars = rich.progress.Progress(
            rich.progress.TextColumn("{task.description:<8}"),
            rich.progress.BarColumn(),
            rich.progress.MofNCompleteColumn(),
            rich.progress.TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        self.task: rich.progress.TaskID | None = None

    def __enter__(self) -> _Bars:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()

    def stage(self, name: str, total: int | None = None) -> None:
        self.task = self.bars.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.bars.advance(self.task, steps)

    def more(self, steps: int) -> None:
        if self.task is not None:
            total = self.bars.tasks[self.task].total or 0
            self.bars.update(self.task, total=total + steps)


_STAGES = {
    "reading": "reading {} stories",
    "epub": "writing the EPUB",
    "pdf": "laying out {} stories",
    "writing": "saving the outputs",
}


# Off a terminal, a collection this large says what it is doing (a small one
# is done before a log would show it).
LARGE = 20


class _Lines:
    """Where no one watches a terminal (CI logs): one plain line per stage, on stderr."""

    def __init__(self) -> None:
        self.large = False

    def stage(self, name: str, total: int | None = None) -> None:
        if name == "reading":
            self.large = (total or 0) >= LARGE
        if self.large:
            err.print("packager: " + _STAGES.get(name, name).format(total))

    def advance(self, steps: int = 1) -> None:
        pass

    def more(self, steps: int) -> None:
        pass


def _watch_builds(
    source: Path, theme: str | None, out_dir: Path, run: Callable[[], BuildResult], quiet: bool
) -> None:
    """Build, then build again after each change; errors are shown, not fatal. Ctrl-C stops."""
    from packager.cli import preview  # watchfiles is only needed here

    def once(changed: Sequence[str] = ()) -> None:
        if changed:
            shown = ", ".join(display_path(Path(p)) for p in changed[:3])
            err.print(f"changed: {escape(shown)}{' …' if len(changed) > 3 else ''}")
        try:
            result = run()
        except PackagerError as exc:
            for problem in exc.problems:
                err.print(f"error: {escape(str(problem))}")
            err.print("not built; waiting for changes")
            return
        if not quiet:
            _print_diagnostics(result.diagnostics)
            _print_summary(result)
        err.print("waiting for changes (Ctrl-C to stop)")

    # Ctrl-C or SIGTERM end the loop (SIGTERM raises SystemExit, which watchfiles
    # turns into KeyboardInterrupt while it waits). Outputs are renamed into place
    # whole, so a stop leaves the last book built.
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        once()
        preview.watch(preview.watched(source, [out_dir]), once)
    err.print("stopped")


@app.command("preview")
def preview_command(
    source: SourceArg = Path("stories"),
    theme: ThemeOpt = None,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free).")
    ] = 8000,
) -> None:
    """Serve the book as web pages on 127.0.0.1, rebuilt whenever a source file changes."""
    from packager.cli import preview  # watchfiles is only needed here

    if not source.is_dir():
        _guard(lambda: load_stories(source))  # says why, exits 1
    site = preview.Site()

    def rebuild(changed: Sequence[str] = ()) -> None:
        if changed:
            err.print(f"changed: {escape(', '.join(display_path(Path(p)) for p in changed[:3]))}")
        for problem in preview.rebuild(site, source, theme):
            err.print(escape(problem))
        out.print(f"book version {site.version} ready")

    rebuild()
    try:
        httpd = preview.server(site, port)
    except OSError as exc:
        err.print(f"error: cannot serve on 127.0.0.1:{port} ({exc.strerror or exc})")
        raise typer.Exit(1) from None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    out.print(f"Preview at http://127.0.0.1:{httpd.server_address[1]}/ (Ctrl-C to stop)")
    try:
        preview.watch(preview.watched(source), rebuild)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.shutdown()


@app.command("check")
def check_command(
    source: SourceArg = Path("stories"),
    theme: ThemeOpt = None,
    strict: StrictOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    targets: TargetsOpt = None,
) -> None:
    """Read and clean every story, write nothing, and show what was found and changed.

    With --targets (or an .epub file as SOURCE): check the EPUB for reading devices.
    """
    if targets is not None or source.suffix.lower() == ".epub":
        _preflight(source, targets or ",".join(TARGETS), theme, strict, as_json)
        return
    if as_json:
        try:
            loaded = load_stories(source, theme=theme, css=True)
        except PackagerError as exc:
            out.print_json(data=report.error_report(exc.problems))
            raise typer.Exit(exc.exit_code) from None
        out.print_json(data=report.check_report(loaded))
    else:
        loaded = _guard(lambda: load_stories(source, theme=theme, css=True))
        _print_table(loaded)
        for line in report.untypeset(loaded):
            out.print(escape(line))
        _print_changes(loaded)
        _print_diagnostics(loaded.diagnostics)
    if strict and loaded.warnings():
        err.print(f"{len(loaded.warnings())} warning(s) with --strict: failing")
        raise typer.Exit(1)


@app.command("init")
def init_command(
    folder: Annotated[Path, typer.Argument(help="The new anthology folder (new or empty).")],
    title: Annotated[
        str | None, typer.Option("--title", help="The book's title (default: from FOLDER).")
    ] = None,
) -> None:
    """Start an anthology: collection.toml, two sample stories, templates/, a CI workflow."""
    written = _guard(lambda: scaffold.init(folder, title))
    for path in written:
        out.print(f"  {escape(display_path(path))}")
    out.print(f"Ready: packager build {escape(display_path(folder))}")


@app.command("stats")
def stats_command(
    source: SourceArg = Path("stories"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
    wpm: Annotated[
        int, typer.Option("--wpm", min=50, max=1000, help="Reading speed, words a minute.")
    ] = stats.WORDS_PER_MINUTE,
) -> None:
    """Words per story and in all, reading time, ratings and warnings: for an announcement."""
    loaded = _guard(lambda: load_stories(source))
    numbers = stats.collect(loaded.config.settings.title, loaded.stories, wpm)
    if as_json:
        out.print_json(data=numbers.as_json())
        return
    table = Table(title=escape(numbers.title))
    for column in ("file", "title", "author", "words", "reading", "rating"):
        table.add_column(column, justify="right" if column in ("words", "reading") else "left")
    for row in numbers.stories:
        table.add_row(
            escape(row.file),
            escape(row.title),
            escape(", ".join(row.authors)),
            f"{row.words:,}",
            stats.duration(row.minutes),
            escape(row.rating),
        )
    out.print(table)
    count = len(numbers.stories)
    out.print(
        f"{count} {'story' if count == 1 else 'stories'} by {len(numbers.authors)} "
        f"{'author' if len(numbers.authors) == 1 else 'authors'}, {numbers.words:,} words, "
        f"about {stats.duration(numbers.minutes)} of reading at {numbers.words_per_minute} "
        "words a minute"
    )
    if count:
        by_file = {r.file: r for r in numbers.stories}
        for label, name in (("longest", numbers.longest), ("shortest", numbers.shortest)):
            out.print(f"{label}: {escape(by_file[name].title)} ({by_file[name].words:,} words)")
    out.print("ratings: " + ", ".join(f"{escape(r)} {n}" for r, n in numbers.ratings))
    if numbers.warnings:
        out.print("warnings: " + ", ".join(f"{escape(w)} {n}" for w, n in numbers.warnings))


@app.command("themes")
def themes_command() -> None:
    """List the themes (for --theme or 'theme' in collection.toml), each with what it looks like."""
    listed = _guard(themes.describe)
    width = max((len(name) for name, _ in listed), default=0)
    for name, description in listed:
        out.print(f"{escape(name):<{width}}  {escape(description)}")


# ---- packager check --targets: the reading-device preflight (packager/preflight.py) ----

TargetsOpt = Annotated[
    str | None,
    typer.Option(
        "--targets",
        help="Preflight the EPUB (SOURCE's, or an .epub file) for kindle,kobo,apple.",
    ),
]


def _preflight(source: Path, targets: str, theme: str | None, strict: bool, as_json: bool) -> None:
    chosen = [t.strip().lower() for t in targets.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown or not chosen:
        raise typer.BadParameter(
            f"unknown target {', '.join(unknown) or '(none)'}; choose from {', '.join(TARGETS)}",
            param_hint="--targets",
        )
    name = display_path(source)
    if source.is_dir():
        data = _guard(lambda: epub_bytes(source, theme=theme))
    else:
        try:
            data = source.read_bytes()
        except OSError as exc:
            err.print(f"error: {escape(name)}: cannot read ({exc.strerror or exc})")
            raise typer.Exit(1) from None
    findings = _guard(lambda: preflight(data, chosen, name))
    if as_json:
        out.print_json(data=[
            {"code": f.code, "target": f.rule.target, "severity": f.rule.severity.value,
             "file": f.file, "message": f.text(), "fix": f.rule.fix}
            for f in findings
        ])  # fmt: skip
    for f in [] if as_json else findings:
        err.print(
            f"{f.rule.severity.value}: {f.code} {escape(f'[{f.rule.target}]')} "
            f"{escape(f.text())}\n  fix: {escape(f.rule.fix)}"
        )
    if not as_json:
        out.print(f"{name}: {len(findings)} finding(s) for {', '.join(chosen)}")
    errors = [f for f in findings if f.rule.severity is Severity.ERROR]
    if errors or (strict and findings):
        raise typer.Exit(1)


def _guard(action: Callable[[], T]) -> T:
    """Run an action; bad input exits 1 with every problem, a bug exits 3."""
    try:
        return action()
    except PackagerError as exc:
        for problem in exc.problems:
            err.print(f"error: {escape(str(problem))}")
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug: say so, and how to report it
        err.print(f"internal error (a bug in packager {__version__}): {type(exc).__name__}: {exc}")
        if os.environ.get("PACKAGER_DEBUG"):
            traceback.print_exc(file=sys.stderr)
        else:
            err.print("Run again with PACKAGER_DEBUG=1 to see the traceback, and please report it.")
        raise typer.Exit(INTERNAL_ERROR) from None


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for d in diagnostics:
        if d.severity is not Severity.INFO:
            err.print(f"{d.severity.value}: {escape(str(d))}")


def _print_changes(loaded: Loaded) -> None:
    """Per story, every line packager moved, removed or read as structure."""
    for story in loaded.stories:
        if not story.changes:
            continue
        out.print()
        out.print(escape(display_path(story.path)))
        for change in story.changes:
            out.print(
                f"  {change.file}:{change.line}: {change.kind}: {escape(change.action)}: "
                f"{escape(change.text)}"
            )


def _print_summary(result: BuildResult, seconds: float | None = None) -> None:
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    if out.is_terminal:  # a table for people; plain lines (below) for logs and scripts
        table = Table(title=f"{escape(result.title)}: {result.stories} stories, "
                      f"{result.words:,} words{took}", title_justify="left")  # fmt: skip
        for column in ("format", "file", "pages", "size", "EPUBCheck"):
            table.add_column(column, justify="right" if column in ("pages", "size") else "left")
        for o in result.outputs:
            table.add_row(
                o.format,
                escape(display_path(o.path)),
                str(o.pages) if o.pages is not None else "",
                _size(o.size),
                "no problems" if o.checked else "",
            )
        out.print(table)
        return
    out.print(
        f'Built "{escape(result.title)}": {result.stories} '
        f"{'story' if result.stories == 1 else 'stories'}, {result.words:,} words{took}"
    )
    for o in result.outputs:
        extra = f"{o.pages} pages, " if o.pages is not None else ""
        checked = ", EPUBCheck: no problems" if o.checked else ""
        out.print(
            f"  {o.format:<5} {escape(display_path(o.path))}  ({extra}{_size(o.size)}{checked})"
        )


def _print_table(loaded: Loaded) -> None:
    table = Table(title=escape(loaded.config.settings.title), show_lines=False)
    for column in ("file", "title", "author", "encoding", "words", "chapters"):
        table.add_column(column, justify="right" if column in ("words", "chapters") else "left")
    for story in loaded.stories:
        titled = sum(1 for c in story.chapters if c.title)
        table.add_row(
            escape(story.name),
            escape(story.meta.title),
            escape(", ".join(story.meta.authors)),
            story.encoding,
            f"{story.words:,}",
            str(titled),
        )
    out.print(table)
    total = sum(s.words for s in loaded.stories)
    out.print(f"{len(loaded.stories)} stories, {total:,} words")


def _size(size: int) -> str:
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (a CI job cancelled, a container stopped) unwinds like Ctrl-C.

    The writer's cleanup then removes its temporary files; the outputs stay
    as they were (the old book, or none).
    """
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    app(prog_name="packager")
