"""Accessibility: the rules a checker (DAISY Ace) runs, and metadata that tells the truth.

The rules Ace applies to an EPUB's content are written out below,
independently of packager's own checks (language, titles, heading order, text
alternatives, ARIA roles for structural epub:types, the metadata), so they run
everywhere. DAISY Ace itself runs too where it is installed (it drives a
Chromium); otherwise those tests are skipped, or fail with PACKAGER_REQUIRE_ACE=1.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from pathlib import Path

import pikepdf
import pypdf
import pytest
from conftest import Built, copy_samples
from helpers import (
    OPF_NS,
    XHTML_NS,
    Epub,
    ace_violations,
    assert_epubcheck_clean,
    normalize,
    run_ace,
)
from lxml import etree
from PIL import Image

from packager.build import build, load_book
from packager.options import BuildOptions

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
CONFORMS = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# Ace's epub-type-has-matching-role, for the types a book like ours uses.
MATCHING_ROLE = {"chapter": "doc-chapter", "toc": "doc-toc", "colophon": "doc-colophon",
                 "cover": "doc-cover", "part": "doc-part", "epigraph": "doc-epigraph"}  # fmt: skip


def content_documents(epub: Epub) -> dict[str, etree._Element]:
    """Every XHTML document of the book, the navigation document included."""
    opf = epub.opf()
    return {
        item.get("href"): etree.fromstring(epub.files[epub.opf_dir + item.get("href")])
        for item in opf.iterfind(".//opf:item[@media-type='application/xhtml+xml']", OPF_NS)
    }


def ace_rules(epub: Epub) -> list[str]:
    """The violations the rules find; empty when the book passes."""
    found = []
    opf = epub.opf()
    meta = opf.find("opf:metadata", OPF_NS)
    for field in ("title", "language", "identifier"):
        if not meta.findtext(f"dc:{field}", namespaces=OPF_NS):
            found.append(f"OPF: no dc:{field}")
    if not opf.get(XML_LANG):
        found.append("OPF: epub-lang (no xml:lang on <package>)")
    properties = {m.get("property") for m in meta.iterfind("opf:meta", OPF_NS)}
    for prop in ("accessMode", "accessModeSufficient", "accessibilityFeature",
                 "accessibilityHazard", "accessibilitySummary"):  # fmt: skip
        if f"schema:{prop}" not in properties:
            found.append(f"OPF: no schema:{prop}")
    breaks = any(
        "pagebreak" in (el.get(EPUB_TYPE) or "").split()
        for doc in content_documents(epub).values()
        for el in doc.iter()
    )
    # Ace's epub-pagesource: a dc:source refined as the source of the pagination.
    sources = {s.get("id") for s in meta.iterfind("dc:source", OPF_NS) if (s.text or "").strip()}
    refined = {
        (m.get("refines") or "").lstrip("#")
        for m in meta.iterfind("opf:meta[@property='source-of']", OPF_NS)
        if m.text == "pagination"
    }
    if breaks and not sources & refined:
        found.append("OPF: epub-pagesource (page breaks, but no dc:source of the pagination)")
    for name, doc in content_documents(epub).items():
        lang, xml_lang = doc.get("lang"), doc.get(XML_LANG)
        if not (lang and BCP47.match(lang) and lang == xml_lang):
            found.append(f"{name}: html-has-lang ({lang!r}, {xml_lang!r})")
        if not "".join(doc.find("x:head/x:title", XHTML_NS).itertext()).strip():
            found.append(f"{name}: document-title")
        levels = [int(h.tag[-1]) for h in doc.iter() if re.fullmatch(r"\{.*\}h[1-6]", str(h.tag))]
        for before, after in itertools.pairwise(levels):
            if after > before + 1:
                found.append(f"{name}: heading-order h{before} -> h{after}")
        for img in doc.iterfind(".//x:img", XHTML_NS):
            if not (img.get("alt") or "").strip():
                found.append(f"{name}: image-alt {img.get('src')}")
        for el in doc.iter():
            if (
                el.tag == f"{{{XHTML_NS['x']}}}a"
                and el.getparent().getparent().getparent().get(EPUB_TYPE) == "landmarks"
            ):
                continue  # a landmark names the type of what it points to; not a structure
            for kind in (el.get(EPUB_TYPE) or "").split():
                if kind in MATCHING_ROLE and el.get("role") != MATCHING_ROLE[kind]:
                    found.append(f"{name}: epub-type-has-matching-role {kind}")
        for el in doc.iter():
            if "pagebreak" in (el.get(EPUB_TYPE) or "").split() and not (
                el.get("aria-label") or el.get("title")
            ):
                found.append(f"{name}: pagebreak-label {el.get('id')}")
        for el in doc.iter():
            if el.get("lang") is not None and el.get("lang") != el.get(XML_LANG):
                found.append(f"{name}: lang and xml:lang differ on <{etree.QName(el).localname}>")
    return found


def a11y_metadata(epub: Epub) -> set[tuple[str, str]]:
    meta = epub.opf().find("opf:metadata", OPF_NS)
    return {
        (m.get("property"), m.text)
        for m in meta.iterfind("opf:meta", OPF_NS)
        if (m.get("property") or "").startswith(("schema:", "dcterms:conformsTo", "a11y:"))
        and m.get("property") != "schema:accessibilitySummary"
    }


def supported_metadata(epub: Epub) -> set[tuple[str, str]]:
    """What the content supports, read from the content itself."""
    images = [
        img
        for doc in content_documents(epub).values()
        for img in doc.iterfind(".//x:img", XHTML_NS)
    ]
    all_alt = all((img.get("alt") or "").strip() for img in images)
    expected = {("schema:accessMode", "textual"), ("schema:accessibilityHazard", "none")}
    if images:
        expected |= {
            ("schema:accessMode", "visual"),
            ("schema:accessModeSufficient", "textual,visual"),
        }
    if all_alt:
        expected.add(("schema:accessModeSufficient", "textual"))
    features = {
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
        "structuralNavigation",
    }
    if images and all_alt:
        features.add("alternativeText")
    if any(el.get("role") for doc in content_documents(epub).values() for el in doc.iter()):
        features.add("ARIA")
    # A page list (the print edition's pages, marked in the text) adds page navigation.
    opf = epub.opf()
    nav_href = opf.find(".//opf:item[@properties='nav']", OPF_NS).get("href")
    nav = content_documents(epub)[nav_href]
    listed = nav.findall(".//x:nav[@{http://www.idpf.org/2007/ops}type='page-list']//x:a", XHTML_NS)
    markers = [
        el
        for doc in content_documents(epub).values()
        for el in doc.iter()
        if "pagebreak" in (el.get(EPUB_TYPE) or "").split()
    ]
    if listed and markers:
        features |= {"pageBreakMarkers", "pageNavigation", "printPageNumbers"}
    expected |= {("schema:accessibilityFeature", f) for f in features}
    if not ace_rules(epub):
        expected |= {
            ("dcterms:conformsTo", CONFORMS),
            ("a11y:certifiedBy", "packager (automated checks)"),
        }
    return expected


def test_sample_passes_the_accessibility_rules(sample_build: Built) -> None:
    epub = Epub.open(sample_build.output("epub"))
    assert ace_rules(epub) == []
    assert a11y_metadata(epub) == supported_metadata(epub)
    assert ("dcterms:conformsTo", CONFORMS) in a11y_metadata(epub)
    # Its one image is the drawn cover, described by its alt text.
    assert ("schema:accessibilityFeature", "alternativeText") in a11y_metadata(epub)


def test_every_document_is_in_a_language(sample_build: Built) -> None:
    epub = Epub.open(sample_build.output("epub"))
    language = epub.opf().findtext(".//dc:language", namespaces=OPF_NS)
    for name, doc in content_documents(epub).items():
        assert doc.get("lang") == doc.get(XML_LANG) == language, name


def with_images(tmp_path: Path, alts: list[str]) -> Epub:
    """The sample anthology with one image per alt text added to its first story."""
    source = copy_samples(tmp_path / "stories")
    Image.new("RGB", (40, 30), (200, 180, 90)).save(source / "map.png")
    story = source / "03-what-the-tide-keeps.md"
    story.write_text(story.read_text() + "".join(f"\n![{alt}](map.png)\n" for alt in alts))
    result = build(source, tmp_path / "dist", BuildOptions(formats=("epub",), env={}))
    path = result.outputs[0].path
    assert_epubcheck_clean(path)
    return Epub.open(path)


def test_images_with_alt_text_claim_alternative_text(tmp_path: Path) -> None:
    epub = with_images(tmp_path, ["A map of the bay at low tide"])
    meta = a11y_metadata(epub)
    assert meta == supported_metadata(epub)
    assert ("schema:accessibilityFeature", "alternativeText") in meta
    assert ("schema:accessModeSufficient", "textual") in meta
    assert ("dcterms:conformsTo", CONFORMS) in meta


def test_an_image_without_alt_text_withdraws_the_claims(tmp_path: Path) -> None:
    epub = with_images(tmp_path, ["A map of the bay at low tide", ""])
    meta = a11y_metadata(epub)
    assert meta == supported_metadata(epub)
    assert ("schema:accessibilityFeature", "alternativeText") not in meta
    assert ("schema:accessModeSufficient", "textual") not in meta
    assert ("dcterms:conformsTo", CONFORMS) not in meta
    assert ("schema:accessMode", "visual") in meta
    summary = epub.opf().findtext(
        ".//opf:meta[@property='schema:accessibilitySummary']", namespaces=OPF_NS
    )
    assert "1 of 3 images have no text alternative" in summary  # the cover, the two maps


def test_a_skipped_heading_level_withdraws_structural_navigation(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    story = source / "03-what-the-tide-keeps.md"
    story.write_text(story.read_text() + "\n<h5>Afterword, far too deep</h5>\n\nThe end.\n")
    result = build(source, tmp_path / "dist", BuildOptions(formats=("epub",), env={}))
    epub = Epub.open(result.outputs[0].path)
    rules = ace_rules(epub)
    if not rules:
        pytest.skip("the story's raw heading was not kept as a heading")
    meta = a11y_metadata(epub)
    assert ("dcterms:conformsTo", CONFORMS) not in meta
    assert ("schema:accessibilityFeature", "structuralNavigation") not in meta


# ---- the tagged PDF (--pdf-variant pdf/ua-1) ----


def struct_elements(element: object) -> list[pikepdf.Dictionary]:
    found = []
    if isinstance(element, pikepdf.Dictionary) and element.get("/Type") == "/StructElem":
        found.append(element)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
            found += struct_elements(kid)
    return found


def test_pdf_ua_is_tagged_with_its_language(tmp_path: Path, sample_build: Built) -> None:
    source = copy_samples(tmp_path / "stories")
    result = build(
        source, tmp_path / "dist", BuildOptions(formats=("pdf",), env={}, pdf_variant="pdf/ua-1")
    )
    path = result.outputs[0].path
    pdf = pikepdf.open(path)
    root = pdf.Root
    assert str(root.Lang) == "en"
    assert bool(root.MarkInfo.Marked) is True
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    assert pdf.open_metadata().get("pdfuaid:part") == "1"
    tree = root.StructTreeRoot
    elements = struct_elements(tree.K[0])
    kinds = [str(e.S) for e in elements]
    # one Document, and every heading of the book (of the HTML that WeasyPrint laid out)
    book = load_book(source, BuildOptions(env={}))
    h1 = sum(len(re.findall(r"<h1[\s>]", part.print_html)) for part in book.parts)
    assert kinds.count("/Document") == 1 and kinds.count("/H1") == h1
    assert kinds.count("/P") > 40
    # every element is on a page of this book (no page copied twice by the join)
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    assert all(e.Pg.objgen in pages for e in elements if "/Pg" in e)
    # the parent tree: one key per page and per tagged annotation, none shared
    nums = list(tree.ParentTree.Nums)
    keys = [int(k) for k in nums[::2]]
    assert keys == sorted(set(keys)) and int(tree.ParentTreeNextKey) == keys[-1] + 1
    page_keys = [int(p.obj.StructParents) for p in pdf.pages]
    assert len(set(page_keys)) == len(pdf.pages) and set(page_keys) <= set(keys)
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            element = dict(zip(keys, nums[1::2], strict=True))[int(annotation.StructParent)]
            assert element.S == "/Link" and element.K.Obj.objgen == annotation.objgen
            assert str(annotation.Contents)
    # the same pages and text as the untagged book
    default = pypdf.PdfReader(sample_build.output("pdf"))
    tagged = pypdf.PdfReader(path)
    assert len(tagged.pages) == len(default.pages)
    for a, b in zip(tagged.pages, default.pages, strict=True):
        assert normalize(a.extract_text()) == normalize(b.extract_text())


# ---- DAISY Ace itself, where it is installed ----


@pytest.mark.slow
def test_daisy_ace_passes_the_sample(sample_build: Built, tmp_path: Path) -> None:
    report = run_ace(sample_build.output("epub"), tmp_path / "ace")
    assert ace_violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    present = set(report["a11y-metadata"]["present"])
    assert {"schema:accessMode", "schema:accessibilityFeature", "dcterms:conformsTo"} <= present


@pytest.mark.slow
def test_daisy_ace_sees_a_missing_language(sample_build: Built, tmp_path: Path) -> None:
    # The rule set above and Ace agree: an EPUB without lang fails both.
    with zipfile.ZipFile(sample_build.output("epub")) as z:
        files = {n: z.read(n) for n in z.namelist()}
    broken = tmp_path / "nolang.epub"
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in files.items():
            if name.endswith("story-001.xhtml"):
                data = data.replace(b' lang="en" xml:lang="en"', b"", 1)
            z.writestr(name, data)
    assert any("html-has-lang" in v for v in ace_rules(Epub.open(broken)))
    assert any("story-001" in v for v in ace_violations(run_ace(broken, tmp_path / "ace")))
