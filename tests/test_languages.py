"""Books in German, Chinese and Arabic, and an English book of German, French, Chinese and
Hebrew stories (tests/fixtures/books): the book's own words in its language, dates and
numbers as the language writes them, right-to-left documents marked as such, EPUBCheck
0/0 and DAISY Ace (issue 15, parts 2 and 4)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import lxml.etree as etree
import pytest
from conftest import ROOT
from helpers import OPF_NS, XHTML_NS, Epub, ace_violations, assert_epubcheck_clean, run_ace

from packager.book.collection import assemble
from packager.book.documents import render_collection
from packager.build import BuildResult, build, load_stories
from packager.options import BuildOptions

BOOKS = ROOT / "tests" / "fixtures" / "books"
EPUB_NS = "{http://www.idpf.org/2007/ops}type"

# What each book must say in its own words: the contents title, the opener's labels,
# the colophon's title, and the dates (2026-12-02) as the language writes them.
EXPECTED = {
    "de": {
        "contents": "Inhalt",
        "facts": ["Altersfreigabe", "Fandoms", "Figuren", "Schlagwörter", "Wörter"],
        "headings": ["Zusammenfassung", "Anmerkungen"],
        "colophon": "Kolophon",
        "date": "2. Dezember 2026",
        "counts": "2 Geschichten",
        "edited": "Herausgegeben von Greta Lindqvist und Jonas Brandt",
    },
    "zh": {
        "contents": "目录",
        "facts": ["分级", "标签", "字数"],
        "headings": ["简介", "注释"],
        "colophon": "版本说明",
        "date": "2026年12月2日",
        "counts": "收录 2 篇作品",
        "edited": "林晓雨 编",
    },
    "ar": {
        "contents": "المحتويات",
        "facts": ["التصنيف", "الوسوم", "عدد الكلمات"],
        "headings": ["الملخص", "ملاحظات"],
        "colophon": "بيانات الإصدار",
        "date": "2 ديسمبر 2026",
        "counts": "قصتان",
        "edited": "تحرير ليلى الحداد",
    },
}
# The English words a non-English book must not show (its labels in English).
ENGLISH = [
    "Contents", "Rating", "Warnings", "Relationships", "Characters", "Tags", "Words",
    "Chapters", "Summary", "Notes", "Edited by", "Colophon", "Copyright", "Published",
    "Made with", "Cover", "Start of the stories", "Pages", "Guide", "stories", "words",
    "Reflowable", "Disclaimer", "About the", "What’s New", "Version",
]  # fmt: skip


def _build(name: str, work: Path) -> tuple[BuildResult, Path]:
    source = work / name
    shutil.copytree(BOOKS / name, source)
    return build(source, work / f"out-{name}", BuildOptions(env={}, jobs=1)), source


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuildResult]:
    work = tmp_path_factory.mktemp("books")
    return {name: _build(name, work)[0] for name in ("de", "zh", "ar", "mixed")}


def _epub(result: BuildResult) -> Epub:
    return Epub.open(next(o.path for o in result.outputs if o.format == "epub"))


def _documents(epub: Epub) -> dict[str, etree._Element]:
    return {
        name.rsplit("/", 1)[-1]: etree.fromstring(data)
        for name, data in epub.files.items()
        if name.endswith(".xhtml")
    }


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.mark.parametrize("name", ["de", "zh", "ar"])
def test_the_books_own_words_are_in_its_language(books: dict[str, BuildResult], name: str) -> None:
    expected = EXPECTED[name]
    epub = _epub(books[name])
    docs = _documents(epub)
    contents = docs["contents.xhtml"]
    assert _text(contents.find(".//x:h1", XHTML_NS)) == expected["contents"]
    opener = docs["story-001.xhtml"].find(".//x:header", XHTML_NS)
    labels = [_text(dt) for dt in opener.iterfind(".//x:dt", XHTML_NS)]
    assert all(label in labels for label in expected["facts"]), labels
    headings = [_text(h) for h in opener.iterfind(".//x:h2", XHTML_NS)]
    assert headings == expected["headings"]
    colophon = docs["colophon.xhtml"]
    assert _text(colophon.find(".//x:h1", XHTML_NS)) == expected["colophon"]
    assert expected["date"] in _text(colophon)
    assert expected["counts"] in _text(colophon)
    assert expected["date"] in _text(docs["titlepage.xhtml"])
    assert expected["edited"] in _text(docs["titlepage.xhtml"])
    # No English label anywhere: the documents, the navigation, the NCX, the OPF.
    package = [epub.files["EPUB/toc.ncx"].decode(), epub.files["EPUB/content.opf"].decode()]
    every = " ".join([*(_text(d) for d in docs.values()), *package])
    every = every.replace("EPUB Accessibility 1.1 - WCAG 2.1 Level AA", "")  # a standard's name
    left = [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", every)]
    assert left == [], left
    nav = docs["nav.xhtml"]
    assert _text(nav.find(".//x:nav/x:h2", XHTML_NS)) == expected["contents"]


def test_numbers_are_grouped_as_the_language_groups_them(tmp_path: Path) -> None:
    """The opener and the colophon of a German book with a 1,451-word story: 1.451."""
    source = tmp_path / "de"
    shutil.copytree(BOOKS / "de", source)
    loaded = load_stories(source, BuildOptions(env={}))
    story = dataclasses.replace(loaded.stories[0], words=1451)
    collection = assemble(loaded.config, (story, *loaded.stories[1:]))
    book, _ = render_collection(loaded.config, collection)
    parts = {p.kind + (p.id if p.kind == "story" else ""): p.xhtml for p in book.parts}
    opener = etree.fromstring(parts["storystory-001"].encode())
    facts = {_text(dt): _text(dt.getnext()) for dt in opener.iterfind(".//x:dt", XHTML_NS)}
    assert facts["Wörter"] == "1.451"
    total = 1451 + loaded.stories[1].words
    colophon = _text(etree.fromstring(parts["colophon"].encode()))
    assert f"2 Geschichten, {total // 1000}.{total % 1000:03d} Wörter." in colophon


def test_a_right_to_left_book_is_marked_right_to_left(books: dict[str, BuildResult]) -> None:
    epub = _epub(books["ar"])
    opf = epub.opf()
    assert opf.find("opf:spine", OPF_NS).get("page-progression-direction") == "rtl"
    assert opf.get("dir") == "rtl"
    for name, doc in _documents(epub).items():
        if name == "nav.xhtml":
            assert doc.find("x:body", XHTML_NS).get("dir") == "rtl"
        else:
            assert doc.get("dir") == "rtl", name
            assert doc.get("lang") == "ar", name


def test_stories_of_other_languages_in_a_left_to_right_book(books: dict[str, BuildResult]) -> None:
    epub = _epub(books["mixed"])
    assert epub.opf().find("opf:spine", OPF_NS).get("page-progression-direction") is None
    docs = _documents(epub)
    sections = {
        name: doc.find(".//x:section[@class='story']", XHTML_NS)
        for name, doc in docs.items()
        if name.startswith("story-")
    }
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    shown = {n: (s.get("lang"), s.get(xml_lang), s.get("dir")) for n, s in sections.items()}
    assert shown == {
        "story-001.xhtml": ("de", "de", None),
        "story-002.xhtml": ("fr", "fr", None),
        "story-003.xhtml": ("zh-Hans", "zh-Hans", None),
        "story-004.xhtml": ("he", "he", "rtl"),
    }
    for doc in docs.values():  # the documents themselves are the book's: English, LTR
        assert doc.get("lang") == "en" and doc.get("dir") is None
    # The opener's labels are the book's words, marked as English, left to right.
    hebrew = sections["story-004.xhtml"]
    for dt in hebrew.iterfind(".//x:dt", XHTML_NS):
        assert (dt.get("lang"), dt.get("dir")) == ("en", "ltr")
    assert [_text(dt) for dt in hebrew.iterfind(".//x:dt", XHTML_NS)] == ["Rating", "Words"]
    # Titles isolated in the contents and the navigation, with their language.
    titles = docs["contents.xhtml"].findall(".//x:span[@class='toc-title']", XHTML_NS)
    assert [(t.get("dir"), t.get("lang")) for t in titles] == [
        ("auto", "de"), ("auto", "fr"), ("auto", "zh-Hans"), ("auto", "he"),
    ]  # fmt: skip
    toc = docs["nav.xhtml"].find(".//x:nav[@role='doc-toc']", XHTML_NS)
    links = toc.findall(".//x:a", XHTML_NS)
    assert links and all(a.get("dir") == "auto" for a in links)
    assert "הספרנית" in [_text(a) for a in links]


@pytest.mark.parametrize("name", ["de", "zh", "ar", "mixed"])
def test_epubcheck_passes_each_language(books: dict[str, BuildResult], name: str) -> None:
    assert_epubcheck_clean(next(o.path for o in books[name].outputs if o.format == "epub"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["de", "zh", "ar", "mixed"])
def test_daisy_ace_passes_each_language(
    books: dict[str, BuildResult], name: str, tmp_path: Path
) -> None:
    epub = next(o.path for o in books[name].outputs if o.format == "epub")
    report = run_ace(epub, tmp_path / "ace")
    assert ace_violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
