"""The editor's stylesheets, checked: every @import and url() must name a file in the book.

The editor's CSS goes into the EPUB, where a reading system may fetch what
it names, and into the PDF. So each reference is resolved here, once: a file
inside the source folder (an image, a font, or a stylesheet for @import) is
copied into the book and the reference rewritten to its copy; anything else
(a network address, a file: or data: URL, a ``../`` path or a symlink that
leaves the folder, a missing file) is refused, and the rule or declaration
that holds it is left out with a warning naming the file and line.

tinycss2 reads the CSS: it is WeasyPrint's own tokenizer, so packager sees the
same url() tokens, escapes and strings as the renderer does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import tinycss2
import tinycss2.ast
from tinycss2.serializer import serialize_identifier, serialize_string_value

from packager.errors import ConfigError, error, warning
from packager.model import Diagnostic, Resource
from packager.paths import display_path, outside
from packager.read.images import MEDIA_TYPES

FONT_TYPES = {
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
# Functions whose first argument is an address (CSS Values 4 adds src()).
_URL_FUNCTIONS = frozenset({"url", "src"})
# Functions whose bare strings are addresses (WebKit reading systems honour them).
_STRING_URL_FUNCTIONS = frozenset({"image-set", "-webkit-image-set"})
_BLOCKS = frozenset({"() block", "[] block", "{} block"})
_NETWORK = frozenset({"http", "https", "ftp", "ftps", "ws", "wss"})


@dataclass(frozen=True)
class UserStyles:
    """The editor's stylesheets as the book holds them."""

    hrefs: tuple[str, ...]  # the sheets collection.toml lists, in cascade order
    resources: tuple[Resource, ...]  # those sheets and every file they refer to
    diagnostics: tuple[Diagnostic, ...]


def user_styles(paths: Sequence[Path], root: Path) -> UserStyles:
    """Read the editor's ``css`` files, keeping only references to files inside ``root``."""
    sheets = _Sheets(root)
    hrefs = []
    for i, path in enumerate(paths, start=1):
        reason = outside(path, root)
        if reason is not None:  # config refuses these too; never read one here
            sheets.problems.append(warning(f"{reason}; left out", display_path(path)))
            continue
        href = f"css/user-{i}-{_safe(path.stem)}.css"
        try:
            sheets.add(href, path)
        except OSError as exc:
            raise ConfigError([error(f"cannot read ({exc.strerror})", str(path))]) from None
        hrefs.append(href)
    return UserStyles(tuple(hrefs), tuple(sheets.resources.values()), tuple(sheets.problems))


def references(css: str) -> list[tuple[str, int]]:
    """Every address a stylesheet names (@import, url(), src(), image-set()), with its line."""
    found: list[tuple[str, int]] = []

    def walk(tokens: Iterable[Any], strings: bool = False) -> None:
        for token in tokens:
            kind = token.type
            if kind == "url" or (kind == "string" and strings):
                found.append((token.value, token.source_line))
            elif kind == "function":
                args = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
                if token.lower_name in _URL_FUNCTIONS and args and args[0].type == "string":
                    found.append((args[0].value, token.source_line))
                else:
                    walk(token.arguments, token.lower_name in _STRING_URL_FUNCTIONS)
            elif kind in _BLOCKS:
                walk(token.content)
            elif kind in ("qualified-rule", "at-rule"):
                walk(token.prelude, kind == "at-rule" and token.lower_at_keyword == "import")
                walk(token.content or [])

    walk(tinycss2.parse_stylesheet(css))
    return found


class _Refused(Exception):
    """A reference that may not stay in the book, and why."""

    def __init__(self, address: str, reason: str) -> None:
        shown = "a data: URL" if address.lstrip().lower().startswith("data:") else address
        super().__init__(f"refused to load {shown}: {reason}")


@dataclass
class _Sheets:
    """The stylesheets read so far and the files they brought into the book."""

    root: Path
    resources: dict[str, Resource] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    reading: list[Path] = field(default_factory=list)  # @import chain, to stop cycles

    def add(self, href: str, path: Path) -> None:
        """Read one stylesheet (and what it imports) into the book as ``href``; OSError if not."""
        data = path.read_bytes()
        self.resources[href] = Resource(href, "text/css", b"")  # its place in the order
        self.reading.append(path.resolve())
        rules, encoding = tinycss2.parse_stylesheet_bytes(data)
        sheet = _Sheet(self, path)
        text = sheet.rules(rules)
        self.reading.pop()
        if not sheet.changed and encoding.name == "utf-8":
            self.resources[href] = Resource(href, "text/css", data)
        else:  # EPUB wants UTF-8 CSS; @charset rules were dropped with the rest
            self.resources[href] = Resource(href, "text/css", text.encode("utf-8"))

    def include(self, address: str, sheet: Path, stylesheet: bool) -> str:
        """The address, inside the book, of the file ``address`` names; or raise _Refused."""
        value = address.strip()
        if value.startswith("#"):
            return value  # a fragment of the document itself (an SVG filter): nothing to load
        parts = urlsplit(value)
        scheme = parts.scheme.lower()
        if scheme in _NETWORK or value.startswith("//"):
            raise _Refused(address, "packager makes no network request")
        if scheme:
            raise _Refused(address, "only files in the source folder go into the book")
        if not parts.path:
            raise _Refused(address, "an empty address")
        path = sheet.parent / unquote(parts.path)
        reason = outside(path, self.root)
        if reason is not None:
            raise _Refused(address, f"it {reason}")
        target = path.resolve()
        if not target.is_file():
            raise _Refused(address, "no such file in the source folder")
        suffix = target.suffix.lower()
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if stylesheet:
            if suffix != ".css":
                raise _Refused(address, "@import takes a .css file")
            if target in self.reading:
                raise _Refused(address, "an @import loop")
            href = f"css/import-{_safe(target.stem)}-{_digest(target, self.root)}.css"
            if href not in self.resources:
                try:
                    self.add(href, target)
                except OSError as exc:
                    raise _Refused(address, f"cannot read it ({exc.strerror})") from None
            return href.removeprefix("css/") + fragment
        # Named by content too: the PDF cache knows a part by its stylesheets' text.
        name = f"{_safe(target.stem)}-{_digest(target, self.root)}{suffix}"
        if suffix in MEDIA_TYPES:
            href, media_type = f"images/{name}", MEDIA_TYPES[suffix]
        elif suffix in FONT_TYPES:
            href, media_type = f"fonts/{name}", FONT_TYPES[suffix]
        else:
            kinds = ", ".join(sorted({*MEDIA_TYPES, *FONT_TYPES}))
            raise _Refused(address, f"not an image or a font ({kinds})")
        if href not in self.resources:
            self.resources[href] = Resource(href, media_type, target.read_bytes())
        return "../" + href + fragment


@dataclass
class _Sheet:
    """One stylesheet being rewritten."""

    sheets: _Sheets
    path: Path
    changed: bool = False

    def warn(self, refused: _Refused, line: int, what: str) -> None:
        self.changed = True
        self.sheets.problems.append(
            warning(f"{refused}; the {what} is left out", display_path(self.path), line)
        )

    def rules(self, nodes: Iterable[Any], *, whole: bool = False) -> str:
        """Rules and declarations, rewritten; ``whole``: a refused declaration refuses them all."""
        out: list[str] = []
        for node in nodes:
            if node.type == "at-rule":
                out.append(self.at_rule(node))
            elif node.type == "qualified-rule":
                try:
                    prelude = self.value(node.prelude)
                except _Refused as refused:
                    self.warn(refused, node.source_line, "rule")
                    continue
                out.append(f"{prelude}{{{self.block(node.content)}}}")
            elif node.type == "declaration":
                out.append(self.declaration(node, whole))
            elif node.type == "error":
                self.changed = True  # renderers skip what does not parse; so does the book
            else:
                out.append(node.serialize())  # whitespace, comments
        return "".join(out)

    def block(self, content: list[Any], *, whole: bool = False) -> str:
        nodes = tinycss2.parse_blocks_contents(content, skip_comments=False, skip_whitespace=False)
        return self.rules(nodes, whole=whole)

    def at_rule(self, rule: Any) -> str:
        keyword = rule.lower_at_keyword
        if keyword == "charset":
            self.changed = True  # the book's CSS is UTF-8
            return ""
        name = f"@{serialize_identifier(rule.at_keyword)}"
        try:
            if keyword == "import":
                prelude = self.import_prelude(rule.prelude)
            elif keyword == "namespace":
                prelude = str(tinycss2.serialize(rule.prelude))  # a name, never fetched
            else:
                prelude = self.value(rule.prelude)
            if rule.content is None:
                return f"{name}{prelude};"
            # A font without its src is only a warning more in the PDF: drop the whole rule.
            content = self.block(rule.content, whole=keyword == "font-face")
        except _Refused as refused:
            self.warn(refused, rule.source_line, f"rule {name}")
            return ""
        return f"{name}{prelude}{{{content}}}"

    def import_prelude(self, prelude: list[Any]) -> str:
        tokens = list(prelude)
        first = next((i for i, t in enumerate(tokens) if t.type != "whitespace"), None)
        if first is not None and tokens[first].type == "string":  # @import "a.css"
            token = tokens[first]
            href = self.sheets.include(token.value, self.path, stylesheet=True)
            tokens[first] = _string(token, href)
            self.changed = True
            return str(tinycss2.serialize(tokens))
        return self.value(tokens, stylesheet=True)

    def declaration(self, node: Any, whole: bool = False) -> str:
        try:
            value = self.value(node.value)
        except _Refused as refused:
            if whole:
                raise
            self.warn(refused, node.source_line, f"declaration '{node.name}'")
            return ""
        important = "!important" if node.important else ""
        return f"{serialize_identifier(node.name)}:{value}{important};"

    def value(self, tokens: list[Any], *, stylesheet: bool = False) -> str:
        return str(tinycss2.serialize(self.tokens(tokens, stylesheet=stylesheet)))

    def tokens(
        self, tokens: list[Any], *, stylesheet: bool = False, strings: bool = False
    ) -> list[Any]:
        """The tokens with every address rewritten to the book's copy; _Refused if one may not."""
        out: list[Any] = []
        for token in tokens:
            kind = token.type
            if kind == "url":
                out.append(self.url(token, token.value, stylesheet))
            elif kind == "string" and strings:
                self.changed = True
                out.append(_string(token, self.sheets.include(token.value, self.path, False)))
            elif kind == "function":
                name = token.lower_name
                args = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
                if name in _URL_FUNCTIONS:
                    if not args or args[0].type != "string":
                        raise _Refused(tinycss2.serialize([token]), "not a plain address")
                    out.append(self.url(token, args[0].value, stylesheet))
                    continue
                if name == "attr" and any(
                    t.type == "ident" and t.lower_value == "url" for t in args
                ):
                    # attr(... url) takes the address from the story's markup.
                    raise _Refused(tinycss2.serialize([token]), "an address taken from the text")
                inner = self.tokens(token.arguments, strings=name in _STRING_URL_FUNCTIONS)
                out.append(
                    tinycss2.ast.FunctionBlock(
                        token.source_line, token.source_column, token.name, inner
                    )
                )
            elif kind in _BLOCKS:
                inner = self.tokens(token.content)
                out.append(type(token)(token.source_line, token.source_column, inner))
            else:
                out.append(token)
        return out

    def url(self, token: Any, address: str, stylesheet: bool) -> Any:
        href = self.sheets.include(address, self.path, stylesheet)
        self.changed = True
        representation = f'url("{serialize_string_value(href)}")'
        return tinycss2.ast.URLToken(token.source_line, token.source_column, href, representation)


def _string(token: Any, value: str) -> Any:
    text = f'"{serialize_string_value(value)}"'
    return tinycss2.ast.StringToken(token.source_line, token.source_column, value, text)


def _digest(target: Path, root: Path) -> str:
    rel = target.relative_to(root.resolve()).as_posix().encode()
    return hashlib.sha1(rel + b"\0" + target.read_bytes()).hexdigest()[:8]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "style"
