"""The three real story files in ../shared/seeds, read from there (never copied in)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEEDS
from helpers import (
    Epub,
    assert_epubcheck_clean,
    assert_in_order,
    normalize,
    pdf_pages,
    source_paragraphs,
)

from packager.build import BuildResult, build

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")


@pytest.fixture(scope="module")
def seeds_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    source = tmp_path_factory.mktemp("seeds") / "real-stories"
    source.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, source / path.name)
    return build(source, source.parent / "dist", env={})


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def test_seed_anthology_passes_epubcheck(seeds_build: BuildResult) -> None:
    assert seeds_build.stories == 3
    assert_epubcheck_clean(next(o.path for o in seeds_build.outputs if o.format == "epub"))


@pytest.mark.parametrize("seed", seed_files(), ids=lambda p: p.name)
def test_every_seed_paragraph_reaches_both_books(seeds_build: BuildResult, seed: Path) -> None:
    paragraphs = source_paragraphs(seed)
    epub = next(o.path for o in seeds_build.outputs if o.format == "epub")
    assert_in_order(paragraphs, Epub.open(epub).text(), "the EPUB")
    pdf = next(o.path for o in seeds_build.outputs if o.format == "pdf")
    text = normalize("".join(p.body for p in pdf_pages(pdf.read_bytes())))
    assert_in_order(paragraphs, text, "the PDF")
