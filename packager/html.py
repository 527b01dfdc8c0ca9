"""XHTML fragments: sanitize (nh3), parse and serialize (lxml), walk text runs.

The only module that imports nh3 and the only one that parses story markup.
A *fragment* is a string of XHTML elements and text with no root element, in
no namespace; templates place fragments inside XHTML documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape as _escape
from html import unescape

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
_TAG_SET = set(ALLOWED_TAGS)
_CLEAN_CONTENT = {"script", "style"}
_ATTRIBUTE_SETS = {k: set(v) for k, v in _ATTRIBUTES.items()}
_VOID = re.compile(r"<(br|hr|img|wbr|col)((?:\s[^<>]*?)?)\s*/?>")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
# Block elements: text runs inside one of these form one typographic unit.
_BLOCKS = frozenset(
    {"p", "li", "dt", "dd", "td", "th", "caption", "figcaption", "blockquote", "div",
     "h1", "h2", "h3", "h4", "h5", "h6", "pre", "body"}
)  # fmt: skip
# Text inside these is code or verbatim and keeps its straight quotes.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "var"})
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9:-]*)")
# A tag (its name captured) or a run of text, in a serialized fragment.
_TOKEN = re.compile(r"<(?:/?(?P<name>[a-zA-Z][a-zA-Z0-9:-]*)[^>]*|!--.*?--|\?.*?\?)>|[^<]+", re.S)


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
        tags=_TAG_SET,
        clean_content_tags=_CLEAN_CONTENT,
        attributes=_ATTRIBUTE_SETS,
        link_rel=None,
        strip_comments=True,
    )
    if "<a" not in cleaned and "<img" not in cleaned:
        # ammonia's output is well-formed HTML with quoted attributes: only void
        # elements and &nbsp; differ from XHTML. No need to parse it again.
        return _VOID.sub(r"<\1\2/>", cleaned).replace("&nbsp;", "\u00a0")
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
    """The plain text of a fragment, as a reader would read it (blocks on their own lines)."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    parts: list[str] = []
    for match in _TOKEN.finditer(fragment):
        name = match.group("name")
        if name is None:
            parts.append(match.group(0))
        elif name.lower() in _BLOCKS or name.lower() == "br":
            parts.append("\n")
    return unescape("".join(parts))


def map_text(fragment: str, fn: Callable[[Sequence[Sequence[str]]], list[list[str]]]) -> str:
    """Apply ``fn`` to the text runs of the fragment, grouped by block; code is left alone.

    Works on the serialized fragment (well-formed XHTML made by this module),
    token by token: a block tag ends one group of runs and starts the next.
    """
    if not fragment:
        return fragment
    tokens = [m.group(0) for m in _TOKEN.finditer(fragment)]
    groups: list[list[int]] = []  # per block, the indexes of its text tokens
    group: list[int] = []
    verbatim = 0

    def flush() -> None:
        if group:
            groups.append(list(group))
            group.clear()

    for i, token in enumerate(tokens):
        if token[0] != "<":
            if not verbatim:
                group.append(i)
            continue
        name = _TOKEN.match(token).group("name")  # type: ignore[union-attr]
        if name is None:
            continue
        name = name.lower()
        if name in _VERBATIM:
            if token.startswith("</"):
                verbatim = max(0, verbatim - 1)
            elif not token.endswith("/>"):
                verbatim += 1
        if name in _BLOCKS:
            flush()
    flush()
    blocks = [[unescape(tokens[i]) for i in g] for g in groups]
    for g, texts in zip(groups, fn(blocks), strict=True):
        for i, new in zip(g, texts, strict=True):
            tokens[i] = escape(new)
    return "".join(tokens)


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
