"""build --scheduler on a real Dask cluster (a scheduler and 2 workers on 127.0.0.1): the same
bytes as a local build, laid out by the workers, surviving a killed worker, refusing a story
that kills every worker, a worker of another version, and a scheduler that is not there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLES, copy_samples
from dask_cluster import (
    LAYOUT,
    LocalCluster,
    kill_when_busy,
    local_cluster,
    make_corpus,
    require_dask,
)
from dask_preload import CRASH
from typer.testing import CliRunner

from packager.build import BuildResult, build
from packager.cli import app
from packager.options import BuildOptions
from packager.pdf import tasks

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    require_dask()
    with local_cluster(tmp_path_factory.mktemp("dask")) as running:
        yield running


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus") / "sixty", stories=60, words=15000)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_samples(tmp_path_factory.mktemp("sample") / "stories")


def outputs(result: BuildResult) -> dict[str, bytes]:
    return {o.format: o.path.read_bytes() for o in result.outputs}


@pytest.fixture(scope="module")
def local_books(
    sample: Path, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, bytes]]:
    """The sample and the corpus built locally (2 processes): the bytes to match."""
    out = tmp_path_factory.mktemp("local")
    options = BuildOptions(jobs=2, use_cache=False, env=ENV)
    return {s.name: outputs(build(s, out / s.name, options)) for s in (sample, corpus)}


def on_cluster(cluster: LocalCluster, source: Path, out: Path) -> BuildResult:
    return build(source, out, BuildOptions(use_cache=False, env=ENV, scheduler=cluster.address))


def test_sample_and_sixty_stories_on_the_cluster_give_the_local_bytes(
    cluster: LocalCluster,
    sample: Path,
    corpus: Path,
    local_books: dict[str, dict[str, bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a story was laid out by the client, not by the cluster")

    # This process (the client) must not lay out a story: its local runner is a tripwire.
    monkeypatch.setattr(tasks.Local, "lay_out", refuse)
    for source in (sample, corpus):
        before = len(cluster.layout_records())
        result = on_cluster(cluster, source, tmp_path / source.name)
        records = cluster.layout_records()[before:]
        # Each story one task (the sample: 4, the corpus: 60), run by a worker of the cluster.
        assert len({r["key"] for r in records}) == result.stories
        assert {r["worker"] for r in records} <= set(cluster.workers())
        assert all(r["status"] == "OK" for r in records)
        assert outputs(result) == local_books[source.name], source.name
    # Both workers took part in the 60 stories (largest first, spread by the scheduler).
    assert len({r["worker"] for r in records}) == 2


def test_a_worker_killed_during_the_build_changes_no_byte(
    cluster: LocalCluster, corpus: Path, local_books: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    expected = local_books[corpus.name]
    found: dict[str, BuildResult] = {}
    thread = threading.Thread(
        target=lambda: found.setdefault("result", on_cluster(cluster, corpus, tmp_path / "c"))
    )
    thread.start()
    try:
        killed = kill_when_busy(cluster)
    finally:
        thread.join(timeout=900)
    assert not thread.is_alive()
    result = found["result"]
    assert outputs(result) == expected
    assert result.retried >= 1, f"killed {killed}, but no task was run again"
    cluster.wait_for(2)  # its nanny starts it again


def test_a_story_that_kills_every_worker_fails_the_build_naming_it(
    cluster: LocalCluster, runner: CliRunner, tmp_path: Path
) -> None:
    source = copy_samples(tmp_path / "stories")
    story = source / "02-salt-and-static.txt"
    story.write_text(story.read_text(encoding="utf-8") + f"\n\n{CRASH}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["build", str(source), "-o", str(out), "--no-cache", "--scheduler", cluster.address]
    )
    assert result.exit_code == 1, result.output
    assert "02-salt-and-static.txt" in result.output
    assert "killed every Dask worker" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing written
    cluster.wait_for(2)


def test_workers_of_another_version_are_refused_before_the_first_task(
    tmp_path: Path, runner: CliRunner
) -> None:
    require_dask()
    with local_cluster(tmp_path, workers=1, env={"PACKAGER_TEST_ENGINE": "0.0.0"}) as other:
        source = copy_samples(tmp_path / "stories")
        out = tmp_path / "out"
        result = runner.invoke(
            app, ["build", str(source), "-o", str(out), "--scheduler", other.address]
        )
        assert result.exit_code == 1, result.output
        assert "lays out with another engine: packager 0.0.0 (here" in result.output
        assert other.layout_records() == []  # not one task reached the cluster
        assert not out.exists()


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    require_dask()
    from dask_cluster import free_port

    source = copy_samples(tmp_path / "stories")
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    address = f"tcp://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "packager",
            "build",
            str(source),
            "-o",
            str(tmp_path / "out"),
            "--scheduler",
            address,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert f"cannot reach the Dask scheduler at {address}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_sigterm_cancels_the_cluster_tasks_and_writes_nothing(
    cluster: LocalCluster, corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "packager", "build", str(corpus), "-o", str(out)]
    command += ["--no-cache", "--scheduler", "env"]  # the address from Dask's own configuration
    env = {**os.environ, **ENV, "DASK_SCHEDULER_ADDRESS": cluster.address}
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 300
    while not any(
        str(k).startswith(LAYOUT) for keys in cluster.client.processing().values() for k in keys
    ):
        assert proc.poll() is None and time.monotonic() < deadline, "never reached the cluster"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr
    assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr
    assert not out.exists() or list(out.iterdir()) == []
    # The client's tasks are cancelled: the scheduler forgets them (none left running).
    deadline = time.monotonic() + 60
    while any(
        str(k).startswith(LAYOUT) for keys in cluster.client.processing().values() for k in keys
    ):
        assert time.monotonic() < deadline, "the cancelled build's tasks kept running"
        time.sleep(0.2)


def test_scheduler_env_without_an_address_is_a_usage_error(tmp_path: Path) -> None:
    require_dask()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    source = copy_samples(tmp_path / "stories")
    argv = [sys.executable, "-m", "packager", "build", str(source), "-o", str(tmp_path / "out")]
    done = subprocess.run(
        [*argv, "--scheduler", "env"],
        capture_output=True,
        text=True,
        env={**env, "DASK_CONFIG": str(tmp_path / "no-config")},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Dask's configuration names no scheduler" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("poisoned", sorted(p.name for p in SAMPLES.glob("[0-9]*")))
def test_the_story_named_is_the_one_running_not_one_queued_behind_it(
    poisoned: str, runner: CliRunner, tmp_path: Path
) -> None:
    """One worker holds every story; the largest (laid out first) kills it each time. Dask
    blames all four alike (each was on every worker that died): the message names the
    story that was running, from the workers' start records."""
    require_dask()
    source = copy_samples(tmp_path / "stories")
    story = source / poisoned
    text = story.read_text(encoding="utf-8")
    story.write_text(text + f"\n\n{CRASH}\n\n" + text * 6, encoding="utf-8")
    (tmp_path / "dask").mkdir()
    with local_cluster(tmp_path / "dask", workers=1) as one:
        out = tmp_path / "out"
        result = runner.invoke(
            app, ["build", str(source), "-o", str(out), "--no-cache", "--scheduler", one.address]
        )
        starts = one.client.get_events("packager-layout-started")
    assert result.exit_code == 1, result.output
    named = [s.name for s in source.iterdir() if s.name in result.output]
    assert named == [poisoned], result.output
    assert "(3 workers died" in result.output
    assert len(starts) >= 3, starts  # one per death at least, each sent before the layout
