"""packager.parallel.pmap: results in order, this process's own work done meanwhile, and
workers that end when told to (a signal) or when the build stops."""

from __future__ import annotations

import os
import shutil
import signal
import time
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import util as multiprocessing_util
from pathlib import Path

import pytest

from packager.parallel import pmap


def _started(folder: Path) -> int:
    """Mark that a worker began an item, then wait a little: the parent must not wait for it."""
    (folder / str(os.getpid())).touch()
    time.sleep(0.5)
    return os.getpid()


def test_meanwhile_runs_here_while_the_workers_work(tmp_path: Path) -> None:
    seen: list[set[str]] = []

    def meanwhile() -> None:
        deadline = time.monotonic() + 20
        while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append({p.name for p in tmp_path.iterdir()})

    pids = pmap(_started, [tmp_path, tmp_path], 2, meanwhile=meanwhile)
    # Both workers were at work while the parent ran its own part, in the parent.
    assert len(seen) == 1 and len(seen[0]) == 2
    assert set(pids) == {int(name) for name in seen[0]}
    assert os.getpid() not in pids


@pytest.mark.parametrize("jobs", [1, 4])
def test_meanwhile_runs_once_first_where_the_items_run_here(jobs: int) -> None:
    order: list[str] = []

    def item(n: int) -> int:
        order.append(f"item {n}")
        return n * 2

    def meanwhile() -> None:
        order.append("meanwhile")

    items = [1] if jobs > 1 else [1, 2]  # one item never starts a worker
    assert pmap(item, items, jobs, meanwhile=meanwhile) == [n * 2 for n in items]
    assert order == ["meanwhile", *(f"item {n}" for n in items)]


def _working(folder: Path) -> int:
    """An item that takes long: its worker says it began (a file named by its pid), makes a
    temporary folder that only its finalizers remove (as packager.pdf.weasyfonts does), waits."""
    temporary = folder / f"temp-{os.getpid()}"
    temporary.mkdir(exist_ok=True)
    multiprocessing_util.Finalize(None, shutil.rmtree, args=(temporary,), exitpriority=0)
    (folder / str(os.getpid())).touch()
    time.sleep(30)
    return os.getpid()


def _workers(folder: Path, count: int) -> list[int]:
    """The pids of the workers once ``count`` of them have begun an item."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pids = [int(p.name) for p in folder.iterdir() if p.name.isdigit()]
        if len(pids) >= count:
            return pids
        time.sleep(0.01)
    raise AssertionError(f"{count} workers did not begin")


def _ended(pid: int) -> bool:
    """Whether the process has ended (a zombie not yet reaped has ended too)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith(("Z", "X"))
    except (FileNotFoundError, ProcessLookupError):
        return True


def _gone(pids: list[int]) -> bool:
    """Whether the processes end within a few seconds (a signal takes a moment to act)."""
    deadline = time.monotonic() + 5
    while not all(_ended(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_failure_meanwhile_ends_the_workers_and_the_items_not_started(tmp_path: Path) -> None:
    pids: list[int] = []

    def meanwhile() -> None:
        pids.extend(_workers(tmp_path, 2))
        raise KeyboardInterrupt  # Ctrl-C while this process lays out its own pages

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pmap(_working, [tmp_path] * 8, 2, meanwhile=meanwhile)
    # The two items running are stopped (they would take 30 s); the six queued never start.
    assert time.monotonic() - started < 15
    assert _gone(pids)
    assert not list(tmp_path.glob("temp-*")), "a stopped worker left its temporary folder"


def test_a_worker_told_to_stop_ends_at_once(tmp_path: Path) -> None:
    """SIGTERM to one worker (a container stopping, a killed process group) ends it, not its
    item only: the pool's loop would report the signal's exception as the item's and take
    the next, and the build, waiting for it, could not end."""
    pids: list[int] = []

    def meanwhile() -> None:
        pids.extend(_workers(tmp_path, 2))
        os.kill(pids[1], signal.SIGTERM)

    started = time.monotonic()
    with pytest.raises(BrokenProcessPool):
        pmap(_working, [tmp_path] * 4, 2, meanwhile=meanwhile)
    assert time.monotonic() - started < 15
    assert _gone(pids)
    assert not list(tmp_path.glob("temp-*")), "a stopped worker left its temporary folder"


def _stamped(item: tuple[Path, int]) -> int:
    """Record when this item began (ns), in a file named after it; return the item."""
    folder, n = item
    (folder / f"{n}").write_text(str(time.monotonic_ns()))
    time.sleep(0.05)
    return n


def test_the_dearest_items_are_handed_out_first_and_results_keep_input_order(
    tmp_path: Path,
) -> None:
    items = [(tmp_path, n) for n in range(8)]
    # The cost puts items 6 and 7 first, one to each process, then the rest.
    weights = {6: 100, 7: 50}
    results = pmap(_stamped, items, 2, cost=lambda item: weights.get(item[1], 1))
    assert results == list(range(8))
    began = sorted(range(8), key=lambda n: int((tmp_path / f"{n}").read_text()))
    assert set(began[:2]) == {6, 7}  # without the cost: {0, 1}
