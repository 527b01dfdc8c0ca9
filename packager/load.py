"""Read and clean every story of a source folder: the read and clean stages of the recipe.

Every problem of every file is gathered and raised at once, so an editor fixes
a whole folder in one run; collection.toml's errors come first.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packager.book import contributors, labels
from packager.book.collection import discover
from packager.book.config import Config, load_config
from packager.book.stylesheets import user_styles
from packager.errors import ConfigError, PackagerError, StoryError, error, warning
from packager.model import Diagnostic, Severity, Story
from packager.options import BuildOptions
from packager.parallel import pmap
from packager.paths import display_path
from packager.pdf.cache import Cache
from packager.progress import Progress, Silent
from packager.read.blank import EmptyStory
from packager.read.images import probes
from packager.read.meta import apply, meta_updates
from packager.read.story import read_stories
from packager.readcache import ReadCache, Result
from packager.text import clean

# Below this much text, starting worker processes costs more than it saves.
PARALLEL_BYTES = 512 * 1024


@dataclass(frozen=True)
class Loaded:
    """The stories of a collection, read and cleaned, and what was noticed."""

    config: Config
    stories: tuple[Story, ...]
    diagnostics: tuple[Diagnostic, ...]

    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


def load_stories(
    source: Path,
    options: BuildOptions = BuildOptions(),
    *,
    css: bool = False,
    progress: Progress | None = None,
    store: Cache | None = None,
) -> Loaded:
    """Read and clean every story; raise with every problem of every file at once.

    With css=True (``packager check``), the editor's stylesheets are read too,
    so that what they refer to outside the folder is reported before a build.
    With a ``store``, a file read before and unchanged since is not read again.
    """
    if not source.is_dir():
        raise PackagerError([error("no such folder", display_path(source))])
    config, failed = _config_or_defaults(source, options.theme, options.env)
    config = dataclasses.replace(config, settings=options.settings(config.settings))
    # Errors in collection.toml are raised as a ConfigError, with the stories' after them.
    kind = ConfigError if failed else StoryError
    try:
        files, notes = discover(config)
    except StoryError as exc:  # 'order' names files that are not there, or there are none
        failed.extend(exc.problems)
        try:
            files, notes = discover(dataclasses.replace(config, order=None))
        except StoryError:
            raise kind(failed) from None
    progress = progress or Silent()
    progress.stage("reading", len(files))
    remembered = ReadCache(store, config) if store is not None and store.usable else None
    results = [remembered.get(path) if remembered else None for path in files]
    unread = [i for i, result in enumerate(results) if result is None]
    progress.advance(len(files) - len(unread))
    sizes = {files[i]: files[i].stat().st_size for i in unread}
    jobs = (options.jobs or 1) if sum(sizes.values()) >= PARALLEL_BYTES else 1
    tasks = [(files[i], config) for i in unread]
    fresh = pmap(_read_probed, tasks, jobs, done=progress.advance, cost=lambda t: sizes[t[0]])
    for i, (result, probed) in zip(unread, fresh, strict=True):
        results[i] = result
        if remembered is not None:
            remembered.put(files[i], result, probed)
    stories: list[Story] = []
    problems: list[Diagnostic] = [*config.diagnostics, *notes]
    for read, found in (r for r in results if r is not None):
        if read is None and any(p.severity is Severity.ERROR for p in found):
            failed.extend(found)
        else:  # read, or left out with a warning (an empty story, skip_empty_stories)
            stories.extend(read or [])
            problems.extend(found)
    if failed:
        raise kind(failed)
    if not stories:
        raise StoryError([error("every story file is empty: there is no book to make",
                                display_path(source))])  # fmt: skip
    problems.extend(contributors.problems(config.settings, stories, config.file))
    problems.extend(labels.problems(config.settings, config.file))
    if css:
        problems.extend(user_styles(config.settings.extra_css, config.source).diagnostics)
    return Loaded(config, tuple(stories), tuple(problems))


def _config_or_defaults(
    source: Path, theme: str | None, env: Mapping[str, str] | None
) -> tuple[Config, list[Diagnostic]]:
    """The collection's config; if it has errors, the defaults and those errors.

    Reading the stories with the defaults reports their problems in the same
    run: an editor fixes everything at once, not one file per build.
    """
    try:
        return load_config(source, theme=theme, env=env), []
    except ConfigError as exc:
        # A bad SOURCE_DATE_EPOCH is one of exc's problems: leave it out here.
        plain = dict(os.environ if env is None else env)
        plain.pop("SOURCE_DATE_EPOCH", None)
        try:
            return load_config(source, theme=theme, env=plain, read_file=False), list(exc.problems)
        except PackagerError:
            raise exc from None


def _read_probed(task: tuple[Path, Config]) -> tuple[Result, list[Path]]:
    """A file read and cleaned, and the picture files the read looked for."""
    with probes() as probed:
        return _read_and_clean(task), probed


def _read_and_clean(task: tuple[Path, Config]) -> tuple[list[Story] | None, list[Diagnostic]]:
    """One story file (or each work of it), read, with its overrides, cleaned: the
    unit of work of a worker."""
    path, config = task
    split = config.overrides.get(path.name, {}).get("split") is True
    try:
        stories = read_stories(path, config.source, display_path(path), split)
    except EmptyStory as exc:
        if config.skip_empty_stories:
            return None, [exc.skipped()]
        return None, list(exc.problems)
    except StoryError as exc:
        return None, list(exc.problems)
    cleaned: list[Story] = []
    found: list[Diagnostic] = []
    for i, story in enumerate(stories):
        # A split file's own table applies to each of its works, "file.epub#2" to one;
        # the file's table's problems are reported once.
        for name in dict.fromkeys((path.name, story.name)):
            story, problems = _override(story, config, name)
            found.extend(problems if name == story.name or i == 0 else [])
        cleaned.append(clean(story, config.settings.language))
        found.extend(story.diagnostics)
    return cleaned, found


def _override(story: Story, config: Config, name: str) -> tuple[Story, list[Diagnostic]]:
    fields = {k: v for k, v in config.overrides.get(name, {}).items() if k != "split"}
    if not fields:
        return story, []
    lines = config.override_lines.get(name, {})
    where = f'stories."{name}"'
    updates, problems = meta_updates(fields, config.file, lines, where=where)
    if "title" in updates and not updates["title"]:
        del updates["title"]  # an empty title would leave the contents entry blank
        message = f"{where}: 'title' is empty; the story keeps its title '{story.meta.title}'"
        problems.append(warning(message, config.file, lines.get("title")))
    return dataclasses.replace(story, meta=apply(story.meta, updates)), problems
