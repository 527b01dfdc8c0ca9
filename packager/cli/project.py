"""packager init, stats and themes: start an anthology, count it, choose its look."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from packager.book import themes
from packager.cli import scaffold, stats
from packager.cli.common import SourceArg, app, guard, out
from packager.load import load_stories
from packager.paths import display_path


@app.command("init")
def init_command(
    folder: Annotated[Path, typer.Argument(help="The new anthology folder (new or empty).")],
    title: Annotated[
        str | None, typer.Option("--title", help="The book's title (default: from FOLDER).")
    ] = None,
) -> None:
    """Start an anthology: collection.toml, two sample stories, templates/, a CI workflow."""
    written = guard(lambda: scaffold.init(folder, title))
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
    loaded = guard(lambda: load_stories(source))
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
    listed = guard(themes.describe)
    width = max((len(name) for name, _ in listed), default=0)
    for name, description in listed:
        out.print(f"{escape(name):<{width}}  {escape(description)}")
