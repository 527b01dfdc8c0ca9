from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from packager.build import BuildResult, build
from packager.options import BuildOptions

# Property tests: a quick run in CI; `pytest --hypothesis-profile=long` by hand.
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("long", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "stories"
SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLE_TITLES = [
    "The Lamplighter\u2019s Apprentice",
    "Salt and Static",
    "What the Tide Keeps",
    "The Last Ferry",
]


def copy_samples(dest: Path) -> Path:
    """A copy of the sample stories, without the layout cache a README build leaves there."""
    shutil.copytree(SAMPLES, dest, ignore=shutil.ignore_patterns(".packager-cache"))
    return dest


@pytest.fixture(scope="session", autouse=True)
def _temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The temporary files of the tests and of every process they start, under pytest's
    own folder (which it prunes): a layout worker a test kills never removes its copy of
    the book's fonts (WeasyPrint's folder, removed by __del__), and CI left dozens of
    them in /tmp."""
    folder = tmp_path_factory.mktemp("tmp")
    patch = pytest.MonkeyPatch()
    patch.setenv("TMPDIR", str(folder))
    patch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    yield
    patch.undo()


@dataclass
class Built:
    source: Path
    result: BuildResult

    def output(self, fmt: str) -> Path:
        return next(o.path for o in self.result.outputs if o.format == fmt)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample anthology, built once for the whole session."""
    work = tmp_path_factory.mktemp("sample")
    source = work / "stories"
    copy_samples(source)
    result = build(source, work / "dist", BuildOptions(env={}))
    return Built(source, result)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write_story(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
