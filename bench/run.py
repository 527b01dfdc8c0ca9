"""Time packager against its floor and against pandoc on the same corpus; print a table.

    python bench/run.py [--words 1000000] [--stories 200] [--runs 1] [--jobs N]
                        [--skip-pandoc] [--skip-single] [--scaling 10000,100000]
                        [--peer-words 100000] [--big 10000000]
    python bench/run.py --against REV [--runs 3] [--quick]    (bench/against.py)

A benchmark, run by hand (it takes minutes on a 1M-word corpus), not a test.
Every command runs in its own measuring process, so each row reports the
wall time, the CPU time of all its processes and the peak memory of the
largest one. Runs of the compared commands alternate, and each row shows
the median of its runs. The rows are the performance goals: the EPUB against
the bare-ebooklib floor and pandoc, the PDF against pandoc + WeasyPrint (at
--peer-words), the sample, a one-story edit of 200 stories, peak memory, and
the EPUB of a --big corpus for memory and linear time. Needs
`pip install -e '.[bench]'` (pandoc comes from pypandoc-binary).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_corpus import make_corpus  # noqa: E402

# Runs a command and reports its children's resource use as JSON on stderr's last line.
MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
sys.stderr.write("\n" + json.dumps({"wall": wall, "cpu": use.ru_utime + use.ru_stime,
                                    "rss": use.ru_maxrss / 1024, "code": done.returncode}))
"""


@dataclass
class Sample:
    wall: float
    cpu: float
    rss: float  # MiB, the largest single process


def measure(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> Sample:
    # Bytecode is written and used, as for an installed tool: with
    # PYTHONDONTWRITEBYTECODE set (as on some CI machines) every run would compile
    # packager's modules again, about 0.1 s that no user pays.
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        capture_output=True,
        text=True,
        env={**inherited, **(env or {})},
        check=False,
        cwd=cwd,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    if report["code"] != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr}")
    return Sample(report["wall"], report["cpu"], report["rss"])


def median(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        max(s.rss for s in samples),
    )


def alternate(commands: dict[str, list[str]], runs: int) -> dict[str, Sample]:
    found: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            found[name].append(measure(command))
            print(f"  {name}: {found[name][-1].wall:.2f} s", file=sys.stderr)
    return {name: median(samples) for name, samples in found.items()}


def pandoc_path() -> str:
    import pypandoc  # type: ignore[import-untyped]

    return str(pypandoc.get_pandoc_path())


def same_book_css(corpus: Path, work: Path) -> list[str]:
    """packager's print stylesheets for this corpus (theme, fonts, page size), as files.

    pandoc's HTML is given the same design and trim size, so both tools lay out
    the same book.
    """
    script = (
        "import sys; from pathlib import Path\n"
        "from packager.build import BuildOptions, load_book\n"
        "book = load_book(Path(sys.argv[1]), BuildOptions(env={}))\n"
        "out = Path(sys.argv[2])\n"
        "for r in book.resources:\n"
        "    if r.href.startswith(('css/', 'fonts/')):\n"
        "        (out / r.href).parent.mkdir(parents=True, exist_ok=True)\n"
        "        (out / r.href).write_bytes(r.data)\n"
        "print(' '.join(book.pdf_css))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(corpus), str(work)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [str(work / href) for href in done.stdout.split()]


SINGLE = r"""
import sys
from pathlib import Path
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from packager.build import BuildOptions, load_book
from packager.pdf.weasy import BASE_URL, BookFetcher
book = load_book(Path(sys.argv[1]), BuildOptions(env={}))
fetcher, fonts = BookFetcher(book.resources), FontConfiguration()
documents = [
    HTML(string=p.print_html, base_url=BASE_URL + p.href, url_fetcher=fetcher)
    .render(font_config=fonts)
    for p in book.parts
]
documents[0].copy([page for d in documents for page in d.pages]).write_pdf(sys.argv[2])
"""


def main() -> None:
    if "--against" in sys.argv:  # HEAD against another revision: bench/against.py
        import against

        rest = [a for a in sys.argv[1:] if a != "--against"]
        against.main(rest)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-pandoc", action="store_true")
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument("--scaling", default="10000,100000")
    parser.add_argument(
        "--peer-words",
        type=int,
        default=100_000,
        help="the PDF against pandoc + WeasyPrint at this size (0: skip)",
    )
    parser.add_argument(
        "--big",
        type=int,
        default=10_000_000,
        help="the EPUB of a corpus this large, for memory (0: skip)",
    )
    parser.add_argument("--keep", type=Path, help="keep the corpus and outputs here")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="packager-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    make_corpus(corpus, args.words, args.stories)
    out = work / "out"
    jobs = ["-j", str(args.jobs)]

    def packager(source: Path, *flags: str) -> list[str]:
        command = [sys.executable, "-m", "packager", "build", str(source), "-o", str(out), "-q"]
        return [*command, *flags, *jobs]

    rows: list[tuple[str, Sample, str]] = []
    print(f"EPUB, {args.words:,} words ...", file=sys.stderr)
    epub = {
        "floor": [
            sys.executable,
            str(HERE / "bare_ebooklib.py"),
            str(corpus),
            str(work / "b.epub"),
        ],
        "packager": packager(corpus, "-f", "epub", "--no-cache"),
    }
    if not args.skip_pandoc:
        epub["pandoc"] = [
            pandoc_path(), "-f", "markdown", "-t", "epub3", "-o", str(work / "p.epub"),
            "--metadata", "title=Bench", *sorted(str(p) for p in corpus.glob("*.md")),
        ]  # fmt: skip
    e = alternate(epub, args.runs)
    rows.append(("EPUB: bare ebooklib (the floor)", e["floor"], ""))
    floor = e["packager"].wall / e["floor"].wall
    rows.append(("EPUB: packager", e["packager"], f"{floor:.2f}x the floor (target <= 2)"))
    if "pandoc" in e:
        faster = e["pandoc"].wall / e["packager"].wall
        rows.append(
            ("EPUB: pandoc", e["pandoc"], f"packager is {faster:.1f}x faster (target >= 10)")
        )

    print(f"PDF, {args.words:,} words ...", file=sys.stderr)
    p = alternate(
        {
            "packager": packager(corpus, "-f", "pdf", "--no-cache"),
            "packager 1 job": [*packager(corpus, "-f", "pdf", "--no-cache"), "-j", "1"],
        },
        args.runs,
    )
    size = (out / "benchmark-anthology.pdf").stat().st_size
    rows.append(("PDF: packager, 1 process", p["packager 1 job"], ""))
    note = f"{p['packager 1 job'].wall / p['packager'].wall:.2f}x faster than 1 process"
    rows.append((f"PDF: packager, {args.jobs} processes", p["packager"], note))
    if not args.skip_single:
        single = measure([sys.executable, "-c", SINGLE, str(corpus), str(work / "single.pdf")])
        ratio = size / (work / "single.pdf").stat().st_size
        rows.append(
            (
                "PDF: WeasyPrint, the same book as one document",
                single,
                f"packager's file is {ratio:.2f}x its size (target <= 1.1)",
            )
        )
    memory = max(e["packager"].rss, p["packager"].rss, p["packager 1 job"].rss)
    print(f"  packager's peak memory at {args.words:,} words: {memory:.0f} MiB", file=sys.stderr)

    if args.peer_words and not args.skip_pandoc:
        print(f"PDF against pandoc + WeasyPrint, {args.peer_words:,} words ...", file=sys.stderr)
        peer = work / "corpus-peer"
        make_corpus(peer, args.peer_words, max(2, args.stories * args.peer_words // args.words))
        css = same_book_css(peer, work)
        html = work / "pandoc.html"
        weasy = [sys.executable, "-m", "weasyprint", str(html), str(work / "p.pdf")]
        for sheet in css:
            weasy += ["-s", sheet]
        both = alternate(
            {
                "packager": packager(peer, "-f", "pdf", "--no-cache"),
                "pandoc+weasyprint": ["sh", "-c", f"{pandoc_path()} -f markdown -t html5 -s "
                                      f"--metadata title=Bench -o {html} {peer}/*.md && "
                                      + " ".join(weasy)],
            },
            args.runs,
        )  # fmt: skip
        ratio = both["packager"].wall / both["pandoc+weasyprint"].wall
        label = f"{args.peer_words:,} words"
        rows.append(
            (
                f"PDF, {label}: packager",
                both["packager"],
                f"{ratio:.2f}x pandoc+WeasyPrint (target <= 0.40)",
            )
        )
        rows.append(
            (
                f"PDF, {label}: pandoc + WeasyPrint (same CSS, same trim)",
                both["pandoc+weasyprint"],
                "",
            )
        )

    print("the sample ...", file=sys.stderr)
    sample = HERE.parent / "stories"
    small_book = alternate(
        {
            "epub": packager(sample, "-f", "epub", "--no-cache"),
            "both": packager(sample, "--no-cache"),
        },
        max(args.runs, 3),
    )
    rows.append(("sample: EPUB", small_book["epub"], "target <= 0.5 s"))
    rows.append(("sample: EPUB + PDF, cold cache", small_book["both"], "target <= 1.5 s"))

    print("one story edited ...", file=sys.stderr)
    edits = work / "corpus-edits"
    make_corpus(edits, 100_000, 200)
    full = measure(packager(edits, "-f", "pdf", "--no-cache"))
    measure(packager(edits, "-f", "pdf"))  # fill the cache
    story = sorted(edits.glob("*.md"))[100]
    with story.open("a", encoding="utf-8") as f:
        f.write("\nThe harbour was quiet when she walked back to the station.\n")
    incremental = measure(packager(edits, "-f", "pdf"))
    rows.append(("PDF, 200 stories x 500 words: clean", full, ""))
    rows.append(
        (
            "PDF, 200 stories x 500 words: one story edited",
            incremental,
            f"{incremental.wall / full.wall:.1%} of a clean build (target <= 8%)",
        )
    )

    for words in [int(w) for w in args.scaling.split(",") if w]:
        small = work / f"corpus-{words}"
        make_corpus(small, words, max(2, args.stories * words // args.words))
        rows.append((f"scaling: EPUB, {words:,} words", measure(packager(small, "-f", "epub")), ""))
        rows.append(
            (
                f"scaling: PDF, {words:,} words",
                measure(packager(small, "-f", "pdf", "--no-cache")),
                "",
            )
        )
    if args.big:
        print(f"EPUB, {args.big:,} words ...", file=sys.stderr)
        big = work / "corpus-big"
        make_corpus(big, args.big, args.stories * 10)
        large = measure(packager(big, "-f", "epub", "--no-cache"))
        shutil.rmtree(big)
        per_word = (large.wall / args.big) / (e["packager"].wall / args.words)
        rows.append(
            (
                f"scaling: EPUB, {args.big:,} words",
                large,
                f"{per_word:.2f}x the time per word at {args.words:,} "
                "(linear: about 1); target < 1024 MiB",
            )
        )

    print()
    print(
        f"corpus: {args.words:,} words in {args.stories} stories; {args.jobs} processes; "
        f"{args.runs} run(s) each, median; machine: {os.cpu_count()} cores; "
        f"packager's peak memory at {args.words:,} words: {memory:.0f} MiB (target < 400)"
    )
    print()
    print("| work | wall | CPU | peak memory | note |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, taken, comment in rows:
        print(
            f"| {name} | {taken.wall:.2f} s | {taken.cpu:.2f} s | {taken.rss:.0f} MiB | {comment} |"
        )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
