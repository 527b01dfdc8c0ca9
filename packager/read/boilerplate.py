"""What story sites and reading apps add to a story's text, found wherever it sits.

The shapes are data (boilerplate.toml, beside this module, with the layout each
comes from and the examples it is tested with). A shape found "anywhere" is a
sentence no story writes, cut out of any line, also when glued to the story's
words without a space; a "line" shape is removed only as a whole line. Pure.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

_DATA = tomllib.loads((Path(__file__).parent / "boilerplate.toml").read_text(encoding="utf-8"))
_SITES = "|".join(_DATA["sites"])
_SITE_WORDS = tuple(_DATA["site_words"])


@dataclass(frozen=True)
class Shape:
    """One kind of site text: who adds it, what it is, where it may sit."""

    site: str
    kind: str  # "site footer", "page title", "anti-piracy notice", ...
    where: str  # "anywhere" or "line"
    pattern: re.Pattern[str]
    needs: tuple[str, ...]  # one of these (casefolded) is in any line the shape matches
    examples: tuple[str, ...] = ()
    title: str = ""  # what the first example gives as the story's title and author
    author: str = ""


def _shape(raw: dict[str, object]) -> Shape:
    source = str(raw["pattern"]).replace("{sites}", _SITES)
    where = str(raw["where"])
    if where == "line":
        source = rf"^\s*(?:{source})\s*$"
    return Shape(
        site=str(raw["site"]),
        kind=str(raw["kind"]),
        where=where,
        pattern=re.compile(source, re.IGNORECASE),
        needs=tuple(
            word
            for need in raw["needs"]  # type: ignore[attr-defined]
            for word in (_SITE_WORDS if need == "{sites}" else (str(need),))
        ),
        examples=tuple(str(e) for e in raw.get("examples", ())),  # type: ignore[attr-defined]
        title=str(raw.get("title", "")),
        author=str(raw.get("author", "")),
    )


SHAPES: tuple[Shape, ...] = tuple(_shape(raw) for raw in _DATA["shape"])
_ANYWHERE = tuple(s for s in SHAPES if s.where == "anywhere")
_LINE = tuple(s for s in SHAPES if s.where == "line")


# Every word some shape needs: a line holding none of them holds no site text.
_ALL_NEEDS = tuple(sorted({word for shape in SHAPES for word in shape.needs}))


def needs_in(text: str) -> tuple[str, ...]:
    """The words some shape needs that ``text`` (a whole story) holds: the only ones
    its lines can hold (casefolding is per character), so each line asks only for them."""
    folded = text.casefold()
    return tuple(word for word in _ALL_NEEDS if word in folded)


def may_hold(line: str, needs: tuple[str, ...] = _ALL_NEEDS) -> bool:
    """Whether the line holds a word some shape needs (most lines of a story do not)."""
    if not needs:
        return False
    folded = line.casefold()
    return any(word in folded for word in needs)


def _candidates(shapes: tuple[Shape, ...], line: str) -> list[Shape]:
    """The shapes whose words the line holds: the only ones worth a regular expression."""
    folded = line.casefold()
    return [s for s in shapes if any(word in folded for word in s.needs)]


@dataclass(frozen=True)
class Found:
    """Site text found in a line: where it is, and what it says about the story."""

    start: int
    end: int
    shape: Shape
    title: str = ""
    author: str = ""
    url: str = ""

    @property
    def action(self) -> str:
        return self.shape.kind


def _found(match: re.Match[str], shape: Shape) -> Found:
    groups = match.groupdict()
    author = groups.get("author") or groups.get("user") or ""
    return Found(
        match.start(),
        match.end(),
        shape,
        (groups.get("title") or "").strip(),
        author.strip(),
        (groups.get("url") or "").strip(),
    )


def whole_line(line: str) -> Found | None:
    """The shape a whole line is, if it is site text ("The Night Ferry - Wattpad")."""
    if not line.strip() or len(line) > 600:
        return None
    for shape in _candidates(_LINE, line):
        match = shape.pattern.match(line)
        if match:
            return _found(match, shape)
    return None


def in_line(line: str) -> list[Found]:
    """Site sentences inside a line, in order, not overlapping ("...did.Find authorized...")."""
    found: list[Found] = []
    for shape in _candidates(_ANYWHERE, line):
        for match in shape.pattern.finditer(line):
            if match.group(0).strip():
                found.append(_found(match, shape))
    found.sort(key=lambda f: (f.start, -f.end))
    kept: list[Found] = []
    for f in found:
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def cut(line: str, found: list[Found]) -> str:
    """The line without the site text found in it; words it had glued are spaced."""
    out = ""
    at = 0
    for f in found:
        out = _join(out, line[at : f.start])
        at = f.end
    return _join(out, line[at:])


def _join(left: str, right: str) -> str:
    if left and right and not left[-1].isspace() and not right[0].isspace():
        return f"{left} {right}"
    return left + right
