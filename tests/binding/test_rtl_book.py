"""A right-to-left book (the Arabic fixture, tests/fixtures/books/ar) built with --format imposed.

No `direction` is given: the book's PDF says it reads right to left (its
/ViewerPreferences /Direction /R2L, from the language), so the signatures
bind on the right. Folded as the simulator folds a right-bound signature,
the sheets give every page of the book once, in reading order; packager
check proves them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folding
import pypdf
import pytest
import readsheets
from typer.testing import CliRunner

from packager.build import build
from packager.cli import app
from packager.options import BuildOptions

BOOKS = Path(__file__).resolve().parents[1] / "fixtures" / "books"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("rtl-imposed")
    source = work / "ar"
    shutil.copytree(BOOKS / "ar", source, ignore=shutil.ignore_patterns(".packager-cache"))
    config = source / "collection.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + '\n[binding]\nfold = "folio"\nsheets = 1\npaper = "A4"\n', "utf-8")
    build(source, work / "dist", BuildOptions(formats=("pdf", "imposed"), env={}))
    return work / "dist"


def test_a_right_to_left_book_binds_on_the_right(built: Path) -> None:
    book = next(
        p for p in built.glob("*.pdf") if not p.stem.endswith(("-imposed", "-instructions"))
    )
    sheets = next(built.glob("*-imposed.pdf"))
    box = pypdf.PdfReader(book).pages[0].trimbox
    trim = (float(box.left), float(box.bottom), float(box.right), float(box.top))
    texts = readsheets.book_texts(book)
    sides = readsheets.read(sheets, trim)
    folded = folding.signature("folio", 1, rtl=True)  # four pages a sheet, spine on the right
    order: list[int | None] = []
    for sheet in range(len(sides) // 2):
        for placed in folded:
            side = sides[2 * sheet + (placed.side == "back")]
            col, down = placed.col, placed.head_down
            if placed.side == "back":  # A4 landscape, flipped on its long edge: end over end
                col, down = 1 - col, not down
            here = [
                p for p in side.placed if ((p.trim[0] + p.trim[2]) / 2 >= side.width / 2) == col
            ]
            assert len(here) <= 1
            assert all(p.head_down == down for p in here), "a page the wrong way up"
            order.append(readsheets.page_number(here[0].name) if here else None)
    pages = [p for p in order if p is not None]
    assert pages == list(range(len(texts))), "every page once, in reading order, bound right"
    front = sides[0]
    first = next(p for p in front.placed if readsheets.page_number(p.name) == 0)
    assert first.trim[2] <= front.width / 2 + 0.01, "page 1 left of the fold: the spine right of it"


def test_check_proves_the_right_to_left_sheets(built: Path) -> None:
    sheets = next(built.glob("*-imposed.pdf"))
    result = CliRunner().invoke(app, ["check", str(sheets)])
    assert result.exit_code == 0, result.output
    assert "fronts and backs pair up" in result.output


def test_the_job_sheet_folds_a_right_bound_signature(built: Path) -> None:
    guide = next(built.glob("*-instructions.pdf"))
    pages = pypdf.PdfReader(guide).pages
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pages)
    assert "the right half behind the left" in text, "page 1, on the left half, stays outside"
    assert "(the spine) on its right" in text
    assert "the left half behind the right" not in text
