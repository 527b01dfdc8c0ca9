"""What the binder reads: the job sheet, a folding dummy and the flip-edge calibration (pure).

Everything here is computed from the plan and the layout and handed to the
templates/instructions.html template: the numbers (paper, sheets, signatures,
blanks and what they cost, creep, stations, case-binding sizes), the steps
from printing to a sewn book, and drawings of the first sheet to fold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from packager.binding import data
from packager.binding.data import Scheme, mm
from packager.binding.geometry import Layout, book_turn, stations
from packager.binding.marks import as_printed
from packager.binding.overrun import Cost
from packager.binding.settings import Binding
from packager.binding.signatures import Cell, Plan

NAMES = {
    "folio": "folio: each sheet folded once, 4 pages a sheet",
    "quarto": "quarto: each sheet folded twice, 8 pages a sheet",
    "octavo": "octavo: each sheet folded three times, 16 pages a sheet",
    "booklet": "booklet: every sheet folded once, nested into one saddle-stitched signature",
    "perfect": "perfect binding: single leaves, cut and glued at the spine",
}


@dataclass(frozen=True)
class Files:
    sheets: tuple[str, ...]  # the imposed PDF, or its fronts and backs
    instructions: str


def context(
    title: str,
    plan: Plan,
    layout: Layout,
    binding: Binding,
    cost: Cost,
    scheme: Scheme | None,
    files: Files,
    book_pages: int,
    font_css: str,
    family: str,
    placed: Sequence[str] = (),
) -> dict[str, Any]:
    """Everything templates/instructions.html shows."""
    leaves = len(plan.slots) // 2
    deepest = max((c.depth for _, _, c in plan.cells()), default=0)
    turn = not book_turn(layout, binding.flip)
    orientation = "landscape" if layout.landscape else "portrait"
    first = plan.sheets[0]
    folded = plan.fold != "perfect"
    return {
        "title": title,
        "font_css": font_css,
        "family": family,
        "width": round(layout.width, 3),
        "height": round(layout.height, 3),
        "layout_name": NAMES[plan.fold],
        "facts": [
            ("Paper", f"{layout.paper}, {_size(layout.width, layout.height)}, {orientation}"),
            ("Leaf (trim)", _size(layout.trim_w, layout.trim_h)),
            ("Sheets", f"{len(plan.sheets)} to print, {2 * len(plan.sheets)} sides"),
            ("Signatures", _signatures(plan)),
            ("Pages", _pages(book_pages, binding.flyleaves, cost.blanks)),
            ("Printer", _printer(binding, files)),
            ("Creep", _creep(binding, deepest)),
        ],
        "cost": [*cost.lines(), *placed],
        "steps": steps(plan, layout, binding, scheme, files),
        "stations": [mm(s) for s in stations(layout.trim_h, binding.stations)] if folded else [],
        "case": case_binding(layout, binding, leaves, len(plan.sizes) if folded else 0),
        "dummy": [
            _drawing(layout, first.front, False),
            _drawing(layout, as_printed(first.back, layout, turn), True),
        ],
        "book_flip": "short" if layout.landscape else "long",
        "other_flip": "long" if layout.landscape else "short",
    }


def _size(width: float, height: float) -> str:
    return f"{mm(width)} x {mm(height)} mm"


def _pages(book: int, flyleaves: int, blanks: int) -> str:
    found = [f"{book} of the book"]
    if flyleaves:
        found.append(f"{4 * flyleaves} of flyleaves ({flyleaves} at each end)")
    found.append(f"{blanks} blank to fill the signatures" if blanks else "no blanks to fill")
    return ", ".join(found)


def _creep(binding: Binding, deepest: int) -> str:
    if not deepest:
        return "none (no leaf lies inside another)"
    shift = mm(deepest * binding.caliper)
    return (
        f"{binding.paper_given}: {mm(binding.caliper)} mm a leaf; "
        f"the innermost leaves move {shift} mm towards the spine"
    )


def _signatures(plan: Plan) -> str:
    if plan.fold == "perfect":
        return f"none: {len(plan.slots) // 2} single leaves, cut and stacked"
    sizes = plan.sizes
    if len(set(sizes)) == 1:
        return f"{len(sizes)} of {sizes[0]} sheet{'s' if sizes[0] > 1 else ''}"
    return f"{len(sizes)}, of {', '.join(str(s) for s in sizes)} sheets"


def _printer(binding: Binding, files: Files) -> str:
    if binding.duplex:
        return f"two-sided, flipping on the {binding.flip} edge"
    return (
        f"one-sided: {files.sheets[0]}, then the stack turned over by its {binding.flip} edge "
        f"for {files.sheets[1]}"
    )


def steps(
    plan: Plan, layout: Layout, binding: Binding, scheme: Scheme | None, files: Files
) -> list[str]:
    """The binder's steps, in order."""
    found = [
        f"Print the calibration sheet (the last two pages of {files.instructions}) as you will "
        "print the book, turn it over like a book page and check that it reads "
        f"flip = \u201c{binding.flip}\u201d. If it reads the other edge, change your printer's "
        "setting (or binding.flip) before printing the book.",
    ]
    count = len(plan.sheets)
    if binding.duplex:
        found.append(
            f"Print {files.sheets[0]} two-sided, flipping on the {binding.flip} edge: "
            f"{count} sheets of {layout.paper}."
        )
    else:
        found.append(
            f"Print {files.sheets[0]} ({count} sheets). Keep the printed stack in order, turn it "
            f"over by its {binding.flip} edge as the calibration sheet showed, put it back in the "
            f"tray and print {files.sheets[1]}. If your printer stacks its output face up, "
            "reverse the stack first, so that sheet 1 gets its back first."
        )
    if plan.fold == "perfect":
        found += [
            "Cut the whole stack at once along the cut marks.",
            "Lay the piles one on the next in the order of their cells (left to right, top row "
            "first): the first pile holds the first leaves.",
            "Jog the leaves square at the spine, clamp them, and glue the spine "
            "(a flexible PVA) in thin coats.",
        ]
        return found
    folds = scheme.folds if scheme else ()
    words = " ".join(
        f"({n}) {mirrored(step.say) if plan.rtl and step.axis == 'x' else step.say}"
        for n, step in enumerate(folds, 1)
    )
    found.append(f"Fold every sheet the same way, the side with page 1 outside: {words}")
    found.append(_gathering(plan))
    found.append(
        "Stack the signatures in order, spines together: the black mark on each spine steps down "
        "from one signature to the next, so a missing or doubled signature breaks the staircase."
    )
    found.append(
        "Pierce the sewing stations from the inside of each signature's centre fold, where the "
        "short marks cross it, and sew."
    )
    bolts = scheme.bolts if scheme else ""
    slit = f" (slitting the folds at {bolts})" if bolts else ""
    found.append(
        f"Trim the head, the fore-edge and the foot{slit} to the cut marks, "
        "or as much as the creep left sticking out."
    )
    if binding.flyleaves:
        found.append(
            f"The first and the last {binding.flyleaves} leaves are blank flyleaves: "
            "paste the endpapers to them."
        )
    return found


def mirrored(say: str) -> str:
    """A vertical fold's words for a book bound on the right (folds.toml: every one mirrors)."""
    return re.sub(r"\b(left|right)\b", lambda m: "right" if m[1] == "left" else "left", say)


def _gathering(plan: Plan) -> str:
    if plan.fold == "booklet":
        return "Nest all the sheets, each inside the one before (sheet 1 outside): one signature."
    parts = []
    first = 1
    for number, size in enumerate(plan.sizes, 1):
        last = first + size - 1
        sheets = f"sheets {first}\u2013{last}" if size > 1 else f"sheet {first}"
        parts.append(f"signature {number}: {sheets}")
        first = last + 1
    lead = "Set each folded sheet inside the one before it (a signature's first sheet outside): "
    return lead + "; ".join(parts) + "."


def case_binding(
    layout: Layout, binding: Binding, leaves: int, signatures: int
) -> list[tuple[str, str]]:
    """Boards, spine strip and cloth for a case binding, in millimetres (handbound.toml)."""
    h = data.handbound()
    k = data.PT_PER["mm"]
    block = leaves * binding.caliper / k + signatures * h.thread_swell
    board_w = layout.trim_w / k - h.setback + h.square
    board_h = layout.trim_h / k + 2 * h.square
    spine = block + 2 * h.board
    cloth_w = 2 * board_w + spine + 2 * h.joint + 2 * h.turn_in
    cloth_h = board_h + 2 * h.turn_in

    def f(v: float) -> str:
        return f"{v:.1f}".removesuffix(".0")

    block_size = f"{_size(layout.trim_w, layout.trim_h)}, {f(block)} mm thick ({leaves} leaves)"
    allowances = f"{f(h.joint)} mm joints, {f(h.turn_in)} mm turn-in"
    return [
        ("Text block", block_size),
        ("Boards (2)", f"{f(board_w)} x {f(board_h)} mm of {f(h.board)} mm board"),
        ("Spine strip", f"{f(spine)} x {f(board_h)} mm"),
        ("Cloth", f"{f(cloth_w)} x {f(cloth_h)} mm ({allowances})"),
    ]


def _drawing(layout: Layout, cells: Sequence[Cell], back: bool) -> dict[str, Any]:
    """A side of the first sheet, to draw: cells with their page numbers (SVG: y down)."""
    shown = []
    for c in cells:
        r = layout.cell(c.row, c.col)
        shown.append(
            {
                "x": round(r.x0, 3),
                "y": round(layout.height - r.y1, 3),
                "w": round(r.x1 - r.x0, 3),
                "h": round(r.y1 - r.y0, 3),
                "label": "" if c.slot is None else str(c.slot + 1),
                "down": c.head_down,
                "blank": c.page is None,
            }
        )
    return {"side": "back" if back else "front", "cells": shown}
