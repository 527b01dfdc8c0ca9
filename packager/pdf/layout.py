"""Stories laid out by a runner (local processes or a cluster), once per side, and cached.

A story's layout depends only on its HTML, the print stylesheets, fonts and
images, the side it starts on and the engine (packager.pdf.engine): that is
its cache key. The runner's tasks return the fonts they used; this process
keeps the font programs for the join.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urljoin

from packager import __version__
from packager.book.stylesheets import references
from packager.model import Book, Part, Resource
from packager.pdf import cache, engine, fonts, slices, weasy
from packager.pdf.cache import Cache
from packager.pdf.tasks import Runner, StoryTask, is_font
from packager.pdf.weasy import RenderedPart
from packager.progress import Progress

_IMAGE = re.compile(r'src="(images/[^"]+)"')

# What a cache entry holds and what names it; entries written before page starts were
# kept, before the engine and the resources CSS names were in the key, or before
# links were deduplicated, before notes were kept on their calls' pages, or
# before the rest of a block broke across pages lost its ::first-line style, have another key.
_CACHE_FORMAT = "part+starts+engine+links+strays+rest-first-line"


def side(left: bool) -> str:
    return "left" if left else "right"


_Side = tuple[str, bool]  # a story's id, and whether it starts on a left-hand page


def lay_out_all(
    book: Book,
    stories: Sequence[Part],
    runner: Runner,
    store: Cache | None,
    known: Mapping[str, bytes],
    programs: dict[str, bytes],
    progress: Progress,
    variant: str | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[dict[_Side, RenderedPart], list[str]]:
    """Every story laid out on the side it starts on (``meanwhile``: see ``lay_out``).

    In print every story starts on a right-hand page. On screen there are no
    blank pages, so a story starts on the side the pages before it leave:
    all are laid out as right-hand starts first, then those that fall on a
    left-hand page again (their running heads and margins differ), until
    the sides agree with the page counts.
    """
    laid: dict[_Side, RenderedPart] = {}
    fresh: list[str] = []
    wanted = [(p, False) for p in stories]
    while wanted:
        done, again = lay_out(
            book, wanted, runner, store, known, programs, progress, variant, meanwhile
        )
        meanwhile = None  # once
        laid.update(done)
        fresh += again
        if book.settings.pdf != "screen":
            break
        wanted, number = [], 1
        for part in stories:
            left = number % 2 == 0
            found = laid.get((part.id, left))
            if found is None:
                wanted.append((part, left))
                progress.more(1)
                found = laid[part.id, not left]  # the same text: most likely as many pages
            number += found.pages
    return laid, fresh


def lay_out(
    book: Book,
    wanted: Sequence[tuple[Part, bool]],
    runner: Runner,
    store: Cache | None,
    known: Mapping[str, bytes],
    programs: dict[str, bytes],
    progress: Progress,
    variant: str | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[dict[_Side, RenderedPart], tuple[str, ...]]:
    """The stories laid out on the given sides, in worker processes or from ``store``;
    ``meanwhile``, this process's own work, runs while the workers lay them out."""
    mode = book.settings.pdf + (f", variant={variant}" if variant else "")
    tagged = variant is not None  # laid out whole (packager.pdf.slices)
    keys = {
        (p.id, left): part_key(
            book,
            p.print_html + p.print_fallback,
            f"story, no folios, {side(left)}, {mode}{slices.how(p.print_html, tagged)}",
        )
        for p, left in wanted
    }
    done: dict[_Side, RenderedPart] = {}
    for part, left in wanted:
        found = from_cache(store, keys[part.id, left], programs) if store else None
        if found is not None:
            done[part.id, left] = found
    progress.advance(len(done))
    todo = [(p, left) for p, left in wanted if (p.id, left) not in done]
    tasks = [
        StoryTask(
            keys[p.id, left],
            p.source or p.title,
            p.print_html,
            p.href,
            left,
            variant,
            book.fallbacks,
            p.print_fallback,
        )
        for p, left in todo
    ]
    results = runner.lay_out(tasks, key_resources(book, tasks), progress.advance, meanwhile)
    for (part, left), (rendered, used, carried) in zip(todo, results, strict=True):
        for sha, program in carried.items():
            programs.setdefault(sha, program)
        done[part.id, left] = rendered
        if store is not None:
            to_cache(store, keys[part.id, left], rendered, used, programs)
    return done, tuple(p.id for p, _ in todo)


def cached_subsets(store: Cache) -> fonts.Subset:
    """``fonts.subset_font`` through ``store``: a rebuild whose book uses the same glyphs of a
    font subsets nothing (a CJK face takes seconds, a Latin one tens of milliseconds)."""

    def subset(program: bytes, glyphs: set[int]) -> tuple[bytes, dict[int, float]]:
        ids = ",".join(str(g) for g in sorted(glyphs))
        name = cache.key(__version__, _CACHE_FORMAT, engine.key(), "subset", program, ids)
        found = store.get_subset(name)
        if found is not None:
            meta, data = found
            try:
                return data, {int(g): float(a) for g, a in meta["advances"].items()}
            except (KeyError, TypeError, ValueError, AttributeError):
                store.damaged(name)
        data, advances = fonts.subset_font(program, glyphs)
        store.put_subset(name, {"advances": {str(g): a for g, a in advances.items()}}, data)
        return data, advances

    return subset


def part_key(book: Book, html: str, how: str) -> str:
    """What a part's layout depends on: its HTML, the engine, and every resource it may
    read (the print stylesheets, what they name, fonts, its images)."""
    inputs: list[bytes | str] = [__version__, _CACHE_FORMAT, engine.key(), how, html]
    inputs.append(repr(book.fallbacks))  # the faces after the theme's, in their order
    for resource in _read_by(book.resources, frozenset(_IMAGE.findall(html))):
        inputs += [resource.href, _digest(resource.data)]  # not the fonts' megabytes each time
    return cache.key(*inputs)


@functools.lru_cache(maxsize=256)
def _digest(data: bytes) -> bytes:
    """A resource's sha256, once per build: every part's key names the same fonts."""
    return hashlib.sha256(data).digest()


def key_resources(book: Book, tasks: Sequence[StoryTask]) -> tuple[Resource, ...]:
    """The resources the tasks' cache keys name: all that their layouts may read."""
    images = frozenset(src for task in tasks for src in _IMAGE.findall(task.html))
    return _read_by(book.resources, images)


def _read_by(resources: tuple[Resource, ...], images: frozenset[str]) -> tuple[Resource, ...]:
    named = images | _named_by_css(resources)
    return tuple(
        r for r in resources if r.href.startswith("css/") or is_font(r.href) or r.href in named
    )


@functools.lru_cache(maxsize=8)
def _named_by_css(resources: tuple[Resource, ...]) -> frozenset[str]:
    """What the stylesheets name (the scene-break ornament, a background), as book hrefs."""
    found = set()
    for sheet in resources:
        if sheet.media_type == "text/css":
            for address, _ in references(sheet.data.decode("utf-8", "replace")):
                target = urljoin(weasy.BASE_URL + sheet.href, address.strip())
                found.add(target.split("#", 1)[0].removeprefix(weasy.BASE_URL))
    return frozenset(found)


def from_cache(store: Cache, name: str, programs: dict[str, bytes]) -> RenderedPart | None:
    found = store.get_part(name)
    if found is None:
        return None
    meta, data = found
    try:
        fonts = [str(s) for s in meta["fonts"]]
        for sha in fonts:
            if sha not in programs:
                program = store.get_font(sha)
                if program is None:
                    return None
                programs[sha] = program
        return RenderedPart(
            data,
            int(meta["pages"]),
            tuple(weasy.Bookmark(*b) for b in meta["bookmarks"]),
            tuple(weasy.Anchor(*a) for a in meta["anchors"]),
            tuple(weasy.Link(n, (r[0], r[1], r[2], r[3]), a) for n, r, a in meta["links"]),
            tuple(str(m) for m in meta["messages"]),
            tuple(int(n) for n in meta["starts"]),
        )
    except (KeyError, TypeError, ValueError):
        store.damaged(name)
        return None


def to_cache(
    store: Cache,
    name: str,
    part: RenderedPart,
    used: Sequence[str],
    programs: Mapping[str, bytes],
) -> None:
    for sha in used:
        store.put_font(sha, programs[sha])
    meta = {
        "pages": part.pages,
        "fonts": list(used),
        "bookmarks": [dataclasses.astuple(b) for b in part.bookmarks],
        "anchors": [dataclasses.astuple(a) for a in part.anchors],
        "links": [[link.page, list(link.rect), link.anchor] for link in part.links],
        "messages": list(part.messages),
        "starts": list(part.starts),
    }
    store.put_part(name, meta, part.pdf)
