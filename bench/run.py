"""Time packager against its floor and against pandoc on the same corpus; print a table.

    python bench/run.py [--words 1000000] [--stories 200] [--runs 1] [--jobs N]
                        [--skip-pandoc] [--skip-single] [--scaling 10000,100000]
    python bench/run.py --against REV [--runs 3] [--quick]    (bench/against.py)

A benchmark, run by hand (it takes minutes on a 1M-word corpus), not a test.
Every command runs in its own measuring process, so each row reports the
wall time, the CPU time of all its processes and the peak memory of the
largest one. Runs of the compared commands alternate, and each row shows
the median of its runs. Needs `pip install -e '.[bench]'` (pandoc comes from
pypandoc-binary).
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
    parser.add_argument("--keep", type=Path, help="keep the corpus and outputs here")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="packager-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    make_corpus(corpus, args.words, args.stories)
    out = work / "out"
    packager = [sys.executable, "-m", "packager", "build", str(corpus), "-o", str(out), "-q"]
    jobs = ["-j", str(args.jobs)]
    rows: list[tuple[str, Sample, str]] = []

    print(f"EPUB, {args.words:,} words ...", file=sys.stderr)
    epub = {
        "floor": [
            sys.executable,
            str(HERE / "bare_ebooklib.py"),
            str(corpus),
            str(work / "b.epub"),
        ],
        "packager": [*packager, "-f", "epub", "--no-cache", *jobs],
    }
    if not args.skip_pandoc:
        epub["pandoc"] = [
            pandoc_path(), "-f", "markdown", "-t", "epub3", "-o", str(work / "p.epub"),
            "--metadata", "title=Bench", *sorted(str(p) for p in corpus.glob("*.md")),
        ]  # fmt: skip
    e = alternate(epub, args.runs)
    rows.append(("EPUB: bare ebooklib (the floor)", e["floor"], ""))
    rows.append(
        (
            "EPUB: packager",
            e["packager"],
            f"{e['packager'].wall / e['floor'].wall:.2f}x the floor (target <= 3)",
        )
    )
    if "pandoc" in e:
        rows.append(
            (
                "EPUB: pandoc",
                e["pandoc"],
                f"packager is {e['pandoc'].wall / e['packager'].wall:.1f}x faster (target >= 8)",
            )
        )

    print(f"PDF, {args.words:,} words ...", file=sys.stderr)
    pdf = {
        "packager": [*packager, "-f", "pdf", "--no-cache", *jobs],
        "packager 1 job": [*packager, "-f", "pdf", "--no-cache", "-j", "1"],
    }
    if not args.skip_pandoc:
        css = same_book_css(corpus, work)
        html = work / "pandoc.html"
        weasy = [sys.executable, "-m", "weasyprint", str(html), str(work / "p.pdf")]
        for sheet in css:
            weasy += ["-s", sheet]
        pdf["pandoc+weasyprint"] = ["sh", "-c", f"{pandoc_path()} -f markdown -t html5 -s "
                                    f"--metadata title=Bench -o {html} {corpus}/*.md && "
                                    + " ".join(weasy)]  # fmt: skip
    p = alternate(pdf, args.runs)
    pdf_file = out / "benchmark-anthology.pdf"
    size = pdf_file.stat().st_size
    rows.append(("PDF: packager, 1 process", p["packager 1 job"], ""))
    note = f"{p['packager 1 job'].wall / p['packager'].wall:.2f}x faster than 1 process"
    if "pandoc+weasyprint" in p:
        ratio = p["packager"].wall / p["pandoc+weasyprint"].wall
        note += f"; {ratio:.2f}x pandoc+WeasyPrint (target <= 0.45)"
    rows.append((f"PDF: packager, {args.jobs} processes", p["packager"], note))
    if "pandoc+weasyprint" in p:
        rows.append(("PDF: pandoc + WeasyPrint (same CSS, same trim)", p["pandoc+weasyprint"], ""))
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

    print("incremental ...", file=sys.stderr)
    both = [*packager, *jobs]
    measure(both)  # fill the cache
    story = sorted(corpus.glob("*.md"))[len(list(corpus.glob("*.md"))) // 2]
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("\n\n", "\n\nA new paragraph, added by an editor.\n\n", 1))
    incremental = measure(both)
    full = measure([*both, "--no-cache"])
    rows.append(("both: packager, clean", full, ""))
    rows.append(
        (
            "both: packager, one story changed",
            incremental,
            f"{incremental.wall / full.wall:.1%} of a clean build (target <= 10%)",
        )
    )

    for words in [int(w) for w in args.scaling.split(",") if w]:
        small = work / f"corpus-{words}"
        make_corpus(small, words, max(2, args.stories * words // args.words))
        cmd = [sys.executable, "-m", "packager", "build", str(small), "-o", str(work / "s"), "-q"]
        rows.append((f"scaling: EPUB, {words:,} words", measure([*cmd, "-f", "epub", *jobs]), ""))
        rows.append(
            (
                f"scaling: PDF, {words:,} words",
                measure([*cmd, "-f", "pdf", "--no-cache", *jobs]),
                "",
            )
        )

    print()
    print(f"corpus: {args.words:,} words in {args.stories} stories; {args.jobs} processes; "
          f"{args.runs} run(s) each, median; machine: {os.cpu_count()} cores")  # fmt: skip
    print()
    print("| work | wall | CPU | peak memory | note |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, sample, comment in rows:
        print(
            f"| {name} | {sample.wall:.2f} s | {sample.cpu:.2f} s | "
            f"{sample.rss:.0f} MiB | {comment} |"
        )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
