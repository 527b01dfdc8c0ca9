"""Readers: Markdown and plain text to chapters of safe XHTML, with what changed."""

from __future__ import annotations

from pathlib import Path

from conftest import write_story
from PIL import Image

from packager.model import Severity, Story
from packager.read import read_story, title_from_name
from packager.text.cleanup import clean


def read(tmp_path: Path, name: str, text: str) -> Story:
    path = write_story(tmp_path, name, text)
    return clean(read_story(path, tmp_path, name))


def test_markdown_title_from_single_top_heading(tmp_path: Path) -> None:
    story = read(tmp_path, "s.md", "# The Title\n\nFirst.\n\n## One\n\nA.\n\n## Two\n\nB.\n")
    assert story.meta.title == "The Title"
    # Text before the first chapter heading is kept, as an untitled opening.
    assert [c.title for c in story.chapters] == [None, "One", "Two"]
    assert story.changes[0].action == "title" and story.changes[0].line == 1
    assert [c.line for c in story.chapters] == [3, 5, 9]


def test_markdown_front_matter_title_wins_and_headings_are_chapters(tmp_path: Path) -> None:
    story = read(tmp_path, "s.md", "---\ntitle: Given\n---\n# Part One\n\nA.\n\n# Part Two\n\nB.\n")
    assert story.meta.title == "Given"
    assert [c.title for c in story.chapters] == ["Part One", "Part Two"]


def test_markdown_repeated_title_is_reported(tmp_path: Path) -> None:
    story = read(tmp_path, "s.md", "---\ntitle: Given\n---\n# Given\n\nText.\n")
    assert [c.title for c in story.chapters] == [None]
    assert (story.changes[0].kind, story.changes[0].action) == ("removed", "repeated title")
    assert story.changes[0].line == 4


def test_markdown_subheadings_sit_below_chapters(tmp_path: Path) -> None:
    story = read(tmp_path, "s.md", "## One\n\n### Scene\n\nText.\n\n## Two\n\nMore.\n")
    assert "<h3>Scene</h3>" in story.chapters[0].html


def test_markdown_scene_breaks(tmp_path: Path) -> None:
    text = "A.\n\n***\n\nB.\n\n~~~\n\nC.\n\n#\n\nD.\n\n* * *\n\nE.\n"
    story = read(tmp_path, "s.md", text)
    html = story.chapters[0].html
    assert html.count("<hr/>") == 4
    for word in "ABCDE":
        assert f"<p>{word}.</p>" in html


def test_raw_html_is_sanitized_never_passed_through(tmp_path: Path) -> None:
    text = (
        'Hi <span onclick="evil()" lang="fr">oui</span> <a href="javascript:alert(1)">link</a>\n\n'
        "<script>alert(1)</script>\n\n"
        'Inline <iframe src="http://x.invalid"></iframe> too.\n'
    )
    story = read(tmp_path, "s.md", text)
    html = story.chapters[0].html
    assert "onclick" not in html and "javascript" not in html and "<script" not in html
    assert '<span lang="fr">oui</span>' in html
    assert "link" in html  # the link's words stay, the link goes
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not dropped
    assert "&lt;iframe" in html
    warned = [d for d in story.diagnostics if d.severity is Severity.WARNING]
    assert {d.line for d in warned} == {3, 5}


def test_txt_paragraphs_emphasis_and_breaks(tmp_path: Path) -> None:
    text = (
        "A Title Line\n\nFirst paragraph with *emphasis* and _more_.\n\n"
        "* * *\n\n<script>alert(1)</script> & **strong**\n\n~~~\n\nLast.\n"
    )
    story = read(tmp_path, "s.txt", text)
    assert story.meta.title == "A Title Line"
    html = story.chapters[0].html
    assert "<p>First paragraph with <em>emphasis</em> and <em>more</em>.</p>" in html
    assert html.count("<hr/>") == 2
    # Text is data: markup that is not a known HTML remnant stays visible.
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; <strong>strong</strong></p>" in html
    assert story.changes[0].line == 1


def test_txt_line_breaks_kept_unless_hard_wrapped(tmp_path: Path) -> None:
    story = read(tmp_path, "s.txt", "Roses are red,\nviolets are blue.\n\nProse here.\n")
    assert '<p class="verse">Roses are red,<br/>violets are blue.</p>' in story.chapters[0].html
    wrapped = "\n\n".join(
        "This is a long line of prose that was wrapped at about\n"
        "seventy characters by the program that saved it, a well-\n"
        "known habit of old texts.\n"
        for _ in range(4)
    )
    html = read(tmp_path, "w.txt", wrapped).chapters[0].html
    assert "<br/>" not in html
    assert "wrapped at about seventy characters" in html
    assert "a well-known habit" in html  # a line-end hyphen joins its compound


def test_txt_first_line_that_is_prose_is_not_a_title(tmp_path: Path) -> None:
    story = read(tmp_path, "03-the-night.txt", '"Run," she said.\n\nAnd they ran.\n')
    assert story.meta.title == "The Night"
    assert story.changes == ()


def test_control_characters_removed_with_warning(tmp_path: Path) -> None:
    story = read(tmp_path, "s.txt", "Fine line.\n\nBad\x00 line\x07 here.\n")
    assert "\x00" not in story.chapters[0].html and "Bad line here." in story.chapters[0].html
    (warned,) = story.diagnostics
    assert warned.line == 3 and "U+0000" in warned.message


def test_local_images_kept_remote_refused(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(tmp_path / "img" / "map.png")
    text = (
        "![The map](img/map.png)\n\n![remote](https://example.invalid/x.png)\n\n![up](../x.png)\n"
    )
    story = read(tmp_path, "s.md", text)
    (image,) = story.images
    assert image.href.startswith("images/map-") and image.media_type == "image/png"
    assert f'src="{image.href}"' in story.chapters[0].html
    assert "[remote]" in story.chapters[0].html and "[up]" in story.chapters[0].html
    assert len(story.diagnostics) == 2


def test_word_count(tmp_path: Path) -> None:
    story = read(
        tmp_path, "s.txt", "Title\n\nI don't p-p-please -- ever... nine words, in total here.\n"
    )
    assert story.words == 9


def test_title_from_file_name() -> None:
    assert title_from_name(Path("03-the-night-ferry.md")) == "The Night Ferry"
    assert title_from_name(Path("10_Salt and Static.txt")) == "Salt and Static"
    assert title_from_name(Path("2024.md")) == "2024"
