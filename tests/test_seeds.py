"""The three real story files in ../shared/seeds, read from there (never copied in)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS
from helpers import (
    XHTML_NS,
    Epub,
    assert_epubcheck_clean,
    assert_in_order,
    normalize,
    pdf_pages,
    unwrap_initials,
    words,
)
from lxml import etree
from typer.testing import CliRunner

from packager.build import BuildResult, build
from packager.cli import app
from packager.options import BuildOptions

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")

LETTER, PROLOGUE, LYRICS = (
    "000_834849469dca63cc.txt",
    "002_b7fc4fc54087720c.txt",
    "004_1f319cfad394e1be.txt",
)
# What packager takes out of a story's text: site debris, and the lines that
# become the title and the byline on the opener.
TAKEN_OUT = ("removed", "metadata")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult, dict[str, dict]]:
    source = tmp_path_factory.mktemp("seeds") / "real-stories"
    source.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, source / path.name)
    result = build(source, source.parent / "dist", BuildOptions(env={}))
    checked = CliRunner().invoke(app, ["check", str(source), "--json"])
    assert checked.exit_code == 0, checked.output
    stories = json.loads(checked.stdout)["stories"]
    report = {Path(s["file"]).name: {**s, "index": i} for i, s in enumerate(stories)}
    return source, result, report


def story_section(result: BuildResult, story: dict) -> etree._Element:
    """The story's section in the EPUB: the book keeps the report's order."""
    epub = Epub.open(next(o.path for o in result.outputs if o.format == "epub"))
    sections = [
        s
        for doc in epub.spine_documents()
        for s in doc.iterfind(".//x:section[@class='story']", XHTML_NS)
    ]
    section = sections[story["index"]]
    assert "".join(section.find(".//x:h1", XHTML_NS).itertext()) == story["title"]
    return section


def story_text_words(section: etree._Element) -> list[str]:
    """The words a reader reads as the story: notes, text, end notes (not the opener facts)."""
    keep = []
    for css in ("story-notes", "story-text", "story-end-notes"):
        for part in section.iterfind(f".//x:*[@class='{css}']", XHTML_NS):
            for label in part.iterfind(".//x:*[@class='story-meta-heading']", XHTML_NS):
                label.getparent().remove(label)
            keep.append(" ".join(unwrap_initials(part).itertext()))
    return words(" ".join(keep))


def source_words(seed: Path, report: dict) -> list[str]:
    """The seed's words minus exactly what the report says was taken out of the text."""
    lines = seed.read_text(encoding="utf-8").split("\n")
    per_line = [words(line) for line in lines]
    for change in report["changes"]:
        if change["kind"] not in TAKEN_OUT:
            continue
        taken = words(change["text"])
        line = per_line[change["line"] - 1]
        at = next(i for i in range(len(line)) if line[i : i + len(taken)] == taken)
        del line[at : at + len(taken)]
    return [w for line in per_line for w in line]


def test_seed_anthology_passes_epubcheck(seeds) -> None:  # type: ignore[no-untyped-def]
    _, result, _ = seeds
    assert result.stories == 3
    assert_epubcheck_clean(next(o.path for o in result.outputs if o.format == "epub"))


@pytest.mark.parametrize("name", [LETTER, PROLOGUE, LYRICS])
def test_word_fidelity(seeds, name: str) -> None:  # type: ignore[no-untyped-def]
    _, result, report = seeds
    story = report[name]
    section = story_section(result, story)
    assert story_text_words(section) == source_words(SEEDS / name, story)


@pytest.mark.parametrize("name", [LETTER, PROLOGUE, LYRICS])
def test_kept_paragraphs_reach_the_pdf(seeds, name: str) -> None:  # type: ignore[no-untyped-def]
    _, result, report = seeds
    taken = {c["line"] for c in report[name]["changes"] if c["kind"] in TAKEN_OUT}
    text = (SEEDS / name).read_text(encoding="utf-8").split("\n")
    paragraphs = [normalize(line) for i, line in enumerate(text, 1) if i not in taken]
    pdf = next(o.path for o in result.outputs if o.format == "pdf")
    body = normalize("".join(p.body for p in pdf_pages(pdf.read_bytes())))
    assert_in_order([p for p in paragraphs if p], body, "the PDF")


def test_chapter_heading_letter_and_moved_notes(seeds) -> None:  # type: ignore[no-untyped-def]
    _, result, report = seeds
    story = report[LETTER]
    assert story["title"] == "Untitled"  # the file states none: the editor is warned
    assert any("no title found" in w["message"] for w in story["warnings"])
    assert story["chapters"] == ["Prologue: The Letter"]
    section = story_section(result, story)
    letter = section.find(".//x:blockquote[@class='quoted']", XHTML_NS)
    paras = ["".join(p.itertext()) for p in letter.iterfind("x:p", XHTML_NS)]
    assert paras[0].startswith("I have wrote this letter") and paras[-1] == "With Love,"
    end = "".join(section.find(".//x:*[@class='story-end-notes']", XHTML_NS).itertext())
    assert "Disclaimer: I do not own the cast" in end and "A/N: This is an AU version" in end
    opener = section.find(".//x:*[@class='story-disclaimer']", XHTML_NS)
    shown = " ".join("".join(opener.find("x:p", XHTML_NS).itertext()).split())
    assert shown.startswith("I do not own the cast")  # also on the opener, under its label
    moved = [(c["line"], c["action"]) for c in story["changes"] if c["kind"] == "moved"]
    assert moved == [(32, "moved to end notes"), (34, "moved to end notes")]
    text = "".join(section.find(".//x:*[@class='story-text']", XHTML_NS).itertext())
    assert "Disclaimer" not in text


def test_byline_epigraph_and_stutters(seeds) -> None:  # type: ignore[no-untyped-def]
    _, result, report = seeds
    story = report[PROLOGUE]
    assert story["authors"] == ["Hayley"]
    assert {"line": 1, "kind": "metadata", "action": "author", "text": "by Hayley"}.items() <= (
        story["changes"][0].items()
    )
    section = story_section(result, story)
    epigraph = section.find(".//x:blockquote[@class='epigraph']", XHTML_NS)
    stanzas = epigraph.findall("x:p", XHTML_NS)
    assert len(stanzas) == 3  # two stanzas and the attribution
    assert len(stanzas[0].findall("x:br", XHTML_NS)) == 4  # five lines, breaks kept
    attribution = "".join(epigraph.find("x:p[@class='attribution']", XHTML_NS).itertext())
    assert attribution == "U2, \u2018All That You Can\u2019t Leave Behind\u2019"
    text = " ".join(section.find(".//x:*[@class='story-text']", XHTML_NS).itertext())
    for stutter in ("p-p-please", "Th-thank y-y-you", "Mr. G-giles", "so-rry"):
        assert stutter in text
    assert "Giles\u2026so very much" in text  # ". . ." read as an ellipsis


def test_title_letter_and_end_mark(seeds) -> None:  # type: ignore[no-untyped-def]
    _, result, report = seeds
    story = report[LYRICS]
    assert story["title"] == "All the little Pieces"
    section = story_section(result, story)
    letter = section.find(".//x:blockquote[@class='quoted']", XHTML_NS)
    paras = [" ".join("".join(p.itertext()).split()) for p in letter.iterfind("x:p", XHTML_NS)]
    assert paras[0] == "\u201c Dear Willow,"
    assert paras[-1] == "I love you Willow, and I always will"
    assert len(paras) == 16
    assert not any("\u00a0\u00a0" in p for p in paras)  # the no-break-space indents are gone
    body = section.find(".//x:*[@class='story-text']", XHTML_NS)
    last = list(body.iter("{http://www.w3.org/1999/xhtml}p"))[-1]
    assert last.get("class") == "end-mark" and "".join(last.itertext()) == "- fin -"


def test_report_names_every_move(seeds) -> None:  # type: ignore[no-untyped-def]
    _, _, report = seeds
    for story in report.values():
        for change in story["changes"]:
            assert re.fullmatch(r".+\.txt", change["file"]) and change["line"] >= 1
            assert change["kind"] in ("removed", "metadata", "moved", "structure", "repaired")
