"""Story layouts on a Dask cluster: the only module that imports Dask (the [cluster] extra).

    Cluster(address)  connect, wait for a worker, check every worker's engine
    .lay_out(tasks)   one Dask task per story, largest first, named by its cache key;
                      results in the tasks' order, never in completion order

The client keeps the reading, the EPUB, the front matter and the join; only
``tasks.render_remote`` runs on the workers, with all it depends on in its
arguments. Dask reschedules a task whose worker died; one that killed
``distributed.scheduler.allowed-failures`` + 1 workers fails the build with
the story's name. Dask blames every task a dying worker held, queued or
running, so each worker tells the scheduler which story it starts (and waits
for the answer): the story named is the one running when the workers died.
A cancelled build (Ctrl-C, SIGTERM) cancels its tasks.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from packager.errors import PackagerError, error
from packager.model import Resource
from packager.pdf import engine
from packager.pdf.tasks import (
    EngineMismatch,
    Laid,
    StoryTask,
    keep,
    remote_fingerprint,
    render_remote,
)

EXTRA = "pip install 'anthology-packager[cluster]'"
SCHEMES = ("tcp://", "tls://")
_DOCS = "see docs/cluster.md"
_STARTED = "packager-layout-started"  # the scheduler's event topic: which worker runs what


class ClusterError(PackagerError):
    """The cluster cannot build this book: unreachable, mismatched, or a task keeps failing."""


class ClusterUsage(PackagerError):
    """--scheduler asked for something this install or this address cannot give (exit 2)."""

    exit_code = 2


def check_address(address: str) -> None:
    """A usage mistake in --scheduler is found before anything is read."""
    if address != "env" and not address.startswith(SCHEMES):
        raise ClusterUsage(
            [f"--scheduler: expected tcp://HOST:PORT, tls://HOST:PORT or env (got {address!r})"]
        )


def missing_extra() -> ClusterUsage | None:
    """Why this install cannot use a cluster (Dask is an optional extra), or None."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        return ClusterUsage(
            [f"--scheduler needs Dask distributed ({exc.name} is not installed): {EXTRA}"]
        )
    return None


class Cluster:
    """A connection to a Dask scheduler whose workers all lay out as this machine does."""

    def __init__(self, address: str) -> None:
        check_address(address)
        problem = missing_extra()
        if problem is not None:
            raise problem
        import dask.config
        from dask.utils import parse_timedelta
        from distributed import Client

        if address == "env":
            address = dask.config.get("scheduler-address", None) or ""
            if not address:
                raise ClusterUsage(
                    [
                        "--scheduler env: Dask's configuration names no scheduler "
                        "(set DASK_SCHEDULER_ADDRESS or scheduler-address; " + _DOCS + ")"
                    ]
                )
        self.address = address
        self.retried = 0
        wait = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), "s")
        try:  # Security comes from Dask's configuration (distributed.comm.tls.*) for tls://
            self.client = Client(address, timeout=wait, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(
                [
                    f"cannot reach the Dask scheduler at {address} ({_reason(exc)}): start one "
                    f"with `dask scheduler`, or check the address and the firewall ({_DOCS})"
                ]
            ) from None
        try:
            self._check_workers(wait)
        except BaseException:
            self.close()
            raise

    def _check_workers(self, wait: float) -> None:
        """At least one worker, and every worker's engine the same as this machine's."""
        try:
            self.client.wait_for_workers(1, timeout=wait)
        except TimeoutError:
            raise ClusterError(
                [
                    f"the Dask scheduler at {self.address} has no workers after {wait:.0f} s: "
                    f"start some with `dask worker {self.address} --nthreads 1` ({_DOCS})"
                ]
            ) from None
        found = self.client.run(remote_fingerprint, on_error="return")
        problems = []
        for worker, theirs in sorted(found.items()):
            if isinstance(theirs, BaseException):
                problems.append(
                    error(
                        f"Dask worker {worker} cannot run packager ({_reason(theirs)}): "
                        f"install anthology-packager {engine.fingerprint()[0][1]} there"
                    )
                )
            elif engine.differences(theirs):
                problems.append(_mismatch(worker, theirs))
        if problems:
            raise ClusterError(problems)

    def lay_out(
        self,
        tasks: Sequence[StoryTask],
        resources: tuple[Resource, ...],
        done: Callable[[], None],
        meanwhile: Callable[[], None] | None = None,
    ) -> list[Laid]:
        """Each task on the cluster, the largest first; results in the tasks' order.
        ``meanwhile`` runs here once every task is submitted."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        if not tasks:
            if meanwhile is not None:
                meanwhile()
            return []
        digest = hashlib.sha256()
        for r in resources:
            digest.update(hashlib.sha256(r.href.encode() + b"\0" + r.data).digest())
        bundle_key = digest.hexdigest()
        # The resources as a task of their own, not scattered data: if the worker holding
        # them dies, the scheduler makes them again from the task (scattered data is lost).
        bundle = self.client.submit(keep, resources, key=f"packager-resources-{bundle_key}")
        expected = engine.key()
        order = sorted(range(len(tasks)), key=lambda i: (-tasks[i].size, i))
        futures: dict[str, Any] = {}
        where: dict[str, list[int]] = {}
        try:
            for rank, i in enumerate(order):
                task = tasks[i]
                name = f"packager-layout-{task.key}"  # the same part twice: laid out once
                if name not in futures:
                    futures[name] = self.client.submit(
                        render_announced,
                        name,
                        task,
                        bundle,
                        bundle_key,
                        expected,
                        key=name,
                        priority=len(order) - rank,
                    )
                where.setdefault(name, []).append(i)
            if meanwhile is not None:
                meanwhile()
            results: list[Laid | None] = [None] * len(tasks)
            for future in as_completed(list(futures.values()), loop=self.client.loop):
                indices = where[future.key]
                try:
                    laid = future.result()
                except KilledWorker:
                    culprit, deaths = self._culprit(future.key, set(where))
                    story = tasks[where[culprit][0]] if culprit in where else tasks[indices[0]]
                    raise ClusterError([_killer(story, deaths)]) from None
                except EngineMismatch as exc:
                    raise ClusterError([_mismatch(exc.worker, exc.fingerprint)]) from None
                for i in indices:
                    results[i] = laid
                    done()
            self.retried += self._retried(list(futures))
        except BaseException:  # an error, Ctrl-C, SIGTERM: nothing of this build runs on
            self.client.cancel(list(futures.values()))
            raise
        finally:
            del bundle
        return [r for r in results if r is not None]

    def _culprit(self, blamed: str, ours: set[str]) -> tuple[str, int | None]:
        """The task that was running on the most of the workers that died, and how many.

        Dask's KilledWorker names a task that was on each dying worker, which may be one
        only queued behind the story that kills them; the workers' start records say
        which was running. Without records (a scheduler that keeps no events): Dask's.
        """
        try:
            events = self.client.get_events(_STARTED)
            alive = set(self.client.scheduler_info(n_workers=-1)["workers"])
        except Exception:
            return blamed, None
        last: dict[str, str] = {}
        for _when, msg in events:
            if isinstance(msg, dict) and msg.get("worker") and msg.get("key"):
                last[str(msg["worker"])] = str(msg["key"])
        deaths = Counter(k for w, k in last.items() if w not in alive and k in ours)
        if not deaths:
            return blamed, None
        most = max(deaths.values())
        culprit = blamed if deaths[blamed] == most else deaths.most_common(1)[0][0]
        return culprit, most

    def _retried(self, names: list[str]) -> int:
        """How many of these tasks the scheduler ran again after a worker died."""

        def suspicious(dask_scheduler: Any, names: list[str]) -> int:  # runs on the scheduler
            tasks = dask_scheduler.tasks
            return sum(1 for n in names if n in tasks and tasks[n].suspicious > 0)

        try:
            return int(self.client.run_on_scheduler(suspicious, names=names))
        except Exception:  # a scheduler that refuses to run functions: not counted
            return 0

    def close(self) -> None:
        self.client.close()


def render_announced(
    name: str, task: StoryTask, resources: tuple[Resource, ...], resources_key: str, engine_key: str
) -> Laid:
    """On a worker: tell the scheduler this worker starts ``name`` (a round trip, so the
    record is there even if the layout kills the process at once), then lay it out."""
    from distributed import get_worker
    from distributed.utils import sync

    worker = get_worker()
    record = {"key": name, "worker": worker.address}
    sync(worker.loop, worker.scheduler.log_event, topic=_STARTED, msg=record)
    return render_remote(task, resources, resources_key, engine_key)


def _killer(task: StoryTask, deaths: int | None) -> str:
    import dask.config

    if deaths is None:
        deaths = int(dask.config.get("distributed.scheduler.allowed-failures")) + 1
    return (
        f"{task.story}: the PDF layout of this story killed every Dask worker it ran on "
        f"({deaths} workers died; see their logs for why, e.g. memory); nothing was written"
    )


def _mismatch(worker: str, theirs: tuple[tuple[str, str], ...]) -> Any:
    shown = ", ".join(engine.differences(theirs))
    return error(
        f"Dask worker {worker} lays out with another engine: {shown}; install the same "
        f"versions there (one image for the client and the workers, {_DOCS})"
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
