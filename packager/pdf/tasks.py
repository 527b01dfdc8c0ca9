"""One story's layout as a task: its inputs, the pure function, and who runs it.

A task's result depends on its inputs only (the story's HTML and side, the
resources its cache key names, the PDF variant): it gives the part with its
font programs detached, the hashes of the fonts it used, and the programs
of those not among its resources (a system font it fell back on). No worker
remembers what it sent before, so a task run twice, on any process or
machine, gives the same bytes, and the client keeps the font bookkeeping.

``Local`` runs tasks on this machine's processes (packager.parallel);
``packager.pdf.cluster.Cluster`` on a Dask cluster. Both are ``Runner``\\s.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from packager.model import Fallback, Resource
from packager.parallel import pmap
from packager.pdf import footnotes, join
from packager.pdf.weasy import RenderedPart, Renderer

# The part, the hashes of every font it uses, the programs of those not in its resources.
Laid = tuple[RenderedPart, tuple[str, ...], dict[str, bytes]]


@dataclass(frozen=True)
class StoryTask:
    key: str  # the cache key: also the task's name on a cluster
    story: str  # the story's file, for messages
    html: str
    href: str
    left: bool  # it starts on a left-hand page
    variant: str | None = None  # "pdf/ua-1": tagged
    fallbacks: tuple[Fallback, ...] = ()  # the script faces after the theme's (book.fallbacks)
    fallback: str = ""  # the story with its notes at its end (Part.print_fallback), or ""

    @property
    def size(self) -> int:
        """How much there is to lay out, to start the largest first."""
        return len(self.html)


class Runner(Protocol):
    """Lays out stories somewhere; results in the order of ``tasks``."""

    retried: int  # tasks run again because the process running them died

    def lay_out(
        self,
        tasks: Sequence[StoryTask],
        resources: tuple[Resource, ...],
        done: Callable[[], None],
        meanwhile: Callable[[], None] | None = None,
    ) -> list[Laid]:
        """The tasks laid out; ``meanwhile`` (the client's own work) runs while they are."""
        ...


def font_hashes(resources: Sequence[Resource]) -> frozenset[str]:
    return frozenset(hashlib.sha256(r.data).hexdigest() for r in resources if is_font(r.href))


def is_font(href: str) -> bool:
    return href.startswith("fonts/")


def render_story(renderer: Renderer, known: frozenset[str], task: StoryTask) -> Laid:
    """Lay out one story without folios (the pure function every runner calls)."""
    part = footnotes.render_story(renderer, task.html, task.fallback, task.href, task.left)
    detached, programs = join.detach_fonts(part.pdf, renderer.programs)
    unknown = {sha: data for sha, data in programs.items() if sha not in known}
    return dataclasses.replace(part, pdf=detached), tuple(sorted(programs)), unknown


class Local:
    """Tasks on ``jobs`` processes of this machine (forked: the resources are not copied)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.retried = 0  # a dead worker process ends a local build

    def lay_out(
        self,
        tasks: Sequence[StoryTask],
        resources: tuple[Resource, ...],
        done: Callable[[], None],
        meanwhile: Callable[[], None] | None = None,
    ) -> list[Laid]:
        variant = tasks[0].variant if tasks else None
        fallbacks = tasks[0].fallbacks if tasks else ()
        return pmap(
            _render_here,
            list(tasks),
            self.jobs,
            initializer=_start_process,
            initargs=(resources, variant, fallbacks),
            done=done,
            meanwhile=meanwhile,
            cost=lambda task: task.size,
        )


_renderer: Renderer | None = None
_known: frozenset[str] = frozenset()


def _start_process(
    resources: tuple[Resource, ...], variant: str | None, fallbacks: tuple[Fallback, ...]
) -> None:
    global _renderer, _known
    _renderer = Renderer(resources, variant, fallbacks)
    _known = font_hashes(resources)


def _render_here(task: StoryTask) -> Laid:
    assert _renderer is not None
    return render_story(_renderer, _known, task)


# -- on a cluster's workers: everything from the arguments, nothing remembered but the
# renderer (fonts loaded once per thread and resources; the result does not depend on it).


class EngineMismatch(Exception):
    """A worker whose engine differs from the client's (it joined after the check)."""

    def __init__(self, worker: str, fingerprint: tuple[tuple[str, str], ...]) -> None:
        super().__init__(worker, fingerprint)
        self.worker = worker
        self.fingerprint = fingerprint


_renderers = threading.local()
# WeasyPrint is laid out one part at a time per process: weasy.py swaps a class
# attribute and a logging handler while it renders, which threads would share.
_one_at_a_time = threading.Lock()


def keep(resources: tuple[Resource, ...]) -> tuple[Resource, ...]:
    """The resources a build's tasks share, as the result of a task (see cluster.py)."""
    return resources


def remote_fingerprint() -> tuple[tuple[str, str], ...]:
    from packager.pdf import engine

    return engine.fingerprint()


def render_remote(
    task: StoryTask, resources: tuple[Resource, ...], resources_key: str, engine_key: str
) -> Laid:
    """One story on a Dask worker: checked against the client's engine, then laid out."""
    from packager.pdf import engine

    if engine.key() != engine_key:
        raise EngineMismatch(_worker_address(), engine.fingerprint())
    held: dict[tuple[str, str | None, tuple[Fallback, ...]], tuple[Renderer, frozenset[str]]]
    held = getattr(_renderers, "held", None) or {}
    _renderers.held = held
    slot = (resources_key, task.variant, task.fallbacks)
    if slot not in held:
        if len(held) >= 4:  # a batch of many books: keep the latest few
            held.pop(next(iter(held)))
        held[slot] = (Renderer(resources, task.variant, task.fallbacks), font_hashes(resources))
    renderer, known = held[slot]
    with _one_at_a_time:
        return render_story(renderer, known, task)


def _worker_address() -> str:
    """Where this worker runs, for the client's message (without importing Dask here)."""
    return f"on {socket.gethostname()} (process {os.getpid()})"
