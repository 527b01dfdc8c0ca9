"""The label catalogues (packager/book/catalogue): every language has every label, with the
template's placeholders; numbers and dates by CLDR; [labels] overrides; a missing
translation printed in English and named by `packager check` (issue 15, part 2)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from conftest import write_story
from lxml import etree
from typer.testing import CliRunner

from packager.book import labels
from packager.build import BuildOptions, load_book
from packager.cli import app

# The languages issue 15 lists (typography), and the right-to-left ones of part 4.
REQUIRED = [
    "de", "fr", "es", "it", "pt", "pt_BR", "ca", "nl", "sv", "da", "nb", "nn", "fi", "pl",
    "cs", "sk", "hu", "ro", "ru", "uk", "bg", "el", "tr", "zh_Hans", "zh_Hant", "ja", "ko",
    "ar", "he", "fa", "ur",
]  # fmt: skip
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


def _catalogue(name: str) -> object:
    with (labels.CATALOGUE / f"{name}.po").open("rb") as f:
        return read_po(f, locale=name)


@pytest.mark.parametrize("name", REQUIRED)
def test_each_catalogue_translates_every_label(name: str) -> None:
    catalog = _catalogue(name)
    entries = labels.entries()
    found = {m.context: m for m in catalog if m.id}  # type: ignore[attr-defined]
    assert set(found) == set(entries), set(found) ^ set(entries)
    plurals = get_plural(name).num_plurals
    for key, entry in entries.items():
        message = found[key]
        assert not message.fuzzy, key
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{name}: '{key}' is not translated"
        assert len(strings) == (plurals if entry.plural else 1), (name, key)
        for text in strings:
            # Only the template's placeholders, so that every one can be filled in, and
            # all of them but where a plural form says the number in words ("two stories").
            used = labels.placeholders(text)
            assert used <= entry.fields, (name, key, text)
            assert entry.plural or used == entry.fields, (name, key, text)


def test_the_template_is_the_english_text() -> None:
    english = labels.Labels("en")
    assert english.text("contents") == "Contents"
    assert english.text("word_count", count=1) == "1 word"
    assert english.text("word_count", count=1451) == "1,451 words"
    assert english.text("edited_by", names="Ann") == "Edited by Ann"


@pytest.mark.parametrize(
    ("language", "words", "date", "names"),
    [
        ("de", "1.451 Wörter", "2. Dezember 2026", "A, B und C"),
        ("de-CH", "1'451 Wörter", "2. Dezember 2026", "A, B und C"),
        ("fr", "1\u202f451 mots", "2 décembre 2026", "A, B et C"),
        ("ru", "1\u00a0451 слово", "2 декабря 2026\u202fг.", "A, B и C"),
        ("pl", "1\u00a0451 słów", "2 grudnia 2026", "A, B i C"),
        ("zh-Hans", "1,451 字", "2026年12月2日", "A、B和C"),
        ("ja", "1,451 字", "2026年12月2日", "A、B、C"),
        ("ar", "1,451 كلمة", "2 ديسمبر 2026", "A وB وC"),
        ("he", "1,451 מילים", "2 בדצמבר 2026", "A, B וC"),
    ],
)
def test_numbers_dates_and_names_as_the_language_writes_them(
    language: str, words: str, date: str, names: str
) -> None:
    found = labels.Labels(language)
    assert found.text("word_count", count=1451) == words
    assert found.date("2026-12-02") == date
    assert found.names(["A", "B", "C"]) == names
    assert found.date("Winter 2026") == "Winter 2026"  # not a date: as the editor wrote it


def test_plural_forms_follow_the_language() -> None:
    ru = labels.Labels("ru")
    shown = [ru.text("story_count", count=n) for n in (1, 2, 5, 21)]
    assert shown == ["1 рассказ", "2 рассказа", "5 рассказов", "21 рассказ"]
    ar = labels.Labels("ar")
    assert [ar.text("story_count", count=n) for n in (1, 2, 3, 11)] == [
        "قصة واحدة", "قصتان", "3 قصص", "11 قصة",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("de-AT", "de"), ("zh", "zh_Hans"), ("zh-TW", "zh_Hant"), ("zh-Hant-HK", "zh_Hant"),
        ("pt-BR", "pt_BR"), ("pt", "pt"), ("no", "nb"), ("nn", "nn"), ("en-GB", "en"),
        ("eo", None),
    ],
)  # fmt: skip
def test_a_tag_finds_its_catalogue(tag: str, name: str | None) -> None:
    assert labels.catalogue_name(tag) == name


def _book(folder: Path, toml: str) -> Path:
    write_story(folder, "one.md", "# One\n\nThe tide came in.\n")
    (folder / "collection.toml").write_text(toml, encoding="utf-8")
    return folder


def test_labels_in_collection_toml_win(tmp_path: Path) -> None:
    source = _book(
        tmp_path / "book",
        'language = "de"\n[labels]\ncontents = "Inhaltsverzeichnis"\n'
        'word_count = "{count} Wörter insgesamt"\n',
    )
    book = load_book(source, BuildOptions(env={}))
    parts = {p.kind: p for p in book.parts}
    contents = etree.fromstring(parts["contents"].xhtml.encode())
    assert contents.findtext(".//x:h1", namespaces=XHTML) == "Inhaltsverzeichnis"
    assert "4 Wörter insgesamt" in parts["colophon"].xhtml
    assert parts["contents"].title == "Inhaltsverzeichnis"


def test_unknown_labels_and_placeholders_are_errors_with_their_line(tmp_path: Path) -> None:
    source = _book(
        tmp_path / "book",
        'language = "de"\n[labels]\ncontent = "Inhalt"\nedited_by = "Hg. {namen}"\n'
        'words = "Wörter {"\n',
    )
    result = CliRunner().invoke(app, ["check", str(source)])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "collection.toml:3: labels.content: unknown label (known labels: contents," in output
    assert "collection.toml:4: labels.edited_by: unknown placeholder {namen}" in output
    assert "collection.toml:5: labels.words: braces must pair" in output


@pytest.fixture
def partial_german(tmp_path: Path) -> Iterator[None]:
    """A catalogue folder whose German lacks the translation of 'whats_new'."""
    folder = tmp_path / "catalogue"
    shutil.copytree(labels.CATALOGUE, folder)
    po = folder / "de.po"
    text = po.read_text(encoding="utf-8")
    text, n = re.subn(r'(msgctxt "whats_new"\nmsgid "[^"]*"\nmsgstr )"[^"]*"', r'\1""', text)
    assert n == 1
    po.write_text(text, encoding="utf-8")
    saved = labels.CATALOGUE
    labels.CATALOGUE = folder
    labels._catalogue.cache_clear()
    labels._cached.cache_clear()
    try:
        yield
    finally:
        labels.CATALOGUE = saved
        labels._catalogue.cache_clear()
        labels._cached.cache_clear()


@pytest.mark.usefixtures("partial_german")
def test_a_missing_translation_is_english_and_check_names_it(tmp_path: Path) -> None:
    source = _book(tmp_path / "book", 'language = "de"\n')
    (source / "CHANGELOG.md").write_text("## 1.1\n\nNeue Geschichte.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(source)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "labels: no 'de' translation of 'whats_new': printed in English" in output
    book = load_book(source, BuildOptions(env={}))
    assert [p.title for p in book.parts if p.kind == "whatsnew"] == ["What\u2019s New"]
    assert [p.title for p in book.parts if p.kind == "contents"] == ["Inhalt"]


def test_a_language_without_a_catalogue_is_named(tmp_path: Path) -> None:
    source = _book(tmp_path / "book", 'language = "eo"\n')
    result = CliRunner().invoke(app, ["check", str(source)])
    output = " ".join(result.output.split())
    assert "no catalogue of the book's own words for language 'eo'" in output
    assert "contents, cover," in output


def test_an_editors_template_uses_the_catalogue(tmp_path: Path) -> None:
    source = _book(tmp_path / "book", 'language = "fr"\n')
    (source / "templates").mkdir()
    (source / "templates" / "colophon.xhtml").write_text(
        '{% extends "document.xhtml" %}{% block content %}'
        '<section class="colophon"><h1>{{ label("colophon") }}</h1>'
        '<p>{{ label("word_count", count=words) }} ({{ 12345 | number }}), '
        '{{ "2026-12-02" | date }}, {{ ["A", "B"] | join_names }}</p></section>'
        "{% endblock %}",
        encoding="utf-8",
    )
    colophon = next(
        p for p in load_book(source, BuildOptions(env={})).parts if p.kind == "colophon"
    )
    assert "<h1>Colophon</h1>" in colophon.xhtml
    assert "4 mots (12\u202f345), 2 décembre 2026, A et B" in colophon.xhtml
