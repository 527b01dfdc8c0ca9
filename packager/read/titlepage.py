"""A download tool's title page of "Label: value" lines (FanFicFare's), and its log page.

FanFicFare opens its EPUBs with a title page: "Title by Author" (links to the
site), then one line per entry ("Rating: T", "Summary: ..."), and may add an
"Update Log" page. The entries fill the story's fields; what is a fact about
the download (word counts, status, the packaging date) is removed and reported.
"""

from __future__ import annotations

import html
import re

import lxml.etree as etree

from packager.model import Change
from packager.read.blocks import HEADINGS, plain, text_lines
from packager.read.body import Body
from packager.read.container import line_of
from packager.read.sitelabels import LIST_FIELDS, TITLE_PAGE_LABELS, first_date

_ENTRY = re.compile(r"^(?P<label>[^:]{1,30}?)\s*:\s*(?P<value>.*)$")
_MIN_ENTRIES = 3  # fewer known labels than this: not a title page of entries
_LOG_TITLE = "update log"


def _entries(lines: list[tuple[int, str]]) -> list[tuple[str, list[tuple[int, str]]]]:
    """(label, lines) for each known label in order; other lines under label ''."""
    found: list[tuple[str, list[tuple[int, str]]]] = []
    for line, text in lines:
        match = _ENTRY.match(text)
        label = match.group("label").casefold() if match else ""
        if label in TITLE_PAGE_LABELS:
            found.append((label, [(line, text)]))
        elif found and found[-1][0]:
            found[-1][1].append((line, text))  # a value over several lines: a summary
        else:
            found.append(("", [(line, text)]))
    return found


def is_title_page(body: etree._Element) -> bool:
    """Whether a document is a title page of "Label: value" entries."""
    known = [label for label, _ in _entries(text_lines(body)[:60]) if label]
    return len(set(known)) >= _MIN_ENTRIES


def is_log_page(body: etree._Element) -> bool:
    """FanFicFare's "Update Log": the dates and counts of each download."""
    lines = text_lines(body)
    return bool(lines) and lines[0][1].casefold() == _LOG_TITLE


def read_title_page(body: etree._Element, where: str, out: Body) -> None:
    """Fill ``out`` from a title page; every line reported as metadata or removed."""
    lines = text_lines(body)
    heading = next(body.iter(*HEADINGS), None)
    if heading is not None and lines and lines[0][1] == plain(heading):
        _title_line(heading, where, out)
        lines = lines[1:]
    for label, run in _entries(lines):
        field = TITLE_PAGE_LABELS.get(label, "")
        if not field:
            action = "download facts" if label else "title page"
            out.changes.extend(Change(where, n, "removed", action, t) for n, t in run)
            continue
        out.changes.extend(Change(where, n, "metadata", field, t) for n, t in run)
        first = _ENTRY.sub(r"\g<value>", run[0][1])
        values = [first, *(t for _, t in run[1:])]
        if field == "summary":
            out.meta["summary_html"] = "".join(f"<p>{html.escape(v)}</p>" for v in values if v)
        elif field == "date":
            out.meta.setdefault("date", first_date(first))
        elif field in LIST_FIELDS:
            items = [v.strip() for v in " ".join(values).split(",")]
            out.meta[field] = [*out.meta.get(field, []), *filter(None, items)]
        elif field == "author":
            out.meta["author"] = [v.strip() for v in re.split(r",|\s&\s", first) if v.strip()]
        elif field == "title":
            out.title = out.title or first
        else:
            out.meta[field] = first


def _title_line(heading: etree._Element, where: str, out: Body) -> None:
    """'<a>Title</a> by <a>Author</a>': the title and the author."""
    text = plain(heading)
    links = [plain(a) for a in heading.iter("a")]
    title, _, byline = text.rpartition(" by ") if " by " in text else (text, "", "")
    if len(links) >= 2 and text.startswith(links[0]):
        title, names = links[0], links[1:]
    else:
        names = [byline] if byline else []
    line = line_of(heading, 1)
    out.title = title
    out.changes.append(Change(where, line, "metadata", "title", text))
    if names:
        out.meta["author"] = names


def report_page(body: etree._Element, where: str, action: str) -> list[Change]:
    """A page left out of the book: each of its lines (and pictures), reported as removed."""
    changes = [Change(where, n, "removed", action, t) for n, t in text_lines(body)]
    for img in body.iter("img"):
        alt = " ".join((img.get("alt") or "").split())
        changes.append(Change(where, line_of(img), "removed", action, f"[{alt}]" if alt else ""))
    return changes or [Change(where, line_of(body), "removed", action, "")]
