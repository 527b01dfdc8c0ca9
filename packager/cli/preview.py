"""`packager preview` and `packager build --watch`: rebuild when the sources change.

The preview serves the EPUB's documents (one page per part, the theme's CSS)
from memory on 127.0.0.1, so an editor tunes the look in a browser; each page
asks the server for the next version (a request the server answers only when
the book changed, or after a while) and reloads at once. The watcher
(watchfiles) sees the story folder and the theme; the build cache (which the
preview reads and fills like ``build``) and an output folder are ignored.
"""

from __future__ import annotations

import contextlib
import html
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import watchfiles

from packager.book import themes
from packager.build import CACHE_NAME, BuildOptions, open_cache, preview_book
from packager.errors import PackagerError
from packager.model import Book

VERSION_PATH = "/__packager__/version"
# VERSION_PATH?after=N answers once the version is no longer N, or after this long
# with N itself (so no proxy or browser gives up on a request left open).
LONG_POLL = 20.0
# Asks for the version after the one the page was served from (filled in when it is
# served) and reloads when the answer differs; asked again at once when it does not,
# a second later when the server cannot be reached.
# CDATA: the pages are XHTML, where a bare "&&" is not well-formed.
_RELOAD = (
    "<script>//<![CDATA[\n(function(){var v='@@VERSION@@';function ask(){"
    f"fetch('{VERSION_PATH}?after='+v).then(function(r){{return r.text()}}).then(function(t){{"
    "if(t!==v){location.reload()}else{ask()}}).catch(function(){setTimeout(ask,1000)})}"
    "ask()})();\n//]]></script>"
)


@dataclass
class Site:
    """The files the preview serves, replaced whole on each rebuild."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    version: int = 0
    lock: threading.Condition = field(default_factory=threading.Condition)

    def replace(self, files: dict[str, tuple[bytes, str]]) -> None:
        with self.lock:
            self.files = files
            self.version += 1
            self.lock.notify_all()

    def version_after(self, seen: int, timeout: float) -> int:
        """The version once it is no longer ``seen``, or ``seen`` after ``timeout`` seconds."""
        with self.lock:
            self.lock.wait_for(lambda: self.version != seen, timeout)
            return self.version

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


def rebuild(site: Site, source: Path, options: BuildOptions) -> list[str]:
    """Render the book into ``site``; the problems found (shown on every page on error).

    Unchanged story files come from the build cache (as ``build`` keeps them), so a
    saved edit reads only the file it changed.
    """
    store = open_cache(source, options)
    try:
        book, found = preview_book(source, options, store, printed=False)  # the EPUB's pages
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
            path, _, query = self.path.split("#", 1)[0].partition("?")
            if path == VERSION_PATH:
                seen = _after(query)
                version = site.version if seen is None else site.version_after(seen, LONG_POLL)
                found: tuple[bytes, str] | None = (str(version).encode(), "text/plain")
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


def _after(query: str) -> int | None:
    """The version in ``after=N``, if the query gives one."""
    values = urllib.parse.parse_qs(query).get("after", [])
    return int(values[0]) if values and values[0].isdigit() else None


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
