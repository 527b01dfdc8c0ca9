"""collection.toml's schema: the keys, their types and the checks on their values (pydantic)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, create_model, field_validator

from packager.book import labels, trim
from packager.read.meta import KNOWN_FIELDS

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}")

TextList = str | list[str]


class StoryOverride(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: str | None = None
    author: TextList | None = None
    authors: TextList | None = None
    summary: str | None = None
    rating: str | None = None
    warnings: TextList | None = None
    fandoms: TextList | None = None
    relationships: TextList | None = None
    characters: TextList | None = None
    tags: TextList | None = None
    notes: str | None = None
    end_notes: str | None = None
    disclaimer: str | None = None
    date: str | dt.date | None = None
    source_url: str | None = None
    language: str | None = None
    author_bio: str | None = None


assert set(StoryOverride.model_fields) == KNOWN_FIELDS


class Contributor(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    bio: str  # Markdown


# [labels]: any of the book's own words (packager/book/labels.py), by key.
LabelsTable = create_model(
    "LabelsTable",
    __config__=ConfigDict(extra="forbid", strict=True),
    **{key: (str | None, None) for key in labels.entries()},  # type: ignore[call-overload]
)


class CollectionFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: str | None = None
    subtitle: str = ""
    authors: TextList = []
    language: str = "en"
    date: str | dt.date | dt.datetime | None = None
    description: str = ""
    publisher: str = ""
    rights: str = ""
    identifier: str = ""
    disclaimer: str | None = None
    theme: str | None = None
    css: list[str] = []
    cover: str | Literal[False] | None = None  # an image file, or false for no cover at all
    order: list[str] | None = None
    page_size: str = trim.DEFAULT
    pdf: str = "print"
    bleed: str = ""
    crop_marks: bool = False
    embed_fonts: bool = False
    scene_break: str | None = None
    skip_empty_stories: bool = False  # true: a story file with no text is left out, with a warning
    stories: dict[str, StoryOverride] = {}
    edition: str = ""
    version: str = ""  # of the collection: "1.2"; in the colophon, metadata, --versioned names
    dedication: str = ""  # Markdown
    contributors: dict[str, Contributor] = {}
    labels: LabelsTable = LabelsTable()  # type: ignore[valid-type]

    @field_validator("page_size")
    @classmethod
    def _trim(cls, value: str) -> str:
        return trim.parse_size(value).name

    @field_validator("pdf")
    @classmethod
    def _mode(cls, value: str) -> str:
        if value not in trim.MODES:
            raise ValueError("must be 'print' or 'screen'")
        return value

    @field_validator("bleed")
    @classmethod
    def _bleed(cls, value: str) -> str:
        if value.strip():
            trim.parse_length(value)
        return value

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if value and not _VERSION.fullmatch(value):
            raise ValueError("must be a version such as '1.2' or '2026.1' (letters, digits, . - +)")
        return value

    @field_validator("language")
    @classmethod
    def _bcp47(cls, value: str) -> str:
        if not _LANGUAGE.match(value):
            raise ValueError("must be a BCP 47 language tag such as 'en' or 'pt-BR'")
        return value
