"""Time and memory for the awkward shapes of input; print a table against the budgets.

    python bench/shapes.py [--jobs N]

Each shape is built (EPUB and PDF, no cache) in its own measuring process:
a 2 MB file on a single line, a 50,000-word single paragraph, a story of
3,000 one-line paragraphs, and a 250-story anthology. The budgets are the
ones documented in SECURITY.md; a row over budget is marked. A benchmark,
run by hand, not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_corpus import Writer, make_corpus  # noqa: E402
from run import measure  # noqa: E402

# (wall seconds, peak MiB of the largest process) per shape, both outputs.
BUDGETS = {
    # One 330,000-word paragraph: WeasyPrint lays a paragraph out again from
    # each page break, so its time grows faster than its length.
    "2 MB on one line": (300.0, 400.0),
    "50,000-word paragraph": (30.0, 400.0),
    "3,000 one-line paragraphs": (30.0, 400.0),
    "250 stories, 250,000 words": (60.0, 400.0),
}


def shapes(work: Path) -> dict[str, Path]:
    writer = Writer(7)
    rng = random.Random(7)
    folders: dict[str, Path] = {}

    def folder(name: str) -> Path:
        path = work / name.replace(" ", "-").replace(",", "")
        path.mkdir(parents=True)
        folders[name] = path
        return path

    line = []
    size = 0
    while size < 2_000_000:
        sentence = writer.sentence()
        line.append(sentence)
        size += len(sentence) + 1
    (folder("2 MB on one line") / "one-line.txt").write_text(
        "One Line\n\n" + " ".join(line) + "\n", encoding="utf-8"
    )
    words: list[str] = []
    while len(words) < 50_000:
        words += writer.sentence().split()
    (folder("50,000-word paragraph") / "paragraph.md").write_text(
        "---\ntitle: One Paragraph\n---\n\n" + " ".join(words[:50_000]) + "\n", encoding="utf-8"
    )
    lines = [writer.sentence()[: rng.randint(10, 60)] for _ in range(3000)]
    (folder("3,000 one-line paragraphs") / "lines.md").write_text(
        "---\ntitle: Many Lines\n---\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8"
    )
    many = work / "250-stories"
    make_corpus(many, 250_000, 250)
    folders["250 stories, 250,000 words"] = many
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="packager-shapes-"))
    rows = []
    try:
        for name, source in shapes(work).items():
            print(f"{name} ...", file=sys.stderr)
            command = [sys.executable, "-m", "packager", "build", str(source), "-o",
                       str(work / "out"), "-q", "--no-cache", "-j", str(args.jobs)]  # fmt: skip
            sample = measure(command)
            wall, rss = BUDGETS[name]
            verdict = "within budget" if sample.wall <= wall and sample.rss <= rss else "OVER"
            rows.append((name, sample, f"{wall:.0f} s, {rss:.0f} MiB", verdict))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nboth outputs, no cache, {args.jobs} processes, {os.cpu_count()} cores\n")
    print("| shape | wall | CPU | peak memory | budget | |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for name, s, budget, verdict in rows:
        print(
            f"| {name} | {s.wall:.1f} s | {s.cpu:.1f} s | {s.rss:.0f} MiB | {budget} | {verdict} |"
        )


if __name__ == "__main__":
    main()
