"""packager batch: 12 collections, one broken, built locally and on a Dask cluster; the
manifest's problems with file:line; and a plain install (no Dask) refusing --scheduler."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dask_cluster import LocalCluster, local_cluster, require_dask
from helpers import assert_epubcheck_clean
from typer.testing import CliRunner

from packager.build import build
from packager.cli import app
from packager.errors import ConfigError
from packager.manifest import read_manifest
from packager.options import BuildOptions

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}
WORDS = [
    "lantern",
    "harbour",
    "tide",
    "ferry",
    "static",
    "salt",
    "keeper",
    "rope",
    "island",
    "gull",
    "signal",
    "night",
]


def story(seed: int, title: str) -> str:
    words = [WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(120)]
    paragraphs = [" ".join(words[i : i + 30]).capitalize() + "." for i in range(0, 120, 30)]
    return f"---\ntitle: {title}\nauthor: Writer {seed}\n---\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 collections of one or two stories; the seventh has a broken front matter (line 2)."""
    root = tmp_path_factory.mktemp("batch")
    tables = []
    for n in range(12):
        folder = root / "books" / f"book-{n:02d}"
        folder.mkdir(parents=True)
        for s in range(1 + n % 2):
            (folder / f"0{s}-story.md").write_text(story(n * 10 + s, f"Story {n}.{s}"))
        table = f'[[collection]]\npath = "books/book-{n:02d}"\n'
        if n == 3:
            table += 'theme = "modern"\n'
        if n == 4:
            table += 'formats = ["pdf"]\nname = "four"\n'
        tables.append(table)
    (root / "books" / "book-06" / "00-story.md").write_text("---\ntitle: [open\n---\n\nText.\n")
    path = root / "batch.toml"
    path.write_text("\n".join(tables))
    return path


def run_batch(manifest: Path, out: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", ENV["SOURCE_DATE_EPOCH"])
        result = runner.invoke(
            app, ["batch", str(manifest), "--out", str(out), "--no-cache", "--json", *flags]
        )
    return result.exit_code, json.loads(result.stdout)


def hashes(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        c["name"]: {o["format"]: o["sha256"] for o in c["outputs"]}
        for c in report["collections"]
        if c["ok"]
    }


@pytest.fixture(scope="module")
def local_run(manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    code, report = run_batch(manifest, tmp_path_factory.mktemp("local"), "--jobs", "2")
    assert code == 1
    return report


def test_a_local_batch_builds_the_others_and_reports_the_broken_one(
    manifest: Path, local_run: dict[str, Any], tmp_path: Path
) -> None:
    assert (local_run["built"], local_run["failed"]) == (11, 1)
    broken = next(c for c in local_run["collections"] if not c["ok"])
    assert broken["name"] == "book-06"
    [problem] = broken["errors"]
    assert problem["file"].endswith("book-06/00-story.md") and problem["line"] == 2
    assert broken["outputs"] == [] and not Path(broken["out"]).exists()
    four = next(c for c in local_run["collections"] if c["name"] == "four")
    assert [o["format"] for o in four["outputs"]] == ["pdf"]
    # Each collection is what `build` makes of it, with the manifest's theme and formats.
    for n, name, options in (
        (3, "book-03", BuildOptions(theme="modern", use_cache=False, env=ENV)),
        (4, "four", BuildOptions(formats=("pdf",), use_cache=False, env=ENV)),
    ):
        alone = build(manifest.parent / "books" / f"book-{n:02d}", tmp_path / name, options)
        assert {o.format: o.sha256 for o in alone.outputs} == hashes(local_run)[name]
    first = next(c for c in local_run["collections"] if c["name"] == "book-00")
    assert first["cache"] == {"hits": 0, "misses": 0} and first["retried"] == 0
    assert_epubcheck_clean(Path(next(o["path"] for o in first["outputs"] if o["format"] == "epub")))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    require_dask()
    with local_cluster(tmp_path_factory.mktemp("dask")) as running:
        yield running


def test_a_batch_on_the_cluster_gives_the_local_books(
    manifest: Path, local_run: dict[str, Any], cluster: LocalCluster, tmp_path: Path
) -> None:
    code, report = run_batch(manifest, tmp_path, "--scheduler", cluster.address, "-j", "2")
    assert code == 1
    assert (report["built"], report["failed"]) == (11, 1)
    assert hashes(report) == hashes(local_run)
    broken = next(c for c in report["collections"] if not c["ok"])
    assert broken["errors"][0]["line"] == 2
    # The 17 stories of the 11 good collections were laid out by the workers.
    assert len({r["key"] for r in cluster.layout_records()}) == 17


def test_the_manifest_problems_are_named_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "batch.toml"
    path.write_text(
        '[[collection]]\npath = "a"\nformats = ["mobi"]\n\n'
        '[[collection]]\npath = "b"\nname = "a"\ncolour = "red"\n\n'
        "[[collection]]\ntheme = 3\n"
    )
    with pytest.raises(ConfigError) as caught:
        read_manifest(path)
    found = {(p.line, p.message.split(":")[0]) for p in caught.value.problems}
    assert found == {(3, "formats"), (8, "colour"), (7, "name"), (10, "path")}
    assert all(p.file.endswith("batch.toml") for p in caught.value.problems)


# A plain install: the [cluster] extra's modules cannot be imported.
_PLAIN = """
import importlib.abc, sys
class NoDask(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NoDask())
sys.argv = ["packager", *sys.argv[1:]]
from packager.cli import main
main()
"""


@pytest.mark.parametrize("command", ["build", "batch"])
def test_a_plain_install_says_which_extra_to_install(
    command: str, manifest: Path, tmp_path: Path
) -> None:
    target = str(manifest.parent / "books" / "book-00") if command == "build" else str(manifest)
    argv = [sys.executable, "-c", _PLAIN, command, target, "-o", str(tmp_path / "out")]
    done = subprocess.run(
        [*argv, "--scheduler", "tcp://127.0.0.1:8786"],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'anthology-packager[cluster]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_plain_install_builds_as_before(manifest: Path, tmp_path: Path) -> None:
    argv = [sys.executable, "-c", _PLAIN, "build", str(manifest.parent / "books" / "book-01")]
    done = subprocess.run(
        [*argv, "-o", str(tmp_path / "out"), "-f", "pdf", "-q"],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert [p.suffix for p in (tmp_path / "out").iterdir()] == [".pdf"]
