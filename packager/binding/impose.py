"""impose_book(): a book PDF to sheets to fold and sew, with its instructions.

    book PDF ─read_book─▶ pages, trim ─arrange─▶ pages with blanks ─plan─▶ sheets
    sheets + layout ─place.impose─▶ <stem>-imposed.pdf (or -fronts/-backs)
    plan ─jobsheet─▶ HTML ─render─▶ <stem>-instructions.pdf

Nothing is written here: the caller gets the files' bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from packager.binding import data, jobsheet, place, render
from packager.binding.arrange import Arrangement, BookPage, PlanError, arrange
from packager.binding.geometry import GRIDS, Layout, choose_paper, fit_problem, perfect_grid
from packager.binding.overrun import Cost, cost
from packager.binding.settings import Binding
from packager.binding.signatures import Plan, plan_folded, plan_perfect
from packager.errors import ConfigError, error
from packager.model import Diagnostic, Severity
from packager.pdf.pieces import BookPdf, read_book


@dataclass(frozen=True)
class Imposed:
    files: dict[str, bytes]  # file name -> bytes, the sheets first
    plan: Plan
    layout: Layout
    cost: Cost
    book: BookPdf
    arrangement: Arrangement


def impose_book(
    pdf: bytes,
    binding: Binding,
    stem: str,
    *,
    label: str = "",
    theme: str = "classic",
    config_file: str = "",
    lines: Mapping[str, int | None] | None = None,
    extra: render.Extra = render.NO_EXTRA,
) -> Imposed:
    """Impose ``pdf`` (a book made by packager, or any PDF of one trim size).

    ``extra``: the book's fallback faces, for its title on the job sheet.

    A setting that cannot be carried out is a ConfigError naming ``config_file``
    (collection.toml) and the key's line from ``lines``, else the PDF (``label``).
    """
    book = read_book(pdf, label)
    pages = [BookPage(p.label, p.part, p.matter, p.kind == "story", p.start) for p in book.pages]
    where = lines or {}

    def fail(key: str, message: str) -> ConfigError:
        line = where.get(key.removeprefix("binding."))
        return ConfigError([error(f"{key}: {message}", config_file or label, line)])

    trim = (f"{data.mm(book.trim[0])} x {data.mm(book.trim[1])} mm", *book.trim)
    paper = choose_paper(binding.fold, binding.paper, trim)
    if paper is None:
        raise fail(
            "binding.paper" if binding.paper else "binding.fold",
            fit_problem(binding.fold, binding.paper, trim),
        )
    rtl = binding.direction == "rtl" or (not binding.direction and book.rtl)
    natural = len(book.pages) + len(book.pages) % 2 + 4 * binding.flyleaves
    scheme = (
        data.schemes()["folio" if binding.fold == "booklet" else binding.fold]
        if binding.fold != "perfect"
        else None
    )
    try:
        if scheme is None:
            rows, cols, turned = perfect_grid(paper[1], paper[2], *book.trim, book.bleed)
            width, height = (paper[2], paper[1]) if turned else (paper[1], paper[2])
            layout = Layout(
                paper[0], width, height, rows, cols, *book.trim, book.bleed, perfect=True
            )
            arranged = arrange(pages, 2, None, flyleaves=binding.flyleaves)
            plan = plan_perfect(arranged, rows, cols, rtl)
        else:
            rows, cols = GRIDS[binding.fold]
            layout = Layout(paper[0], paper[1], paper[2], rows, cols, *book.trim, book.bleed)
            sheets = None if binding.fold == "booklet" else binding.sheets
            arranged = arrange(
                pages, scheme.pages_per_sheet, sheets,
                flyleaves=binding.flyleaves, new_signature=binding.new_signature,
            )  # fmt: skip
            plan = plan_folded(arranged, scheme, binding.fold, rtl)
    except PlanError as exc:
        raise fail(exc.key, exc.message) from None
    spent = cost(
        arranged, natural, binding.sheets, scheme is not None and binding.fold != "booklet"
    )
    job = place.Job(
        flip=binding.flip,
        duplex=binding.duplex,
        caliper=binding.caliper if scheme is not None else 0.0,
        marks={
            "cut_marks": binding.cut_marks,
            "fold_lines": binding.fold_lines,
            "collation": binding.collation,
        },
        stations=binding.stations,
        title=book.title,
        date=book.date,
    )
    sheets_pdf = place.impose(pdf, plan, layout, job)
    names = (
        (f"{stem}-imposed.pdf",)
        if binding.duplex
        else (f"{stem}-imposed-fronts.pdf", f"{stem}-imposed-backs.pdf")
    )
    files = dict(zip(names, sheets_pdf, strict=True))
    guide = f"{stem}-instructions.pdf"
    resources, faces, family = render.theme_fonts(theme)
    context = jobsheet.context(
        book.title or stem, plan, layout, binding, spent, scheme,
        jobsheet.Files(names, guide), len(book.pages), Markup(faces + "\n" + extra.css), family,
        _placed(arranged, book),
    )  # fmt: skip
    laid_out, _ = render.to_pdf(render.html("instructions.html", context), resources, extra)
    files[guide] = place.finish(laid_out, f"{book.title or stem}: binding instructions", book.date)
    return Imposed(files, plan, layout, spent, book, arranged)


def notes(imposed: Imposed, where: str = "") -> list[Diagnostic]:
    """What the imposition cost and where its blanks went, for the report (never a warning)."""
    found = [f"binding: {line.strip()}" for line in imposed.cost.lines()]
    found += [f"binding: {line}" for line in placed_blanks(imposed)]
    return [Diagnostic(Severity.INFO, line, where) for line in found]


def placed_blanks(imposed: Imposed) -> list[str]:
    return _placed(imposed.arrangement, imposed.book)


def _placed(arranged: Arrangement, book: BookPdf) -> list[str]:
    """Where the blank pages went, in a line or two."""
    before = [i.before for i in arranged.inserts if i.before is not None]
    found = [i.why for i in arranged.inserts if i.before is None]
    if before:
        labels = ", ".join(book.pages[b].label for b in before)
        found.insert(0, f"blank leaves before pages {labels}")
    return found
