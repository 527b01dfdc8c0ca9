"""Plain-text stories: blank lines separate paragraphs, ``*word*`` is emphasis.

Text is data here: it is escaped, never parsed as HTML. A line made only of
scene-break symbols (``***``, ``* * *``, ``#``, ``~~~``) is a scene break. A
short first line that reads like a heading is the title when nothing else
names the story; that choice is reported so the editor can see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packager import html
from packager.model import Change, Chapter, Diagnostic

_SCENE_BREAK = re.compile(r"^[ \t]*(?:[*#~=_+\-•·][ \t]*)+$")
_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w])")
_TITLE_MAX = 100
_SENTENCE_END = tuple(".,;:!?\"'\u201d\u2019\u2026)")


@dataclass(frozen=True)
class Paragraph:
    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(part.strip() for part in self.lines)


@dataclass(frozen=True)
class TxtBody:
    title: str
    chapters: tuple[Chapter, ...]
    changes: tuple[Change, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


def paragraphs(body: str, first_line: int = 1) -> list[Paragraph]:
    """Split text into blank-line separated paragraphs, each with its first line."""
    found: list[Paragraph] = []
    current: list[str] = []
    start = first_line
    for offset, line in enumerate(body.split("\n")):
        if line.strip():
            if not current:
                start = first_line + offset
            current.append(line)
        elif current:
            found.append(Paragraph(start, tuple(current)))
            current = []
    if current:
        found.append(Paragraph(start, tuple(current)))
    return found


def read_body(body: str, file: str, first_line: int, known_title: str) -> TxtBody:
    paras = paragraphs(body, first_line)
    title = ""
    changes: list[Change] = []
    if not known_title and len(paras) > 1 and _looks_like_title(paras[0]):
        title = paras[0].text
        changes.append(Change(file, paras[0].line, "title", title))
        paras = paras[1:]
    parts = ["<hr/>" if _SCENE_BREAK.match(p.text) else f"<p>{inline(p.text)}</p>" for p in paras]
    chapter = Chapter(
        None, html.normalize("\n".join(parts)), paras[0].line if paras else first_line
    )
    return TxtBody(title, (chapter,) if paras else (), tuple(changes))


def inline(text: str) -> str:
    """Escape text and turn ``**strong**``, ``*em*`` and ``_em_`` into markup."""
    out = html.escape(text)
    if "*" in out:
        out = _STRONG.sub(r"<strong>\1</strong>", out)
        out = _EM_STAR.sub(r"<em>\1</em>", out)
    if "_" in out:
        out = _EM_UNDERSCORE.sub(r"<em>\1</em>", out)
    return out


def _looks_like_title(para: Paragraph) -> bool:
    text = para.text
    return (
        len(para.lines) == 1
        and len(text) <= _TITLE_MAX
        and not text.endswith(_SENTENCE_END)
        and not text.startswith(('"', "'", "\u201c", "\u2018"))
        and not _SCENE_BREAK.match(text)
    )
