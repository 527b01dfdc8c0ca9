"""Read: one reader per story format (txt, md, html, docx), with source decoding,
front matter and the line recognisers. Exports read_story(path) -> Story."""

from packager.read.story import FORMATS, is_story_file, read_story, title_from_name

__all__ = ["FORMATS", "is_story_file", "read_story", "title_from_name"]
