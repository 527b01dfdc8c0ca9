"""This checkout against another revision: the same builds, alternating, as a table of ratios.

    python bench/run.py --against REV [--runs 3] [--quick]
    python bench/against.py REV [--runs 3] [--quick]

REV (a commit, tag or branch) is checked out into a temporary git worktree and
run with this environment's libraries (PYTHONPATH puts its packager first), so
only packager's own code differs between the two columns. Every case runs
HEAD, REV, HEAD, REV... and each cell is the median wall time. Cases: the
sample anthology (EPUB alone; EPUB + PDF, cold cache), the bench corpus at
100k and 1M words (EPUB alone; PDF alone, no cache; --quick leaves out 1M),
and a one-story edit: 200 stories of 500 words, each side with its own copy
and cache, built once untimed, then before each timed PDF build one sentence
is added to a different story.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from make_corpus import make_corpus  # noqa: E402
from run import measure  # noqa: E402


def worktree(rev: str, where: Path) -> Path:
    """REV checked out (detached) at WHERE, a worktree of this repository."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(where), rev],
        check=True,
    )
    return where


def cases(work: Path, quick: bool) -> list[tuple[str, Path, list[str]]]:
    """(name, source folder, build flags) for every case."""
    found = [
        ("sample, EPUB", ROOT / "stories", ["-f", "epub"]),
        ("sample, EPUB + PDF (cold)", ROOT / "stories", ["--no-cache"]),
    ]
    for words, stories in ((100_000, 20), (1_000_000, 200)):
        if quick and words > 100_000:
            continue
        corpus = work / f"corpus-{words}"
        make_corpus(corpus, words, stories)
        label = f"{words // 1000}k words" if words < 1_000_000 else f"{words // 1_000_000}M words"
        found.append((f"{label}, EPUB", corpus, ["-f", "epub", "--no-cache"]))
        found.append((f"{label}, PDF", corpus, ["-f", "pdf", "--no-cache"]))
    return found


def compare(rev: str, runs: int, quick: bool) -> list[tuple[str, float, float]]:
    work = Path(tempfile.mkdtemp(prefix="packager-against-"))
    try:
        other = worktree(rev, work / "rev")
        for code in (ROOT, other):  # bytecode first, as an installed packager has it
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "packager")],
                           check=True)  # fmt: skip
        rows = []
        for name, source, flags in cases(work, quick):
            timed: dict[str, list[float]] = {"head": [], "rev": []}
            for _ in range(runs):
                for side, code in (("head", ROOT), ("rev", other)):
                    out = work / f"out-{side}"
                    shutil.rmtree(out, ignore_errors=True)
                    command = [sys.executable, "-m", "packager", "build", str(source),
                               "-o", str(out), "-q", *flags]  # fmt: skip
                    env = {"PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": "1700000000"}
                    timed[side].append(measure(command, env=env, cwd=code).wall)
            head, then = statistics.median(timed["head"]), statistics.median(timed["rev"])
            print(f"  {name}: {head:.2f} s against {then:.2f} s", file=sys.stderr)
            rows.append((name, head, then))
        rows.append(one_story_edits(work, other, runs))
        return rows
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / "rev")],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(work, ignore_errors=True)


def one_story_edits(work: Path, other: Path, runs: int) -> tuple[str, float, float]:
    """The PDF build after one story of 200 changed, each side on its own copy and cache."""
    name = "200 stories, one edited, PDF"
    timed: dict[str, list[float]] = {"head": [], "rev": []}
    sides = {"head": ROOT, "rev": other}
    for side in sides:
        make_corpus(work / f"edits-{side}", 100_000, 200)
    for n in range(runs + 1):  # the first build fills the cache, untimed
        for side, code in sides.items():
            source = work / f"edits-{side}"
            if n:
                story = sorted(source.glob("*.md"))[(n * 37) % 200]
                with story.open("a", encoding="utf-8") as f:
                    f.write("\nThe harbour was quiet when she walked back to the station.\n")
            command = [sys.executable, "-m", "packager", "build", str(source),
                       "-o", str(work / f"out-{side}"), "-q", "-f", "pdf"]  # fmt: skip
            env = {"PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": "1700000000"}
            wall = measure(command, env=env, cwd=code).wall
            if n:
                timed[side].append(wall)
    head, then = statistics.median(timed["head"]), statistics.median(timed["rev"])
    print(f"  {name}: {head:.2f} s against {then:.2f} s", file=sys.stderr)
    return name, head, then


def table(rev: str, rows: list[tuple[str, float, float]], runs: int) -> str:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    lines = [
        f"HEAD ({head}) against {rev}: median wall time of {runs} alternating runs; "
        f"{os.cpu_count()} cores",
        "",
        f"| work | HEAD | {rev} | HEAD / {rev} |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, now, then in rows:
        lines.append(f"| {name} | {now:.2f} s | {then:.2f} s | {now / then:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the revision to compare with (commit, tag, branch)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="leave out the 1M-word corpus")
    args = parser.parse_args(argv)
    rows = compare(args.rev, args.runs, args.quick)
    print(table(args.rev, rows, args.runs))


if __name__ == "__main__":
    main()
