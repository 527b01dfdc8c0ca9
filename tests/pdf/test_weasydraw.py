"""packager.pdf.weasydraw draws lines as WeasyPrint does: the same book, byte for byte,
whether its lines are drawn by WeasyPrint's own loop or by weasydraw's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import weasyprint
import weasyprint.draw.text

from packager.pdf import weasydraw

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_the_installed_weasyprint_draws_its_lines_with_weasydraw() -> None:
    """weasydraw copies WeasyPrint 70's loop: with another version it steps aside, and
    this test says so (check draw/text.py's draw_first_line against weasydraw's)."""
    import packager.pdf.weasy  # noqa: F401  (applies it)

    assert weasyprint.__version__.startswith("70."), weasyprint.__version__
    assert weasyprint.draw.text.draw_first_line is weasydraw.draw_first_line


# A build in a process of its own (a second build in one process may name its fonts
# otherwise), its lines drawn by weasydraw and counted, or drawn by WeasyPrint.
_BUILD = """
import sys
from collections import Counter
import packager.pdf.weasy
import weasyprint.draw.text as text
from packager.pdf import weasydraw
from packager.cli import main
calls = Counter()
original, ours = weasydraw._original, weasydraw.draw_first_line
def left(*args):
    calls["left"] += 1
    return original(*args)
def drawn(*args):
    calls["lines"] += 1
    return ours(*args)
weasydraw._original = left
text.draw_first_line = drawn if sys.argv[1] == "weasydraw" else original
sys.argv[1:2] = []
try:
    main()
finally:
    print(calls["lines"], calls["left"], file=sys.stderr)
"""


@pytest.mark.parametrize("book", ["books/mixed", "../../stories"])
def test_a_book_is_the_same_drawn_by_weasyprint_or_by_weasydraw(book: str, tmp_path: Path) -> None:
    """The mixed book has lines weasydraw leaves to WeasyPrint (marks set with a
    rise) among lines it draws; the sample has kerning, italics and small capitals."""
    made, counts = [], []
    for drawer in ("weasydraw", "weasyprint"):
        out = tmp_path / drawer
        command = [sys.executable, "-c", _BUILD, drawer, "build", str(FIXTURES / book),
                   "-o", str(out), "-q", "-f", "pdf", "--no-cache", "-j", "1"]  # fmt: skip
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        made.append(next(out.glob("*.pdf")).read_bytes())
        counts.append([int(n) for n in done.stderr.split()[-2:]])
    assert made[0] == made[1]
    (lines, left), (theirs, _) = counts
    assert lines > 100 and theirs == 0  # WeasyPrint's own loop drew every line of the second
    if book == "books/mixed":
        assert 0 < left < lines
