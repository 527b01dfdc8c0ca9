"""XHTML fragments: sanitize (nh3), parse and serialize (lxml), walk text runs.

The only module that imports nh3 and the only one that parses story markup.
A *fragment* is a string of XHTML elements and text with no root element, in
no namespace; templates place fragments inside XHTML documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from html import escape as _escape

import lxml.etree as etree
import lxml.html
import nh3

# What a story may contain. Everything else is removed by the sanitizer;
# readers show disallowed raw HTML as text rather than drop its words.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "div", "span", "blockquote", "pre", "code",
        "em", "strong", "i", "b", "u", "s", "del", "ins", "sub", "sup", "small",
        "mark", "cite", "q", "abbr", "dfn", "kbd", "samp", "var", "bdi", "bdo",
        "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
        "figure", "figcaption", "img", "a",
    }
)  # fmt: skip
_ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_LINK_SCHEMES = ("http://", "https://", "mailto:")
# Block elements: text runs inside one of these form one typographic unit.
_BLOCKS = frozenset(
    {"p", "li", "dt", "dd", "td", "th", "caption", "figcaption", "blockquote", "div",
     "h1", "h2", "h3", "h4", "h5", "h6", "pre", "body"}
)  # fmt: skip
# Text inside these is code or verbatim and keeps its straight quotes.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "var"})
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9:-]*)")


def escape(text: str) -> str:
    """Text to XHTML character data (quotes kept as typed for typography)."""
    return _escape(text, quote=False)


def disallowed_tags(raw_html: str) -> list[str]:
    """Names of the tags in a piece of raw HTML that the sanitizer would remove."""
    return [m.lower() for m in _TAG_NAME.findall(raw_html) if m.lower() not in ALLOWED_TAGS]


def sanitize(raw_html: str) -> str:
    """Untrusted HTML to a safe XHTML fragment (allowlist; words of text are kept)."""
    cleaned = nh3.clean(
        raw_html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
        link_rel=None,
        strip_comments=True,
    )
    root = _parse(cleaned)
    for a in list(root.iter("a")):
        href = (a.get("href") or "").strip()
        if not href.lower().startswith(_LINK_SCHEMES):
            _unwrap(a)  # no target inside the book: keep the words, drop the link
    for img in root.iter("img"):
        img.set("alt", img.get("alt", ""))
    return _serialize(root)


def normalize(fragment: str) -> str:
    """Re-serialize trusted markup (made by packager itself) as XHTML."""
    return _serialize(_parse(fragment))


def text_of(fragment: str) -> str:
    """The plain text of a fragment, as a reader would read it."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    root = _parse(fragment)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return str(root.text_content())


def map_text(fragment: str, fn: Callable[[Sequence[str]], list[str]]) -> str:
    """Apply ``fn`` to the text runs of each block; code keeps its characters."""
    root = _parse(fragment)
    for runs in _block_runs(root):
        texts = [get() for get, _ in runs]
        for (_, put), new in zip(runs, fn(texts), strict=True):
            put(new)
    return _serialize(root)


def map_images(fragment: str, fn: Callable[[str], str | None]) -> str:
    """Rewrite each ``<img src>`` through ``fn``; None replaces the image by its alt text."""
    root = _parse(fragment)
    for img in list(root.iter("img")):
        new = fn(img.get("src", ""))
        if new is None:
            alt = img.get("alt", "").strip()
            _replace_with_text(img, f"[{alt}]" if alt else "")
        else:
            img.set("src", new)
    return _serialize(root)


_Run = tuple[Callable[[], str], Callable[[str], None]]


def _block_runs(root: lxml.html.HtmlElement) -> Iterator[list[_Run]]:
    """Group the text and tail runs of the tree by their nearest block ancestor."""
    groups: dict[int, list[_Run]] = {}
    order: list[int] = []

    def add(block: lxml.html.HtmlElement, run: _Run) -> None:
        key = id(block)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(run)

    def visit(el: lxml.html.HtmlElement, block: lxml.html.HtmlElement) -> None:
        if el.tag in _VERBATIM:
            return
        inner = el if el.tag in _BLOCKS else block
        if el.text:
            add(inner, _accessor(el, "text"))
        for child in el:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions
            visit(child, inner)
            if child.tail:
                add(inner, _accessor(child, "tail"))

    visit(root, root)
    for key in order:
        yield groups[key]


def _accessor(el: lxml.html.HtmlElement, attr: str) -> _Run:
    def get() -> str:
        return str(getattr(el, attr) or "")

    def put(value: str) -> None:
        setattr(el, attr, value)

    return get, put


def _parse(fragment: str) -> lxml.html.HtmlElement:
    # "body" as the wrapper keeps the parser from moving block elements around.
    root = lxml.html.fragment_fromstring(fragment or "", create_parent="body")
    assert isinstance(root, lxml.html.HtmlElement)
    return root


def _serialize(root: lxml.html.HtmlElement) -> str:
    parts = [escape(root.text or "")]
    parts.extend(etree.tostring(child, encoding="unicode", method="xml") for child in root)
    return "".join(parts)


def _unwrap(el: lxml.html.HtmlElement) -> None:
    """Replace an element by its content (children and text), keeping its tail."""
    parent = el.getparent()
    if parent is None:
        return
    el.drop_tag()


def _replace_with_text(el: lxml.html.HtmlElement, text: str) -> None:
    parent = el.getparent()
    if parent is None:
        return
    replacement = text + (el.tail or "")
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + replacement
    else:
        parent.text = (parent.text or "") + replacement
    parent.remove(el)
