"""The scene-break ornament: an SVG from the theme or the editor, checked; the CSS drawing it.

A scene break is an ``<hr/>``; the ornament is its background, drawn in
both outputs, so a break that falls at the foot of a page is still seen.
The editor's SVG (``scene_break`` in collection.toml) comes from a shared
story folder: it must lie inside the folder and be a plain drawing (no
script, no foreign content, no reference to another file); otherwise it is
refused with a warning and the theme's own scene break is used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree

from packager.errors import warning
from packager.model import Diagnostic, Resource
from packager.paths import display_path, outside

HREF = "images/ornament.svg"
CSS_HREF = "css/ornament.css"
_SVG = "{http://www.w3.org/2000/svg}"
_FORBIDDEN = frozenset({"script", "foreignObject", "iframe", "object", "embed", "image", "use"})
_MAX_BYTES = 256 * 1024


def ornament_resources(
    theme_svg: Path | None, user_svg: Path | None, source: Path
) -> tuple[tuple[Resource, ...], tuple[Diagnostic, ...]]:
    """The ornament's SVG and CSS as book resources (none: the theme's CSS draws the break)."""
    problems: list[Diagnostic] = []
    data: bytes | None = None
    if user_svg is not None:
        data, reason = _user_svg(user_svg, source)
        if reason:
            shown = display_path(user_svg)
            problems.append(warning(f"scene_break: '{shown}' {reason}; the theme's is used"))
    if data is None and theme_svg is not None:
        data = theme_svg.read_bytes()
    if data is None:
        return (), tuple(problems)
    return (
        Resource(HREF, "image/svg+xml", data),
        Resource(CSS_HREF, "text/css", ornament_css(data).encode()),
    ), tuple(problems)


def ornament_css(data: bytes) -> str:
    # The hash names the drawing, so a changed SVG changes the stylesheet and
    # with it the layout cache's key.
    sha = hashlib.sha256(data).hexdigest()[:16]
    return (
        f"/* The scene-break ornament ({sha}), after the theme's book.css. */\n"
        "hr { border: none; width: auto; height: 1.1em; margin: 0.9em 0;\n"
        f"  background: url(../{HREF}) no-repeat center; background-size: auto 100%; }}\n"
        "hr::before, hr::after { content: none; }\n"
    )


def _user_svg(path: Path, source: Path) -> tuple[bytes | None, str]:
    """The editor's SVG, or why it is refused."""
    where = outside(path, source)
    if where is not None:
        return None, where
    if path.suffix.lower() != ".svg":
        return None, "is not an SVG file"
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    if len(data) > _MAX_BYTES:
        return None, f"is larger than {_MAX_BYTES // 1024} KB"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None, "is not well-formed SVG"
    if root.tag != f"{_SVG}svg":
        return None, "is not an SVG drawing"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        if not element.tag.startswith(_SVG) or element.tag[len(_SVG) :] in _FORBIDDEN:
            return None, f"holds <{etree.QName(element).localname}>, which is not allowed"
        for name, raw in element.attrib.items():
            value = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
            local = etree.QName(name).localname
            if local.lower().startswith("on"):
                return None, f"holds a script attribute ({local})"
            if local == "href" and not value.startswith("#"):
                return None, "refers to another file"
            if "url(" in value and "url(#" not in value.replace(" ", ""):
                return None, "refers to another file"
    return data, ""
