"""EPUB layouts written by hand: what is left out (cover, contents, title pages), where
chapters begin, and an EPUB of several works split into stories by collection.toml."""

from __future__ import annotations

import json
from html import escape as html_escape
from pathlib import Path

from epubs import accounted_words, source_words, write_epub, xhtml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from packager.build import build
from packager.cli import app
from packager.options import BuildOptions
from packager.read.blank import EmptyStory
from packager.read.recognize import is_scene_break
from packager.read.story import read_stories

FIELDS_PAGE = """<h3><a href="https://fics.example.net/s/{n}">{title}</a> by <a href="https://fics.example.net/u/{n}">{author}</a></h3>
<div>
<b>Category:</b> Original Work<br />
<b>Rating:</b> {rating}<br />
<b>Status:</b> Completed<br />
<b>Published:</b> 2023-0{n}-01<br />
<b>Words:</b> 1,234<br />
<b>Summary:</b> {summary}<br />
</div>"""


def test_generic_epub_leaves_out_cover_contents_and_title_page(tmp_path: Path) -> None:
    docs = {
        "cover.xhtml": xhtml('<div><img src="cover.png" alt="Cover"/></div>'),
        "title.xhtml": xhtml(
            '<section epub:type="titlepage"><h1>Harbour Lights</h1><p>Ines Mar</p></section>'
        ),
        "toc.xhtml": xhtml(
            '<h2>Contents</h2><p><a href="c1.xhtml">The Pier</a></p>'
            '<p><a href="c2.xhtml">The Boat</a></p><p><a href="c3.xhtml">The Light</a></p>'
        ),
        "c1.xhtml": xhtml("<h2>The Pier</h2><p>The pier was longer at night.</p>"),
        "c1b.xhtml": xhtml("<p>It went on past the last lamp, and she followed it.</p>"),
        "c2.xhtml": xhtml(
            "<h2>The Boat</h2><h3>Tuesday</h3><p>A boat waited.</p>"
            "<h2>The Light</h2><p>Then the light came on.</p>"
        ),
    }
    metadata = "<dc:title>Harbour Lights</dc:title><dc:creator>Ines Mar</dc:creator>"
    path = write_epub(tmp_path / "lights.epub", docs, metadata)
    (story,) = read_stories(path, tmp_path, "lights.epub")
    assert story.meta.title == "Harbour Lights" and story.meta.authors == ("Ines Mar",)
    assert [c.title for c in story.chapters] == ["The Pier", "The Boat", "The Light"]
    pier, boat, _ = story.chapters
    assert "past the last lamp" in pier.html  # a document without a heading continues
    assert "<h3>Tuesday</h3>" in boat.html  # a heading right under the chapter's stays
    left_out = {(c.file.split("/")[-1], c.action) for c in story.changes if c.kind == "removed"}
    assert {
        ("cover.xhtml", "cover page"),
        ("title.xhtml", "title page"),
        ("toc.xhtml", "contents page"),
    } <= left_out
    assert accounted_words([story]) == source_words(path)


def test_a_first_heading_that_is_the_title_is_the_title(tmp_path: Path) -> None:
    docs = {"a.xhtml": xhtml("<h1>Moth Season</h1><p>The moths came early that year.</p>")}
    path = write_epub(tmp_path / "moth.epub", docs, "<dc:title>Moth Season</dc:title>")
    (story,) = read_stories(path, tmp_path, "moth.epub")
    assert [c.title for c in story.chapters] == [None]
    assert [(c.kind, c.action) for c in story.changes] == [("metadata", "title")]


def anthology(path: Path) -> Path:
    """Two works as a merging tool leaves them: each behind its own title page."""
    docs = {}
    for n, (title, author, rating) in enumerate(
        [("Salt Marsh", "Ada Reed", "General"), ("Night Ferry", "Tom Vale", "Teen")], start=1
    ):
        summary = f"The {'first' if n == 1 else 'second'} story."
        docs[f"t{n}.xhtml"] = xhtml(
            FIELDS_PAGE.format(n=n, title=title, author=author, rating=rating, summary=summary)
        )
        docs[f"w{n}c1.xhtml"] = xhtml(f"<h2>Chapter 1</h2><p>{title} begins here.</p>")
        docs[f"w{n}c2.xhtml"] = xhtml(f"<h2>Chapter 2</h2><p>{title} ends here.</p>")
    return write_epub(path, docs, "<dc:title>Merged Anthology</dc:title>")


def test_several_works_are_one_story_unless_split(tmp_path: Path) -> None:
    path = anthology(tmp_path / "merged.epub")
    (one,) = read_stories(path, tmp_path, "merged.epub")
    assert len(one.chapters) == 4
    assert any("seems to hold 2 works" in d.message and "split = true" in d.message
               for d in one.diagnostics)  # fmt: skip
    first, second = read_stories(path, tmp_path, "merged.epub", split=True)
    assert (first.name, second.name) == ("merged.epub#1", "merged.epub#2")
    assert (first.meta.title, first.meta.authors, first.meta.rating) == (
        "Salt Marsh",
        ("Ada Reed",),
        "General",
    )
    assert (second.meta.title, second.meta.authors, second.meta.rating) == (
        "Night Ferry",
        ("Tom Vale",),
        "Teen",
    )
    assert second.meta.date == "2023-02-01" and "second story" in second.meta.summary_html
    assert [c.title for c in second.chapters] == ["Chapter 1", "Chapter 2"]
    assert "Night Ferry ends here." in second.chapters[1].html
    assert accounted_words([first, second]) == source_words(path)


def test_split_key_in_collection_toml(tmp_path: Path) -> None:
    source = tmp_path / "src"
    anthology(source / "merged.epub")
    (source / "collection.toml").write_text(
        'title = "Two Crossings"\n\n[stories."merged.epub"]\nsplit = true\nfandoms = "Original"\n\n'
        '[stories."merged.epub#2"]\ntitle = "The Night Ferry"\n',
        encoding="utf-8",
    )
    checked = CliRunner().invoke(app, ["check", str(source), "--json"])
    assert checked.exit_code == 0, checked.output
    stories = json.loads(checked.stdout)["stories"]
    assert [s["title"] for s in stories] == ["Salt Marsh", "The Night Ferry"]
    result = build(source, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    assert result.stories == 2


def test_site_text_inside_an_epubs_chapters_is_cut_and_reported(tmp_path: Path) -> None:
    watermark = (
        "Find authorized novels in Webnovel, faster updates, better experience, "
        "Please click www.webnovel.com for visiting."
    )
    docs = {
        "c1.xhtml": xhtml(
            f"<h2>Chapter 1</h2><p>The lamp was <em>lit</em>.{watermark}The door was not.</p>"
            "<p>Like it ? Add to library!</p><p>She waited.</p>"
        )
    }
    path = write_epub(tmp_path / "scraped.epub", docs, "<dc:title>Lamps</dc:title>")
    (story,) = read_stories(path, tmp_path, "scraped.epub")
    text = story.chapters[0].html
    assert "The lamp was <em>lit</em>. The door was not." in text and "Webnovel" not in text
    assert "Add to library" not in text and "She waited." in text
    cut = [(c.file, c.action, c.text) for c in story.changes if c.kind == "removed"]
    assert cut == [
        ("scraped.epub/OEBPS/c1.xhtml", "site watermark", watermark),
        ("scraped.epub/OEBPS/c1.xhtml", "vote prompt", "Like it ? Add to library!"),
    ]
    assert accounted_words([story]) == source_words(path)


def test_a_book_built_into_its_own_folder_is_not_read_as_a_story(tmp_path: Path) -> None:
    source = tmp_path / "zine"
    source.mkdir()
    (source / "a.md").write_text("# Gulls\n\nThe gulls came back.\n", encoding="utf-8")
    options = BuildOptions(formats=("epub", "kepub"), env={})
    first = build(source, source, options)
    assert sorted(p.name for p in source.glob("*.epub")) == ["zine.epub", "zine.kepub.epub"]
    again = build(source, source, options)
    assert (first.stories, again.stories) == (1, 1)
    assert any("own book" in d.message for d in again.diagnostics)


PARAGRAPH = st.lists(
    st.one_of(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1, max_size=9),
        st.sampled_from(["&", "<", ">", '"', "'", "...", "--", "*", "* * *", "Chapter 2"]),
    ),
    min_size=1,
    max_size=12,
).map(" ".join)
DOCUMENT = st.lists(
    st.tuples(
        st.sampled_from(["p", "p", "p", "h2", "h3", "blockquote", "loose", "note"]), PARAGRAPH
    ),
    min_size=1,
    max_size=8,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(DOCUMENT, min_size=1, max_size=4))
def test_property_every_word_of_an_epub_is_in_the_story_or_the_report(
    tmp_path: Path, documents: list[list[tuple[str, str]]]
) -> None:
    docs = {}
    for n, blocks in enumerate(documents, start=1):
        parts = []
        for k, (tag, text) in enumerate(blocks):
            escaped = html_escape(text)
            if tag == "note":  # a call, and its footnote (with pandoc's wordless backlink)
                parts.append(
                    f'<p>{escaped}<a epub:type="noteref" href="#n{k}">{k}</a></p><aside '
                    f'epub:type="footnote" id="n{k}"><p>{escaped}<a epub:type="backlink">'
                    "\u21a9</a></p></aside>"
                )
            elif tag == "loose":
                parts.append(escaped + "<br/><br/>")
            else:
                parts.append(f"<{tag}>{escaped}</{tag}>")
        docs[f"c{n}.xhtml"] = xhtml(f"<div>{''.join(parts)}</div>")
    path = write_epub(tmp_path / "prop.epub", docs)
    try:
        (story,) = read_stories(path, tmp_path, "prop.epub")
    except EmptyStory:
        # Headings alone are a title and chapter titles with no story, and a paragraph of
        # symbols alone ('<', '* * *') is a scene break: refused as empty (read/blank),
        # which is right only when no word stands outside the headings.
        assert all(
            is_scene_break(text) and not any(c.isalnum() for c in text)
            for blocks in documents
            for tag, text in blocks
            if tag not in ("h2", "h3")
        )
        return
    assert accounted_words([story]) == source_words(path)


def _work_preface(n: int, title: str, rating: str) -> str:
    url = f"https://archive.example.org/works/{n}"
    return xhtml(
        f'<div><h2>Preface</h2><p><b>{title}</b><br/>Posted originally on the <a href="https://'
        f'archive.example.org/">Archive of Our Own</a> at <a href="{url}">{url}</a>.</p>'
        f"<dl><dt>Rating:</dt><dd>{rating}</dd><dt>Series:</dt><dd>Part {n} of "
        f'<a href="https://archive.example.org/series/77">The Lantern Years</a></dd>'
        f"<dt>Stats:</dt><dd>Published: 2023-0{n}-01 Words: 9</dd></dl>"
        f"<h1>{title}</h1><div>by <a>Marrow_and_Moth</a></div></div>"
    )


def test_an_archive_series_download_splits_into_its_works(tmp_path: Path) -> None:
    series = "https://archive.example.org/series/77"
    docs = {
        "series.xhtml": xhtml(
            f"<div><h1>Preface</h1><p><b>The Lantern Years</b><br/>Posted originally on the "
            f'<a href="https://archive.example.org/">Archive of Our Own</a> at '
            f'<a href="{series}">{series}</a>.</p><dl><dt>Language:</dt><dd>English</dd>'
            "<dt>Stats:</dt><dd>Published: 2023-01-01 Works: 2 Words: 18</dd></dl>"
            "<h1>The Lantern Years</h1><div>by <a>Marrow_and_Moth</a></div>"
            "<p>Description</p><blockquote><p>Two stories of the light.</p></blockquote></div>"
        ),
        "w1.xhtml": _work_preface(1, "First Light", "General Audiences"),
        "w1text.xhtml": xhtml("<p>The first lamp was lit on a Monday.</p>"),
        "w2.xhtml": _work_preface(2, "Night Watch", "Teen And Up Audiences"),
        "w2text.xhtml": xhtml("<p>The second keeper never slept.</p>"),
        "after.xhtml": xhtml(
            "<div><h2>Afterword</h2><p>Please drop by the Archive and comment to let the "
            "creator know if you enjoyed their work!</p></div>"
        ),
    }
    path = write_epub(tmp_path / "series.epub", docs, "<dc:title>The Lantern Years</dc:title>")
    first, second = read_stories(path, tmp_path, "series.epub", split=True)
    assert (first.meta.title, second.meta.title) == ("First Light", "Night Watch")
    assert first.meta.series == "Part 1 of The Lantern Years"
    assert (first.meta.rating, second.meta.rating) == ("General Audiences", "Teen And Up Audiences")
    assert (first.meta.date, second.meta.date) == ("2023-01-01", "2023-02-01")
    assert first.meta.source_url == "https://archive.example.org/works/1"
    assert "first lamp" in first.chapters[0].html and "second keeper" in second.chapters[0].html
    left_out = [c for c in first.changes if c.action == "series preface"]
    assert any(c.text == "Two stories of the light." for c in left_out)
    assert accounted_words([first, second]) == source_words(path)


def test_an_epubs_metadata_is_tidied_like_front_matter(tmp_path: Path) -> None:
    metadata = (
        "<dc:title>Tide\u202eline</dc:title><dc:creator>Ada\u200b Reed</dc:creator>"
        "<dc:subject>sea\u2066 stories</dc:subject>"
    )
    docs = {"a.xhtml": xhtml("<p>The tide came in.</p>")}
    path = write_epub(tmp_path / "meta.epub", docs, metadata)
    (story,) = read_stories(path, tmp_path, "meta.epub")
    assert story.meta.title == "Tideline" and story.meta.authors == ("Ada Reed",)
    assert story.meta.tags == ("sea stories",)
    assert any("direction-changing" in d.message for d in story.diagnostics)
