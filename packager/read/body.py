"""What a reader found in a story body, whatever the format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packager.model import Change, Chapter, Diagnostic, Note


@dataclass
class Body:
    """Structure, metadata and every change a reader made, for read_story to merge.

    ``meta`` holds StoryMeta updates found in the text ("author", "rating", a
    plain-text "summary", list fields as lists, or any ``*_html`` field).
    """

    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    chapters: tuple[Chapter, ...] = ()
    notes_html: str = ""
    end_notes_html: str = ""
    disclaimer_html: str = ""
    changes: list[Change] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # called in the chapters' text
    embedded: dict[str, bytes] = field(default_factory=dict)  # pictures a file holds, by src
