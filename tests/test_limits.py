"""Documented caps: each gives a clear error naming the file (and line); nothing else is lost."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import hostile_files as hostile
import pdfplumber
import pytest
from conftest import write_story
from helpers import Epub, assert_epubcheck_clean, normalize, pdf_pages

from packager.build import build
from packager.errors import StoryError
from packager.options import BuildOptions
from packager.read.bounded import MAX_ENTRY_BYTES, MAX_UNPACKED_BYTES
from packager.read.frontmatter import MAX_FRONT_MATTER, split_front_matter
from packager.read.source import MAX_STORY_BYTES
from packager.text import html, sanitize


def problems_of(source: Path, tmp_path: Path) -> list[tuple[str, int | None, str]]:
    out = tmp_path / "failed-out"
    with pytest.raises(StoryError) as caught:
        build(source, out, BuildOptions(env={}, use_cache=False))
    assert not out.exists()
    return [(Path(p.file).name, p.line, p.message) for p in caught.value.problems]


def test_quotes_nested_past_markdown_its_default_keep_their_words(tmp_path: Path) -> None:
    # markdown-it stops at 20 levels by default and drops the rest, silently.
    source = tmp_path / "src"
    write_story(source, "a.md", "Before.\n\n" + "> " * 40 + "the innermost words\n\nAfter.\n")
    result = build(source, tmp_path / "out", BuildOptions(env={}, use_cache=False))
    epub = next(o.path for o in result.outputs if o.format == "epub")
    assert normalize("the innermost words") in Epub.open(epub).text()
    assert_epubcheck_clean(epub)
    pdf = next(o.path for o in result.outputs if o.format == "pdf")
    with pdfplumber.open(pdf) as doc:
        assert "the innermost words" in "".join(p.extract_text() for p in doc.pages)
        assert max(c["x1"] for p in doc.pages for c in p.chars) < min(p.width for p in doc.pages)


def test_nesting_past_the_cap_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_story(source, "quotes.md", "Before.\n\n" + "> " * 150 + "deep\n")
    write_story(source, "emphasis.md", "Title\n\nPlain.\n\n" + "*" * 400 + "x" + "*" * 400 + "\n")
    # lxml would silently drop what lies deeper than 256 levels of a page.
    write_story(source, "page.html", "<p>" + "<em>" * 300 + "deep" + "</em>" * 300 + "</p>")
    write_story(source, "fine.md", "Nothing wrong here.\n")
    found = sorted(problems_of(source, tmp_path))
    message = f"markup is nested more than {sanitize.MAX_DEPTH} levels deep"
    assert [(name, line) for name, line, _ in found] == [
        ("emphasis.md", 5),
        ("page.html", None),
        ("quotes.md", 3),
    ]
    assert all(m.startswith(message) for _, _, m in found)


def test_long_words_break_in_print_and_absurd_ones_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "src"
    token = "ab" * 3000  # 6,000 characters, no space
    write_story(source, "a.md", f"A pasted mess: {token} and then the story goes on.\n")
    result = build(source, tmp_path / "out", BuildOptions(env={}, use_cache=False))
    pdf = next(o.path for o in result.outputs if o.format == "pdf")
    with pdfplumber.open(pdf) as doc:
        right = min(p.width for p in doc.pages)
        assert max(c["x1"] for p in doc.pages for c in p.chars) < right
    text = "".join(p.body for p in pdf_pages(pdf.read_bytes()))  # no heads or folios
    assert token in text.replace("\n", "").replace("\u200b", "")
    epub = next(o.path for o in result.outputs if o.format == "epub")
    assert token in Epub.open(epub).files["EPUB/story-001.xhtml"].decode()  # EPUB text as typed

    write_story(source, "b.md", "Title\n\nFine.\n\n" + "x" * (html.MAX_WORD + 1) + "\n")
    assert problems_of(source, tmp_path) == [
        (
            "b.md",
            1,
            f"a 'word' of {html.MAX_WORD + 1:,} characters with no space; the limit is "
            f"{html.MAX_WORD:,} (is it data pasted as text?)",
        )
    ]


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_story(source, "fine.md", "Fine.\n")
    with (source / "huge.txt").open("wb") as handle:  # sparse: costs no disk
        handle.truncate(MAX_STORY_BYTES + 1)
    assert problems_of(source, tmp_path) == [
        ("huge.txt", None, f"file is larger than {MAX_STORY_BYTES // 2**20} MiB")
    ]


def test_a_word_file_that_unpacks_past_the_cap_is_refused(tmp_path: Path) -> None:
    """Each entry within its own cap and compressed like text, but more than 200 MiB in all."""
    source = tmp_path / "src"
    write_story(source, "fine.md", "Fine.\n")
    block = hostile.compressible(2**20)
    entries = MAX_UNPACKED_BYTES // MAX_ENTRY_BYTES + 1
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("word/document.xml", hostile.document_xml(hostile.paragraph("x")))
        for i in range(entries):
            with archive.open(f"word/media/part{i}.bin", "w") as member:
                for _ in range(MAX_ENTRY_BYTES // 2**20):
                    member.write(block)
    (source / "bomb.docx").write_bytes(packed.getvalue())
    assert problems_of(source, tmp_path) == [
        ("bomb.docx", None, f"unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB; refused")
    ]


def test_front_matter_cap_duplicates_and_unclosed_brackets() -> None:
    big = "---\nsummary: " + "x" * MAX_FRONT_MATTER + "\n---\nText.\n"
    with pytest.raises(StoryError) as caught:
        split_front_matter(big, "a.md")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (1, f"front matter is larger than {MAX_FRONT_MATTER // 1024} KiB")
    ]
    with pytest.raises(StoryError) as caught:
        split_front_matter("---\ntitle: A\nauthor: B\ntitle: C\n---\nText.\n", "a.md")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (4, "front matter: 'title' is given twice (lines 2 and 4)")
    ]
    with pytest.raises(StoryError) as caught:
        split_front_matter("---\ntitle: A\ntags: [one, two\nauthor: B\n---\nText.\n", "a.md")
    assert [p.line for p in caught.value.problems] == [3]  # where the '[' opened
