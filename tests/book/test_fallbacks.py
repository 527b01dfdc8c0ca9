"""Script fallbacks: which faces a book needs, in which order, and what none can draw."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from conftest import write_story
from typer.testing import CliRunner

from packager.book import assets, fallbacks, themes
from packager.book.config import load_config
from packager.build import BuildOptions, build, load_book
from packager.cli import app
from packager.errors import StoryError
from packager.model import Fallback
from packager.pdf.stacks import stack
from packager.text import cmaps

SHAKING_FACE = "\U0001fae8"  # Unicode 15: in no font packager has
PRIVATE = "\ue123"  # private use: in no font at all


def _book(tmp_path: Path, stories: dict[str, str], toml: str = "") -> Path:
    source = tmp_path / "book"
    source.mkdir(exist_ok=True)
    (source / "collection.toml").write_text(f'title = "Fallbacks"\n{toml}', "utf-8")
    for name, text in stories.items():
        write_story(source, name, text)
    return source


def _story(body: str, language: str = "") -> str:
    lang = f"language: {language}\n" if language else ""
    return f"---\ntitle: A Story\nauthor: A. Writer\n{lang}---\n\n{body}\n"


def test_han_characters_take_the_forms_of_the_texts_language() -> None:
    serif = fallbacks.faces("serif")
    tags = ("ja", "zh-Hant-TW", "zh", "ko")
    first = {tag: fallbacks.ordered(serif, tag)[0].script for tag in tags}
    assert first == {
        "ja": "Japanese",
        "zh-Hant-TW": "Chinese (Traditional)",
        "zh": "Chinese (Simplified)",
        "ko": "Korean",
    }
    # Text in no CJK language keeps the file's order: Simplified before Traditional.
    scripts = [f.script for f in fallbacks.ordered(serif, "en")]
    assert scripts.index("Chinese (Simplified)") < scripts.index("Japanese")


def test_stack_puts_the_fallbacks_after_the_embedded_faces_by_language() -> None:
    book_fallbacks = (Fallback("SC (packager)", ("zh",)), Fallback("JP (packager)", ("ja",)))
    declared = ["Source Serif Pro", "SC (packager)", "JP (packager)"]
    families = ["Source Serif Pro", "Georgia", "serif"]
    # Chinese, Japanese and Korean text opens with its own face (its full-width
    # quotes and dashes); the theme's face follows, then the other scripts.
    assert stack(families, "ja", declared, book_fallbacks) == [
        "JP (packager)", "Source Serif Pro", "SC (packager)", "Georgia", "serif",
    ]  # fmt: skip
    assert stack(families, "zh-Hans", declared, book_fallbacks)[0] == "SC (packager)"
    # Other text takes the theme's face first, the scripts after it by language.
    assert stack(families, "he", declared, book_fallbacks) == [
        "Source Serif Pro", "SC (packager)", "JP (packager)", "Georgia", "serif",
    ]  # fmt: skip
    # A display face falls back to the theme's text face before the scripts.
    two = ["Fjalla One", "Lato", "SC (packager)"]
    assert stack(["Fjalla One", "sans-serif"], "en", two, book_fallbacks[:1]) == [
        "Fjalla One", "Lato", "SC (packager)", "sans-serif",
    ]  # fmt: skip
    # The machine's fonts named first keep their place; packager's go before the generic.
    assert stack(["Georgia", "serif"], "en", declared, book_fallbacks) == [
        "Georgia", "Source Serif Pro", "SC (packager)", "JP (packager)", "serif",
    ]  # fmt: skip
    assert stack(families, "en", declared, ()) == families


def test_an_english_book_needs_no_fallback(sample_build) -> None:  # type: ignore[no-untyped-def]
    book = load_book(sample_build.source, BuildOptions(env={}))
    assert book.fallbacks == () and book.undrawn == ()
    css = next(r for r in book.resources if r.href == fallbacks.CSS_HREF)
    assert css.data == b"" and not css.in_epub


def test_spaces_need_no_font_of_their_own() -> None:
    """HarfBuzz draws U+202F (French) and U+3000 with the font's space."""
    assert not any(cmaps.needs_glyph(c) for c in "\u202f\u00a0\u3000\u200d\u200f\ufe0f")
    assert cmaps.needs_glyph("a") and cmaps.needs_glyph("夜")


def test_a_script_the_theme_lacks_brings_its_face_and_only_that(tmp_path: Path) -> None:
    # Lato and Fjalla One (fanzine) have no Cyrillic: Noto Sans draws it.
    source = _book(tmp_path, {"01.md": _story("«Привет», — сказала она.", "ru")})
    book = load_book(source, BuildOptions(theme="fanzine", env={}))
    assert [f.family for f in book.fallbacks] == ["NotoSans (packager)"]
    fonts = [r.href for r in book.resources if r.href.startswith("fonts/Noto")]
    assert fonts == ["fonts/NotoSans[wdth,wght].ttf", "fonts/NotoSans-Italic[wdth,wght].ttf"]
    assert all(not r.in_epub for r in book.resources if r.href in fonts)
    # Source Serif Pro (classic) has Cyrillic: nothing to add.
    assert load_book(source, BuildOptions(theme="classic", env={})).fallbacks == ()


def test_undrawable_characters_fail_the_build_naming_file_line_and_character(
    tmp_path: Path,
) -> None:
    body = f"The first line is fine.\n\nThen she made a face: {SHAKING_FACE} and {PRIVATE}."
    source = _book(tmp_path, {"01-fine.md": _story("Fine."), "02-face.md": _story(body)})
    out = tmp_path / "out"
    with pytest.raises(StoryError) as caught:
        build(source, out, BuildOptions(env={}, use_cache=False))
    [problem] = caught.value.problems
    assert problem.file.endswith("02-face.md") and problem.line == 8
    assert "U+1FAE8" in problem.message and "U+E123" in problem.message
    assert "theme.toml" in problem.message  # what to do about it
    assert not out.exists()  # nothing written
    # The EPUB alone draws nothing itself (a reading system has its fonts): it builds.
    build(source, out, BuildOptions(formats=("epub",), env={}, use_cache=False))


def test_check_reports_undrawable_characters_before_a_build(tmp_path: Path) -> None:
    source = _book(tmp_path, {"01.md": _story(f"A face: {SHAKING_FACE}.")})
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(source)])
    assert result.exit_code == 1
    assert "01.md:6: no font can draw" in result.output and "U+1FAE8" in result.output
    result = runner.invoke(app, ["check", str(source), "--json"])
    assert result.exit_code == 1
    [error] = json.loads(result.stdout)["errors"]
    assert error["file"].endswith("01.md") and error["line"] == 6


def test_without_the_cjk_fonts_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fallbacks.faces

    def without_cjk(style: str) -> tuple[fallbacks.Face, ...]:
        return tuple(
            dataclasses.replace(f, files=()) if "[cjk]" in f.install else f for f in real(style)
        )

    monkeypatch.setattr(fallbacks, "faces", without_cjk)
    source = _book(tmp_path, {"01-ja.md": _story("灯台の光が海を渡っていった。", "ja")})
    # (the title is "A Story": every character of the text needs the CJK fonts)
    with pytest.raises(StoryError) as caught:
        build(source, tmp_path / "out", BuildOptions(formats=("pdf",), env={}, use_cache=False))
    [problem] = caught.value.problems
    assert problem.file.endswith("01-ja.md") and problem.line == 7
    assert "pip install 'anthology-packager[cjk]'" in problem.message
    # Named in the order typed: the title's first, then the text's.
    assert 'no font can draw "灯" (U+706F CJK UNIFIED IDEOGRAPH-706F), "台"' in problem.message
    assert "and 5 more" in problem.message


def test_characters_of_collection_toml_are_traced_there(tmp_path: Path) -> None:
    source = _book(tmp_path, {"01.md": _story("Fine.")}, f'subtitle = "A face {PRIVATE}"\n')
    with pytest.raises(StoryError) as caught:
        build(source, tmp_path / "out", BuildOptions(formats=("pdf",), env={}, use_cache=False))
    [problem] = caught.value.problems
    assert problem.file.endswith("collection.toml") and problem.line == 2


def test_a_cjk_title_is_drawn_on_the_cover_in_a_face_that_has_it(tmp_path: Path) -> None:
    source = _book(tmp_path, {"01.md": _story("Fine.")}, 'language = "ja"\n')
    settings = dataclasses.replace(load_config(source).settings, title="灯台の本")
    look = themes.load_theme("classic").cover
    assert look is not None
    chosen = assets._cover_fonts(settings, look, "serif")
    assert chosen.title_font.name == chosen.text_font.name == "NotoSerifJP-Regular.otf"
    # A Japanese book's byline is Japanese (編): an English one is all Latin.
    english = dataclasses.replace(settings, title="Lanterns", language="en")
    latin = assets._cover_fonts(english, look, "serif")
    assert latin == look  # the theme's own faces when they have every character


def test_a_cff_fonts_code_points_are_read_without_its_glyph_names() -> None:
    # cmaps names glyphs by number instead of reading a CFF table's charset; the
    # code points must be the ones fontTools gives with the real names.
    from fontTools.ttLib import TTFont

    looks = [themes.load_theme(name).cover for name in themes.available()]
    covers = {f for look in looks for f in (look.title_font, look.text_font)}
    fallback = {
        f for style in ("serif", "sans") for face in fallbacks.faces(style) for f in face.files
    }
    fonts = sorted(covers | fallback)
    kinds = set()
    for font in fonts:
        with TTFont(font, lazy=True) as real:
            kinds.add("CFF " in real)
            assert cmaps.characters(font) == frozenset(real.getBestCmap()), font
    assert kinds == {True, False}  # CFF and TrueType fonts both checked
