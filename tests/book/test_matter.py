"""Front and back matter: half-title, imprint, dedication, disclaimer, contributors.

Two books are built with both outputs (each PDF costs seconds): one with every
option set, one with none. The rest are EPUB-only builds or config reads.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import lxml.etree as etree
import pypdf
import pytest
from conftest import write_story
from helpers import XHTML_NS, Epub, PdfPage, assert_epubcheck_clean, pdf_pages

from packager.book.render import SHORT_DISCLAIMER
from packager.build import BuildResult, build, load_stories
from packager.errors import ConfigError
from packager.model import Severity
from packager.options import BuildOptions

EPUB_NS = {**XHTML_NS, "epub": "http://www.idpf.org/2007/ops"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"

TITLE = "Harbour Lights"
LONG_DISCLAIMER = " ".join(["All of these words belong to their writers."] * 12)  # 84 words
FULL_TOML = f'''title = "{TITLE}"
subtitle = "A Test Anthology"
authors = ["Ed Itor"]
date = 2026-03-01
edition = "First edition"
publisher = "Tide Press"
rights = "Copyright 2026 the authors. All rights reserved."
identifier = "urn:isbn:9780000000002"
dedication = "For *everyone* who kept the light on. {{{{ 7*7 }}}}"
disclaimer = "{LONG_DISCLAIMER}"

[contributors."Zoe Quill"]
bio = "Zoe Quill keeps a *lighthouse* and a notebook."

[contributors."Ed Itor"]
bio = "Ed Itor gathered these stories."

[stories."3-gamma.md"]
author_bio = "Cy Dorn sails -- mostly."
'''
# (file, title, author, front matter lines)
FULL_STORIES = [
    ("1-alpha.md", "Alpha", "Zoe Quill", ""),
    ("2-beta.md", "Beta", "Ann Bell", "author_bio: 'Ann Bell writes by the sea. {{ 7*7 }}'\n"),
    ("3-gamma.md", "Gamma", "Cy Dorn", ""),
    ("4-delta.md", "Delta", "Dee Evans", ""),
    ("5-echo.md", "Echo", "Zoe Quill", ""),
]
# The order the reader meets them; the editor, who wrote no story, last.
CONTRIBUTORS = ["Zoe Quill", "Ann Bell", "Cy Dorn", "Ed Itor"]


def _write_stories(source: Path, stories: list[tuple[str, str, str, str]]) -> None:
    for name, title, author, extra in stories:
        text = f"---\ntitle: {title}\nauthor: {author}\n{extra}---\n\nThe story of {title}.\n"
        write_story(source, name, text)


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    source = tmp_path_factory.mktemp("full") / "src"
    _write_stories(source, FULL_STORIES)
    (source / "collection.toml").write_text(FULL_TOML, encoding="utf-8")
    return build(source, source.parent / "out", BuildOptions(env={}, use_cache=False))


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    source = tmp_path_factory.mktemp("bare") / "src"
    _write_stories(
        source, [("1-one.md", "One", "Ann Bell", ""), ("2-two.md", "Two", "Cy Dorn", "")]
    )
    (source / "collection.toml").write_text(f'title = "{TITLE}"\n', encoding="utf-8")
    return build(source, source.parent / "out", BuildOptions(env={}, use_cache=False))


def _output(result: BuildResult, fmt: str) -> Path:
    return next(o.path for o in result.outputs if o.format == fmt)


def _kind(page: PdfPage) -> str:
    """What a page is, read from its text alone."""
    body = page.body.strip()
    first = body.split("\n", 1)[0]
    if not body:
        return "blank"
    if body == TITLE:
        return "half-title"
    if first.startswith(TITLE) and "Made with packager" in body:
        return "imprint"
    if first == TITLE:
        return "title"
    if first.startswith("For everyone"):
        return "dedication"
    if first in ("Disclaimer", "Contents", "Colophon") or first.startswith("About the Author"):
        return first.lower()
    return f"story {first}"


def _pdf(result: BuildResult) -> tuple[list[PdfPage], pypdf.PdfReader]:
    data = _output(result, "pdf").read_bytes()
    return pdf_pages(data), pypdf.PdfReader(io.BytesIO(data))


def _roman(n: int) -> str:
    return ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"][n - 1]


# -- the PDF -----------------------------------------------------------------------


def test_pdf_order_labels_and_folios_with_every_option(full: BuildResult) -> None:
    pages, reader = _pdf(full)
    kinds = [_kind(p) for p in pages]
    stories = []
    for _, title, _, _ in FULL_STORIES:
        stories += [f"story {title}", "blank"]  # one-page stories, each opening on a right page
    assert kinds == [
        "half-title", "blank", "title", "imprint", "dedication", "disclaimer", "contents",
        "blank", *stories, "about the authors", "blank", "colophon",
    ]  # fmt: skip
    front = kinds.index("story Alpha")
    labels = [reader.page_labels[i] for i in range(len(pages))]
    assert labels == [_roman(n) for n in range(1, front + 1)] + [
        str(n) for n in range(1, len(pages) - front + 1)
    ]
    # No folio or running head on the half-title, title, imprint, dedication,
    # disclaimer and blanks; the contents in roman, the contributors in arabic.
    for page, kind in zip(pages, kinds, strict=True):
        assert page.head == "", (kind, page.head)
        if kind in ("contents", "about the authors") or kind.startswith("story"):
            assert page.foot == labels[page.index], (kind, page.foot)
        elif kind != "colophon":
            assert page.foot == "", (kind, page.foot)


def test_pdf_texts_of_the_matter_pages(full: BuildResult) -> None:
    pages, _ = _pdf(full)
    by_kind = {_kind(p): p.body for p in pages}
    imprint = " ".join(by_kind["imprint"].split())
    for text in (
        "Edited by Ed Itor",
        "Copyright 2026 the authors. All rights reserved.",
        "First edition, March 1, 2026",  # the date as the book's language writes it (CLDR)
        "Published by Tide Press",
        "ISBN 9780000000002",
    ):
        assert text in imprint, text
    assert "belong to their writers" not in imprint  # the long disclaimer has its own page
    disclaimer = " ".join(by_kind["disclaimer"].split())
    assert disclaimer.count("belong to their writers") == 12
    assert "{{ 7*7 }}" in by_kind["dedication"] and "49" not in by_kind["dedication"]

    about = by_kind["about the authors"]
    names = [line for line in about.splitlines() if line in CONTRIBUTORS]
    assert names == CONTRIBUTORS
    flat = " ".join(about.split())
    assert "In this book: Alpha, Echo" in flat  # both of Zoe Quill's stories
    assert "Ann Bell writes by the sea. {{ 7*7 }}" in flat  # from front matter, literal
    assert "Cy Dorn sails \u2014 mostly." in flat  # from [stories."3-gamma.md"], typeset
    assert "Dee Evans" not in flat  # no bio, no entry


def test_pdf_contents_and_bookmark_reach_the_contributors(full: BuildResult) -> None:
    pages, reader = _pdf(full)
    contents = next(p for p in pages if _kind(p) == "contents")
    match = re.search(r"About the Authors[ .]*(\d+)", contents.body)
    assert match, contents.body
    start = next(p for p in pages if _kind(p) == "about the authors")
    assert start.foot == match.group(1)
    outline = {item.title: item for item in reader.outline if not isinstance(item, list)}
    assert reader.get_destination_page_number(outline["About the Authors"]) == start.index
    assert start.index % 2 == 0  # a right-hand page


def test_pdf_with_no_options(bare: BuildResult) -> None:
    pages, reader = _pdf(bare)
    kinds = [_kind(p) for p in pages]
    # With no subtitle or editors, the title page (iii) reads like the half-title (i).
    assert kinds == [
        "half-title", "blank", "half-title", "imprint", "contents", "blank",
        "story One", "blank", "story Two", "blank", "colophon",
    ]  # fmt: skip
    assert [reader.page_labels[i] for i in (0, 2, 3, 4, 6)] == ["i", "iii", "iv", "v", "1"]
    imprint = " ".join(next(p for p in pages if _kind(p) == "imprint").body.split())
    assert "non-commercial anthology of fan works" in imprint  # the default notice is short
    assert "edition" not in imprint.lower() and "Published by" not in imprint
    assert "urn:uuid:" in imprint
    assert "About the Authors" not in [item.title for item in reader.outline]


# -- the EPUB ----------------------------------------------------------------------


def _documents(result: BuildResult) -> list[etree._Element]:
    return Epub.open(_output(result, "epub")).spine_documents()


def _nav(result: BuildResult) -> etree._Element:
    epub = Epub.open(_output(result, "epub"))
    epub.opf()
    return etree.fromstring(epub.files[epub.opf_dir + "nav.xhtml"])


def _body_classes(docs: list[etree._Element]) -> list[str]:
    return [doc.find("x:body", XHTML_NS).get("class").split()[1] for doc in docs]


def _text(doc: etree._Element) -> str:
    return " ".join("".join(doc.find("x:body", XHTML_NS).itertext()).split())


def test_epub_is_valid_with_every_part(full: BuildResult) -> None:
    assert_epubcheck_clean(_output(full, "epub"))
    docs = _documents(full)
    # No half-title in the e-book: it is a print convention.
    # The drawn cover first (no cover image was given).
    assert _body_classes(docs) == [
        "cover", "title", "imprint", "dedication", "disclaimer", "contents",
        *["story"] * len(FULL_STORIES), "contributors", "colophon",
    ]  # fmt: skip
    kinds = {d.find("x:body", XHTML_NS).get("class").split()[1]: d for d in docs}
    assert kinds["imprint"].find(".//x:section", XHTML_NS).get(EPUB_TYPE) == "copyright-page"
    assert kinds["dedication"].find(".//x:section", XHTML_NS).get(EPUB_TYPE) == "dedication"
    assert kinds["contributors"].find(".//x:section", XHTML_NS).get(EPUB_TYPE) == "contributors"
    imprint = _text(kinds["imprint"])
    for text in ("All rights reserved.", "First edition, March 1, 2026", "ISBN 9780000000002"):
        assert text in imprint
    dedication = etree.tostring(kinds["dedication"], encoding="unicode")
    assert "<em>everyone</em>" in dedication and "{{ 7*7 }}" in dedication
    assert "49" not in dedication
    about = kinds["contributors"]
    names = ["".join(h.itertext()) for h in about.iterfind(".//x:h2", XHTML_NS)]
    assert names == CONTRIBUTORS
    links = [a.get("href").split("#")[0] for a in about.iterfind(".//x:a", XHTML_NS)]
    assert links == ["story-001.xhtml", "story-005.xhtml", "story-002.xhtml", "story-003.xhtml"]
    assert "Ann Bell writes by the sea. {{ 7*7 }}" in _text(about)


def test_epub_navigation_and_landmarks(full: BuildResult) -> None:
    nav = _nav(full)
    toc = nav.find(".//x:nav[@epub:type='toc']", EPUB_NS)
    entries = {"".join(a.itertext()): a.get("href") for a in toc.iter("{*}a")}
    for title, href in (
        ("Copyright", "imprint.xhtml"),
        ("Dedication", "dedication.xhtml"),
        ("Disclaimer", "disclaimer.xhtml"),
        ("About the Authors", "contributors.xhtml"),
    ):
        assert entries.get(title) == href, entries
    assert TITLE not in entries or entries[TITLE] == "titlepage.xhtml"  # no half-title entry
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", EPUB_NS)
    marks = {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iter("{*}a")}
    assert marks["copyright-page"] == "imprint.xhtml"
    contents = next(d for d in _documents(full) if "contents" in _body_classes([d]))
    assert "About the Authors" in _text(contents)


def test_epub_with_no_options(bare: BuildResult) -> None:
    assert_epubcheck_clean(_output(bare, "epub"))
    docs = _documents(bare)
    assert _body_classes(docs) == [
        "cover",
        "title",
        "imprint",
        "contents",
        "story",
        "story",
        "colophon",
    ]
    assert "non-commercial anthology" in _text(docs[2])
    entries = ["".join(a.itertext()) for a in _nav(bare).iter("{*}a")]
    assert "Dedication" not in entries and "About the Authors" not in entries


# -- cheaper builds: the disclaimer's threshold, bios, problems ------------------------


def _epub_only(tmp_path: Path, toml: str, stories: list[tuple[str, str, str, str]]) -> BuildResult:
    source = tmp_path / "src"
    _write_stories(source, stories)
    (source / "collection.toml").write_text(toml, encoding="utf-8")
    return build(source, tmp_path / "out", BuildOptions(formats=("epub",), env={}))


@pytest.mark.parametrize("count", [SHORT_DISCLAIMER, SHORT_DISCLAIMER + 1])
def test_disclaimer_on_the_imprint_up_to_the_threshold(tmp_path: Path, count: int) -> None:
    words = " ".join(f"w{i}" for i in range(count))
    result = _epub_only(tmp_path, f'disclaimer = "{words}"\n', [("a.md", "A", "Ann", "")])
    docs = _documents(result)
    classes = _body_classes(docs)
    imprint = _text(docs[classes.index("imprint")])
    if count <= SHORT_DISCLAIMER:
        assert words in imprint and "disclaimer" not in classes
    else:
        assert words not in imprint
        assert words in _text(docs[classes.index("disclaimer")])


def test_one_author_bio_and_a_joint_byline(tmp_path: Path) -> None:
    result = _epub_only(
        tmp_path,
        "",
        [("a.md", "A", "[Ann One, Bo Two]", "author_bio: Together since school.\n")],
    )
    about = next(d for d in _documents(result) if _body_classes([d]) == ["contributors"])
    assert "".join(about.find(".//x:h1", XHTML_NS).itertext()) == "About the Author"
    names = ["".join(h.itertext()) for h in about.iterfind(".//x:h2", XHTML_NS)]
    assert names == ["Ann One and Bo Two"]


def test_bio_problems_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "src"
    _write_stories(
        source,
        [
            ("1.md", "A", "Ann", "author_bio: First bio.\n"),
            ("2.md", "B", "Ann", "author_bio: Second bio.\n"),
        ],
    )
    write_story(source, "3.md", "---\ntitle: C\nauthor_bio: Nobody's bio.\n---\n\nText.\n")
    (source / "collection.toml").write_text('[contributors."Anne"]\nbio = "A typo?"\n')
    found = {
        (d.file.rsplit("/", 1)[-1], d.message)
        for d in load_stories(source, BuildOptions(env={})).diagnostics
        if d.severity is Severity.WARNING
    }
    assert found == {
        ("2.md", "author_bio: differs from the bio of Ann in 1.md; the first one is shown"),
        ("3.md", "author_bio: the story names no author, so the bio is not shown"),
        (
            "collection.toml",
            'contributors."Anne": no story is by this name and it is not an editor; '
            "listed without stories",
        ),
    }


def test_author_bio_loses_control_characters(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_story(
        source, "a.md", '---\ntitle: A\nauthor: Ann\nauthor_bio: "Bio\\x07 here"\n---\nT.\n'
    )
    loaded = load_stories(source, BuildOptions(env={}))
    assert loaded.stories[0].meta.author_bio_html.strip() == "<p>Bio here</p>"
    assert any("'author_bio': removed control characters" in d.message for d in loaded.diagnostics)


def test_contributor_names_are_cleaned_like_other_labels(tmp_path: Path) -> None:
    toml = '[contributors."Ann\\u202e Bell"]\nbio = "Hers."\n'
    result = _epub_only(tmp_path, toml, [("a.md", "A", "Ann Bell", "")])
    about = next(d for d in _documents(result) if _body_classes([d]) == ["contributors"])
    assert ["".join(h.itertext()) for h in about.iterfind(".//x:h2", XHTML_NS)] == ["Ann Bell"]


def test_contributors_table_is_checked(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_story(source, "a.md", "# A\n\nText.\n")
    (source / "collection.toml").write_text(
        '[contributors."Ann"]\nphoto = "ann.png"\n\n[contributors."Bo"]\nbio = 3\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_stories(source, BuildOptions(env={}))
    found = {(p.file.rsplit("/", 1)[-1], p.line, p.message) for p in caught.value.problems}
    assert found == {
        ("collection.toml", 2, "contributors.Ann.photo: unknown key (known keys: bio)"),
        ("collection.toml", 1, "contributors.Ann.bio: is required"),
        ("collection.toml", 5, "contributors.Bo.bio: must be text (got the number 3)"),
    }


def test_markup_in_a_dedication_and_a_bio_is_text(tmp_path: Path) -> None:
    toml = 'dedication = "For <script>alert(1)</script> you."\n'
    bio = "author_bio: 'Her <iframe src=x></iframe> bio.'\n"
    result = _epub_only(tmp_path, toml, [("a.md", "A", "Ann", bio)])
    raw = {
        _body_classes([doc])[0]: etree.tostring(doc, encoding="unicode")
        for doc in _documents(result)
    }
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw["dedication"]
    assert "<script" not in raw["dedication"]
    assert "&lt;iframe" in raw["contributors"] and "<iframe" not in raw["contributors"]
    warned = [d.message for d in result.diagnostics if d.severity is Severity.WARNING]
    assert any("iframe" in m for m in warned), warned


def test_a_collection_bio_finds_its_author_across_typography(tmp_path: Path) -> None:
    # Both names become "Ann O\u2019Neil" (curly apostrophe) before they are matched.
    toml = '[contributors."Ann O\'Neil"]\nbio = "Hers."\n'
    result = _epub_only(tmp_path, toml, [("a.md", "A", '"Ann O\'Neil"', "")])
    assert not [d for d in result.diagnostics if d.severity is Severity.WARNING]
    about = next(d for d in _documents(result) if _body_classes([d]) == ["contributors"])
    assert "Ann O\u2019Neil Hers. In this book: A" in _text(about)
