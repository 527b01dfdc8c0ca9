"""What the blanks cost, and the signature sizes that would cost less (pure).

When the book overruns its last signature by a few pages, the signatures are
filled with blank pages (placed by packager.binding.arrange). This says how
many and how many sheets beyond the fewest the book could take, then the
alternatives: the last signature made smaller, signatures balanced within a
sheet of each other, or another number of sheets per signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from packager.binding.arrange import Arrangement


@dataclass(frozen=True)
class Option:
    sheets: int | tuple[int, ...]  # the value for binding.sheets
    signatures: int
    total: int  # sheets of paper
    blanks: int

    def setting(self) -> str:
        value = self.sheets if isinstance(self.sheets, int) else list(self.sheets)
        return f"sheets = {value}"


@dataclass(frozen=True)
class Cost:
    pages: int  # the bound book's own pages: the PDF's, flyleaves, an odd page's blank back
    blanks: int  # blank pages added to fill the signatures
    sheets: int
    fewest: int  # the fewest sheets that hold the book
    alternatives: tuple[Option, ...] = ()

    def lines(self) -> list[str]:
        if not self.blanks:
            return []
        extra = self.sheets - self.fewest
        cost = (
            f" and {extra} sheet{'s' if extra != 1 else ''} more than the fewest ({self.fewest})"
            if extra
            else ""
        )
        found = [
            f"the signatures hold {self.pages + self.blanks} pages for {self.pages}: "
            f"{self.blanks} blank pages{cost}"
        ]
        for o in self.alternatives:
            found.append(
                f"  {o.setting()}: {o.signatures} signature{'s' if o.signatures != 1 else ''}, "
                f"{o.total} sheets, {o.blanks} blank pages"
            )
        return found


def cost(
    arrangement: Arrangement, natural: int, sheets: int | tuple[int, ...] | None, folded: bool
) -> Cost:
    """The cost of ``arrangement`` for a book of ``natural`` pages, and cheaper settings."""
    per = arrangement.per_sheet
    blanks = arrangement.capacity - natural
    fewest = -(-natural // per)
    options: list[Option] = []
    if folded and blanks and isinstance(sheets, int):
        options = _alternatives(natural, per, sheets)
    kept = sorted(
        {o for o in options if o.blanks < blanks}, key=lambda o: (o.blanks, o.total, o.signatures)
    )
    total = sum(arrangement.sizes) if per > 2 else fewest
    return Cost(natural, blanks, total, fewest, tuple(kept[:3]))


def _option(sizes: list[int], per: int, natural: int) -> Option:
    shown: int | tuple[int, ...] = sizes[0] if len(set(sizes)) == 1 else tuple(sizes)
    return Option(shown, len(sizes), sum(sizes), sum(sizes) * per - natural)


def _alternatives(natural: int, per: int, k: int) -> list[Option]:
    count = -(-natural // (k * per))
    options = []
    rest = natural - (count - 1) * k * per
    options.append(
        _option([k] * (count - 1) + [-(-rest // per)], per, natural)
    )  # a smaller last one
    fewest = -(-natural // per)
    small, extra = divmod(fewest, count)
    if small:
        options.append(_option([small + 1] * extra + [small] * (count - extra), per, natural))
    for other in range(1, 9):
        if other != k:
            n = -(-natural // (other * per))
            options.append(_option([other] * n, per, natural))
    return options
