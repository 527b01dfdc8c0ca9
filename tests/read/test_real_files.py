"""Real-world story files: one synthetic file per encoding, structure and debris class.

Each case is a small original file and what a careful editor would expect
packager to make of it. All of them together must also build into an EPUB
that passes EPUBCheck.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from helpers import assert_epubcheck_clean, words

from packager.build import build
from packager.model import Severity, Story
from packager.options import BuildOptions
from packager.read import read_story
from packager.text.cleanup import clean

PROSE = "The tide went out, and the boats sat down in the mud like tired dogs."


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    check: Callable[[Story], None]


def text(s: str) -> bytes:
    return s.encode("utf-8")


def html_of(story: Story) -> str:
    return "".join(c.html for c in story.chapters)


def actions(story: Story, kind: str) -> list[tuple[int, str]]:
    return [(c.line, c.action) for c in story.changes if c.kind == kind]


def warnings(story: Story) -> list[str]:
    return [d.message for d in story.diagnostics if d.severity is Severity.WARNING]


# -- encodings --------------------------------------------------------------


def check_accents(story: Story) -> None:
    assert "caf\u00e9" in html_of(story) and "na\u00efve" in html_of(story)


ACCENTED = "Caf\u00e9 Lumi\u00e8re\n\nThe caf\u00e9 was na\u00efve about it. " + PROSE + "\n"


def check_cp1252(story: Story) -> None:
    body = html_of(story)
    assert "\u201cOui,\u201d she said. It\u2019s na\u00efve \u2014 and caf\u00e9" in body
    assert story.encoding == "windows-1252"


def check_mojibake(story: Story) -> None:
    assert "I don\u2019t know" in html_of(story) and "\u00e2\u20ac" not in html_of(story)
    assert actions(story, "repaired") == [(3, "mojibake repaired")]


def check_line_ends(story: Story) -> None:
    assert re.findall(r"<p>(.*?)</p>", html_of(story)) == ["One.", "Two.", "Three."]


def check_indents_are_style(story: Story) -> None:
    body = html_of(story)
    assert "<blockquote" not in body  # every paragraph indented: that is the style
    assert "<p>First, tab-indented.</p>" in body and "<p>Second, no-break spaces.</p>" in body


def check_controls(story: Story) -> None:
    assert "Bell rang." in html_of(story)
    assert any("control characters" in w for w in warnings(story))


ENCODINGS = [
    Case("utf8.txt", text(ACCENTED), check_accents),
    Case("utf8-bom.txt", codecs.BOM_UTF8 + text(ACCENTED), check_accents),
    Case("utf16-bom.txt", ACCENTED.encode("utf-16"), check_accents),
    Case(
        "cp1252.txt",
        "Title\n\n\u201cOui,\u201d she said. It\u2019s na\u00efve \u2014 and caf\u00e9.\n".encode(
            "cp1252"
        ),
        check_cp1252,
    ),
    Case(
        "latin1.txt",
        ACCENTED.encode("latin-1"),
        lambda s: (check_accents(s), s.encoding == "latin-1" or pytest.fail(s.encoding)),
    ),
    Case(
        "mojibake.txt",
        text("Mojibake\n\nI don\u00e2\u20ac\u2122t know, she said.\n"),
        check_mojibake,
    ),
    Case("crlf.txt", b"Crlf\r\n\r\nOne.\r\n\r\nTwo.\r\n\r\nThree.\r\n", check_line_ends),
    Case("cr.txt", b"Cr\r\rOne.\r\rTwo.\r\rThree.\r", check_line_ends),
    Case(
        "indented.txt",
        text("Indents\n\n\tFirst, tab-indented.\n\n\u00a0\u00a0\u00a0Second, no-break spaces.\n"),
        check_indents_are_style,
    ),
    Case("controls.txt", text("Controls\n\nBell\x07 rang.\x00\n"), check_controls),
]

# -- structure --------------------------------------------------------------


def check_title_byline(story: Story) -> None:
    assert story.meta.title == "The Weir"
    assert story.meta.authors == ("Ola Brandt",)
    assert actions(story, "metadata") == [(1, "title"), (3, "author")]


def check_title_byline_block(story: Story) -> None:
    assert story.meta.title == "The Weir"
    assert story.meta.authors == ("Ola Brandt",)
    assert actions(story, "metadata") == [(1, "title"), (2, "author")]
    assert "Ola Brandt" not in html_of(story)


def check_chapters(story: Story) -> None:
    assert [c.title for c in story.chapters] == [
        "Prologue: Before",
        "Chapter 3",
        "Chapter Twenty-Three: Truly All Alone",
        "Part Two",
        "Epilogue",
    ]


def check_epigraph(story: Story) -> None:
    body = html_of(story)
    assert body.startswith('<blockquote class="epigraph"><p>I must go down to the seas again,<br/>')
    assert '<p class="attribution">John Masefield, \u201cSea-Fever\u201d</p></blockquote>' in body
    assert actions(story, "structure")[0] == (3, "epigraph")


def check_letter(story: Story) -> None:
    quote = re.search(r'<blockquote class="quoted">(.*?)</blockquote>', html_of(story))
    assert quote, html_of(story)
    paras = re.findall(r"<p[^>]*>(.*?)</p>", quote.group(1))
    assert paras == [
        "Dear Mira,",
        "The house is quiet without you.",
        "The cat still sits by your chair.",
        "Yours always,",
        "Jun",
    ]


def check_verse(story: Story) -> None:
    assert '<p class="verse">Row, row, row your boat<br/>gently down the stream</p>' in html_of(
        story
    )


def check_breaks(story: Story) -> None:
    body = html_of(story)
    assert body.count("<hr/>") == 10
    assert "<p>...</p>" not in body and "<p>\u2026</p>" in body  # an ellipsis is speech


def check_end_marks(story: Story) -> None:
    assert html_of(story).endswith('<p class="end-mark">- fin -</p>')


def check_the_end(story: Story) -> None:
    assert html_of(story).endswith('<p class="end-mark">THE END</p>')


BREAKS = ["***", "* * *", "~~~", "-x-", "oOo", "o0o", "#", "        * * *        ", "+~+~+", "-o-"]
STRUCTURE = [
    Case(
        "title-byline.txt",
        text("The Weir\n\nby Ola Brandt\n\n" + PROSE + "\n"),
        check_title_byline,
    ),
    Case(  # the byline right under the title, no blank line between
        "title-byline-block.txt",
        text("The Weir\nby Ola Brandt\n\n" + PROSE + "\n"),
        check_title_byline_block,
    ),
    Case(  # two short lines at the top that are not title and byline stay verse
        "two-lines.txt",
        text("Row, row, row your boat\ngently down the stream\n\n" + PROSE + "\n"),
        check_verse,
    ),
    Case(
        "chapters.txt",
        text(
            "Prologue: Before\n\nA.\n\nChapter 3\n\nB.\n\nChapter Twenty-Three: Truly All Alone\n\n"
            "C.\n\nPart Two\n\nD.\n\nEpilogue\n\nE.\n"
        ),
        check_chapters,
    ),
    Case(
        "epigraph.txt",
        text(
            "Sea Fever\n\nI must go down to the seas again,\nto the lonely sea and the sky,\n"
            'John Masefield, "Sea-Fever"\n\n' + PROSE + "\n"
        ),
        check_epigraph,
    ),
    Case(
        "letter.txt",
        text(
            "Letters\n\n" + PROSE + "\n\n    Dear Mira,\n\n    The house is quiet without you.\n\n"
            "    The cat still sits by your chair.\n\n    Yours always,\n\n    Jun\n\n"
            + PROSE
            + "\n"
        ),
        check_letter,
    ),
    Case(
        "verse.txt",
        text("Songs\n\nRow, row, row your boat\ngently down the stream\n\n" + PROSE + "\n"),
        check_verse,
    ),
    Case(
        "scene-breaks.txt",
        text("Breaks\n\n" + "\n\n".join(f"{PROSE}\n\n{b}" for b in BREAKS) + "\n\n...\n\nEnd.\n"),
        check_breaks,
    ),
    Case("fin.txt", text("Fin\n\n" + PROSE + "\n\n- fin -\n"), check_end_marks),
    Case("the-end.txt", text("The End\n\n" + PROSE + "\n\nTHE END\n"), check_the_end),
]

# -- notes and disclaimers ----------------------------------------------------


def check_top_notes(story: Story) -> None:
    assert "A/N: Written for the swap." in story.meta.notes_html
    assert "Disclaimer: The harbour is not mine." in story.meta.notes_html
    assert "A/N" not in html_of(story) and "Disclaimer" not in html_of(story)
    assert actions(story, "moved") == [(3, "moved to notes"), (5, "moved to notes")]


def check_end_notes(story: Story) -> None:
    assert "Author\u2019s note: thanks for reading!" in story.meta.end_notes_html
    assert "Note: the tide tables are real." in story.meta.end_notes_html
    assert "Disclaimer: I own nothing." in story.meta.end_notes_html
    assert story.meta.disclaimer_html == "<p>I own nothing.</p>"  # also on the opener, unlabelled
    assert "note" not in html_of(story).lower()


NOTES = [
    Case(
        "top-notes.txt",
        text(
            "Harbour\n\nA/N: Written for the swap.\n\nDisclaimer: The harbour is not mine.\n\n"
            + PROSE
            + "\n"
        ),
        check_top_notes,
    ),
    Case(
        "end-notes.txt",
        text(
            "Tides\n\n"
            + PROSE
            + "\n\nAuthor's note: thanks for reading!\n\nNote: the tide tables are real.\n\n"
            "Disclaimer: I own nothing.\n"
        ),
        check_end_notes,
    ),
]

# -- site debris ------------------------------------------------------------


def check_footer(story: Story) -> None:
    assert html_of(story).endswith(" And it does.</p>")
    assert actions(story, "removed") == [(3, "site footer")]
    assert story.changes[-1].text == "Continue reading on the Wattpad app"


def check_glued_site(story: Story) -> None:
    assert html_of(story).endswith("<p>And it does.</p>")
    (change,) = [c for c in story.changes if c.kind == "removed"]
    assert change.text == "Wattpad"


def check_counters(story: Story) -> None:
    assert actions(story, "removed") == [(3, "site counters"), (5, "site counters")]
    assert "Reads" not in html_of(story) and "1,204" not in html_of(story)
    assert story.meta.title == "Counted"


def check_navigation(story: Story) -> None:
    removed = actions(story, "removed")
    assert (3, "chapter navigation") in removed and (7, "chapter navigation") in removed
    assert "of 12" not in html_of(story) and "Next" not in html_of(story)


def check_leftovers(story: Story) -> None:
    assert actions(story, "removed") == [(7, "site buttons"), (9, "site buttons")]
    assert "Follow" not in html_of(story) and "Reviews" not in html_of(story)


def check_remnants(story: Story) -> None:
    body = html_of(story)
    assert "She said <em>never</em>, and\u00a0meant it \u2014 &amp; more." in body
    assert "\u00a0" in body and "&nbsp;" not in body
    assert actions(story, "repaired") == [(3, "HTML remnants converted")]


def check_debris_inside_story_is_kept(story: Story) -> None:
    assert "<p>Reviews</p>" in html_of(story)
    assert any("looks like site debris" in w for w in warnings(story))


DEBRIS = [
    Case(
        "footer.txt",
        text("Footer\n\n" + PROSE + " And it does. Continue reading on the Wattpad app\n"),
        check_footer,
    ),
    Case("glued.txt", text("Glued\n\n" + PROSE + "\n\nAnd it does.Wattpad\n"), check_glued_site),
    Case(
        "counters.txt",
        text(
            "Counted\n\n1.2K Reads \u2022 340 Votes \u2022 12 Parts\n\n1,204 56 7\n\n"
            + PROSE
            + "\n"
        ),
        check_counters,
    ),
    Case(
        "navigation.txt",
        text("Navigated\n\nChapter 3 of 12\n\n" + PROSE + "\n\n< Prev | Next >\n\n" + PROSE + "\n"),
        check_navigation,
    ),
    Case(
        "leftovers.txt",
        text("Leftovers\n\n" + PROSE + "\n\n" + PROSE + "\n\nFollow/Fav\n\nReviews\n"),
        check_leftovers,
    ),
    Case(
        "remnants.txt",
        text("Remnants\n\nShe said <i>never</i>, and&nbsp;meant it -- &amp; more.\n"),
        check_remnants,
    ),
    Case(
        "debris-inside.txt",
        text(
            "Inside\n\n"
            + "\n\n".join([PROSE] * 12)
            + "\n\nReviews\n\n"
            + "\n\n".join([PROSE] * 12)
            + "\n"
        ),
        check_debris_inside_story_is_kept,
    ),
]

ALL = ENCODINGS + STRUCTURE + NOTES + DEBRIS


def read(tmp_path: Path, case: Case) -> Story:
    path = tmp_path / case.name
    path.write_bytes(case.data)
    return clean(read_story(path, tmp_path, case.name))


def book_words(story: Story) -> list[str]:
    parts = [story.meta.notes_html, html_of(story), story.meta.end_notes_html]
    texts = [" ".join(lxml.html.fromstring(f"<div>{p}</div>").itertext()) for p in parts]
    return words(" ".join([*texts, *(c.title or "" for c in story.chapters)]))


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.name)
def test_case(tmp_path: Path, case: Case) -> None:
    story = read(tmp_path, case)
    case.check(story)
    # Whatever else happened, every word of a line not reported as taken out is in the book.
    taken = {c.line for c in story.changes if c.kind in ("removed", "metadata")}
    # Mended lines: the broken letters are what was repaired.
    taken |= {c.line for c in story.changes if c.action == "mojibake repaired"}
    codec = {"windows-1252": "cp1252"}.get(story.encoding, story.encoding)
    lines = re.split(r"\r\n|\r|\n", case.data.decode(codec))
    for c in story.changes:
        if c.action == "HTML remnants converted":  # compare as the characters they stand for
            lines[c.line - 1] = re.sub(r"</?\w+>", " ", html.unescape(lines[c.line - 1]))
    kept = {w for i, line in enumerate(lines, 1) if i not in taken for w in words(line)}
    if case.name != "scene-breaks.txt":  # "-x-" and "oOo" become the ornament
        assert kept <= set(book_words(story)), kept - set(book_words(story))


def test_anthology_of_all_cases_passes_epubcheck(tmp_path: Path) -> None:
    source = tmp_path / "real-world"
    source.mkdir()
    for case in ALL:
        (source / case.name).write_bytes(case.data)
    result = build(source, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    assert result.stories == len(ALL)
    assert_epubcheck_clean(result.outputs[0].path)
