"""Imposed PDFs read back (pypdf for the transforms and marks, pdfplumber for the text).

The sample anthology as folio signatures of 2 sheets on legal paper, and a
synthetic 300-page book with bleed as octavo signatures of 2 sheets: every
page of the book once, where a folded sheet puts it (tests/binding/folding.py),
the right way up, with its own text; blanks only where the book-aware rule
allows; creep growing towards each signature's centre by the caliper; marks
outside every trim; the sheet count the job sheet reports.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from pathlib import Path

import folding
import pdfplumber
import pypdf
import pytest
import readsheets
from conftest import copy_samples

from packager.build import build
from packager.options import BuildOptions

MM = 72 / 25.4
BACK_MATTER = ("About the Author", "About the Authors", "What’s New", "Colophon")


class Imposition:
    def __init__(
        self, folder: Path, fold: str, sheets: int, caliper_mm: float, bleed: float
    ) -> None:
        out = folder / "dist"
        self.book = next(
            p for p in out.glob("*.pdf") if not re.search(r"-(imposed|instructions|cover)", p.name)
        )
        self.sheets_pdf = next(out.glob("*-imposed.pdf"))
        self.instructions = next(out.glob("*-instructions.pdf"))
        self.fold, self.per_signature, self.caliper, self.bleed = (
            fold,
            sheets,
            caliper_mm * MM,
            bleed,
        )
        box = pypdf.PdfReader(self.book).pages[0].trimbox
        self.trim = (float(box.left), float(box.bottom), float(box.right), float(box.top))
        self.texts = readsheets.book_texts(self.book)
        # Where a blank leaf may go: before a story's opener, or the back matter's first part.
        starts = readsheets.story_starts(self.book)
        lines = readsheets.first_lines(self.book)
        back = [i for i, line in enumerate(lines) if i > max(starts) and line in BACK_MATTER]
        self.openers = starts | set(back[:1])
        self.sides = readsheets.read(self.sheets_pdf, self.trim)


def _build(source: Path, binding: str, bleed: str = "") -> None:
    """Build SOURCE with a [binding] table (and a bleed) added to its collection.toml."""
    config = source / "collection.toml"
    text = config.read_text(encoding="utf-8")
    if bleed:  # a top-level key: before the first table
        text = f'bleed = "{bleed}"\n' + text
    config.write_text(text + "\n[binding]\n" + binding, encoding="utf-8")
    options = BuildOptions(formats=("pdf", "imposed"), env={}, use_cache=False)
    build(source, source.parent / "dist", options)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Imposition:
    work = tmp_path_factory.mktemp("imposed-sample")
    source = copy_samples(work / "stories")
    _build(source, 'fold = "folio"\nsheets = 2\npaper = "legal"\npaper_weight = 100\n')
    return Imposition(work, "folio", 2, 100 * 1.25 / 1000, 0.0)


def synthetic_stories(folder: Path, stories: int = 14) -> Path:
    """About 300 B-format pages: short paragraphs of a few words, deterministic."""
    folder.mkdir(parents=True)
    rng = random.Random(7)
    words = [
        "harbour",
        "lantern",
        "tide",
        "salt",
        "ferry",
        "keeper",
        "rope",
        "gull",
        "wind",
        "night",
        "light",
        "stone",
        "water",
    ]
    for n in range(stories):
        paragraphs = [
            " ".join(rng.choice(words) for _ in range(rng.randint(3, 8))).capitalize() + "."
            for _ in range(rng.randint(560, 720))
        ]
        text = f"---\ntitle: Story {n + 1}\nauthor: Writer {n % 4 + 1}\n---\n\n" + "\n\n".join(
            paragraphs
        )
        (folder / f"{n + 1:02d}-story.md").write_text(text, encoding="utf-8")
    (folder / "collection.toml").write_text('title = "Synthetic"\npage_size = "B-format"\n')
    return folder


def _cell(
    side: readsheets.SheetSide, placed: readsheets.Placed, rows: int, cols: int
) -> tuple[int, int]:
    x, y = (placed.trim[0] + placed.trim[2]) / 2, (placed.trim[1] + placed.trim[3]) / 2
    return int((side.height - y) // (side.height / rows)), int(x // (side.width / cols))


def _read_in_folded_order(
    imp: Imposition,
) -> list[tuple[int | None, readsheets.Placed | None, int, int]]:
    """The bound book's pages as folding the printed sheets orders them:
    (book page or None for a blank, its placement, signature, depth)."""
    rows, cols, _ = folding.FOLDS[imp.fold]
    landscape = imp.sides[0].width > imp.sides[0].height
    # The printer flips on the long edge (the default): on a landscape sheet that turns it
    # end over end, so the back is printed half turned from how a book page shows it.
    turned = landscape
    sheets_total = len(imp.sides) // 2
    assert sheets_total % imp.per_signature == 0
    order = []
    for signature in range(sheets_total // imp.per_signature):
        pages = folding.signature(imp.fold, imp.per_signature)
        for slot, placed in enumerate(pages):
            side = imp.sides[
                2 * (signature * imp.per_signature + placed.sheet) + (placed.side == "back")
            ]
            row, col, down = placed.row, placed.col, placed.head_down
            if placed.side == "back" and turned:
                row, col, down = rows - 1 - row, cols - 1 - col, not down
            here = [p for p in side.placed if _cell(side, p, rows, cols) == (row, col)]
            assert len(here) <= 1
            leaf = slot // 2
            depth = min(leaf, len(pages) // 2 - 1 - leaf)
            if here:
                assert here[0].head_down == down, f"book page {here[0].name} the wrong way up"
                order.append((readsheets.page_number(here[0].name), here[0], signature, depth))
            else:
                order.append((None, None, signature, depth))
    return order


def assert_every_page_once_with_its_text(imp: Imposition) -> None:
    order = _read_in_folded_order(imp)
    pages = [p for p, *_ in order if p is not None]
    assert pages == list(range(len(imp.texts))), "every book page once, in reading order"
    for page, placed, *_ in order:
        if page is not None and placed is not None:
            assert placed.text == imp.texts[page], f"page {page + 1}'s text is not the book's"


def assert_blanks_only_before_openers(imp: Imposition) -> None:
    order = _read_in_folded_order(imp)
    runs: list[tuple[int, int]] = []  # (first slot, length) of each run of blank pages
    for slot, (page, *_rest) in enumerate(order):
        if page is None:
            if runs and sum(runs[-1]) == slot:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((slot, 1))
    assert runs, "these books do not fill their signatures: blanks must be placed"
    for start, length in runs:
        after = start + length
        if after == len(order):  # the last leaf's back, when the book has an odd page count
            assert length == len(imp.texts) % 2, "blanks piled at the back"
            continue
        assert start % 2 == 0 and length % 2 == 0, "a blank leaf, so rectos stay rectos"
        assert order[after][0] in imp.openers, f"blanks before page {order[after][0]}"


def assert_creep_towards_the_centre(imp: Imposition) -> None:
    rows, cols, _ = folding.FOLDS[imp.fold]
    deepest = 0
    for slot, (page, placed, _, depth) in enumerate(_read_in_folded_order(imp)):
        if placed is None:
            continue
        side = next(s for s in imp.sides if any(p is placed for p in s.placed))
        _, col = _cell(side, placed, rows, cols)
        cell_w = side.width / cols
        # A recto upright has the spine at its left; head down, or a verso, at its right.
        spine_left = (slot % 2 == 0) != placed.head_down
        edge = col * cell_w if spine_left else (col + 1) * cell_w
        moved = edge - placed.trim[0] if spine_left else placed.trim[2] - edge
        assert moved == pytest.approx(depth * imp.caliper, abs=0.01), f"creep of page {page}"
        deepest = max(deepest, depth)
    leaves = imp.per_signature * rows * cols  # a signature's leaves
    assert deepest == leaves // 2 - 1, "the centre leaves move the most"


def assert_marks_outside_every_trim(imp: Imposition) -> None:
    kinds: Counter[str] = Counter()
    b = imp.bleed
    for side in imp.sides:
        trims = [(p.trim[0] - b, p.trim[1] - b, p.trim[2] + b, p.trim[3] + b) for p in side.placed]
        for kind, segment in side.lines:
            kinds[kind] += 1
            if kind in ("Cut", "Fold"):
                assert not any(readsheets.crosses(segment, t) for t in trims), f"{kind} on a page"
    assert kinds["Cut"] > 0 and kinds["Station"] > 0


def assert_job_sheet_counts_the_sheets(imp: Imposition) -> None:
    with pdfplumber.open(imp.instructions) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages[:2])
    count = len(imp.sides) // 2
    assert re.search(rf"\b{count} to print\b", text), text[:300]
    assert f"{count} sheets of" in text


def test_sample_every_page_once_in_folded_order_with_its_text(sample: Imposition) -> None:
    assert_every_page_once_with_its_text(sample)


def test_sample_blanks_only_before_story_openers(sample: Imposition) -> None:
    assert_blanks_only_before_openers(sample)


def test_sample_creep_grows_towards_each_signature_centre(sample: Imposition) -> None:
    assert_creep_towards_the_centre(sample)


def test_sample_marks_outside_every_trim(sample: Imposition) -> None:
    assert_marks_outside_every_trim(sample)


def test_sample_job_sheet_counts_the_sheets(sample: Imposition) -> None:
    assert_job_sheet_counts_the_sheets(sample)


def test_collation_marks_step_down_the_spine(sample: Imposition) -> None:
    tops = []
    for n in range(0, len(sample.sides), 2 * sample.per_signature):  # each signature's outside
        boxes = [b for kind, b in sample.sides[n].boxes if kind == "Collation"]
        assert len(boxes) == 1
        x0, _, x1, y1 = boxes[0]
        assert x0 < sample.sides[n].width / 2 < x1, "on the spine fold"
        tops.append(y1)
    assert len(tops) >= 2 and all(a > b for a, b in itertools.pairwise(tops))


def test_a_300_page_book_with_bleed_as_octavo(tmp_path: Path) -> None:
    """One test (one build) for the long book: every check above on its sheets."""
    source = synthetic_stories(tmp_path / "book")
    binding = 'fold = "octavo"\nsheets = 2\npaper = "560x420mm"\ncaliper = 0.1\nfold_lines = true\n'
    _build(source, binding, bleed="3mm")
    imp = Imposition(tmp_path, "octavo", 2, 0.1, 3 * MM)
    assert len(imp.texts) >= 300
    assert_every_page_once_with_its_text(imp)
    assert_blanks_only_before_openers(imp)
    assert_creep_towards_the_centre(imp)
    assert_marks_outside_every_trim(imp)
    assert_job_sheet_counts_the_sheets(imp)
    folds = [seg for side in imp.sides for kind, seg in side.lines if kind == "Fold"]
    assert folds, "fold_lines = true draws the folds"
