"""Reading devices: the default EPUB is safe for Send to Kindle, Kobo and Apple Books.

Every check reads the built EPUB back (zip + lxml), independently of packager's code.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import Built, copy_samples, write_story
from helpers import OPF_NS, XHTML_NS, Epub, assert_epubcheck_clean, words
from lxml import etree
from PIL import Image
from typer.testing import CliRunner

from packager.build import BuildResult, build, load_book
from packager.cli import app
from packager.epub.preflight import preflight
from packager.epub.writer import write_epub
from packager.model import Severity, TocEntry
from packager.options import BuildOptions

EPUB_NS = "http://www.idpf.org/2007/ops"
NCX_NS = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'

PICTURES = """---
title: Pictures
author: Ann One
---
## The Map

Here is the harbour.

![A hand-drawn map of the harbour](map.png)

<img alt="the missing lighthouse"> stood on the point.

![](map.png)
"""


@pytest.fixture(scope="module")
def device_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """A small anthology with a cover, a captioned image, an image without alt, one without src."""
    source = tmp_path_factory.mktemp("devices") / "device-zine"
    write_story(source, "1-pictures.md", PICTURES)
    write_story(source, "2-plain.txt", "Plain\n\nA plain story, in words only.\n")
    Image.new("RGB", (160, 256), (30, 60, 90)).save(source / "cover.png")
    Image.new("RGB", (40, 30), (200, 180, 90)).save(source / "map.png")
    (source / "collection.toml").write_text('title = "Device Zine"\ncover = "cover.png"\n')
    result = build(source, source.parent / "dist", BuildOptions(formats=("epub",), env={}))
    return source, result


def epub_of(result: BuildResult) -> Epub:
    return Epub.open(next(o.path for o in result.outputs if o.format == "epub"))


def xml_files(epub: Epub) -> dict[str, bytes]:
    return {
        name: data
        for name, data in epub.files.items()
        if name.endswith((".xhtml", ".html", ".opf", ".ncx", ".xml", ".svg"))
    }


def test_device_epub_passes_epubcheck(device_build: tuple[Path, BuildResult]) -> None:
    assert_epubcheck_clean(epub_of(device_build[1]).path)


@pytest.mark.parametrize("which", ["sample", "device"])
def test_every_xml_file_declares_utf8(
    which: str, sample_build: Built, device_build: tuple[Path, BuildResult]
) -> None:
    epub = Epub.open(sample_build.output("epub")) if which == "sample" else epub_of(device_build[1])
    files = xml_files(epub)
    assert {"META-INF/container.xml"} < set(files)
    assert any(n.endswith(".opf") for n in files) and any(n.endswith(".ncx") for n in files)
    for name, data in files.items():
        assert data.startswith(DECLARATION), f"{name} starts with {data[:50]!r}"
        assert data.count(b"<?xml") == 1, name
        etree.fromstring(data)  # still well-formed


def test_no_link_points_at_a_body_id(device_build: tuple[Path, BuildResult]) -> None:
    epub = epub_of(device_build[1])
    body_ids = set()
    docs = {}
    for name, data in epub.files.items():
        if name.endswith(".xhtml"):
            docs[name] = etree.fromstring(data)
            body = docs[name].find("x:body", XHTML_NS)
            if body.get("id"):
                body_ids.add(f"{name.rsplit('/', 1)[-1]}#{body.get('id')}")
    links = [
        a.get("href") for doc in docs.values() for a in doc.iterfind(".//x:a[@href]", XHTML_NS)
    ]
    ncx = etree.fromstring(next(d for n, d in epub.files.items() if n.endswith(".ncx")))
    links += [c.get("src") for c in ncx.iterfind(".//n:content", NCX_NS)]
    assert len(links) > 10
    assert not [link for link in links if link.rsplit("/", 1)[-1] in body_ids]
    # and no link's fragment names a body either (a link to the file is enough)
    for doc in docs.values():
        assert doc.find("x:body", XHTML_NS).get("id") is None


def test_every_image_has_a_source_in_the_book(device_build: tuple[Path, BuildResult]) -> None:
    epub = epub_of(device_build[1])
    opf = epub.opf()
    manifest = {i.get("href") for i in opf.iterfind(".//opf:item", OPF_NS)}
    images = [img for doc in epub.spine_documents() for img in doc.iter(f"{{{XHTML_NS['x']}}}img")]
    assert len(images) == 3  # the cover, the map twice; the image without src became its alt
    for img in images:
        assert img.get("src") in manifest
    # the words of the image without src are still in the book
    assert "the missing lighthouse stood on the point" in " ".join(words(epub_text(epub)))


def epub_text(epub: Epub) -> str:
    return " ".join(
        " ".join(doc.find("x:body", XHTML_NS).itertext()) for doc in epub.spine_documents()
    )


def test_cover_is_marked_for_every_reader(device_build: tuple[Path, BuildResult]) -> None:
    epub = epub_of(device_build[1])
    opf = epub.opf()
    cover = opf.findall(".//opf:item[@properties='cover-image']", OPF_NS)
    assert len(cover) == 1 and cover[0].get("media-type") == "image/png"  # EPUB 3: Apple, Kobo
    meta = opf.find(".//opf:meta[@name='cover']", OPF_NS)  # EPUB 2 and Kindle
    assert meta is not None and meta.get("content") == cover[0].get("id")
    guide = opf.find(".//opf:guide/opf:reference[@type='cover']", OPF_NS)
    assert guide is not None
    first = epub.spine_documents()[0]
    assert first.find(".//x:img", XHTML_NS).get("src") == cover[0].get("href")


def landmarks(epub: Epub) -> dict[str, str]:
    opf = epub.opf()
    nav_href = opf.find(".//opf:item[@properties='nav']", OPF_NS).get("href")
    nav = etree.fromstring(epub.files[epub.opf_dir + nav_href])
    marks = nav.find(f".//x:nav[@{{{EPUB_NS}}}type='landmarks']", XHTML_NS)
    return {a.get(f"{{{EPUB_NS}}}type"): a.get("href") for a in marks.iterfind(".//x:a", XHTML_NS)}


def test_landmarks_open_at_the_first_story(device_build: tuple[Path, BuildResult]) -> None:
    epub = epub_of(device_build[1])
    marks = landmarks(epub)
    assert {"cover", "toc", "bodymatter"} <= set(marks)
    docs = {epub.opf_dir + href: None for href in marks.values()}
    assert all(name in epub.files for name in docs)
    first_story = etree.fromstring(epub.files[epub.opf_dir + marks["bodymatter"]])
    assert first_story.find(".//x:h1[@class='story-title']", XHTML_NS).text == "Pictures"
    toc = etree.fromstring(epub.files[epub.opf_dir + marks["toc"]])
    assert toc.find(f".//x:nav[@{{{EPUB_NS}}}type='toc']", XHTML_NS) is not None
    cover = etree.fromstring(epub.files[epub.opf_dir + marks["cover"]])
    assert cover.find(".//x:img", XHTML_NS) is not None


def nav_depth(ol: etree._Element, level: int = 1) -> int:
    deepest = level
    for li in ol.iterfind("x:li", XHTML_NS):
        for inner in li.iterfind("x:ol", XHTML_NS):
            deepest = max(deepest, nav_depth(inner, level + 1))
    return deepest


def test_navigation_deeper_than_two_levels_is_flattened(tmp_path: Path) -> None:
    book = load_book(copy_samples(tmp_path / "stories"), BuildOptions(env={}))
    story = book.toc[0]
    leaf = TocEntry("Deep Three", story.href + "#story-001-c01")
    deeper = TocEntry("Deeper Four", story.href + "#story-001-c02")
    chapter = dataclasses.replace(
        story.children[0], children=(dataclasses.replace(leaf, children=(deeper,)),)
    )
    deep = dataclasses.replace(story, children=(chapter, *story.children[1:]))
    out = tmp_path / "deep.epub"
    out.write_bytes(write_epub(dataclasses.replace(book, toc=(deep, *book.toc[1:]))))
    assert_epubcheck_clean(out)
    epub = Epub.open(out)
    nav = etree.fromstring(epub.files["EPUB/nav.xhtml"])
    toc_ol = nav.find(f".//x:nav[@{{{EPUB_NS}}}type='toc']/x:ol", XHTML_NS)
    assert nav_depth(toc_ol) == 2
    titles = ["".join(a.itertext()) for a in toc_ol.iter(f"{{{XHTML_NS['x']}}}a")]
    expected = [story.title, story.children[0].title, "Deep Three", "Deeper Four"]
    start = titles.index(story.title)
    assert titles[start : start + 4] == expected  # in reading order, nothing dropped
    ncx = etree.fromstring(epub.files["EPUB/toc.ncx"])
    assert not ncx.findall(".//n:navPoint/n:navPoint/n:navPoint", NCX_NS)
    assert "Deeper Four" in [t.text for t in ncx.iterfind(".//n:text", NCX_NS)]


def test_unaccepted_language_is_a_warning(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    toml = source / "collection.toml"
    toml.write_text(re.sub(r'(?m)^language = "en"$', 'language = "tlh"', toml.read_text()))
    result = build(source, tmp_path / "dist", BuildOptions(formats=("epub",), env={}))
    warned = [d for d in result.diagnostics if d.severity is Severity.WARNING]
    kindle = [d for d in warned if "Kindle" in d.message]
    assert [d.file for d in kindle] == ["collection.toml"]
    assert "Kindle does not accept books in 'tlh'" in kindle[0].message
    # The book's own words have no Klingon catalogue: that is said too, by name.
    assert any("no catalogue of the book's own words for language 'tlh'" in d.message
               for d in warned)  # fmt: skip
    with zipfile.ZipFile(result.outputs[0].path) as z:
        assert "<dc:language>tlh</dc:language>" in z.read("EPUB/content.opf").decode()


def test_preflight_finds_nothing_in_our_epub(device_build: tuple[Path, BuildResult]) -> None:
    data = epub_of(device_build[1]).path.read_bytes()
    assert [str(f.text()) for f in preflight(data, ("kindle", "kobo", "apple"))] == []


# ---- the Kobo edition (.kepub.epub) ----

KOBO_SPAN = "koboSpan"


@pytest.fixture(scope="module")
def kepub_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Epub, Epub]:
    """The sample with soft hyphens, an image and the editor's break-* CSS: (EPUB, KEPUB)."""
    work = tmp_path_factory.mktemp("kepub")
    source = copy_samples(work / "stories")
    write_story(
        source,
        "20-soft.md",
        "---\ntitle: Soft Hyphens\nauthor: Ann One\n---\n"
        "A won\u00adder\u00adful, in\u00adcred\u00adi\u00adble night. Is it? *Yes!* It is.\n\n"
        '"Quoted sentence." Then another one\u2026 and the end.\n\n'
        "![A map of the bay](map.png)\n",
    )
    Image.new("RGB", (40, 30), (200, 180, 90)).save(source / "map.png")
    (source / "kobo.css").write_text(
        ".story-title { break-before: right; }\nh2 { break-after: avoid-page; }\n"
    )
    toml = source / "collection.toml"
    toml.write_text('css = ["kobo.css"]\n' + toml.read_text())
    result = build(source, work / "dist", BuildOptions(formats=("epub", "kepub"), env={}))
    paths = {o.format: o.path for o in result.outputs}
    assert paths["kepub"].name.endswith(".kepub.epub")
    return Epub.open(paths["epub"]), Epub.open(paths["kepub"])


def test_kepub_passes_epubcheck(kepub_build: tuple[Epub, Epub]) -> None:
    assert_epubcheck_clean(kepub_build[1].path)


def in_kobo_span(el: etree._Element | None) -> bool:
    while el is not None:
        if el.get("class") == KOBO_SPAN:
            return True
        el = el.getparent()
    return False


def test_every_text_is_inside_a_kobo_span(kepub_build: tuple[Epub, Epub]) -> None:
    docs = kepub_build[1].spine_documents()
    spans = 0
    for doc in docs:
        body = doc.find("x:body", XHTML_NS)
        seen: dict[int, int] = {}
        for el in body.iter():
            if not isinstance(el.tag, str):
                continue
            if el.text and el.text.strip():
                assert in_kobo_span(el), f"text outside a koboSpan: {el.text!r}"
            if el.tail and el.tail.strip():
                assert in_kobo_span(el.getparent()), f"text outside a koboSpan: {el.tail!r}"
            if el.get("class") == KOBO_SPAN:
                spans += 1
                para, sentence = map(
                    int, re.fullmatch(r"kobo\.(\d+)\.(\d+)", el.get("id")).groups()
                )
                # paragraphs numbered in order from 1, sentences from 1 within each
                assert sentence == seen.get(para, 0) + 1 and para <= len(seen) + 1
                seen[para] = sentence
    assert spans > 100


def test_kepub_sentences_are_split(kepub_build: tuple[Epub, Epub]) -> None:
    doc = kepub_build[1].spine_documents()[-2]  # the last story, before the colophon
    assert "".join(doc.find(".//x:h1", XHTML_NS).itertext()) == "Soft Hyphens"
    paragraph = next(
        p for p in doc.iterfind(".//x:p", XHTML_NS) if "night" in "".join(p.itertext())
    )
    spans = paragraph.iterfind(".//x:span[@class='koboSpan']", XHTML_NS)
    sentences = ["".join(s.itertext()).strip() for s in spans]
    # The opening's initial letter is a text run of its own (span.initial), so it is
    # spanned apart, as kepubify spans each run of an inline element.
    assert sentences == ["A", "wonderful, incredible night.", "Is it?", "Yes!", "It is."]


def body_text(epub: Epub) -> str:
    return "".join(
        "".join(doc.find("x:body", XHTML_NS).itertext()) for doc in epub.spine_documents()
    )


def test_kepub_keeps_every_word_and_drops_soft_hyphens(kepub_build: tuple[Epub, Epub]) -> None:
    epub, kepub = kepub_build
    before, after = body_text(epub), body_text(kepub)
    assert "\u00ad" in before  # the test means something only if the EPUB had them
    assert "\u00ad" not in after
    assert after == before.replace("\u00ad", "")
    # the EPUB relies on break-*, which Kobo ignores; the KEPUB does not (nor trips anything else)
    assert "KOBO003" in {f.code for f in preflight(epub.path.read_bytes(), ("kobo",))}
    # With its drawn cover the KEPUB trips nothing at all.
    assert {f.code for f in preflight(kepub.path.read_bytes())} == set()
    css = "".join(v.decode() for k, v in kepub.files.items() if k.endswith(".css"))
    assert "break-before: right; page-break-before: right" in css
    assert "break-after: avoid-page; page-break-after: avoid" in css
    assert kepub.opf().findtext(".//dc:identifier", namespaces=OPF_NS) == epub.opf().findtext(
        ".//dc:identifier", namespaces=OPF_NS
    )


def test_cli_writes_the_kepub_and_the_tagged_pdf(tmp_path: Path, runner: CliRunner) -> None:
    source = tmp_path / "tiny"
    write_story(source, "1-one.md", "# One\n\nA single story. It is short.\n")
    out = tmp_path / "dist"
    args = ["build", str(source), "-o", str(out), "-f", "kepub", "-f", "pdf"]
    result = runner.invoke(app, [*args, "--pdf-variant", "pdf/ua-1", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["tiny.kepub.epub", "tiny.pdf"]
    assert_epubcheck_clean(out / "tiny.kepub.epub")
    with pikepdf.open(out / "tiny.pdf") as pdf:
        assert "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked)
    assert runner.invoke(app, [*args, "--pdf-variant", "pdf/a-3b"]).exit_code == 2
