"""The print edition's pages in the EPUB: markers where each PDF page begins, and a page list.

The PDF is read back (pypdf's page labels, pdfplumber's text of each page's
body) and compared with the text around each marker in the EPUB, found with
lxml independently of packager.pagelist: a class reading the printed book and
one reading the e-book must both find page 37.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import SEEDS, Built, copy_samples
from helpers import OPF_NS, XHTML_NS, Epub, assert_epubcheck_clean, pdf_pages
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from packager.build import build, load_book
from packager.epub import pagelist
from packager.model import PageStart
from packager.options import BuildOptions
from packager.pdf import join, textstream

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
SENTINEL = "\ue000"


def squash(text: str) -> str:
    """Letters and digits only, folded: what survives hyphenation, small caps and leaders."""
    return "".join(c for c in text if c.isalnum()).casefold()


def page_list(epub: Epub) -> list[tuple[str, str]]:
    """(label, href) of each entry of the navigation document's page list."""
    opf = epub.opf()
    nav_href = opf.find(".//opf:item[@properties='nav']", OPF_NS).get("href")
    nav = etree.fromstring(epub.files[epub.opf_dir + nav_href])
    found = nav.findall(f".//x:nav[@{EPUB_TYPE}='page-list']", XHTML_NS)
    assert len(found) <= 1
    if not found:
        return []
    return [(a.text, a.get("href")) for a in found[0].iterfind(".//x:a", XHTML_NS)]


def around(epub: Epub, href: str) -> tuple[str, str]:
    """The text of the marker's document before and after it (other markers as SENTINEL)."""
    name, anchor = href.split("#")
    doc = etree.fromstring(epub.files[epub.opf_dir + name])
    body = doc.find("x:body", XHTML_NS)
    marker = None
    for el in body.iter():
        if "pagebreak" in (el.get(EPUB_TYPE) or "").split():
            if el.get("id") == anchor:
                marker = el
            el.text = SENTINEL
    assert marker is not None, f"{href}: no marker with that id"
    assert marker.get("role") == "doc-pagebreak"
    marker.text = "\ue001"
    before, after = "".join(body.itertext()).split("\ue001")
    return before, after


def check_mirrors(epub_path: Path, pdf_path: Path) -> int:
    """Assert the EPUB's page list mirrors the PDF's pages; the number of pages with text."""
    epub = Epub.open(epub_path)
    data = pdf_path.read_bytes()
    labels = pypdf.PdfReader(io.BytesIO(data)).page_labels
    pages = pdf_pages(data)
    listed = page_list(epub)
    assert [label for label, _ in listed] == list(labels), "one entry per PDF page, in order"
    checked = 0
    for i, (label, href) in enumerate(listed):
        before, after = around(epub, href)
        body = squash(pages[i].body)
        if not body:  # a blank page: marked where the next page's text begins
            assert not squash(after.split(SENTINEL)[0]), f"page {label} is blank, text follows"
            continue
        # (a page the EPUB leaves out, the half-title, is marked where the next one is)
        following = squash(after.replace(SENTINEL, ""))
        # The first words after the marker open the PDF page (after, at most,
        # the end of a word hyphenated across the turn).
        assert following, f"page {label}: no text after its marker"
        start = body[:40].find(following[:12])
        assert start >= 0, f"page {label}: PDF opens {body[:40]!r}, EPUB {following[:40]!r}"
        # The words before it close an earlier page.
        preceding = squash(before.replace(SENTINEL, ""))[-12:]
        if preceding and i > 0:
            earlier = "".join(squash(p.body) for p in pages[:i])[-80:] + body[:start]
            assert preceding in earlier, f"page {label}: {preceding!r} is not before the turn"
        checked += 1
    return checked


def test_the_sample_page_list_mirrors_the_print_pdf(sample_build: Built) -> None:
    epub, pdf = sample_build.output("epub"), sample_build.output("pdf")
    checked = check_mirrors(epub, pdf)
    labels = pypdf.PdfReader(pdf).page_labels
    assert checked >= 12 and len(labels) > checked  # text pages, and blank pages too
    assert labels[0] == "i" and "1" in labels
    book = Epub.open(epub)
    source = book.opf().findtext(".//dc:source", namespaces=OPF_NS)
    assert source and "print edition" in source  # the pages are the print edition's


def test_seeds_keep_their_pages_in_every_edition(tmp_path: Path) -> None:
    """Real prose, hyphenated across pages; the KEPUB keeps the markers and passes EPUBCheck."""
    if not SEEDS.is_dir():
        pytest.skip("no seeds beside the project")
    source = tmp_path / "seeds"
    source.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (source / seed.name).write_bytes(seed.read_bytes())
    result = build(
        source, tmp_path / "dist", BuildOptions(formats=("epub", "kepub", "pdf"), env={})
    )
    paths = {o.format: o.path for o in result.outputs}
    assert check_mirrors(paths["epub"], paths["pdf"]) >= 10
    assert_epubcheck_clean(paths["epub"])
    assert_epubcheck_clean(paths["kepub"])
    kepub = Epub.open(paths["kepub"])
    assert page_list(kepub) == page_list(Epub.open(paths["epub"]))
    for _, href in page_list(kepub):
        around(kepub, href)  # every target is a marker in the Kobo edition too


def test_a_screen_pdf_has_no_blank_pages_to_list(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    result = build(source, tmp_path / "dist", BuildOptions(pdf_mode="screen", env={}))
    paths = {o.format: o.path for o in result.outputs}
    pages = len(pypdf.PdfReader(paths["pdf"]).pages)
    assert check_mirrors(paths["epub"], paths["pdf"]) == pages - 1  # every page but the cover
    source_text = Epub.open(paths["epub"]).opf().findtext(".//dc:source", namespaces=OPF_NS)
    assert "screen PDF" in source_text


def test_an_epub_built_alone_claims_no_page_list(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    result = build(source, tmp_path / "dist", BuildOptions(formats=("epub",), env={}))
    epub = Epub.open(result.outputs[0].path)
    assert page_list(epub) == []
    opf = epub.opf()
    features = {m.text for m in opf.iterfind(".//opf:meta[@property]", OPF_NS)}
    assert not features & {"pageBreakMarkers", "pageNavigation", "printPageNumbers"}
    assert opf.find(".//dc:source", OPF_NS) is None
    summary = opf.findtext(
        ".//opf:meta[@property='schema:accessibilitySummary']", namespaces=OPF_NS
    )
    assert "No page list" in summary


def test_the_page_list_comes_from_the_cache_unchanged(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    first = build(source, tmp_path / "a", BuildOptions(env={}))
    again = build(source, tmp_path / "b", BuildOptions(env={}))
    fresh = build(source, tmp_path / "c", BuildOptions(env={}, use_cache=False))
    epubs = [next(o.path for o in r.outputs if o.format == "epub") for r in (first, again, fresh)]
    assert not next(o for o in again.outputs if o.format == "pdf").laid_out  # all cached
    assert epubs[0].read_bytes() == epubs[1].read_bytes() == epubs[2].read_bytes()
    with zipfile.ZipFile(epubs[1]) as z:
        ncx = etree.fromstring(z.read("EPUB/toc.ncx"))
    targets = ncx.findall(".//{*}pageTarget")
    assert len(targets) == len(page_list(Epub.open(epubs[1])))
    assert {t.get("type") for t in targets} == {"front", "normal"}


# ---- the pure parts ----


def test_align_finds_each_pages_first_character() -> None:
    text = "Theendofonepage.Andthe" + "hyphenatedword" + "continues"
    pages = [["The end of one page.", "And the hy\u2010"], ["phenated word", "continues"]]
    assert textstream.align(text, pages) == (0, text.index("phenated"))


def test_align_ignores_case_and_skips_text_left_out() -> None:
    text = "OpeningHIDDENINPRINTrest"
    assert textstream.align(text, [["OPENING"], [], ["rest"]]) == (0, 20, 20)


def test_a_blank_last_page_starts_at_the_end() -> None:
    assert textstream.align("Words", [["Words"], []]) == (0, 5)


def test_roman_numerals_match_css_lower_roman() -> None:
    assert [join.roman(n) for n in (1, 4, 9, 14, 40, 1999)] == [
        "i", "iv", "ix", "xiv", "xl", "mcmxcix",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    source = copy_samples(tmp_path_factory.mktemp("book") / "stories")
    return load_book(source, BuildOptions(env={}))


def _story(book):  # type: ignore[no-untyped-def]
    return next(p for p in book.parts if p.id == "story-003")


def _body_text(xhtml: str) -> str:
    root = etree.fromstring(xhtml.encode("utf-8"))
    return "".join(root.find("x:body", XHTML_NS).itertext())


def test_a_marker_at_a_hyphenated_turn_follows_the_word(sample_book) -> None:  # type: ignore[no-untyped-def]
    part = _story(sample_book)
    text = textstream.stream(etree.fromstring(part.xhtml.encode("utf-8"))).text
    word = "Hollis"
    inside = text.index(word) + 3  # the page turns after "Hol-"
    marked = pagelist.mark(sample_book, [PageStart("7", part.id, inside)])
    before, after = around_part(marked, part.id, "page-7")
    assert squash(before).endswith(squash(word))  # after the word, not inside it
    assert not squash(after).startswith("lis")


def around_part(book, pid: str, anchor: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    part = next(p for p in book.parts if p.id == pid)
    root = etree.fromstring(part.xhtml.encode("utf-8"))
    marker = root.find(f".//*[@id='{anchor}']")
    marker.text = "\ue001"
    return tuple("".join(root.find("x:body", XHTML_NS).itertext()).split("\ue001"))  # type: ignore[return-value]


def test_a_marker_never_enters_a_headings_name(sample_book) -> None:  # type: ignore[no-untyped-def]
    part = _story(sample_book)
    marked = pagelist.mark(sample_book, [PageStart("5", part.id, 0), PageStart("6", part.id, 3)])
    root = etree.fromstring(next(p for p in marked.parts if p.id == part.id).xhtml.encode())
    for marker in root.iterfind(f".//*[@{EPUB_TYPE}='pagebreak']"):
        names = {etree.QName(a).localname for a in marker.iterancestors()}
        assert not names & {"h1", "h2", "h3", "a"}, f"{marker.get('id')} inside {names}"
    first, second = root.iterfind(f".//*[@{EPUB_TYPE}='pagebreak']")
    assert (first.get("id"), second.get("id")) == ("page-5", "page-6")


def test_markers_stay_where_html_allows_a_span() -> None:
    """In lists, tables and definition lists a marker goes inside the item, never between."""
    xhtml = (
        '<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        "<dl><dt>Rating</dt><dd>General</dd></dl>"
        "<table><caption>Tides</caption><tr><td>High</td><td>Low water</td></tr></table>"
        '<ol><li><a href="#x">A long title</a> and more</li></ol>'
        "<hgroup><h2>Part <em>two</em></h2><p>of three</p></hgroup></body></html>"
    )
    root = etree.fromstring(xhtml.encode())
    text = textstream.stream(root).text
    offsets = [
        0,
        3,
        len("RatingGeneral"),
        text.index("Low"),
        text.index("title"),
        text.index("two"),
    ]
    marked, _ = pagelist._marked(xhtml, [(str(n), o) for n, o in enumerate(offsets, 1)])
    root = etree.fromstring(marked.encode())
    assert (
        "".join(root.itertext())
        == "RatingGeneralTidesHighLow waterA long title and morePart twoof three"
    )
    for marker in root.iterfind(f".//*[@{EPUB_TYPE}='pagebreak']"):
        parent = etree.QName(marker.getparent()).localname
        assert parent not in {"dl", "table", "tr", "ol", "hgroup"}, (marker.get("id"), parent)


@given(data=st.data())
def test_markers_add_and_remove_no_word(sample_book, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    part = _story(sample_book)
    length = len(textstream.stream(etree.fromstring(part.xhtml.encode("utf-8"))).text)
    offsets = sorted(data.draw(st.lists(st.integers(0, length + 5), max_size=8)))
    starts = [PageStart(str(n), part.id, o) for n, o in enumerate(offsets, start=1)]
    marked = next(p for p in pagelist.mark(sample_book, starts).parts if p.id == part.id)
    assert _body_text(marked.xhtml).split() == _body_text(part.xhtml).split()
    root = etree.fromstring(marked.xhtml.encode("utf-8"))
    ids = [el.get("id") for el in root.iterfind(f".//*[@{EPUB_TYPE}='pagebreak']")]
    assert ids == [f"page-{n}" for n in range(1, len(offsets) + 1)]  # in page order


def test_pages_outside_the_epub_go_to_the_next_document(sample_book) -> None:  # type: ignore[no-untyped-def]
    starts = [
        PageStart("i", "halftitle"),
        PageStart("ii", None),
        PageStart("iii", "titlepage"),
    ]
    marked = pagelist.mark(sample_book, starts)
    assert [dataclasses.astuple(p) for p in marked.pages] == [
        ("i", "titlepage.xhtml#page-i"),
        ("ii", "titlepage.xhtml#page-ii"),
        ("iii", "titlepage.xhtml#page-iii"),
    ]
