"""Rules that see a whole paragraph and change its length: dialogue dashes, the
Spanish paired dash, and the no-break spaces French sets before ``? ! ; :``
and inside « ».

Each rule finds its edits on the paragraph's text joined; the edits are then
put back into the runs the markup split it into, so ``<em>`` and links stay
where they were.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence

from packager.text.typography.rules import Rules

Edit = tuple[int, int, str, bool]  # replace text[start:end] by the string; True: keep it left

# A paragraph opening with a typed dash: one to three hyphens (or the dialogue
# dash itself), then what is said. A number ("-5 degrees") is not dialogue.
_OPENING = re.compile(
    r"\s*(?P<dash>-{1,3}|[\u2013\u2014])(?P<space>[ \u00a0]*)(?=[^\W\d_]|[\"'«“„‘¿¡…(])"
)
# Spanish incisos: a hyphen (or two) that touches a word on one side only.
_INCISO = re.compile(r"(?P<pre>[ \u00a0]?)(?P<dash>-{1,2})(?P<post>[ \u00a0]?)")
_SPACES = "[ \u00a0\u202f\u2009]*"
_AFTER_OK = frozenset("»”’\"')]}.,…?!;:")
_CLOSERS = frozenset(".!?…»”’\"')")
_STOPS = frozenset(".,;:?!…")
_STARTS = frozenset("¿¡«“\"'(")


def block(runs: Sequence[str], rules: Rules) -> list[str]:
    """One paragraph's runs with its dialogue dashes and no-break spaces."""
    text = "".join(runs)
    edits: list[Edit] = []
    start = 0
    if rules.dialogue:
        found = _OPENING.match(text)
        dash = found.group("dash") if found else ""
        if found and (dash.startswith("-") or dash == rules.dialogue):
            edits.append(
                (
                    found.start("dash"),
                    found.end("space"),
                    rules.dialogue + rules.dialogue_space,
                    False,
                )
            )
            start = found.end("space")
    if rules.dash_attached and "-" in text:
        edits.extend(_incisos(text, start))
    if rules.space_before or rules.space_inside:
        edits.extend(_french_spaces(text, rules))
    if not edits:
        return list(runs)
    return _edit_runs(runs, sorted(edits))


def _incisos(text: str, start: int) -> list[Edit]:
    """Spanish and Catalan: "—dijo él—", each dash against the words it encloses."""
    edits: list[Edit] = []
    is_open = False
    for m in _INCISO.finditer(text, start):
        a, b = m.start(), m.end()
        before = text[a - 1] if a > 0 else ""
        after = text[b] if b < len(text) else ""
        pre, post = m.group("pre"), m.group("post")
        if not pre and not post and before.isalnum() and after.isalnum():
            continue  # a hyphen in a word (franco-alemán)
        if is_open:
            if (before.isalpha() or before in _CLOSERS) and (post or not after or after in _STOPS):
                edits.append((a, m.end("dash"), "\u2014", False))  # "dijo él -." -> "dijo él—."
                is_open = False
        elif (pre or not before) and (after.isalpha() or after in _STARTS):
            edits.append((m.start("dash"), b, "\u2014", False))  # " - dijo" -> " —dijo"
            is_open = True
    return edits


@functools.cache
def _marks(marks: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(marks)}]")


_AFTER_OPENING = re.compile(f"(?<=[«‹]){_SPACES}(?=\\S)")
_BEFORE_CLOSING = re.compile(f"(?<=\\S){_SPACES}(?=[»›])")
_SPACE_CHARS = frozenset(" \u00a0\u202f\u2009")


def _french_spaces(text: str, rules: Rules) -> list[Edit]:
    edits: list[Edit] = []
    spaced = dict(rules.space_before)
    if spaced and any(mark in text for mark in spaced):
        for m in _marks("".join(spaced)).finditer(text):
            start = m.start()
            while start > 0 and text[start - 1] in _SPACE_CHARS:
                start -= 1  # the spaces the writer typed before it
            before = text[start - 1] if start > 0 else ""
            after = text[m.end()] if m.end() < len(text) else ""
            if not before or before.isspace() or before in spaced:
                continue  # the start of a line, or "?!" (one space before the group)
            if after and not (after.isspace() or after in _AFTER_OK or after in spaced):
                continue  # "10:30", "http://", "?id=": not punctuation of a sentence
            space = spaced[m.group(0)]
            if text[start : m.start()] != space:
                edits.append((start, m.start(), space, False))
    if rules.space_inside and ("«" in text or "‹" in text):
        inside = rules.space_inside
        for m in _AFTER_OPENING.finditer(text):
            if m.group(0) != inside:
                edits.append((m.start(), m.end(), inside, True))  # with the «
        for m in _BEFORE_CLOSING.finditer(text):
            if m.group(0) != inside:
                edits.append((m.start(), m.end(), inside, False))  # with the »
    return edits


def _edit_runs(runs: Sequence[str], edits: Sequence[Edit]) -> list[str]:
    """Apply edits made on the joined text to the runs it was joined from.

    An edit's new text goes to the run its first character is in (a space
    inserted before "?" stays with the "?"), or the run before it when it keeps
    left (the space after «); the characters it replaces are taken from
    whichever runs hold them.
    """
    owners = [i for i, run in enumerate(runs) if run]  # empty runs hold nothing
    starts: list[int] = []
    pos = 0
    for i in owners:
        starts.append(pos)
        pos += len(runs[i])
    pieces: list[list[str]] = [[] for _ in runs]
    text = "".join(runs)
    if not owners:
        return list(runs)

    def owner(at: int) -> int:
        return max(0, bisect.bisect_right(starts, at) - 1)

    def copy(a: int, b: int) -> None:
        while a < b:
            k = owner(a)
            end = min(b, starts[k] + len(runs[owners[k]]))
            pieces[owners[k]].append(text[a:end])
            a = end

    done = 0
    for begin, end, new, left in edits:
        if begin < done:
            continue  # overlaps an edit already made: the first one wins
        copy(done, begin)
        at = begin - 1 if left and begin > 0 else begin
        pieces[owners[owner(min(at, len(text) - 1))]].append(new)
        done = end
    copy(done, len(text))
    return ["".join(p) for p in pieces]
