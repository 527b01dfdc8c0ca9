"""An archive's work inside an EPUB (the Archive of Our Own's layout), read by its labels.

The archive makes its EPUBs by converting its HTML download with calibre,
which renames every class and splits the work into files: so the preface,
chapters and afterword are found by what they say, in the order they come.

* preface: "Preface", the "Posted originally on ... at URL" message, a list of
  "Label:" / value pairs (rating, warnings, fandoms ... stats), the title, the
  byline, "Summary" and "Notes" each above a quote, "See the end of the work";
* chapters: a heading, then "Chapter Summary" / "Chapter Notes" above quotes,
  the text, and "Chapter End Notes" above a quote;
* afterword: "Afterword", "End Notes" above a quote, the comment prompt.

Every block is accounted for: a field (reported as metadata), a note (moved),
the story's text, or the site's own words (removed and reported).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence

from packager.model import Change, Chapter
from packager.read.blocks import Block, Pictures, blocks, fragment, plain
from packager.read.body import Body
from packager.read.container import line_of
from packager.read.sitelabels import ARCHIVE_LABELS, first_date
from packager.read.sitetext import strip_blocks

_POSTED = re.compile(r"\bposted originally on the\b", re.IGNORECASE)
_SEE_END = re.compile(r"^see the end of the (?:work|chapter) for (?:more )?notes\.?$", re.I)
_COMMENT = re.compile(r"^please drop by the archive and comment\b", re.IGNORECASE)
_RELATED = re.compile(r"^(?:translation into|a translation of|inspired by|works inspired)", re.I)
_WORK_URL = re.compile(r"https?://\S+/works/\d+")
_SERIES_URL = re.compile(r"https?://\S+/series/\d+")
_BYLINE = re.compile(r"^by\s+(?P<names>\S.*)$", re.IGNORECASE)
# A heading at this level or above starts a chapter (the archive's are <h2>).
_CHAPTER_LEVEL = 3


def is_archive_preface(run: Sequence[Block]) -> bool:
    """Whether blocks (a document's first) are an archive's work preface."""
    for block in run[:8]:
        if _POSTED.search(block.text) or (block.tag == "dl" and _labelled(block) >= 2):
            return True
    return False


def _labelled(block: Block) -> int:
    return sum(1 for dt in block.el.iter("dt") if _label(plain(dt)) in ARCHIVE_LABELS)


def _work_message(block: Block) -> bool:
    """ "Posted originally on the Archive of Our Own at" a work's address."""
    return bool(_POSTED.search(block.text)) and not _SERIES_URL.search(_links(block))


def _links(block: Block) -> str:
    """A block's link targets and text: where the archive's addresses are."""
    return " ".join(a.get("href", "") for a in block.el.iter("a")) + " " + block.text


def _label(text: str) -> str:
    return text.rstrip(":").strip().casefold()


class ArchiveWork:
    """Reads one work's blocks into a Body; ``where(entry)`` names an entry in reports."""

    def __init__(
        self, run: Sequence[Block], where: Callable[[str], str], picture: Pictures | None = None
    ) -> None:
        self.run = list(run)
        self.where = where
        self.picture = picture
        self.body = Body()
        self.chapters: list[Chapter] = []
        self.pictures: list[Block] = []

    def change(self, block: Block, kind: str, action: str, text: str = "") -> None:
        if text:
            self.body.changes.append(
                Change(self.where(block.entry), block.line, kind, action, text)
            )
            return
        for line, words in block.lines():
            self.body.changes.append(Change(self.where(block.entry), line, kind, action, words))

    def read(self) -> Body:
        i = self._preface(0)
        i = self._chapters(i)
        self._afterword(i)
        self.body.chapters = tuple(self.chapters)
        return self.body

    # -- the preface ---------------------------------------------------------

    def _preface(self, i: int) -> int:
        run = self.run
        while i < len(run):
            block, label = run[i], _label(run[i].text)
            quoted = i + 1 < len(run) and run[i + 1].tag == "blockquote"
            if _POSTED.search(block.text) and _SERIES_URL.search(_links(block)):
                i = self._series_preface(i)
                continue
            if block.level and label == "preface":
                self.change(block, "removed", "archive heading")
            elif _POSTED.search(block.text):
                found = _WORK_URL.search(_links(block))
                if found:
                    self.body.meta["source_url"] = found.group(0).rstrip(".")
                self.change(block, "metadata", "source URL")
            elif block.tag == "dl" and _labelled(block):
                self._tags(block)
            elif block.level == 1 and not self.body.title:
                self.body.title = block.text
                self.change(block, "metadata", "title")
            elif self.body.title and "author" not in self.body.meta and _BYLINE.match(block.text):
                names = [plain(a) for a in block.el.iter("a")]
                byline = _BYLINE.sub(r"\g<names>", block.text)
                self.body.meta["author"] = [n for n in names if n] or [byline]
                self.change(block, "metadata", "author")
            elif label in ("summary", "notes") and quoted:
                self.change(block, "removed", "archive label")
                quote = run[i + 1]
                if label == "summary":
                    self.body.meta["summary_html"] = self._html([quote])
                    self.change(quote, "metadata", "summary")
                else:
                    self.body.notes_html += self._html([quote])
                    self.change(quote, "moved", "moved to notes")
                i += 1
            elif _SEE_END.match(block.text):
                self.change(block, "removed", "archive message")
            elif block.tag in ("ul", "ol") and _RELATED.match(block.text):
                self.body.notes_html += self._html([block])
                self.change(block, "moved", "moved to notes")
            else:
                return i
            i += 1
        return i

    def _series_preface(self, i: int) -> int:
        """A series download's own preface, before its first work's: its title is the
        works' series (when they do not name it); the rest is reported, left out."""
        run = self.run
        while i < len(run):
            block = run[i]
            if _work_message(block):
                break  # the first work's message
            heading = block.level and _label(block.text) == "preface"
            if heading and i + 1 < len(run) and _work_message(run[i + 1]):
                break  # the first work's preface heading
            if block.level == 1 and _label(block.text) != "preface":
                self.body.meta.setdefault("series", block.text)
                self.change(block, "metadata", "series")
            else:
                self.change(block, "removed", "series preface")
            i += 1
        return i

    def _tags(self, dl: Block) -> None:
        for dt in dl.el.iter("dt"):
            dd = dt.getnext()
            while dd is not None and not isinstance(dd.tag, str):
                dd = dd.getnext()
            if dd is None or dd.tag != "dd":
                continue
            label = _label(plain(dt))
            field = ARCHIVE_LABELS.get(label)
            value = plain(dd)
            line = line_of(dt, dl.line)
            text = f"{plain(dt)} {value}"
            where = self.where(dl.entry)
            if not field or (field == "stats" and not first_date(value)):
                self.body.changes.append(Change(where, line, "removed", "archive facts", text))
                continue
            self.body.changes.append(Change(where, line, "metadata", field, text))
            if field == "stats":
                self.body.meta.setdefault("date", first_date(value))
            elif field in ("series", "language", "rating"):
                self.body.meta[field] = value
            else:
                links = [plain(a) for a in dd.iter("a")]
                values = links or [v.strip() for v in value.split(",")]
                self.body.meta[field] = [*self.body.meta.get(field, []), *filter(None, values)]

    # -- chapters and afterword -------------------------------------------------

    def _chapters(self, i: int) -> int:
        run = self.run
        title: str | None = None
        line = run[i].line if i < len(run) else 1
        text: list[Block] = []
        notes, end_notes = "", ""
        started = False  # a chapter's text has begun (its header notes come before)

        def close() -> None:
            if text or title is not None or notes or end_notes:
                run, cut = strip_blocks(text, self.where)
                self.body.changes.extend(cut)
                self.chapters.append(Chapter(title, self._html(run), line, notes, end_notes))

        while i < len(run):
            block, label = run[i], _label(run[i].text)
            quoted = i + 1 < len(run) and run[i + 1].tag == "blockquote"
            if block.level and label == "afterword":
                break
            if 0 < block.level <= _CHAPTER_LEVEL and (started or title is None):
                close()
                title, line, text, notes, end_notes, started = (
                    block.text,
                    block.line,
                    [],
                    "",
                    "",
                    False,
                )
                self.change(block, "structure", "chapter", block.text)
            elif not started and quoted and label in ("chapter summary", "chapter notes"):
                self.change(block, "removed", "archive label")
                notes += self._html([run[i + 1]])
                self.change(run[i + 1], "moved", "chapter notes")
                i += 1
            elif _SEE_END.match(block.text):
                self.change(block, "removed", "archive message")
            elif quoted and label == "chapter end notes" and self._ends_chapter(i + 2):
                self.change(block, "removed", "archive label")
                end_notes += self._html([run[i + 1]])
                self.change(run[i + 1], "moved", "chapter end notes")
                i += 1
            else:
                started = True
                text.append(block)
            i += 1
        close()
        return i

    def _ends_chapter(self, i: int) -> bool:
        return i >= len(self.run) or 0 < self.run[i].level <= _CHAPTER_LEVEL

    def _afterword(self, i: int) -> None:
        run = self.run
        while i < len(run):
            block, label = run[i], _label(run[i].text)
            quoted = i + 1 < len(run) and run[i + 1].tag == "blockquote"
            if block.level and label == "afterword":
                self.change(block, "removed", "archive heading")
            elif label == "end notes" and quoted:
                self.change(block, "removed", "archive label")
                self.body.end_notes_html += self._html([run[i + 1]])
                self.change(run[i + 1], "moved", "moved to end notes")
                i += 1
            elif _COMMENT.match(block.text):
                self.change(block, "removed", "site message")
            else:  # works inspired by this one, or anything the layout does not name
                self.body.end_notes_html += self._html([block])
                self.change(block, "moved", "moved to end notes")
            i += 1

    def _html(self, run: Sequence[Block]) -> str:
        if len(run) == 1 and run[0].tag == "blockquote":
            # The archive's quote is a frame around the author's text, not a quotation.
            frame = copy.deepcopy(run[0].el)
            frame.tag = "div"
            run = blocks(frame, run[0].entry)
        made = fragment(run, self.picture)
        self.pictures.extend(made.pictures)
        for block in made.breaks:
            self.change(block, "removed", "scene break marker, drawn as a break")
        return made.html
