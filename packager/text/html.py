"""XHTML fragments: parse and serialize (lxml), walk their text runs, mark the initial.

Untrusted markup goes through packager.text.sanitize first. A *fragment* is a
string of XHTML elements and text with no root element, in no namespace;
templates place fragments inside XHTML documents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from html import escape as _escape
from html import unescape

import lxml.etree as etree
import lxml.html

# Block elements: text runs inside one of these form one typographic unit.
_BLOCKS = frozenset(
    {"p", "li", "dt", "dd", "td", "th", "caption", "figcaption", "blockquote", "div",
     "h1", "h2", "h3", "h4", "h5", "h6", "pre", "body"}
)  # fmt: skip
# Text inside these is code or verbatim and keeps its straight quotes.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "var"})
VOID_NAMES = frozenset({"br", "hr", "img", "wbr", "col", "meta", "link", "input", "area",
                         "base", "embed", "param", "source", "track"})  # fmt: skip
# A tag (its name captured) or a run of text, in a serialized fragment.
TOKEN = re.compile(r"<(?:/?(?P<name>[a-zA-Z][a-zA-Z0-9:-]*)[^>]*|!--.*?--|\?.*?\?)>|[^<]+", re.S)
# A tag alone (the text is what lies between two): searched from one "<" to the
# next, it is three times quicker over a story than TOKEN, which stops on every run
# of text. A "<" that begins no tag is text here (TOKEN's text runs leave it out).
TAG = re.compile(r"<(?:/?(?P<name>[a-zA-Z][a-zA-Z0-9:-]*)[^>]*|!--.*?--|\?.*?\?)>", re.S)


# Words longer than this in a story's text are refused: no story has them,
# and laying one out costs WeasyPrint time that grows with its square.
MAX_WORD = 10_000
# In print, a run of text this long without a space gets a break opportunity
# (U+200B) every _BREAK_EVERY characters: WeasyPrint's overflow-wrap would
# find the breaks too, but in time quadratic in the word's length.
_LONG_RUN_LENGTH = 60
_LONG_RUN = re.compile(r"[^\s<>]{" + str(_LONG_RUN_LENGTH) + ",}")
_HUGE_WORD = re.compile(r"[^\s<>]{" + str(MAX_WORD + 1) + ",}")
_UNIT = re.compile(r"&#?\w+;|.", re.S)
_BREAK_EVERY = 30
# Chinese, Japanese and Korean text has no spaces but a break opportunity between
# its characters (Unicode's line breaking, which the shaper follows): a run holding
# it needs no inserted break, and one would land before a closing comma or
# after an opening quote, where a CJK line must never break.
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)


def breakable(document: str) -> str:
    """Print markup with a break opportunity inside every very long word of its text."""
    if _longest_token(document) < _LONG_RUN_LENGTH or not _LONG_RUN.search(document):
        return document

    def insert(match: re.Match[str]) -> str:
        start = match.start()
        if document.rfind("<", 0, start) > document.rfind(">", 0, start):
            return match.group(0)  # inside a tag: an attribute value
        if _CJK.search(match.group(0)):
            return match.group(0)  # breaks between its characters already
        units = _UNIT.findall(match.group(0))
        return "\u200b".join(
            "".join(units[i : i + _BREAK_EVERY]) for i in range(0, len(units), _BREAK_EVERY)
        )

    return _LONG_RUN.sub(insert, document)


def _longest_token(markup: str) -> int:
    """The longest run without white space, tags included: at least the longest word.

    Three times quicker than the word patterns on a story, which need not run
    when no token is long enough (nearly always)."""
    return max(map(len, markup.split()), default=0)


def longest_word(fragment: str) -> int:
    """The length of the longest run of text without a space (0 if under MAX_WORD)."""
    if _longest_token(fragment) <= MAX_WORD:
        return 0
    for match in _HUGE_WORD.finditer(fragment):
        start = match.start()
        if fragment.rfind("<", 0, start) <= fragment.rfind(">", 0, start):
            return len(match.group(0))
    return 0


def escape(text: str) -> str:
    """Text to XHTML character data (quotes kept as typed for typography)."""
    return _escape(text, quote=False)


def normalize(fragment: str) -> str:
    """Re-serialize trusted markup (made by packager itself) as XHTML."""
    return serialize(parse(fragment))


def text_of(fragment: str) -> str:
    """The plain text of a fragment, as a reader would read it (blocks on their own lines)."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    parts: list[str] = []
    last = 0
    for match in TAG.finditer(fragment):
        parts.append(fragment[last : match.start()])
        last = match.end()
        name = match.group("name")
        if name is not None and (name.lower() in _BLOCKS or name.lower() == "br"):
            parts.append("\n")
    parts.append(fragment[last:])
    return unescape("".join(parts))


def map_text(fragment: str, fn: Callable[[Sequence[Sequence[str]]], list[list[str]]]) -> str:
    """Apply ``fn`` to the text runs of the fragment, grouped by block; code is left alone.

    Works on the serialized fragment (well-formed XHTML made by this module),
    token by token: a block tag ends one group of runs and starts the next.
    """
    if not fragment:
        return fragment
    tokens: list[str] = []
    groups: list[list[int]] = []  # per block, the indexes of its text tokens
    group: list[int] = []
    verbatim = 0

    def flush() -> None:
        if group:
            groups.append(list(group))
            group.clear()

    last = 0
    for match in TAG.finditer(fragment):
        if match.start() > last:  # the text before the tag
            if not verbatim:
                group.append(len(tokens))
            tokens.append(fragment[last : match.start()])
        last = match.end()
        token = match.group(0)
        tokens.append(token)
        name = match.group("name")
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
    if last < len(fragment):
        if not verbatim:
            group.append(len(tokens))
        tokens.append(fragment[last:])
    flush()
    blocks = [[unescape(tokens[i]) for i in g] for g in groups]
    for g, texts in zip(groups, fn(blocks), strict=True):
        for i, new in zip(g, texts, strict=True):
            tokens[i] = escape(new)
    return "".join(tokens)


def map_images(fragment: str, fn: Callable[[str, str], str | None]) -> str:
    """Rewrite each ``<img src>`` through ``fn(src, alt)``; None puts its alt text in its place."""
    root = parse(fragment)
    for img in list(root.iter("img")):
        new = fn(img.get("src", ""), img.get("alt", "").strip())
        if new is None:
            alt = img.get("alt", "").strip()
            replace_with_text(img, f"[{alt}]" if alt else "")
        else:
            img.set("src", new)
    return serialize(root)


def parse(fragment: str) -> lxml.html.HtmlElement:
    # "body" as the wrapper keeps the parser from moving block elements around.
    root = lxml.html.fragment_fromstring(fragment or "", create_parent="body")
    assert isinstance(root, lxml.html.HtmlElement)
    return root


def serialize(root: lxml.html.HtmlElement) -> str:
    parts = [escape(root.text or "")]
    parts.extend(etree.tostring(child, encoding="unicode", method="xml") for child in root)
    return "".join(parts)


def unwrap(el: lxml.html.HtmlElement) -> None:
    """Replace an element by its content (children and text), keeping its tail."""
    parent = el.getparent()
    if parent is None:
        return
    el.drop_tag()


def replace_with_text(el: etree._Element, text: str = "") -> None:
    """Replace an element (and all it holds) by ``text``, keeping its tail."""
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
    root = parse(fragment[:end])
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
    stop = _cluster_end(text, stop)
    span = etree.Element("span", {"class": "initial"})
    span.text, span.tail = text[start:stop], text[stop:]
    holder.text = text[:start]
    holder.insert(0, span)
    first.set("class", "opening")
    return serialize(root) + fragment[end:]


def _cluster_end(text: str, at: int) -> int:
    """Where the letter at ``at`` ends with the marks drawn on it: Thai ทุ, Hindi दी, स्त.

    A vowel sign or tone mark set apart from its letter is drawn on a dotted
    circle; after a virama (combining class 9) the next letter joins the cluster.
    """
    end = at + 1
    while end < len(text):
        mark = unicodedata.category(text[end]) in ("Mn", "Mc", "Me")
        joined = unicodedata.combining(text[end - 1]) == 9 and text[end].isalpha()
        if not (mark or joined):
            break
        end += 1
    return end


def _first_block_end(fragment: str) -> int | None:
    """Where the first top-level element that is not an epigraph ends (None: no such)."""
    level = 0
    epigraph = False
    for match in TOKEN.finditer(fragment):
        name = match.group("name")
        token = match.group(0)
        if name is None or name.lower() in VOID_NAMES or token.endswith("/>"):
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
