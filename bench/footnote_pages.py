"""What keeping footnotes on their calls' pages costs (packager.pdf.footnotes, weasyboxes).

    python bench/footnote_pages.py [--paragraphs 40 200] [--rounds 3]

For stories of N paragraphs of 120 words, each with a footnote, prints the
CPU time (time.process_time, this process: the layouts run here) of one
WeasyPrint layout, of the box-tree reading that finds the notes off their
calls' pages (weasyboxes.strays, timed inside that layout), and of the
story as the build lays it out (footnotes.render_story: again when a note
strayed), with how many notes strayed in one layout and after the build's.
Rounds alternate the two layouts; the medians are printed. A benchmark, run
by hand, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from conftest import write_story  # noqa: E402
from notebooks import filler  # noqa: E402

from packager.build import load_book  # noqa: E402
from packager.options import BuildOptions  # noqa: E402
from packager.pdf import footnotes, weasyboxes  # noqa: E402
from packager.pdf.weasy import Renderer  # noqa: E402

_spent = [0.0]


def _timed(function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args)
        finally:
            _spent[0] += time.process_time() - start

    return run


def _story(folder: Path, count: int) -> None:
    paragraphs, notes = [], []
    for i in range(count):
        text = filler(i, 120).capitalize().split()
        paragraphs.append(" ".join(text[:40]) + f" cx{i}.[^n{i}] " + " ".join(text[40:]) + ".")
        notes.append(f"[^n{i}]: nx{i} {filler(i, 10)}.")
    write_story(folder, "split.md", "# Split\n\n" + "\n\n".join(paragraphs + notes) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, nargs="+", default=[40, 200])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    weasyboxes.strays = _timed(weasyboxes.strays)  # type: ignore[method-assign]
    print("paragraphs  pages  strays  after  layout s  reading s  build's layout s")
    for count in args.paragraphs:
        with tempfile.TemporaryDirectory() as tmp:
            _story(Path(tmp), count)
            book = load_book(Path(tmp), BuildOptions(env={}, formats=("pdf",)))
        (story,) = [p for p in book.parts if p.kind == "story"]
        renderer = Renderer(book.resources)
        plain, reading, built = [], [], []
        for _ in range(args.rounds):
            _spent[0] = 0.0
            start = time.process_time()
            part = renderer.render(story.print_html, story.href, folios=False)
            plain.append(time.process_time() - start)
            reading.append(_spent[0])
            start = time.process_time()
            laid = footnotes.render_story(renderer, story.print_html, "", story.href, False)
            built.append(time.process_time() - start)
        print(
            f"{count:10}  {part.pages:5}  {part.strays:6}  {laid.strays:5}  "
            f"{statistics.median(plain):8.2f}  {statistics.median(reading):9.3f}  "
            f"{statistics.median(built):16.2f}"
        )


if __name__ == "__main__":
    main()
