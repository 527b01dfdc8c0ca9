"""`packager preview` in a real headless browser, and `packager build --watch`.

The browser is the system's Chromium driven by Playwright (no browser
download). Where either is missing the browser test is skipped, unless
PACKAGER_REQUIRE_BROWSER=1 (set by .ci/run, which installs Chromium), where
it fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import write_story
from helpers import running

from packager.cli.preview import Site, server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _folder(tmp_path: Path) -> Path:
    source = tmp_path / "zine"
    write_story(source, "1-harbour.md", "---\ntitle: Harbour\nauthor: A. Writer\n---\n\n"
                "The boats came in at dusk.\n\nNobody waited on the quay.\n")  # fmt: skip
    write_story(source, "2-kite.txt", "The Kite\n\nThe kite went up over the dunes.\n")
    return source


def _running(args: list[str]) -> contextlib.AbstractContextManager[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "packager", *args]
    return running(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_for_line(proc: subprocess.Popen[str], pattern: str) -> re.Match[str]:
    assert proc.stdout is not None
    seen = []
    while line := proc.stdout.readline():
        seen.append(line)
        if found := re.search(pattern, line):
            return found
    pytest.fail(f"never printed {pattern!r}: {''.join(seen)}")


def _browser() -> object:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if CHROMIUM is None or sync_playwright is None:
        why = "Chromium (Debian package chromium) and playwright are needed"
        if os.environ.get("PACKAGER_REQUIRE_BROWSER"):
            pytest.fail(why)
        pytest.skip(why)
    return sync_playwright


@pytest.mark.slow
def test_preview_in_a_browser_follows_edits(tmp_path: Path) -> None:
    sync_playwright = _browser()
    source = _folder(tmp_path)
    with _running(["preview", str(source), "--port", "0"]) as proc:
        url = _wait_for_line(proc, r"Preview at (http://127\.0\.0\.1:\d+/)").group(1)
        with sync_playwright() as p:  # type: ignore[operator]
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector(".toc-title")
            assert page.locator(".toc-title").all_inner_texts() == ["Harbour", "The Kite"]
            page.click("text=Harbour")
            page.wait_for_selector("h1.story-title")
            assert page.locator("h1.story-title").inner_text() == "Harbour"
            texts = page.locator(".story-text p").all_inner_texts()
            assert texts == ["The boats came in at dusk.", "Nobody waited on the quay."]
            # The page's stylesheet is the theme's: its rules apply in the browser.
            indent = page.evaluate(
                "getComputedStyle(document.querySelectorAll('.story-text p')[1]).textIndent"
            )
            assert indent != "0px"
            story = source / "1-harbour.md"
            story.write_text(story.read_text("utf-8") + "\nA gull landed on the rail.\n", "utf-8")
            page.wait_for_selector("text=A gull landed on the rail.", timeout=20_000)
            # A mistake shows on the page, with file and line, until it is fixed.
            good = story.read_text("utf-8")
            story.write_text(good.replace("title: Harbour", "title: [Harbour"), "utf-8")
            page.wait_for_selector("text=1-harbour.md:2", timeout=20_000)
            story.write_text(good, "utf-8")
            page.wait_for_selector("h1.story-title", timeout=20_000)
            browser.close()


def test_build_watch_rebuilds_and_ignores_its_own_output(tmp_path: Path) -> None:
    source = _folder(tmp_path)
    out = source / "dist"  # inside the watched folder: writing it must not trigger a build
    with _running(["build", str(source), "-o", str(out), "-f", "epub", "--watch"]) as proc:
        _wait_for_line(proc, "waiting for changes")
        epub = out / "zine.epub"
        assert epub.is_file()
        time.sleep(2)
        assert proc.poll() is None
        story = source / "2-kite.txt"
        story.write_text(story.read_text("utf-8") + "\nThe string sang.\n", "utf-8")
        assert proc.stdout is not None
        # The first line since the build: its own output written inside the folder was no change.
        assert re.search("changed: .*2-kite.txt", proc.stdout.readline())
        _wait_for_line(proc, "waiting for changes")
        with zipfile.ZipFile(epub) as archive:
            assert any(b"The string sang." in archive.read(n) for n in archive.namelist())
        # A broken story is reported and the loop goes on; the book stays as it was.
        before = epub.read_bytes()
        (source / "3-broken.md").write_text("---\ntitle: [oops\n---\nText.\n", "utf-8")
        _wait_for_line(proc, r"3-broken\.md:2")
        _wait_for_line(proc, "not built; waiting for changes")
        assert epub.read_bytes() == before
        os.killpg(proc.pid, signal.SIGTERM)  # how CI or a service manager stops it
        _wait_for_line(proc, "stopped")
        assert proc.wait(timeout=30) == 0


def test_server_listens_on_loopback_only_and_serves_only_the_book() -> None:
    site = Site()
    site.replace({"/a.xhtml": (b"<p>v=@@VERSION@@</p>", "application/xhtml+xml")})
    httpd = server(site, 0)
    try:
        assert httpd.server_address[0] == "127.0.0.1"
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        with urllib.request.urlopen(f"{base}/a.xhtml") as response:
            assert response.read() == b"<p>v=1</p>"
        for path in ("/../../etc/passwd", "/%2e%2e/etc/passwd", "/b.xhtml"):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(base + path)
            assert caught.value.code == 404
            caught.value.close()
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_version_request_waits_for_the_next_version() -> None:
    site = Site()
    site.replace({"/a.xhtml": (b"<p>a</p>", "application/xhtml+xml")})
    httpd = server(site, 0)
    answers: list[tuple[bytes, float]] = []
    try:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}/__packager__/version"
        with urllib.request.urlopen(base) as response:  # no after=: at once
            assert response.read() == b"1"
        with urllib.request.urlopen(f"{base}?after=7") as response:  # not the current one
            assert response.read() == b"1"

        def ask() -> None:
            with urllib.request.urlopen(f"{base}?after=1", timeout=30) as response:
                answers.append((response.read(), time.monotonic()))

        waiting = threading.Thread(target=ask)
        waiting.start()
        time.sleep(0.5)
        assert answers == []  # held open while the book is unchanged
        changed = time.monotonic()
        site.replace({"/a.xhtml": (b"<p>b</p>", "application/xhtml+xml")})
        waiting.join(timeout=10)
        assert answers and answers[0][0] == b"2"
        assert answers[0][1] - changed < 0.5  # answered when it changed, not on a timer
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_rebuild_compiles_only_the_template_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    from packager.build import BuildOptions
    from packager.cli import preview

    source = _folder(tmp_path)
    (source / "templates").mkdir()
    colophon = source / "templates" / "colophon.xhtml"
    body = '{% extends "document.xhtml" %}{% block content %}<p>WORDS</p>{% endblock %}'
    colophon.write_text(body.replace("WORDS", "Set by hand."), "utf-8")
    site = Site()
    assert preview.rebuild(site, source, BuildOptions()) == []
    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: str, name: str | None = None,
                *args: object, **kwargs: object) -> object:  # fmt: skip
        compiled.append(name)
        return real(self, source, name, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    assert preview.rebuild(site, source, BuildOptions()) == []
    assert compiled == []  # every template as compiled before
    colophon.write_text(body.replace("WORDS", "Printed in the harbour."), "utf-8")
    assert preview.rebuild(site, source, BuildOptions()) == []
    assert compiled == ["colophon.xhtml"]
    pages = b"".join(body for body, _ in site.files.values())
    assert b"Printed in the harbour." in pages
    assert b"Set by hand." not in pages
