"""Plain-text stories, read the way a careful editor reads a pasted story.

Text is data: it is escaped, never parsed as HTML (HTML remnants such as
``&nbsp;`` or ``<i>`` are converted, and reported). The story is read in
three regions:

* the top: site counters and buttons (removed), a title line, a byline,
  header lines ("Rating: T"), author's notes and disclaimers (moved to the
  notes), then an epigraph (verse with an attribution line);
* the end: buttons and counters (removed), author's notes and disclaimers
  (moved to the end notes), an end mark ("- fin -", kept and styled);
* the body: chapter headings, scene breaks, letters and other indented
  blocks (block quotes), verse (line breaks kept), paragraphs.

Everything removed or moved is reported with its line; a line that only
looks like debris in the middle of the story is kept, with a warning.
"""

from __future__ import annotations

import dataclasses
import re

from packager.errors import warning
from packager.model import Change, Chapter
from packager.read import recognize, shapes
from packager.read.body import Body
from packager.read.paragraphs import (
    Para,
    convert_remnants,
    hard_wrapped,
    inline,
    paragraphs,
)
from packager.read.sitetext import strip_site_text
from packager.text import html

TOP_WINDOW = 12  # paragraphs searched for header material
END_WINDOW = 10  # paragraphs searched for end material
_VERSE_LINE = 60  # a line this short, in a paragraph of several, is a verse line
_LIST_FIELDS = {"relationships", "fandoms", "characters", "warnings", "tags"}
# Words that make a short paragraph next to an author's note look like part of it.
_NOTE_WORDS = re.compile(
    r"\b(?:thanks?|thank you|review|comment|kudos|reading|update|beta|chapter|fic|enjoy"
    r"|hope you|please|follow)\b",
    re.IGNORECASE,
)
_DIALOGUE = re.compile(r"[\"“”]")
_DISCLAIMER_LABEL = re.compile(r"^[\s*_~(\[]*disclaimers?\s*[:\-–—]?\s*", re.IGNORECASE)


class _Reader:
    def __init__(self, paras: list[Para], file: str, known_title: str) -> None:
        self.file = file
        self.out = Body()
        self.paras = paras
        self.wrapped, self.width = hard_wrapped(self.paras)
        self.known_title = known_title
        self.top_notes: list[Para] = []
        self.end_notes: list[Para] = []
        self.epigraph: list[Para] = []
        self.end_mark: Para | None = None

    def change(self, para: Para, kind: str, action: str, text: str | None = None) -> None:
        if kind == "removed" and text is None and len(para.lines) > 1:
            # Every line removed is named, so each word of the paragraph can be found again.
            for i, line in enumerate(para.stripped_lines):
                self.out.changes.append(Change(self.file, para.line + i, kind, action, line))
            return
        self.out.changes.append(Change(self.file, para.line, kind, action, text or para.plain))

    # -- the end -------------------------------------------------------------

    def strip_footer(self) -> None:
        if not self.paras:
            return
        last = self.paras[-1]
        footer = recognize.site_footer(last.lines[-1])
        if footer:
            kept = last.lines[-1][: len(last.lines[-1]) - len(footer)]
            line = last.line + len(last.lines) - 1
            self.out.changes.append(
                Change(self.file, line, "removed", "site footer", footer.strip())
            )
            lines = (*last.lines[:-1], kept) if kept.strip() else last.lines[:-1]
            if lines:
                self.paras[-1] = Para(last.line, lines, last.blank_before)
            else:
                self.paras.pop()

    def read_end(self, start: int) -> int:
        """Take debris, notes and the end mark off the end; return where the text ends."""
        end = len(self.paras)
        floor = max(start, end - END_WINDOW)
        while end > floor:
            para = self.paras[end - 1]
            text = para.plain
            debris = shapes.debris(text)
            if debris:
                self.change(para, "removed", debris)
            elif recognize.note_kind(text):
                self.end_notes.insert(0, para)
                self.change(para, "moved", "moved to end notes")
            elif recognize.is_scene_break(text) and (self.end_notes or self.end_mark):
                self.change(para, "structure", "scene break before the end dropped")
            elif recognize.is_end_mark(text) and self.end_mark is None:
                self.end_mark = para
                self.change(para, "structure", "end mark")
            else:
                break
            end -= 1
        self._warn_after_notes(start, end)
        return end

    def _warn_after_notes(self, start: int, end: int) -> None:
        # An unmarked paragraph just before end notes is kept as story text; if it
        # belongs to the note, the editor should know to move it.
        if self.end_notes and end > start:
            para = self.paras[end - 1]
            text = para.plain
            if len(text) < 200 and _NOTE_WORDS.search(text) and not _DIALOGUE.search(text):
                self.out.diagnostics.append(
                    warning(
                        "short paragraph before the end notes kept as story text; "
                        "if it belongs to the note, add a note marker (A/N:)",
                        self.file,
                        para.line,
                    )
                )

    # -- the top -------------------------------------------------------------

    def read_top(self) -> int:
        """Take header material off the top; return where the story text starts."""
        i = 0
        seen_text = False
        limit = min(len(self.paras), TOP_WINDOW)
        while i < limit:
            para = self.paras[i]
            text = para.plain
            if not seen_text and self._title(para):
                seen_text = True
            elif recognize.note_kind(text):
                self.top_notes.append(para)
                self.change(para, "moved", "moved to notes")
            elif self._header_lines(para):
                seen_text = True
            else:
                break
            i += 1
        return self._epigraph(i)

    def _title(self, para: Para) -> bool:
        if len(para.lines) > 1:  # "Title" with its byline or header lines right under it
            head = dataclasses.replace(para, lines=para.lines[:1])
            rest = dataclasses.replace(para, line=para.line + 1, lines=para.lines[1:])
            if not self._title(head):
                return False
            if not self._header_lines(rest):
                self.out.title = ""  # not a title block after all: the lines stay text
                self.out.changes.pop()
                return False
            return True
        text = para.plain
        if self.known_title or self.out.title or not shapes.title_like(para):
            return False
        if any(shapes.debris(line) for line in para.stripped_lines):
            return False
        if len(self.paras) < 2:
            return False
        self.out.title = text
        self.change(para, "metadata", "title")
        return True

    def _header_lines(self, para: Para) -> bool:
        """A paragraph made only of header lines: bylines, 'Rating: T', counters, buttons."""
        lines = para.stripped_lines
        plans: list[tuple[str, str, str]] = []
        for line in lines:
            clean = line.translate(str.maketrans("", "", "\ue000\ue001\ue002\ue003"))
            name = recognize.byline(clean)
            field_ = recognize.header_field(clean)
            debris = shapes.debris(clean)
            if debris:
                plans.append(("removed", debris, clean))
            elif name and "author" not in self.out.meta:
                plans.append(("author", name, clean))
            elif field_ and field_.field not in self.out.meta:
                plans.append((field_.field, field_.value, clean))
            else:
                return False
        for kind, value, line in plans:
            number = para.line + lines.index(line) if line in lines else para.line
            if kind == "removed":
                self.out.changes.append(Change(self.file, number, "removed", value, line))
            elif kind == "words":
                self.out.changes.append(Change(self.file, number, "removed", "word count", line))
            elif kind == "title":
                self.out.title = value
                self.out.changes.append(Change(self.file, number, "metadata", "title", line))
            else:
                store = [v.strip() for v in value.split(",")] if kind in _LIST_FIELDS else value
                self.out.meta[kind] = store
                self.out.changes.append(Change(self.file, number, "metadata", kind, line))
        return True

    def _epigraph(self, start: int) -> int:
        """Verse at the top ending in an attribution line is an epigraph."""
        for end in range(start, min(start + 6, len(self.paras))):
            para = self.paras[end]
            lines = para.stripped_lines
            if recognize.is_attribution(lines[-1]) and (end > start or len(lines) > 1):
                block = self.paras[start : end + 1]
                body_lines = [ln for p in block for ln in p.stripped_lines][:-1]
                if body_lines and all(len(ln) <= 90 for ln in body_lines):
                    self.epigraph = block
                    self.change(block[0], "structure", "epigraph", " / ".join(body_lines[:2]))
                    return end + 1
                return start
            if any(len(line) > 90 for line in lines) or len(lines) > 16:
                return start
        return start

    # -- the body ------------------------------------------------------------

    def read(self) -> Body:
        site = strip_site_text(self.paras, self.file)
        self.paras = site.paras
        self.out.changes.extend(site.changes)
        self.strip_footer()
        start = self.read_top()
        site.fill(self.out, self.known_title)
        end = self.read_end(start)
        body = self.paras[start:end]
        quotes = shapes.quote_blocks(body, self.wrapped)
        for first, _ in quotes:
            self.change(body[first], "structure", "block quote", body[first].plain[:60])
        chapters: list[Chapter] = []
        parts: list[str] = [self._epigraph_html()] if self.epigraph else []
        title: str | None = None
        line = body[0].line if body else (self.paras[0].line if self.paras else 1)
        i = 0
        while i < len(body):
            para = body[i]
            block = next((q for q in quotes if q[0] == i), None)
            if block is not None:
                inner = "".join(self._para_html(p, in_quote=True) for p in body[i : block[1] + 1])
                parts.append(f'<blockquote class="quoted">{inner}</blockquote>')
                i = block[1] + 1
                continue
            heading = recognize.chapter_heading(para.plain) if len(para.lines) == 1 else None
            if heading is None and para.is_heading:
                heading = para.plain.strip()
            if heading:
                if parts or title is not None:
                    chapters.append(Chapter(title, html.normalize("".join(parts)), line))
                title, line, parts = heading, para.line, []
                self.change(para, "structure", "chapter")
            elif recognize.is_position_line(para.plain):
                self.change(para, "removed", "chapter navigation")
            else:
                if shapes.debris(para.plain):
                    self.out.diagnostics.append(
                        warning(
                            "looks like site debris but is inside the story; kept",
                            self.file,
                            para.line,
                        )
                    )
                parts.append(self._para_html(para))
            i += 1
        if self.end_mark is not None:
            parts.append(f'<p class="end-mark">{inline(self.end_mark.text)}</p>')
        if parts or title is not None:
            chapters.append(Chapter(title, html.normalize("".join(parts)), line))
        self.out.chapters = tuple(chapters)
        self.out.changes.sort(key=lambda c: c.line)
        self._notes()
        return self.out

    def _para_html(self, para: Para, in_quote: bool = False) -> str:
        text = para.plain
        if recognize.is_scene_break(text):
            if any(c.isalnum() for c in text):  # "-x-", "oOo": its letters are not shown
                self.change(para, "removed", "scene break marker, drawn as a break")
            return "<hr/>"
        lines = para.stripped_lines
        verse = len(lines) > 1 and (
            not self.wrapped or all(len(ln) < 0.6 * self.width for ln in lines)
        )
        if verse:
            css = ' class="verse"' if all(len(ln) <= _VERSE_LINE for ln in lines) else ""
            return f"<p{css}>" + "<br/>".join(inline(ln) for ln in lines) + "</p>"
        css = ""
        if in_quote and (recognize.is_salutation(text) or recognize.is_valediction(text)):
            css = ' class="letter-line"'
        return f"<p{css}>{inline(para.text)}</p>"

    def _epigraph_html(self) -> str:
        lines = [ln for p in self.epigraph for ln in p.stripped_lines]
        stanzas: list[list[str]] = []
        count = 0
        for para in self.epigraph:
            stanza = para.stripped_lines
            count += len(stanza)
            stanzas.append(stanza[:-1] if count == len(lines) else stanza)
        body = "".join(
            "<p>" + "<br/>".join(inline(ln) for ln in stanza) + "</p>"
            for stanza in stanzas
            if stanza
        )
        attribution = f'<p class="attribution">{inline(lines[-1])}</p>'
        return f'<blockquote class="epigraph">{body}{attribution}</blockquote>'

    def _notes(self) -> None:
        self.out.notes_html = _notes_html(self.top_notes)
        self.out.end_notes_html = _notes_html(self.end_notes)
        # A disclaimer at the end also shows on the story's opener, under its own label.
        self.out.disclaimer_html = html.normalize(
            "".join(
                f"<p>{inline(_DISCLAIMER_LABEL.sub('', p.text))}</p>"
                for p in self.end_notes
                if recognize.note_kind(p.plain) == "disclaimer"
            )
        )


def read_body(body: str, file: str, first_line: int, known_title: str) -> Body:
    """Read a plain-text story body (after any front matter)."""
    text, remnants = convert_remnants(body, file, first_line)
    found = read_paragraphs(paragraphs(text, first_line), file, known_title)
    found.changes[:0] = remnants
    found.changes.sort(key=lambda c: c.line)
    return found


def read_paragraphs(paras: list[Para], file: str, known_title: str) -> Body:
    """Find the structure of a story given as paragraphs (from text, HTML or Word)."""
    return _Reader(paras, file, known_title).read()


def _notes_html(paras: list[Para]) -> str:
    return html.normalize("".join(f"<p>{inline(p.text)}</p>" for p in paras))
