"""Long text nodes cut into runs for print: same text, same characters, bounded nodes."""

from __future__ import annotations

import re

import lxml.html

from packager.text import runs


def test_long_text_is_cut_at_spaces_into_bare_text_and_spans() -> None:
    words = " ".join(f"w{i}" for i in range(3000))
    document = f"<html><head><style>{'x' * 5000}</style></head><body><p>{words}</p></body></html>"
    cut = runs.in_spans(document)
    root = lxml.html.document_fromstring(cut)
    paragraph = root.find(".//p")
    assert paragraph.text_content() == words  # every character, in order
    assert root.find(".//style").text == "x" * 5000  # a style sheet is not text
    nodes = [paragraph.text, *(s.text for s in paragraph), *(s.tail for s in paragraph)]
    assert max(len(n or "") for n in nodes) <= runs.RUN + 10
    assert [s.tag for s in paragraph] == ["span"] * len(paragraph)
    assert all(not s.attrib for s in paragraph)
    assert paragraph.text and all(s.tail for s in paragraph[:-1])  # text, span, text, span...
    assert not re.search(r"[^ ](?=</?span>)", cut)  # every cut after a space: no word split


def test_short_text_and_text_without_spaces_are_left_alone() -> None:
    short = "<p>" + "word " * 300 + "</p>"
    assert runs.in_spans(short) == short
    japanese = "<p>" + "日本語の文章" * 600 + "</p>"
    assert runs.in_spans(japanese) == japanese
    sentences = "<p>" + "日本語の文章。" * 600 + "</p>"
    assert runs.in_spans(sentences).count("<span>") > 0
