"""packager.parallel.pmap: results in order, and this process's own work done meanwhile."""

from __future__ import annotations

import os
import time
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


def _slow(n: int) -> int:
    time.sleep(1)
    return n


def test_a_failure_meanwhile_cancels_the_items_not_started() -> None:
    def meanwhile() -> None:
        raise KeyboardInterrupt  # Ctrl-C while this process lays out its own pages

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pmap(_slow, list(range(8)), 2, meanwhile=meanwhile)
    # The two items already running finish; the six queued ones never start.
    assert time.monotonic() - started < 3


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
