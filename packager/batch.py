"""packager batch: many collections in one run, each built as ``build`` builds it.

Collections are built side by side in local processes (forked); with a
scheduler, each of those processes (spawned: Dask's client runs threads,
which do not survive a fork) connects to the cluster once and lays its
stories out there, so the client's own work (reading, the EPUB, the front
matter, the join) runs on every local core too. A collection that fails is
reported with its problems (file:line) and the others go on; each one's
outputs are renamed into place whole, or not at all.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packager import __version__
from packager.build import BuildOptions, Output, build
from packager.errors import PackagerError, error
from packager.imports import preload
from packager.manifest import Entry
from packager.model import Diagnostic, Severity
from packager.parallel import default_jobs

if TYPE_CHECKING:
    from packager.pdf.cluster import Cluster
    from packager.pdf.tasks import Runner


@dataclass(frozen=True)
class Built:
    """What became of one collection."""

    entry: Entry
    out: Path
    ok: bool
    title: str = ""
    stories: int = 0
    outputs: tuple[Output, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()  # warnings, or the errors when it failed
    cache_hits: int = 0
    cache_misses: int = 0
    retried: int = 0
    seconds: float = 0.0
    bug: bool = False  # it failed because of a bug in packager (exit 3)


def run_batch(
    entries: Sequence[Entry],
    out: Path,
    options: BuildOptions,
    finished: Callable[[Built], None] = lambda built: None,
) -> tuple[Built, ...]:
    """Build every entry under OUT/<name>/; ``finished`` is told of each as it ends."""
    jobs = options.jobs or default_jobs()
    width = max(1, min(jobs, len(entries)))
    inner = dataclasses.replace(options, jobs=max(1, jobs // width))
    results: dict[int, Built] = {}
    if width == 1:
        runner = _connect(options.scheduler)
        try:
            for index, entry in enumerate(entries):
                results[index] = built = build_one(entry, out, inner, runner)
                finished(built)
        finally:
            if runner is not None:
                runner.close()
        return tuple(results[i] for i in range(len(entries)))
    checked = _connect(options.scheduler)  # what is wrong with it is said once, here
    if checked is not None:
        checked.close()
    else:
        preload("packager.pdf.writer")  # imported once, before the children fork
    method = "spawn" if options.scheduler else _fork_if_possible()
    with ProcessPoolExecutor(
        max_workers=width,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_child,
        initargs=(options.scheduler,),
    ) as pool:
        pending: dict[Future[Built], int] = {
            pool.submit(_build_in_child, entry, out, inner): i for i, entry in enumerate(entries)
        }
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    results[index] = built = future.result()
                    finished(built)
        except BaseException:  # Ctrl-C, SIGTERM: the children stop and clean up as builds do
            pool.shutdown(wait=False, cancel_futures=True)
            for child in multiprocessing.active_children():
                child.terminate()
            raise
    return tuple(results[i] for i in range(len(entries)))


def build_one(entry: Entry, out: Path, options: BuildOptions, runner: Runner | None) -> Built:
    """One collection, its failure caught and described."""
    started = time.monotonic()
    own = dataclasses.replace(
        options,
        theme=entry.theme or options.theme,
        formats=entry.formats or options.formats,
        scheduler=None if runner is not None else options.scheduler,
    )
    folder = out / entry.name
    try:
        result = build(entry.path, folder, own, runner=runner)
    except PackagerError as exc:
        return Built(entry, folder, False, diagnostics=exc.problems, seconds=_since(started))
    except Exception as exc:  # a bug in packager: this collection fails, the others go on
        problem = error(f"internal error (a bug in packager {__version__}): {exc!r}")
        return Built(
            entry, folder, False, diagnostics=(problem,), seconds=_since(started), bug=True
        )
    return Built(
        entry,
        folder,
        True,
        result.title,
        result.stories,
        result.outputs,
        tuple(d for d in result.diagnostics if d.severity is not Severity.INFO),
        result.cache_hits,
        result.cache_misses,
        result.retried,
        _since(started),
    )


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)


def _connect(scheduler: str | None) -> Cluster | None:
    if not scheduler:
        return None
    from packager.pdf.cluster import Cluster  # Dask, only when asked for

    return Cluster(scheduler)


def _fork_if_possible() -> str | None:
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else None


_runner: Runner | None = None


def _start_child(scheduler: str | None) -> None:
    """A batch process: SIGTERM unwinds (temporary files removed); one cluster connection."""
    global _runner

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    _runner = _connect(scheduler)


def _build_in_child(entry: Entry, out: Path, options: BuildOptions) -> Built:
    return build_one(entry, out, options, _runner)
