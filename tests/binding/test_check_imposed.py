"""packager impose on a book PDF, and packager check proving (or refusing) imposed sheets."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
import readsheets
from conftest import Built
from typer.testing import CliRunner

from packager.cli import app


@pytest.fixture(scope="module")
def imposed(sample_build: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("impose-cli")
    args = ["impose", str(sample_build.output("pdf")), "-o", str(out), "--fold", "quarto",
            "--paper", "A3", "--sheets", "2"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "checked lanterns-at-low-tide-imposed.pdf" in result.output
    return out / "lanterns-at-low-tide-imposed.pdf"


def _check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", str(path)])
    return result.exit_code, result.output


def _tampered(source: Path, target: Path, change: object) -> Path:
    with pikepdf.open(source) as pdf:
        change(pdf)  # type: ignore[operator]
        pdf.save(target)
    return target


def _rewrite(page: pikepdf.Page, edit: object) -> None:
    """Replace a sheet's content stream by ``edit`` of its instructions."""
    ops = list(pikepdf.parse_content_stream(page))
    page.obj.Contents.write(pikepdf.unparse_content_stream(edit(ops)))  # type: ignore[operator]


def _cm_positions(ops: list) -> list[int]:  # type: ignore[type-arg]
    return [i for i, op in enumerate(ops) if str(op.operator) == "cm"]


def test_good_sheets_prove(imposed: Path) -> None:
    code, output = _check(imposed)
    assert code == 0, output
    assert "book pages each placed once, in its cell, the right way up" in output
    assert "fronts and backs pair up" in output


def test_two_pages_swapped_are_found(imposed: Path, tmp_path: Path) -> None:
    def swap(pdf: pikepdf.Pdf) -> None:
        def edit(ops: list) -> list:  # type: ignore[type-arg]
            a, b = _cm_positions(ops)[:2]
            ops[a], ops[b] = ops[b], ops[a]
            return ops

        _rewrite(pdf.pages[0], edit)

    code, output = _check(_tampered(imposed, tmp_path / "swapped.pdf", swap))
    assert code == 1
    assert "sheet 1 front" in output and "is not in row" in output


def test_a_page_turned_the_wrong_way_is_found(imposed: Path, tmp_path: Path) -> None:
    def turn(pdf: pikepdf.Pdf) -> None:
        def edit(ops: list) -> list:  # type: ignore[type-arg]
            i = _cm_positions(ops)[-1]
            a, b, c, d, e, f = (float(v) for v in ops[i].operands)
            turned = [-a, -b, -c, -d, e, f]  # a half turn about the origin: off its cell
            ops[i] = pikepdf.ContentStreamInstruction(turned, pikepdf.Operator("cm"))
            return ops

        _rewrite(pdf.pages[0], edit)

    code, output = _check(_tampered(imposed, tmp_path / "turned.pdf", turn))
    assert code == 1
    assert "error:" in output


def test_the_wrong_flip_is_found(imposed: Path, tmp_path: Path) -> None:
    def flip(pdf: pikepdf.Pdf) -> None:
        pdf.Root.PieceInfo.Packager.Private.Flip = pikepdf.Name.short

    code, output = _check(_tampered(imposed, tmp_path / "flip.pdf", flip))
    assert code == 1
    assert "should be printed" in output or "backs onto" in output or "not in row" in output


def test_a_missing_page_is_found(imposed: Path, tmp_path: Path) -> None:
    def drop(pdf: pikepdf.Pdf) -> None:
        def edit(ops: list) -> list:  # type: ignore[type-arg]
            i = next(i for i, op in enumerate(ops) if str(op.operator) == "Do")
            return ops[:i] + ops[i + 1 :]

        _rewrite(pdf.pages[0], edit)

    code, output = _check(_tampered(imposed, tmp_path / "missing.pdf", drop))
    assert code == 1
    assert "is placed 0 times, not 1" in output


def test_a_book_pdf_is_not_an_imposed_one(sample_build: Built) -> None:
    code, output = _check(sample_build.output("pdf"))
    assert code == 1
    assert "not an imposed PDF" in output


def _foreign_book(pages: int) -> bytes:
    """A PDF packager did not make: A5 pages with a line of text, no outline, no labels."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))  # fmt: skip
    for n in range(pages):
        page = pdf.add_blank_page(page_size=(419.528, 595.276))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(
            f"BT /F1 24 Tf 100 300 Td (Page {n + 1}) Tj ET".encode()
        )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_foreign_pdf_is_imposed_with_its_blanks_at_the_back(tmp_path: Path) -> None:
    book = tmp_path / "other.pdf"
    book.write_bytes(_foreign_book(10))
    result = CliRunner().invoke(app, ["impose", str(book), "--fold", "folio", "--sheets", "2",
                                      "--paper", "A4", "--simplex"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no story starts are known in this PDF: the blanks go at the back" in result.output
    assert "the signatures hold 16 pages for 10: 6 blank pages" in result.output
    fronts = tmp_path / "other-imposed-fronts.pdf"
    backs = tmp_path / "other-imposed-backs.pdf"
    assert fronts.is_file() and backs.is_file() and (tmp_path / "other-instructions.pdf").is_file()
    assert _check(fronts)[0] == 0 and _check(backs)[0] == 0
    side = readsheets.read(fronts, (0, 0, 419.528, 595.276))[0]
    assert sorted(readsheets.page_number(p.name) for p in side.placed) == [0, 7]


def test_right_to_left_binds_on_the_right(tmp_path: Path) -> None:
    book = tmp_path / "rtl.pdf"
    book.write_bytes(_foreign_book(4))
    result = CliRunner().invoke(app, ["impose", str(book), "--fold", "folio", "--sheets", "1",
                                      "--paper", "A4", "--rtl"])  # fmt: skip
    assert result.exit_code == 0, result.output
    front = readsheets.read(tmp_path / "rtl-imposed.pdf", (0, 0, 419.528, 595.276))[0]
    first = next(p for p in front.placed if readsheets.page_number(p.name) == 0)
    assert first.trim[2] <= front.width / 2 + 0.01, "page 1 on the left: the spine on its right"


def test_imposing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    book = tmp_path / "same.pdf"
    book.write_bytes(_foreign_book(12))
    made = []
    for n in range(2):
        out = tmp_path / f"out{n}"
        result = CliRunner().invoke(app, ["impose", str(book), "-o", str(out), "--paper", "A4"])
        assert result.exit_code == 0, result.output
        made.append([(p.name, p.read_bytes()) for p in sorted(out.iterdir())])
    assert made[0] == made[1]
