"""`packager stats`: the numbers follow from the stories as written."""

from __future__ import annotations

import json
import math
from pathlib import Path

from conftest import write_story
from typer.testing import CliRunner

from packager.cli import app


def _words(n: int, seed: str) -> str:
    return " ".join(f"{seed}{i}" for i in range(n))


def _folder(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    stories = [  # file, words, rating, warnings
        ("1-short.md", 120, "General Audiences", ["No Archive Warnings Apply"]),
        ("2-long.md", 3_100, "Mature", ["Graphic Depictions Of Violence", "Major Character Death"]),
        ("3-middle.md", 800, "Mature", ["Major Character Death"]),
        ("4-unrated.md", 260, "", []),
    ]
    for name, count, rating, warnings in stories:
        front = [f"title: Story {name[0]}", f"author: Writer {name[0]}"]
        if rating:
            front.append(f"rating: {rating}")
        if warnings:
            front.append("warnings: [" + ", ".join(warnings) + "]")
        body = "\n\n".join(_words(count // 4, f"w{p}x") for p in range(4))
        write_story(source, name, "---\n" + "\n".join(front) + "\n---\n\n" + body + "\n")
    return source


def test_stats_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["stats", str(_folder(tmp_path)), "--json", "--wpm", "200"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    words = {s["file"]: s["words"] for s in data["stories"]}
    assert words == {"1-short.md": 120, "2-long.md": 3_100, "3-middle.md": 800, "4-unrated.md": 260}
    assert data["words"] == 4_280
    assert data["minutes"] == math.ceil(4_280 / 200)
    assert [s["minutes"] for s in data["stories"]] == [1, 16, 4, 2]
    assert data["longest"] == "2-long.md" and data["shortest"] == "1-short.md"
    assert data["ratings"] == {"Mature": 2, "General Audiences": 1, "Not rated": 1}
    assert data["warnings"] == {
        "Major Character Death": 2,
        "Graphic Depictions Of Violence": 1,
        "No Archive Warnings Apply": 1,
    }
    assert data["authors"] == ["Writer 1", "Writer 2", "Writer 3", "Writer 4"]


def test_stats_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["stats", str(_folder(tmp_path))], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "4 stories by 4 authors, 4,280 words, about 18 min of reading" in result.stdout
    assert "longest: Story 2 (3,100 words)" in result.stdout
    assert "ratings: Mature 2, General Audiences 1, Not rated 1" in result.stdout


def test_stats_on_bad_input_names_the_file(tmp_path: Path) -> None:
    source = _folder(tmp_path)
    write_story(source, "5-broken.md", "---\ntitle: [oops\n---\ntext\n")
    result = CliRunner().invoke(app, ["stats", str(source)])
    assert result.exit_code == 1
    assert "5-broken.md:2" in result.stderr
