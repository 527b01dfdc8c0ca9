"""CLI: the typer app (cli.common) and one module per command group: build and preview, batch,
check, impose, and the project commands (init, stats, themes). Exports app and main."""

from packager.imports import settled

with settled():  # the whole program's imports, walked by no collection (packager.imports)
    from packager.cli import batch, binding, build, check, project  # noqa: F401  (each registers)
    from packager.cli.common import app, main

__all__ = ["app", "main"]
