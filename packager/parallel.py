"""Run a function over many items in worker processes, results in input order.

Forked workers start in milliseconds and inherit what the parent has
imported; where fork is unavailable (macOS, Windows), the platform default
is used and the function and its arguments must pickle.

A worker told to stop (SIGTERM, SIGINT) ends at once, its temporary files
removed, and a pmap that fails or is interrupted ends its workers: the pool's
worker loop reports any exception of an item and takes the next, so a worker
that raised on the signal (as the main process does) could outlive the build,
and a pool waiting to join it hung the build's exit.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import util as multiprocessing_util
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def pmap(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    *,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    done: Callable[[], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
    cost: Callable[[T], int] | None = None,
) -> list[R]:
    """``[fn(item) for item in items]``, spread over ``jobs`` processes when that helps.

    ``cost``: an estimate of each item's work (its length). The dearest items are
    handed out first, so that no long item is left to run alone at the end while
    the other processes wait (the results are still in input order).

    ``done`` is called in this process after each result, in order (for progress).
    ``meanwhile`` is this process's own work, run while the workers run ``fn``: called
    in this thread once every item is handed out (the fork context starts every worker
    at the first item, so no fork happens while it runs), or first where the items run
    here. If it fails, the items not started are cancelled before the error goes on.
    """
    tick = done or (lambda: None)
    if jobs <= 1 or len(items) < 2:
        if meanwhile is not None:
            meanwhile()
        if initializer is not None:
            initializer(*initargs)
        results = []
        for item in items:
            results.append(fn(item))
            tick()
        return results
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(items)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(initializer, initargs),
    ) as pool:
        order = list(range(len(items)))
        if cost is not None:  # dearest first; equal costs in input order (a stable sort)
            weigh = cost
            order.sort(key=lambda i: -weigh(items[i]))
        futures = {i: pool.submit(fn, items[i]) for i in order}  # the workers are forked
        try:
            if meanwhile is not None:
                meanwhile()
            results = []
            for i in range(len(items)):
                results.append(futures[i].result())
                tick()
            return results
        except BaseException:  # an error, Ctrl-C, SIGTERM: the rest is not laid out
            # Python 3.14: pool.terminate_workers(). Until then the pool's own table.
            workers = list((pool._processes or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for worker in workers:
                worker.terminate()  # a worker mid-item does not finish it
            raise


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """A worker process begins: the stop signals end it at once, then the caller's set-up."""
    signal.signal(signal.SIGTERM, _stop_worker)
    signal.signal(signal.SIGINT, _stop_worker)
    if initializer is not None:
        initializer(*initargs)


def _stop_worker(signum: int, frame: FrameType | None) -> None:
    """End this worker now, as a worker ends: its finalizers run (they remove its temporary
    files, packager.pdf.weasyfonts), then ``os._exit``, with the shell's code for the signal.
    A second signal (the pool and the build both stop it) must not cut that short."""
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, signal.SIG_IGN)
    multiprocessing_util._run_finalizers(0)  # type: ignore[attr-defined]
    os._exit(128 + signum)
