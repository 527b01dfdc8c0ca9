"""Releases: the collection's version in names, colophon and metadata; CHANGELOG.md as a page."""

from __future__ import annotations

import zipfile
from pathlib import Path

import lxml.etree as etree
import pypdf
import pytest
from conftest import write_story
from helpers import OPF_NS, XHTML_NS, assert_epubcheck_clean
from typer.testing import CliRunner

from packager.cli import app

CHANGES = """# 1.2

- Added *The Kite*.
- Fixed a typo in the first story.

# 1.1

The first release.
"""


def _source(tmp_path: Path, toml: str = 'version = "1.2"\n', changelog: bool = True) -> Path:
    source = tmp_path / "src"
    write_story(source, "1-one.md", "# One\n\nA short story.\n")
    write_story(source, "2-kite.md", "# The Kite\n\nThe kite went up.\n")
    (source / "collection.toml").write_text('title = "Release"\n' + toml, encoding="utf-8")
    if changelog:
        (source / "CHANGELOG.md").write_text(CHANGES, encoding="utf-8")
    return source


def _build(source: Path, out: Path, *flags: str) -> None:
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(out), *flags])
    assert result.exit_code == 0, result.output


def test_version_and_whats_new(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(_source(tmp_path), out, "--versioned")
    assert sorted(p.name for p in out.iterdir()) == ["release-1.2.epub", "release-1.2.pdf"]
    epub = out / "release-1.2.epub"
    assert_epubcheck_clean(epub)
    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        meta = opf.find(".//opf:meta[@property='schema:version']", OPF_NS)
        assert meta is not None and meta.text == "1.2"
        spine = [i.get("idref") for i in opf.findall(".//opf:itemref", OPF_NS)]
        assert spine.index("whatsnew") == spine.index("colophon") - 1
        assert len([i for i in spine if i and i.startswith("story-")]) == 2  # not a story
        page = etree.fromstring(archive.read("EPUB/whatsnew.xhtml"))
        headings = [(h.tag.split("}")[1], "".join(h.itertext())) for h in page.iter(
            "{http://www.w3.org/1999/xhtml}h1", "{http://www.w3.org/1999/xhtml}h2")]  # fmt: skip
        assert headings == [("h1", "What\u2019s New"), ("h2", "1.2"), ("h2", "1.1")]
        assert page.find(".//x:em", XHTML_NS).text == "The Kite"
        nav = archive.read("EPUB/nav.xhtml").decode()
        assert 'href="whatsnew.xhtml"' in nav
        colophon = b"".join(archive.read(n) for n in archive.namelist() if "colophon" in n)
        assert b"Version 1.2." in colophon
    reader = pypdf.PdfReader(out / "release-1.2.pdf")
    texts = [p.extract_text() for p in reader.pages]
    labels = list(reader.page_labels)
    new = next(i for i, t in enumerate(texts) if t.strip().startswith("What\u2019s New"))
    assert "Added The Kite." in texts[new] and "The first release." in texts[new]
    contents = next(t for t in texts if t.strip().startswith("Contents"))
    listed = next(line for line in contents.splitlines() if "What\u2019s New" in line)
    assert listed.rstrip().endswith(" " + labels[new]) or listed.rstrip().endswith(labels[new])


def test_without_versioned_names_stay(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(_source(tmp_path, changelog=False), out, "-f", "epub")
    assert [p.name for p in out.iterdir()] == ["release.epub"]
    with zipfile.ZipFile(out / "release.epub") as archive:
        assert "EPUB/whatsnew.xhtml" not in archive.namelist()


def test_versioned_needs_a_version(tmp_path: Path) -> None:
    source = _source(tmp_path, toml="", changelog=False)
    result = CliRunner().invoke(
        app, ["build", str(source), "-o", str(tmp_path / "o"), "--versioned"]
    )
    assert result.exit_code == 1
    assert "collection.toml: --versioned: collection.toml gives no version" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("bad", ["1 2", "", "-1", "v" * 40])
def test_bad_version(tmp_path: Path, bad: str) -> None:
    source = _source(tmp_path, toml=f'version = "{bad}"\n', changelog=False)
    result = CliRunner().invoke(app, ["check", str(source)])
    if bad == "":
        assert result.exit_code == 0  # no version: fine
        return
    assert result.exit_code == 1
    assert "collection.toml:2: version: must be a version such as '1.2'" in result.stderr


def test_changelog_linking_outside_is_refused(tmp_path: Path) -> None:
    source = _source(tmp_path, changelog=False)
    (tmp_path / "secret.md").write_text("# Secret\n", encoding="utf-8")
    (source / "CHANGELOG.md").symlink_to(tmp_path / "secret.md")
    result = CliRunner().invoke(app, ["check", str(source)])
    assert result.exit_code == 1
    assert "CHANGELOG.md: links outside the source folder; refused" in result.stderr
