"""`build --json` (a report a pipeline can read) and `build --check` (EPUBCheck first)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from conftest import copy_samples, write_story

from packager.book.themes import BUILTIN_TEMPLATES


def _packager(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "packager", *args],
        capture_output=True, text=True, env=env or os.environ.copy(),
    )  # fmt: skip


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    work = tmp_path_factory.mktemp("report")
    source = work / "stories"
    copy_samples(source)
    # A story with one warning the report must carry with its file and line.
    write_story(source, "20-odd.md", "# Odd One\n\nText <blink>here</blink> and more.\n")
    done = _packager("build", str(source), "-o", str(work / "dist"), "--json", "--no-cache")
    assert done.returncode == 0, done.stderr
    return work, json.loads(done.stdout)


def test_json_outputs_match_the_files(reported: tuple[Path, dict[str, object]]) -> None:
    _, report = reported
    outputs = report["outputs"]
    assert isinstance(outputs, list)
    assert {o["format"] for o in outputs} == {"epub", "pdf"}
    for o in outputs:
        data = Path(o["path"]).read_bytes()  # relative paths are relative to here
        assert o["bytes"] == len(data)
        assert o["sha256"] == hashlib.sha256(data).hexdigest()
        if o["format"] == "pdf":
            assert o["pages"] == len(pypdf.PdfReader(Path(o["path"])).pages)
    # Built with the PDF, the EPUB lists and marks every one of its pages.
    pdf, epub = (next(o for o in outputs if o["format"] == f) for f in ("pdf", "epub"))
    assert epub["page_list"] == pdf["pages"] and pdf["page_list"] is None


def test_json_stories_and_warnings(reported: tuple[Path, dict[str, object]]) -> None:
    _, report = reported
    stories = report["stories"]
    assert isinstance(stories, list)
    assert [Path(s["file"]).name for s in stories][-1] == "20-odd.md"
    assert sum(s["words"] for s in stories) == report["words"]
    warnings = report["warnings"]
    assert isinstance(warnings, list)
    odd = [w for w in warnings if w["file"].endswith("20-odd.md")]
    assert odd and all(w["line"] == 3 for w in odd), warnings
    assert report["errors"] == []


def test_json_failure_names_the_file(tmp_path: Path) -> None:
    write_story(tmp_path / "src", "1-bad.md", "---\ntitle: [oops\n---\nText.\n")
    done = _packager("build", str(tmp_path / "src"), "-o", str(tmp_path / "out"), "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert [(Path(e["file"]).name, e["line"]) for e in report["errors"]] == [("1-bad.md", 2)]
    assert not (tmp_path / "out").exists()


def test_check_passes_a_good_book(tmp_path: Path) -> None:
    write_story(tmp_path / "src", "1-one.md", "# One\n\nA short story.\n")
    out = tmp_path / "out"
    done = _packager("build", str(tmp_path / "src"), "-o", str(out), "-f", "epub", "--check")
    assert done.returncode == 0, done.stderr
    assert "EPUBCheck: no problems" in done.stdout


def test_check_stops_a_book_epubcheck_rejects(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_story(source, "1-one.md", "# One\n\nA short story.\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "one.epub").write_bytes(b"the old book")
    # An editor's template with an element XHTML does not have.
    (source / "templates").mkdir()
    template = BUILTIN_TEMPLATES / "story.xhtml"
    text = template.read_text(encoding="utf-8").replace(
        '<div class="story-text">', '<div class="story-text"><marquee>hi</marquee>'
    )
    (source / "templates" / "story.xhtml").write_text(text, encoding="utf-8")
    (source / "collection.toml").write_text('title = "One"\n', encoding="utf-8")
    done = _packager("build", str(source), "-o", str(out), "-f", "epub", "--check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "EPUBCheck RSC-005" in done.stderr and "marquee" in done.stderr
    assert (out / "one.epub").read_bytes() == b"the old book"  # nothing replaced
    assert sorted(p.name for p in out.iterdir()) == ["one.epub"]


def test_check_without_java_says_so(tmp_path: Path) -> None:
    write_story(tmp_path / "src", "1-one.md", "# One\n\nA short story.\n")
    env = {**os.environ, "PATH": str(tmp_path / "nothing-here")}
    args = ["build", str(tmp_path / "src"), "-o", str(tmp_path / "out"), "-f", "epub", "--check"]
    done = _packager(*args, env=env)
    assert done.returncode == 0, done.stderr
    assert "EPUBCheck needs Java" in done.stderr and "not checked" in done.stderr
    strict = _packager(*args, "--strict", env=env)
    assert strict.returncode == 1
