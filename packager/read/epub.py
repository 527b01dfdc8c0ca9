"""EPUB files as stories: an archive's download, a FanFicFare book, or any EPUB.

The container is read within bounds (packager.read.container), the package
document gives the metadata and the reading order, and each document of the
spine is read for what it is:

* an archive's work (the Archive of Our Own's preface, chapters, afterword):
  its fields, notes and chapters by their labels (packager.read.archivework);
* a title page of "Label: value" entries (FanFicFare's) fills the fields,
  its log page is left out (packager.read.titlepage);
* navigation, contents, cover and title pages are left out; every other
  document is story text, in chapters where its headings say.

Whatever is left out is reported with the file and the entry it came from
("stories/work.epub/OEBPS/title_page.xhtml:3"). An EPUB that holds several
works is one story unless ``split`` asks for one story per work.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from packager.errors import StoryError, warning
from packager.model import Change, Chapter, Diagnostic, Severity
from packager.read import titlepage
from packager.read.archivework import ArchiveWork
from packager.read.blocks import Block, fragment
from packager.read.body import Body
from packager.read.container import Container, open_container
from packager.read.epubnotes import numbered, take_notes
from packager.read.epubpictures import ContainerPictures
from packager.read.package import Package, read_package
from packager.read.plainnotes import mark_plain_notes
from packager.read.sitetext import strip_blocks
from packager.read.spine import Doc, Parsed, document, parse, works_of
from packager.text import hygiene, sanitize
from packager.text.notes import calls_from_markers

_LEFT_OUT = {
    "nav": "navigation",
    "contents": "contents page",
    "cover": "cover page",
    "title": "title page",
    "log": "log page",
    "notes": "notes page heading",  # its notes are the story's notes
    "aside": "document out of the reading order",  # linear="no"; its notes are the story's
}
_CHAPTER_LEVEL = 3  # headings at this level or above may start chapters


def read_epub(data: bytes, file: str, split: bool = False) -> list[Body]:
    """The story (or with ``split``, each work) of an EPUB file."""
    box = open_container(data, file)
    package = read_package(box)
    parsed = [parse(box, entry) for entry in package.spine]
    aside_entries, aside_parsed, damaged = _parse_aside(box, package)
    parsed += aside_parsed
    entries = (*package.spine, *aside_entries)  # the reading order, then pop-up notes
    trees = [(entry, p.body) for entry, p in zip(entries, parsed, strict=True)]
    mark_plain_notes(trees)  # calibre's EPUB 2 notes, as EPUB 3 marks notes
    notes = take_notes(trees, box.where, package.aside)
    docs = [
        document(package, entry, i, p, notes[entry], linear=entry not in package.aside)
        for i, (entry, p) in enumerate(zip(entries, parsed, strict=True))
    ]
    # A document out of the reading order is no chapter: what its notes left is reported
    # with the first work (its notes went to the documents that call them).
    aside = [d for d in docs if d.kind == "aside"]
    works = works_of([d for d in docs if d.kind != "aside"])
    works[0].extend(aside)
    if split and len(works) > 1:
        bodies = [_read_work(w, box, package, alone=False) for w in works]
        bodies[0].diagnostics.extend(damaged)
        return bodies
    body = _read_work(docs, box, package, alone=True)
    body.diagnostics.extend(damaged)
    if split:
        body.diagnostics.append(warning("split = true, but the EPUB holds one work", file))
    elif len(works) > 1:
        body.diagnostics.append(
            warning(
                f"the EPUB seems to hold {len(works)} works, read as one story; "
                f'split = true under [stories."{file.rsplit("/", 1)[-1]}"] makes each a story',
                file,
            )
        )
    return [body]


def _parse_aside(
    box: Container, package: Package
) -> tuple[list[str], list[Parsed], list[Diagnostic]]:
    """The documents out of the reading order that can be read, and a warning for each
    that cannot: never read before their notes were, not worth refusing the EPUB for."""
    entries: list[str] = []
    parsed: list[Parsed] = []
    damaged: list[Diagnostic] = []
    for entry in package.aside:
        try:
            parsed.append(parse(box, entry))
            entries.append(entry)
        except StoryError as refused:
            damaged += [
                dataclasses.replace(
                    d, severity=Severity.WARNING, message=f"{d.message} (out of the reading "
                    "order: left out)"
                )
                for d in refused.problems
            ]  # fmt: skip
    return entries, parsed, damaged


def _read_work(docs: Sequence[Doc], box: Container, package: Package, alone: bool) -> Body:
    archive = any(d.kind == "preface" for d in docs)
    pictures_of = ContainerPictures(box)
    out = Body()
    left_out: list[Change] = []
    text: list[Doc] = []
    for doc in docs:
        where = box.where(doc.entry)
        left_out.extend(
            Change(where, line, "removed", f"<{tag}>", "" if what == "code" else what)
            for line, tag, what in doc.code
        )
        for line, what in doc.controls:
            left_out.append(Change(where, line, "repaired", "characters removed", what))
            out.diagnostics.append(warning(f"removed {what}", where, line))
        left_out.extend(doc.notes.changes)
        if doc.kind == "fields":
            titlepage.read_title_page(doc.body, where, out)
        elif doc.kind in _LEFT_OUT and not (archive and doc.kind == "title"):
            left_out.extend(titlepage.report_page(doc.body, where, _LEFT_OUT[doc.kind]))
        else:
            text.append(doc)
    if archive:
        work = ArchiveWork([b for d in text for b in d.blocks], box.where, pictures_of)
        found = work.read()
        pictures = work.pictures
        found.changes[:0] = out.changes
        found.diagnostics[:0] = out.diagnostics
        found.meta = {**out.meta, **found.meta}
        found.title = found.title or out.title
        out = found
    else:
        out.chapters, pictures = _chapters(text, box, out, pictures_of)
    # Every note of the work's documents, wherever it was: story.py attaches each to the
    # chapter that calls it first, and those never called to the last.
    numbered(out, [n for d in docs for n in d.notes.notes])
    out.changes.extend(left_out)
    out.embedded = pictures_of.embedded
    out.diagnostics.extend(
        warning("a picture the EPUB names but does not hold; left out, alt text kept",
                box.where(p.entry), p.line)
        for p in pictures
    )  # fmt: skip
    if alone:
        _with_package(
            out, package, generic=not archive and not any(d.kind == "fields" for d in docs)
        )
    elif package.language:
        out.meta.setdefault("language", package.language)
    _title_heading(out)
    _tidy_fields(out, box.file)
    order = {box.where(e): i for i, e in enumerate((*package.spine, *package.aside))}
    out.changes.sort(key=lambda c: (order.get(c.file, -1), c.line))  # in reading order
    return out


def _chapters(
    docs: Sequence[Doc], box: Container, out: Body, pictures_of: ContainerPictures
) -> tuple[tuple[Chapter, ...], list[Block]]:
    """Chapters where the documents' headings begin them; the pictures left out."""
    found: list[tuple[str | None, int, list[Block]]] = []
    level = 0
    for doc in docs:
        since_heading = False  # story text after the chapter's heading, in this document
        for k, block in enumerate(doc.blocks):
            heading = 0 < block.level <= _CHAPTER_LEVEL
            if heading and (k == 0 or (since_heading and block.level <= level)):
                level = min(level or block.level, block.level)
                found.append((block.text, block.line, []))
                out.changes.append(
                    Change(box.where(doc.entry), block.line, "structure", "chapter", block.text)
                )
                since_heading = False
                continue
            if not found:
                found.append((None, block.line, []))
            found[-1][2].append(block)
            since_heading = True
    chapters: list[Chapter] = []
    pictures: list[Block] = []
    for title, line, run in found:
        run, cut = strip_blocks(run, box.where)
        out.changes.extend(cut)
        made = fragment(run, pictures_of)
        pictures.extend(made.pictures)
        out.changes.extend(
            Change(
                box.where(b.entry),
                b.line,
                "removed",
                "scene break marker, drawn as a break",
                b.text,
            )
            for b in made.breaks
        )
        chapters.append(Chapter(title, calls_from_markers(made.html), line))
    return tuple(chapters), pictures


def _with_package(out: Body, package: Package, generic: bool) -> None:
    """The OPF's metadata where the documents said nothing.

    An archive's preface wins: calibre's OPF holds its authors as one name
    ("A, B": otwarchive's DownloadWriter passes them so) and all its tags as subjects.
    """
    out.title = out.title or package.title
    if package.authors and not out.meta.get("author"):
        out.meta["author"] = list(package.authors)
    for key, value in (
        ("language", package.language),
        ("date", package.date),
        ("source_url", package.source_url),
        ("series", package.series),
    ):
        if value and not out.meta.get(key):
            out.meta[key] = value
    if package.description and not out.meta.get("summary_html"):
        out.meta["summary_html"] = _description(package.description)
    if generic and package.subjects and not out.meta.get("tags"):
        out.meta["tags"] = list(package.subjects)


def _tidy_fields(out: Body, file: str) -> None:
    """Fields shown on the opener as the front matter's are: without control, invisible or
    direction-changing characters (an EPUB's metadata is as untrusted as its text)."""
    for key, value in list(out.meta.items()):
        if key.endswith("_html"):
            continue
        items = value if isinstance(value, list) else [value]
        tidied = []
        for item in items:
            text, notes = hygiene.label(str(item))
            out.diagnostics.extend(warning(f"{key}: {note}", file) for note in notes)
            tidied.append(text)
        out.meta[key] = tidied if isinstance(value, list) else tidied[0]


def _description(text: str) -> str:
    """The OPF's description: HTML (as calibre writes it) or plain paragraphs."""
    if re.search(r"<(?:p|div|br|em|i|b|strong)\b", text, re.IGNORECASE):
        return sanitize.sanitize(text)
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return sanitize.sanitize("".join(f"<p>{_escape(p)}</p>" for p in paras if p))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _title_heading(out: Body) -> None:
    """A first chapter headed by the story's own title: that heading is the title."""
    if not out.chapters or not out.title:
        return
    first = out.chapters[0]
    if first.title and first.title.casefold() == out.title.casefold():
        out.chapters = (dataclasses.replace(first, title=None), *out.chapters[1:])
        for i, change in enumerate(out.changes):
            if change.action == "chapter" and change.line == first.line:
                out.changes[i] = Change(change.file, change.line, "metadata", "title", change.text)
                break
