"""Which stories, in which order, with which ids: the assemble stage."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from packager.book.config import Config
from packager.book.contributors import contributors
from packager.errors import StoryError, error, warning
from packager.model import Collection, Diagnostic, PlacedStory, Story, TocEntry
from packager.paths import display_path, outside
from packager.read import FORMATS, is_story_file

# Formats people put in a story folder that packager does not read (yet):
# named in a warning rather than skipped in silence.
_OTHER_DOCUMENTS = frozenset({".doc", ".odt", ".rtf", ".pdf", ".mobi", ".azw3", ".kepub"})


def natural_key(name: str) -> list[tuple[int, int | str]]:
    """Sort key that puts '2-x' before '10-x'."""
    return [(0, int(t)) if t.isdigit() else (1, t.casefold()) for t in re.split(r"(\d+)", name)]


def discover(config: Config) -> tuple[list[Path], list[Diagnostic]]:
    """The story files of the collection in reading order, and what was skipped."""
    source = config.source
    label = config.file or display_path(source)
    notes: list[Diagnostic] = []
    files: list[Path] = []
    slug, version = config.settings.slug, config.settings.version
    # A book built into its own source folder (-o .) is not one of its stories.
    own = {
        f"{stem}{end}" for stem in (slug, f"{slug}-{version}") for end in (".epub", ".kepub.epub")
    }
    for path in sorted(source.iterdir(), key=lambda p: natural_key(p.name)):
        if not path.is_file():
            continue
        if path.name in own:
            notes.append(
                warning("this collection's own book (built here); skipped", display_path(path))
            )
        elif is_story_file(path):
            # is_file() follows symlinks: a story that is a link to /etc/passwd
            # would be read and printed. Links that stay inside the folder are fine.
            reason = outside(path, source)
            if reason is None:
                files.append(path)
            else:
                # Named by the link itself: display_path would resolve it to its target.
                where = (Path(display_path(path.parent)) / path.name).as_posix()
                notes.append(warning(f"{reason}; skipped", where))
        elif path.suffix.lower() in _OTHER_DOCUMENTS:
            kinds = ", ".join(sorted(FORMATS))
            notes.append(
                warning(f"not a supported story format ({kinds}); skipped", display_path(path))
            )
    if config.order is not None:
        files, found = _apply_order(files, config.order, label)
        notes.extend(found)
    if not files:
        kinds = ", ".join(sorted(FORMATS))
        raise StoryError([error(f"no story files ({kinds}) found", display_path(source))])
    return files, notes


def _apply_order(
    files: Sequence[Path], order: Sequence[str], label: str
) -> tuple[list[Path], list[Diagnostic]]:
    by_name = {p.name: p for p in files}
    problems: list[Diagnostic] = []
    ordered: list[Path] = []
    for i, name in enumerate(order):
        path = by_name.pop(name, None)
        if path is None:
            problems.append(error(f"order[{i}]: '{name}' is not a story file here", label))
        else:
            ordered.append(path)
    if any(p.severity.value == "error" for p in problems):
        raise StoryError(problems)
    for path in files:
        if path.name in by_name:
            problems.append(
                warning(
                    f"'{path.name}' is not listed in 'order'; placed after the listed stories",
                    label,
                )
            )
            ordered.append(path)
    return ordered, problems


def assemble(config: Config, stories: Sequence[Story]) -> Collection:
    """Give each story its place: id, file name in the book, chapter anchors, contents."""
    placed: list[PlacedStory] = []
    toc: list[TocEntry] = []
    for number, story in enumerate(stories, start=1):
        sid = f"story-{number:03d}"
        href = f"{sid}.xhtml"
        chapter_ids = tuple(f"{sid}-c{i:02d}" for i, _ in enumerate(story.chapters, start=1))
        placed.append(PlacedStory(story, sid, href, chapter_ids))
        children = tuple(
            TocEntry(chapter.title, f"{href}#{cid}")
            for chapter, cid in zip(story.chapters, chapter_ids, strict=True)
            if chapter.title
        )
        toc.append(TocEntry(story.meta.title, href, children))
    return Collection(
        config.settings, tuple(placed), tuple(toc), contributors(config.settings, placed)
    )
