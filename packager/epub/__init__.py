"""EPUB: the writer (the only ebooklib import), KEPUB, accessibility, preflight,
EPUBCheck and the page list. Exports write_epub(book) -> bytes."""

from packager.epub.writer import write_epub

__all__ = ["write_epub"]
