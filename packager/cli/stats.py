"""The numbers an editor puts in an announcement: words, reading time, ratings.

Pure: a collection's stories in, a Stats record out; the command line prints
it as a table or as JSON.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from packager.model import Story

# Silent reading of fiction, adults: about 260 words a minute (Brysbaert 2019,
# a meta-analysis of 190 studies); 250 keeps the estimate round and modest.
WORDS_PER_MINUTE = 250


@dataclass(frozen=True)
class StoryStats:
    file: str
    title: str
    authors: tuple[str, ...]
    words: int
    chapters: int
    minutes: int  # reading time, rounded up
    rating: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    title: str
    stories: tuple[StoryStats, ...]
    words: int
    minutes: int
    words_per_minute: int
    authors: tuple[str, ...]  # in order of first appearance
    ratings: tuple[tuple[str, int], ...]  # rating -> stories, most common first
    warnings: tuple[tuple[str, int], ...]  # archive warning -> stories
    longest: str  # file name ("" for no stories)
    shortest: str

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratings"] = dict(self.ratings)
        data["warnings"] = dict(self.warnings)
        return data


def reading_minutes(words: int, wpm: int = WORDS_PER_MINUTE) -> int:
    return math.ceil(words / wpm) if words else 0


def collect(title: str, stories: Sequence[Story], wpm: int = WORDS_PER_MINUTE) -> Stats:
    rows = tuple(
        StoryStats(
            file=s.name,
            title=s.meta.title,
            authors=s.meta.authors,
            words=s.words,
            chapters=sum(1 for c in s.chapters if c.title) or 1,
            minutes=reading_minutes(s.words, wpm),
            rating=s.meta.rating,
            warnings=s.meta.warnings,
        )
        for s in stories
    )
    words = sum(r.words for r in rows)
    ratings = Counter(r.rating or "Not rated" for r in rows)
    warnings = Counter(w for r in rows for w in dict.fromkeys(r.warnings))
    # Ties go to the earlier story: max/min keep the first of equal keys.
    longest = max(rows, key=lambda r: r.words).file if rows else ""
    shortest = min(rows, key=lambda r: r.words).file if rows else ""
    return Stats(
        title=title,
        stories=rows,
        words=words,
        minutes=reading_minutes(words, wpm),
        words_per_minute=wpm,
        authors=tuple(dict.fromkeys(a for r in rows for a in r.authors)),
        ratings=tuple(ratings.most_common()),
        warnings=tuple(warnings.most_common()),
        longest=longest,
        shortest=shortest,
    )


def duration(minutes: int) -> str:
    """'45 min', '2 h 05 min'."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"
