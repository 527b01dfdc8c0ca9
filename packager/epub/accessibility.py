"""EPUB Accessibility 1.1 metadata, computed from what the book's documents contain.

audit() reads the content documents and runs the checks that an automated
accessibility checker (DAISY Ace, axe) runs on them: a language and a title in
every document, headings in order, a text alternative for every image, and an
ARIA role matching every structural ``epub:type``. metadata() turns the result
into schema.org properties: a feature is claimed only when the content has it,
and conformance to WCAG only when every check passed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from packager.book.labels import Labels

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
_HEADING = re.compile(r"^h([1-6])$")
# epub:type values with an ARIA role of their own (EPUB Type to ARIA Role Authoring Guide).
ROLES = {
    "abstract": "doc-abstract", "acknowledgments": "doc-acknowledgments",
    "afterword": "doc-afterword", "appendix": "doc-appendix", "chapter": "doc-chapter",
    "colophon": "doc-colophon", "conclusion": "doc-conclusion", "cover": "doc-cover",
    "dedication": "doc-dedication", "endnotes": "doc-endnotes", "epigraph": "doc-epigraph",
    "epilogue": "doc-epilogue", "foreword": "doc-foreword", "glossary": "doc-glossary",
    "introduction": "doc-introduction", "noteref": "doc-noteref", "pagebreak": "doc-pagebreak",
    "page-list": "doc-pagelist", "part": "doc-part", "preface": "doc-preface",
    "prologue": "doc-prologue", "toc": "doc-toc",
}  # fmt: skip


@dataclass(frozen=True)
class Audit:
    """What the documents contain and which checks they fail."""

    images: int = 0
    images_without_alt: int = 0
    roles: int = 0  # elements with an ARIA role
    animated: int = 0  # GIFs: they may flash, which no check here can rule out
    headings_in_order: bool = True  # no level skipped: structural navigation works
    problems: tuple[str, ...] = ()  # "story-001.xhtml: heading h4 follows h2", ...
    page_breaks: int = 0  # page-break markers (the print edition's pages)

    @property
    def passed(self) -> bool:
        return not self.problems and not self.images_without_alt


def audit(documents: Sequence[tuple[str, str | bytes]]) -> Audit:
    """Check each (name, XHTML) content document, in reading order."""
    images = without_alt = roles = animated = breaks = 0
    problems: list[str] = []
    in_order = True
    for name, text in documents:
        root = etree.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
        lang, xml_lang = root.get("lang"), root.get(_XML_LANG)
        if not lang or not xml_lang or lang != xml_lang:
            problems.append(
                f"{name}: <html> needs lang and xml:lang, the same (got {lang!r}, {xml_lang!r})"
            )
        title = root.find("{*}head/{*}title")
        if title is None or not "".join(str(t) for t in title.itertext()).strip():
            problems.append(f"{name}: no <title>")
        level = 0
        for el in root.iter(etree.Element):
            local = etree.QName(el).localname
            if el.get("role"):
                roles += 1
            heading = _HEADING.match(local)
            if heading:
                new = int(heading.group(1))
                if level and new > level + 1:
                    problems.append(f"{name}: heading h{new} follows h{level}")
                    in_order = False
                level = new
            elif local == "img":
                images += 1
                if not (el.get("alt") or "").strip():
                    without_alt += 1
                if (el.get("src") or "").lower().endswith(".gif"):
                    animated += 1
            kinds = (el.get(_EPUB_TYPE) or "").split()
            if "pagebreak" in kinds or el.get("role") == "doc-pagebreak":
                breaks += 1
                if not (el.get("aria-label") or el.get("title") or "").strip():
                    problems.append(f"{name}: page-break marker without a label (aria-label)")
            for kind in kinds:
                role = ROLES.get(kind)
                if role and el.get("role") != role:
                    problems.append(f'{name}: epub:type="{kind}" without role="{role}"')
    return Audit(images, without_alt, roles, animated, in_order, tuple(problems), breaks)


def metadata(
    found: Audit, page_list: bool = False, labels: Labels | None = None
) -> list[tuple[str, str]]:
    """The book's accessibility properties, as (property, value) pairs for OPF <meta>.

    ``page_list``: the navigation document has a page list (its targets are
    the markers the audit counted). The summary is in the book's language.
    """
    props = [("schema:accessMode", "textual")]
    if found.images:
        props.append(("schema:accessMode", "visual"))
    if not found.images_without_alt:
        props.append(("schema:accessModeSufficient", "textual"))
    if found.images:
        props.append(("schema:accessModeSufficient", "textual,visual"))
    features = ["tableOfContents", "readingOrder", "displayTransformability"]
    if found.headings_in_order:
        features.append("structuralNavigation")
    if found.images and not found.images_without_alt:
        features.append("alternativeText")
    if found.roles:
        features.append("ARIA")
    if page_list and found.page_breaks:
        # pageBreakMarkers and pageNavigation are today's terms; printPageNumbers
        # is the older one that some catalogues still read.
        features += ["pageBreakMarkers", "pageNavigation", "printPageNumbers"]
    props.extend(("schema:accessibilityFeature", f) for f in sorted(features))
    props.append(("schema:accessibilityHazard", "unknown" if found.animated else "none"))
    props.append(("schema:accessibilitySummary", summary(found, page_list, labels)))
    if found.passed:
        props.append(("dcterms:conformsTo", CONFORMANCE))
        props.append(("a11y:certifiedBy", "packager (automated checks)"))
    return props


def summary(found: Audit, page_list: bool = False, labels: Labels | None = None) -> str:
    """One paragraph for a reader deciding whether the book suits them, in the book's language."""
    say = (labels or Labels("en")).text
    parts = [say("a11y_reading")]
    if not found.images:
        parts.append(say("a11y_no_images"))
    elif not found.images_without_alt:
        parts.append(say("a11y_all_alt", count=found.images))
    else:
        parts.append(say("a11y_missing_alt", count=found.images, missing=found.images_without_alt))
    if found.animated:
        parts.append(say("a11y_gif"))
    if page_list and found.page_breaks:
        parts.append(say("a11y_pages", count=found.page_breaks))
    else:
        parts.append(say("a11y_no_pages"))
    if found.passed:
        parts.append(say("a11y_meets", standard=CONFORMANCE))
    else:
        parts.append(say("a11y_no_claim"))
    return " ".join(parts)
