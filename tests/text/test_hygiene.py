"""Text hygiene: characters no book should carry, and titles fit for contents and bookmarks."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from conftest import write_story
from helpers import Epub, assert_epubcheck_clean, pdf_pages

from packager.build import build
from packager.options import BuildOptions
from packager.read.source import decode
from packager.text import hygiene

RLO, PDF_, ZWSP, LRI, PDI = "\u202e", "\u202c", "\u200b", "\u2066", "\u2069"


def test_label_strips_controls_bidi_and_invisibles_but_keeps_joiners() -> None:
    text, notes = hygiene.label(f"The {RLO}live{PDF_} Cafe\u0301\x00 {ZWSP}Night")
    assert text == "The live Café Night"
    assert any("U+0000" in n for n in notes)
    assert any("U+202C, U+202E" in n and "U+200B" in n for n in notes)
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # a ZWJ emoji sequence
    assert hygiene.label(f"Home {family}") == (f"Home {family}", [])
    assert hygiene.label("ماهی\u200cها")[0] == "ماهی\u200cها"  # Persian needs ZWNJ


def test_label_is_capped_at_a_word_boundary() -> None:
    text, notes = hygiene.label("word " * 200)
    assert len(text) <= hygiene.MAX_LABEL + 1 and text.endswith("word\u2026")
    assert notes == [f"shortened from 999 to {len(text)} characters"]


def test_line_numbers_count_unicode_separators_as_line_breaks() -> None:
    found = decode("one\u2029two\u2028three\nfour\x00five\n".encode(), "s.txt")
    assert found.text == "one\n\ntwo\nthree\nfourfive\n"
    assert [(d.line, d.message) for d in found.diagnostics] == [
        (5, "removed control characters (U+0000)")
    ]


def test_next_line_is_a_line_break_but_mojibake_is_still_mended() -> None:
    assert decode("a line\u0085next line\n".encode(), "s.txt").text == "a line\nnext line\n"
    mended = decode("Ã\u0085ngström is a unit used by physicists\n".encode(), "s.txt")
    assert mended.text.startswith("Ångström")


def test_a_next_line_after_a_carriage_return_is_a_line_of_its_own() -> None:
    """CR line ends, then a NEL: two line breaks (found by the fuzz tests: reports were a line
    short, the NEL read as the second half of a CRLF)."""
    found = decode("one\r\u0085two\rthree\x00\r".encode(), "s.txt")
    assert found.text == "one\n\ntwo\nthree\n"
    assert [d.line for d in found.diagnostics] == [4]
    mended = decode("one\rcafÃ©\r".encode(), "s.txt")  # mojibake on line 2 of a CR file
    assert [(c.line, c.text) for c in mended.changes] == [(2, "cafÃ©")]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    write_story(
        source,
        "01-disguised.md",
        "---\n"
        # YAML escapes: a NUL and a combining accent.
        f'title: "The {RLO}live{PDF_} Cafe\\u0301\\0"\n'
        f'author: "{LRI}Ana{PDI} \\x07Bo"\n'
        'summary: "A summary\\0 with a NUL."\n'
        "---\n\n"
        f"## Chapter {ZWSP}One\n\n"
        f"Prose may quote {RLO}Hebrew{PDF_} as it likes.\n",
    )
    write_story(source, "02-plain.md", "---\ntitle: Plain\n---\n\nA plain story.\n")
    return source


def test_disguised_labels_are_cleaned_everywhere_and_reported(
    hostile: Path, tmp_path: Path
) -> None:
    result = build(hostile, tmp_path / "out", BuildOptions(env={}, use_cache=False))
    by_line = {(d.line, d.message) for d in result.diagnostics if d.file.endswith("disguised.md")}
    messages = " ".join(m for _, m in by_line)
    assert "'title': removed control characters (U+0000)" in messages
    assert "'author': removed control characters (U+0007)" in messages
    assert "U+2066, U+2069" in messages and "U+202C, U+202E" in messages
    assert any(line == 2 for line, m in by_line if "'title'" in m)  # the key's line
    assert any(line == 7 for line, m in by_line if "chapter title" in m)

    epub_path = next(o.path for o in result.outputs if o.format == "epub")
    assert_epubcheck_clean(epub_path)
    epub = Epub.open(epub_path)
    nav = next(v for k, v in epub.files.items() if k.endswith("nav.xhtml")).decode()
    assert "The live Café" in nav and RLO not in nav and "\u0301" not in nav
    assert "Chapter One" in nav and ZWSP not in nav
    opf = next(v for k, v in epub.files.items() if k.endswith(".opf")).decode()
    assert "Ana Bo" in opf and LRI not in opf
    # Prose keeps its direction marks: a quotation may need them.
    story = next(v for k, v in epub.files.items() if k.endswith("story-001.xhtml")).decode()
    assert f"{RLO}Hebrew{PDF_}" in story

    pdf = next(o.path for o in result.outputs if o.format == "pdf")
    with pikepdf.open(pdf) as doc, doc.open_outline() as outline:
        titles = [item.title for item in outline.root]
        chapters = [c.title for item in outline.root for c in item.children]
    assert "The live Café" in titles and "Chapter One" in chapters
    assert not any(RLO in t or ZWSP in t for t in titles + chapters)
    contents = next(p.body for p in pdf_pages(pdf.read_bytes()) if "Contents" in p.body)
    assert "The live Café" in contents


def test_forbidden_characters_in_collection_toml_are_removed_with_the_line(
    tmp_path: Path,
) -> None:
    source = tmp_path / "src"
    write_story(source, "a.md", "Text.\n")
    (source / "collection.toml").write_text(
        'title = "Bo\\uFFFEok"\nauthors = ["Ed\\u0000itor"]\n'
        'dedication = "For <b>&#xFFFE;</b> you."\n[stories."a.md"]\nsummary = "One\\u0007 line."\n',
        encoding="utf-8",
    )
    result = build(source, tmp_path / "out", BuildOptions(env={}))
    found = [(d.file, d.line, d.message) for d in result.diagnostics if "removed" in d.message]
    label = (source / "collection.toml").as_posix()
    assert found == [
        (label, 1, "title: removed noncharacters (U+FFFE)"),
        (label, 2, "authors: removed control characters (U+0000)"),
        (label, 3, "dedication: removed character references to noncharacters (U+FFFE)"),
        (label, 5, "stories.a.md.summary: removed control characters (U+0007)"),
    ]
    epub = next(o.path for o in result.outputs if o.format == "epub")
    assert_epubcheck_clean(epub)
    opf = Epub.open(epub).opf()
    assert opf.findtext(".//{*}title") == "Book"
    assert opf.findtext(".//{*}creator") == "Editor"
