"""collection.toml: every problem in one run, each with its key; exit 1, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_story
from typer.testing import CliRunner

from packager.book.config import load_config
from packager.book.derived import slugify
from packager.cli import app
from packager.errors import ConfigError


def make_source(tmp_path: Path, toml: str) -> Path:
    source = tmp_path / "my-stories"
    write_story(source, "01-a.md", "---\ntitle: A\n---\nText of a.\n")
    (source / "collection.toml").write_text(toml, encoding="utf-8")
    return source


def problems(source: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(source, env={})
    return [str(p) for p in caught.value.problems]


def test_every_problem_reported_at_once_with_key_and_line(tmp_path: Path) -> None:
    source = make_source(
        tmp_path,
        'titel = "Typo"\n'
        "authors = 5\n"
        'page_size = "B7"\n'
        'language = "english please"\n'
        'cover = "missing.png"\n'
        'css = ["nope.css"]\n'
        'order = ["01-a.md", "99-gone.md"]\n'
        "\n"
        '[stories."01-a.md"]\n'
        "rating = 3\n"
        'shoe_size = "9"\n',
    )
    found = problems(source)
    text = "\n".join(found)
    assert "collection.toml:1: titel: unknown key" in text
    assert "collection.toml:2: authors: must be text or a list of text (got the number 5)" in text
    assert (
        "collection.toml:3: page_size: must be one of 5x8in, 5.25x8in, 5.5x8.5in, 6x9in, A5, "
        "B-format, A4, letter, or WIDTHxHEIGHT in in or mm such as 140x216mm or 5.06x7.81in "
        "(got 'B7')" in text
    )
    assert "collection.toml:4: language: must be a BCP 47 language tag" in text
    assert "collection.toml:5: cover: no cover image 'missing.png'" in text
    assert "collection.toml:6: css[0]: no CSS file 'nope.css'" in text
    assert "collection.toml:7: order[1]: no story file '99-gone.md'" in text
    assert 'collection.toml:10: stories."01-a.md".rating: must be text (got the number 3)' in text
    assert 'collection.toml:11: stories."01-a.md".shoe_size: unknown key' in text
    assert len(found) == 9


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    source = make_source(tmp_path, 'title = "ok"\nsubtitle = "unterminated\n')
    (only,) = problems(source)
    assert (
        only.startswith("my-stories/collection.toml:2: not valid TOML")
        or ":2: not valid TOML" in only
    )


def test_unknown_theme(tmp_path: Path) -> None:
    source = make_source(tmp_path, 'theme = "baroque"\n')
    (only,) = problems(source)
    assert ":1: theme: no theme named 'baroque' (known: classic, fanzine, modern)" in only


def test_zero_configuration(tmp_path: Path) -> None:
    source = tmp_path / "summer-zine_2026"
    write_story(source, "a.md", "Text.\n")
    config = load_config(source, env={})
    assert config.settings.title == "Summer Zine 2026"
    assert config.settings.language == "en"
    assert config.settings.page_size == "A5"
    assert config.settings.theme == "classic"
    assert config.settings.slug == "summer-zine-2026"
    # The identifier is derived from the title: stable across builds and machines.
    assert config.settings.identifier == load_config(source, env={}).settings.identifier
    assert config.settings.identifier.startswith("urn:uuid:")


def test_toml_date_and_strings(tmp_path: Path) -> None:
    source = make_source(tmp_path, 'title = "007"\ndate = 2024-05-01\nauthors = "Solo Editor"\n')
    settings = load_config(source, env={}).settings
    assert settings.title == "007"
    assert settings.date == "2024-05-01"
    assert settings.editors == ("Solo Editor",)
    assert settings.modified == "2024-05-01T00:00:00Z"
    epoch = load_config(source, env={"SOURCE_DATE_EPOCH": "86400"}).settings
    assert epoch.modified == "1970-01-02T00:00:00Z"


def test_cli_config_error_exit_1_no_traceback_no_output(tmp_path: Path, runner: CliRunner) -> None:
    source = make_source(tmp_path, 'page_size = "B7"\nfoo = 1\n')
    out = tmp_path / "dist"
    result = runner.invoke(app, ["build", str(source), "--out", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "page_size: must be one of" in result.stderr
    assert "foo: unknown key" in result.stderr
    assert all(line.startswith("error: ") for line in result.stderr.splitlines())
    assert not out.exists()


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Summer Zine 2026", "summer-zine-2026"),
        ("Café — “Stories”!", "cafe-stories"),
        ("Straße", "strasse"),
        ("灯塔与海", "灯塔与海"),
        ("夜のがらす", "夜のがらす"),  # kana with dakuten composed again
        ("ضوء على الساحل", "ضوء-على-الساحل"),
        ("हिन्दी कहानियाँ", "हिन्दी-कहानियाँ"),  # vowel signs and virama kept
        ("한국 이야기", "한국-이야기"),
        ("***", "book"),
    ],
)
def test_the_file_name_keeps_the_title_s_script(title: str, slug: str) -> None:
    assert slugify(title) == slug
