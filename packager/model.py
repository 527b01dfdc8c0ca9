"""The data that flows between packager's stages: frozen, typed, no I/O.

read_story ─▶ Story ─clean─▶ Story ─assemble─▶ Collection ─render_book─▶ Book

Text fields hold plain text; fields named ``*_html`` hold sanitized XHTML
fragments (made by packager.html), ready to be placed in a template.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """How much a diagnostic matters; ``--strict`` promotes warnings to errors."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Diagnostic:
    """One thing packager wants the editor to know, with where it happened."""

    severity: Severity
    message: str
    file: str = ""
    line: int | None = None

    def location(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Change:
    """Text that packager moved, removed or reinterpreted, reported with file:line.

    ``kind`` says what happened to the words: "removed" (gone from the book:
    site debris), "metadata" (taken out of the text into a field shown on the
    opener: title, byline, "Rating: T"), "moved" (to the notes or end notes),
    "structure" (kept in place, read as a heading, epigraph, letter...) or
    "repaired" (characters fixed: mojibake, HTML remnants).
    """

    file: str
    line: int
    kind: str
    action: str  # what exactly, e.g. "title", "site footer", "moved to end notes"
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.action}: {self.text}"


@dataclass(frozen=True)
class StoryMeta:
    """What a story says about itself (front matter, overrides, detected lines)."""

    title: str = ""
    authors: tuple[str, ...] = ()
    summary_html: str = ""
    rating: str = ""
    warnings: tuple[str, ...] = ()
    fandoms: tuple[str, ...] = ()
    relationships: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    series: str = ""  # "Part 2 of The Lantern Years", as the archive gives it
    notes_html: str = ""
    end_notes_html: str = ""
    disclaimer_html: str = ""  # shown on the story's opener
    date: str = ""
    source_url: str = ""
    language: str = ""  # BCP 47, when the story is not in the book's language
    author_bio_html: str = ""  # for the "About the authors" page


@dataclass(frozen=True)
class Note:
    """A footnote or endnote of a story, numbered 1, 2, ... in reading order within it.

    Its call sits in its chapter's ``html`` as ``<a data-note="N">N</a>``
    (``packager.text.notes.call(N)``; a note called twice has two calls). The
    renderers turn calls and notes into each output's markup; a note whose call
    is missing is printed at the story's end. ``kind`` is what the source made
    it: "footnote", or "endnote" (Word endnotes, an EPUB's endnotes), which
    always go to the story's end; a theme with ``notes = "endnotes"`` puts
    every note there.
    """

    number: int
    html: str  # sanitized XHTML blocks (paragraphs), without the number or a backlink
    line: int = 1  # where the note's text begins in the source
    kind: str = "footnote"


@dataclass(frozen=True)
class Chapter:
    """A run of story text, under a heading when the story has chapters."""

    title: str | None
    html: str
    line: int = 1
    notes_html: str = ""  # a chapter's own notes (archive downloads have them)
    end_notes_html: str = ""
    footnotes: tuple[Note, ...] = ()  # the notes called in this chapter's text


@dataclass(frozen=True)
class Image:
    """A picture of a story, checked and cleaned (packager.read.pictures), as the book holds it.

    ``data`` is what goes into the book: its type read from its content,
    metadata (EXIF, GPS) stripped, colours and size as e-readers need them.
    """

    source: Path  # the file it came from: the picture itself, or the story that embeds it
    href: str  # path inside the book, e.g. "images/map-1a2b3c4d.png"
    media_type: str
    data: bytes = b""
    width: int = 0  # pixels
    height: int = 0


@dataclass(frozen=True)
class Story:
    """One story file, read and (after clean) typographically finished."""

    path: Path
    name: str  # file name as the editor knows it, e.g. "03-night.md"
    meta: StoryMeta
    chapters: tuple[Chapter, ...]
    words: int = 0
    encoding: str = "utf-8"
    images: tuple[Image, ...] = ()
    changes: tuple[Change, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class TocEntry:
    """One line of the contents: a story, or a chapter inside it."""

    title: str
    href: str  # "story-001.xhtml" or "story-001.xhtml#story-001-c02"
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything about the book that is not a story: from collection.toml and flags."""

    title: str
    subtitle: str
    editors: tuple[str, ...]
    language: str
    date: str  # publication date as the editor wrote it ("" when not given)
    modified: str  # ISO 8601 UTC timestamp for dcterms:modified and the PDF dates
    description: str
    publisher: str
    rights: str
    identifier: str
    disclaimer_html: str
    theme: str
    extra_css: tuple[Path, ...]
    cover: Path | None
    page_size: str  # a packager.trim preset name or WIDTHxHEIGHT with in or mm
    slug: str
    edition: str = ""  # "First edition", on the imprint page
    version: str = ""  # the collection's version, "1.2"
    changelog_html: str = ""  # SOURCE/CHANGELOG.md: the "What's New" page
    dedication_html: str = ""
    bios: tuple[tuple[str, str], ...] = ()  # [contributors."Name"] bio: (name, bio_html)
    pdf: str = "print"  # "print": facing pages, blanks, bleed; "screen": no blanks
    bleed: float = 0.0  # points beyond the trim on each side (print only)
    crop_marks: bool = False
    embed_fonts: bool = False  # the theme's fonts go into the EPUB too
    scene_break: Path | None = None  # the editor's SVG ornament for scene breaks
    generate_cover: bool = True  # no cover given: draw one (cover = false or --no-cover: none)
    notes: str = ""  # "footnotes" or "endnotes" (packager.book.notes); "": the theme's choice
    labels: tuple[tuple[str, str], ...] = ()  # [labels]: the editor's own words, by label key


@dataclass(frozen=True)
class PlacedStory:
    """A story with its place in the book: id, file name and chapter anchors."""

    story: Story
    id: str  # "story-001"
    href: str  # "story-001.xhtml"
    chapter_ids: tuple[str, ...]


@dataclass(frozen=True)
class Contributor:
    """An entry of the "About the authors" page: a byline, its bio, the stories it wrote."""

    name: str
    bio_html: str
    stories: tuple[str, ...] = ()  # ids of the stories, e.g. "story-001"


@dataclass(frozen=True)
class Collection:
    """The assembled anthology: settings plus stories in reading order."""

    settings: Settings
    stories: tuple[PlacedStory, ...]
    toc: tuple[TocEntry, ...]
    contributors: tuple[Contributor, ...] = ()

    @property
    def words(self) -> int:
        return sum(s.story.words for s in self.stories)


@dataclass(frozen=True)
class Resource:
    """A file inside the book that is not a text document (CSS, image, font)."""

    href: str  # path inside the book, e.g. "css/book.css"
    media_type: str
    data: bytes
    in_epub: bool = True  # print-only CSS and PDF fonts stay out of the EPUB


@dataclass(frozen=True)
class Part:
    """One document of the book: a file in the EPUB, a run of pages in the PDF."""

    id: str
    href: str
    kind: str  # cover, halftitle, title, imprint, dedication, disclaimer, contents, story, ...
    title: str
    xhtml: str  # the EPUB content document
    print_html: str  # the same partials as one section of the PDF ('' in a build with no PDF)
    # A story with footnotes, its notes at its end instead: what the PDF prints when
    # one of them is too long for the foot of a page (packager.pdf.weasy).
    print_fallback: str = ""
    matter: str = "body"  # front, body or back: PDF numbering and EPUB landmarks
    recto: bool = True  # in print, starts on a right-hand page
    author: str = ""
    in_epub: bool = True  # the half-title is a print convention only
    in_pdf: bool = True  # the cover: an e-book's first page, not a printed book's
    source: str = ""  # a story's file, as messages name it


@dataclass(frozen=True)
class PageTarget:
    """A printed page in the EPUB: its label ("37", "iv") and its marker's href#id."""

    label: str
    href: str


@dataclass(frozen=True)
class PageStart:
    """Where a printed page begins: its label, its part (None: a blank page) and offset."""

    label: str
    part: str | None
    offset: int = 0


@dataclass(frozen=True)
class Undrawn:
    """A character of the book that no available font has, and where it is.

    ``parts`` are the ids of the parts that hold it; ``install`` names what
    would draw it (a pip requirement), or is empty when nothing packager knows can.
    """

    char: str
    parts: tuple[str, ...]
    install: str = ""


@dataclass(frozen=True)
class Fallback:
    """A font the PDF draws with where the theme's faces lack a character.

    ``family`` is the name its @font-face rules give it; the renderer puts it
    after the theme's faces, first for text in one of its ``languages``.
    """

    family: str
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Book:
    """Everything the writers need: documents, resources (as bytes) and contents."""

    settings: Settings
    parts: tuple[Part, ...]
    resources: tuple[Resource, ...]
    toc: tuple[TocEntry, ...]
    pdf_css: tuple[str, ...] = ()  # hrefs of the PDF's stylesheets, in cascade order
    cover_href: str = ""
    words: int = 0
    fallbacks: tuple[Fallback, ...] = ()  # fonts for what the theme's faces lack (PDF)
    undrawn: tuple[Undrawn, ...] = ()  # characters no font packager has can draw
    story_count: int = 0
    pages: tuple[PageTarget, ...] = ()  # the print edition's pages, marked in the documents

    def resource(self, href: str) -> Resource | None:
        for res in self.resources:
            if res.href == href:
                return res
        return None
