"""An archive's work download (the Archive of Our Own's "Download HTML" layout), read by
its structure: a preface with the title, byline, tag list, summary and notes; chapters
with their own notes; an afterword with the end notes. Every field goes to its place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.etree as etree
import lxml.html

from packager.model import Change, Chapter
from packager.read import recognize
from packager.read.body import Body
from packager.read.paragraphs import tidy
from packager.text import html, sanitize
from packager.text.notes import calls_from_markers

_TAGS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "category": "tags",
    "categories": "tags",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tags": "tags",
    "freeform": "tags",
    "language": "language",
}
_LIST_FIELDS = {"warnings", "fandoms", "relationships", "characters", "tags"}


def read_download(root: lxml.html.HtmlElement, file: str, body: Body) -> Body:
    """The story of a work download (its unsafe parts already removed and reported)."""
    return _ArchiveDownload(root, file, body).read()


class _ArchiveDownload:
    """A work as downloaded from an archive: structure says where everything goes."""

    def __init__(self, root: lxml.html.HtmlElement, file: str, body: Body) -> None:
        self.root = root
        self.file = file
        self.body = body

    def read(self) -> Body:
        preface = self.root.xpath("//div[@id='preface']")[0]
        heading = preface.find(".//h1")
        if heading is not None:
            self.body.title = tidy(heading.text_content())
        byline = preface.xpath(".//*[contains(concat(' ', @class, ' '), ' byline ')]")
        if byline:
            names = [tidy(a.text_content()) for a in byline[0].iter("a")]
            text = tidy(byline[0].text_content())
            self.body.meta["author"] = ", ".join(names) if names else re.sub(r"^by\s+", "", text)
        self._tags(preface)
        self._labelled_blocks(preface, {"summary": "summary_html", "notes": "notes_html"})
        for link in preface.xpath(".//p[@class='message']//a/@href"):
            if "/works/" in str(link):
                self.body.meta["source_url"] = str(link)
        chapters = self.root.xpath("//div[@id='chapters']")[0]
        self.body.chapters = tuple(self._chapters(chapters))
        afterword = self.root.xpath("//div[@id='afterword']")
        if afterword:
            self._labelled_blocks(afterword[0], {"end notes": "end_notes_html"})
            for message in afterword[0].xpath(".//p[@class='message']"):
                self.body.changes.append(
                    Change(
                        self.file,
                        message.sourceline or 1,
                        "removed",
                        "site message",
                        tidy(message.text_content()),
                    )
                )
        self.body.notes_html = self.body.meta.pop("notes_html", "")
        self.body.end_notes_html = self.body.meta.pop("end_notes_html", "")
        self.body.changes.sort(key=lambda c: c.line)
        return self.body

    def _tags(self, preface: lxml.html.HtmlElement) -> None:
        for dl in preface.xpath(".//dl[contains(concat(' ', @class, ' '), ' tags ')]"):
            for dt in dl.iter("dt"):
                dd = next_element(dt)
                if dd is None or dd.tag != "dd":
                    continue
                label = tidy(dt.text_content()).rstrip(":").casefold()
                field = _TAGS.get(label)
                if field is None:
                    continue
                links = [tidy(a.text_content()) for a in dd.iter("a")]
                values = links or [v.strip() for v in tidy(dd.text_content()).split(",")]
                values = [v for v in values if v]
                if field in _LIST_FIELDS:
                    self.body.meta[field] = [*self.body.meta.get(field, []), *values]
                else:
                    self.body.meta[field] = ", ".join(values)

    def _labelled_blocks(self, scope: lxml.html.HtmlElement, fields: dict[str, str]) -> None:
        """<p>Summary</p><blockquote>…</blockquote>: the quote goes to the labelled field."""
        for label in scope.iter("p"):
            key = tidy(label.text_content()).rstrip(":").casefold()
            quote = next_element(label)
            if key in fields and quote is not None and quote.tag == "blockquote":
                self.body.meta[fields[key]] = self.body.meta.get(fields[key], "") + inner(quote)

    def _chapters(self, container: lxml.html.HtmlElement) -> Iterator[Chapter]:
        groups = container.xpath(
            "./div[contains(concat(' ', @class, ' '), ' meta ')]"
            "[contains(concat(' ', @class, ' '), ' group ')]"
        )
        if not groups:
            content = container.xpath("./div[contains(concat(' ', @class, ' '), ' userstuff ')]")
            fragment = "".join(inner(c) for c in content) or inner(container)
            yield Chapter(None, scene_breaks(fragment), container.sourceline or 1)
            return
        for group in groups:
            heading = group.find(".//h2")
            title = tidy(heading.text_content()) if heading is not None else None
            notes = self._chapter_notes(group, ("chapter summary", "chapter notes"))
            content = next_element(group)
            while content is not None and "userstuff" not in (content.get("class") or ""):
                content = next_element(content)
            text = inner(content) if content is not None else ""
            end = next_element(content) if content is not None else None
            end_notes = ""
            if end is not None and (end.get("id") or "").startswith("endnotes"):
                end_notes = self._chapter_notes(end, ("chapter end notes",))
            yield Chapter(title, scene_breaks(text), group.sourceline or 1, notes, end_notes)

    def _chapter_notes(self, scope: lxml.html.HtmlElement, labels: tuple[str, ...]) -> str:
        parts = []
        for label in scope.iter("p"):
            key = tidy(label.text_content()).rstrip(":").casefold()
            quote = next_element(label)
            if key in labels and quote is not None and quote.tag == "blockquote":
                parts.append(inner(quote))
        return "".join(parts)


def next_element(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The next sibling element, past comments ("<!--chapter content-->")."""
    nxt = el.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    return nxt


def inner(el: lxml.html.HtmlElement) -> str:
    """The sanitized markup inside an element."""
    raw = (el.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in el
    )
    return calls_from_markers(sanitize.sanitize(raw))


def scene_breaks(fragment: str) -> str:
    """Paragraphs that are only a scene-break line ("* * *", "oOo") become <hr/>."""

    def swap(match: re.Match[str]) -> str:
        return "<hr/>" if recognize.is_scene_break(html.text_of(match.group(1))) else match.group(0)

    return re.sub(r"<p>((?:(?!</?p[ >]).){1,80}?)</p>", swap, fragment, flags=re.S)
