"""Word files with footnotes, endnotes and pictures, for the readers' tests.

python-docx writes the document and its pictures but has no API for notes:
their parts (word/footnotes.xml, word/endnotes.xml) are written here as Word
writes them (ECMA-376 Part 1, 17.11), with their relationships and content
types, and each call is a run holding a w:footnoteReference or
w:endnoteReference, as Word puts it in the text.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from docx.shared import Inches

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml"


@dataclass
class Picture:
    data: bytes
    alt: str = ""
    width_in: float = 2.0


@dataclass
class WordStory:
    """Paragraphs (or Pictures) where "{fn:text}" and "{en:text}" are a footnote or an endnote
    called there; a note's paragraphs are separated by "|"."""

    title: str
    blocks: list[str | Picture] = field(default_factory=list)


def write_docx(path: Path, story: WordStory) -> Path:
    document = docx.Document()
    document.add_heading(story.title, 0)
    notes: dict[str, list[str]] = {"footnote": [], "endnote": []}
    for block in story.blocks:
        if isinstance(block, Picture):
            document.add_picture(io.BytesIO(block.data), width=Inches(block.width_in))
            continue
        paragraph = document.add_paragraph()
        for piece in re.split(r"(\{(?:fn|en):[^}]*\})", block):
            match = re.fullmatch(r"\{(fn|en):([^}]*)\}", piece)
            if match is None:
                if piece:
                    paragraph.add_run(piece)
                continue
            kind = "footnote" if match.group(1) == "fn" else "endnote"
            notes[kind].append(match.group(2))
            # A placeholder run, made a reference below (python-docx cannot make one).
            paragraph.add_run(f"@@{kind}:{len(notes[kind]) + 1}@@")
    document.save(path)
    _add_notes(path, notes, [b.alt for b in story.blocks if isinstance(b, Picture)])
    return path


def _add_notes(path: Path, notes: dict[str, list[str]], alts: list[str]) -> None:
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    body = files["word/document.xml"].decode()
    for kind in ("footnote", "endnote"):
        style = "FootnoteReference" if kind == "footnote" else "EndnoteReference"
        body = re.sub(
            rf"<w:r>(?:(?!<w:r>).)*?@@{kind}:(\d+)@@</w:t></w:r>",
            lambda m, k=kind, s=style: (
                f'<w:r><w:rPr><w:rStyle w:val="{s}"/></w:rPr>'
                f'<w:{k}Reference w:id="{m.group(1)}"/></w:r>'
            ),
            body,
        )
    for alt in alts:  # the alt text Word keeps in the drawing's wp:docPr descr
        body = re.sub(r'(<wp:docPr id="\d+" name="[^"]*")(?! descr)', rf'\1 descr="{escape(alt)}"',
                      body, count=1)  # fmt: skip
    files["word/document.xml"] = body.encode()
    rels = files["word/_rels/document.xml.rels"].decode()
    types = files["[Content_Types].xml"].decode()
    for kind, texts in notes.items():
        part = _notes_part(kind, texts)
        files[f"word/{kind}s.xml"] = part.encode()
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rId{kind}s" Type="{_REL}/{kind}s" Target="{kind}s.xml"/>'
            "</Relationships>",
        )
        types = types.replace(
            "</Types>",
            f'<Override PartName="/word/{kind}s.xml" ContentType="{_TYPE}.{kind}s+xml"/></Types>',
        )
    files["word/_rels/document.xml.rels"] = rels.encode()
    files["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)


def _notes_part(kind: str, texts: list[str]) -> str:
    """word/footnotes.xml or word/endnotes.xml: the two separators, then each note."""
    separators = (
        f'<w:{kind} w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="1"><w:p><w:r>'
        f"<w:continuationSeparator/></w:r></w:p></w:{kind}>"
    )
    notes = []
    for number, text in enumerate(texts, start=2):
        paragraphs = []
        for i, para in enumerate(text.split("|")):
            mark = f"<w:r><w:{kind}Ref/></w:r>" if i == 0 else ""
            runs = "".join(
                f'<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">{escape(p[1:-1])}</w:t></w:r>'
                if p.startswith("_") and p.endswith("_")
                else f'<w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r>'
                for p in re.split(r"(_[^_]+_)", (" " if i == 0 else "") + para)
                if p
            )
            paragraphs.append(f"<w:p>{mark}{runs}</w:p>")
        notes.append(f'<w:{kind} w:id="{number}">{"".join(paragraphs)}</w:{kind}>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:{kind}s xmlns:w="{W}">{separators}{"".join(notes)}</w:{kind}s>'
    )
