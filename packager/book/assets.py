"""Collect the book's non-text files (CSS, fonts, images, cover) as bytes.

The I/O half of rendering: after this, render and the writers never touch
the file system. Stylesheets are layered base -> theme -> fonts and print
rules -> page size (packager.trim) -> the editor's own, so an editor overrides a rule without
copying a theme. Only files from the theme and the source folder go in: the
editor's CSS is checked reference by reference (packager.stylesheets).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from packager.book import fallbacks, labels, themes, trim
from packager.book.cover import make_cover
from packager.book.ornament import ornament_resources
from packager.book.render import Styles
from packager.book.stylesheets import FONT_TYPES, user_styles
from packager.book.themes import Theme
from packager.errors import ConfigError, error
from packager.model import Collection, Diagnostic, Resource, Settings
from packager.read.images import MEDIA_TYPES
from packager.read.pictures import NotAPicture, PictureError, extract_picture
from packager.text import cmaps


@dataclass(frozen=True)
class Assets:
    resources: tuple[Resource, ...]
    styles: Styles
    cover_href: str
    diagnostics: tuple[Diagnostic, ...] = ()  # references refused in the editor's CSS


def font_faces(theme: Theme) -> str:
    """@font-face rules for the theme's fonts, served from fonts/ inside the book."""
    return "".join(
        f'@font-face {{ font-family: "{f.family}"; font-weight: {f.weight}; '
        f"font-style: {f.style}; src: url(../fonts/{f.path.name}); }}\n"
        for f in theme.fonts
    )


def gather(collection: Collection, theme: Theme, source: Path) -> Assets:
    """Every file the book holds besides its documents, read from the theme and ``source``."""
    settings = collection.settings
    embed = settings.embed_fonts  # the fonts go into the EPUB too (they always go in the PDF)
    base_book, base_print = themes.base_css()
    ornament, ornament_problems = ornament_resources(theme.ornament, settings.scene_break, source)
    resources = [
        Resource("css/base.css", "text/css", _read(base_book)),
        Resource("css/book.css", "text/css", _read(theme.book_css)),
        *ornament,
        Resource("css/fonts.css", "text/css", font_faces(theme).encode(), in_epub=embed),
        # Filled once the book's text is known (packager.book.fallbacks).
        Resource(fallbacks.CSS_HREF, "text/css", b"", in_epub=False),
        Resource("css/base-print.css", "text/css", _read(base_print), in_epub=False),
        Resource("css/print.css", "text/css", _read(theme.print_css), in_epub=False),
        Resource("css/page.css", "text/css", _page_css(settings).encode(), False),
    ]
    user = user_styles(settings.extra_css, source)
    resources.extend(user.resources)
    resources.extend(
        Resource(f"fonts/{font.path.name}", _font_type(font.path), _read(font.path), embed)
        for font in theme.fonts
    )
    seen = {r.href for r in resources}
    for placed in collection.stories:
        for image in placed.story.images:
            if image.href not in seen:
                seen.add(image.href)
                data = image.data or _read(image.source)  # read and cleaned by the reader
                resources.append(Resource(image.href, image.media_type, data))
    problems = [*ornament_problems, *user.diagnostics]
    cover_href = ""
    cover = settings.cover
    if cover is not None:  # load_config has refused a cover outside the source folder
        media_type = MEDIA_TYPES.get(cover.suffix.lower())
        if media_type is None:
            kinds = ", ".join(sorted(MEDIA_TYPES))
            raise ConfigError([error(f"cover: must be one of {kinds}", str(cover))])
        # Cleaned as the stories' pictures are: no camera or GPS position in the book.
        try:
            image = extract_picture(_read(cover), cover.name, cover).image
        except (PictureError, NotAPicture) as exc:
            raise ConfigError([error(f"cover: {exc}", str(cover))]) from None
        cover_href = f"images/cover{Path(image.href).suffix}"
        resources.append(Resource(cover_href, image.media_type, image.data))
    elif settings.generate_cover and theme.cover is not None:
        cover_href = "images/cover.jpg"
        look = _cover_fonts(settings, theme.cover, theme.fallback)
        resources.append(Resource(cover_href, "image/jpeg", drawn_cover(settings, look)))
    drawn = tuple(r.href for r in ornament if r.media_type == "text/css")
    book_css = ("css/base.css", "css/book.css", *drawn)
    print_css = (
        "css/fonts.css",
        fallbacks.CSS_HREF,
        "css/base-print.css",
        "css/print.css",
        "css/page.css",
    )
    epub_fonts = ("css/fonts.css",) if embed else ()
    styles = Styles(
        epub=(*epub_fonts, *book_css, *user.hrefs), pdf=(*book_css, *print_css, *user.hrefs)
    )
    return Assets(tuple(resources), styles, cover_href, tuple(problems))


def _page_css(settings: Settings) -> str:
    """Trim size and margins; bleed and crop marks in print only (a screen has no trim)."""
    size = trim.parse_size(settings.page_size)
    if settings.pdf == "screen":
        return trim.page_css(size, "screen")
    return trim.page_css(size, "print", settings.bleed, settings.crop_marks)


def drawn_cover(settings: Settings, look: themes.CoverLook) -> bytes:
    """The typographic cover of a book whose editor gave no cover image."""
    words = labels.for_book(settings)
    return make_cover(
        settings.title,
        settings.subtitle,
        settings.editors,
        look,
        byline=words.text("cover_edited_by"),
        names=words.names(settings.editors),
    )


def _cover_fonts(settings: Settings, look: themes.CoverLook, style: str) -> themes.CoverLook:
    """The cover's faces, or a fallback face where they lack a character of the title.

    The cover draws each line in one font (Pillow has no fallback): a Chinese
    title takes the whole of a face that has it, never a box per character.
    """
    byline = labels.for_book(settings).text("cover_edited_by")
    text = " ".join((settings.title, settings.subtitle, *settings.editors, byline))
    needed = {ord(c) for c in text if cmaps.needs_glyph(c)}

    def drawing(path: Path) -> Path:
        if needed <= cmaps.characters(path):
            return path
        for face in fallbacks.ordered(fallbacks.faces(style), settings.language):
            if face.files and needed <= face.covers():
                return face.files[0]
        return path  # the PDF's check names what nothing draws

    return dataclasses.replace(
        look, title_font=drawing(look.title_font), text_font=drawing(look.text_font)
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError([error(f"cannot read ({exc.strerror})", str(path))]) from None


def _font_type(path: Path) -> str:
    return FONT_TYPES.get(path.suffix.lower(), "application/octet-stream")
