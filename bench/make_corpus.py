"""Write a deterministic synthetic anthology for benchmarks.

    python bench/make_corpus.py OUT --words 1000000 --stories 200 [--seed 1]

Realistic in the ways that cost time: prose paragraphs of varied length,
dialogue with straight quotes and apostrophes for the typographer, "--" and
"..." to convert, chapters and scene breaks, long words for the hyphenator,
and YAML front matter. The same arguments always give the same files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

# Common English words by rough frequency band, plus long ones to hyphenate.
COMMON = (
    "the of and to a in that it was he she for on is with as his her at by "
    "had not be but from they you this have all were when we there been one "
    "would what said their so if out up them then into some could him time "
    "only now its over like down back more after before still never again "
    "through while where long little night house light water door hand eyes"
).split()
NOUNS = (
    "harbour lantern letter window kitchen morning silence evening shoulder "
    "garden corridor mountain river village station stranger journey promise "
    "question answer daughter brother mother father voice memory shadow tower "
    "ferry island bridge winter summer autumn candle mirror staircase"
).split()
VERBS = (
    "walked turned looked waited listened whispered laughed remembered "
    "followed carried opened closed watched answered wondered reached smiled "
    "stopped noticed believed wandered climbed"
).split()
ADJECTIVES = (
    "quiet cold bright narrow heavy distant familiar careful sudden pale "
    "gentle crooked golden empty ordinary wet tired small strange"
).split()
LONG = (
    "extraordinarily uncharacteristically indistinguishable incomprehensible "
    "responsibilities misunderstanding unquestionably circumstances "
    "disproportionately acknowledgement conversationally interdisciplinary"
).split()
NAMES = "Ana Bo Cora Dev Elin Farid Greta Hal Iris Jun Kofi Lena Milo Nadia Oren Pia".split()
CONTRACTIONS = "don't can't wouldn't it's she'd he'll we're they've I'm 'em".split()


class Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def word(self) -> str:
        r = self.rng.random()
        if r < 0.55:
            return self.rng.choice(COMMON)
        if r < 0.72:
            return self.rng.choice(NOUNS)
        if r < 0.84:
            return self.rng.choice(VERBS)
        if r < 0.94:
            return self.rng.choice(ADJECTIVES)
        if r < 0.97:
            return self.rng.choice(CONTRACTIONS)
        if r < 0.985:
            return self.rng.choice(LONG)
        return self.rng.choice(NAMES)

    def sentence(self) -> str:
        n = max(3, int(self.rng.gauss(14, 6)))
        words = [self.word() for _ in range(n)]
        if self.rng.random() < 0.15:
            words.insert(self.rng.randrange(1, n), "--")
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        return text + self.rng.choice([".", ".", ".", "?", "!", "..."])

    def paragraph(self) -> str:
        if self.rng.random() < 0.35:
            name = self.rng.choice(NAMES)
            said = self.rng.choice(["said", "asked", "whispered", "answered"])
            line = self.sentence()
            return f'"{line[:-1]}," {name} {said}. "{self.sentence()}"'
        return " ".join(self.sentence() for _ in range(max(1, int(self.rng.gauss(5, 2.5)))))

    def story(self, number: int, words: int) -> str:
        title = " ".join(self.rng.choice(NOUNS + ADJECTIVES).title() for _ in range(3))
        author = f"{self.rng.choice(NAMES)} {self.rng.choice(NOUNS).title()}"
        out = [
            "---",
            f'title: "{title} {number}"',
            f"author: {author}",
            f'summary: "{self.sentence()}"',
            "rating: General Audiences",
            "---",
            "",
        ]
        chapters = 1 + (words // 6000 if self.rng.random() < 0.6 else 0)
        per_chapter = words // chapters
        for chapter in range(1, chapters + 1):
            if chapters > 1:
                out += [f"## Chapter {chapter}", ""]
            count = 0
            while count < per_chapter:
                para = self.paragraph()
                count += len(para.split())
                out += [para, ""]
                if self.rng.random() < 0.03:
                    out += ["* * *", ""]
        return "\n".join(out)


def make_corpus(out: Path, words: int, stories: int, seed: int = 1) -> None:
    """Write `stories` Markdown files with about `words` words in all into `out`."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    writer = Writer(seed)
    # Story lengths vary like a real anthology: many short, a few long.
    weights = [writer.rng.lognormvariate(0, 0.6) for _ in range(stories)]
    total = sum(weights)
    for number, weight in enumerate(weights, start=1):
        size = max(200, int(words * weight / total))
        (out / f"{number:04d}-story.md").write_text(writer.story(number, size), encoding="utf-8")
    (out / "collection.toml").write_text(
        f'title = "Benchmark Anthology"\nauthors = ["Bench Editor"]\ndate = 2026-01-01\n'
        f'description = "{stories} synthetic stories, about {words:,} words."\n',
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    make_corpus(args.out, args.words, args.stories, args.seed)


if __name__ == "__main__":
    main()
