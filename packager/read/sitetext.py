"""Site and app text wherever it sits in a story given as paragraphs: cut out, reported.

packager.read.boilerplate knows the shapes; this walks a story's paragraphs
with them. A whole line that is site text goes (its paragraph split there, so
that every later line keeps its number); a site sentence inside a line is cut
out of it, also when glued to the story's words. The title, author and source
address such text carries are kept for the reader to use when the story says
nothing else.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from packager.model import Change
from packager.read import boilerplate
from packager.read.blocks import Block
from packager.read.body import Body
from packager.read.container import line_of
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

    def fill(self, body: Body, known_title: str) -> None:
        """A title, author or address only the site's own text gave: the story's."""
        used = -1
        if self.title and not body.title and not known_title:
            used, body.title = self.title
            taken_as(body.changes, used, "title")
        if self.author and "author" not in body.meta:
            body.meta["author"] = self.author[1]
            if self.author[0] != used:
                taken_as(body.changes, self.author[0], "author")
        if self.url and "source_url" not in body.meta:
            body.meta["source_url"] = self.url


def strip_site_text(paras: list[Para], file: str, needs: tuple[str, ...] | None = None) -> SiteText:
    """Every paragraph's lines without the sites' and apps' own text.

    ``needs``: the words of boilerplate.needs_in found in a text that holds these
    lines, if the caller has them (any more than the lines hold only cost time)."""
    out = SiteText([])
    if needs is None:  # the markers only split words: none is in the text the shapes read
        needs = boilerplate.needs_in(
            "\n".join(line for p in paras for line in p.lines).translate(_NO_MARKERS)
        )
    for para in paras:
        _strip(para, file, out, needs)
    return out


def _strip(para: Para, file: str, out: SiteText, needs: tuple[str, ...]) -> None:
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
        if not boilerplate.may_hold(plain, needs):  # the markers only split words: none in line
            kept.append(line)
            continue
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


def strip_blocks(run: list[Block], where: Callable[[str], str]) -> tuple[list[Block], list[Change]]:
    """An EPUB's blocks without site text: a block that is site text goes, a site
    sentence inside a block's text is cut out of it (``where`` names an entry)."""
    kept: list[Block] = []
    changes: list[Change] = []
    for block in run:
        whole = boilerplate.whole_line(block.text)
        if whole is not None:
            changes.append(
                Change(where(block.entry), block.line, "removed", whole.action, block.text)
            )
            continue
        if not boilerplate.in_line(block.text):
            kept.append(block)
            continue
        el = copy.deepcopy(block.el)
        for node in el.iter():
            named = isinstance(node.tag, str)  # a comment's text is not story text
            for attr in ("text", "tail") if node is not el else ("text",):
                value = getattr(node, attr) if named or attr == "tail" else None
                found = boilerplate.in_line(value) if value else []
                for f in found:
                    line = line_of(node, block.line)
                    text = value[f.start : f.end].strip()  # type: ignore[index]
                    changes.append(Change(where(block.entry), line, "removed", f.action, text))
                if found:
                    setattr(node, attr, boilerplate.cut(value, found))  # type: ignore[arg-type]
        kept.append(Block(block.entry, el, block.line))
    return kept, changes


_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})")
_EMPHASIS = re.compile(r"(\s*)([*_]{1,3})(\S.*?)\2(\s*)")  # a line in emphasis: *...*


def strip_lines(text: str, file: str, first_line: int) -> tuple[str, SiteText]:
    """A Markdown body without site text, line for line (a line that was all site
    text is blank, so that every other line keeps its number); code fences untouched.

    Most stories hold none of the words site text needs: they are given back as
    they are, without walking their lines (the SiteText then has no paragraphs)."""
    needs = boilerplate.needs_in(text.translate(_NO_MARKERS))
    if not needs:
        return text, SiteText([])
    lines = text.split("\n")
    paras: list[Para] = []
    marks: dict[int, str] = {}  # the emphasis around a whole line, taken off while it is read
    fenced = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and line.strip():
            wrapped = _EMPHASIS.fullmatch(line)
            if wrapped:
                marks[first_line + i], line = wrapped.group(2), wrapped.group(3)
            paras.append(Para(first_line + i, (line,)))
    site = strip_site_text(paras, file, needs)
    kept = {p.line: p.lines[0] for p in site.paras}
    for para in paras:
        line = kept.get(para.line, "")
        index = para.line - first_line
        if line == para.lines[0]:
            continue  # untouched: as written
        # What is left once its site text is cut, in the emphasis it had; nothing
        # when only Markdown's markers are left.
        mark = marks.get(para.line, "")
        lines[index] = f"{mark}{line.strip()}{mark}" if re.search(r"[^\W_]", line) else ""
    return "\n".join(lines), site
