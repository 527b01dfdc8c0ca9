"""A Dask cluster on 127.0.0.1 for the tests: a scheduler and worker processes, started by
`dask scheduler` and `dask worker` as an operator starts them, killed with their children."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import running

PRELOAD = Path(__file__).with_name("dask_preload.py")  # the worker-side test hooks
LAYOUT = "packager-layout-"  # how packager names a story's layout task


def require_dask() -> None:
    """Skip without the [cluster] extra; fail instead where CI requires it."""
    if importlib.util.find_spec("distributed") is None:
        if os.environ.get("PACKAGER_REQUIRE_DASK"):
            pytest.fail("PACKAGER_REQUIRE_DASK is set but Dask distributed is not installed")
        pytest.skip("needs the [cluster] extra (Dask distributed)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalCluster:
    address: str
    client: Any  # a distributed.Client of the test's own, to watch the scheduler
    logs: Path

    def layout_records(self) -> list[dict[str, Any]]:
        """The scheduler's records of the story layouts it ran: key, worker, times."""
        return [r for r in self.client.get_task_stream() if str(r["key"]).startswith(LAYOUT)]

    def workers(self) -> dict[str, Any]:
        info: dict[str, Any] = self.client.scheduler_info(n_workers=-1)["workers"]
        return info

    def wait_for(self, count: int, timeout: float = 180) -> None:
        self.client.wait_for_workers(count, timeout=timeout)


@contextlib.contextmanager
def local_cluster(
    tmp: Path, workers: int = 2, env: Mapping[str, str] | None = None
) -> Iterator[LocalCluster]:
    """A scheduler and ``workers`` single-threaded workers (each under a nanny that restarts
    it when it dies), on loopback; the workers load tests/dask_preload.py."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    environ = {
        **os.environ,
        # A task that killed 3 workers is given up (Dask's default is 3 + 1).
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "2",
        **(env or {}),
    }
    dask = [sys.executable, "-m", "dask"]
    quiet = ["--no-dashboard", "--host", "127.0.0.1"]
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(tmp / "scheduler.log", "w"))
        stack.enter_context(
            running([*dask, "scheduler", "--port", str(port), *quiet], env=environ, stderr=log)
        )
        for i in range(workers):
            wlog = stack.enter_context(open(tmp / f"worker-{i}.log", "w"))
            command = [*dask, "worker", address, "--nthreads", "1", "--name", f"w{i}", *quiet]
            command += ["--preload", str(PRELOAD)]
            stack.enter_context(running(command, env=environ, stderr=wlog))
        deadline = time.monotonic() + 120
        while True:
            try:
                client = Client(address, timeout=5, set_as_default=False)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        stack.callback(client.close)
        client.wait_for_workers(workers, timeout=180)
        client.get_task_stream()  # starts the scheduler's task records
        yield LocalCluster(address, client, tmp)


def kill_when_busy(cluster: LocalCluster, timeout: float = 300) -> str:
    """SIGKILL the process of the first worker seen laying out a story; its address."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker, keys in cluster.client.processing().items():
            if any(str(k).startswith(LAYOUT) for k in keys):
                pid = cluster.client.run(os.getpid, workers=[worker])[worker]
                os.kill(pid, 9)
                return str(worker)
        time.sleep(0.05)
    raise AssertionError("no worker was seen laying out a story")


def make_corpus(out: Path, stories: int, words: int) -> Path:
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [
            sys.executable,
            str(root / "bench" / "make_corpus.py"),
            str(out),
            "--stories",
            str(stories),
            "--words",
            str(words),
        ],
        check=True,
        capture_output=True,
    )
    return out
