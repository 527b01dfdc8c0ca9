"""`packager preview` and `packager build --watch`: rebuild when the sources change.

The preview serves the EPUB's documents (one page per part, the theme's CSS)
from memory on 127.0.0.1, so an editor tunes the look in a browser; each page
asks the server every second whether the book changed and reloads when it
did. The watcher (watchfiles) sees the story folder and the theme; the
layout cache and an output folder inside the story folder are ignored.
"""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import watchfiles

from packager.book import themes
from packager.build import CACHE_NAME, BuildOptions, preview_book
from packager.errors import PackagerError
from packager.model import Book

VERSION_PATH = "/__packager__/version"
# Asks for the book's version every second; reloads the page when it is no
# longer the version the page was served from (filled in when it is served).
# CDATA: the pages are XHTML, where a bare "&&" is not well-formed.
_RELOAD = (
    "<script>//<![CDATA[\n(function(){var v='@@VERSION@@';setInterval(function(){"
    f"fetch('{VERSION_PATH}').then(function(r){{return r.text()}}).then(function(t){{"
    "if(t!==v){location.reload()}}).catch(function(){})},1000)})();\n//]]></script>"
)


@dataclass
class Site:
    """The files the preview serves, replaced whole on each rebuild."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    version: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def replace(self, files: dict[str, tuple[bytes, str]]) -> None:
        with self.lock:
            self.files = files
            self.version += 1

    def get(self, path: str) -> tuple[bytes, str] | None:
        """The file at ``path`` (or the error page), as of the version it belongs to."""
        with self.lock:
            found = self.files.get(path) or self.files.get("*")
            version = self.version
        if found is None:
            return None
        body, kind = found
        if kind.startswith(("application/xhtml+xml", "text/html")):
            body = body.replace(b"@@VERSION@@", str(version).encode())
        return body, kind


def site_files(book: Book) -> dict[str, tuple[bytes, str]]:
    """URL path -> (body, content type) for every part and resource of the EPUB."""
    files: dict[str, tuple[bytes, str]] = {}
    for part in book.parts:
        page = part.xhtml.replace("</body>", _RELOAD + "</body>", 1)
        files[f"/{part.href}"] = (page.encode("utf-8"), "application/xhtml+xml; charset=utf-8")
    for res in book.resources:
        if res.in_epub:
            files[f"/{res.href}"] = (res.data, res.media_type)
    start = next((p.href for p in book.parts if p.kind == "contents"), book.parts[0].href)
    files["/"] = (f'<!DOCTYPE html><meta http-equiv="refresh" content="0; url=/{start}">'.encode(),
                  "text/html; charset=utf-8")  # fmt: skip
    return files


def error_page(problems: Iterable[str]) -> dict[str, tuple[bytes, str]]:
    """What every path shows while the sources have errors."""
    items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>packager: errors</title>"
        f"</head><body><h1>The book has errors</h1><ul>{items}</ul>{_RELOAD}</body></html>"
    )
    return {"*": (page.encode("utf-8"), "text/html; charset=utf-8")}


def rebuild(site: Site, source: Path, theme: str | None) -> list[str]:
    """Render the book into ``site``; the problems found (shown on every page on error)."""
    try:
        book, found = preview_book(source, BuildOptions(theme=theme))
    except PackagerError as exc:
        problems = [str(p) for p in exc.problems]
        site.replace(error_page(problems))
        return problems
    site.replace(site_files(book))
    return [str(d) for d in found]


def server(site: Site, port: int) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 (never another interface) serving ``site``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == VERSION_PATH:
                found: tuple[bytes, str] | None = (str(site.version).encode(), "text/plain")
            else:
                found = site.get(path)
            if found is None:
                self.send_error(404)
                return
            body, kind = found
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows rebuilds, not every request

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def watched(source: Path, ignore: Iterable[Path] = ()) -> WatchPlan:
    """What to watch for a collection: its folder and the themes (its own may extend another)."""
    folders = [source.resolve()]
    with contextlib.suppress(PackagerError):  # no styles/: the build says so
        folders.append(themes.styles_folder().resolve())
    skip = [source.resolve() / CACHE_NAME, *(p.resolve() for p in ignore)]
    return WatchPlan(tuple(folders), tuple(skip))


@dataclass(frozen=True)
class WatchPlan:
    folders: tuple[Path, ...]
    ignore: tuple[Path, ...]

    def wanted(self, change: watchfiles.Change, path: str) -> bool:
        target = Path(path)
        if any(target.is_relative_to(skip) for skip in self.ignore):
            return False
        return not target.name.startswith((".", "~")) and not target.name.endswith(".tmp")


def watch(
    plan: WatchPlan, on_change: Callable[[list[str]], None], stop: threading.Event | None = None
) -> None:
    """Call ``on_change`` with the changed paths after each burst of changes, until stopped."""
    for changes in watchfiles.watch(
        *plan.folders, watch_filter=plan.wanted, stop_event=stop, debounce=300, step=100
    ):
        on_change(sorted({path for _, path in changes}))
