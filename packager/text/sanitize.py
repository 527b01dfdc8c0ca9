"""Untrusted HTML to a safe XHTML fragment: nh3 (ammonia) with packager's allowlist.

The only module that imports nh3. What HTML parsing leaves invalid in XHTML
is mended after it (packager.text.mend); every word of text is kept.
"""

from __future__ import annotations

import re

import nh3

from packager.text.html import VOID_NAMES, parse, serialize, unwrap
from packager.text.mend import misnested, renest

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
# data: stays for pictures (<img src="data:...">): packager.read.images decodes and
# checks each one, and no data: address reaches the book; a link to one is unwrapped.
_URL_SCHEMES = nh3.ALLOWED_URL_SCHEMES | {"data"}
_TAG_ONLY = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
# Elements of whole pages that stories are not made of but that nest like them.
_PAGE_TAGS = frozenset({"html", "body", "section", "article", "main", "header", "footer",
                        "nav", "aside", "font", "center", "details", "summary"})  # fmt: skip
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9:-]*)")


# Elements nested deeper than this are refused: WeasyPrint 70 recurses once per
# level and fails near 300, and libxml2 (lxml) silently drops whatever lies
# deeper than 256. Real stories nest a dozen levels at most.
MAX_DEPTH = 100


class TooDeep(ValueError):
    """Markup nested deeper than MAX_DEPTH."""

    def __init__(self, depth: int) -> None:
        super().__init__(
            f"markup is nested more than {MAX_DEPTH} levels deep "
            "(flatten the nested emphasis, quotes or lists)"
        )
        self.depth = depth
        self.line: int | None = None  # where it starts, when the reader knows


def depth(fragment: str) -> int:
    """How deeply the elements of a well-formed fragment nest."""
    if fragment.count("<") < MAX_DEPTH:
        return fragment.count("<")  # cannot nest deeper than it has tags
    level = deepest = 0
    for match in _TAG_ONLY.finditer(fragment):
        closing, name, selfclosing = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            level -= 1
        elif not selfclosing and name not in VOID_NAMES:
            level += 1
            deepest = max(deepest, level)
    return deepest


def check_depth(raw_html: str) -> None:
    """Raise TooDeep if any HTML (well-formed or not) nests deeper than MAX_DEPTH.

    nh3 parses it as a browser would (closing what HTML closes implicitly) and
    serializes it well-formed; its own output is then counted exactly.
    """
    if raw_html.count("<") >= MAX_DEPTH:
        found = depth(nh3.clean(raw_html, tags=_TAG_SET | _PAGE_TAGS, attributes={}))
        if found > MAX_DEPTH:
            raise TooDeep(found)


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
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    found = depth(cleaned)
    if found > MAX_DEPTH:
        raise TooDeep(found)
    if misnested(cleaned):
        cleaned = serialize(renest(parse(cleaned)))
    if "<a" not in cleaned and "<img" not in cleaned:
        # ammonia's output is well-formed HTML with quoted attributes: only void
        # elements and &nbsp; differ from XHTML. No need to parse it again.
        return _VOID.sub(r"<\1\2/>", cleaned).replace("&nbsp;", "\u00a0")
    root = parse(cleaned)
    for a in list(root.iter("a")):
        href = (a.get("href") or "").strip()
        if not href.lower().startswith(_LINK_SCHEMES):
            unwrap(a)  # no target inside the book: keep the words, drop the link
    for img in root.iter("img"):
        img.set("alt", img.get("alt", ""))
    return serialize(root)
