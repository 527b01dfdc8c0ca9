"""The binding's data files, read once: fold schemes, paper sizes, paper stocks, hand binding.

Every number lives in a TOML file beside this module with its source;
this module only turns them into frozen values (points for lengths on a
sheet, inches for what services publish in inches, millimetres for hand binding).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PT_PER = {"in": 72.0, "mm": 72 / 25.4, "pt": 1.0}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[x\u00d7]\s*(\d+(?:\.\d+)?)\s*(in|mm)\s*$", re.I)


@dataclass(frozen=True)
class FoldStep:
    axis: str  # "x": a vertical fold line; "y": a horizontal one
    moving: str  # "low": the left or bottom half goes behind; "high": the right or top half
    say: str  # the instruction on the job sheet


@dataclass(frozen=True)
class Scheme:
    """One sheet of a fold: where each page of a one-sheet signature is printed."""

    name: str
    rows: int
    cols: int
    front: tuple[tuple[tuple[int, bool], ...], ...]  # [row][col] -> (page, head down)
    back: tuple[tuple[tuple[int, bool], ...], ...]  # seen turned over like a book page
    folds: tuple[FoldStep, ...]
    bolts: str  # the folded edges to slit or trim ("" for a folio)

    @property
    def pages_per_sheet(self) -> int:
        return 2 * self.rows * self.cols


@dataclass(frozen=True)
class Stock:
    """A print-on-demand service's paper: the spine it makes and its cover rules (inches)."""

    name: str
    service: str
    paper: str
    per_page: float
    base: float
    spine_text: int  # the fewest pages that may carry spine text
    bleed: float
    safe: float
    spine_margin: float
    barcode: tuple[float, float]
    barcode_margin: float

    def spine(self, pages: int) -> float:
        """The spine width in inches for a book of ``pages`` pages."""
        return self.base + pages * self.per_page


@dataclass(frozen=True)
class HandBound:
    """Case-binding allowances, in millimetres (handbound.toml)."""

    square: float
    board: float
    joint: float
    setback: float
    turn_in: float
    thread_swell: float


def _load(name: str) -> dict[str, Any]:
    with (HERE / name).open("rb") as handle:
        return tomllib.load(handle)


def _cell(text: str) -> tuple[int, bool]:
    return int(text.rstrip("v")), text.endswith("v")


@functools.cache
def schemes() -> dict[str, Scheme]:
    found = {}
    for name, table in _load("folds.toml").items():
        steps = tuple(FoldStep(s["axis"], s["moving"], s["say"]) for s in table["folds"])
        front, back = (
            tuple(tuple(_cell(c) for c in row) for row in table[side]) for side in ("front", "back")
        )
        found[name] = Scheme(name, table["rows"], table["cols"], front, back, steps, table["bolts"])
    return found


@functools.cache
def papers() -> dict[str, tuple[float, float]]:
    """Named sheet sizes, portrait, in points."""
    return {name: parse_size(value) for name, value in _load("papers.toml").items()}


@functools.cache
def stocks() -> dict[str, Stock]:
    return {
        name: Stock(name, **{**t, "barcode": tuple(t["barcode"])})
        for name, t in _load("stocks.toml").items()
    }


@functools.cache
def handbound() -> HandBound:
    return HandBound(**_load("handbound.toml"))


def parse_size(value: str) -> tuple[float, float]:
    """WIDTHxHEIGHT in mm or in, in points; ValueError when it is not one."""
    match = _SIZE.match(value)
    if match is None:
        raise ValueError(value)
    unit = PT_PER[match.group(3).lower()]
    return float(match.group(1)) * unit, float(match.group(2)) * unit


def paper_size(value: str) -> tuple[str, float, float]:
    """A paper name (any case) or WIDTHxHEIGHT: (the name shown, width, height) in points."""
    for name, (width, height) in papers().items():
        if value.strip().casefold() == name.casefold():
            return name, width, height
    width, height = parse_size(value)
    return value.strip(), width, height


def mm(points: float) -> str:
    """A length for people: millimetres, one decimal where it matters."""
    return f"{points / PT_PER['mm']:.1f}".removesuffix(".0")
