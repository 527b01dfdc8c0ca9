"""Typography by language: quotation marks, apostrophes, dashes, ellipses and spaces.

The rules of each language are data (``<tag>.toml`` beside this file, each with
its sources); ``smarten_blocks(blocks, lang)`` applies them. A language with no
table keeps its quotes as typed. Without a language, English.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from packager.text.typography import engine
from packager.text.typography.rules import NEUTRAL, Rules, languages, rules_for

__all__ = [
    "Rules",
    "has_rules",
    "languages",
    "rules_for",
    "smarten",
    "smarten_blocks",
    "smarten_text",
    "smartener",
]

Blocks = Callable[[Sequence[Sequence[str]]], list[list[str]]]


def has_rules(lang: str) -> bool:
    """Whether packager knows this language's typography (else its quotes stay as typed)."""
    return rules_for(lang) is not None


def _rules(lang: str) -> Rules:
    return rules_for(lang) or NEUTRAL


def smarten_blocks(blocks: Sequence[Sequence[str]], lang: str = "en") -> list[list[str]]:
    """Typographer's punctuation for the text runs of many blocks (a chapter) at once."""
    return engine.smarten_blocks(blocks, _rules(lang))


def smarten(segments: Sequence[str], lang: str = "en") -> list[str]:
    """The text runs of one block with typographer's punctuation."""
    return engine.smarten_blocks([segments], _rules(lang))[0]


def smarten_text(text: str, lang: str = "en") -> str:
    """Typographer's punctuation for a single run of text (a title, a name)."""
    return engine.smarten_blocks([[text]], _rules(lang))[0][0]


def smartener(lang: str) -> Blocks:
    """``smarten_blocks`` in one language, for ``html.map_text``."""
    rules = _rules(lang)
    return lambda blocks: engine.smarten_blocks(blocks, rules)
