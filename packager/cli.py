"""The command line: parse flags, call build(), map errors to exit codes. No logic.

Exit codes: 0 success, 1 bad input (each problem named with file:line),
2 command-line usage, 3 a bug in packager.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from packager import __version__, report, themes
from packager.build import BuildResult, Loaded, build, load_stories
from packager.config import display_path
from packager.errors import PackagerError
from packager.model import Diagnostic, Severity

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


@app.command("build")
def build_command(
    source: SourceArg = Path("stories"),
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("dist"),
    formats: Annotated[
        list[Format] | None,
        typer.Option("--format", "-f", help="epub or pdf; repeat for both (default: both)."),
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
) -> None:
    """Build SOURCE into OUT/<slug>.epub and OUT/<slug>.pdf."""
    chosen = [f.value for f in formats] if formats else ["epub", "pdf"]
    result = _guard(
        lambda: build(
            source,
            out_dir,
            formats=chosen,
            theme=theme,
            strict=strict,
            jobs=jobs,
            cache_dir=cache,
            use_cache=not no_cache,
        )
    )
    if not quiet:
        _print_diagnostics(result.diagnostics)
        _print_summary(result)


@app.command("check")
def check_command(
    source: SourceArg = Path("stories"),
    theme: ThemeOpt = None,
    strict: StrictOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Read and clean every story, write nothing, and show what was found and changed."""
    if as_json:
        try:
            loaded = load_stories(source, theme=theme)
        except PackagerError as exc:
            out.print_json(data=report.error_report(exc.problems))
            raise typer.Exit(exc.exit_code) from None
        out.print_json(data=report.check_report(loaded))
    else:
        loaded = _guard(lambda: load_stories(source, theme=theme))
        _print_table(loaded)
        _print_changes(loaded)
        _print_diagnostics(loaded.diagnostics)
    if strict and loaded.warnings():
        err.print(f"{len(loaded.warnings())} warning(s) with --strict: failing")
        raise typer.Exit(1)


@app.command("themes")
def themes_command() -> None:
    """List the themes (for --theme or 'theme' in collection.toml), each with what it looks like."""
    listed = _guard(themes.describe)
    width = max((len(name) for name, _ in listed), default=0)
    for name, description in listed:
        out.print(f"{escape(name):<{width}}  {escape(description)}")


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


def _print_summary(result: BuildResult) -> None:
    out.print(
        f'Built "{escape(result.title)}": {result.stories} '
        f"{'story' if result.stories == 1 else 'stories'}, {result.words:,} words"
    )
    for o in result.outputs:
        extra = f"{o.pages} pages, " if o.pages is not None else ""
        out.print(f"  {o.format:<5} {escape(display_path(o.path))}  ({extra}{_size(o.size)})")


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


def main() -> None:
    app(prog_name="packager")
