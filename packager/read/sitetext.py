"""Site and app text wherever it sits in a story given as paragraphs: cut out, reported.

packager.read.boilerplate knows the shapes; this walks a story's paragraphs
with them. A whole line that is site text goes (its paragraph split there, so
that every later line keeps its number); a site sentence inside a line is cut
out of it, also when glued to the story's words. The title, author and source
address such text carries are kept for the reader to use when the story says
nothing else.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from packager.model import Change
from packager.read import boilerplate
from packager.read.paragraphs import MARKERS, Para

_NO_MARKERS = str.maketrans("", "", MARKERS)


@dataclass
class SiteText:
    """The paragraphs without site text, what was cut, and what it said about the story."""

    paras: list[Para]
    changes: list[Change] = field(default_factory=list)
    title: tuple[int, str] | None = None  # (index of the change whose line gave it, title)
    author: tuple[int, str] | None = None
    url: str = ""

    def report(self, change: Change, found: boilerplate.Found) -> None:
        self.changes.append(change)
        at = len(self.changes) - 1
        if found.title and self.title is None:
            self.title = (at, found.title)
        if found.author and self.author is None:
            self.author = (at, found.author)
        self.url = self.url or found.url


def strip_site_text(paras: list[Para], file: str) -> SiteText:
    """Every paragraph's lines without the sites' and apps' own text."""
    out = SiteText([])
    for para in paras:
        _strip(para, file, out)
    return out


def _strip(para: Para, file: str, out: SiteText) -> None:
    kept: list[str] = []
    first = para.line

    def split_at(number: int) -> None:
        """The line is gone: the paragraph ends before it and resumes after it."""
        nonlocal kept, first
        if kept:
            blank = para.blank_before if first == para.line else 1
            out.paras.append(Para(first, tuple(kept), blank))
        kept, first = [], number + 1

    for i, line in enumerate(para.lines):
        number = para.line + i
        plain = line.translate(_NO_MARKERS).strip()
        whole = boilerplate.whole_line(plain)
        if whole is not None:
            out.report(Change(file, number, "removed", whole.action, plain), whole)
            split_at(number)
            continue
        found = boilerplate.in_line(line)
        for f in found:
            text = line[f.start : f.end].strip()
            out.report(Change(file, number, "removed", f.action, text), f)
        if found:
            line = boilerplate.cut(line, found).rstrip()
            if not line.translate(_NO_MARKERS).strip():
                split_at(number)
                continue
        kept.append(line)
    split_at(para.line + len(para.lines))


def taken_as(changes: list[Change], at: int, field_name: str) -> None:
    """The change whose line gave the story a field: metadata, not a removal."""
    changes[at] = dataclasses.replace(changes[at], kind="metadata", action=field_name)
