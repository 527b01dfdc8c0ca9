"""Characters no book should carry, and the shape of a title.

Pure functions on strings, shared by the readers (story text), the metadata
(front matter and collection.toml) and the contents (titles and names).

* Characters XML 1.0 forbids (controls, lone surrogates) and noncharacters
  mean nothing in a story; they are removed everywhere, with a warning
  (packager.text.forbidden, the one place that knows them).
* Bidirectional overrides and isolates and invisible characters are
  legitimate in prose (a quotation in Hebrew inside an English sentence) but
  in a title, a name, a contents entry or a bookmark they only disguise what
  the reader sees (``U+202E`` shows "evil" as "live"), so labels lose them.
  Zero-width joiners and non-joiners stay: emoji sequences and Persian need
  them. Left-to-right and right-to-left marks stay too.
* Labels are NFC-normalised, on one line, and capped in length.
"""

from __future__ import annotations

import re
import unicodedata

from packager.text import forbidden

# Everything no book may carry (see packager.text.forbidden).
CONTROL = forbidden.FORBIDDEN
# Bidi embeddings, overrides and isolates; zero-width space, word joiner and
# invisible operators; byte order mark; soft hyphen; Mongolian vowel
# separator; Arabic letter mark; interlinear annotation controls.
INVISIBLE = re.compile(
    r"[\u00ad\u061c\u180e\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
MAX_LABEL = 300  # characters: a title, a name, a tag; real ones are under 150


codes = forbidden.codes


def without_controls(text: str) -> tuple[str, str]:
    """The text without forbidden characters, and what was removed, by kind ('' if none).

    For example 'control characters (U+0000); noncharacters (U+FFFE)'.
    """
    return forbidden.strip(text)


def label(text: str) -> tuple[str, list[str]]:
    """A title, name or tag fit for a contents page and a bookmark, and what was changed.

    Returns the cleaned text and a list of plain-English notes, one per kind
    of change, for the caller to report with its file and line.
    """
    notes: list[str] = []
    text, removed = without_controls(text)
    if removed:
        notes.append(f"removed {removed}")
    hidden = INVISIBLE.findall(text)
    if hidden:
        text = INVISIBLE.sub("", text)
        notes.append(f"removed invisible or direction-changing characters ({codes(hidden)})")
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if len(text) > MAX_LABEL:
        cut = text[:MAX_LABEL].rsplit(" ", 1)[0] if " " in text[:MAX_LABEL] else text[:MAX_LABEL]
        notes.append(f"shortened from {len(text):,} to {len(cut) + 1} characters")
        text = cut + "\u2026"
    return text, notes
