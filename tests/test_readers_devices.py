"""Reading devices: the default EPUB is safe for Send to Kindle, Kobo and Apple Books.

Every check reads the built EPUB back (zip + lxml), independently of packager's code.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest
from conftest import Built, copy_samples, write_story
from helpers import OPF_NS, XHTML_NS, Epub, assert_epubcheck_clean, words
from lxml import etree
from PIL import Image

from packager.build import BuildResult, build, load_book
from packager.epub import write_epub
from packager.model import Severity, TocEntry
from packager.preflight import preflight

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
    result = build(source, source.parent / "dist", formats=["epub"], env={})
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
    assert set(marks) == {"cover", "toc", "bodymatter"}
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
    book = load_book(copy_samples(tmp_path / "stories"), env={})
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
    result = build(source, tmp_path / "dist", formats=["epub"], env={})
    warned = [d for d in result.diagnostics if d.severity is Severity.WARNING]
    assert [d.file for d in warned] == ["collection.toml"]
    assert "Kindle does not accept books in 'tlh'" in warned[0].message
    with zipfile.ZipFile(result.outputs[0].path) as z:
        assert "<dc:language>tlh</dc:language>" in z.read("EPUB/content.opf").decode()


def test_preflight_finds_nothing_in_our_epub(device_build: tuple[Path, BuildResult]) -> None:
    data = epub_of(device_build[1]).path.read_bytes()
    assert [str(f.text()) for f in preflight(data, ("kindle", "kobo", "apple"))] == []
