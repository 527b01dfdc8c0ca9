"""Progress: every stage is announced and its steps add up; plain lines off a terminal."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_samples, write_story

from packager.build import build
from packager.cli.display import LARGE
from packager.options import BuildOptions


class Recorder:
    def __init__(self) -> None:
        self.stages: list[list[object]] = []  # [name, total, steps done]

    def stage(self, name: str, total: int | None = None) -> None:
        self.stages.append([name, total, 0])

    def advance(self, steps: int = 1) -> None:
        self.stages[-1][2] += steps  # type: ignore[operator]

    def more(self, steps: int) -> None:
        self.stages[-1][1] += steps  # type: ignore[operator]


@pytest.mark.parametrize("mode", ["print", "screen"])
def test_every_stage_counts_its_steps(tmp_path: Path, mode: str) -> None:
    source = tmp_path / "stories"
    copy_samples(source)
    stories = len([p for p in source.iterdir() if p.suffix in (".md", ".txt")])
    recorder = Recorder()
    build(
        source,
        tmp_path / "out",
        BuildOptions(use_cache=False, jobs=2, pdf_mode=mode),
        progress=recorder,
    )
    # The PDF before the EPUB: the EPUB marks where the PDF's pages begin.
    assert [s[0] for s in recorder.stages] == ["reading", "pdf", "epub", "writing"]
    assert recorder.stages[0][1] == stories and recorder.stages[1][1] >= stories
    for name, total, done in recorder.stages:
        assert done == total, name  # the bar ends full, never past it


def _build_epub(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "packager", "build", str(source), "-o", str(out), "-f", "epub"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stderr + done.stdout  # no terminal codes in a log
    return done


def test_plain_lines_when_not_a_terminal(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    for i in range(LARGE):
        write_story(source, f"{i:02d}-story.md", f"# Story {i}\n\nText of story {i}.\n")
    done = _build_epub(source, tmp_path / "out")
    assert done.stderr.splitlines() == [
        f"packager: reading {LARGE} stories",
        "packager: writing the EPUB",
        "packager: saving the outputs",
    ]
    assert done.stdout.startswith(f'Built "Stories": {LARGE} stories, ')
    # A small collection is built before a log would show progress: no lines.
    (source / "00-story.md").unlink()
    assert _build_epub(source, tmp_path / "out").stderr == ""


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script is needed")
def test_a_terminal_gets_bars_and_a_summary_table(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    copy_samples(source)
    command = shlex.join([sys.executable, "-m", "packager", "build", str(source), "-o",
                          str(tmp_path / "out"), "-f", "epub"])  # fmt: skip
    # `script` runs the build on a pseudo-terminal, as a person at a shell would.
    done = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "160"})  # fmt: skip
    assert done.returncode == 0, done.stdout
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", done.stdout)
    assert "reading" in shown and "4/4" in shown  # the reading stage's bar, full
    header = next(line for line in shown.splitlines() if "format" in line)
    assert all(column in header for column in ("file", "pages", "size", "EPUBCheck"))
    assert re.search(r"epub\s+│\s+\S+lanterns-at-low-tide\.epub", shown)
