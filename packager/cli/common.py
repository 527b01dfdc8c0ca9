"""The typer app, its consoles, and how errors become exit codes: shared by every command.

Exit codes: 0 success, 1 bad input (each problem named with file:line),
2 command-line usage, 3 a bug in packager, 143 stopped by SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from packager import __version__
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
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Read and lay out every story again; use no cache.")
]


def guard(action: Callable[[], T]) -> T:
    """Run an action; bad input exits 1 with every problem, a bug exits 3."""
    try:
        return action()
    except PackagerError as exc:
        for problem in exc.problems:
            err.print(f"error: {escape(str(problem))}")
        raise typer.Exit(exc.exit_code) from None
    except typer.Exit:
        raise
    except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, SIGTERM (a cancelled job)
        if isinstance(exc, KeyboardInterrupt) or exc.code == 128 + signal.SIGTERM:
            how = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else "SIGTERM"
            err.print(f"stopped by {how}: nothing half-written; outputs not done are as they were")
        raise
    except Exception as exc:  # a bug: say so, and how to report it
        err.print(f"internal error (a bug in packager {__version__}): {type(exc).__name__}: {exc}")
        if os.environ.get("PACKAGER_DEBUG"):
            traceback.print_exc(file=sys.stderr)
        else:
            err.print("Run again with PACKAGER_DEBUG=1 to see the traceback, and please report it.")
        raise typer.Exit(INTERNAL_ERROR) from None


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for d in diagnostics:
        kind = "note" if d.severity is Severity.INFO else d.severity.value
        err.print(f"{kind}: {escape(str(d))}")


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (a CI job cancelled, a container stopped) unwinds like Ctrl-C.

    The writer's cleanup then removes its temporary files; the outputs stay
    as they were (the old book, or none).
    """
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    app(prog_name="packager")
