"""Render the README's pictures of the book: real pages of the sample anthology.

    pip install -e '.[docs]' && python docs/pages.py

For every theme, the sample in stories/ is built as a print PDF and four
views of it are rendered with pypdfium2 into one PNG, docs/images/<theme>.png:
the title page, the contents, the first story's opening page, and a spread
(a left and a right page side by side, with their running heads). The pages
are found by reading the PDF back (text and page labels), not by number, so
the pictures follow the book when it changes.

The Chinese and the Arabic test books (tests/fixtures/books/zh and ar, short
original stories) are pictured the same way in docs/images/zh.png and ar.png:
title page, contents, and the first two pages of stories (right to left for
Arabic: its first page on the right).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pypdf
import pypdfium2
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from packager.book import labels, themes  # noqa: E402
from packager.book.config import load_config  # noqa: E402
from packager.build import build  # noqa: E402
from packager.options import BuildOptions  # noqa: E402

OUT = ROOT / "docs" / "images"
SCALE = 1.0  # 72 dpi: an A5 page is 420 x 595 pixels
GAP, MARGIN, BACKGROUND = 24, 24, (228, 226, 220)


def _has(text: str, words: str) -> bool:
    """Whether ``words`` are on the page (pypdf reads right-to-left text in visual order)."""
    flat = "".join(text.lower().split())
    wanted = "".join(words.lower().split())
    return wanted in flat or wanted[::-1] in flat


def pick_pages(pdf: Path, source: Path) -> dict[str, list[int]]:
    """Page indexes of the title, the contents, the first opener and a spread inside a story."""
    settings = load_config(source).settings
    words = labels.for_book(settings)
    reader = pypdf.PdfReader(pdf)
    texts = [page.extract_text() or "" for page in reader.pages]
    page_labels = list(reader.page_labels)
    # The title page names the editors (the half-title shows the title alone).
    title_page = next(i for i, t in enumerate(texts) if _has(t, settings.editors[0]))
    contents = next(i for i, t in enumerate(texts) if _has(t, words.text("contents")))
    opener = page_labels.index("1")
    pages = {"title": [title_page], "contents": [contents], "opener": [opener]}
    if words.direction == "rtl" or not settings.language.startswith("en"):
        # A short test book: its first page of stories and the next page with text
        # (a blank verso skipped), in reading order on the sheet: a right-to-left
        # book's first page on the right.
        after = next(i for i in range(opener + 1, len(texts)) if texts[i].strip())
        pair = [opener, after]
        pages["spread"] = pair[::-1] if words.direction == "rtl" else pair
        return pages
    # A spread inside one story: a left page (odd index) and the right page after
    # it, neither of them a story's first page, so both carry running heads.
    starts = {
        i for i, label in enumerate(page_labels) if label in _contents_numbers(texts[contents])
    }
    spread = next(
        i
        for i in range(opener + 1, len(texts) - 1)
        if i % 2 == 1 and not {i, i + 1} & starts and min(len(texts[i]), len(texts[i + 1])) > 200
    )
    return {**pages, "spread": [spread, spread + 1]}


def _contents_numbers(text: str) -> set[str]:
    """The page numbers at the ends of the contents page's lines."""
    return {m.group(1) for m in re.finditer(r"(\d+)\s*$", text, re.MULTILINE)}


def render(pdf: Path, indexes: list[int], gutter_line: bool = True) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    pages = [document[i].render(scale=SCALE).to_pil().convert("RGB") for i in indexes]
    width = sum(p.width for p in pages)
    height = max(p.height for p in pages)
    joined = Image.new("RGB", (width, height), "white")
    x = 0
    for page in pages:
        joined.paste(page, (x, 0))
        x += page.width
    if len(pages) == 2 and gutter_line:  # the gutter of the spread
        gutter = pages[0].width
        ImageDraw.Draw(joined).line((gutter, 0, gutter, height), fill=(200, 200, 200))
    return joined


def sheet(views: list[Image.Image]) -> Image.Image:
    width = sum(v.width for v in views) + GAP * (len(views) - 1) + 2 * MARGIN
    height = max(v.height for v in views) + 2 * MARGIN
    out = Image.new("RGB", (width, height), BACKGROUND)
    x = MARGIN
    for view in views:
        out.paste(view, (x, MARGIN))
        x += view.width + GAP
    return out


def picture(source: Path, name: str, theme: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        options = BuildOptions(formats=("pdf",), theme=theme, env={}, use_cache=False)
        result = build(source, Path(tmp), options)
        pdf = result.outputs[0].path
        picked = pick_pages(pdf, source)
        spread = source == ROOT / "stories"
        views = [render(pdf, picked[k]) for k in ("title", "contents")]
        views += [render(pdf, picked["spread"], gutter_line=spread)]
        if spread:
            views.insert(2, render(pdf, picked["opener"]))
    path = OUT / f"{name}.png"
    sheet(views).save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: pages {picked}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for theme in themes.available():
        picture(ROOT / "stories", theme, theme)
    for language in ("zh", "ar"):
        picture(ROOT / "tests" / "fixtures" / "books" / language, language)


if __name__ == "__main__":
    main()
