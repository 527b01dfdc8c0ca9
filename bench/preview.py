"""Time `packager preview` from a saved edit to the page's reload; print a table.

    python bench/preview.py [--words 1000000] [--stories 200] [--edits 5] [--no-browser]

A benchmark, run by hand, not a test. It writes the synthetic corpus
(bench/make_corpus.py), starts `packager preview` on it and opens the contents
page in the system's Chromium (Playwright, as the preview test does). Each edit
appends a sentence to one story; the row's times run from the moment the file
is written to

- "new version": the server answers the page's pending version request with
  the new version (the rebuild is done and served);
- "reloaded": the browser's `load` event of the reloaded page.

Without Chromium or Playwright (or with --no-browser) it holds the page's
version request itself and reports the first column only. The first build
(everything read, the cache filled) is shown on its own row.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from make_corpus import make_corpus

VERSION = "/__packager__/version"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def start(corpus: Path) -> tuple[subprocess.Popen[str], str, float]:
    """`packager preview` on CORPUS: the process, its URL and the first build's time."""
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "packager", "preview", str(corpus), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    while line := proc.stdout.readline():
        if found := re.search(r"Preview at (http://127\.0\.0\.1:\d+/)", line):
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep it drained
            return proc, found.group(1), time.monotonic() - began
    raise SystemExit(f"preview did not start: {proc.wait()}")


def version_after(url: str, seen: str) -> str:
    with urllib.request.urlopen(f"{url.rstrip('/')}{VERSION}?after={seen}", timeout=60) as r:
        return str(r.read().decode())


def edit(story: Path, n: int) -> float:
    """Append a sentence to ``story``; the moment it was written."""
    text = story.read_text(encoding="utf-8")
    story.write_text(text + f"\nThe editor's line number {n} was added here.\n", encoding="utf-8")
    return time.monotonic()


def held_request(url: str, seen: str) -> Callable[[], float]:
    """A pending version request, as the page holds it; returns when it was answered."""
    answered: list[float] = []

    def ask() -> None:
        version_after(url, seen)
        answered.append(time.monotonic())

    thread = threading.Thread(target=ask)
    thread.start()
    time.sleep(0.3)  # the request is open before the edit

    def wait() -> float:
        thread.join(timeout=60)
        return answered[0]

    return wait


def run(corpus: Path, edits: int, browser: bool) -> list[tuple[str, float, float | None]]:
    stories = sorted(p for p in corpus.iterdir() if p.suffix in {".md", ".txt"})
    proc, url, first = start(corpus)
    rows: list[tuple[str, float, float | None]] = [("first build (cold cache)", first, None)]
    try:
        page = None
        if browser:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            chromium = shutil.which("chromium") or shutil.which("chromium-browser")
            page = playwright.chromium.launch(executable_path=chromium, args=FLAGS).new_page()
            page.goto(url)
            page.wait_for_selector(".toc-title")
        versions: list[float] = []
        reloads: list[float] = []
        for n in range(edits):
            seen = version_after(url, "")  # the current version, at once
            answered = held_request(url, seen)
            story = stories[(n * 37) % len(stories)]
            if page is not None:
                with page.expect_event("load", timeout=60_000):
                    written = edit(story, n)
                reloads.append(time.monotonic() - written)
            else:
                written = edit(story, n)
            versions.append(answered() - written)
        rows.append(
            (
                f"one story edited (median of {edits})",
                statistics.median(versions),
                statistics.median(reloads) if reloads else None,
            )
        )
        if page is not None:
            playwright.stop()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    browser = not args.no_browser and bool(
        shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if browser:
        try:
            import playwright  # noqa: F401
        except ImportError:
            browser = False
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        make_corpus(corpus, args.words, args.stories)
        rows = run(corpus, args.edits, browser)
    print(f"\npreview, {args.words:,} words in {args.stories} stories\n")
    print("| step | new version served | page reloaded |")
    print("| --- | ---: | ---: |")
    for name, served, reloaded in rows:
        shown = f"{reloaded:.2f} s" if reloaded is not None else "—"
        print(f"| {name} | {served:.2f} s | {shown} |")


if __name__ == "__main__":
    main()
