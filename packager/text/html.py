"""XHTML fragments: sanitize (nh3), parse and serialize (lxml), walk text runs.

The only module that imports nh3 and the only one that parses story markup.
A *fragment* is a string of XHTML elements and text with no root element, in
no namespace; templates place fragments inside XHTML documents.
"""

from __future__ import annotations

import re
import unicodedata
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
_TAG_ONLY = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
# Elements of whole pages that stories are not made of but that nest like them.
_PAGE_TAGS = frozenset({"html", "body", "section", "article", "main", "header", "footer",
                        "nav", "aside", "font", "center", "details", "summary"})  # fmt: skip
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9:-]*)")
# A tag (its name captured) or a run of text, in a serialized fragment.
_TOKEN = re.compile(r"<(?:/?(?P<name>[a-zA-Z][a-zA-Z0-9:-]*)[^>]*|!--.*?--|\?.*?\?)>|[^<]+", re.S)


# Elements nested deeper than this are refused: WeasyPrint 70 recurses once per
# level and fails near 300, and libxml2 (lxml) silently drops whatever lies
# deeper than 256. Real stories nest a dozen levels at most.
MAX_DEPTH = 100
_VOID_NAMES = frozenset({"br", "hr", "img", "wbr", "col", "meta", "link", "input", "area",
                         "base", "embed", "param", "source", "track"})  # fmt: skip


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
        elif not selfclosing and name not in _VOID_NAMES:
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


# Words longer than this in a story's text are refused: no story has them,
# and laying one out costs WeasyPrint time that grows with its square.
MAX_WORD = 10_000
# In print, a run of text this long without a space gets a break opportunity
# (U+200B) every _BREAK_EVERY characters: WeasyPrint's overflow-wrap would
# find the breaks too, but in time quadratic in the word's length.
_LONG_RUN = re.compile(r"[^\s<>]{60,}")
_HUGE_WORD = re.compile(r"[^\s<>]{" + str(MAX_WORD + 1) + ",}")
_UNIT = re.compile(r"&#?\w+;|.", re.S)
_BREAK_EVERY = 30


def breakable(document: str) -> str:
    """Print markup with a break opportunity inside every very long word of its text."""
    if not _LONG_RUN.search(document):
        return document

    def insert(match: re.Match[str]) -> str:
        start = match.start()
        if document.rfind("<", 0, start) > document.rfind(">", 0, start):
            return match.group(0)  # inside a tag: an attribute value
        units = _UNIT.findall(match.group(0))
        return "\u200b".join(
            "".join(units[i : i + _BREAK_EVERY]) for i in range(0, len(units), _BREAK_EVERY)
        )

    return _LONG_RUN.sub(insert, document)


def longest_word(fragment: str) -> int:
    """The length of the longest run of text without a space (0 if under MAX_WORD)."""
    for match in _HUGE_WORD.finditer(fragment):
        start = match.start()
        if fragment.rfind("<", 0, start) <= fragment.rfind(">", 0, start):
            return len(match.group(0))
    return 0


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
    found = depth(cleaned)
    if found > MAX_DEPTH:
        raise TooDeep(found)
    if _misnested(cleaned):
        cleaned = _serialize(_renest(_parse(cleaned)))
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


# Elements whose content may only be phrasing (text and inline elements);
# <a>, <del> and <ins> are transparent and may hold blocks where their parent may.
_PHRASING = frozenset({"span", "em", "strong", "i", "b", "u", "s", "small", "mark", "cite", "q",
                       "abbr", "dfn", "kbd", "samp", "var", "bdi", "bdo", "sub", "sup", "code",
                       "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt"})  # fmt: skip
_FLOW = frozenset({"p", "div", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5",
                   "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "figure",
                   "figcaption"})  # fmt: skip
_ITEMS = {"ul": ("li",), "ol": ("li",), "dl": ("dt", "dd", "div")}


def _misnested(fragment: str) -> bool:
    """Whether the parsed HTML breaks XHTML's content models as browsers' parsing allows.

    An unclosed ``<em>`` before a paragraph leaves, after HTML parsing, an
    ``<em>`` holding paragraphs and lists; a stray tag or text inside a
    ``<ul>`` stays there. Both are well-formed but invalid in an EPUB.
    """
    stack: list[str] = []
    inline = 0  # phrasing-only elements open
    for match in _TOKEN.finditer(fragment):
        name = match.group("name")
        token = match.group(0)
        parent = stack[-1] if stack else ""
        if name is None:
            if parent in _ITEMS and token.strip():
                return True
            continue
        name = name.lower()
        if token.startswith("</"):
            if stack:
                inline -= stack.pop() in _PHRASING
            continue
        if (inline and name in _FLOW) or (parent in _ITEMS and name not in _ITEMS[parent]):
            return True
        if _stray_item(name, parent, stack[-2] if len(stack) > 1 else ""):
            return True
        if not token.endswith("/>") and name not in _VOID_NAMES:
            stack.append(name)
            inline += name in _PHRASING
    return False


def _renest(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Mend what _misnested finds, keeping every word and the order of the text.

    A phrasing element that holds blocks gives up its tag (the emphasis an
    unclosed tag began cannot be placed); text and stray elements inside a
    list become an item of it, or go when they are only white space.
    """
    for el in reversed(list(root.iter())):
        if not isinstance(el.tag, str):
            continue
        name = el.tag.lower()
        if name in _PHRASING and any(
            isinstance(d.tag, str) and d.tag.lower() in _FLOW for d in el.iterdescendants()
        ):
            if el.getparent() is not None:
                el.drop_tag()
        elif name in _ITEMS:
            _gather_items(el, _ITEMS[name])
    for el in list(root.iter()):
        parent = el.getparent()
        if (
            isinstance(el.tag, str)
            and parent is not None
            and _stray_item(el.tag, parent.tag, _tag(parent.getparent()))
        ):
            _into_list(el)
    return root


def _stray_item(name: str, parent: str, grandparent: str) -> bool:
    """A list item outside a list, or a term or definition outside a definition list."""
    if name == "li":
        return parent not in ("ul", "ol")
    if name in ("dt", "dd"):
        return parent != "dl" and not (parent == "div" and grandparent == "dl")
    return False


def _tag(el: lxml.html.HtmlElement | None) -> str:
    return el.tag if el is not None and isinstance(el.tag, str) else ""


def _into_list(item: lxml.html.HtmlElement) -> None:
    """Put a stray item into the list made for the item before it, or into a new one."""
    kind = "ul" if item.tag == "li" else "dl"
    holder = item.getprevious()
    if holder is None or holder.tag != kind or (holder.tail or "").strip():
        holder = lxml.html.Element(kind)
        item.addprevious(holder)
    # The text after the item follows the list (white space between two items goes).
    holder.tail, item.tail = item.tail, None
    holder.append(item)


def _gather_items(container: lxml.html.HtmlElement, allowed: tuple[str, ...]) -> None:
    """Put the container's stray text and elements into items of their own.

    Stray runs of white space, or of elements holding nothing but white space,
    are removed: no word is in them.
    """
    item_tag = "dd" if container.tag.lower() == "dl" else "li"
    text, container.text = container.text or "", None
    run: list[lxml.html.HtmlElement] = []

    def flush(before: lxml.html.HtmlElement | None) -> None:
        nonlocal text, run
        content = text + "".join("".join(el.itertext()) + (el.tail or "") for el in run)
        pictures = any(el.tag == "img" or el.find(".//img") is not None for el in run)
        if content.strip() or pictures:
            item = lxml.html.Element(item_tag)
            item.text = text
            if before is None:
                container.append(item)
            else:
                before.addprevious(item)
            item.extend(run)  # each keeps its tail, inside the item
        else:
            for el in run:
                container.remove(el)
        text, run = "", []

    for child in list(container):
        if isinstance(child.tag, str) and child.tag.lower() in allowed:
            flush(child)
            text, child.tail = child.tail or "", None
        else:
            run.append(child)
    flush(None)


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


_INLINE_HOLDERS = frozenset({"em", "i", "strong", "b", "span", "cite"})
_OPENING_PUNCTUATION = frozenset({"Ps", "Pi", "Pf", "Po"})


def mark_initial(fragment: str) -> str:
    """The story's first paragraph marked for its opener: ``<p class="opening">`` and
    ``<span class="initial">`` around its first letter (with any quote mark before it).

    The first top-level paragraph after an epigraph is the one; a story that
    opens with anything else (verse, a list, a letter) keeps its text as it
    is. A span, not CSS ::first-letter: WeasyPrint 70 lays the first line of a
    paragraph over a floated ::first-letter, and the span keeps the word
    whole in the EPUB's text (``<span>T</span>he``).
    """
    end = _first_block_end(fragment)
    if end is None:
        return fragment
    root = _parse(fragment[:end])
    if (root.text or "").strip():
        return fragment  # text before any block: not a paragraph to open with
    first = next((el for el in root if "epigraph" not in (el.get("class") or "")), None)
    if first is None or first.tag != "p" or first.get("class"):
        return fragment
    holder = first
    if not (first.text or "").strip() and len(first) and first[0].tag in _INLINE_HOLDERS:
        holder = first[0]
    text = holder.text or ""
    start = len(text) - len(text.lstrip())
    stop = start
    while stop < len(text) and unicodedata.category(text[stop]) in _OPENING_PUNCTUATION:
        stop += 1
    if stop >= len(text) or not text[stop].isalnum():
        return fragment
    span = etree.Element("span", {"class": "initial"})
    span.text, span.tail = text[start : stop + 1], text[stop + 1 :]
    holder.text = text[:start]
    holder.insert(0, span)
    first.set("class", "opening")
    return _serialize(root) + fragment[end:]


def _first_block_end(fragment: str) -> int | None:
    """Where the first top-level element that is not an epigraph ends (None: no such)."""
    level = 0
    epigraph = False
    for match in _TOKEN.finditer(fragment):
        name = match.group("name")
        token = match.group(0)
        if name is None or name.lower() in _VOID_NAMES or token.endswith("/>"):
            continue
        if token.startswith("</"):
            level -= 1
            if level == 0:
                if not epigraph:
                    return match.end()
                epigraph = False
        else:
            if level == 0:
                epigraph = "epigraph" in token
            level += 1
    return None
