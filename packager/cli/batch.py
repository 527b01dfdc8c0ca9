"""packager batch MANIFEST: every collection a manifest lists, locally or on a Dask cluster."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from packager.batch import Built, run_batch
from packager.build import BuildOptions
from packager.cli import report
from packager.cli.build import SchedulerOpt
from packager.cli.common import NoCacheOpt, StrictOpt, app, err, guard, out
from packager.cli.display import Bars
from packager.manifest import read_manifest
from packager.paths import display_path


@app.command("batch")
def batch_command(
    manifest: Annotated[
        Path, typer.Argument(help="A TOML file of [[collection]] tables (path, name, theme).")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder: one folder per collection.")
    ] = Path("dist"),
    scheduler: SchedulerOpt = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Local processes (default: all cores)."),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option("--cache", help="One layout cache for every collection (may be shared)."),
    ] = None,
    no_cache: NoCacheOpt = False,
    strict: StrictOpt = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a report per collection as JSON.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Build every collection MANIFEST lists into OUT/<name>/; exit 1 if any failed."""
    options = BuildOptions(
        strict=strict, jobs=jobs, cache=cache, use_cache=not no_cache, scheduler=scheduler
    )
    started = time.monotonic()
    entries = guard(lambda: read_manifest(manifest))
    if scheduler is not None:  # a usage mistake or a missing extra: before anything is built
        from packager.pdf.cluster import check_address, missing_extra

        guard(lambda: check_address(scheduler))
        problem = missing_extra()
        if problem is not None:
            guard(lambda: _raise(problem))
    count = len(entries)
    shown = 0

    def say(built: Built) -> None:
        nonlocal shown
        shown += 1
        if as_json:
            return
        name = escape(built.entry.name)
        if built.ok:
            if not quiet:
                where = escape(display_path(built.out))
                err.print(f"[{shown}/{count}] built {name}: {escape(built.title)} -> {where}")
        else:
            err.print(f"[{shown}/{count}] failed {name} ({escape(display_path(built.entry.path))})")
        for d in built.diagnostics:
            if not quiet or not built.ok:
                err.print(f"  {d.severity.value}: {escape(str(d))}")

    def run() -> tuple[Built, ...]:
        if as_json or quiet or not err.is_terminal:
            return run_batch(entries, out_dir, options, say)
        with Bars() as bars:
            bars.stage("books", count)

            def tick(built: Built) -> None:
                bars.advance()
                say(built)

            return run_batch(entries, out_dir, options, tick)

    try:
        results = guard(run)
    except (KeyboardInterrupt, SystemExit):
        err.print(f"{shown} of {count} collections were done before the stop")
        raise
    failed = [b for b in results if not b.ok]
    if as_json:
        out.print_json(data=batch_report(results, time.monotonic() - started))
    elif not quiet:
        err.print(
            f"{len(results) - len(failed)} of {count} collections built"
            + (f", {len(failed)} failed" if failed else "")
            + f" in {time.monotonic() - started:.1f} s"
        )
    if failed:
        raise typer.Exit(3 if any(b.bug for b in failed) else 1)


def _raise(problem: Exception) -> None:
    raise problem


def batch_report(results: tuple[Built, ...], seconds: float) -> dict[str, Any]:
    """The `packager batch --json` document: one entry per collection, in manifest order."""
    return {
        "seconds": round(seconds, 2),
        "built": sum(1 for b in results if b.ok),
        "failed": sum(1 for b in results if not b.ok),
        "collections": [
            {
                "name": b.entry.name,
                "path": display_path(b.entry.path),
                "out": display_path(b.out),
                "ok": b.ok,
                "title": b.title,
                "stories": b.stories,
                "seconds": b.seconds,
                "cache": {"hits": b.cache_hits, "misses": b.cache_misses},
                "retried": b.retried,
                "outputs": [
                    {
                        "format": o.format,
                        "path": display_path(o.path),
                        "bytes": o.size,
                        "sha256": o.sha256,
                        "pages": o.pages,
                    }
                    for o in b.outputs
                ],
                "warnings": [report.diagnostic(d) for d in b.diagnostics if b.ok],
                "errors": [report.diagnostic(d) for d in b.diagnostics if not b.ok],
            }
            for b in results
        ],
    }
