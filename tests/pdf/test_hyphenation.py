"""The PDF hyphenates each story with its own language's dictionary, and only where
one exists (Norwegian "no" as Bokmål; none for Finnish)."""

from __future__ import annotations

import re
from itertools import pairwise

import pdfplumber
import pyphen
import pytest

from packager.build import build
from packager.options import BuildOptions

# Original sentences, heavy in long compounds, repeated to fill pages.
TEXTS = {
    "de": "Die Donaudampfschifffahrtsgesellschaft veröffentlichte gestern ihre "
    "Jahresabschlussberichte, und die Aufsichtsratsvorsitzende bedankte sich bei den "
    "Kapitänswitwenversicherungen für die Unterstützungsleistungen. ",
    "no": "Sykehusadministrasjonen offentliggjorde arbeidsmiljøundersøkelsen, og "
    "fylkeskommunens samferdselsavdeling kommenterte kollektivtransportplanleggingen grundig. ",
    "fi": "Lentokonesuihkuturbiinimoottoriapumekaanikko tarkasti järjestelmällisyydellään "
    "kaupunginvaltuustoryhmien yhteistoimintaneuvottelujen pöytäkirjat. ",
}
_WORD = re.compile(r"[^\W\d_]+")


@pytest.fixture(scope="module")
def broken_words(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, str]]]:
    """Per language, the words the PDF breaks at a line end: (first part, rest)."""
    source = tmp_path_factory.mktemp("hyphens") / "src"
    source.mkdir()
    (source / "collection.toml").write_text('title = "Hyphens"\nlanguage = "en"\n', "utf-8")
    for i, (lang, sentence) in enumerate(TEXTS.items(), start=1):
        body = "\n\n".join([sentence * 6] * 2)
        (source / f"0{i}-{lang}.txt").write_text(
            f"---\ntitle: Story {lang}\nlanguage: {lang}\n---\n\n{body}\n", "utf-8"
        )
    out = source.parent / "out"
    build(source, out, BuildOptions(formats=("pdf",), env={}, use_cache=False, jobs=1))
    vocabulary = {lang: set(_WORD.findall(text)) for lang, text in TEXTS.items()}
    found: dict[str, list[tuple[str, str]]] = {lang: [] for lang in TEXTS}
    with pdfplumber.open(next(out.glob("*.pdf"))) as pdf:
        lines = [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]
    for line, following in pairwise(lines):
        if not line.endswith("-") or not following:
            continue
        head = _WORD.findall(line)[-1]
        tail = _WORD.match(following)
        if tail is None:
            continue
        word = head + tail.group(0)
        for lang, words in vocabulary.items():
            if word in words:
                found[lang].append((head, tail.group(0)))
    return found


@pytest.mark.parametrize(("lang", "dictionary"), [("de", "de"), ("no", "nb")])
def test_stories_break_words_where_their_dictionary_allows(
    broken_words: dict[str, list[tuple[str, str]]], lang: str, dictionary: str
) -> None:
    breaks = broken_words[lang]
    assert len(breaks) >= 5, breaks
    hyphenator = pyphen.Pyphen(lang=dictionary)
    for head, tail in breaks:
        assert len(head) in hyphenator.positions(head + tail), (head, tail)


def test_a_language_without_a_dictionary_is_not_hyphenated(
    broken_words: dict[str, list[tuple[str, str]]],
) -> None:
    assert pyphen.language_fallback("fi") is None
    assert broken_words["fi"] == []
