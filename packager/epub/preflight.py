"""preflight(epub) -> findings: what Kindle, Kobo or Apple Books would refuse or ignore.

Reads any EPUB (packager's or another tool's) with zipfile and lxml, and
reports each rule that a target trips, with a stable code and how to fix it.
The rules come from the targets' own documents and from the known causes of
Send to Kindle's E999 rejection (the ones the Kindle EPUB Fix tool repairs).
"""

from __future__ import annotations

import posixpath
import re
import tomllib
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from packager.epub.pictures import picture_findings
from packager.errors import PackagerError, error
from packager.model import Diagnostic, Settings, Severity
from packager.text.languages import kindle_accepts

TARGETS = ("kindle", "kobo", "apple")
MAX_KINDLE_BYTES = 50 * 1024 * 1024  # Send to Kindle fails above this in practice (E999)
KINDLE_NAV_DEPTH = 2  # Kindle Publishing Guidelines 5.2: two levels of nesting


@dataclass(frozen=True)
class Rule:
    target: str
    severity: Severity
    problem: str
    fix: str


def _rules() -> dict[str, Rule]:
    data = tomllib.loads((Path(__file__).parent / "rules.toml").read_text(encoding="utf-8"))
    return {
        code: Rule(r["target"], Severity(r["severity"]), r["problem"], r["fix"])
        for code, r in data.items()
    }


RULES = _rules()

_XML_FILES = (".xhtml", ".html", ".htm", ".opf", ".ncx", ".xml", ".svg")
_DECLARED = re.compile(rb"""^<\?xml\s+version=["'][\d.]+["']\s+encoding=["']utf-8["']""", re.I)
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_OPS = "{http://www.idpf.org/2007/ops}type"
_OPF = "{http://www.idpf.org/2007/opf}"
_FONT_TYPES = ("font/", "application/font", "application/x-font", "application/vnd.ms-opentype")
_KINDLE_FONTS = (".otf", ".ttf")
_CSS_BLOCK = re.compile(r"([^{}]*)\{([^{}]*)\}")
_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)


def language_warnings(settings: Settings, formats: Sequence[str]) -> list[Diagnostic]:
    """At build time: an EPUB in a language that Kindle refuses (a KEPUB is Kobo's only)."""
    if "epub" not in formats or kindle_accepts(settings.language):
        return []
    message = (
        f"language: Kindle does not accept books in '{settings.language}' "
        "(Send to Kindle fails with E999); the EPUB is written anyway"
    )
    return [Diagnostic(Severity.WARNING, message, "collection.toml")]


@dataclass(frozen=True)
class Finding:
    """One rule a target trips, where, and how to fix it."""

    code: str
    message: str = ""  # the detail: what exactly, e.g. "language 'tlh'"
    file: str = ""

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    def text(self) -> str:
        """Where, which rule and what exactly: "x.xhtml: <img> without src (an image ...)"."""
        where = f"{self.file}: " if self.file else ""
        detail = f" ({self.message})" if self.message else ""
        return f"{where}{self.rule.problem}{detail}"


@dataclass
class _Package:
    files: dict[str, bytes]
    size: int
    opf_path: str = ""
    opf: etree._Element | None = None
    items: list[etree._Element] = field(default_factory=list)
    docs: dict[str, etree._Element] = field(default_factory=dict)

    def href(self, item: etree._Element) -> str:
        return posixpath.normpath(
            posixpath.join(posixpath.dirname(self.opf_path), unquote(item.get("href", "")))
        )


def preflight(data: bytes, targets: Sequence[str] = TARGETS, name: str = "") -> list[Finding]:
    """Every finding of the given targets, in code order, then file order."""
    try:
        pkg = _read(data)
    except (zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise PackagerError([error(f"not an EPUB that can be read ({exc})", name)]) from None
    found = [f for f in _findings(pkg) if RULES[f.code].target in targets]
    return sorted(found, key=lambda f: (list(RULES).index(f.code), f.file))


def _read(data: bytes) -> _Package:
    with zipfile.ZipFile(BytesIO(data)) as z:
        pkg = _Package({n: z.read(n) for n in z.namelist() if not n.endswith("/")}, len(data))
    container = etree.fromstring(pkg.files.get("META-INF/container.xml", b"<c/>"), _PARSER)
    rootfile = container.find(".//{*}rootfile") if container is not None else None
    pkg.opf_path = rootfile.get("full-path", "") if rootfile is not None else ""
    if pkg.opf_path in pkg.files:
        pkg.opf = etree.fromstring(pkg.files[pkg.opf_path], _PARSER)
    if pkg.opf is not None:
        pkg.items = list(pkg.opf.iterfind(f".//{_OPF}manifest/{_OPF}item"))
    for item in pkg.items:
        name = pkg.href(item)
        if "html" in item.get("media-type", "") and name in pkg.files:
            doc = etree.fromstring(pkg.files[name], _PARSER)
            if doc is not None:
                pkg.docs[name] = doc
    return pkg


def _findings(pkg: _Package) -> Iterator[Finding]:
    for name, data in pkg.files.items():
        if name.lower().endswith(_XML_FILES) and not _DECLARED.match(data):
            yield Finding("KDP001", "no encoding declaration", name)
    yield from _links_and_images(pkg)
    yield from _language(pkg)
    if pkg.size > MAX_KINDLE_BYTES:
        yield Finding("KDP006", f"{pkg.size / 1024 / 1024:.1f} MB")
    if not _has_cover(pkg):
        yield from (Finding(code) for code in ("KDP007", "KOBO001", "APPLE001"))
    depth = _nav_depth(pkg)
    if depth > KINDLE_NAV_DEPTH:
        yield Finding("KDP008", f"{depth} levels")
    yield from _fonts(pkg)
    yield from _pictures(pkg)
    yield from _css(pkg)
    if not _has_bodymatter(pkg):
        yield from (Finding(code) for code in ("KDP012", "APPLE005"))


def _links_and_images(pkg: _Package) -> Iterator[Finding]:
    body_ids = set()
    for name, doc in pkg.docs.items():
        body = doc.find("{*}body")
        if body is not None and body.get("id"):
            body_ids.add(f"{name}#{body.get('id')}")

    def to_body(name: str, href: str) -> bool:
        path, _, frag = unquote(href).partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path)) if path else name
        return bool(frag) and f"{target}#{frag}" in body_ids

    for name in _ncx_names(pkg):
        ncx = etree.fromstring(pkg.files[name], _PARSER)
        for content in [] if ncx is None else ncx.iter("{*}content"):
            if to_body(name, content.get("src", "")):
                yield Finding("KDP002", f"links to {content.get('src')}", name)
    for name, doc in pkg.docs.items():
        for el in doc.iter(etree.Element):
            local = etree.QName(el).localname
            if local == "a" and el.get("href"):
                if to_body(name, el.get("href", "")):
                    yield Finding("KDP002", f"links to {el.get('href')}", name)
            elif local == "img" and not (el.get("src") or "").strip():
                yield Finding("KDP003", "an image without src", name)
            elif local == "script":
                yield Finding("KDP011", "a <script> element", name)


def _language(pkg: _Package) -> Iterator[Finding]:
    tag = ""
    if pkg.opf is not None:
        tag = (pkg.opf.findtext(".//{http://purl.org/dc/elements/1.1/}language") or "").strip()
    if not tag:
        yield Finding("KDP004", "no language")
    elif not kindle_accepts(tag):
        yield Finding("KDP005", f"language '{tag}'")
    if not _BCP47.match(tag):
        shown = f"language '{tag}'" if tag else "no language"
        yield from (Finding(code, shown) for code in ("KOBO002", "APPLE002"))


def _has_cover(pkg: _Package) -> bool:
    if any("cover-image" in (i.get("properties") or "").split() for i in pkg.items):
        return True
    meta = pkg.opf.find(f".//{_OPF}meta[@name='cover']") if pkg.opf is not None else None
    ids = {i.get("id"): i.get("media-type", "") for i in pkg.items}
    return meta is not None and ids.get(meta.get("content"), "").startswith("image/")


def _nav_depth(pkg: _Package) -> int:
    """The levels of the contents: the navigation document's, or else the NCX's."""
    for doc in pkg.docs.values():
        for nav in doc.iter("{*}nav"):
            if nav.get(_OPS) == "toc":
                ol = nav.find("{*}ol")
                return _ol_depth(ol) if ol is not None else 0
    for name in _ncx_names(pkg):
        ncx = etree.fromstring(pkg.files[name], _PARSER)
        nav_map = ncx.find("{*}navMap") if ncx is not None else None
        return _point_depth(nav_map) if nav_map is not None else 0
    return 0


def _ncx_names(pkg: _Package) -> list[str]:
    return [
        pkg.href(i)
        for i in pkg.items
        if i.get("media-type") == "application/x-dtbncx+xml" and pkg.href(i) in pkg.files
    ]


def _ol_depth(ol: etree._Element) -> int:
    inner = [_ol_depth(o) for li in ol.iterfind("{*}li") for o in li.iterfind("{*}ol")]
    return 1 + max(inner, default=0)


def _point_depth(el: etree._Element) -> int:
    return max((1 + _point_depth(p) for p in el.iterfind("{*}navPoint")), default=0)


def _fonts(pkg: _Package) -> Iterator[Finding]:
    fonts = [
        pkg.href(i) for i in pkg.items
        if i.get("media-type", "").startswith(_FONT_TYPES)
        or i.get("href", "").lower().endswith((".otf", ".ttf", ".woff", ".woff2", ".pfb"))
    ]  # fmt: skip
    for font in fonts:
        if not font.lower().endswith(_KINDLE_FONTS):
            yield Finding("KDP009", "not OpenType or TrueType", font)
    options = pkg.files.get("META-INF/com.apple.ibooks.display-options.xml", b"")
    if fonts and not re.search(rb'name=["\']specified-fonts["\']\s*>\s*true\s*<', options):
        yield Finding("APPLE003", f"{len(fonts)} font(s) and no specified-fonts option")


def _pictures(pkg: _Package) -> Iterator[Finding]:
    for item in pkg.items:
        name = pkg.href(item)
        cover = "cover-image" in (item.get("properties") or "").split()
        kind, data = item.get("media-type", ""), pkg.files.get(name, b"")
        for code, detail in picture_findings(kind, data, cover):
            yield Finding(code, detail, name)


def _css(pkg: _Package) -> Iterator[Finding]:
    sheets = {
        pkg.href(i): pkg.files.get(pkg.href(i), b"")
        for i in pkg.items
        if i.get("media-type") == "text/css"
    }
    for name, doc in pkg.docs.items():
        for style in doc.iter("{*}style"):
            sheets[f"{name} <style>"] = "".join(str(t) for t in style.itertext()).encode("utf-8")
    for name, data in sheets.items():
        text = re.sub(r"/\*.*?\*/", "", data.decode("utf-8", "replace"), flags=re.S)
        for selector, body in _CSS_BLOCK.findall(text):
            decls = _declarations(body)
            rule = f"{selector.strip()} {{ ... }}"
            for side in ("before", "after", "inside"):
                if f"break-{side}" in decls and f"page-break-{side}" not in decls:
                    yield Finding("KOBO003", f"{rule}: break-{side}", name)
            if "hyphens" in decls and "-webkit-hyphens" not in decls:
                yield Finding("APPLE004", f"{rule}: hyphens: {decls['hyphens']}", name)
            if decls.get("line-height", "").startswith("-"):
                yield Finding("KDP010", f"{rule}: line-height: {decls['line-height']}", name)


def _declarations(body: str) -> dict[str, str]:
    decls = {}
    for decl in body.split(";"):
        prop, colon, value = decl.partition(":")
        if colon:
            decls[prop.strip().lower()] = value.strip().lower()
    return decls


def _has_bodymatter(pkg: _Package) -> bool:
    for doc in pkg.docs.values():
        for nav in doc.iter("{*}nav"):
            marks = [(a.get(_OPS) or "").split() for a in nav.iter("{*}a")]
            if nav.get(_OPS) == "landmarks" and any("bodymatter" in m for m in marks):
                return True
    guide = (
        pkg.opf.find(f".//{_OPF}guide/{_OPF}reference[@type='text']")
        if pkg.opf is not None
        else None
    )
    return guide is not None
