"""The floor for EPUB speed: stories straight into ebooklib, no cleaning, no templates.

    python bench/bare_ebooklib.py SOURCE OUT.epub

Each story file becomes one XHTML document of escaped paragraphs. This is
what any EPUB tool must at least do; packager's EPUB time is measured
against it.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from ebooklib import epub


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    book = epub.EpubBook()
    book.set_identifier("bench")
    book.set_title("Bench")
    book.set_language("en")
    chapters = []
    for i, path in enumerate(sorted(source.glob("*.md")), start=1):
        text = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
        chapter = epub.EpubHtml(title=path.stem, file_name=f"s{i}.xhtml", lang="en")
        chapter.content = f"<html><body>{body}</body></html>"
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.spine = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    epub.write_epub(str(target), book, {"raise_exceptions": True})


if __name__ == "__main__":
    main()
