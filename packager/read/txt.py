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
from packager.read import recognize
from packager.read.body import Body
from packager.read.paragraphs import (
    Para,
    convert_remnants,
    hard_wrapped,
    inline,
    paragraphs,
)
from packager.text import html

TOP_WINDOW = 12  # paragraphs searched for header material
END_WINDOW = 10  # paragraphs searched for end material
_TITLE_MAX = 100
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
            debris = _debris(text)
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
        if self.known_title or self.out.title or not _title_like(para):
            return False
        if any(_debris(line) for line in para.stripped_lines):
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
            debris = _debris(clean)
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
        self.strip_footer()
        start = self.read_top()
        end = self.read_end(start)
        body = self.paras[start:end]
        quotes = _quote_blocks(body, self.wrapped)
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
                if _debris(para.plain):
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


def _debris(text: str) -> str | None:
    """What kind of site debris a line is, if it is any."""
    if recognize.is_counter_line(text):
        return "site counters"
    if recognize.is_leftover_line(text):
        return "site buttons"
    if recognize.is_position_line(text):
        return "chapter navigation"
    return None


def _title_like(para: Para) -> bool:
    text = para.plain
    if len(para.lines) != 1 or not text or len(text) > _TITLE_MAX or para.is_heading:
        return False
    if text.endswith((".", ",", ";", ":", '"', "'", "\u201d", "\u2019")) and not text.endswith(
        ".."
    ):
        return False
    if text.startswith(('"', "'", "\u201c", "\u2018", "-", "(")):
        return False
    return not (
        recognize.chapter_heading(text)
        or recognize.byline(text)
        or recognize.header_field(text)
        or recognize.note_kind(text)
        or recognize.is_scene_break(text)
        or recognize.is_end_mark(text)
    )


def _quote_blocks(paras: list[Para], wrapped: bool) -> list[tuple[int, int]]:
    """Runs of paragraphs that are letters or indented blocks: (first, last) index pairs."""
    blocks: list[tuple[int, int]] = []
    indents = [p.indent for p in paras]
    # The story's own indentation: the least that a quarter of its paragraphs use.
    usual = min((i for i in set(indents) if indents.count(i) * 4 >= len(indents)), default=0)
    deep = [p.indent >= usual + 2 and not recognize.is_scene_break(p.plain) for p in paras]
    if wrapped or sum(deep) > 0.6 * len(paras):
        deep = [False] * len(paras)  # indentation is the paragraph style here, not a quote
    i = 0
    while i < len(paras):
        if not deep[i]:
            i += 1
            continue
        first = last = i
        j = i + 1
        while j < len(paras):
            if deep[j]:
                last = j
            elif not (j + 1 < len(paras) and deep[j + 1]):
                break  # one plain paragraph between indented ones stays inside
            j += 1
        if first > 0 and recognize.is_salutation(paras[first - 1].plain):
            first -= 1
        if last + 1 < len(paras) and _sign_off(paras[last + 1]):
            last += 1
            if last + 1 < len(paras) and _signature(paras[last + 1]):
                last += 1
        blocks.append((first, last))
        i = last + 1
    return blocks + _letters(paras, blocks)


def _letters(paras: list[Para], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Unindented letters: paragraphs ending in a valediction ('With Love,').

    The letter starts after a salutation, or at a paragraph set off by two or
    more blank lines, at most twelve paragraphs back; without one of those the
    text stays as it is.
    """
    used = {i for first, last in taken for i in range(first, last + 1)}
    found: list[tuple[int, int]] = []
    for end, para in enumerate(paras):
        if end in used or end == 0 or not recognize.is_valediction(para.plain):
            continue
        for start in range(end - 1, max(-1, end - 13), -1):
            if start in used:
                break
            if recognize.is_salutation(paras[start].plain) or paras[start].blank_before >= 2:
                last = end + 1 if end + 1 < len(paras) and _signature(paras[end + 1]) else end
                found.append((start, last))
                used.update(range(start, last + 1))
                break
    return found


def _sign_off(para: Para) -> bool:
    text = para.plain
    if para.is_heading or recognize.chapter_heading(text):
        return False
    return recognize.is_valediction(text) or (
        len(para.lines) == 1
        and len(text) <= 80
        and not text.endswith((".", "!", "?", '"', "\u201d"))
        and not recognize.is_scene_break(text)
    )


def _signature(para: Para) -> bool:
    """A name under a letter's closing line: one to three capitalised words."""
    words = para.plain.rstrip(".").split()
    if para.is_heading or recognize.chapter_heading(para.plain):
        return False
    return 0 < len(words) <= 3 and all(w[:1].isupper() for w in words) and len(para.lines) == 1
