"""Time and memory for the awkward shapes of input; print a table against the budgets.

    python bench/shapes.py [--jobs N] [--only NAME] [--growth]

Each shape is built (EPUB and PDF, no cache, unless its row says otherwise)
in its own measuring process: a 2 MB file on a single line, a 50,000-word
single paragraph, a story of 3,000 one-line paragraphs, a 250-story
anthology, and the largest Word files the caps allow (packager.read.bounded,
packager.read.docx): one at the element cap, one at the entry-size cap. The
budgets are the ones documented in SECURITY.md; a row over budget is marked.

--growth builds one-line stories of 100 KB to 2 MB and prints the cost per
byte of each stage: it fails (exit 1) if the cost of the last megabytes is
more than GROWTH times the cost of the first ones, i.e. if a stage is no
longer linear in the length of a line. A benchmark, run by hand, not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
import hostile_files as hostile  # noqa: E402
from make_corpus import Writer, make_corpus  # noqa: E402
from run import Sample, measure  # noqa: E402

from packager.read.bounded import MAX_ENTRY_BYTES  # noqa: E402
from packager.read.docx import MAX_ELEMENTS  # noqa: E402

# (wall seconds, peak MiB of the largest process) per shape.
BUDGETS = {
    # One 330,000-word paragraph: its text is cut into runs for WeasyPrint
    # (packager.text.runs), so its time grows with its length.
    "2 MB on one line": (300.0, 400.0),
    "50,000-word paragraph": (30.0, 400.0),
    "3,000 one-line paragraphs": (30.0, 400.0),
    "250 stories, 250,000 words": (60.0, 400.0),
    # mammoth holds the document as a DOM: time and memory go with its elements.
    "Word file at the element cap": (300.0, 400.0),
    # Two million words: read and checked (`packager check`), not laid out.
    "Word file at the size cap (check)": (300.0, 400.0),
}
# --growth: one-line stories of these sizes (bytes), and how much dearer a
# byte of the last step may be than a byte of the first.
GROWTH_SIZES = (100_000, 200_000, 400_000, 800_000, 2_000_000)
GROWTH = 1.5
# Steps cheaper than this are noise around the start-up (a second or two of
# Python a run, a stage that costs about 1 s/MB), not a trend: CPU s per MB.
NOISE = 5.0


def one_line(size: int, seed: int = 7) -> str:
    writer = Writer(seed)
    line: list[str] = []
    total = 0
    while total < size:
        sentence = writer.sentence()
        line.append(sentence)
        total += len(sentence) + 1
    return "One Line\n\n" + " ".join(line) + "\n"


def largest_docx(kind: str) -> bytes:
    """The largest Word document the caps allow: the most elements, or the most bytes."""
    paragraphs = (MAX_ELEMENTS - 30) // 3  # <w:p><w:r><w:t>: three elements each
    frame = len("<w:p><w:r><w:t></w:t></w:r></w:p>")
    if kind == "elements":
        words = hostile.noisy_text(paragraphs * 16).split()
        texts = [f"{words[2 * i]} {words[2 * i + 1]}" for i in range(paragraphs)]
    else:
        per = (MAX_ENTRY_BYTES - 4096) // paragraphs - frame
        prose = hostile.noisy_text(per * paragraphs + per)
        texts = [prose[i * per : (i + 1) * per] for i in range(paragraphs)]
    body = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in texts)
    return hostile.docx(hostile.document_xml("<w:p><w:r><w:t>The Largest</w:t></w:r></w:p>" + body))


def shapes(work: Path) -> dict[str, tuple[Path, str]]:
    """Each shape's folder and the command it is measured with ('build' or 'check')."""
    writer = Writer(7)
    rng = random.Random(7)
    folders: dict[str, tuple[Path, str]] = {}

    def folder(name: str, command: str = "build") -> Path:
        path = work / name.replace(" ", "-").replace(",", "").replace("(", "").replace(")", "")
        path.mkdir(parents=True)
        folders[name] = (path, command)
        return path

    (folder("2 MB on one line") / "one-line.txt").write_text(one_line(2_000_000), "utf-8")
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
    folders["250 stories, 250,000 words"] = (many, "build")
    (folder("Word file at the element cap") / "largest.docx").write_bytes(largest_docx("elements"))
    size_cap = folder("Word file at the size cap (check)", "check")
    (size_cap / "largest.docx").write_bytes(largest_docx("bytes"))
    return folders


def command(source: Path, out: Path, kind: str, jobs: int, formats: tuple[str, ...]) -> list[str]:
    base = [sys.executable, "-m", "packager", kind, str(source)]
    if kind == "check":
        return base
    return [*base, "-o", str(out), "-q", "--no-cache", "-j", str(jobs),
            *(a for f in formats for a in ("-f", f))]  # fmt: skip


def table(jobs: int, only: str | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="packager-shapes-"))
    rows = []
    try:
        for name, (source, kind) in shapes(work).items():
            if only and only.lower() not in name.lower():
                continue
            print(f"{name} ...", file=sys.stderr)
            sample = measure(command(source, work / "out", kind, jobs, ("epub", "pdf")))
            wall, rss = BUDGETS[name]
            verdict = "within budget" if sample.wall <= wall and sample.rss <= rss else "OVER"
            rows.append((name, sample, f"{wall:.0f} s, {rss:.0f} MiB", verdict))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nboth outputs, no cache, {jobs} processes, {os.cpu_count()} cores\n")
    print("| shape | wall | CPU | peak memory | budget | |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for name, s, budget, verdict in rows:
        print(
            f"| {name} | {s.wall:.1f} s | {s.cpu:.1f} s | {s.rss:.0f} MiB | {budget} | {verdict} |"
        )


def growth(jobs: int) -> bool:
    """One-line stories of growing size: CPU seconds per MB of each step; True if linear.

    CPU time (of every process of the build) rather than wall time: on a
    shared machine the wall clock measures the neighbours.
    """
    work = Path(tempfile.mkdtemp(prefix="packager-growth-"))
    stages: dict[str, Callable[[Path], list[str]]] = {
        "read (check)": lambda src: command(src, work / "out", "check", jobs, ()),
        "EPUB": lambda src: command(src, work / "out", "build", jobs, ("epub",)),
        "EPUB and PDF": lambda src: command(src, work / "out", "build", jobs, ("epub", "pdf")),
    }
    times: dict[str, list[Sample]] = {stage: [] for stage in stages}
    try:
        for size in GROWTH_SIZES:
            source = work / f"line-{size}"
            source.mkdir()
            (source / "one-line.txt").write_text(one_line(size), encoding="utf-8")
            for stage, make in stages.items():
                print(f"{size:,} bytes, {stage} ...", file=sys.stderr)
                times[stage].append(measure(make(source)))
                print(f"  {times[stage][-1]}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\none line; CPU seconds (wall), and CPU seconds per MB of each step\n")
    print("| stage | " + " | ".join(f"{s // 1000:,} KB" for s in GROWTH_SIZES) + " | growth |")
    print("| --- |" + " ---: |" * (len(GROWTH_SIZES) + 1))
    linear = True
    for stage, samples in times.items():
        cpu = [s.cpu for s in samples]
        steps = [
            (cpu[i] - cpu[i - 1]) / ((GROWTH_SIZES[i] - GROWTH_SIZES[i - 1]) / 1e6)
            for i in range(1, len(cpu))
        ]
        ratio = steps[-1] / max(steps[0], NOISE)
        linear &= ratio <= GROWTH
        cells = [f"{samples[0].cpu:.1f} s ({samples[0].wall:.0f} s)"] + [
            f"{s.cpu:.1f} s ({s.wall:.0f} s), {c:.0f} s/MB"
            for s, c in zip(samples[1:], steps, strict=True)
        ]
        verdict = "linear" if ratio <= GROWTH else "SUPERLINEAR"
        print(f"| {stage} | " + " | ".join(cells) + f" | {ratio:.2f}x, {verdict} |")
    return linear


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", help="measure only the shapes whose name holds this text")
    parser.add_argument("--growth", action="store_true", help="one-line stories, 100 KB to 2 MB")
    args = parser.parse_args()
    if args.growth:
        raise SystemExit(0 if growth(args.jobs) else 1)
    table(args.jobs, args.only)


if __name__ == "__main__":
    main()
