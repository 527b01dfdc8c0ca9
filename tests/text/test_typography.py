"""Typographer's punctuation, one rule at a time."""

from __future__ import annotations

import pytest

from packager.text import html
from packager.text.typography import smarten, smarten_blocks, smarten_text

CASES = [
    ('"Hello," she said.', "\u201cHello,\u201d she said."),
    ("'Hello,' she said.", "\u2018Hello,\u2019 she said."),
    ("don't, won't, rock'n'roll", "don\u2019t, won\u2019t, rock\u2019n\u2019roll"),
    ("Tell 'em I said so.", "Tell \u2019em I said so."),
    ("back in the '90s and '20s", "back in the \u201990s and \u201920s"),
    ("rock 'n' roll", "rock \u2019n\u2019 roll"),
    ("'Tis the season", "\u2019Tis the season"),
    ("the dogs' bowls", "the dogs\u2019 bowls"),
    ("\"'Hi,' he said,\" she said.", "\u201c\u2018Hi,\u2019 he said,\u201d she said."),
    ('"I don\'t want you to think-"', "\u201cI don\u2019t want you to think\u2014\u201d"),
    ("Willow- p-p-please. I- I care", "Willow\u2014p-p-please. I\u2014I care"),
    ("pre- and post-war, first- or second-hand", "pre- and post-war, first- or second-hand"),
    ("the tide - it was high", "the tide \u2014 it was high"),
    ("- fin -", "- fin -"),
    ('He said--"Run!"', "He said\u2014\u201cRun!\u201d"),
    ('"Wait--" she said.', "\u201cWait\u2014\u201d she said."),
    ("a Tuesday -- a low grey wall", "a Tuesday \u2014 a low grey wall"),
    ("and then---nothing", "and then\u2014nothing"),
    ("And if the glass fogs...", "And if the glass fogs\u2026"),
    ("closer . . . and then", "closer \u2026 and then"),
    ("the log again. . . . There", "the log again.\u00a0\u2026 There"),
    ("Four dots....", "Four dots\u2026."),
    ('(" quoted ")', "(\u201c quoted \u201d)"),
    ("p-p-please, Th-thank y-y-you", "p-p-please, Th-thank y-y-you"),
    ("well-known half-hearted", "well-known half-hearted"),
    ('" Dear Willow,', "\u201c Dear Willow,"),
]


@pytest.mark.parametrize(("typed", "expected"), CASES)
def test_smarten_text(typed: str, expected: str) -> None:
    assert smarten_text(typed) == expected


def test_quotes_see_across_inline_markup() -> None:
    # '"' before <em> opens, '"' after </em> closes: context crosses the runs.
    assert smarten(['She said "', "never", '" and left.']) == [
        "She said \u201c",
        "never",
        "\u201d and left.",
    ]


def test_map_text_skips_code_and_keeps_markup() -> None:
    fragment = '<p>"Go," he said -- <em>now</em>.</p><pre>x = "raw" -- \'kept\'</pre>'
    out = html.map_text(fragment, smarten_blocks)
    assert out.startswith("<p>\u201cGo,\u201d he said \u2014 <em>now</em>.</p>")
    assert "<pre>x = \"raw\" -- 'kept'</pre>" in out


def test_no_straight_quote_survives_ordinary_prose() -> None:
    prose = (
        "\"It's late,\" said Ana. 'Is it?' asked Bo. \"He said 'no' -- twice.\" "
        'The \'80s weren\'t kind... "Well," she said, "that\'s that."'
    )
    out = smarten_text(prose)
    assert "'" not in out and '"' not in out
    assert out.count("\u201c") == out.count("\u201d") == 4
