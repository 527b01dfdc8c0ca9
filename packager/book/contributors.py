"""The "About the authors" page: one entry per byline, from collection.toml and the stories.

A bio comes from ``[contributors."Name"] bio = "..."`` in collection.toml or
from a story's ``author_bio`` field (front matter or ``[stories."<file>"]``).
A story's bio belongs to its byline: a story by two authors gives one joint
entry ("Ann One and Bo Two"). collection.toml wins over a story's bio for the
same name. Entries come in the order the reader meets them (the first story
of each), then the names of collection.toml that wrote no story (the editors),
in the order given. Only bylines with a bio are listed.
"""

from __future__ import annotations

from collections.abc import Sequence

from packager.errors import warning
from packager.model import Contributor, Diagnostic, PlacedStory, Settings, Story
from packager.paths import display_path


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def contributors(settings: Settings, stories: Sequence[PlacedStory]) -> tuple[Contributor, ...]:
    """The entries of the contributors page, in reading order; () when no bio is given."""
    bios: dict[str, str] = {}
    for placed in stories:  # the first story's bio for a byline wins (problems() warns)
        meta = placed.story.meta
        if meta.author_bio_html and meta.authors:
            bios.setdefault(join_names(meta.authors), meta.author_bio_html)
    bios.update(dict(settings.bios))  # collection.toml wins
    written: dict[str, list[str]] = {}
    for placed in stories:
        names = placed.story.meta.authors
        for name in dict.fromkeys((join_names(names), *names)):
            if name in bios:
                written.setdefault(name, []).append(placed.id)
    others = [name for name, _ in settings.bios if name not in written]
    return tuple(
        Contributor(name, bios[name], tuple(written.get(name, ()))) for name in [*written, *others]
    )


def problems(settings: Settings, stories: Sequence[Story], file: str) -> list[Diagnostic]:
    """Bios that will not show as the editor may expect: each with where it was given."""
    found: list[Diagnostic] = []
    first: dict[str, Story] = {}
    bylines = {join_names(s.meta.authors) for s in stories} | {
        n for s in stories for n in s.meta.authors
    }
    for story in stories:
        meta = story.meta
        if not meta.author_bio_html:
            continue
        if not meta.authors:
            found.append(warning("author_bio: the story names no author, so the bio is not shown",
                                 display_path(story.path)))  # fmt: skip
            continue
        name = join_names(meta.authors)
        if name in dict(settings.bios):
            continue  # collection.toml's bio is shown, as documented
        earlier = first.setdefault(name, story)
        if earlier is not story and earlier.meta.author_bio_html != meta.author_bio_html:
            found.append(
                warning(f"author_bio: differs from the bio of {name} in {earlier.name}; "
                        "the first one is shown", display_path(story.path))
            )  # fmt: skip
    for name, _ in settings.bios:
        if name not in bylines and name not in settings.editors:
            found.append(
                warning(f'contributors."{name}": no story is by this name and it is not an '
                        "editor; listed without stories", file)
            )  # fmt: skip
    return found
