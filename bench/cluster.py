"""A Dask cluster against local processes on one machine, and a scaling model; print tables.

    python bench/cluster.py [--words 1000000] [--stories 200] [--runs 3] [--batch 8]

Starts a scheduler and a 2-process worker (`dask worker --nworkers 2 --nthreads 1`) on
127.0.0.1, then builds the corpus with `--jobs 2` and with `--scheduler`, alternating the
runs (the machine is shared: medians), and checks that both give the same bytes. The
scheduler's task records give each story's layout time on a worker and the window the
layouts took; the rest of a cluster build's wall time is the client's serial part
(reading, the EPUB, the front matter, the join, writing). From those it predicts the
wall time on 2, 8, 32 and 128 workers (largest story first, as packager submits them),
and, from ``--batch`` one-story collections built with `packager batch --scheduler
--jobs 1`, the time of a batch of 1,000. Needs `pip install -e '.[cluster]'`.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_corpus import make_corpus  # noqa: E402

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
LAYOUT = "packager-layout-"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=ENV, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def layouts(client: Any, start: int) -> list[dict[str, Any]]:
    """The scheduler's records of story layouts since record ``start``."""
    records = client.get_task_stream()[start:]
    return [r for r in records if str(r["key"]).startswith(LAYOUT)]


def compute(record: dict[str, Any]) -> tuple[float, float]:
    [span] = [s for s in record["startstops"] if s["action"] == "compute"]
    return span["start"], span["stop"]


def makespan(times: Sequence[float], workers: int) -> float:
    """Largest first onto the least loaded worker (what the scheduler does with priorities)."""
    loads = [0.0] * workers
    for t in sorted(times, reverse=True):
        heapq.heapreplace(loads, loads[0] + t)
    return max(loads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8, help="one-story collections to time")
    args = parser.parse_args()
    from distributed import Client

    work = Path(tempfile.mkdtemp(prefix="packager-cluster-bench-"))
    corpus = work / "corpus"
    make_corpus(corpus, args.words, args.stories, 1)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    quiet = ["--no-dashboard", "--host", "127.0.0.1"]
    logs = open(work / "cluster.log", "w")  # noqa: SIM115
    procs = [
        subprocess.Popen([*dask, "scheduler", "--port", str(port), *quiet], stderr=logs),
        subprocess.Popen(
            [*dask, "worker", address, "--nworkers", "2", "--nthreads", "1", *quiet], stderr=logs
        ),
    ]
    try:
        time.sleep(2)
        client = Client(address, timeout=60, set_as_default=False)
        client.wait_for_workers(2, timeout=120)
        client.get_task_stream()  # start the scheduler's records
        build = [sys.executable, "-m", "packager", "build", str(corpus), "--no-cache", "-q"]
        local_cmd = [*build, "-j", "2", "-o", str(work / "local")]
        cluster_cmd = [*build, "--scheduler", address, "-o", str(work / "cluster")]
        # Warm both: the workers import WeasyPrint and load the fonts on their first task.
        warm = work / "warm"
        make_corpus(warm, 20_000, 4, 2)
        warm_cmd = [sys.executable, "-m", "packager", "build", str(warm), "--no-cache", "-q"]
        timed([*warm_cmd, "--scheduler", address, "-o", str(work / "warm-out")])
        walls: dict[str, list[float]] = {"local": [], "cluster": []}
        story_times: dict[str, list[float]] = {}
        windows: list[float] = []
        for run in range(args.runs):
            walls["local"].append(timed(local_cmd))
            start = len(client.get_task_stream())
            walls["cluster"].append(timed(cluster_cmd))
            print(f"run {run + 1}: local {walls['local'][-1]:.1f} s, "
                  f"cluster {walls['cluster'][-1]:.1f} s", file=sys.stderr, flush=True)  # fmt: skip
            records = layouts(client, start)
            spans = [compute(r) for r in records]
            windows.append(max(s for _, s in spans) - min(s for s, _ in spans))
            for r, (s, e) in zip(records, spans, strict=True):
                story_times.setdefault(str(r["key"]), []).append(e - s)
        same = digests(work / "local") == digests(work / "cluster")
        times = [statistics.median(v) for v in story_times.values()]
        size = args.words // args.stories
        batch = time_batch(work, client, address, args.batch, size) if args.batch else None
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=60)
        logs.close()
    report(args, walls, windows, times, same, batch)


def time_batch(work: Path, client: Any, address: str, count: int, words: int) -> dict[str, float]:
    """One-story collections through `batch --scheduler --jobs 1`: client and layout times."""
    tables = []
    for n in range(count):
        make_corpus(work / "batch" / f"c{n}", words, 1, 100 + n)
        tables.append(f'[[collection]]\npath = "batch/c{n}"\n')
    manifest = work / "batch.toml"
    manifest.write_text("\n".join(tables))
    start = len(client.get_task_stream())
    command = [sys.executable, "-m", "packager", "batch", str(manifest), "--no-cache", "--json"]
    command += ["--scheduler", address, "-j", "1", "-o", str(work / "batch-out")]
    done = subprocess.run(command, env=ENV, capture_output=True, text=True, check=False)
    result = json.loads(done.stdout)
    seconds = [c["seconds"] for c in result["collections"]]
    spans = [compute(r) for r in layouts(client, start)]
    layout = statistics.median(e - s for s, e in spans)
    per = statistics.median(seconds)
    return {"per_collection": per, "layout": layout, "client": per - layout}


def report(
    args: argparse.Namespace,
    walls: dict[str, list[float]],
    windows: list[float],
    times: list[float],
    same: bool,
    batch: dict[str, float] | None,
) -> None:
    local, cluster = statistics.median(walls["local"]), statistics.median(walls["cluster"])
    window = statistics.median(windows)
    serial = cluster - window
    overhead = max(0.0, (window * 2 - sum(times)) / len(times))  # per task, on 2 workers
    print(f"corpus: {args.words:,} words in {args.stories} stories; {args.runs} runs each,")
    print(f"alternating, medians; machine: {os.cpu_count()} cores; same bytes: {same}\n")
    print("| build | wall (median) | runs |")
    print("| --- | ---: | --- |")
    print(f"| `--jobs 2` (local processes) | {local:.1f} s | {_runs(walls['local'])} |")
    print(f"| `--scheduler` (2 local Dask workers) | {cluster:.1f} s | {_runs(walls['cluster'])} |")
    print(f"\ncluster overhead: {(cluster - local) / cluster:+.1%} of the cluster's wall time")
    print(f"story layouts: {len(times)}, {sum(times):.1f} s of worker time in all, largest")
    print(f"{max(times):.2f} s; the layouts' window {window:.1f} s; the client's serial part")
    print(f"{serial:.1f} s; per-task overhead {overhead * 1000:.0f} ms\n")
    print("| workers | predicted wall | of which layouts |")
    print("| ---: | ---: | ---: |")
    for n in (2, 8, 32, 128):
        span = makespan(times, n) + overhead * -(-len(times) // n)
        print(f"| {n} | {serial + span:.1f} s | {span:.1f} s |")
    if batch is None:
        return
    c, lay = batch["client"], batch["layout"]
    size = args.words // args.stories
    print(f"\nbatch: a one-story collection ({size:,} words) costs the client {c:.2f} s")
    print(f"and a worker {lay:.2f} s (median of {args.batch})\n")
    print("| workers | 1,000 collections, 2 client processes | 16 client processes |")
    print("| ---: | ---: | ---: |")
    for n in (2, 8, 32, 128):
        cells = [max(1000 * c / p, 1000 * (lay + overhead) / n) + c + lay for p in (2, 16)]
        print(f"| {n} | {cells[0] / 60:.1f} min | {cells[1] / 60:.1f} min |")


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
