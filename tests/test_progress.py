"""Progress: every stage is announced and its steps add up; plain lines off a terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_samples

from packager.build import build


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
    build(source, tmp_path / "out", use_cache=False, jobs=2, pdf_mode=mode, progress=recorder)
    assert [s[0] for s in recorder.stages] == ["reading", "epub", "pdf", "writing"]
    assert recorder.stages[0][1] == stories and recorder.stages[2][1] >= stories
    for name, total, done in recorder.stages:
        assert done == total, name  # the bar ends full, never past it


def test_plain_lines_when_not_a_terminal(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    copy_samples(source)
    done = subprocess.run(
        [sys.executable, "-m", "packager", "build", str(source), "-o", str(tmp_path / "out"),
         "-f", "epub"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "packager: reading 4 stories",
        "packager: writing the EPUB",
        "packager: saving the outputs",
    ]
    assert "\x1b[" not in done.stderr  # no terminal codes in a log
    assert done.stdout.startswith('Built "Lanterns at Low Tide": 4 stories, ')
