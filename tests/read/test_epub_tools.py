"""EPUB inputs made by the tools that make them in the wild: calibre (as the Archive of Our
Own converts its HTML download), pandoc, and FanFicFare's offline test site."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from epubs import accounted_words, source_words
from helpers import XHTML_NS, Epub, assert_epubcheck_clean
from PIL import Image
from typer.testing import CliRunner

from packager.build import build
from packager.cli import app
from packager.model import Story
from packager.options import BuildOptions
from packager.read.story import read_stories
from packager.text import clean

FIXTURES = ROOT / "tests" / "fixtures"
CALIBRE = shutil.which("ebook-convert")
# The archive's own command (otwarchive app/models/download_writer.rb, get_calibre_command).
AO3_CHAPTERS = (
    "//h:body/h:div[@id='chapters']/h:h2[@class='toc-heading'] | "
    "//h:body/h:div[@id='chapters']/h:div[@class='meta group']/h:h2[@class='heading'] | "
    "//h:body/h:div[@id='preface' or @id='afterword']/h:h2[@class='toc-heading']"
)


def read(path: Path) -> Story:
    (story,) = read_stories(path, path.parent, path.name)
    return clean(story)


@pytest.fixture(scope="module")
def calibre_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CALIBRE is None:
        if os.environ.get("PACKAGER_REQUIRE_CALIBRE") == "1":
            pytest.fail("calibre's ebook-convert is required (PACKAGER_REQUIRE_CALIBRE=1)")
        pytest.skip("calibre's ebook-convert is not installed")
    work = tmp_path_factory.mktemp("calibre")
    shutil.copy(FIXTURES / "archive-work.html", work / "work.html")
    Image.new("RGB", (60, 80), (240, 200, 90)).save(work / "lantern.png")
    out = work / "the-lantern-ledger.epub"
    command = [
        CALIBRE, str(work / "work.html"), str(out), "--input-encoding", "utf-8",
        "--toc-threshold", "0", "--use-auto-toc", "--title", "The Lantern Ledger",
        "--authors", "Marrow_and_Moth, tidewright", "--comments", "<p>Odile keeps the ledger.</p>",
        "--tags", "Fanworks, Teen And Up Audiences, Original Work", "--pubdate", "2024-03-02",
        "--publisher", "Archive of Our Own", "--language", "en", "--chapter", AO3_CHAPTERS,
        "--series", "The Lantern Years", "--series-index", "2", "--no-default-epub-cover",
    ]  # fmt: skip
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(work)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def pandoc_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pypandoc = pytest.importorskip("pypandoc")
    work = tmp_path_factory.mktemp("pandoc")
    Image.new("RGB", (40, 30), (90, 120, 200)).save(work / "road.png")
    (work / "salt.md").write_text(
        "---\ntitle: The Salt Road\nauthor: Wren Alder\nlang: en-GB\ndate: 2024-05-01\n"
        "description: Two sisters walk to the sea.\nsubject: [Walking, Sisters]\n---\n\n"
        "# One\n\nThey left before dawn, which was *Ada's* idea. The road was white with salt.\n\n"
        "![A map of the salt road](road.png)\n\n* * *\n\n"
        "Nobody spoke until the first milestone.[^stone]\n\n"
        "[^stone]: The one at the crossroads, with its *number* worn away.\n\n"
        "# Two\n\nThe sea was where it had always been, and so, in the end, were they.\n",
        encoding="utf-8",
    )
    out = work / "salt.epub"
    pypandoc.convert_file(
        str(work / "salt.md"),
        "epub3",
        outputfile=str(out),
        extra_args=["--toc"],
        cworkdir=str(work),
    )
    return out


@pytest.fixture(scope="module")
def fanficfare_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("fanficfare")
    work = tmp_path_factory.mktemp("fanficfare")
    command = [
        sys.executable, "-m", "fanficfare.cli", "-o", "is_adult=true",
        "-o", "include_logpage=true", "-o", "output_filename=test-story.epub",
        "http://test1.com?sid=1",  # the adapter built in for testing: no network
    ]  # fmt: skip
    env = {**os.environ, "HOME": str(work)}
    done = subprocess.run(command, capture_output=True, text=True, cwd=work, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return work / "test-story.epub"


# -- the archive's EPUB, as calibre makes it ------------------------------------


def test_archive_epub_fields_come_from_the_preface(calibre_epub: Path) -> None:
    story = read(calibre_epub)
    meta = story.meta
    assert meta.title == "The Lantern Ledger"
    # The preface's byline: calibre's OPF holds "Marrow_and_Moth, tidewright" as one name.
    assert meta.authors == ("Marrow_and_Moth", "tidewright")
    assert meta.rating == "Teen And Up Audiences"
    assert meta.warnings == ("Creator Chose Not To Use Archive Warnings", "Major Character Death")
    assert meta.fandoms == ("Original Work",)
    assert meta.relationships == ("Odile Brand/Fen Harrow",)
    assert meta.characters == ("Odile Brand", "Fen Harrow", "The Harbourmaster")
    assert meta.tags == ("F/F", "Lighthouses", "Ledgers", "Slow Burn")
    assert meta.series == "Part 2 of The Lantern Years"
    assert meta.date == "2024-02-10"  # first published, not calibre's date
    assert meta.source_url == "https://archive.example.org/works/90210"
    assert meta.language == "en"
    assert "writing in it at night" in meta.summary_html and "three tides" in meta.summary_html
    assert "Thank you, Rook" in meta.notes_html and "Keeper\u2019s Almanac" in meta.notes_html
    assert "already drafted" in meta.end_notes_html
    assert "drop by the Archive" not in meta.end_notes_html


def test_archive_epub_chapters_and_their_notes(calibre_epub: Path) -> None:
    story = read(calibre_epub)
    titles = [c.title for c in story.chapters]
    assert titles == ["Chapter 1: Low Tide", "Chapter 2: Slack Water", "Chapter 3: Flood"]
    first, second, third = story.chapters
    assert "first entry that isn\u2019t hers" in first.notes_html
    assert "in italics" in first.notes_html
    assert "keyhole whistle is real" in first.end_notes_html
    assert "<hr/>" in first.html and "<em>Stay.</em>" in third.html
    assert "<blockquote>" in second.html and "Dear Keeper" in second.html
    assert "Thank you for staying" in third.notes_html
    for chapter in story.chapters:  # the archive's labels are not story text
        assert "Chapter Notes" not in chapter.html and "See the end" not in chapter.html


def test_archive_epub_reports_what_it_left_out_with_the_entry(calibre_epub: Path) -> None:
    story = read(calibre_epub)
    by_action = {(c.kind, c.action): c for c in story.changes}
    for action in ("archive heading", "archive label", "archive message", "site message"):
        change = by_action[("removed", action)]
        entry = change.file.split(".epub/", 1)[1]
        assert change.file.startswith(calibre_epub.name) and entry.endswith(".html")
        assert change.line > 1
    assert by_action[("metadata", "rating")].text == "Rating: Teen And Up Audiences"
    # The picture comes through, read from the container, with its alt text.
    (picture,) = story.images
    assert picture.media_type == "image/png" and (picture.width, picture.height) == (60, 80)
    assert f'src="{picture.href}"' in story.chapters[0].html
    assert 'alt="A sketch of a lantern with a cracked pane"' in story.chapters[0].html
    assert not [d for d in story.diagnostics if "picture" in d.message]


def test_archive_epub_word_fidelity(calibre_epub: Path) -> None:
    assert accounted_words([read(calibre_epub)]) == source_words(calibre_epub)


# -- pandoc ------------------------------------------------------------------------


def test_pandoc_epub_metadata_chapters_and_fidelity(pandoc_epub: Path) -> None:
    story = read(pandoc_epub)
    meta = story.meta
    assert (meta.title, meta.authors, meta.language) == ("The Salt Road", ("Wren Alder",), "en-GB")
    assert meta.date == "2024-05-01" and meta.tags == ("Walking", "Sisters")
    assert meta.summary_html == "<p>Two sisters walk to the sea.</p>"
    assert [c.title for c in story.chapters] == ["One", "Two"]
    assert "<em>Ada\u2019s</em>" in story.chapters[0].html and "<hr/>" in story.chapters[0].html
    (picture,) = story.images  # pandoc's figure, its picture read from the container
    assert (picture.width, picture.height) == (40, 30) and picture.href in story.chapters[0].html
    left_out = {c.action for c in story.changes if c.kind == "removed"}
    assert {"title page", "navigation"} <= left_out
    # pandoc's footnote: the call a superscript, the note the chapter's end note
    one, two = story.chapters
    assert "milestone.<sup>1</sup>" in one.html and "crossroads" not in one.html
    assert one.end_notes_html.startswith("<ol><li>")
    assert "<em>number</em> worn away" in one.end_notes_html and not two.end_notes_html
    (moved,) = [c for c in story.changes if c.kind == "moved"]
    assert moved.action == "moved to end notes" and moved.text.startswith("The one at")
    assert moved.file.startswith("salt.epub/EPUB/text/ch0")
    assert accounted_words([story]) == source_words(pandoc_epub)


# -- FanFicFare --------------------------------------------------------------------


def test_fanficfare_epub_title_page_and_log(fanficfare_epub: Path) -> None:
    story = read(fanficfare_epub)
    meta = story.meta
    assert (meta.title, meta.authors) == ("Test Story Title 1", ("Test Author aa",))
    assert meta.rating == "Tweenie" and meta.warnings == ("Swearing", "Violence")
    assert meta.characters == ("Bob Smith", "Fred Smythe", "George Johnson")
    assert "Harry Potter/Ginny Weasley" in meta.relationships
    assert "Harry Potter" in meta.fandoms and meta.tags == ("Comedy", "Fantasy", "Noir", "Sci-Fi")
    assert meta.series == "The Great Test [1]" and meta.date == "1975-03-15"
    assert meta.source_url == "http://test1.com?sid=1"
    assert "I suck at summaries!" in meta.summary_html.replace("\u201c", '"').replace("\u201d", '"')
    assert len(story.chapters) == 9 and story.chapters[1].title == "Chapter 1, Xenos on Cinnabar"
    removed = {c.action for c in story.changes if c.kind == "removed"}
    assert {"log page", "download facts"} <= removed
    assert all("Update Log" not in c.html for c in story.chapters)
    assert accounted_words([story]) == source_words(fanficfare_epub)


# -- the built book ------------------------------------------------------------------


def test_book_of_the_three_passes_epubcheck(
    tmp_path: Path, calibre_epub: Path, pandoc_epub: Path, fanficfare_epub: Path
) -> None:
    source = tmp_path / "downloads"
    source.mkdir()
    for i, path in enumerate((calibre_epub, pandoc_epub, fanficfare_epub), start=1):
        shutil.copy(path, source / f"{i}-{path.name}")
    result = build(source, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    assert result.stories == 3
    epub = result.outputs[0].path
    assert_epubcheck_clean(epub)
    book = Epub.open(epub)
    headings = [
        "".join(h.itertext())
        for doc in book.spine_documents()
        for h in doc.iterfind(".//x:section[@class='story']//x:h2", XHTML_NS)
    ]
    assert "Chapter 2: Slack Water" in headings and "Two" in headings
    checked = CliRunner().invoke(app, ["check", str(source), "--json"])
    assert checked.exit_code == 0, checked.output
    stories = json.loads(checked.stdout)["stories"]
    assert [s["title"] for s in stories] == [
        "The Lantern Ledger",
        "The Salt Road",
        "Test Story Title 1",
    ]
    entries = {
        c["file"].split(".epub/", 1)[1] for c in stories[2]["changes"] if c["kind"] == "removed"
    }
    assert "OEBPS/log_page.xhtml" in entries
