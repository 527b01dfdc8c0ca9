"""Notes in the EPUB: pop-up footnotes as Apple Books, Kobo, Kindle and Thorium document
them, or endnotes at each story's end; EPUBCheck 0/0 and DAISY Ace pass."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers import XHTML_NS, Epub, assert_epubcheck_clean
from lxml import etree
from notebooks import notes_anthology
from test_accessibility import ace_violations, run_ace

from packager.build import build
from packager.options import BuildOptions

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def _build(tmp: Path, notes: str | None = None) -> Path:
    source = notes_anthology(tmp / "src", notes)
    result = build(source, tmp / "out", BuildOptions(env={}, formats=("epub",), use_cache=False))
    return next(o.path for o in result.outputs if o.format == "epub")


@pytest.fixture(scope="module")
def footnoted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("footnotes"))


@pytest.fixture(scope="module")
def endnoted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("endnotes"), "endnotes")


def _stories(epub: Path) -> dict[str, etree._Element]:
    book = Epub.open(epub)
    book.opf()
    return {
        name: etree.fromstring(data)
        for name, data in book.files.items()
        if name.rsplit("/", 1)[-1].startswith("story-")
    }


def _calls(doc: etree._Element) -> list[etree._Element]:
    return [a for a in doc.iter("{*}a") if "noteref" in (a.get(EPUB_TYPE) or "").split()]


def test_calls_and_footnotes_have_the_documented_markup(footnoted: Path) -> None:
    stories = _stories(footnoted)
    assert len(stories) == 3
    for name, doc in stories.items():
        calls = _calls(doc)
        assert len(calls) == 4, name
        ids = {el.get("id"): el for el in doc.iter() if el.get("id")}
        order = {el: i for i, el in enumerate(doc.iter())}
        for call in calls:
            assert call.get("role") == "doc-noteref"
            (sup,) = call.findall("x:sup", XHTML_NS)  # a superscript number, in any reader
            target = ids[call.get("href").removeprefix("#")]  # in the same file
            assert order[target] > order[call]  # after its call: Kobo pops it up
            kinds = (target.get(EPUB_TYPE) or "").split()
            if etree.QName(target).localname == "aside":
                assert kinds == ["footnote"] and target.get("role") == "doc-footnote"
                # right after the paragraph that calls it (or another note of that paragraph)
                block = call.getparent()
                while etree.QName(block.getparent()).localname not in ("div", "section"):
                    block = block.getparent()
                following = block.getnext()
                while following is not target:
                    assert etree.QName(following).localname == "aside"
                    following = following.getnext()
            else:  # Word's endnote: at the story's end
                assert etree.QName(target).localname == "li"
                section = target.getparent().getparent()
                assert (
                    section.get(EPUB_TYPE) == "endnotes" and section.get("role") == "doc-endnotes"
                )
            back = next(target.iter("{*}a"))  # the note's first link: back to its call
            assert back.get("role") == "doc-backlink"
            assert back.get("href") == f"#{call.get('id')}"
            assert back.text == f"{sup.text}."
        # Numbered per story, 1 to 4, in reading order.
        assert [c.find("x:sup", XHTML_NS).text for c in calls] == ["1", "2", "3", "4"]


def test_no_glyph_kobo_lacks_and_ids_unique_in_the_book(footnoted: Path) -> None:
    book = Epub.open(footnoted)
    ids: Counter[str] = Counter()
    for name, data in book.files.items():
        if name.endswith(".xhtml"):
            text = data.decode("utf-8")
            assert "\u21a9" not in text and "\u2191" not in text, name
            ids.update(el.get("id") for el in etree.fromstring(data).iter() if el.get("id"))
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_note_is_in_the_book(footnoted: Path) -> None:
    text = " ".join(" ".join(doc.itertext()) for doc in _stories(footnoted).values())
    for key in ("sa", "sb", "sc"):
        for n in range(1, 5):
            assert f"{key}note{n}" in text


def test_footnotes_pass_epubcheck(footnoted: Path) -> None:
    assert_epubcheck_clean(footnoted)


def test_endnotes_mode_puts_every_note_at_the_story_end(endnoted: Path) -> None:
    for name, doc in _stories(endnoted).items():
        assert not list(doc.iter("{*}aside")), name
        section = doc.find(".//x:section[@class='endnotes']", XHTML_NS)
        assert section is not None and section.get("role") == "doc-endnotes"
        story = doc.find(".//x:section[@class='story']", XHTML_NS)
        text = story.find("x:div[@class='story-text']", XHTML_NS)
        assert list(story).index(section) > list(story).index(text)  # after the story's text
        items = section.findall(".//x:li", XHTML_NS)
        assert [i.get("id") for i in items] == [c.get("href")[1:] for c in _calls(doc)]
    assert_epubcheck_clean(endnoted)


@pytest.mark.slow
def test_daisy_ace_passes_notes(footnoted: Path, endnoted: Path, tmp_path: Path) -> None:
    for epub in (footnoted, endnoted):
        report = run_ace(epub, tmp_path / epub.parent.parent.name)
        assert ace_violations(report) == []


def test_the_notes_heading_is_in_the_books_language(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "collection.toml").write_text(
        'title = "Notizen"\nauthors = ["Eine Herausgeberin"]\nlanguage = "de"\n'
        'notes = "endnotes"\n',
        encoding="utf-8",
    )
    (source / "01-md.md").write_text(
        "# Die Fähre\n\nSie wartete am Kai.[^1] Niemand sprach.\n\n[^1]: Ein alter Hafen.\n",
        encoding="utf-8",
    )
    result = build(source, tmp_path / "out", BuildOptions(env={}, formats=("epub",)))
    epub = next(o.path for o in result.outputs if o.format == "epub")
    (doc,) = _stories(epub).values()
    heading = doc.find(".//x:section[@class='endnotes']/x:h2", XHTML_NS)
    assert heading is not None and heading.text == "Anmerkungen"
    assert not [d for d in result.diagnostics if "label" in str(d).lower()]
    assert_epubcheck_clean(epub)
