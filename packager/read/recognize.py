"""What a line of story-site text is: pure functions, one question each.

Each recogniser answers for one stripped line (or a short paragraph) and
nothing else; the readers decide where in a story to ask (a byline only near
the top, a site footer only at the very end). Every pattern errs towards
"no": a line that is not recognised stays story text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONES = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|last|final"
)
_NUMBER = (
    rf"(?:\d+|[ivxlcdm]+|(?:{_TENS})(?:[\s-](?:{_ONES}))?|{_TEENS}|{_ONES}|hundred|{_ORDINALS})"
)
# "Chapter 3", "Chapter Twenty-Three: Truly All Alone", "Part Two", "Book IV - Home"
_NUMBERED = re.compile(
    rf"^(?:chapter|chap\.|ch\.|part|book|act)\s+{_NUMBER}(?![\w'’])"
    r"(?:\s*(?:[:.\-–—]\s*|\s+)(?P<name>\S.*))?$",
    re.IGNORECASE,
)
# "Prologue", "Prologue: The Letter", "Epilogue."
_NAMED = re.compile(
    r"^(?:prologue|epilogue|interlude|intermission|coda|afterword|foreword)\b"
    r"(?:\s*[:.\-–—]\s*(?P<name>\S.*)|\.)?$",
    re.IGNORECASE,
)
# "Chapter 3 of 12", "Part 2/5": where-am-I lines from a story site's pager.
_POSITION = re.compile(r"^(?:chapter|part|ch\.)\s*\d+\s*(?:of|/)\s*\d+\s*$", re.IGNORECASE)
_NAV_WORD = (
    r"(?:(?:prev(?:ious)?|next|back|index|home|table of contents|contents|toc|chapter index"
    r"|fiction index)(?:\s+(?:chapter|page|part))?|(?:first|last|latest)\s+(?:chapter|page))"
)
_NAV = re.compile(
    rf"^(?:[<«‹←]{{1,2}}\s*)?{_NAV_WORD}(?:\s*[>»›→]{{1,2}})?"
    rf"(?:\s*[|/•·-]?\s*(?:[<«‹←]{{1,2}}\s*)?{_NAV_WORD}(?:\s*[>»›→]{{1,2}})?)*$",
    re.IGNORECASE,
)
_COUNTER_WORDS = frozenset(
    {
        "read", "reads", "vote", "votes", "comment", "comments", "view", "views",
        "kudos", "hit", "hits", "bookmark", "bookmarks", "fav", "favs", "favorite",
        "favorites", "favourite", "favourites", "follow", "follows", "follower",
        "followers", "review", "reviews", "part", "parts", "like", "likes", "word",
        "words", "chapter", "chapters",
    }
)  # fmt: skip
_LEFTOVER_WORDS = frozenset(
    {
        "reviews", "review", "follow", "fav", "favs", "favorite", "favourite", "add",
        "to", "library", "vote", "share", "comment", "comments", "kudos", "bookmark",
        "subscribe",
    }
)  # fmt: skip
_TOKEN = re.compile(r"[A-Za-z]+|\d[\d.,]*[kKmM]?")

# Scene breaks: a short line of symbols ("***", "* * *", "~~~", "#", "+-+-+",
# "◇◇◇"), or one of the letter patterns writers use ("-x-", "oOo", "o0o").
_BREAK_SYMBOLS = re.compile(r"^[\s*#~=_+\-–—•·○●◇◆□■☆★♡♥❦❧⁂※|/\\<>^°¤§]+$")
_BREAK_LETTERS = re.compile(
    r"^(?=.*[^A-Za-z0-9\s.])(?=.*[xXoO0])[\s*~=_+\-–—•·.xXoO0]+$"  # -x-, ~o~, -o-
    r"|^(?:o0|oO|Oo|0o|xX|Xx)+[oO0xX]?$"  # oOo, o0o, xXx, OoOoO
)
_END_MARK = re.compile(
    r"^[\s\-–—~*=_.:]*(?:the\s+end|fin|finis|end|to\s+be\s+continued|tbc)[\s\-–—~*=_.!:?]*$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|written\s+by|story\s+by|a\s+story\s+by)\s*[:\-–—]?\s+(?P<name>\S.{0,58})$",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"^(?:[A-Z0-9\u00c0-\u024f][\w.'’\-]*|[a-z]{1,3}|[\w.'’\-]*[\d_]\w*)$")

# Header lines story sites and writers put above a story: "Rating: T".
HEADER_FIELDS = {
    "title": "title",
    "author": "author",
    "written by": "author",
    "rating": "rating",
    "rated": "rating",
    "summary": "summary",
    "pairing": "relationships",
    "pairings": "relationships",
    "relationship": "relationships",
    "relationships": "relationships",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "character": "characters",
    "characters": "characters",
    "warning": "warnings",
    "warnings": "warnings",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "tags": "tags",
    "genre": "tags",
    "genres": "tags",
    "category": "tags",
    "categories": "tags",
    "additional tags": "tags",
    "word count": "words",
    "words": "words",
    "language": "language",
}
_HEADER = re.compile(
    r"^(?P<key>" + "|".join(sorted(map(re.escape, HEADER_FIELDS), key=len, reverse=True)) + r")"
    r"\s*[:\-–—]\s*(?P<value>\S.*)$",
    re.IGNORECASE,
)
# Author's notes and disclaimers: where they begin, a note begins.
_NOTE = re.compile(
    r"^[\s*_~(\[]*(?P<kind>"
    r"a/n\b|a\.n\.|an\s*:|n/a\s*:|t/n\b"
    r"|(?:author|beta|translator)['’]?s?['’]?\s+notes?\b"
    r"|notes?\s*[:\-–—]"
    r"|disclaimers?(?:\s*[:\-–—]|\s*$))",
    re.IGNORECASE,
)
_NAME = r"(?:[A-Z0-9][\w.'’&]*(?:[ \-][A-Z0-9][\w.'’&]*){0,5})"  # Walt Whitman, U2, J.R.R. Tolkien
_ATTRIBUTION = re.compile(
    rf"^(?:[\-–—~]{{1,2}}\s*{_NAME}(?:,\s*[^.!?]{{1,60}})?(?<![.!?])"  # — Walt Whitman, Leaves
    rf"|{_NAME},\s*[\"'“‘*_].{{1,80}}[\"'”’*_]\.?"  # U2, 'All That You Can't Leave Behind'
    rf"|{_NAME},\s*\S.{{0,60}}\(\d{{4}}\))$"  # Author, Title (1999)
)
_CLOSING = (
    r"(?:with\s+(?:all\s+(?:of\s+)?my\s+)?love|all\s+my\s+love|love(?:\s+always)?"
    r"|yours(?:\s+(?:truly|sincerely|faithfully|always|forever|ever))?|sincerely(?:\s+yours)?"
    r"|(?:best|warm|kind|warmest)\s+(?:wishes|regards)|regards|cheers|always|forever(?:\s+yours)?"
    r"|your\s+(?:friend|loving\s+\w+|\w+)|xoxo|fondly|affectionately|until\s+we\s+meet\s+again)"
)
# A closing ends with a comma ("Love,"), or is several words ("Yours truly"):
# a lone "Always." is more often dialogue than the end of a letter.
_VALEDICTION = re.compile(
    rf"^[\"'“‘]?\s*(?:{_CLOSING}\s*,|(?=\S+\s+\S){_CLOSING}\s*!?)\s*$", re.IGNORECASE
)
_SALUTATION = re.compile(
    r"^[\"'“‘]?\s*(?:(?:my\s+)?dear(?:est)?\s+\S.{0,40}|to\s+\S.{0,30}|[A-Z][\w .'’-]{0,30}),\s*$"
)
# Text a reading app or site appends to a story's last line, after its last
# sentence: "...and it does.Wattpad", "The end. Continue reading on Wattpad".
_SITES = (
    r"Wattpad|Quotev|Inkitt|FanFiction\.Net|FanFiction|FFN|AO3|Archive\s+of\s+Our\s+Own"
    r"|Tumblr|Webnovel|Royal\s+Road|Tapas|Radish|Dreame|Scribble\s+Hub|Commaful|Booksie"
)
_APP = rf"(?:(?:the\s+)?(?:{_SITES})(?:\s+app)?|the\s+\w+\s+app)"
_FOOTER = re.compile(
    r"(?<=[.!?\"”’…)\]])(?P<footer>\s*(?:[|•~\-–—]\s*)?(?:"
    rf"(?:continue|keep)\s+reading\s+(?:on|at|in)\s+{_APP}"
    rf"|read\s+(?:more|this\s+story|the\s+rest|the\s+full\s+story)\s+(?:on|at|in)\s+{_APP}"
    rf"|(?:download|get)\s+{_APP}"
    r"|sent\s+from\s+my\s+(?:iphone|ipad|android|phone|samsung|galaxy|pixel|mobile)"
    rf"|(?:originally\s+)?(?:posted|published)\s+(?:on|to|at|via)\s+(?:{_SITES})"
    rf"|(?:{_SITES}))"
    r"[^\n]{0,80})$",
    re.IGNORECASE,
)


def chapter_heading(line: str) -> str | None:
    """The heading text if the line is a chapter heading ("Chapter 3: Home"), else None."""
    text = _strip_decoration(line)
    if not text or len(text) > 100 or _POSITION.match(text):
        return None
    if _NUMBERED.match(text) or _NAMED.match(text):
        return text.rstrip(".") if text.endswith(".") and text.count(".") == 1 else text
    return None


def is_position_line(line: str) -> bool:
    """'Chapter 3 of 12' and pager lines ('< Prev | Next >'): site navigation."""
    text = _strip_decoration(line)
    return bool(text) and bool(_POSITION.match(text) or _NAV.match(text))


def is_counter_line(line: str) -> bool:
    """A line of bare counters: '1.2K Reads • 340 Votes • 12 Parts', '1,204 56 7'."""
    tokens = _TOKEN.findall(line)
    numbers = [t for t in tokens if t[0].isdigit()]
    words = [t.lower() for t in tokens if not t[0].isdigit()]
    if not numbers or not all(w in _COUNTER_WORDS for w in words):
        return False
    rest = _TOKEN.sub("", line)
    return not any(c.isalnum() for c in rest)  # nothing but counters, icons and separators


def is_leftover_line(line: str) -> bool:
    """Button labels left from a story page: 'Reviews', 'Follow/Fav', 'Vote • Share'."""
    tokens = re.findall(r"[A-Za-z]+|\d[\d.,]*[kKmM]?", line)
    words = [t.lower() for t in tokens if not t[0].isdigit()]
    if not words or len(words) > 6:
        return False
    rest = re.sub(r"[A-Za-z]+|\d[\d.,]*[kKmM]?|[\s/|•·:()\[\]-]", "", line)
    return not rest and all(w in _LEFTOVER_WORDS for w in words)


def is_scene_break(line: str) -> bool:
    text = line.strip()
    if not text or len(text) > 40:
        return False
    return bool(_BREAK_SYMBOLS.match(text) or _BREAK_LETTERS.match(text))


def is_end_mark(line: str) -> bool:
    """'- fin -', 'THE END', '~ End ~', 'To be continued...'."""
    text = line.strip()
    return 0 < len(text) <= 30 and bool(_END_MARK.match(text))


def byline(line: str) -> str | None:
    """The author's name if the line is a byline ('by Hayley', 'Written by: A. Writer')."""
    match = _BYLINE.match(line.strip())
    if not match:
        return None
    name = match.group("name").strip().rstrip(",;:")
    words = name.split()
    if len(words) > 6 or name.endswith(("!", "?")):
        return None
    if name.endswith(".") and not re.search(r"\b[A-Z]\.$", name):
        return None  # a sentence ("By noon it was over."), not initials ("by J. R.")
    if len(words) == 1:
        return name if len(name) <= 30 and any(c.isalpha() for c in name) else None
    # Several words: a name starts and ends with a capital ("Mara Quill",
    # "Ana de la Cruz"); "by the time she came" does not.
    if not all(_NAME_WORD.match(w) for w in words) or not _capitalised(words[0], words[-1]):
        return None
    return name


def _capitalised(*words: str) -> bool:
    return all(w[:1].isupper() or w[:1].isdigit() for w in words)


@dataclass(frozen=True)
class HeaderField:
    field: str  # a StoryMeta field name, or "words"
    value: str


def header_field(line: str) -> HeaderField | None:
    """'Rating: T', 'Pairing: A/B' above a story: the field and its value."""
    match = _HEADER.match(line.strip())
    if not match:
        return None
    return HeaderField(HEADER_FIELDS[match.group("key").lower()], match.group("value").strip())


def note_kind(text: str) -> str | None:
    """'disclaimer' or 'note' if the paragraph begins like an author's note, else None."""
    match = _NOTE.match(text)
    if not match:
        return None
    kind = match.group("kind").lower()
    return "disclaimer" if kind.startswith("disclaimer") else "note"


def is_attribution(line: str) -> bool:
    """The source line under an epigraph: '— Rumi', "U2, 'All That You Can't Leave Behind'"."""
    text = line.strip()
    return 0 < len(text) <= 100 and bool(_ATTRIBUTION.match(text))


def is_valediction(line: str) -> bool:
    """A letter's closing line: 'With Love,', 'Yours truly,'."""
    text = line.strip()
    return 0 < len(text) <= 40 and bool(_VALEDICTION.match(text))


def is_salutation(line: str) -> bool:
    """A letter's opening line: 'Dear Willow,', '" Dear Willow,', 'My dearest Ana,'."""
    text = line.strip()
    return 0 < len(text) <= 50 and bool(_SALUTATION.match(text))


def site_footer(text: str) -> str | None:
    """Text a reading app or site appended to the end of a story's last line, if any."""
    match = _FOOTER.search(text)
    return match.group("footer") if match else None


def _strip_decoration(line: str) -> str:
    """'**Chapter 1**', '~ Prologue ~', '== Part Two ==' -> the words inside."""
    return line.strip().strip("*_~=#<>[]|").strip()
