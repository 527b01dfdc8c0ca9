"""Stories laid out in worker processes, each once per side it may start on, and cached.

A story's layout depends only on its HTML, the print stylesheets, fonts and
images, and the side it starts on: that is its cache key. Workers send each
font program once; the parent keeps them for the join.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from packager import __version__
from packager.errors import warning
from packager.model import Book, Fallback, Part, Resource
from packager.parallel import pmap
from packager.pdf import cache, footnotes, join, weasy
from packager.pdf.cache import Cache
from packager.pdf.weasy import RenderedPart, Renderer
from packager.progress import Progress

_IMAGE = re.compile(r'src="(images/[^"]+)"')

# What a cache entry holds; entries written before page starts were kept have another key.
_CACHE_FORMAT = "part+starts+links"


def side(left: bool) -> str:
    return "left" if left else "right"


_worker: Renderer | None = None
_known: frozenset[str] = frozenset()
_sent: set[str] = set()


def _start_worker(
    resources: tuple[Resource, ...],
    known: frozenset[str],
    variant: str | None = None,
    fallbacks: tuple[Fallback, ...] = (),
) -> None:
    global _worker, _known, _sent
    _worker = Renderer(resources, variant, fallbacks)
    _known = known
    _sent = set()


_Laid = tuple[RenderedPart, tuple[str, ...], dict[str, bytes]]


def _render_story(task: tuple[str, str, str, bool]) -> _Laid:
    """Lay out one story without folios: the part, its fonts' hashes, fonts not sent yet."""
    assert _worker is not None
    html, fallback, href, left = task
    part = footnotes.render_story(_worker, html, fallback, href, left)
    detached, programs = join.detach_fonts(part.pdf, _worker.programs)
    new = {sha: data for sha, data in programs.items() if sha not in _known and sha not in _sent}
    _sent.update(new)
    return dataclasses.replace(part, pdf=detached), tuple(sorted(programs)), new


_Side = tuple[str, bool]  # a story's id, and whether it starts on a left-hand page


def lay_out_all(
    book: Book,
    stories: Sequence[Part],
    jobs: int,
    store: Cache | None,
    known: Mapping[str, bytes],
    programs: dict[str, bytes],
    progress: Progress,
    variant: str | None = None,
) -> tuple[dict[_Side, RenderedPart], list[str]]:
    """Every story laid out on the side it starts on.

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
        done, again = lay_out(book, wanted, jobs, store, known, programs, progress, variant)
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
    jobs: int,
    store: Cache | None,
    known: Mapping[str, bytes],
    programs: dict[str, bytes],
    progress: Progress,
    variant: str | None = None,
) -> tuple[dict[_Side, RenderedPart], tuple[str, ...]]:
    """The stories laid out on the given sides, in worker processes or from ``store``."""
    mode = book.settings.pdf + (f", variant={variant}" if variant else "")
    keys = {
        (p.id, left): part_key(
            book, p.print_html + p.print_fallback, f"story, no folios, {side(left)}, {mode}"
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
    results = pmap(
        _render_story,
        [(p.print_html, p.print_fallback, p.href, left) for p, left in todo],
        jobs,
        initializer=_start_worker,
        initargs=(tuple(book.resources), frozenset(known), variant, book.fallbacks),
        done=progress.advance,
    )
    for (part, left), (rendered, used, fonts) in zip(todo, results, strict=True):
        programs.update(fonts)
        done[part.id, left] = rendered
        if store is not None:
            to_cache(store, keys[part.id, left], rendered, used, programs)
    return done, tuple(p.id for p, _ in todo)


def part_key(book: Book, html: str, how: str) -> str:
    """What a part's layout depends on: its HTML, the print stylesheets, fonts and images."""
    inputs: list[bytes | str] = [__version__, _CACHE_FORMAT, weasy.VERSION, how, html]
    images = set(_IMAGE.findall(html))
    for resource in book.resources:
        if resource.href.startswith("css/") or is_font(resource.href) or resource.href in images:
            inputs += [resource.href, resource.data]
    return cache.key(*inputs)


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
        store.diagnostics.append(warning("cache entry is damaged; ignored and rebuilt", name))
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


def is_font(href: str) -> bool:
    return href.startswith("fonts/")
