"""Typographer's punctuation for the text runs of many blocks, by a language's rules.

Quote direction is decided per block on its runs joined, so context crosses
inline markup (a quote before ``<em>word</em>`` knows what follows it) but not
paragraphs. Dashes and ellipses, which need no context, are replaced in one
pass over every run (runs kept apart by NUL, which story text cannot contain).
Hyphens inside words are never touched: stutters such as ``p-p-please`` stay.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from packager.text.typography import spacing
from packager.text.typography.quotes import curl
from packager.text.typography.rules import Rules

_DASH = re.compile(r"-{2,3}")
# Two or three hyphens between letters, in a language that spaces its dash.
_DASH_IN_WORDS = re.compile(r"(?<=[^\W\d_])-{2,3}(?=[^\W\d_])")
# A hyphen standing between spaces in running text: a spaced dash.
_SPACED = re.compile(r" - (?<=\w - )(?=\w)")
# Elsewhere after punctuation too: Russian and French dialogue, "Привет, - сказал он".
_SPACED_WIDE = re.compile(r" - (?<=\S - )(?=[^\W\d_]|[«„“\"¿¡(])")
_SPACED_DOTS = re.compile(r"\.[ \u00a0]\.[ \u00a0]\.")
# ". . . ." after a word is a full stop followed by an ellipsis.
_STOP_AND_DOTS = re.compile(r"\.(?<=\w\.)[ \u00a0]\.[ \u00a0]\.[ \u00a0]\.")
_DOTS = re.compile(r"\.\.\.")
_LONG_DOTS = re.compile(r"\.{3,6}")  # Chinese and Japanese: three dots or six, one ……
# A dash typed as a hyphen cut off by a closing quote ("think-"): an em dash.
_CUT_OFF = re.compile(r"-(?<=[^\W\d_]-)(?=[\"”’'])")


def smarten_blocks(blocks: Sequence[Sequence[str]], rules: Rules) -> list[list[str]]:
    """The blocks' runs with the language's quotes, dashes, ellipses and spaces."""
    curled: list[list[str]] = []
    for runs in blocks:
        joined = "".join(runs)
        if "-" in joined or "'" in joined or '"' in joined:
            if rules.cut_off and "-" in joined:
                joined = _CUT_OFF.sub(rules.dash, joined)  # one character for one
            if rules.curls and ("'" in joined or '"' in joined):
                joined = curl(joined, rules)
            runs = _split_like(joined, runs)
        curled.append(spacing.block(runs, rules) if rules.block_rules else list(runs))
    flat = [run for runs in curled for run in runs]
    fix = functools.partial(_dashes_and_dots, rules=rules)
    done = [fix(run) for run in flat] if any("\x00" in r for r in flat) else _joined(flat, rules)
    out: list[list[str]] = []
    pos = 0
    for runs in curled:
        out.append(done[pos : pos + len(runs)])
        pos += len(runs)
    return out


def _joined(flat: list[str], rules: Rules) -> list[str]:
    return _dashes_and_dots("\x00".join(flat), rules).split("\x00")


def _split_like(text: str, runs: Sequence[str]) -> list[str]:
    out, pos = [], 0
    for run in runs:
        out.append(text[pos : pos + len(run)])
        pos += len(run)
    return out


def _dashes_and_dots(text: str, rules: Rules) -> str:
    dash = rules.dash
    if "--" in text:
        if rules.dash_spaced:
            text = _DASH_IN_WORDS.sub(rules.spaced_dash, text)
        text = _DASH.sub(dash, text)
    if "-" in text and rules.spaced_hyphen:
        if rules.hanging_re is not None:
            text = rules.hanging_re.sub(dash, text)
        text = (_SPACED if rules.as_typed else _SPACED_WIDE).sub(rules.spaced_dash, text)
    if rules.nbsp_before_dash and rules.spaced_dash in text:
        text = re.sub(rf"(?<=\S) (?={re.escape(dash)} )", "\u00a0", text)
    if ".." in text or ". ." in text or ".\u00a0." in text:
        if rules.ellipsis != "\u2026":
            return _LONG_DOTS.sub(rules.ellipsis, text)
        text = _STOP_AND_DOTS.sub(".\u00a0" + rules.ellipsis, text)
        text = _SPACED_DOTS.sub(rules.ellipsis, text)
        text = _DOTS.sub(rules.ellipsis, text)
    return text
