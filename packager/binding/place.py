"""Put the book's pages on sheets with pikepdf: each page a form XObject placed by its TrimBox.

Each book page becomes a form XObject once (pikepdf's Page.as_form_xobject,
which also undoes a page's /Rotate) and is drawn in its cell with a
translation, or a half turn for a page printed head down: never scaled.
Creep moves it towards the spine inside a clip of its trim (and of the
bleed the cell has room for, never at the spine fold). The imposition's
settings go into the catalog's page-piece data, and each placed form names
its book page, so ``packager check`` can read the sheets back.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

from packager.binding.geometry import Layout, book_turn, creep_shift
from packager.binding.marks import Mark, as_printed, sheet_marks
from packager.binding.signatures import Cell, Plan
from packager.pdf import fonts
from packager.pdf.pieces import box


@dataclass(frozen=True)
class Job:
    """How to print: flip edge, one- or two-sided, creep, marks, and what to call it."""

    flip: str = "long"
    duplex: bool = True
    caliper: float = 0.0  # points a leaf: creep
    marks: dict[str, bool] = field(default_factory=dict)  # cut_marks, fold_lines, collation
    stations: int | None = None
    title: str = ""
    date: str = "D:20000101000000Z"


def _private(date: str, **values: object) -> Dictionary:
    private = Dictionary({f"/{k.lstrip('/')}": v for k, v in values.items()})
    return Dictionary(Packager=Dictionary(LastModified=pikepdf.String(date), Private=private))


def impose(source: bytes, plan: Plan, layout: Layout, job: Job) -> list[bytes]:
    """The imposed PDF (two-sided), or [fronts, backs] for a one-sided printer."""
    with pikepdf.open(io.BytesIO(source)) as book:
        outputs = [pikepdf.new()] if job.duplex else [pikepdf.new(), pikepdf.new()]
        forms: list[dict[int, pikepdf.Object]] = [{} for _ in outputs]
        turn = not book_turn(layout, job.flip)
        for sheet in plan.sheets:
            for n, (side, cells) in enumerate((("front", sheet.front), ("back", sheet.back))):
                out = 0 if job.duplex else n
                printed = as_printed(cells, layout, turn and side == "back")
                marks = sheet_marks(
                    layout, plan, sheet, printed, side == "front", job.marks, job.stations
                )
                _side(outputs[out], book, forms[out], printed, layout, job, marks)
        data = []
        for n, pdf in enumerate(outputs):
            which = "both" if job.duplex else ("fronts", "backs")[n]
            pdf.Root.PieceInfo = _private(job.date, **_settings(plan, layout, job, which))
            title = f"{job.title} (imposed: {plan.fold})" if job.title else "imposed"
            data.append(_save(pdf, title, job.date))
        return data


def _settings(plan: Plan, layout: Layout, job: Job, side: str) -> dict[str, object]:
    return {
        "/Fold": Name("/" + plan.fold),
        "/Sizes": Array(list(plan.sizes)),
        "/Slots": Array([-1 if s is None else s for s in plan.slots]),
        "/Rows": layout.rows,
        "/Cols": layout.cols,
        "/Flip": Name("/" + job.flip),
        "/Side": Name("/" + side),
        "/Rtl": plan.rtl,
        "/Caliper": round(job.caliper, 5),
        "/Bleed": round(layout.bleed, 3),
        "/Trim": Array([round(layout.trim_w, 3), round(layout.trim_h, 3)]),
        "/Paper": pikepdf.String(layout.paper),
    }


def _form(
    out: pikepdf.Pdf, book: pikepdf.Pdf, forms: dict[int, pikepdf.Object], index: int, date: str
) -> pikepdf.Object:
    """Book page ``index`` as a form XObject of ``out`` (made once), clipped to its BleedBox."""
    if index not in forms:
        page = book.pages[index]
        form = page.as_form_xobject(handle_transformations=True)
        form.BBox = Array([round(v, 3) for v in box(page, "/BleedBox")])
        trim = Array([round(v, 3) for v in _trim_in_form(form, page)])
        label = pikepdf.String(page.label or str(index + 1))
        form.PieceInfo = _private(date, Page=index, Label=label, Trim=trim)
        forms[index] = out.copy_foreign(form)
    return forms[index]


def _trim_in_form(form: pikepdf.Object, page: pikepdf.Page) -> tuple[float, float, float, float]:
    """The page's TrimBox where the form draws it (through the form's /Matrix, if any)."""
    x0, y0, x1, y1 = box(page, "/TrimBox")
    a, b, c, d, e, f = (float(v) for v in form.get("/Matrix", Array([1, 0, 0, 1, 0, 0])))
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return min(xs), min(ys), max(xs), max(ys)


def _side(
    out: pikepdf.Pdf,
    book: pikepdf.Pdf,
    forms: dict[int, pikepdf.Object],
    cells: Sequence[Cell],
    layout: Layout,
    job: Job,
    marks: Sequence[Mark],
) -> None:
    page = out.add_blank_page(page_size=(round(layout.width, 3), round(layout.height, 3)))
    xobjects = Dictionary()
    ops = []
    for cell in cells:
        if cell.page is None:
            continue
        form = _form(out, book, forms, cell.page, job.date)
        name = f"/P{cell.page + 1}"
        xobjects[name] = form
        tx0, ty0, tx1, ty1 = _trim_in_form(form, book.pages[cell.page])
        dest = layout.trim(cell.row, cell.col, cell.spine)
        clip = layout.clip(cell.row, cell.col, cell.spine)
        dx = creep_shift(cell.depth, job.caliper, cell.spine)
        if cell.head_down:  # a half turn: the trim's top right corner to the cell's bottom left
            matrix = (-1, 0, 0, -1, dest.x0 + dx + tx1, dest.y0 + ty1)
        else:
            matrix = (1, 0, 0, 1, dest.x0 + dx - tx0, dest.y0 - ty0)
        ops.append(
            f"q {clip.x0:.3f} {clip.y0:.3f} {clip.x1 - clip.x0:.3f} {clip.y1 - clip.y0:.3f} re W n "
            f"{' '.join(f'{v:.4f}' for v in matrix)} cm {name} Do Q"
        )
    ops.append(_draw_marks(marks))
    page.obj.Resources = Dictionary(XObject=xobjects)
    page.obj.Contents = out.make_stream("\n".join(ops).encode())
    w, h = round(layout.width, 3), round(layout.height, 3)
    page.obj.TrimBox = Array([0, 0, w, h])


_STYLE = {
    "cut": "0 G 0.25 w [] 0 d",
    "fold": "0 G 0.25 w [2 2] 0 d",
    "station": "0 G 0.5 w [] 0 d",
    "collation": "0 g",
}


def _draw_marks(marks: Sequence[Mark]) -> str:
    """Each kind of mark in its own marked-content section (/Cut, /Fold, /Collation, /Station)."""
    out = []
    for kind in ("cut", "fold", "collation", "station"):
        shapes = [m for m in marks if m.kind == kind]
        if not shapes:
            continue
        body = []
        for m in shapes:
            if kind == "collation":
                body.append(f"{m.x0:.3f} {m.y0:.3f} {m.x1 - m.x0:.3f} {m.y1 - m.y0:.3f} re f")
            else:
                body.append(f"{m.x0:.3f} {m.y0:.3f} m {m.x1:.3f} {m.y1:.3f} l S")
        out.append(f"/{kind.capitalize()} BMC q {_STYLE[kind]} " + " ".join(body) + " Q EMC")
    return "\n".join(out)


def finish(rendered: bytes, title: str, date: str) -> bytes:
    """A page WeasyPrint laid out, with its fonts subset, a title and a fixed date."""
    with pikepdf.open(io.BytesIO(rendered)) as pdf:
        fonts.share(pdf, {})
        return _save(pdf, title, date)


def _save(pdf: pikepdf.Pdf, title: str, date: str) -> bytes:
    pdf.docinfo.Title = title
    pdf.docinfo.Creator = "packager"
    pdf.docinfo.CreationDate = pdf.docinfo.ModDate = date
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)  # fmt: skip
    return buffer.getvalue()


def finish_cover(
    rendered: bytes, trim: tuple[float, float, float, float], title: str, date: str
) -> bytes:
    """The laid-out cover wrap with its TrimBox (the MediaBox is the bleed) and subset fonts."""
    with pikepdf.open(io.BytesIO(rendered)) as pdf:
        fonts.share(pdf, {})
        page = pdf.pages[0].obj
        page.TrimBox = Array([round(v, 3) for v in trim])
        page.BleedBox = Array([round(float(v), 3) for v in page.MediaBox])
        return _save(pdf, title, date)
