"""The [binding] table of collection.toml: validated at the edge, every problem with its line.

[binding]
fold = "octavo"        # folio, quarto, octavo, booklet (one saddle-stitched signature), perfect
sheets = 2             # per signature, or a list of signature sizes [4, 4, 3]
paper = "A3"           # letter, legal, tabloid, A4, A3 or WIDTHxHEIGHT in mm or in
flip = "long"          # the duplex printer's flip edge; duplex = false: fronts and backs files
paper_weight = 80      # gsm, or caliper = 0.1 (mm): creep and the spine
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from packager.binding import data
from packager.binding.geometry import fit_problem
from packager.errors import error
from packager.model import Diagnostic

FOLDS = ("folio", "quarto", "octavo", "booklet", "perfect")
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


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    fold: str = "folio"
    sheets: int | list[int] | None = None
    paper: str = ""
    flip: str = "long"
    duplex: bool = True
    paper_weight: int | float | None = None
    caliper: int | float | None = None
    flyleaves: int = 0
    new_signature: bool = False
    cut_marks: bool = True
    fold_lines: bool = False
    collation: bool = True
    stations: int | None = None
    direction: str = ""
    paper_stock: str = "kdp-cream"
    back_cover: str = ""

    @field_validator("fold")
    @classmethod
    def _fold(cls, value: str) -> str:
        if value not in FOLDS:
            raise ValueError(f"must be one of {', '.join(FOLDS)}")
        return value

    @field_validator("sheets")
    @classmethod
    def _sheets(cls, value: int | list[int] | None) -> int | list[int] | None:
        counts = value if isinstance(value, list) else [value] if value is not None else []
        if isinstance(value, list) and not value:
            raise ValueError("must list at least one signature")
        if any(n < 1 or n > 32 for n in counts):
            raise ValueError("must be from 1 to 32 sheets a signature")
        return value

    @field_validator("paper")
    @classmethod
    def _paper(cls, value: str) -> str:
        if value:
            try:
                data.paper_size(value)
            except ValueError:
                known = ", ".join(data.papers())
                raise ValueError(
                    f"unknown paper (known: {known}, or WIDTHxHEIGHT in mm or in such as 330x480mm)"
                ) from None
        return value

    @field_validator("flip")
    @classmethod
    def _flip(cls, value: str) -> str:
        if value not in ("long", "short"):
            raise ValueError("must be 'long' or 'short' (the edge your duplex printer flips on)")
        return value

    @field_validator("paper_weight")
    @classmethod
    def _weight(cls, value: float | None) -> float | None:
        if value is not None and not 30 <= value <= 400:
            raise ValueError("must be grams per square metre, from 30 to 400")
        return value

    @field_validator("caliper")
    @classmethod
    def _caliper(cls, value: float | None) -> float | None:
        if value is not None and not 0.03 <= value <= 1.0:
            raise ValueError("must be one leaf's thickness in mm, from 0.03 to 1")
        return value

    @field_validator("flyleaves")
    @classmethod
    def _flyleaves(cls, value: int) -> int:
        if not 0 <= value <= 8:
            raise ValueError("must be from 0 to 8 leaves at each end")
        return value

    @field_validator("stations")
    @classmethod
    def _stations(cls, value: int | None) -> int | None:
        if value is not None and not 2 <= value <= 16:
            raise ValueError("must be from 2 to 16 sewing stations")
        return value

    @field_validator("direction")
    @classmethod
    def _direction(cls, value: str) -> str:
        if value not in ("", "ltr", "rtl"):
            raise ValueError("must be 'ltr' or 'rtl'")
        return value

    @field_validator("paper_stock")
    @classmethod
    def _stock(cls, value: str) -> str:
        if value not in data.stocks():
            raise ValueError(f"must be one of {', '.join(data.stocks())}")
        return value


def load_binding(
    raw: object, text: str, label: str, trim: tuple[str, float, float] | None = None
) -> tuple[Binding | None, list[Diagnostic]]:
    """The [binding] table (None: there is none) and every problem in it, each with its line.

    ``trim`` (its name, width and height in points) checks that the folded leaf holds it.
    """
    if raw is None:
        return None, []

    def problem(key: str, message: str) -> Diagnostic:
        return error(
            f"binding.{key}: {message}" if key else f"binding: {message}",
            label,
            key_line(text, key),
        )

    if not isinstance(raw, Mapping):
        return None, [problem("", "must be a table ([binding])")]
    try:
        table = _Table.model_validate(raw)
    except ValidationError as exc:
        return None, [problem(*_explain(err, raw)) for err in _first_per_key(exc)]
    problems = []
    folded = table.fold not in ("booklet", "perfect")
    if table.sheets is not None and not folded:
        problems.append(problem("sheets", f"a {table.fold} takes every sheet; leave sheets out"))
    if table.new_signature and not folded:
        problems.append(problem("new_signature", f"a {table.fold} has no signatures to start"))
    if table.paper_weight is not None and table.caliper is not None:
        problems.append(problem("caliper", "give paper_weight or caliper, not both"))
    if problems:
        return None, problems
    binding = _binding(table)
    if trim is not None:
        found = fit_problem(binding.fold, binding.paper, trim)
        if found:
            return None, [problem("paper" if "paper" in raw else "fold", found)]
    return binding, []


def _binding(table: _Table) -> Binding:
    if table.caliper is not None:
        caliper, given = table.caliper * MM, f"caliper {table.caliper:g} mm"
    elif table.paper_weight is not None:
        caliper = table.paper_weight * BULK / 1000 * MM
        given = f"{table.paper_weight:g} gsm"
    else:
        caliper, given = Binding.caliper, Binding.paper_given
    folded = table.fold not in ("booklet", "perfect")
    sheets = table.sheets if isinstance(table.sheets, int) else tuple(table.sheets or ())
    return Binding(
        fold=table.fold,
        sheets=(sheets or Binding.sheets) if folded else None,
        paper=table.paper,
        flip=table.flip,
        duplex=table.duplex,
        caliper=caliper,
        paper_given=given,
        flyleaves=table.flyleaves,
        new_signature=table.new_signature,
        cut_marks=table.cut_marks,
        fold_lines=table.fold_lines,
        collation=table.collation,
        stations=table.stations,
        direction=table.direction,
        paper_stock=table.paper_stock,
        back_cover=table.back_cover,
    )


def _first_per_key(exc: ValidationError) -> list[Any]:
    """One error per key: a union type reports once per alternative."""
    seen, kept = set(), []
    for err in exc.errors():
        key = err["loc"][0] if err["loc"] else ""
        if key not in seen:
            seen.add(key)
            kept.append(err)
    return kept


def _explain(err: Any, raw: Mapping[str, Any]) -> tuple[str, str]:
    key = str(err["loc"][0]) if err["loc"] else ""
    if err["type"] == "extra_forbidden":
        return key, f"unknown key (known keys: {', '.join(_Table.model_fields)})"
    value = raw.get(key)
    got = f" (got {value!r})" if not isinstance(value, bool) else f" (got {str(value).lower()})"
    if err["type"] == "value_error":
        return key, str(err["msg"]).removeprefix("Value error, ") + got
    annotation = str(_Table.model_fields[key].annotation) if key in _Table.model_fields else ""
    expected = (
        "true or false" if "bool" in annotation
        else "a number of sheets, or a list of them" if key == "sheets"
        else "a number" if "int" in annotation or "float" in annotation
        else "text"
    )  # fmt: skip
    return key, f"must be {expected}{got}"


def key_line(text: str, key: str) -> int | None:
    """The line of ``key`` in the [binding] table of a TOML text (of the table if key is "")."""
    lines = text.split("\n")
    header = re.compile(r"^\s*\[\s*binding\s*\]")
    for i, line in enumerate(lines):
        if header.match(line):
            if not key:
                return i + 1
            pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
            for j in range(i + 1, len(lines)):
                if lines[j].lstrip().startswith("["):
                    break
                if pattern.match(lines[j]):
                    return j + 1
            return i + 1
    dotted = re.compile(
        rf"^\s*binding\s*(\.\s*{re.escape(key)}\s*)?=" if key else r"^\s*binding\s*[.=]"
    )
    return next((i + 1 for i, line in enumerate(lines) if dotted.match(line)), None)
