"""The sample anthology, end to end: valid EPUB, a PDF that reads back as a book."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import SAMPLE_TITLES, SAMPLES, Built, copy_samples
from helpers import (
    OPF_NS,
    XHTML_NS,
    Epub,
    assert_epubcheck_clean,
    assert_in_order,
    normalize,
    pdf_pages,
    source_paragraphs,
)
from lxml import etree

from packager.build import build
from packager.model import Severity
from packager.options import BuildOptions

STORY_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".md", ".txt"))


def test_epub_passes_epubcheck(sample_build: Built) -> None:
    assert_epubcheck_clean(sample_build.output("epub"))


def test_build_reports_counts(sample_build: Built) -> None:
    result = sample_build.result
    assert result.stories == 4
    assert 1300 < result.words < 1600  # about 1,450 words in the four sample stories
    pdf = next(o for o in result.outputs if o.format == "pdf")
    assert pdf.pages == len(pypdf.PdfReader(pdf.path).pages)
    assert [d for d in result.diagnostics if d.severity is not Severity.INFO] == []


@pytest.mark.parametrize("story", STORY_FILES, ids=lambda p: p.name)
def test_every_paragraph_is_in_the_epub_in_order(sample_build: Built, story: Path) -> None:
    text = Epub.open(sample_build.output("epub")).text()
    assert_in_order(source_paragraphs(story), text, "the EPUB")


@pytest.mark.parametrize("story", STORY_FILES, ids=lambda p: p.name)
def test_every_paragraph_is_in_the_pdf_in_order(sample_build: Built, story: Path) -> None:
    pages = pdf_pages(sample_build.output("pdf").read_bytes())
    text = normalize("".join(p.body for p in pages))
    assert_in_order(source_paragraphs(story), text, "the PDF")


def test_stories_come_in_natural_file_order(sample_build: Built) -> None:
    epub = Epub.open(sample_build.output("epub"))
    titles = [
        "".join(h.itertext())
        for doc in epub.spine_documents()
        for h in doc.iterfind(".//x:h1[@class='story-title']", XHTML_NS)
    ]
    # 10-the-last-ferry.md comes after 03-..., not between 01- and 02-.
    assert titles == SAMPLE_TITLES


def test_epub_metadata_and_navigation(sample_build: Built) -> None:
    epub = Epub.open(sample_build.output("epub"))
    opf = epub.opf()
    meta = opf.find("opf:metadata", OPF_NS)
    assert meta.findtext("dc:title", namespaces=OPF_NS) == "Lanterns at Low Tide"
    assert meta.findtext("dc:language", namespaces=OPF_NS) == "en"
    assert meta.findtext("dc:identifier", namespaces=OPF_NS).startswith("urn:uuid:")
    assert [c.text for c in meta.iterfind("dc:creator", OPF_NS)] == [
        "Ines Marlow",
        "Tobiah Greaves",
    ]
    assert meta.findtext("dc:description", namespaces=OPF_NS)
    modified = meta.find("opf:meta[@property='dcterms:modified']", OPF_NS).text
    assert modified == "2026-11-01T00:00:00Z"  # the collection's date, with no SOURCE_DATE_EPOCH

    tree = etree.fromstring(epub.files[epub.opf_dir + "nav.xhtml"])
    ns = {**XHTML_NS, "epub": "http://www.idpf.org/2007/ops"}
    toc = tree.find(".//x:nav[@epub:type='toc']", ns)
    top = [
        "".join(li.find("x:a", ns).itertext()) for li in toc.find("x:ol", ns).iterfind("x:li", ns)
    ]
    for title in SAMPLE_TITLES:
        assert title in top
    lamplighter = next(
        li for li in toc.find("x:ol", ns) if "Lamplighter" in "".join(li.find("x:a", ns).itertext())
    )
    chapters = ["".join(a.itertext()) for a in lamplighter.iterfind("x:ol/x:li/x:a", ns)]
    assert chapters == ["I. The Oil", "II. The Storm"]
    landmarks = tree.find(".//x:nav[@epub:type='landmarks']", ns)
    kinds = {a.get("{http://www.idpf.org/2007/ops}type") for a in landmarks.iter("{*}a")}
    assert {"toc", "bodymatter"} <= kinds
    assert "toc.ncx" in " ".join(epub.files)


def test_typography_in_the_book(sample_build: Built) -> None:
    epub = Epub.open(sample_build.output("epub"))
    raw = b"".join(v for k, v in epub.files.items() if k.endswith(".xhtml")).decode()
    assert "Tell \u2019em we\u2019re coming in" in raw  # leading apostrophe: 'em
    assert "since the \u201990s" in raw  # and a decade
    assert "a Tuesday \u2014 a low" in raw  # -- to an em dash
    assert "the log again.\u00a0\u2026 There" in raw  # ". . . ." to a stop and an ellipsis
    assert "getting closer \u2026 and weren\u2019t" in raw  # ". . ." to an ellipsis
    assert "W-w-who is this?" in raw  # stutters stay as typed
    assert "\u201cShore station" in raw and "Do you read?\u201d" in raw
    assert "And if the glass fogs\u2026\u201d" in raw
    assert '"' not in re.sub(r"<[^>]*>", "", raw)  # no straight double quote in any text


def test_pdf_contents_numbers_match_story_pages(sample_build: Built) -> None:
    data = sample_build.output("pdf").read_bytes()
    pages = pdf_pages(data)
    contents = next(p for p in pages if p.body.lstrip().startswith("Contents"))
    listed: dict[str, int] = {}
    for line in contents.body.splitlines():
        match = re.match(r"^(.*?)[\s.]*?(\d+)$", line.strip())
        if match and match.group(1).rstrip(" .") in SAMPLE_TITLES:
            listed[match.group(1).rstrip(" .")] = int(match.group(2))
    assert list(listed) == SAMPLE_TITLES

    by_folio = {p.foot: p for p in pages if p.foot.isdigit()}
    reader = pypdf.PdfReader(io.BytesIO(data))
    outline = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in outline] == SAMPLE_TITLES  # one entry per story
    for item, title in zip(outline, SAMPLE_TITLES, strict=True):
        number = listed[title]
        page = by_folio[str(number)]
        # The page printed with that number is the one where the story's title stands...
        assert page.body.lstrip().startswith(title), (title, number, page.body[:80])
        # ...and it is where the bookmark goes.
        assert reader.get_destination_page_number(item) == page.index
        assert page.index % 2 == 0  # a right-hand page (0-based index even)


def test_pdf_outline_nests_chapters(sample_build: Built) -> None:
    reader = pypdf.PdfReader(sample_build.output("pdf"))
    outline = reader.outline
    first = outline.index(next(i for i in outline if getattr(i, "title", "") == SAMPLE_TITLES[0]))
    children = outline[first + 1]
    assert isinstance(children, list)
    assert [c.title for c in children] == ["I. The Oil", "II. The Storm"]


def test_pdf_running_heads_and_folios(sample_build: Built) -> None:
    pages = pdf_pages(sample_build.output("pdf").read_bytes())
    openers = [p for p in pages if any(p.body.lstrip().startswith(t) for t in SAMPLE_TITLES)]
    assert len(openers) == 4
    for page in openers:
        assert page.head == ""  # no running head on a story's first page
        assert page.foot.isdigit()
    heads = {p.head for p in pages if p.head}
    assert {"Mara Quill", "Dell Okafor"} <= heads  # the author on left-hand pages
    front = pages[: pages.index(openers[0])]
    contents = next(p for p in front if p.body.lstrip().startswith("Contents"))
    assert re.fullmatch(r"[ivx]+", contents.foot)  # front matter in roman numerals
    assert all(p.head == "" for p in front)


def test_pdf_metadata_and_fonts(sample_build: Built) -> None:
    reader = pypdf.PdfReader(sample_build.output("pdf"))
    info = reader.metadata
    assert info.title == "Lanterns at Low Tide"
    assert "Ines Marlow" in info.author
    assert reader.trailer["/Root"]["/Lang"] == "en"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("SourceSerifPro" in f.replace("-", "") for f in fonts), fonts
    assert all(re.match(r"/[A-Z]{6}\+", f) for f in fonts)  # subset, not the whole font
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 148  # A5
    assert round(float(box.height) / 72 * 25.4) == 210


def test_pdf_hyphenates(sample_build: Built) -> None:
    pages = pdf_pages(sample_build.output("pdf").read_bytes())
    body = "\n".join(p.body for p in pages)
    source = " ".join(p.read_text(encoding="utf-8") for p in STORY_FILES)
    broken = re.findall(r"(\w+)[-\u2010]\n(\w+)", body)
    # A word split at a line end that the source writes without a hyphen.
    hyphenated = [a + b for a, b in broken if re.search(rf"\b{a}{b}\b", source)]
    assert hyphenated, f"no hyphenation in the PDF (line-end breaks: {broken})"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    # In one process: another folder and newer file times. The time zone, umask,
    # user and host differ only between processes: see tests/test_reproducible.py.
    first_src = tmp_path / "a" / "stories"
    second_src = tmp_path / "b" / "elsewhere" / "stories"
    copy_samples(first_src)
    copy_samples(second_src)
    for path in second_src.iterdir():
        path.touch()  # newer modification times must not matter
    one = build(first_src, tmp_path / "out1", BuildOptions(env={}))
    two = build(second_src, tmp_path / "out2", BuildOptions(env={}))
    for a, b in zip(one.outputs, two.outputs, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.format


def test_source_date_epoch_sets_every_date(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    copy_samples(source)
    result = build(source, tmp_path / "out", BuildOptions(env={"SOURCE_DATE_EPOCH": "1700000000"}))
    epub_path = next(o.path for o in result.outputs if o.format == "epub")
    epub = Epub.open(epub_path)
    modified = epub.opf().find(".//opf:meta[@property='dcterms:modified']", OPF_NS).text
    assert modified == "2023-11-14T22:13:20Z"
    with zipfile.ZipFile(epub_path) as z:
        infos = z.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
    pdf = pypdf.PdfReader(next(o.path for o in result.outputs if o.format == "pdf"))
    assert pdf.metadata["/CreationDate"].startswith("D:20231114221320")
    assert pdf.metadata["/ModDate"].startswith("D:20231114221320")
