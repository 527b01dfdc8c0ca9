"""Straight quotes to a language's quotation marks and apostrophes, one block at a time.

Whether a quote mark opens or closes is read from its neighbours (a space or
an opening bracket before it, a word after it) and, where that is ambiguous,
from the quotes already open. In scripts written without spaces (Chinese,
Japanese) marks simply open and close in turn. English keeps the level the
writer typed ("..." outside, '...' inside, or the British way round); other
languages take the level from the nesting: the outer quotation gets the
language's first marks, a quotation inside it the second.
Every replacement is one character for one, so runs split by markup keep
their lengths.
"""

from __future__ import annotations

import re

from packager.text.typography.rules import Rules

# Characters after which a quote opens rather than closes.
_OPENERS = frozenset("([{<\u2018\u201c/\u00bf\u00a1\u00ab\u201e\u201a\u300c\u300e")
_DASHES = frozenset("\u2014\u2013-")
_ENDS_WORD = frozenset(".,;:!?)]}\u2026")
_QUOTE = re.compile("[\"']")


def curl(text: str, rules: Rules) -> str:
    """The block's text with its straight quotes curled (same length)."""
    if rules.as_typed and not rules.alternate:
        return _as_typed(text, rules)
    return _by_level(text, rules)


def _as_typed(text: str, rules: Rules) -> str:
    (ldq, rdq), (lsq, rsq) = rules.primary, rules.secondary
    # Built from slices: a block's quotes are few, its characters many.
    parts: list[str] = []
    last = 0  # the text up to here is in parts
    mark = ""  # the mark that replaced the quote just before ``last``
    double_open = False
    n = len(text)
    for match in _QUOTE.finditer(text):
        i = match.start()
        # The character before, as curled so far (a quote just before is its mark).
        prev = mark if i == last and i > 0 else (text[i - 1] if i > 0 else "")
        nxt = text[i + 1] if i + 1 < n else ""
        if match.group(0) == '"':
            opening = _double_opens(prev, nxt, double_open)
            mark = ldq if opening else rdq
            double_open = opening
        else:
            mark = lsq if _single_opens(prev, nxt, text, i, rules) else rsq
        parts.append(text[last:i])
        parts.append(mark)
        last = i + 1
    parts.append(text[last:])
    return "".join(parts)


def _by_level(text: str, rules: Rules) -> str:
    chars = list(text)
    stack: list[str] = []  # the kinds of quote open, outermost first
    n = len(text)
    own = re.compile(f"[{rules.own_letters}]") if rules.own_letters else None
    # Marks of the language the writer typed themselves (« », „ “) count in the nesting.
    typed = {o: c for o, c in (rules.primary, rules.secondary) if o != c}
    closers = {c: o for o, c in typed.items()}
    pattern = re.compile("[\"'" + re.escape("".join(typed) + "".join(closers)) + "]")
    for match in (pattern if typed else _QUOTE).finditer(text):
        i, kind = match.start(), match.group(0)
        if kind in typed:
            stack.append(kind)
            continue
        if kind in closers:
            if closers[kind] in stack:
                while stack.pop() != closers[kind]:
                    pass
            continue
        prev = chars[i - 1] if i > 0 else ""
        nxt = text[i + 1] if i + 1 < n else ""
        opening: bool | None
        if own is not None and own.fullmatch(prev or " "):
            mark = _hebrew(text, i, kind, own, rules, stack)
            if mark:
                chars[i] = mark
                continue
            if mark is None:  # a quotation opening after a one-letter prefix
                chars[i] = _mark(rules, len(stack), 0)
                stack.append(kind)
                continue
        if rules.alternate:
            opening = _alternate_opens(kind, prev, nxt, stack)
        elif kind == '"':
            opening = _double_opens(prev, nxt, '"' in stack)
        else:
            opening = _single_kind(prev, nxt, text, i, rules)
        if opening is None:
            chars[i] = rules.apostrophe
        elif opening:
            chars[i] = _mark(rules, len(stack), 0)
            stack.append(kind)
        elif kind in stack:
            while stack.pop() != kind:
                pass
            chars[i] = _mark(rules, len(stack), 1)
        elif kind == '"' or not prev.isalnum():
            chars[i] = _mark(rules, 0, 1)  # a close with no open (a quotation across paragraphs)
        else:
            chars[i] = rules.apostrophe  # the dogs' bowls, Klaus' book
    return "".join(chars)


def _hebrew(
    text: str, i: int, kind: str, own: re.Pattern[str], rules: Rules, stack: list[str]
) -> str | None:
    """After a Hebrew letter: gershayim or geresh, None for a quote that opens, "" for others."""
    prev = text[i - 1]
    nxt = text[i + 1] if i + 1 < len(text) else ""
    after = text[i + 2] if i + 2 < len(text) else ""
    alone = i < 2 or not own.fullmatch(text[i - 2])  # prev is a word of one letter
    if kind == '"' and own.fullmatch(nxt or " "):
        if not own.fullmatch(after or " "):
            return rules.gershayim  # before a word's last letter: an acronym (צה״ל)
        return None if alone and prev in rules.prefixes else rules.gershayim
    if kind == "'" and "'" not in stack:
        if prev in rules.geresh_after or not own.fullmatch(nxt or " "):
            return rules.geresh  # ג׳ירפה, רח׳
        return None if alone and prev in rules.prefixes else rules.geresh
    return ""


def _mark(rules: Rules, level: int, side: int) -> str:
    return (rules.primary if level % 2 == 0 else rules.secondary)[side]


def _alternate_opens(kind: str, prev: str, nxt: str, stack: list[str]) -> bool | None:
    if kind == "'" and prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum():
        return None  # an apostrophe in a Latin word (it's)
    return kind not in stack


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


def _single_kind(prev: str, nxt: str, text: str, i: int, rules: Rules) -> bool | None:
    """True: an opening quote; False: a closing one (or an apostrophe); None: an apostrophe."""
    if prev.isalnum() and nxt.isalnum():
        return None  # l'homme, don't
    if prev and not (prev.isspace() or prev in _OPENERS or prev in _DASHES):
        return False
    if not nxt or nxt.isspace():
        return False
    return None if rules.elision_re.match(text, i + 1) and nxt.isalnum() else True


def _single_opens(prev: str, nxt: str, text: str, i: int, rules: Rules) -> bool:
    if prev and not (prev.isspace() or prev in _OPENERS or prev in _DASHES):
        return False  # inside or after a word: apostrophe or closing quote
    if not nxt or nxt.isspace():
        return False
    # After a space, before a word: an opening quote unless it is an elision.
    return not (rules.elision_re.match(text, i + 1) and (nxt.isalnum()))
