"""Mend what HTML parsing leaves invalid in XHTML, keeping every word in order.

Browsers' parsing (html5ever in nh3) keeps an unclosed ``<em>`` holding the
paragraphs after it and text typed inside a ``<ul>`` where it was; both are
well-formed but rejected by EPUBCheck (RSC-005).
"""

from __future__ import annotations

import lxml.html

from packager.text.html import TAG, VOID_NAMES

# Elements whose content may only be phrasing (text and inline elements);
# <a>, <del> and <ins> are transparent and may hold blocks where their parent may.
_PHRASING = frozenset({"span", "em", "strong", "i", "b", "u", "s", "small", "mark", "cite", "q",
                       "abbr", "dfn", "kbd", "samp", "var", "bdi", "bdo", "sub", "sup", "code",
                       "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt"})  # fmt: skip
_FLOW = frozenset({"p", "div", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5",
                   "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "figure",
                   "figcaption"})  # fmt: skip
_ITEMS = {"ul": ("li",), "ol": ("li",), "dl": ("dt", "dd", "div")}


def misnested(fragment: str) -> bool:
    """Whether the parsed HTML breaks XHTML's content models as browsers' parsing allows.

    An unclosed ``<em>`` before a paragraph leaves, after HTML parsing, an
    ``<em>`` holding paragraphs and lists; a stray tag or text inside a
    ``<ul>`` stays there. Both are well-formed but invalid in an EPUB.
    """
    stack: list[str] = []
    inline = 0  # phrasing-only elements open
    last = 0
    for match in TAG.finditer(fragment):
        name = match.group("name")
        token = match.group(0)
        parent = stack[-1] if stack else ""
        if parent in _ITEMS and fragment[last : match.start()].strip():
            return True  # text inside a list, outside its items
        last = match.end()
        if name is None:  # a comment or processing instruction
            if parent in _ITEMS:
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
        if not token.endswith("/>") and name not in VOID_NAMES:
            stack.append(name)
            inline += name in _PHRASING
    return bool(stack and stack[-1] in _ITEMS and fragment[last:].strip())


def renest(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
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
