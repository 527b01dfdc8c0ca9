"""Typography by language: each table's quotes, dashes, ellipses and spaces."""

from __future__ import annotations

import tomllib

import pytest
from language_samples import NBSP, NNBSP, SAMPLES

from packager.text import html
from packager.text.typography import (
    has_rules,
    languages,
    rules_for,
    smarten_blocks,
    smarten_text,
    smartener,
)
from packager.text.typography.rules import HERE

# Every language issue 15 names, by the tag an editor would write.
REQUIRED = (
    "en", "de", "de-CH", "fr", "es", "it", "pt", "ca", "nl", "sv", "da", "nb", "nn", "fi", "pl",
    "cs", "sk", "hu", "ro", "ru", "uk", "bg", "el", "tr", "zh-Hans", "zh-Hant", "ja", "ko", "ar",
    "he",
)  # fmt: skip


def typeset(typed: str, lang: str) -> str:
    paragraphs = typed.split("\n\n")
    return "\n\n".join(runs[0] for runs in smarten_blocks([[p] for p in paragraphs], lang))


@pytest.mark.parametrize(("lang", "typed", "expected"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_each_language_sets_its_own_marks(lang: str, typed: str, expected: tuple[str]) -> None:
    out = typeset(typed, lang)
    for fragment in expected:
        assert fragment in out, f"{lang}: {fragment!r} not in {out!r}"
    assert '"' not in out and "'" not in out  # no straight quote left


def test_every_language_of_the_issue_has_a_table_with_sources() -> None:
    for tag in REQUIRED:
        rules = rules_for(tag)
        assert rules is not None, tag
        assert rules.sources and all(s.strip() for s in rules.sources), tag
        assert all(len(m) == 1 for m in (*rules.primary, *rules.secondary)), tag
    for path in HERE.glob("*.toml"):  # every table is valid TOML naming its sources
        assert tomllib.loads(path.read_text(encoding="utf-8"))["sources"], path.name
    assert set(REQUIRED) <= set(languages())


@pytest.mark.parametrize(
    ("tag", "table"),
    [
        ("de-AT", "de"), ("de-ch", "de-CH"), ("fr-BE", "fr"), ("fr-CA", "fr-CA"),
        ("pt-BR", "pt"), ("pt-PT", "pt-PT"), ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"),
        ("zh-TW", "zh-Hant"), ("zh-Hant-HK", "zh-Hant"), ("zh-HK", "zh-Hant"),
        ("no", "nb"), ("nb-NO", "nb"), ("nn", "nn"), ("en-GB", "en"), ("iw", "he"),
        ("es-419", "es"), ("ja-JP", "ja"), ("sr-Latn", None), ("tlh", None), ("", None),
    ],
)  # fmt: skip
def test_a_tag_finds_its_table_most_specific_first(tag: str, table: str | None) -> None:
    rules = rules_for(tag)
    assert (rules.tag if rules else None) == table


def test_a_language_without_a_table_keeps_its_quotes_as_typed() -> None:
    typed = "\"Saluton,\" li diris. 'Jes' -- ... - ne"
    assert not has_rules("eo")
    # Never English quotes by default: only a dash and an ellipsis, which every language has.
    assert smarten_text(typed, "eo") == "\"Saluton,\" li diris. 'Jes' — … - ne"


def test_nested_quotes_take_the_second_level_and_a_third_the_first_again() -> None:
    typed = '"Er rief: \'Sie sagte "nie"\' und ging."'
    assert smarten_text(typed, "de") == "„Er rief: ‚Sie sagte „nie“‘ und ging.“"
    # The outer quotation is the first level whichever mark the writer typed for it.
    assert smarten_text("'Komm', sagte er.", "de") == "„Komm“, sagte er."
    assert smarten_text('«Il dit "non"»', "fr") == f"«{NNBSP}Il dit “non”{NNBSP}»"


def test_english_keeps_the_level_the_writer_typed() -> None:
    assert smarten_text("'Hello \"there\",' he said.") == "‘Hello “there”,’ he said."
    assert smarten_text("\"Hello 'there',\" he said.", "en-GB") == "“Hello ‘there’,” he said."


def test_french_spaces_the_writer_typed_become_the_right_no_break_space() -> None:
    typed = "« Vraiment ? » Oui : c'est ça ! Et toi ;"
    out = smarten_text(typed, "fr")
    assert out == f"«{NNBSP}Vraiment{NNBSP}?{NNBSP}» Oui{NBSP}: c’est ça{NNBSP}! Et toi{NNBSP};"
    # A space the writer already made no-breaking is made the right one.
    assert smarten_text(f"Quoi{NBSP}?!", "fr") == f"Quoi{NNBSP}?!"
    # Not punctuation of a sentence: times, addresses, queries, a group (one space before it).
    kept = "à 10:30, sur https://exemple.fr/?q=1"
    assert smarten_text(kept, "fr") == kept
    assert smarten_text("Quoi?!", "fr") == f"Quoi{NNBSP}?!"
    assert smarten_text("Quoi...?", "fr") == f"Quoi…{NNBSP}?"


def test_spacing_and_dialogue_cross_inline_markup() -> None:
    fragment = '<p>- <em>Vraiment</em>? dit-il.</p><p>"<em>Oui</em>"</p>'
    out = html.map_text(fragment, smartener("fr"))
    assert out == (f"<p>— <em>Vraiment</em>{NNBSP}? dit-il.</p><p>«{NNBSP}<em>Oui</em>{NNBSP}»</p>")


def test_conventions_a_language_has_stay_as_typed() -> None:
    # Chinese …… and ——, corner brackets and full-width punctuation typed by the writer.
    zh = "她说：「走吧……」——然后，她笑了！（真的？）"
    assert smarten_text(zh, "zh") == zh
    assert smarten_text("等等......", "zh") == "等等……"
    # German spaced en dashes, Russian dialogue dashes, Spanish ¿ ¡.
    assert smarten_text("Berlin – Paris, 1990–1995", "de") == "Berlin – Paris, 1990–1995"
    assert smarten_text("— Привет, — сказал он.", "ru") == f"— Привет,{NBSP}— сказал он."
    assert smarten_text('¿"Sí"? ¡Claro!', "es") == "¿«Sí»? ¡Claro!"
    # A hyphen inside a word, a stutter, a number: never a dash.
    assert smarten_text("franco-alemán, p-p-por favor, -5 grados", "es") == (
        "franco-alemán, p-p-por favor, -5 grados"
    )
    assert smarten_text("- 5 Grad", "ru") == "- 5 Grad"


def test_hebrew_gershayim_geresh_and_quotes_after_a_prefix() -> None:
    assert smarten_text("צה\"ל, ארה\"ב, ג'ירפה, רח' הרצל", "he") == "צה״ל, ארה״ב, ג׳ירפה, רח׳ הרצל"
    assert smarten_text('הוא אמר ל"חברים" שלום', "he") == "הוא אמר ל”חברים” שלום"


def test_spanish_incisos_pair_their_dashes() -> None:
    assert smarten_text("Juan - que era alto - llegó tarde.", "es") == (
        "Juan —que era alto— llegó tarde."
    )
    assert smarten_text("- Ven - dijo ella - ahora.", "es") == "—Ven —dijo ella— ahora."


def test_spaced_dash_languages_space_a_typed_double_hyphen() -> None:
    assert smarten_text("Er kam--zu spät.", "de") == "Er kam – zu spät."
    assert smarten_text("1990--1995", "de") == "1990–1995"  # a range: no spaces
    assert smarten_text("Он пришёл--поздно.", "ru") == f"Он пришёл{NBSP}— поздно."
    assert smarten_text("He came--too late.") == "He came—too late."


def test_cjk_quotes_open_and_close_in_turn() -> None:
    assert smarten_text('他说"好"，她说"不"。', "zh-Hans") == "他说“好”，她说“不”。"
    assert smarten_text('彼は"はい"と言った。I\'m here.', "ja") == "彼は「はい」と言った。I’m here."
