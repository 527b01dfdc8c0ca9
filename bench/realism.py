"""Check the synthetic corpus against real prose of the same size; print a table.

    python bench/realism.py [REAL_DIR]

REAL_DIR defaults to the public-domain Sherlock Holmes collection in
../shared/corpus/gutenberg (twelve stories, about 105k words). A synthetic
corpus of the same word count and story count is written next to it, and
both are compared on what drives packager's cost: paragraph length,
dialogue, word length, long words (hyphenation), pages per thousand words,
and the EPUB and PDF build times. If the synthetic corpus were much easier
than real prose, the benchmark's figures would flatter packager.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_corpus import make_corpus  # noqa: E402
from run import measure  # noqa: E402

DEFAULT_REAL = HERE.parent.parent / "shared" / "corpus" / "gutenberg" / "sherlock-holmes-adventures"
SHARES = ("paragraphs with dialogue", "words of 12+ letters")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def prose_stats(folder: Path) -> dict[str, float]:
    paragraphs: list[str] = []
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---"):
            text = text.split("\n---", 1)[1]
        for block in re.split(r"\n\s*\n", text):
            block = " ".join(block.split())
            if block and not block.startswith(("#", "---", "* * *")):
                paragraphs.append(block)
    words = [w for p in paragraphs for w in WORD.findall(p)]
    lengths = [len(p.split()) for p in paragraphs]
    return {
        "stories": len(list(folder.glob("*.md"))),
        "words": len(words),
        "paragraphs": len(paragraphs),
        "words per paragraph (mean)": statistics.mean(lengths),
        "words per paragraph (90th pct)": statistics.quantiles(lengths, n=10)[-1],
        "paragraphs with dialogue": sum('"' in p for p in paragraphs) / len(paragraphs),
        "letters per word": statistics.mean(len(w) for w in words),
        "words of 12+ letters": sum(len(w) >= 12 for w in words) / len(words),
    }


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("real", type=Path, nargs="?", default=DEFAULT_REAL)
    args = parser.parse_args()
    if not args.real.is_dir():
        raise SystemExit(f"no such folder: {args.real}")

    work = Path(tempfile.mkdtemp(prefix="packager-realism-"))
    real_stats = prose_stats(args.real)
    synthetic = work / "synthetic"
    make_corpus(synthetic, int(real_stats["words"]), int(real_stats["stories"]))
    synth_stats = prose_stats(synthetic)

    rows: dict[str, tuple[float, float]] = {
        key: (real_stats[key], synth_stats[key]) for key in real_stats
    }
    for name, folder in (("real", args.real), ("synthetic", synthetic)):
        out = work / f"out-{name}"
        cmd = [sys.executable, "-m", "packager", "build", str(folder), "-o", str(out), "-q"]
        measure([*cmd, "-f", "epub"])  # warm the disk cache and the .pyc files
        epub = measure([*cmd, "-f", "epub"])
        pdf = measure([*cmd, "-f", "pdf", "--no-cache"])
        pages = pdf_pages(next(out.glob("*.pdf")))
        stats = real_stats if name == "real" else synth_stats
        stats["EPUB build, s"] = epub.wall
        stats["PDF build, s (2 processes)"] = pdf.wall
        stats["PDF pages per 1,000 words"] = pages / stats["words"] * 1000
        stats["PDF ms per page"] = pdf.wall / pages * 1000
    for key in ("EPUB build, s", "PDF build, s (2 processes)", "PDF pages per 1,000 words",
                "PDF ms per page"):  # fmt: skip
        rows[key] = (real_stats[key], synth_stats[key])
    subprocess.run(["rm", "-rf", str(work)], check=False)

    print(f"\nreal: {args.real}\n")
    print("| measure | real prose | synthetic | synthetic / real |")
    print("| --- | ---: | ---: | ---: |")
    for key, (real, synth) in rows.items():
        fmt = "{:.1%}" if key in SHARES else "{:,.0f}" if real >= 100 else "{:.2f}"
        print(f"| {key} | {fmt.format(real)} | {fmt.format(synth)} | {synth / real:.2f} |")


if __name__ == "__main__":
    main()
