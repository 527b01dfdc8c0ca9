"""The [binding] table as a Binding: its values checked against the binding's data, with lines.

    [binding]
    fold = "octavo"        # folio, quarto, octavo, booklet (one saddle-stitched signature), perfect
    sheets = 2             # per signature, or a list of signature sizes [4, 4, 3]
    paper = "A3"           # letter, legal, tabloid, A4, A3 or WIDTHxHEIGHT in mm or in
    flip = "long"          # the duplex printer's flip edge; duplex = false: fronts and backs files
    paper_weight = 80      # gsm, or caliper = 0.1 (mm): creep and the spine

collection.toml's schema (packager.book.schema.BindingTable) has checked each
key's type and range; this checks what needs the data files (paper names,
paper stocks, whether the trim fits the folded leaf) and the keys together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from packager.binding import data
from packager.binding.geometry import fit_problem
from packager.errors import ConfigError, error
from packager.model import Diagnostic

BULK = 1.25  # cm3/g: uncoated office and book paper (80 gsm measures about 0.1 mm)
MM = data.PT_PER["mm"]


@dataclass(frozen=True)
class Binding:
    """How the book is imposed for binding by hand, and its cover wrap."""

    fold: str = "folio"
    sheets: int | tuple[int, ...] | None = 4  # None: a booklet or perfect binding (all sheets)
    paper: str = ""  # "": the first common paper the trim fits
    flip: str = "long"
    duplex: bool = True
    caliper: float = 80 * BULK / 1000 * MM  # points: one leaf's thickness
    paper_given: str = "80 gsm (assumed)"  # how the thickness was given, for the job sheet
    flyleaves: int = 0
    new_signature: bool = False
    cut_marks: bool = True
    fold_lines: bool = False
    collation: bool = True
    stations: int | None = None  # None: from the trim height
    direction: str = ""  # "ltr" or "rtl"; "": from the book's language
    paper_stock: str = "kdp-cream"
    back_cover: str = ""  # Markdown for the back of the cover ("": the description)


def binding_from(
    table: Mapping[str, object],
    *,
    trim: tuple[str, float, float] | None = None,
    label: str = "",
    lines: Mapping[str, int | None] | None = None,
    prefix: str = "binding.",
) -> Binding:
    """The Binding a checked [binding] table asks for; a ConfigError with every problem.

    ``trim`` (its name, width and height in points) checks that the folded leaf
    holds it; ``lines`` gives each key's line in ``label``; ``prefix`` names keys.
    """
    where = lines or {}
    problems: list[Diagnostic] = []

    def problem(key: str, message: str) -> None:
        shown = key.replace("_", "-") if prefix == "--" else key  # a command-line flag
        problems.append(error(f"{prefix}{shown}: {message}", label, where.get(key)))

    fold = str(table.get("fold", Binding.fold))
    folded = fold not in ("booklet", "perfect")
    paper = str(table.get("paper", ""))
    if paper:
        try:
            data.paper_size(paper)
        except ValueError:
            known = ", ".join(data.papers())
            problem(
                "paper", f"unknown paper '{paper}' (known: {known}, or WIDTHxHEIGHT in mm or in)"
            )
            paper = ""
    stock = str(table.get("paper_stock", Binding.paper_stock))
    if stock not in data.stocks():
        problem("paper_stock", f"unknown paper stock '{stock}' (known: {', '.join(data.stocks())})")
    if table.get("sheets") is not None and not folded:
        problem("sheets", f"a {fold} takes every sheet; leave sheets out")
    if table.get("new_signature") and not folded:
        problem("new_signature", f"a {fold} has no signatures to start")
    if table.get("paper_weight") is not None and table.get("caliper") is not None:
        problem("caliper", "give paper_weight or caliper, not both")
    if trim is not None and not problems:
        found = fit_problem(fold, paper, trim)
        if found:
            problem("paper" if paper else "fold", found)
    if problems:
        raise ConfigError(problems)
    return _binding(table, fold, folded)


def _binding(table: Mapping[str, object], fold: str, folded: bool) -> Binding:
    caliper, given = Binding.caliper, Binding.paper_given
    if isinstance(table.get("caliper"), int | float):
        value = float(table["caliper"])  # type: ignore[arg-type]
        caliper, given = value * MM, f"caliper {value:g} mm"
    elif isinstance(table.get("paper_weight"), int | float):
        value = float(table["paper_weight"])  # type: ignore[arg-type]
        caliper, given = value * BULK / 1000 * MM, f"{value:g} gsm"
    sheets = table.get("sheets")
    counted: int | tuple[int, ...] | None = None
    if folded:
        counted = (
            tuple(sheets)
            if isinstance(sheets, list)
            else sheets
            if isinstance(sheets, int)
            else Binding.sheets
        )
    defaults = Binding()
    return Binding(
        fold=fold,
        sheets=counted,
        paper=str(table.get("paper", "")),
        flip=str(table.get("flip", defaults.flip)),
        duplex=bool(table.get("duplex", defaults.duplex)),
        caliper=caliper,
        paper_given=given,
        flyleaves=int(table.get("flyleaves", 0)),  # type: ignore[call-overload]
        new_signature=bool(table.get("new_signature", False)),
        cut_marks=bool(table.get("cut_marks", True)),
        fold_lines=bool(table.get("fold_lines", False)),
        collation=bool(table.get("collation", True)),
        stations=table.get("stations") if isinstance(table.get("stations"), int) else None,  # type: ignore[arg-type]
        direction=str(table.get("direction", "")),
        paper_stock=str(table.get("paper_stock", defaults.paper_stock)),
        back_cover=str(table.get("back_cover", "")),
    )
