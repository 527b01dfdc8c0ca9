"""CLI: the typer app and one module per command group, with preview, report,
progress display, the init scaffold and stats. Exports app and main."""

from packager.cli.commands import app, main

__all__ = ["app", "main"]
