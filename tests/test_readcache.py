"""A rebuild reads and cleans again only the story files (and pictures) that changed,
and what it takes from the cache is exactly what reading again would give."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SEEDS, copy_samples
from PIL import Image

import packager.errors
import packager.load
import packager.read.story
from packager import readcache
from packager.build import build
from packager.load import load_stories
from packager.options import BuildOptions
from packager.pdf import cache

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}
EPUB = BuildOptions(formats=("epub",), env=ENV)


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the story files read (in this process: the samples are read by one)."""
    names: list[str] = []
    real: Callable[..., object] = packager.read.story.read_stories

    def counted(path: Path, *args: object) -> object:
        names.append(path.name)
        return real(path, *args)

    monkeypatch.setattr(packager.load, "read_stories", counted)
    return names


def epub_of(source: Path, out: Path, options: BuildOptions = EPUB) -> tuple[bytes, list[str]]:
    result = build(source, out, options)
    return result.outputs[0].path.read_bytes(), [d.message for d in result.diagnostics]


def test_a_rebuild_reads_only_the_story_that_changed(tmp_path: Path, reads: list[str]) -> None:
    source = copy_samples(tmp_path / "src")
    epub_of(source, tmp_path / "a")
    assert len(reads) == 4
    reads.clear()
    epub_of(source, tmp_path / "b")
    assert reads == []  # nothing changed: nothing read
    story = source / "03-what-the-tide-keeps.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nA line added by the editor.\n")
    cached = epub_of(source, tmp_path / "c")
    assert reads == ["03-what-the-tide-keeps.md"]
    clean = epub_of(
        source, tmp_path / "d", BuildOptions(formats=("epub",), env=ENV, use_cache=False)
    )
    assert cached == clean
    with zipfile.ZipFile(io.BytesIO(cached[0])) as book:
        assert any(b"A line added by the editor." in book.read(n) for n in book.namelist())


def test_what_the_cache_gives_equals_a_fresh_read(tmp_path: Path) -> None:
    # The samples and the real files of ../shared/seeds (every format the seeds have).
    folders = [copy_samples(tmp_path / "samples")]
    if SEEDS.is_dir():
        seeds = tmp_path / "seeds"
        seeds.mkdir()
        for path in SEEDS.iterdir():
            if path.name != "README.md":
                (seeds / path.name).write_bytes(path.read_bytes())
        folders.append(seeds)
    for folder in folders:
        store = cache.Cache(tmp_path / f"cache-{folder.name}")
        first = load_stories(folder, EPUB, store=store)
        again = load_stories(folder, EPUB, store=cache.Cache(tmp_path / f"cache-{folder.name}"))
        fresh = load_stories(folder, EPUB)
        assert first == fresh
        assert again == fresh
        assert len(list((tmp_path / f"cache-{folder.name}" / "parts").iterdir())) == len(
            [p for p in folder.iterdir() if p.is_file() and p.name != "collection.toml"]
        )


def picture_story(source: Path) -> Path:
    source.mkdir()
    (source / "collection.toml").write_text('title = "Pictures"\nlanguage = "en"\n')
    story = source / "map.md"
    story.write_text("# The Map\n\nShe unfolded it.\n\n![The harbour map](map.png)\n\nThe end.\n")
    (source / "other.md").write_text("# Other\n\nA story without pictures.\n")
    return story


def test_a_changed_added_or_removed_picture_reads_its_story_again(
    tmp_path: Path, reads: list[str]
) -> None:
    source = tmp_path / "src"
    picture_story(source)
    _, said = epub_of(source, tmp_path / "a")
    assert any("map.png" in m and "does not exist" in m for m in said)
    reads.clear()
    (source / "map.png").write_bytes(png((200, 30, 30)))  # added
    red, said = epub_of(source, tmp_path / "b")
    assert reads == ["map.md"]
    assert not any("does not exist" in m for m in said)
    reads.clear()
    epub_of(source, tmp_path / "c")
    assert reads == []
    (source / "map.png").write_bytes(png((30, 30, 200)))  # changed
    blue, _ = epub_of(source, tmp_path / "d")
    assert reads == ["map.md"]
    assert blue != red
    clean, _ = epub_of(
        source, tmp_path / "e", BuildOptions(formats=("epub",), env=ENV, use_cache=False)
    )
    assert blue == clean
    reads.clear()
    (source / "map.png").unlink()  # removed
    _, said = epub_of(source, tmp_path / "f")
    assert reads == ["map.md"]
    assert any("map.png" in m and "does not exist" in m for m in said)


def test_settings_that_reading_uses_read_the_files_again(tmp_path: Path, reads: list[str]) -> None:
    source = tmp_path / "src"
    picture_story(source)
    epub_of(source, tmp_path / "a")
    reads.clear()
    toml = source / "collection.toml"
    toml.write_text(toml.read_text() + '\n[stories."other.md"]\ntitle = "Another Title"\n')
    epub_of(source, tmp_path / "b")
    assert reads == ["other.md"]  # its own table changed; map.md's did not
    loaded = load_stories(source, EPUB, store=cache.Cache(source / ".packager-cache"))
    assert [s.meta.title for s in loaded.stories] == ["The Map", "Another Title"]
    reads.clear()
    toml.write_text(toml.read_text().replace('language = "en"', 'language = "fr"'))
    epub_of(source, tmp_path / "c")
    assert sorted(reads) == ["map.md", "other.md"]  # cleaning follows the language


def test_new_reading_code_reads_every_file_again(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_samples(tmp_path / "src")
    epub_of(source, tmp_path / "a")
    reads.clear()
    monkeypatch.setattr(readcache, "_code", lambda: "another checkout")
    epub_of(source, tmp_path / "b")
    assert len(reads) == 4


def test_a_damaged_read_entry_is_reported_and_read_again(tmp_path: Path, reads: list[str]) -> None:
    source = tmp_path / "src"
    picture_story(source)
    first, _ = epub_of(source, tmp_path / "a")
    parts = source / ".packager-cache" / "parts"
    for entry in parts.iterdir():
        # Whole (its checksum matches) but not a read: the cache must not trust it.
        payload = json.dumps({"probed": []}).encode() + b"\n" + b'[[{"path": 3}], []]'
        raw = cache._MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        entry.write_bytes(raw)
    reads.clear()
    again, said = epub_of(source, tmp_path / "b")
    assert sorted(reads) == ["map.md", "other.md"]
    assert sum("cache entry is damaged" in m for m in said) == 2
    assert again == first


def test_a_failed_read_is_not_kept(tmp_path: Path, reads: list[str]) -> None:
    source = tmp_path / "src"
    picture_story(source)
    (source / "broken.md").write_bytes(b"---\ntitle: [unclosed\n---\n\nText.\n")
    for out in ("a", "b"):
        reads.clear()
        with pytest.raises(packager.errors.PackagerError) as failed:
            build(source, tmp_path / out, EPUB)
        assert any(p.file.endswith("broken.md") for p in failed.value.problems)
        assert "broken.md" in reads  # read again, and reported again, every time


def test_preview_reads_only_the_story_that_changed(tmp_path: Path, reads: list[str]) -> None:
    from packager.cli import preview

    source = copy_samples(tmp_path / "src")
    site = preview.Site()
    assert preview.rebuild(site, source, BuildOptions()) == []
    assert len(reads) == 4
    reads.clear()
    story = source / "10-the-last-ferry.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nThe lamp was lit at six.\n")
    assert preview.rebuild(site, source, BuildOptions()) == []
    assert reads == ["10-the-last-ferry.md"]
    page = b"".join(body for body, _ in site.files.values())
    assert b"The lamp was lit at six." in page
    # --no-cache: every file read, and nothing written into the story folder.
    plain = copy_samples(tmp_path / "plain")
    reads.clear()
    preview.rebuild(site, plain, BuildOptions(use_cache=False))
    assert len(reads) == 4
    assert not (plain / ".packager-cache").exists()
    # The story folder deleted while the preview runs: an error page, no folder made again.
    shutil.rmtree(plain)
    assert preview.rebuild(site, plain, BuildOptions()) != []
    assert not plain.exists()
