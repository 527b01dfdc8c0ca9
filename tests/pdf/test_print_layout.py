"""Page geometry of the PDF, read back from the file: trim sizes, boxes, print and screen modes.

Each configuration is built once (module-scoped fixtures) and many things are
checked on it. The stories are tiny originals whose lengths make the sides
interesting: one page, then three pages, then one page, so that in print
blank pages must be added and on screen the long story opens on a left page.
"""

from __future__ import annotations

import dataclasses
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest
from conftest import write_story
from helpers import MM, assert_epubcheck_clean
from typer.testing import CliRunner

from packager.book import trim
from packager.book.collection import assemble
from packager.book.documents import render_collection
from packager.build import build, load_stories
from packager.cli import app
from packager.model import Resource
from packager.options import BuildOptions
from packager.pdf.weasy import Renderer
from packager.pdf.writer import write_pdf

IN = 72.0

# Original filler prose, repeated to give the long story its pages.
_PARAGRAPH = (
    "The orchard kept its own counsel through the frost. Every morning the keeper walked the "
    "rows with a lantern and a ledger, counting the trees that had split in the night and the "
    "ones that had only groaned, and every evening she wrote the numbers beside the weather, as "
    "if one day the two columns might explain each other."
)
STORIES = {
    "1-harbour.md": ("The Harbour Clock", "Ada Penrose", 2),
    "2-orchard.md": ("An Orchard in Winter", "Bram Ellery", 12),
    "3-kite.md": ("The Kite Maker", "Cleo Marsh", 2),
}
TITLES = [title for title, _, _ in STORIES.values()]
AUTHORS = {title: author for title, author, _ in STORIES.values()}


def make_source(
    folder: Path, toml: str, stories: dict[str, tuple[str, str, int]] = STORIES
) -> Path:
    for name, (title, author, paragraphs) in stories.items():
        body = "\n\n".join([_PARAGRAPH] * paragraphs)
        write_story(folder, name, f"---\ntitle: {title}\nauthor: {author}\n---\n{body}\n")
    (folder / "collection.toml").write_text(f'title = "Geometry"\n{toml}', encoding="utf-8")
    return folder


@dataclass
class Page:
    index: int
    label: str  # from /PageLabels
    head: str  # text in the top band of the trim
    body: str
    foot: str
    text: str  # everything on the page
    folio_x: float | None  # the folio's centre, from the trim's left edge
    text_left: float  # body text's extent, from the trim's left edge
    text_right: float


@dataclass
class Pdf:
    path: Path
    pages: list[Page]
    trim_pt: tuple[float, float]

    def starts(self) -> dict[str, int]:
        """Index of the page each story opens on: the first page with its title as a line."""
        found: dict[str, int] = {}
        for title in TITLES:
            found[title] = next(
                p.index for p in self.pages if title in [ln.strip() for ln in p.body.splitlines()]
            )
        return found

    def contents(self) -> dict[str, str]:
        """Each contents entry's page number, as printed."""
        page = next(p for p in self.pages if p.body.lstrip().startswith("Contents"))
        listed: dict[str, str] = {}
        for line in page.body.splitlines():
            match = re.match(r"^(.*?)[\s.]*?(\d+)$", line.strip())
            if match and match.group(1).rstrip(" .") in TITLES:
                listed[match.group(1).rstrip(" .")] = match.group(2)
        return listed


def read_pdf(path: Path) -> Pdf:
    """Pages split by position in the trim box: head (top 7%), foot (bottom 8%), body."""
    reader = pypdf.PdfReader(path)
    labels = list(reader.page_labels)
    pages: list[Page] = []
    trim_size = (0.0, 0.0)
    with pdfplumber.open(path) as pdf:
        for i, page in enumerate(pdf.pages):
            box = reader.pages[i].trimbox
            media = reader.pages[i].mediabox
            # pdfplumber keeps the PDF's x and measures `top` down from the MediaBox's
            # top edge, which it places at the y of the MediaBox's bottom-left corner.
            left = float(box.left)
            top = float(page.bbox[1]) + float(media.top) - float(box.top)
            width, height = float(box.width), float(box.height)
            trim_size = (width, height)
            band = (height * 0.07, height * 0.92)

            chars = [c for c in page.chars if top + band[0] < c["top"] < top + band[1]]
            feet = [c for c in page.chars if c["top"] > top + band[1]]
            pages.append(
                Page(
                    index=i,
                    label=labels[i],
                    head=_text(page, (left, top, left + width, top + band[0])),
                    body=_text(page, (left, top + band[0], left + width, top + band[1])),
                    foot=_text(page, (left, top + band[1], left + width, top + height)),
                    text=(page.extract_text() or "").strip(),
                    folio_x=(
                        (min(c["x0"] for c in feet) + max(c["x1"] for c in feet)) / 2 - left
                        if feet
                        else None
                    ),
                    text_left=min((c["x0"] for c in chars), default=0.0) - left,
                    text_right=max((c["x1"] for c in chars), default=0.0) - left,
                )
            )
    return Pdf(path, pages, trim_size)


def _text(page: pdfplumber.page.Page, region: tuple[float, float, float, float]) -> str:
    return (page.crop(region).extract_text() or "").strip()


def built(folder: Path, toml: str, *flags: str, formats: tuple[str, ...] = ("pdf",)) -> Path:
    source = make_source(folder / "src", toml)
    args = ["build", str(source), "-o", str(folder / "out"), "--no-cache"]
    for fmt in formats:
        args += ["-f", fmt]
    result = CliRunner().invoke(app, [*args, *flags], env={"SOURCE_DATE_EPOCH": "0"})
    assert result.exit_code == 0, result.output
    return folder / "out"


@pytest.fixture(scope="module")
def print_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A5 (the default), print (the default), the classic theme; the EPUB too."""
    return built(tmp_path_factory.mktemp("print"), "", formats=("pdf", "epub"))


@pytest.fixture(scope="module")
def print_pdf(print_out: Path) -> Pdf:
    return read_pdf(print_out / "geometry.pdf")


@pytest.fixture(scope="module")
def screen_pdf(tmp_path_factory: pytest.TempPathFactory) -> Pdf:
    """The same book on screen, chosen in collection.toml; the modern theme (outside folios)."""
    out = built(tmp_path_factory.mktemp("screen"), 'pdf = "screen"\ntheme = "modern"\n')
    return read_pdf(out / "geometry.pdf")


@pytest.fixture(scope="module")
def bleed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Pdf:
    """A custom trim with bleed and crop marks, the modern theme; --pdf print wins over the file."""
    toml = 'page_size = "140x216mm"\nbleed = "0.125in"\ncrop_marks = true\ntheme = "modern"\n'
    toml += 'pdf = "screen"\n'
    out = built(tmp_path_factory.mktemp("bleed"), toml, "--pdf", "print")
    return read_pdf(out / "geometry.pdf")


@pytest.fixture(scope="module")
def bleed_only_pdf(tmp_path_factory: pytest.TempPathFactory) -> Pdf:
    """A preset with a 5mm bleed (more than WeasyPrint's 10pt BleedBox) and no marks."""
    out = built(tmp_path_factory.mktemp("bleed5"), 'page_size = "6x9in"\nbleed = "5mm"\n')
    return read_pdf(out / "geometry.pdf")


def boxes(path: Path) -> list[dict[str, list[float]]]:
    with pikepdf.open(path) as pdf:
        return [
            {
                name: [float(v) for v in page.obj[name]]
                for name in ("/MediaBox", "/TrimBox", "/BleedBox")
                if name in page.obj
            }
            for page in pdf.pages
        ]


def size(box: list[float]) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


def grown(box: list[float], by: float) -> tuple[float, ...]:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def close(a: tuple[float, ...], b: tuple[float, ...], tolerance: float = 0.05) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


# -- trim sizes -----------------------------------------------------------------

EXPECTED_SIZES = {
    "5x8in": (5 * IN, 8 * IN),
    "5.25x8in": (5.25 * IN, 8 * IN),
    "5.5x8.5in": (5.5 * IN, 8.5 * IN),
    "6x9in": (6 * IN, 9 * IN),
    "A5": (148 * MM, 210 * MM),
    "B-format": (129 * MM, 198 * MM),
    "A4": (210 * MM, 297 * MM),
    "letter": (8.5 * IN, 11 * IN),
    "140x216mm": (140 * MM, 216 * MM),
    "5.06x7.81in": (5.06 * IN, 7.81 * IN),
}


@pytest.mark.parametrize("name", list(EXPECTED_SIZES))
def test_each_size_lays_out_at_its_trim_with_mirrored_margins(name: str) -> None:
    # One WeasyPrint render per size, with packager's page CSS: cheaper than a build.
    css = trim.page_css(trim.parse_size(name)).encode()
    renderer = Renderer([Resource("css/page.css", "text/css", css)])
    text = "word " * 120
    body = f"<p style='text-align: justify'>{text}</p>" * 2
    head = "<style>p + p { break-before: page }</style><link rel='stylesheet' href='css/page.css'/>"
    part = renderer.render(f"<html><head>{head}</head><body>{body}</body></html>", "probe.html")
    assert part.pages == 2
    with pdfplumber.open(io.BytesIO(part.pdf)) as pdf:
        right, left = pdf.pages[0], pdf.pages[1]
        assert close((float(right.width), float(right.height)), EXPECTED_SIZES[name])
        margins = []
        for page in (right, left):
            x0 = min(c["x0"] for c in page.chars)
            x1 = max(c["x1"] for c in page.chars)
            margins.append((x0, float(page.width) - x1))
    (right_in, right_out), (left_out, left_in) = margins
    assert right_in > right_out * 1.15  # the inside (binding) margin is the wider one...
    assert abs(right_in - left_in) < 1 and abs(right_out - left_out) < 1  # ...mirrored
    assert right_out >= 0.25 * IN  # at least what print-on-demand services ask


def test_sizes_parse_case_insensitively_and_custom_sizes_get_proportionate_margins() -> None:
    assert trim.parse_size("a5") is trim.PRESETS["A5"]
    assert trim.parse_size("b-FORMAT").name == "B-format"
    assert trim.parse_size("6 x 9 in") is trim.PRESETS["6x9in"]
    small, large = trim.parse_size("110x178mm"), trim.parse_size("8x10in")
    assert small.inside < large.inside and small.top < large.top
    assert small.font_size < large.font_size
    for bad in ("B7", "6x9", "6x9cm", "0x9in", "40x9in", "6x9in2", ""):
        with pytest.raises(ValueError):
            trim.parse_size(bad)


# -- boxes ------------------------------------------------------------------------


def test_without_bleed_every_box_is_the_trim(print_pdf: Pdf) -> None:
    for page in boxes(print_pdf.path):
        trim_box = page["/TrimBox"]
        assert close(size(trim_box), EXPECTED_SIZES["A5"])
        assert page["/MediaBox"] == trim_box == page["/BleedBox"]


def test_bleed_and_crop_marks_boxes_on_every_page(bleed_pdf: Pdf) -> None:
    bleed = 0.125 * IN
    all_boxes = boxes(bleed_pdf.path)
    assert len(all_boxes) == len(bleed_pdf.pages) > 8
    for page in all_boxes:
        trim_box, bleed_box, media = page["/TrimBox"], page["/BleedBox"], page["/MediaBox"]
        assert close(size(trim_box), EXPECTED_SIZES["140x216mm"])
        assert close(tuple(bleed_box), grown(trim_box, bleed))
        # Room for the crop marks beyond the bleed: the MediaBox is larger still.
        assert all(m < b - 8 for m, b in zip(media[:2], bleed_box[:2], strict=True))
        assert all(m > b + 8 for m, b in zip(media[2:], bleed_box[2:], strict=True))


def test_crop_marks_are_drawn_outside_the_bleed(bleed_pdf: Pdf) -> None:
    # Read back the crop marks as line segments: every one lies wholly outside the BleedBox
    # (so nothing of it shows on the trimmed page) and lines up with a trim edge.
    reader = pypdf.PdfReader(bleed_pdf.path)
    blank = next(p for p in bleed_pdf.pages if not p.text)  # only the marks are drawn there
    page = reader.pages[blank.index]
    trim_box = [float(v) for v in page.trimbox]
    bleed_box = [float(v) for v in page.bleedbox]
    segments = _segments(bleed_pdf.path, blank.index)
    assert len(segments) == 8, segments  # two at each corner
    for x0, y0, x1, y1 in segments:
        outside = (
            max(x0, x1) <= bleed_box[0]
            or min(x0, x1) >= bleed_box[2]
            or max(y0, y1) <= bleed_box[1]
            or min(y0, y1) >= bleed_box[3]
        )
        assert outside, (x0, y0, x1, y1, bleed_box)
        on_trim_line = any(abs(v - t) < 0.5 for v in (x0, y0) for t in trim_box)
        assert on_trim_line, (x0, y0, x1, y1, trim_box)


def _segments(path: Path, index: int) -> list[tuple[float, float, float, float]]:
    """Straight strokes drawn on a page, in PDF coordinates (pdfplumber's `lines`)."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[index]
        top = float(page.bbox[1]) + float(pypdf.PdfReader(path).pages[index].mediabox.top)
        found = []
        for line in [*page.lines, *page.curves]:
            points = line["pts"]
            (x0, t0), (x1, t1) = points[0], points[-1]
            found.append((x0, top - t0, x1, top - t1))
        return found


def test_bleed_larger_than_10pt_is_kept_in_the_bleed_box(bleed_only_pdf: Pdf) -> None:
    bleed = 5 * MM  # WeasyPrint alone would stop the BleedBox at 10pt
    for page in boxes(bleed_only_pdf.path):
        trim_box, bleed_box, media = page["/TrimBox"], page["/BleedBox"], page["/MediaBox"]
        assert close(size(trim_box), EXPECTED_SIZES["6x9in"])
        expected = grown(trim_box, bleed)
        assert close(tuple(bleed_box), expected) and close(tuple(media), expected)


# -- print and screen ---------------------------------------------------------------


def test_print_stories_and_contents_open_on_right_pages_after_truly_blank_left_pages(
    print_pdf: Pdf,
) -> None:
    pages = print_pdf.pages
    contents = next(p for p in pages if p.body.lstrip().startswith("Contents"))
    opening = [contents.index, *print_pdf.starts().values()]
    assert opening == sorted(opening)
    for index in opening:
        assert index % 2 == 0  # 0-based: a right-hand page
    blanks = [p for p in pages if not p.text]
    # The back of the half-title; then stories of one page, three pages, one page:
    # a blank after the contents, and after each story.
    assert pages[0].body.strip() == pages[2].body.strip().splitlines()[0]  # half-title, title
    colophon = next(p.index for p in pages if p.body.lstrip().startswith("Colophon"))
    expected = [1, contents.index + 1, *(i - 1 for i in opening[2:]), colophon - 1]
    assert [p.index for p in blanks] == expected
    for page in blanks:
        assert page.index % 2 == 1  # a left-hand page
        with pdfplumber.open(print_pdf.path) as pdf:
            plumbed = pdf.pages[page.index]
            assert not plumbed.chars and not plumbed.images  # no running head, no folio


def test_screen_has_no_blank_pages_and_stories_follow_on(screen_pdf: Pdf) -> None:
    pages = screen_pdf.pages
    # A screen PDF opens on the (drawn) cover, an image; every other page has text.
    cover = pypdf.PdfReader(screen_pdf.path).pages[0]
    images = cover["/Resources"].get("/XObject") or {}
    assert not pages[0].text and any(
        o.get_object().get("/Subtype") == "/Image" for o in images.values()
    )
    assert all(p.text for p in pages[1:])
    starts = list(screen_pdf.starts().values())
    ends = [*starts[1:], next(p.index for p in pages if "Colophon" in p.body)]
    assert starts[0] == next(p.index for p in pages if p.body.lstrip().startswith("Contents")) + 1
    lengths = [b - a for a, b in zip(starts, ends, strict=True)]
    assert lengths == [1, 3, 1]
    assert pages[starts[1]].label == "2"  # the long story opens on a left-hand page


def test_screen_margins_are_even_and_print_margins_mirrored(
    print_pdf: Pdf, screen_pdf: Pdf
) -> None:
    def text_pages(pdf: Pdf) -> dict[int, Page]:
        """A page of story text on each side: 0 left-hand, 1 right-hand."""
        full = [p for p in pdf.pages if p.label.isdigit() and p.body.count("\n") > 8]
        sides = {int(p.label) % 2: p for p in full}
        assert set(sides) == {0, 1}
        return sides

    # On screen (modern: ragged right) the text starts at the same x on every page, and
    # its longest line ends about as far from the right edge.
    width = screen_pdf.trim_pt[0]
    left, right = text_pages(screen_pdf).values()
    assert left.text_left == pytest.approx(right.text_left, abs=0.5)
    for page in (left, right):
        assert abs(page.text_left - (width - page.text_right)) < 0.05 * width, page.index
    # In print (classic: justified) the inside margin is the wider one, mirrored.
    width = print_pdf.trim_pt[0]
    sides = text_pages(print_pdf)
    right_in, right_out = sides[1].text_left, width - sides[1].text_right
    left_out, left_in = sides[0].text_left, width - sides[0].text_right
    assert right_in > right_out + 5
    assert right_in == pytest.approx(left_in, abs=0.5)
    assert right_out == pytest.approx(left_out, abs=0.5)


def test_screen_links_are_coloured_and_print_links_are_not(print_pdf: Pdf, screen_pdf: Pdf) -> None:
    def title_colours(pdf: Pdf) -> set[tuple[float, ...]]:
        page = next(p for p in pdf.pages if p.body.lstrip().startswith("Contents"))
        with pdfplumber.open(pdf.path) as doc:
            words = doc.pages[page.index].chars
            harbour = [c for c in words if c["text"] in "Harbour"]
            return {tuple(c["non_stroking_color"] or (0,)) for c in harbour}

    assert all(max(c) == min(c) for c in title_colours(print_pdf))  # grey or black
    assert any(max(c) - min(c) > 0.2 for c in title_colours(screen_pdf))  # a colour


@pytest.mark.parametrize("which", ["print_pdf", "screen_pdf", "bleed_pdf", "bleed_only_pdf"])
def test_contents_numbers_page_labels_and_folios_agree(
    which: str, request: pytest.FixtureRequest
) -> None:
    pdf: Pdf = request.getfixturevalue(which)
    starts = pdf.starts()
    listed = pdf.contents()
    assert list(listed) == TITLES
    for title, index in starts.items():
        # The number in the contents is the page label and the printed folio of the opener.
        assert listed[title] == pdf.pages[index].label == pdf.pages[index].foot, title
    numbered = [p for p in pdf.pages if p.foot]
    # Every story page with text carries its folio (blanks and the colophon need none).
    first = starts[TITLES[0]]
    story_pages = [p for p in pdf.pages[first:] if p.text and "Colophon" not in p.body]
    assert story_pages and all(p.foot for p in story_pages), [p.index for p in story_pages]
    for page in numbered:
        assert page.foot == page.label, page.index
    front = pdf.pages[: starts[TITLES[0]]]
    assert all(re.fullmatch(r"[ivxl]+", p.label) for p in front)
    body = pdf.pages[starts[TITLES[0]] :]
    assert [p.label for p in body] == [str(n) for n in range(1, len(body) + 1)]


@pytest.mark.parametrize("which", ["print_pdf", "screen_pdf", "bleed_pdf"])
def test_running_heads_author_left_title_right_none_on_openers(
    which: str, request: pytest.FixtureRequest
) -> None:
    pdf: Pdf = request.getfixturevalue(which)
    starts = pdf.starts()
    first, last = starts["An Orchard in Winter"], starts["The Kite Maker"]
    assert pdf.pages[first].head == ""
    heads = 0
    assert last - first >= 3
    for page in pdf.pages[first + 1 : last]:
        if not page.text:
            continue  # a blank page
        expected = "Bram Ellery" if int(page.label) % 2 == 0 else "An Orchard in Winter"
        assert page.head == expected, (page.index, page.label)
        heads += 1
    assert heads >= 2
    assert all(pdf.pages[i].head == "" for i in starts.values())
    front = pdf.pages[: starts[TITLES[0]]]
    assert all(p.head == "" for p in front)


@pytest.mark.parametrize("which", ["screen_pdf", "bleed_pdf"])
def test_outside_folios_sit_on_the_outside_of_every_page(
    which: str, request: pytest.FixtureRequest
) -> None:
    # The modern theme prints folios at the outside corner: left on left-hand pages.
    pdf: Pdf = request.getfixturevalue(which)
    width = pdf.trim_pt[0]
    body = [p for p in pdf.pages if p.foot.isdigit()]
    assert {int(p.label) % 2 for p in body} == {0, 1}
    for page in body:
        assert page.folio_x is not None
        on_left = page.folio_x < width / 2
        assert on_left == (int(page.label) % 2 == 0), (page.index, page.label, page.folio_x)


def test_pdf_flag_wins_and_the_epub_is_unchanged(print_out: Path, bleed_pdf: Pdf) -> None:
    # bleed_pdf's collection.toml says screen, its command line --pdf print: blanks are there.
    assert any(not p.text for p in bleed_pdf.pages)
    assert_epubcheck_clean(print_out / "geometry.epub")


# -- bad values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('page_size = "B7"', "page_size: must be one of 5x8in, 5.25x8in, 5.5x8.5in, 6x9in, A5"),
        ('page_size = "140x216cm"', "page_size: must be one of"),
        ('page_size = "1x2in"', "page_size: each side must be between 3in"),
        ("page_size = 6", "page_size: must be one of 5x8in"),
        ('bleed = "1cm"', "bleed: must be a length in in, mm or pt"),
        ("bleed = 0.125", "bleed: must be a length in in, mm or pt such as '0.125in'"),
        ('bleed = "2in"', "bleed: must be at most 0.5in"),
        ('pdf = "paper"', "pdf: must be 'print' or 'screen' (got 'paper')"),
        ('crop_marks = "yes"', "crop_marks: must be true or false (got 'yes')"),
    ],
)
def test_bad_geometry_values_exit_1_naming_collection_toml(
    tmp_path: Path, line: str, message: str
) -> None:
    source = tmp_path / "src"
    write_story(source, "a.md", "# A\n\nText.\n")
    (source / "collection.toml").write_text(f'title = "T"\n{line}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "collection.toml:2: " + message in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_pdf_flag_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_story(source, "a.md", "# A\n\nText.\n")
    result = CliRunner().invoke(app, ["build", str(source), "--pdf", "paper"])
    assert result.exit_code == 2


def test_mode_is_part_of_the_layout_cache(tmp_path: Path) -> None:
    source = make_source(tmp_path / "src", "")
    first = build(source, tmp_path / "a", BuildOptions(formats=("pdf",), env={}, jobs=1))
    screen = build(
        source, tmp_path / "b", BuildOptions(formats=("pdf",), env={}, jobs=1, pdf_mode="screen")
    )
    again = build(
        source, tmp_path / "c", BuildOptions(formats=("pdf",), env={}, jobs=1, pdf_mode="screen")
    )
    assert (
        set(first.outputs[0].laid_out)
        == set(screen.outputs[0].laid_out)
        == {
            "story-001",
            "story-002",
            "story-003",
        }
    )
    assert again.outputs[0].laid_out == ()
    pdfs = [r.outputs[0].path.read_bytes() for r in (first, screen, again)]
    assert pdfs[1] == pdfs[2] != pdfs[0]


def test_a_story_on_a_side_not_foreseen_is_laid_out_on_that_side(tmp_path: Path) -> None:
    # On screen the stories' sides are foreseen from the stories alone. A part of the body
    # before them (here the one-page colophon, moved) shifts every side: each story is then
    # laid out again, in order, on the side it really starts on.
    stories = {"1-orchard.md": STORIES["2-orchard.md"], "2-kite.md": STORIES["3-kite.md"]}
    source = make_source(tmp_path / "src", 'pdf = "screen"\ntheme = "modern"\n', stories)
    loaded = load_stories(source, BuildOptions(env={}))
    book, _ = render_collection(loaded.config, assemble(loaded.config, loaded.stories))
    parts = list(book.parts)
    colophon = next(p for p in parts if p.kind == "colophon")
    parts.remove(colophon)
    first_story = next(i for i, p in enumerate(parts) if p.kind == "story")
    parts.insert(first_story, colophon)
    out = write_pdf(dataclasses.replace(book, parts=tuple(parts)), jobs=1)
    # Foreseen: the orchard on page 1 (right), the kite on 4 (left). Now: 2 (left) and 5.
    assert out.story_pages == {"story-001": 2, "story-002": 5}
    path = tmp_path / "moved.pdf"
    path.write_bytes(out.data)
    pdf = read_pdf(path)
    heads = {int(p.label): p.head for p in pdf.pages if p.label.isdigit()}
    assert heads == {1: "", 2: "", 3: "An Orchard in Winter", 4: "Bram Ellery", 5: ""}
    width = pdf.trim_pt[0]
    for page in pdf.pages:
        if page.foot.isdigit():
            assert page.folio_x is not None
            assert (page.folio_x < width / 2) == (int(page.label) % 2 == 0), page.index
