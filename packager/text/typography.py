"""Typographer's punctuation: curly quotes and apostrophes, em dashes, ellipses.

Works on the text runs of one block (a paragraph split by inline markup such as
``<em>``), so that a quote before ``<em>word</em>`` knows what follows it.
Hyphens are never touched: stutters such as ``p-p-please`` stay as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

LDQ, RDQ, LSQ, RSQ = "\u201c", "\u201d", "\u2018", "\u2019"
EM_DASH, ELLIPSIS = "\u2014", "\u2026"

# Words that begin with an apostrophe standing for dropped letters ('em, 'tis,
# rock 'n' roll) and decades ('90s). Anything else after a space is an
# opening single quote. The list is short on purpose: 'round or 'er are as
# often the first word of a quotation as an elision.
_ELISION = re.compile(
    r"(?:em|tis|twas|til|cause|cos|cuz|bout|nuff|n|kay|scuse|sup|\d0s|\d\d)(?![\w])",
    re.IGNORECASE,
)
# Characters after which a quote opens rather than closes.
_OPENERS = frozenset("([{<\u2018\u201c/")
_DASHES = frozenset("\u2014\u2013-")
_ENDS_WORD = frozenset(".,;:!?)]}\u2026")

_QUOTE = re.compile("[\"']")
_DASH = re.compile(r"-{2,3}")
# A dash typed as a hyphen and a space ("Willow- please", "I- I care"), or as
# a hyphen cut off by a closing quote ("think-"): an em dash. A hyphen left
# hanging before "and"/"or"/"to" ("pre- and post-war") is a hyphen.
# (Each pattern starts with its literal character, so re can skip to it quickly;
# the look-behind that follows checks the letter before.)
_HANGING = re.compile(r"- (?<=[^\W\d_]- )(?=[^\W\d_])(?!(?:and|or|nor|to|&)\b)")
_CUT_OFF = re.compile(r"-(?<=[^\W\d_]-)(?=[\"”’'])")
# A hyphen standing between spaces in running text: a spaced dash.
_SPACED = re.compile(r" - (?<=\w - )(?=\w)")
_SPACED_DOTS = re.compile(r"\.[ \u00a0]\.[ \u00a0]\.")
# ". . . ." after a word is a full stop followed by an ellipsis.
_STOP_AND_DOTS = re.compile(r"\.(?<=\w\.)[ \u00a0]\.[ \u00a0]\.[ \u00a0]\.")
_DOTS = re.compile(r"\.\.\.")


def smarten(segments: Sequence[str]) -> list[str]:
    """Return the text runs of one block with typographer's punctuation."""
    return smarten_blocks([segments])[0]


def smarten_blocks(blocks: Sequence[Sequence[str]]) -> list[list[str]]:
    """Typographer's punctuation for the text runs of many blocks (a chapter) at once.

    Quote direction is decided per block on its runs joined, so context crosses
    inline markup but not paragraphs. Dashes and ellipses, which need no
    context, are replaced in one pass over every run (runs kept apart by NUL,
    which story text cannot contain).
    """
    curled: list[list[str]] = []
    for runs in blocks:
        joined = "".join(runs)
        if "-" in joined or "'" in joined or '"' in joined:
            if "-" in joined:
                joined = _CUT_OFF.sub(EM_DASH, joined)  # one character for one
            if "'" in joined or '"' in joined:
                joined = _curl_quotes(joined)
            curled.append(_split_like(joined, runs))
        else:
            curled.append(list(runs))
    flat = [run for runs in curled for run in runs]
    if any("\x00" in run for run in flat):
        done = [_dashes_and_dots(run) for run in flat]
    else:
        done = _dashes_and_dots("\x00".join(flat)).split("\x00")
    out: list[list[str]] = []
    pos = 0
    for runs in curled:
        out.append(done[pos : pos + len(runs)])
        pos += len(runs)
    return out


def _split_like(text: str, runs: Sequence[str]) -> list[str]:
    out, pos = [], 0
    for run in runs:
        out.append(text[pos : pos + len(run)])
        pos += len(run)
    return out


def smarten_text(text: str) -> str:
    """Typographer's punctuation for a single run of text (a title, a name)."""
    return smarten([text])[0]


def _dashes_and_dots(text: str) -> str:
    if "--" in text:
        text = _DASH.sub(EM_DASH, text)
    if "-" in text:
        text = _HANGING.sub(EM_DASH, text)
        text = _SPACED.sub(" " + EM_DASH + " ", text)
    if ".." in text or ". ." in text or ".\u00a0." in text:
        text = _STOP_AND_DOTS.sub(".\u00a0" + ELLIPSIS, text)
        text = _SPACED_DOTS.sub(ELLIPSIS, text)
        text = _DOTS.sub(ELLIPSIS, text)
    return text


def _curl_quotes(text: str) -> str:
    chars = list(text)
    double_open = False
    n = len(text)
    for match in _QUOTE.finditer(text):
        i = match.start()
        prev = chars[i - 1] if i > 0 else ""
        nxt = text[i + 1] if i + 1 < n else ""
        if match.group(0) == '"':
            opening = _double_opens(prev, nxt, double_open)
            chars[i] = LDQ if opening else RDQ
            double_open = opening
        else:
            chars[i] = LSQ if _single_opens(prev, nxt, text, i) else RSQ
    return "".join(chars)


def _double_opens(prev: str, nxt: str, currently_open: bool) -> bool:
    if not prev:
        return bool(nxt)  # a lone quote mark at the very end closes
    if not nxt:
        return False
    before_space = prev.isspace() or prev in _OPENERS
    after_space = nxt.isspace() or nxt in _ENDS_WORD
    if before_space and not after_space:
        return True
    if before_space or (prev in _DASHES and not after_space):
        # A quote between spaces, or after a dash ("I said—"she vs. she said—"Run"):
        # the quotes already open or closed decide.
        return not currently_open
    return False


def _single_opens(prev: str, nxt: str, text: str, i: int) -> bool:
    if prev and not (prev.isspace() or prev in _OPENERS or prev in _DASHES):
        return False  # inside or after a word: apostrophe or closing quote
    if not nxt or nxt.isspace():
        return False
    # After a space, before a word: an opening quote unless it is an elision.
    return not (_ELISION.match(text, i + 1) and (nxt.isalnum()))
