"""What a build and a check show: progress while they run, a summary when they end."""

from __future__ import annotations

import rich.progress
from rich.markup import escape
from rich.table import Table

from packager.build import BuildResult
from packager.cli.common import err, out
from packager.load import Loaded
from packager.paths import display_path
from packager.text import html
from packager.text.cleanup import count_words


class Bars:
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

    def __enter__(self) -> Bars:
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


class Lines:
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


def print_changes(loaded: Loaded) -> None:
    """Per story, every line packager moved, removed or read as structure, and its notes."""
    for story in loaded.stories:
        notes = [n for c in story.chapters for n in c.footnotes]
        if not story.changes and not notes:
            continue
        out.print()
        out.print(escape(display_path(story.path)))
        for change in story.changes:
            out.print(
                f"  {change.file}:{change.line}: {change.kind}: {escape(change.action)}: "
                f"{escape(change.text)}"
            )
        for note in sorted(notes, key=lambda n: n.number):
            text = " ".join(html.text_of(note.html).split())
            shown = text if len(text) <= 70 else text[:69] + "\u2026"
            where = escape(display_path(story.path))
            out.print(
                f"  {where}:{note.line}: note {note.number} ({note.kind}, "
                f"{count_words(text)} words): {escape(shown)}"
            )


def print_summary(result: BuildResult, seconds: float | None = None) -> None:
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
        extra = f"{o.pages} page{'s' if o.pages != 1 else ''}, " if o.pages is not None else ""
        checked = ", EPUBCheck: no problems" if o.checked else ""
        out.print(
            f"  {o.format:<5} {escape(display_path(o.path))}  ({extra}{_size(o.size)}{checked})"
        )


def print_table(loaded: Loaded) -> None:
    table = Table(title=escape(loaded.config.settings.title), show_lines=False)
    # Notes and pictures get a column when a story has them (a narrow terminal has room).
    notes = any(c.footnotes for s in loaded.stories for c in s.chapters)
    pictures = any(s.images for s in loaded.stories)
    counts = (
        "words",
        "chapters",
        *(("notes",) if notes else ()),
        *(("pictures",) if pictures else ()),
    )
    for column in ("file", "title", "author", "encoding", *counts):
        table.add_column(column, justify="right" if column in counts else "left")
    for story in loaded.stories:
        titled = sum(1 for c in story.chapters if c.title)
        row = [
            escape(story.name),
            escape(story.meta.title),
            escape(", ".join(story.meta.authors)),
            story.encoding,
            f"{story.words:,}",
            str(titled),
        ]
        row += [str(sum(len(c.footnotes) for c in story.chapters))] if notes else []
        row += [str(len(story.images))] if pictures else []
        table.add_row(*row)
    out.print(table)
    total = sum(s.words for s in loaded.stories)
    out.print(f"{len(loaded.stories)} stories, {total:,} words")


def _size(size: int) -> str:
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"
