"""Tagged PDF (PDF/UA-1) for a book joined from parts: one structure tree, one set of keys.

WeasyPrint tags each part it lays out (``pdf_variant="pdf/ua-1"``); pdfbook
joins the parts' pages, and this module joins their structure trees the same
way, so that the book a screen reader opens is one tagged document.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name


class Structure:
    """The book's structure tree: a Document element and the parent tree's entries."""

    def __init__(self, book: pikepdf.Pdf) -> None:
        self.root = book.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.kids = Array()
        self.document = book.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, P=self.root, K=self.kids)
        )
        self.root.K = Array([self.document])
        self.entries: list[tuple[int, pikepdf.Object]] = []  # the parent tree's
        self.next_key = 0
        book.Root.StructTreeRoot = self.root

    def tag_link(self, book: pikepdf.Pdf, annotation: pikepdf.Object, page: int, text: str) -> None:
        """A Link element for an annotation packager drew (PDF/UA 7.18.5: with Contents)."""
        annotation.Contents = pikepdf.String(text)
        annotation.StructParent = self.next_key
        pg = book.pages[page].obj
        reference = Dictionary(Type=Name.OBJR, Obj=annotation, Pg=pg)
        element = book.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Link, P=self.document, Pg=pg, K=reference)
        )
        self.kids.append(element)
        self.entries.append((self.next_key, element))
        self.next_key += 1

    def finish(self) -> None:
        self.root.ParentTree = Dictionary(Nums=Array([x for pair in self.entries for x in pair]))
        self.root.ParentTreeNextKey = self.next_key


def join(book: pikepdf.Pdf, sources: Sequence[pikepdf.Pdf], starts: Sequence[int]) -> Structure:
    """The parts' structure trees as one: their elements under one Document, keys renumbered.

    The parts' pages are already in the book; copying a part's tree after them
    makes its elements point at those copies (qpdf copies each foreign object
    once per source). A part's parent-tree keys (its pages' StructParents and
    its annotations' StructParent) are shifted past the previous parts' keys.
    WeasyPrint writes each part's parent tree as one flat /Nums array, which is
    all this reads (a tree split into /Kids is not expected from it).
    """
    structure = Structure(book)
    ends = [*starts[1:], len(book.pages)]
    for source, start, end in zip(sources, starts, ends, strict=True):
        if "/StructTreeRoot" not in source.Root:
            continue
        tree = book.copy_foreign(source.Root.StructTreeRoot)
        offset = structure.next_key
        for part_document in _children(tree):
            for kid in _children(part_document):
                if isinstance(kid, Dictionary):
                    kid.P = structure.document
                structure.kids.append(kid)
        nums = list(tree.ParentTree.get("/Nums", Array()))
        for key, value in zip(nums[::2], nums[1::2], strict=True):
            structure.entries.append((int(key) + offset, value))
            structure.next_key = max(structure.next_key, int(key) + offset + 1)
        for page in book.pages[start:end]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
    return structure


def _children(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def accessible(book: pikepdf.Pdf, title: str, language: str) -> None:
    """What PDF/UA-1 asks of the whole document beside its tags."""
    book.Root.MarkInfo = Dictionary(Marked=True)
    book.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    for page in book.pages:
        if "/Annots" in page.obj:
            page.obj.Tabs = Name.S  # PDF/UA 7.18.3: annotations in structure order
    xmp = _XMP.format(title=escape(title), lang=escape(language)).encode("utf-8")
    book.Root.Metadata = book.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)


_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<pdfuaid:part>1</pdfuaid:part>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
