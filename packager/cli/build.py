"""packager build (once, or again on every change with --watch) and packager preview."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from packager.build import BuildOptions, BuildResult, build, cache_folder
from packager.cli import report
from packager.cli.common import (
    NoCacheOpt,
    SourceArg,
    StrictOpt,
    ThemeOpt,
    app,
    err,
    guard,
    out,
    print_diagnostics,
)
from packager.cli.display import Bars, Lines, print_summary
from packager.errors import PackagerError
from packager.imports import preload
from packager.load import load_stories
from packager.options import FORMATS
from packager.paths import display_path
from packager.progress import Progress


class Format(StrEnum):
    epub = "epub"
    pdf = "pdf"
    kepub = "kepub"  # Kobo's .kepub.epub, on request only
    imposed = "imposed"  # sheets to fold and sew, with instructions ([binding])
    cover = "cover"  # the wrap-around cover for a print-on-demand paperback


class PdfMode(StrEnum):
    print = "print"
    screen = "screen"


class PdfVariant(StrEnum):
    ua1 = "pdf/ua-1"  # tagged, accessible PDF (WeasyPrint's variant, tags kept by the join)


PdfVariantOpt = Annotated[
    PdfVariant | None,
    typer.Option("--pdf-variant", help="pdf/ua-1: a tagged, accessible PDF (PDF/UA-1)."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Lay the stories out on a Dask cluster: tcp://HOST:PORT, tls://HOST:PORT, or env "
        "(Dask's configuration). Needs the [cluster] extra. See docs/cluster.md.",
    ),
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
            help="epub, pdf, kepub (Kobo), imposed (sheets to fold and sew) or cover "
            "(the wrap for a paperback); repeat for more (default: epub, pdf).",
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
    no_cache: NoCacheOpt = False,
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
    scheduler: SchedulerOpt = None,
) -> None:
    """Build SOURCE into OUT/<slug>.epub and OUT/<slug>.pdf."""
    options = BuildOptions(
        formats=tuple(f.value for f in formats) if formats else FORMATS,
        theme=theme,
        strict=strict,
        jobs=jobs,
        cache=cache,
        use_cache=not no_cache,
        check=check,
        pdf_mode=pdf_mode.value if pdf_mode else None,
        pdf_variant=pdf_variant.value if pdf_variant else None,
        cover=not no_cover,
        versioned=versioned,
        scheduler=scheduler,
    )
    started = time.monotonic()

    def run(progress: Progress | None = None) -> BuildResult:
        if "pdf" in options.formats:  # WeasyPrint, before the book is read (packager.imports)
            preload("packager.pdf.writer")
        return build(source, out_dir, options, progress)

    if as_json:
        try:
            result = run()
        except PackagerError as exc:
            out.print_json(data=report.error_report(exc.problems))
            raise typer.Exit(exc.exit_code) from None
        out.print_json(data=report.build_report(result, time.monotonic() - started))
        return
    if watch:
        _watch_builds(source, [out_dir, cache_folder(source, options)], run, quiet)
        return
    if quiet:
        result = guard(run)
    elif err.is_terminal:
        with Bars() as bars:
            result = guard(lambda: run(bars))
    else:
        result = guard(lambda: run(Lines()))
    if not quiet:
        print_diagnostics(result.diagnostics)
        print_summary(result, time.monotonic() - started)


def _watch_builds(
    source: Path, ignore: list[Path], run: Callable[[], BuildResult], quiet: bool
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
            print_diagnostics(result.diagnostics)
            print_summary(result)
        err.print("waiting for changes (Ctrl-C to stop)")

    # Ctrl-C or SIGTERM end the loop (SIGTERM raises SystemExit, which watchfiles
    # turns into KeyboardInterrupt while it waits). Outputs are renamed into place
    # whole, so a stop leaves the last book built.
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        once()
        preview.watch(preview.watched(source, ignore), once)
    err.print("stopped")


@app.command("preview")
def preview_command(
    source: SourceArg = Path("stories"),
    theme: ThemeOpt = None,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free).")
    ] = 8000,
    cache: Annotated[
        Path | None,
        typer.Option("--cache", help="Build cache folder (default: SOURCE/.packager-cache)."),
    ] = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Serve the book as web pages on 127.0.0.1, rebuilt whenever a source file changes."""
    from packager.cli import preview  # watchfiles is only needed here

    if not source.is_dir():
        guard(lambda: load_stories(source))  # says why, exits 1
    site = preview.Site()
    options = BuildOptions(theme=theme, cache=cache, use_cache=not no_cache)

    def rebuild(changed: Sequence[str] = ()) -> None:
        if changed:
            err.print(f"changed: {escape(', '.join(display_path(Path(p)) for p in changed[:3]))}")
        for problem in preview.rebuild(site, source, options):
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
        preview.watch(preview.watched(source, [cache_folder(source, options)]), rebuild)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.shutdown()
