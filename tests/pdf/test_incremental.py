"""Parallel and incremental builds give exactly the book a clean, serial build gives."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pypdf
import pytest
from conftest import SAMPLE_TITLES, copy_samples
from helpers import normalize, pdf_pages

from packager.book.themes import BUILTIN_TEMPLATES
from packager.build import BuildResult, build
from packager.options import BuildOptions
from packager.pdf import cache, fonts

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def pdf_of(result: BuildResult) -> bytes:
    return next(o.path for o in result.outputs if o.format == "pdf").read_bytes()


def laid_out(result: BuildResult) -> set[str]:
    return set(next(o for o in result.outputs if o.format == "pdf").laid_out)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "stories"
    copy_samples(folder)
    return folder


def test_parallel_equals_serial(source: Path, tmp_path: Path) -> None:
    serial = build(source, tmp_path / "serial", BuildOptions(jobs=1, use_cache=False, env=ENV))
    parallel = build(source, tmp_path / "parallel", BuildOptions(jobs=3, use_cache=False, env=ENV))
    for a, b in zip(serial.outputs, parallel.outputs, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.format
    assert laid_out(parallel) == {"story-001", "story-002", "story-003", "story-004"}


def test_contents_numbers_right_in_a_parallel_build(source: Path, tmp_path: Path) -> None:
    result = build(
        source, tmp_path / "out", BuildOptions(formats=("pdf",), jobs=4, use_cache=False, env=ENV)
    )
    pages = pdf_pages(pdf_of(result))
    contents = next(p for p in pages if p.body.lstrip().startswith("Contents"))
    numbers = {
        m.group(1).rstrip(" ."): int(m.group(2))
        for m in re.finditer(r"^(.*?)[\s.]*?(\d+)$", contents.body, re.M)
    }
    by_folio = {p.foot: p for p in pages if p.foot.isdigit()}
    for title in SAMPLE_TITLES:
        assert by_folio[str(numbers[title])].body.lstrip().startswith(title)


def test_incremental_equals_clean_and_lays_out_only_what_changed(
    source: Path, tmp_path: Path
) -> None:
    first = build(source, tmp_path / "a", BuildOptions(env=ENV))
    assert len(laid_out(first)) == 4
    again = build(source, tmp_path / "b", BuildOptions(env=ENV))
    assert laid_out(again) == set()  # nothing changed: every story from the cache
    assert pdf_of(again) == pdf_of(first)

    story = source / "03-what-the-tide-keeps.md"
    story.write_text(
        story.read_text(encoding="utf-8").replace("a child's red sandal", "a child's blue sandal"),
        encoding="utf-8",
    )
    incremental = build(source, tmp_path / "c", BuildOptions(env=ENV))
    assert laid_out(incremental) == {"story-003"}
    clean = build(source, tmp_path / "d", BuildOptions(use_cache=False, env=ENV))
    for a, b in zip(incremental.outputs, clean.outputs, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.format
    assert normalize("a child's blue sandal") in normalize(
        "".join(p.body for p in pdf_pages(pdf_of(clean)))
    )


def test_a_longer_story_moves_later_stories_without_laying_them_out(
    source: Path, tmp_path: Path
) -> None:
    build(source, tmp_path / "a", BuildOptions(env=ENV))
    story = source / "01-the-lamplighters-apprentice.md"
    story.write_text(
        story.read_text(encoding="utf-8") + "\n" + ("More words at the end. " * 400) + "\n",
        encoding="utf-8",
    )
    incremental = build(source, tmp_path / "b", BuildOptions(formats=("pdf",), env=ENV))
    assert laid_out(incremental) == {"story-001"}
    clean = build(source, tmp_path / "c", BuildOptions(formats=("pdf",), use_cache=False, env=ENV))
    assert pdf_of(incremental) == pdf_of(clean)
    assert len(pypdf.PdfReader(next(o.path for o in clean.outputs)).pages) > 13


def test_theme_and_page_size_invalidate_every_story(source: Path, tmp_path: Path) -> None:
    build(source, tmp_path / "a", BuildOptions(formats=("pdf",), env=ENV))
    themed = build(source, tmp_path / "b", BuildOptions(formats=("pdf",), theme="modern", env=ENV))
    assert len(laid_out(themed)) == 4
    config = source / "collection.toml"
    config.write_text(config.read_text().replace('page_size = "A5"', 'page_size = "6x9in"'))
    resized = build(source, tmp_path / "c", BuildOptions(formats=("pdf",), env=ENV))
    assert len(laid_out(resized)) == 4


def test_book_title_changes_no_story_layout(source: Path, tmp_path: Path) -> None:
    build(source, tmp_path / "a", BuildOptions(formats=("pdf",), env=ENV))
    config = source / "collection.toml"
    config.write_text(config.read_text().replace("Lanterns at Low Tide", "Lamps at Low Tide"))
    retitled = build(source, tmp_path / "b", BuildOptions(formats=("pdf",), env=ENV))
    assert laid_out(retitled) == set()
    assert "Lamps at Low Tide" in pdf_pages(pdf_of(retitled))[0].body


def test_corrupt_cache_entry_is_detected_and_rebuilt(source: Path, tmp_path: Path) -> None:
    first = build(source, tmp_path / "a", BuildOptions(formats=("pdf",), env=ENV))
    parts = sorted((source / ".packager-cache" / "parts").iterdir())
    damaged = parts[0]
    data = bytearray(damaged.read_bytes())
    data[-100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    (parts[1]).write_bytes(b"not a cache entry at all")
    again = build(source, tmp_path / "b", BuildOptions(formats=("pdf",), env=ENV))
    assert pdf_of(again) == pdf_of(first)
    warned = [d.message for d in again.diagnostics if "cache entry is damaged" in d.message]
    assert len(warned) == 2


def test_foreign_cache_folder_is_left_alone(source: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "not-a-cache"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("mine")
    result = build(source, tmp_path / "a", BuildOptions(formats=("pdf",), cache=foreign, env=ENV))
    assert any("is not a packager cache" in d.message for d in result.diagnostics)
    assert [p.name for p in foreign.iterdir()] == ["precious.txt"]
    assert len(laid_out(result)) == 4


def test_no_cache_writes_no_cache(source: Path, tmp_path: Path) -> None:
    build(source, tmp_path / "a", BuildOptions(formats=("pdf",), use_cache=False, env=ENV))
    assert not (source / ".packager-cache").exists()


def test_a_story_template_override_invalidates_every_story(source: Path, tmp_path: Path) -> None:
    build(source, tmp_path / "a", BuildOptions(formats=("pdf",), env=ENV))
    shipped = BUILTIN_TEMPLATES / "story.xhtml"
    (source / "templates").mkdir()
    (source / "templates" / "story.xhtml").write_text(
        shipped.read_text(encoding="utf-8").replace(
            "</header>", "<p>Printed by the zine.</p></header>"
        ),
        encoding="utf-8",
    )
    overridden = build(source, tmp_path / "b", BuildOptions(formats=("pdf",), env=ENV))
    assert len(laid_out(overridden)) == 4
    assert "Printed by the zine." in "".join(p.body for p in pdf_pages(pdf_of(overridden)))


def test_a_new_packager_version_invalidates_every_story(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(source, tmp_path / "a", BuildOptions(formats=("pdf",), env=ENV))
    monkeypatch.setattr("packager.pdf.layout.__version__", "99.0.0")
    upgraded = build(source, tmp_path / "b", BuildOptions(formats=("pdf",), env=ENV))
    assert len(laid_out(upgraded)) == 4


def test_fonts_are_subset_again_only_when_the_books_glyphs_change(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build(source, tmp_path / "a", BuildOptions(formats=("pdf",), env=ENV))
    subset_by_hand: list[int] = []  # glyph counts of the subsets made, not taken from the cache
    real = fonts.subset_font

    def counted(program: bytes, glyphs: set[int]) -> tuple[bytes, dict[int, float]]:
        subset_by_hand.append(len(glyphs))
        return real(program, glyphs)

    monkeypatch.setattr(fonts, "subset_font", counted)
    again = build(source, tmp_path / "b", BuildOptions(formats=("pdf",), env=ENV))
    assert subset_by_hand == []
    assert pdf_of(again) == pdf_of(first)
    # A letter the book did not use yet: the face it is set in is subset again, with it.
    story = source / "02-salt-and-static.txt"
    story.write_text(story.read_text(encoding="utf-8") + "\nÞorn.\n", encoding="utf-8")
    changed = build(source, tmp_path / "c", BuildOptions(formats=("pdf",), env=ENV))
    assert len(subset_by_hand) == 1
    clean = build(source, tmp_path / "d", BuildOptions(formats=("pdf",), use_cache=False, env=ENV))
    assert pdf_of(changed) == pdf_of(clean)
    assert "þorn" in normalize(" ".join(p.body for p in pdf_pages(pdf_of(changed))))


def test_a_damaged_font_subset_in_the_cache_is_made_again(source: Path, tmp_path: Path) -> None:
    first = build(source, tmp_path / "a", BuildOptions(formats=("pdf",), env=ENV))
    subsets = [
        p
        for p in (source / ".packager-cache" / "parts").iterdir()
        if p.read_bytes().split(b"\n", 2)[2].startswith(b'{"advances"')
    ]
    assert len(subsets) == 3  # the sample's roman, italic and semibold faces
    payload = b'{"advances":[1,2]}\n' + b"not a font"  # checksum right, content wrong
    checksum = hashlib.sha256(payload).hexdigest().encode()
    subsets[0].write_bytes(cache._MAGIC + checksum + b"\n" + payload)
    again = build(source, tmp_path / "b", BuildOptions(formats=("pdf",), env=ENV))
    assert pdf_of(again) == pdf_of(first)
    warned = [d.message for d in again.diagnostics if "cache entry is damaged" in d.message]
    assert len(warned) == 1
