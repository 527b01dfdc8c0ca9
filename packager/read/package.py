"""An EPUB's package document (the OPF): its metadata, its files and their reading order.

EPUB 2 and 3 both: roles as ``opf:role`` or as EPUB 3 refinements, series as
calibre's meta or EPUB 3's ``belongs-to-collection``. Every file the package
names is checked to stay inside the container.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import lxml.etree as etree

from packager.read.container import Container, line_of, resolve, rootfile

_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/x-dtbook+xml"})
_AUTHOR_ROLES = frozenset({"", "aut"})
_PLACEHOLDERS = frozenset({"unknown", "untitled", "[no title]"})


@dataclass(frozen=True)
class Item:
    """A file of the manifest: its entry in the zip, media type and properties."""

    entry: str
    media_type: str
    properties: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Package:
    """What the OPF says: metadata, the spine's documents in order, nav and guide."""

    entry: str
    title: str = ""
    authors: tuple[str, ...] = ()
    language: str = ""
    date: str = ""
    description: str = ""  # as the OPF holds it: HTML (calibre) or plain text
    subjects: tuple[str, ...] = ()
    source_url: str = ""
    series: str = ""
    generator: str = ""  # who made the EPUB ("calibre", "pandoc", "FanFicFare")
    spine: tuple[str, ...] = ()  # entries of the linear reading order
    aside: tuple[str, ...] = ()  # the spine's other documents (linear="no": pop-up notes)
    nav: str = ""  # the EPUB 3 navigation document's entry
    guide: dict[str, str] = field(default_factory=dict)  # guide type -> entry
    manifest: dict[str, Item] = field(default_factory=dict)  # entry -> item


def read_package(box: Container) -> Package:
    """The package document of an opened EPUB, or a StoryError naming what is wrong."""
    entry = rootfile(box)
    root = box.xml(entry)
    if etree.QName(root).localname != "package":
        raise box.refuse("is not a package document (no <package>)", entry)
    metadata = root.find(f"{_OPF}metadata")
    manifest: dict[str, Item] = {}
    by_id: dict[str, Item] = {}
    for item in root.iterfind(f"{_OPF}manifest/{_OPF}item"):
        href = item.get("href", "")
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href):
            continue  # a remote resource (EPUB 3 allows them): never fetched, never read
        target = resolve(entry, href)
        if target is None:
            raise box.refuse(
                f"names '{href}', outside the container; refused", entry, line_of(item)
            )
        props = frozenset((item.get("properties") or "").split())
        found = Item(target, (item.get("media-type") or "").strip(), props)
        by_id[item.get("id", "")] = found
        manifest[target] = found
    spine: list[str] = []
    aside: list[str] = []
    for ref in root.iterfind(f"{_OPF}spine/{_OPF}itemref"):
        read = by_id.get(ref.get("idref", ""))
        if read is None or read.media_type not in XHTML_TYPES:
            continue  # an itemref to nothing, or to a picture: nothing to read
        if ref.get("linear", "yes") != "no" and read.entry not in spine:
            spine.append(read.entry)
        elif ref.get("linear", "yes") == "no" and read.entry not in aside:
            aside.append(read.entry)
    aside = [e for e in aside if e not in spine]
    if not spine:
        raise box.refuse("has no documents to read in its spine", entry)
    guide: dict[str, str] = {}
    for ref in root.iterfind(f"{_OPF}guide/{_OPF}reference"):
        target = resolve(entry, (ref.get("href") or "").split("#")[0])
        if target is not None:
            guide.setdefault((ref.get("type") or "").lower(), target)
    nav = next((i.entry for i in manifest.values() if "nav" in i.properties), "")
    meta = _metadata(metadata) if metadata is not None else {}
    return Package(
        entry, spine=tuple(spine), aside=tuple(aside), nav=nav, guide=guide, manifest=manifest,
        **meta,
    )  # fmt: skip


def _metadata(metadata: etree._Element) -> dict[str, Any]:
    refines = _refinements(metadata)
    titles = [_text(t) for t in metadata.iterfind(f"{_DC}title")]
    authors = []
    for creator in metadata.iterfind(f"{_DC}creator"):
        role = creator.get(f"{_OPF}role") or refines.get((creator.get("id", ""), "role"), "")
        name = _text(creator)
        if role.lower() in _AUTHOR_ROLES and name and name.casefold() not in _PLACEHOLDERS:
            authors.append(name)
    dates = list(metadata.iterfind(f"{_DC}date"))
    published = [d for d in dates if (d.get(f"{_OPF}event") or "") in ("", "publication")]
    date = _text(published[0]) if published else ""
    urls = [
        _text(el)
        for el in (*metadata.iterfind(f"{_DC}source"), *metadata.iterfind(f"{_DC}identifier"))
        if re.match(r"https?://", _text(el))
    ]
    series = ""
    generator = ""
    for meta in metadata.iterfind(f"{_OPF}meta"):
        name, prop = meta.get("name", ""), meta.get("property", "")
        if name == "calibre:series" and not series:
            series = meta.get("content", "").strip()
        elif prop == "belongs-to-collection" and not series:
            series = _text(meta)
        elif name == "generator" and not generator:
            generator = meta.get("content", "").strip()
    contributors = " ".join(_text(c) for c in metadata.iterfind(f"{_DC}contributor"))
    if not generator and "fanficfare" in contributors.casefold():
        generator = "FanFicFare"
    return {
        "title": next((t for t in titles if t and t.casefold() not in _PLACEHOLDERS), ""),
        "authors": tuple(authors),
        "language": next((_text(el) for el in metadata.iterfind(f"{_DC}language")), ""),
        "date": re.sub(r"T.*$", "", date),
        "description": next((_raw(el) for el in metadata.iterfind(f"{_DC}description")), ""),
        "subjects": tuple(s for el in metadata.iterfind(f"{_DC}subject") if (s := _text(el))),
        "source_url": urls[0] if urls else "",
        "series": series,
        "generator": generator,
    }


def _refinements(metadata: etree._Element) -> dict[tuple[str, str], str]:
    """EPUB 3's <meta refines="#id" property="role">aut</meta>, by (id, property)."""
    found: dict[tuple[str, str], str] = {}
    for meta in metadata.iterfind(f"{_OPF}meta"):
        target = meta.get("refines", "")
        if target.startswith("#"):
            found.setdefault((target[1:], meta.get("property", "")), _text(meta))
    return found


def _raw(el: etree._Element) -> str:
    """An element's text as written, line breaks kept (a description's paragraphs)."""
    return "".join(str(t) for t in el.itertext()).strip()


def _text(el: etree._Element) -> str:
    return " ".join("".join(str(t) for t in el.itertext()).split())
