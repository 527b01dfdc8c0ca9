"""packager impose BOOK.pdf: a finished book PDF onto sheets to fold and sew; and checking them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from packager.binding.data import mm
from packager.binding.settings import binding_from
from packager.cli.common import app, err, guard, out, print_diagnostics
from packager.errors import PackagerError, error
from packager.paths import display_path
from packager.write import write_all


class Fold(StrEnum):
    folio = "folio"
    quarto = "quarto"
    octavo = "octavo"
    booklet = "booklet"
    perfect = "perfect"


class Flip(StrEnum):
    long = "long"
    short = "short"


def _sheets(value: str | None) -> int | list[int] | None:
    if value is None:
        return None
    try:
        counts = [int(v) for v in value.split(",")]
    except ValueError:
        raise typer.BadParameter("a number of sheets, or a list such as 4,4,3") from None
    if not counts or any(not 1 <= n <= 32 for n in counts):
        raise typer.BadParameter("from 1 to 32 sheets a signature")
    return counts[0] if len(counts) == 1 else counts


@app.command("impose")
def impose_command(
    book: Annotated[Path, typer.Argument(help="A book PDF (packager's, or any PDF of one trim).")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default: the PDF's).")
    ] = None,
    fold: Annotated[Fold, typer.Option("--fold", help="The layout.")] = Fold.folio,
    sheets: Annotated[
        str | None, typer.Option("--sheets", help="Sheets a signature, or a list: 4,4,3.")
    ] = None,
    paper: Annotated[
        str, typer.Option("--paper", help="letter, legal, tabloid, A4, A3 or WIDTHxHEIGHT.")
    ] = "",
    flip: Annotated[
        Flip, typer.Option("--flip", help="The printer's duplex flip edge.")
    ] = Flip.long,
    simplex: Annotated[
        bool, typer.Option("--simplex", help="A one-sided printer: a fronts and a backs file.")
    ] = False,
    paper_weight: Annotated[
        float | None, typer.Option("--paper-weight", min=30, max=400, help="Paper in gsm.")
    ] = None,
    caliper: Annotated[
        float | None, typer.Option("--caliper", min=0.03, max=1.0, help="A leaf's thickness, mm.")
    ] = None,
    flyleaves: Annotated[
        int, typer.Option("--flyleaves", min=0, max=8, help="Blank leaves at each end.")
    ] = 0,
    new_signature: Annotated[
        bool, typer.Option("--new-signature", help="Start every story on a new signature.")
    ] = False,
    stations: Annotated[
        int | None, typer.Option("--stations", min=2, max=16, help="Sewing stations.")
    ] = None,
    fold_lines: Annotated[bool, typer.Option("--fold-lines", help="Mark the folds.")] = False,
    rtl: Annotated[
        bool | None, typer.Option("--rtl/--ltr", help="Bind on the right (default: language).")
    ] = None,
) -> None:
    """Impose BOOK.pdf for binding by hand: BOOK-imposed.pdf and BOOK-instructions.pdf."""
    table: dict[str, object] = {"fold": fold.value, "flip": flip.value, "duplex": not simplex}
    given = {"sheets": _sheets(sheets), "paper": paper, "paper_weight": paper_weight,
             "caliper": caliper, "stations": stations}  # fmt: skip
    table.update({k: v for k, v in given.items() if v not in (None, "")})
    table.update(flyleaves=flyleaves, new_signature=new_signature, fold_lines=fold_lines)
    if rtl is not None:
        table["direction"] = "rtl" if rtl else "ltr"
    label = display_path(book)
    try:
        data = book.read_bytes()
    except OSError as exc:
        err.print(f"error: {escape(label)}: cannot read ({exc.strerror or exc})")
        raise typer.Exit(1) from None
    folder = out_dir or book.parent

    def run() -> list[tuple[str, str]]:
        # pikepdf and fontTools are imported by the command that needs them, not by
        # every start of the CLI.
        from packager.binding.impose import impose_book, notes
        from packager.binding.verify import check_imposed
        from packager.pdf.pieces import read_book
        from packager.pdf.readback import read_imposed

        source = read_book(data, label)
        size = (f"{mm(source.trim[0])} x {mm(source.trim[1])} mm", *source.trim)
        binding = binding_from(table, trim=size, label=label, prefix="--")
        done = impose_book(data, binding, book.stem, label=label)
        proved: list[tuple[str, str]] = []
        for name, made in done.files.items():
            if not name.endswith("-instructions.pdf"):
                problems, found = check_imposed(read_imposed(made, name))
                if problems:  # a bug in packager: the sheets it made do not prove
                    raise RuntimeError(f"{name}: {problems[0]}")
                proved += [(name, line) for line in found]
        write_all({folder / name: made for name, made in done.files.items()})
        print_diagnostics(notes(done, label))
        for name, made in done.files.items():
            out.print(f"  {escape(display_path(folder / name))}  ({len(made) // 1024 + 1} KB)")
        return proved

    for name, line in guard(run):
        out.print(f"checked {escape(name)}: {escape(line)}")


def check_pdf(path: Path) -> None:
    """packager check IMPOSED.pdf: prove the sheets, or say what is wrong with them."""
    label = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        err.print(f"error: {escape(label)}: cannot read ({exc.strerror or exc})")
        raise typer.Exit(1) from None
    from packager.binding.verify import check_imposed
    from packager.pdf.readback import read_imposed

    problems, proved = guard(lambda: check_imposed(read_imposed(data, label)))
    if problems:
        guard(lambda: _fail(label, problems))
    for line in proved:
        out.print(f"{escape(label)}: {escape(line)}")


def _fail(label: str, problems: list[str]) -> None:
    raise PackagerError([error(p, label) for p in problems])
