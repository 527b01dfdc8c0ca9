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
    series: str | None = None
    split: bool | None = None  # an EPUB holding several works: one story per work


assert set(StoryOverride.model_fields) == KNOWN_FIELDS | {"split"}


class Contributor(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    bio: str  # Markdown


class BindingTable(BaseModel):
    """[binding]: imposition for binding by hand and the cover wrap (packager.binding).

    Types and ranges are checked here; paper names, paper stocks and whether
    the trim fits the folded leaf are checked against the binding's data files
    by packager.binding.settings.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    fold: str = "folio"
    sheets: int | list[int] | None = None
    paper: str = ""
    flip: str = "long"
    duplex: bool = True
    paper_weight: int | float | None = None
    caliper: int | float | None = None  # mm
    flyleaves: int = 0
    new_signature: bool = False
    cut_marks: bool = True
    fold_lines: bool = False
    collation: bool = True
    stations: int | None = None
    direction: str = ""
    paper_stock: str = "kdp-cream"
    back_cover: str = ""  # Markdown

    @field_validator("fold")
    @classmethod
    def _fold(cls, value: str) -> str:
        if value not in FOLDS:
            raise ValueError(f"must be one of {', '.join(FOLDS)}")
        return value

    @field_validator("sheets")
    @classmethod
    def _sheets(cls, value: int | list[int] | None) -> int | list[int] | None:
        if isinstance(value, list) and not value:
            raise ValueError("must list at least one signature's sheets")
        counts = value if isinstance(value, list) else [] if value is None else [value]
        if any(not 1 <= n <= 32 for n in counts):
            raise ValueError("must be from 1 to 32 sheets a signature")
        return value

    @field_validator("flip")
    @classmethod
    def _flip(cls, value: str) -> str:
        if value not in ("long", "short"):
            raise ValueError("must be 'long' or 'short' (the edge your duplex printer flips on)")
        return value

    @field_validator("paper_weight")
    @classmethod
    def _weight(cls, value: float | None) -> float | None:
        if value is not None and not 30 <= value <= 400:
            raise ValueError("must be grams per square metre, from 30 to 400")
        return value

    @field_validator("caliper")
    @classmethod
    def _caliper(cls, value: float | None) -> float | None:
        if value is not None and not 0.03 <= value <= 1.0:
            raise ValueError("must be one leaf's thickness in mm, from 0.03 to 1")
        return value

    @field_validator("flyleaves")
    @classmethod
    def _flyleaves(cls, value: int) -> int:
        if not 0 <= value <= 8:
            raise ValueError("must be from 0 to 8 leaves at each end")
        return value

    @field_validator("stations")
    @classmethod
    def _stations(cls, value: int | None) -> int | None:
        if value is not None and not 2 <= value <= 16:
            raise ValueError("must be from 2 to 16 sewing stations")
        return value

    @field_validator("direction")
    @classmethod
    def _direction(cls, value: str) -> str:
        if value not in ("", "ltr", "rtl"):
            raise ValueError("must be 'ltr' or 'rtl'")
        return value


FOLDS = ("folio", "quarto", "octavo", "booklet", "perfect")


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
    notes: Literal["footnotes", "endnotes"] | None = None  # default: the theme's choice
    scene_break: str | None = None
    skip_empty_stories: bool = False  # true: a story file with no text is left out, with a warning
    stories: dict[str, StoryOverride] = {}
    edition: str = ""
    version: str = ""  # of the collection: "1.2"; in the colophon, metadata, --versioned names
    dedication: str = ""  # Markdown
    contributors: dict[str, Contributor] = {}
    labels: LabelsTable = LabelsTable()  # type: ignore[valid-type]
    binding: BindingTable | None = None

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
