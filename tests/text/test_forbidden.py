"""Characters XML forbids: one module finds them, names them by kind, and reports their lines."""

from __future__ import annotations

import re

import lxml.etree as etree
from hypothesis import given
from hypothesis import strategies as st

from packager.read.source import decode
from packager.text import forbidden

NONCHARACTERS = [chr(c) for c in range(0xFDD0, 0xFDF0)] + [
    chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF)
]


def test_every_noncharacter_surrogate_and_control_is_forbidden() -> None:
    assert len(NONCHARACTERS) == 66
    assert all(forbidden.FORBIDDEN.match(c) for c in NONCHARACTERS)
    assert all(forbidden.FORBIDDEN.match(chr(c)) for c in range(0xD800, 0xE000))
    allowed = "\t\n\r\u0085 a\u00a0\ufffd\U0001f600\ue009\U0010fffd\ufdcf\ufdf0"
    assert not forbidden.FORBIDDEN.search(allowed)
    # packager's own markers (emphasis, headings, note calls, pictures) never come in
    assert all(forbidden.FORBIDDEN.match(chr(c)) for c in range(0xE000, 0xE009))
    assert not any(forbidden.UNMARKED.match(chr(c)) for c in range(0xE000, 0xE009))


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_what_is_left_is_xml(text: str) -> None:
    cleaned, _ = forbidden.strip(text)
    element = etree.Element("p")
    element.text = cleaned.replace("\r", "")  # lxml refuses anything XML 1.0 cannot hold


def test_scrub_names_kinds_and_lines() -> None:
    found = forbidden.scrub("one\ntwo \x00\ufffe\nthree \ud800\n", "s.txt", first_line=4)
    assert found.text == "one\ntwo \nthree \n"
    assert [(d.line, d.message) for d in found.diagnostics] == [
        (5, "removed control characters (U+0000); noncharacters (U+FFFE)"),
        (6, "removed lone surrogates (U+D800)"),
    ]
    assert [c.line for c in found.changes] == [5, 6]


def test_character_references_are_removed_only_where_markup_reads_them() -> None:
    text = "a &#xFFFE; b &#1; c &#65; d &#x9D; e &#x80; f &#0; g &#x110000;\n"
    markup = forbidden.scrub(text, "s.md", references=True)
    assert markup.text == "a  b  c &#65; d  e &#x80; f &#0; g &#x110000;\n"
    [note] = markup.diagnostics
    assert note.message == (
        "removed character references to control characters (U+0001, U+009D); "
        "noncharacters (U+FFFE)"
    )
    assert forbidden.scrub(text, "s.txt").text == text  # plain text shows them as typed


def test_cesu8_pairs_become_characters_and_lone_halves_are_reported() -> None:
    smile = "\U0001f600".encode("utf-16-le").decode("utf-16-le")  # one character
    pair = b"\xed\xa0\xbd\xed\xb8\x80"  # its two surrogates, each encoded as UTF-8
    found = decode(b"A " + pair + b" caf\xc3\xa9\nB \xed\xb0\x80\n", "s.txt")
    assert (found.text, found.encoding) == (f"A {smile} café\nB \n", "cesu-8")
    assert [(d.line, d.message) for d in found.diagnostics] == [
        (2, "removed lone surrogates (U+DC00)")
    ]


_DEFINITION = re.compile(
    "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x84\\x86-\\x9f\\ud800-\\udfff\\ufdd0-\\ufdef\\ue000-\\ue008"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
    + "]"
)


@given(
    st.text(
        st.one_of(
            st.characters(codec=None, exclude_categories=()),
            st.sampled_from(
                "\x00\x85\ufffe\U0001fffe\U0001ffff\U0010ffff\U0010fffd\U0002fffd\ue000"
            ),
        )
    )
)
def test_the_forbidden_patterns_are_their_definition(text: str) -> None:
    """The quick patterns (one astral range, its noncharacters kept) find what the
    plain class of every forbidden code point finds, no more, no less."""
    assert forbidden.FORBIDDEN.findall(text) == _DEFINITION.findall(text)
    assert forbidden.FORBIDDEN.sub("", text) == _DEFINITION.sub("", text)
    assert (forbidden.FORBIDDEN.search(text) is None) is (_DEFINITION.search(text) is None)
    unmarked = [c for c in _DEFINITION.findall(text) if not "\ue000" <= c <= "\ue008"]
    assert forbidden.UNMARKED.findall(text) == unmarked
