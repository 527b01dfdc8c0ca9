"""The typography tables: one TOML file per language beside this module, read once.

Each file names its sources (CLDR's delimiters, the national style guides). A
language is found by its BCP 47 tag, most specific first ("de-CH-1996" ->
"de-CH" -> "de"); a language without a file has no rules, and its quotes stay
as typed.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

# Tags whose table is found under another name: the script a region writes in,
# the Norwegian macrolanguage (written Bokmål in nine books of ten), old codes.
_ALIASES = {
    "zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-my": "zh-Hans",
    "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant",
    "no": "nb", "iw": "he", "in": "id",
}  # fmt: skip


@dataclass(frozen=True)
class Rules:
    """How one language sets quotes, apostrophes, dashes, ellipses and spaces."""

    tag: str  # the table's own tag, e.g. "de-CH"
    sources: tuple[str, ...]
    primary: tuple[str, str]  # the quotation marks of the outer level
    secondary: tuple[str, str]  # and of a quotation inside it
    apostrophe: str = "\u2019"
    as_typed: bool = False  # typed " is the primary level, ' the secondary (English)
    alternate: bool = False  # no spaces between words (CJK): quotes open and close in turn
    elisions: tuple[str, ...] = ()  # words an apostrophe starts ('em, 's)
    # Hebrew: gershayim and geresh typed as " and ' between the script's letters.
    gershayim: str = ""
    geresh: str = ""
    own_letters: str = ""  # a regex class of the script's letters, e.g. "\u05d0-\u05ea"
    geresh_after: str = ""  # letters a geresh follows inside a word (ג׳ירפה)
    prefixes: str = ""  # one-letter words a quotation follows without a space (ל״…״)
    dash: str = "\u2014"
    dash_spaced: bool = False  # word--word becomes word – word
    dash_attached: bool = False  # Spanish incisos: "—dijo él—", paired, no inner spaces
    nbsp_before_dash: bool = False  # the dash never starts a line (Russian, French)
    hanging: tuple[str, ...] = ()  # "Willow- please" is a dash, unless one of these follows
    cut_off: bool = False  # "think-" before a closing quote is a dash
    dialogue: str = ""  # what a hyphen opening a paragraph of dialogue becomes
    dialogue_space: str = " "  # and what follows it
    ellipsis: str = "\u2026"
    space_before: tuple[tuple[str, str], ...] = ()  # (punctuation, space) e.g. ("?", U+202F)
    space_inside: str = ""  # inside « » and ‹ ›
    curls: bool = True  # False: no table, quotes stay as typed
    spaced_hyphen: bool = True  # "the tide - it was high": a dash
    elision_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    hanging_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    block_rules: bool = field(init=False, repr=False, compare=False)  # rules on a paragraph
    spaced_dash: str = field(init=False, repr=False, compare=False)  # " — "

    def __post_init__(self) -> None:
        words = "|".join(re.escape(w) for w in self.elisions)
        # Decades and years ('90s, '68) lose their digits in every language.
        pattern = rf"(?:{words + '|' if words else ''}\d0s|\d\d)(?![\w])"
        object.__setattr__(self, "elision_re", re.compile(pattern, re.IGNORECASE))
        hanging = None
        if self.hanging:
            # A dash typed as a hyphen and a space ("Willow- please", "I- I care"); a
            # hyphen left hanging before "and"/"or" ("pre- and post-war") is a hyphen.
            # (The pattern starts with its literal character, so re can skip to it
            # quickly; the look-behind that follows checks the letter before.)
            unless = "|".join(re.escape(w) for w in self.hanging)
            hanging = re.compile(rf"- (?<=[^\W\d_]- )(?=[^\W\d_])(?!(?:{unless})\b)")
        object.__setattr__(self, "hanging_re", hanging)
        paragraph = self.dialogue or self.dash_attached or self.space_before or self.space_inside
        object.__setattr__(self, "block_rules", bool(paragraph))
        object.__setattr__(self, "spaced_dash", f" {self.dash} ")


# A language packager has no table for: quotes stay as typed; only what every
# language agrees on is done ("--" is a dash, "..." an ellipsis).
NEUTRAL = Rules(
    tag="", sources=(), primary=('"', '"'), secondary=("'", "'"), curls=False, spaced_hyphen=False
)


def rules_for(tag: str) -> Rules | None:
    """The rules of a BCP 47 language tag, or None if packager has no table for it."""
    return _lookup(tag.strip().replace("_", "-").casefold())


@functools.cache
def _lookup(tag: str) -> Rules | None:
    tables = _tables()
    parts = tag.split("-")
    while parts:
        name = "-".join(parts)
        name = _ALIASES.get(name, name)
        if name.casefold() in tables:
            return tables[name.casefold()]
        parts.pop()
    return None


@functools.cache
def _tables() -> dict[str, Rules]:
    return {path.stem.casefold(): load(path) for path in sorted(HERE.glob("*.toml"))}


def languages() -> tuple[str, ...]:
    """The tags that have a table, e.g. ("ar", "bg", ...)."""
    return tuple(r.tag for r in _tables().values())


def load(path: Path) -> Rules:
    """One table; a malformed file is a bug in packager, so it raises plainly."""
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    quotes, dashes = data.get("quotes", {}), data.get("dashes", {})
    words, spacing = data.get("apostrophe", {}), data.get("spacing", {})
    between = words.get("between_letters", {})
    return Rules(
        tag=path.stem,
        sources=tuple(data["sources"]),
        primary=_pair(quotes["primary"]),
        secondary=_pair(quotes["secondary"]),
        apostrophe=words.get("mark", "\u2019"),
        as_typed=quotes.get("nesting", "level") == "as-typed",
        alternate=quotes.get("direction", "spaces") == "alternate",
        elisions=tuple(words.get("elisions", ())),
        gershayim=between.get("double", ""),
        geresh=between.get("single", ""),
        own_letters=between.get("letters", ""),
        geresh_after=between.get("geresh_after", ""),
        prefixes=between.get("prefixes", ""),
        dash=dashes.get("dash", "\u2014"),
        dash_spaced=dashes.get("spaced", False),
        dash_attached=dashes.get("attached", False),
        nbsp_before_dash=dashes.get("no_break_before", False),
        hanging=tuple(dashes.get("hanging_unless", ())),
        cut_off=dashes.get("cut_off", False),
        dialogue=dashes.get("dialogue", ""),
        dialogue_space=dashes.get("dialogue_space", " "),
        ellipsis=data.get("ellipsis", "\u2026"),
        space_before=tuple(sorted(spacing.get("before", {}).items())),
        space_inside=spacing.get("inside_guillemets", ""),
    )


def _pair(marks: list[str]) -> tuple[str, str]:
    opening, closing = marks
    return opening, closing
