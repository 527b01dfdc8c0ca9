"""Right to left in the PDF, read back with pdfplumber (issue 15, part 4).

An Arabic book (the modern theme: folios and running heads at the outside
corners) and an English book with a Hebrew story (tests/fixtures/books). And
what WeasyPrint 70 cannot do, each limit shown on the renderer packager uses.
"""

from __future__ import annotations

import io
import shutil
import unicodedata
from collections import Counter

import pdfplumber
import pikepdf
import pytest
from conftest import ROOT
from helpers import FOOT_BAND, HEAD_BAND, normalize

from packager.book import trim
from packager.build import build
from packager.options import BuildOptions
from packager.pdf.weasy import Renderer

BOOKS = ROOT / "tests" / "fixtures" / "books"
A5 = trim.parse_size("A5")
SPACE = 3.0  # points: about a space of the body text; see test_rtl_lines_end_at_the_margin


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    work = tmp_path_factory.mktemp("rtl")
    found = {}
    for name in ("ar", "mixed"):
        shutil.copytree(BOOKS / name, work / name)
        options = BuildOptions(env={}, jobs=1, formats=("pdf",))
        result = build(work / name, work / f"out-{name}", options)
        found[name] = result.outputs[0].path.read_bytes()
    return found


def _is(text: str, script: str) -> bool:
    """Whether every character of ``text`` (a glyph's: 'fi' for a ligature) is of ``script``."""
    return all(unicodedata.name(ch, "").startswith(script) for ch in text)


def _lines(page: pdfplumber.page.Page, script: str) -> list[dict[str, float]]:
    """The page's body lines of text in ``script`` ('ARABIC', 'HEBREW', 'LATIN'), at the body size.

    Larger text (titles, the raised initial) and the running head and folio bands are left out.
    """
    body_band = page.crop((0, HEAD_BAND, page.width, page.height - FOOT_BAND))
    sizes = Counter(round(c["size"], 1) for c in body_band.chars if c["text"].strip())
    if not sizes:
        return []
    body = sizes.most_common(1)[0][0]
    lines = []
    for line in body_band.extract_text_lines(return_chars=True):
        # A mark set above its letter (the fathatan of 'ً') may sit apart enough for
        # pdfplumber to make it a line of its own: marks are not the line's extent.
        row = [
            c
            for c in line["chars"]
            if round(c["size"], 1) == body
            and c["text"].strip()
            and not all(unicodedata.category(ch) == "Mn" for ch in str(c["text"]))
        ]
        if row and sum(_is(str(c["text"]), script) for c in row) > len(row) / 2:
            lines.append({"x0": min(c["x0"] for c in row), "x1": max(c["x1"] for c in row)})
    return lines


def _story_pages(data: bytes, script: str) -> list[tuple[int, list[dict[str, float]]]]:
    """The pages of stories (they have an arabic folio) with their lines in ``script``."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        found = [(i, _lines(p, script)) for i, p in enumerate(pdf.pages) if _folio(p).isdigit()]
    return [(i, lines) for i, lines in found if len(lines) >= 4]


def _folio(page: pdfplumber.page.Page) -> str:
    foot = page.crop((0, page.height - FOOT_BAND, page.width, page.height))
    return (foot.extract_text() or "").strip()


def test_arabic_lines_end_at_the_right_margin(pdfs: dict[str, bytes]) -> None:
    pages = _story_pages(pdfs["ar"], "ARABIC")
    assert len(pages) >= 3  # story one's two pages, story two
    for index, lines in pages:
        # Odd pages are rectos, and a right-to-left book's rectos are left-hand pages:
        # the inside (binding) margin is on their right.
        recto = index % 2 == 0
        right = A5.width - (A5.inside if recto else A5.outside)
        left = A5.outside if recto else A5.inside
        for line in lines:
            assert line["x1"] == pytest.approx(right, abs=SPACE), (index, line)
            assert line["x0"] >= left - 0.5, (index, line)
        # The theme sets ragged lines (text-align: start): their ragged edge is the left.
        assert any(line["x0"] > left + 30 for line in lines), index
        assert min(line["x0"] for line in lines) < left + 25, index


def test_a_hebrew_story_in_an_english_book_aligns_right(pdfs: dict[str, bytes]) -> None:
    hebrew = _story_pages(pdfs["mixed"], "HEBREW")
    latin = [(i, lines) for i, lines in _story_pages(pdfs["mixed"], "LATIN") if i % 2 == 0]
    assert len(hebrew) == 1 and latin
    _, lines = hebrew[0]
    right = A5.width - A5.outside  # a recto of a left-to-right book: a right-hand page
    left = A5.inside
    # Every line ends at the right margin but the first, which ends at the raised initial.
    ends = [line["x1"] for line in lines]
    assert sum(abs(x - right) <= SPACE for x in ends) >= len(ends) - 1, ends
    assert any(line["x0"] > left + 30 for line in lines)
    # The German and French stories' lines on the same side start at the left margin
    # instead (or a paragraph indent in), but the first, which starts after the initial.
    for _, lines in latin:
        starts = [line["x0"] for line in lines]
        assert sum(left - 0.5 <= x <= left + 16 for x in starts) >= len(starts) - 1, starts


def _foot_and_head(page: pdfplumber.page.Page) -> tuple[list[dict[str, float]], str]:
    foot = [c for c in page.chars if c["top"] > page.height - FOOT_BAND and c["text"].strip()]
    head = page.crop((0, 0, page.width, HEAD_BAND)).extract_text() or ""
    return foot, head.strip()


def test_folios_and_running_heads_mirror_in_a_right_to_left_book(pdfs: dict[str, bytes]) -> None:
    with pdfplumber.open(io.BytesIO(pdfs["ar"])) as pdf:
        seen = {}
        for page in pdf.pages:
            foot, head = _foot_and_head(page)
            number = "".join(c["text"] for c in sorted(foot, key=lambda c: c["x0"]))
            if number.isdigit():
                centre = (min(c["x0"] for c in foot) + max(c["x1"] for c in foot)) / 2
                seen[int(number)] = (centre, head)
    assert {1, 2, 3} <= set(seen)
    width = A5.width
    # Rectos (odd folios) are left-hand pages: folio at the outside, the left corner.
    assert seen[1][0] < width / 2 and seen[3][0] < width / 2
    assert seen[2][0] > width / 2
    # A story's first page has no running head; its verso (page 2, on the right) has the
    # author, as a verso has in any book. pdfplumber reads Arabic in visual order.
    assert seen[1][1] == "" and seen[3][1] == ""
    assert normalize(seen[2][1][::-1]) == normalize("ليلى الحداد")
    with pikepdf.open(io.BytesIO(pdfs["ar"])) as doc:
        assert doc.Root.ViewerPreferences.Direction == pikepdf.Name.R2L


def test_contents_leaders_run_from_the_title_on_the_right(pdfs: dict[str, bytes]) -> None:
    with pdfplumber.open(io.BytesIO(pdfs["ar"])) as pdf:
        contents = next(p for p in pdf.pages if "تايوتحملا" in (p.extract_text() or ""))
        rows: dict[int, list[dict[str, float | str]]] = {}
        for c in contents.chars:
            # By baseline (the text matrix's y): the Arabic face and the Latin one of
            # the digits and dots have different depths, so their bottoms differ.
            rows.setdefault(round(float(c["matrix"][5])), []).append(c)
    entries = [r for r in rows.values() if any(str(c["text"]).isdigit() for c in r)]
    entries = [r for r in entries if any(c["text"] == "." for c in r)]
    assert len(entries) == 2
    for row in entries:
        digits = [float(c["x1"]) for c in row if str(c["text"]).isdigit()]
        dots = [float(c["x0"]) for c in row if c["text"] == "."]
        letters = [float(c["x0"]) for c in row if _is(str(c["text"]), "ARABIC")]
        assert max(digits) < min(dots) and max(dots) < min(letters)


def test_a_chinese_story_in_the_pdf(pdfs: dict[str, bytes]) -> None:
    # The test extra installs the [cjk] fonts: this story is drawn, never skipped.
    with pdfplumber.open(io.BytesIO(pdfs["mixed"])) as pdf:
        # Chinese breaks a line between any two characters: read it as one run.
        text = "".join(p.extract_text() or "" for p in pdf.pages).replace("\n", "")
    assert "一封没有寄出的信" in text and "海边的桂花开了" in text


# ---- What WeasyPrint 70 does not do (its issue #106), shown on packager's renderer ----


def _render_lines(body: str, lang: str = "en", direction: str = "ltr") -> list[str]:
    html = (
        f'<html lang="{lang}" dir="{direction}"><head><style>'
        '@page { size: A5; margin: 2cm } body { font-family: "DejaVu Sans" }'
        "p { margin: 0 0 1em; text-align: justify }"
        f"</style></head><body>{body}</body></html>"
    )
    part = Renderer(()).render(html, "limits.html")
    with pdfplumber.open(io.BytesIO(part.pdf)) as pdf:
        return [line["text"] for line in pdf.pages[0].extract_text_lines()]


def test_limit_inline_elements_of_the_other_direction_keep_their_order() -> None:
    """A Hebrew phrase split over two elements in an English line (or English words over
    two elements in a Hebrew line) is drawn in the order of the paragraph's direction:
    WeasyPrint orders a line's inline boxes by the paragraph's direction only, while
    the text inside one box is ordered by Pango's bidi algorithm."""
    one, two = _render_lines(
        "<p>He said שלום עולם and left.</p><p>He said <em>שלום</em> <b>עולם</b> and left.</p>"
    )
    assert "םלוע םולש" in one  # right: reads שלום עולם from the right
    assert "םולש םלוע" in two  # the limit: the second word drawn left of... the first
    one, two = _render_lines(
        "<p>היא אמרה New York ויצאה.</p><p>היא אמרה <em>New</em> <b>York</b> ויצאה.</p>",
        "he",
        "rtl",
    )
    assert "New York" in one
    assert "York New" in two  # the limit


def test_limit_dir_auto_is_ignored_but_unicode_isolates_work() -> None:
    """dir="auto", <bdi> and unicode-bidi: isolate do not isolate text in WeasyPrint 70;
    FSI...PDI characters do (Pango), which is what packager puts around titles and
    bylines of the other direction in the PDF (book/views.py)."""
    auto, bdi, isolated = _render_lines(
        '<p>Title: <span dir="auto">שלום!</span> end</p>'
        "<p>Title: <bdi>שלום!</bdi> end</p>"
        "<p>Title: <span>\u2068שלום!\u2069</span> end</p>"
    )
    assert "םולש!" in auto and "םולש!" in bdi  # the limit: '!' on the Latin side
    assert "!םולש" in isolated  # isolated: '!' ends the Hebrew, on its left


def test_limit_arabic_is_justified_by_its_spaces_only() -> None:
    """No kashida (tatweel) elongation: a justified Arabic line is stretched at its spaces."""
    text = "كان الموج يضرب الصخور بانتظام مثل قلب لا يريد أن يتوقف " * 6
    lines = _render_lines(f"<p>{text}</p>", "ar", "rtl")
    assert len(lines) >= 3
    assert not any("\u0640" in line for line in lines)
