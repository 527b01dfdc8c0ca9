"""Footnotes in Markdown (pandoc's syntax, mdit-py-plugins' footnote plugin).

``Text.[^label]`` calls a note defined anywhere as ``[^label]: text`` (its
further paragraphs indented), and ``^[text]`` is a note written where it is
called. The plugin numbers notes in the order of their first call. Its own
output (ids with colons, no epub:type, a "↩" backlink, definitions that are
never called silently dropped) is not used: calls render as packager's
markers and each definition is taken out of the token stream here, so that
every word of it is kept, called or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packager.errors import warning
from packager.model import Diagnostic, Note
from packager.text import notes as calls

if TYPE_CHECKING:
    from markdown_it.token import Token


def render_call(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """The render rule for a call: the note's number between call markers."""
    return calls.marker(int(tokens[idx].meta["id"]) + 1)


@dataclass
class Definitions:
    """The notes a Markdown body defines, taken out of its tokens."""

    tokens: list[Token]  # the body without the definitions
    notes: list[Note] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def take_definitions(
    tokens: list[Token],
    env: dict[str, Any],
    render: Callable[[list[Token]], str],
    file: str,
    first_line: int,
) -> Definitions:
    """Every ``[^label]:`` definition and ``^[inline]`` note of a parsed body, as notes.

    ``render`` turns tokens into safe XHTML (the caller's renderer and sanitizer).
    A definition that nothing calls keeps its words: it is printed at the
    story's end, with a warning.
    """
    data = env.get("footnotes") or {}
    refs: dict[str, int] = dict(data.get("refs", {}))
    listed: dict[int, dict[str, Any]] = dict(data.get("list", {}))
    body: list[Token] = []
    found = Definitions(body)
    defined: list[tuple[str, int, list[Token]]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type != "footnote_reference_open":
            body.append(tok)
            i += 1
            continue
        depth, j = 1, i + 1
        while depth and j < len(tokens):
            depth += {"footnote_reference_open": 1, "footnote_reference_close": -1}.get(
                tokens[j].type, 0
            )
            j += 1
        line = first_line + (tok.map[0] if tok.map else 0)
        defined.append((str(tok.meta["label"]), line, tokens[i + 1 : j - 1]))
        i = j
    next_number = len(listed) + 1
    seen: set[str] = set()
    for label, line, inner in defined:
        number = refs.get(":" + label, -1) + 1  # 0: never called
        if label in seen:
            message = f"footnote [^{label}] is defined twice; the second is printed at the end"
            found.diagnostics.append(warning(message, file, line))
            number = 0
        elif not number:
            message = f"footnote [^{label}] is never called; printed at the story's end"
            found.diagnostics.append(warning(message, file, line))
        seen.add(label)
        if not number:
            number, next_number = next_number, next_number + 1
        inner = [t for t in inner if t.type != "footnote_reference_open"]
        found.notes.append(Note(number, calls.calls_from_markers(render(inner)), line))
    for index, entry in listed.items():
        if "tokens" in entry:  # ^[an inline note]: its text where it is called
            paragraph = _paragraph(entry["tokens"], entry.get("content", ""))
            html = calls.calls_from_markers(render(paragraph))
            found.notes.append(Note(index + 1, html, _line_of(body, index, first_line)))
    found.notes.sort(key=lambda n: n.number)
    return found


def _paragraph(children: list[Token], content: str) -> list[Token]:
    from markdown_it.token import Token  # only a story with inline notes needs it

    inline = Token("inline", "", 0, children=children, content=content)
    return [Token("paragraph_open", "p", 1, block=True), inline,
            Token("paragraph_close", "p", -1, block=True)]  # fmt: skip


def _line_of(tokens: list[Token], index: int, first_line: int) -> int:
    """The line of the paragraph that calls note ``index`` (an inline note is written there)."""
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "footnote_ref" and child.meta.get("id") == index:
                return first_line + (tok.map[0] if tok.map else 0)
    return first_line
