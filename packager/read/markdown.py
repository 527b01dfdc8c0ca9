"""Markdown stories (CommonMark via markdown-it-py) with YAML front matter.

Headings become chapters: the highest heading level in the story is the
chapter level, except that a single top heading at the very start, in a story
whose front matter gives no title, is the story's title.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from packager.errors import parsing, warning
from packager.model import Change, Chapter, Diagnostic, Note
from packager.read import mdnotes
from packager.text import html, sanitize
from packager.text.notes import NOTE_CLOSE, NOTE_OPEN, calls_from_markers

# Lines that plain-text writers use for scene breaks but that mean something
# else in CommonMark ("~~~" opens a code fence that would swallow the rest of
# the story, a lone "#" is an empty heading). Between blank lines they are
# scene breaks here too.
# Processing instructions and declarations: CommonMark passes them on as raw
# HTML, the sanitizer drops them, and the words in them would go with them.
_NOT_A_TAG = re.compile(r"<(?:\?|!(?!--))")
_SCENE_BREAK_LINE = re.compile(r"^[ \t]*(?:~{3,}|#)[ \t]*$")


@cache
def _fragment_parser() -> MarkdownIt:
    # markdown-it stops nesting blocks at maxNesting and drops what lies deeper
    # (20 by default: 21 levels of "> " would lose the words). Above the
    # depth cap, so that too deep is an error (sanitize.TooDeep), never a loss.
    return MarkdownIt("commonmark", {"html": True, "maxNesting": sanitize.MAX_DEPTH + 10})


@cache
def _parser() -> MarkdownIt:
    """A story body's parser: CommonMark with footnotes (packager.read.mdnotes)."""
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": sanitize.MAX_DEPTH + 10})
    md.use(footnote_plugin, move_to_end=False)
    md.add_render_rule("footnote_ref", mdnotes.render_call)
    return md


def render_fragment(text: str, file: str, first_line: int = 1) -> tuple[str, list[Diagnostic]]:
    """Markdown text (a summary, an author's note) to a sanitized XHTML fragment."""
    md = _fragment_parser()
    with parsing("cannot read this Markdown", file, first_line):
        tokens = md.parse(text)
    problems = _defuse_raw_html(tokens, file, first_line)
    return sanitize.sanitize(md.renderer.render(tokens, md.options, {})), problems


class MarkdownBody:
    """The chapters of a Markdown story body, and what reading it changed."""

    def __init__(self, body: str, file: str, first_line: int, known_title: str) -> None:
        self.file = file
        self.first_line = first_line
        self.title = ""
        self.changes: list[Change] = []
        self.diagnostics: list[Diagnostic] = []
        md = _parser()
        env: dict[str, object] = {}
        with parsing("cannot read this Markdown", file):
            tokens = md.parse(_scene_breaks(body), env)
        self.diagnostics.extend(_defuse_raw_html(tokens, file, first_line, self.changes))
        defined = mdnotes.take_definitions(tokens, env, self._render, file, first_line)
        tokens = defined.tokens
        self.notes: list[Note] = defined.notes
        self.diagnostics.extend(defined.diagnostics)
        for tok in tokens:
            if tok.type == "fence" and tok.info.strip():
                # "```python": the label names the code's language; not shown.
                self.changes.append(
                    Change(file, self._line(tok), "removed", "code block label", tok.info.strip())
                )
        levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
        top = min(levels, default=0)
        if top and tokens[0].type == "heading_open" and int(tokens[0].tag[1]) == top:
            heading = _inline_text(tokens[1])
            line = self._line(tokens[0])
            if known_title and heading.casefold() == known_title.casefold():
                # The title repeated as the first line: the opener shows it already.
                self.changes.append(Change(file, line, "removed", "repeated title", heading))
                tokens = tokens[3:]
            elif not known_title and levels.count(top) == 1:
                self.title = heading
                self.changes.append(Change(file, line, "metadata", "title", heading))
                tokens = tokens[3:]
            levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
            top = min(levels, default=0)
        self.chapters = tuple(self._chapters(tokens, top))

    def _line(self, token: Token) -> int:
        return self.first_line + (token.map[0] if token.map else 0)

    def _render(self, tokens: list[Token]) -> str:
        md = _parser()
        return sanitize.sanitize(md.renderer.render(tokens, md.options, {}))

    def _chapters(self, tokens: list[Token], level: int) -> list[Chapter]:
        chapters: list[Chapter] = []
        title: str | None = None
        line = self.first_line
        run: list[Token] = []

        def flush() -> None:
            try:
                fragment = calls_from_markers(self._render(run))
            except sanitize.TooDeep as exc:
                exc.line = next((self._line(t) for t in run if t.map and _deep(t)), line)
                raise
            if title is not None or fragment.strip():
                chapters.append(Chapter(title, fragment, line))

        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open" and int(tok.tag[1]) == level:
                flush()
                title, line, run = _inline_text(tokens[i + 1]), self._line(tok), []
                i += 3
                continue
            if tok.type in ("heading_open", "heading_close") and level:
                # Sub-headings sit below the chapter heading (h2) in the book.
                tok.tag = f"h{min(6, 2 + int(tok.tag[1]) - level)}"
            if not run and title is None and tok.map:
                line = self._line(tok)  # an untitled opening starts at its first line
            run.append(tok)
            i += 1
        flush()
        return chapters


_COMMENT = re.compile(r"<!--(.*?)-->", re.S)


def _show_as_text(tok: Token) -> None:
    if tok.type == "html_inline":
        tok.type = "text"
    else:
        tok.content = f"<p>{html.escape(tok.content.strip())}</p>\n"


def _deep(token: Token) -> bool:
    """Whether a block token, or the inline markup inside it, nests deeply."""
    return token.level > 20 or any(c.level > 20 for c in token.children or [])


def _scene_breaks(body: str) -> str:
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if _SCENE_BREAK_LINE.match(line):
            before = i == 0 or not lines[i - 1].strip()
            after = i + 1 == len(lines) or not lines[i + 1].strip()
            if before and after:
                lines[i] = "***"
    return "\n".join(lines)


def _inline_text(token: Token) -> str:
    """The plain text of a heading's inline token (emphasis markers removed)."""
    md = _parser()
    rendered = md.renderer.render(token.children or [], md.options, {})
    # A note called in a heading is printed at the story's end: no number in the title.
    text = html.text_of(sanitize.sanitize(rendered))
    return " ".join(re.sub(f"{NOTE_OPEN}[0-9]+{NOTE_CLOSE}", " ", text).split())


def _defuse_raw_html(
    tokens: list[Token], file: str, first_line: int, changes: list[Change] | None = None
) -> list[Diagnostic]:
    """Show raw HTML that the sanitizer would remove as text, so no words vanish.

    HTML comments are the writer's hidden notes: removed, and each of their
    lines reported in ``changes``. A comment that is never closed would hide
    the rest of the story (CommonMark runs it to the end): shown as text.
    """
    problems: list[Diagnostic] = []
    for token in tokens:
        inline = token.children or []
        breaks = 0  # line breaks seen so far inside this paragraph
        for tok in [token, *inline]:
            if tok.type in ("softbreak", "hardbreak"):
                breaks += 1
            if tok.type not in ("html_block", "html_inline"):
                continue
            line = first_line + (token.map[0] if token.map else 0) + breaks
            if "<!--" in tok.content and "-->" not in tok.content.split("<!--", 1)[1]:
                problems.append(warning("an HTML comment '<!--' is never closed; shown as text",
                                        file, line))  # fmt: skip
                _show_as_text(tok)
                continue
            for match in _COMMENT.finditer(tok.content):
                start = line + tok.content.count("\n", 0, match.start())
                if changes is None:  # a summary or a note: warn, there is no change list
                    problems.append(warning("removed an HTML comment", file, start))
                for i, text in enumerate(match.group(1).split("\n")):
                    if text.strip() and changes is not None:
                        changes.append(
                            Change(file, start + i, "removed", "HTML comment", text.strip())
                        )
            if _NOT_A_TAG.match(tok.content.lstrip()):  # "<?php", "<!DOCTYPE", "<![CDATA["
                problems.append(warning("markup that is not an HTML element; shown as text",
                                        file, line))  # fmt: skip
                _show_as_text(tok)
                continue
            bad = sanitize.disallowed_tags(tok.content)
            if not bad:
                continue
            problems.append(
                warning(f"raw HTML <{bad[0]}> is not allowed in a story; shown as text", file, line)
            )
            _show_as_text(tok)
    return list(dict.fromkeys(problems))  # "<script>" and "</script>": one warning
