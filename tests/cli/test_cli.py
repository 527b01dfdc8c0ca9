"""The command line: commands, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES, copy_samples, write_story
from typer.testing import CliRunner

from packager import __version__
from packager.cli import app


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"packager {__version__}"


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "packager", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.startswith("packager ")


def test_build_prints_where_the_book_went(tmp_path: Path, runner: CliRunner) -> None:
    source = tmp_path / "stories"
    copy_samples(source)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(source), "-o", str(out), "-f", "epub"])
    assert result.exit_code == 0, result.output
    assert 'Built "Lanterns at Low Tide": 4 stories, ' in result.stdout
    assert "lanterns-at-low-tide.epub" in result.stdout
    assert [p.name for p in out.iterdir()] == ["lanterns-at-low-tide.epub"]  # --format epub only
    assert result.stderr == ""


def test_build_default_source_and_out(tmp_path: Path, runner: CliRunner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    copy_samples(tmp_path / "stories")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["build", "--format", "pdf", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # --quiet prints only errors
    assert (tmp_path / "dist" / "lanterns-at-low-tide.pdf").is_file()


def test_check_prints_table_and_writes_nothing(tmp_path: Path, runner: CliRunner) -> None:
    source = tmp_path / "stories"
    copy_samples(source)
    before = sorted(p.name for p in source.iterdir())
    result = runner.invoke(app, ["check", str(source)])
    assert result.exit_code == 0, result.output
    for expected in ("Salt and Static", "Dell Okafor", "02-salt-and-static.txt", "4 stories"):
        assert expected in result.stdout
    assert "02-salt-and-static.txt:1: metadata: title: Salt and Static" in result.stdout
    assert sorted(p.name for p in source.iterdir()) == before


def test_warnings_and_strict(tmp_path: Path, runner: CliRunner) -> None:
    source = tmp_path / "src"
    write_story(source, "a.md", "Hello <script>x</script> there.\n")
    (source / "notes.rtf").write_bytes(b"{\\rtf1}")
    out = tmp_path / "out"
    relaxed = runner.invoke(app, ["check", str(source)])
    assert relaxed.exit_code == 0
    assert "warning: " in relaxed.stderr and "a.md:1: raw HTML <script>" in relaxed.stderr
    assert "notes.rtf: not a supported story format" in relaxed.stderr
    strict = runner.invoke(app, ["check", str(source), "--strict"])
    assert strict.exit_code == 1
    built = runner.invoke(app, ["build", str(source), "-o", str(out), "--strict"])
    assert built.exit_code == 1
    assert "(--strict)" in built.stderr
    assert not out.exists()


def test_bad_story_names_file_and_line_and_writes_nothing(
    tmp_path: Path, runner: CliRunner
) -> None:
    source = tmp_path / "src"
    write_story(source, "01-good.md", "Fine.\n")
    write_story(source, "02-bad.md", "---\ntitle: [unclosed\n---\nText\n")
    write_story(source, "03-worse.md", "---\ntitle:\n  nested: map\n---\nText\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.epub").write_bytes(b"previous book")
    result = runner.invoke(app, ["build", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert (
        "02-bad.md:" in result.stderr
        and "03-worse.md:2: front matter: 'title' must be text" in result.stderr
    )
    assert "Traceback" not in result.output
    assert [p.name for p in out.iterdir()] == ["old.epub"]
    assert (out / "old.epub").read_bytes() == b"previous book"


def test_missing_source_and_empty_source(tmp_path: Path, runner: CliRunner) -> None:
    missing = runner.invoke(app, ["build", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "no such folder" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(app, ["check", str(tmp_path / "empty")])
    assert empty.exit_code == 1 and "no story files" in empty.stderr


def test_usage_error_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--format", "docx"])
    assert result.exit_code == 2


def test_unknown_theme_flag(tmp_path: Path, runner: CliRunner) -> None:
    source = tmp_path / "src"
    write_story(source, "a.md", "Text.\n")
    result = runner.invoke(app, ["check", str(source), "--theme", "nope"])
    assert result.exit_code == 1 and "--theme: no theme named 'nope'" in result.stderr


def test_check_json(tmp_path: Path, runner: CliRunner) -> None:
    source = tmp_path / "src"
    write_story(source, "01-a.txt", "The Title\n\nby Some One\n\n12 reviews\n\nText <i>here</i>.\n")
    write_story(source, "02-b.md", "Hello <script>x</script>.\n")
    result = runner.invoke(app, ["check", str(source), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["title"] == "Src" and data["words"] == 6
    first, second = data["stories"]
    assert first["file"].endswith("src/01-a.txt")
    assert (first["title"], first["authors"], first["encoding"]) == (
        "The Title",
        ["Some One"],
        "utf-8",
    )
    assert [(c["line"], c["kind"], c["action"]) for c in first["changes"]] == [
        (1, "metadata", "title"),
        (3, "metadata", "author"),
        (5, "removed", "site counters"),
        (7, "repaired", "HTML remnants converted"),
    ]
    assert first["changes"][2]["text"] == "12 reviews"
    (warned,) = second["warnings"]
    assert (warned["line"], warned["severity"]) == (1, "warning")
    assert "raw HTML <script>" in warned["message"]
    broken = runner.invoke(app, ["check", str(tmp_path / "missing"), "--json"])
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["errors"][0]["message"] == "no such folder"


def test_config_order_and_story_errors_are_reported_in_one_run(
    tmp_path: Path, runner: CliRunner
) -> None:
    source = tmp_path / "src"
    write_story(source, "a.md", "---\ntitle: [unclosed\n---\nText.\n")
    write_story(source, "b.txt", "Fine\n\nA fine story.\n")
    write_story(source, "c.md", "---\ntitle: A\ntitle: B\n---\nText.\n")
    (source / "collection.toml").write_text('title = 5\norder = ["missing.md"]\n')
    result = runner.invoke(app, ["build", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert [e.split(":")[1].strip().rsplit("/", 1)[-1] for e in errors] == [
        "collection.toml",
        "collection.toml",
        "a.md",
        "c.md",
    ]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_bug_exits_3_with_a_short_message_not_a_traceback(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something packager did not expect")

    monkeypatch.setattr("packager.cli.build.build", broken)
    monkeypatch.delenv("PACKAGER_DEBUG", raising=False)
    result = runner.invoke(app, ["build", str(SAMPLES), "-o", str(tmp_path / "out")])
    assert result.exit_code == 3
    assert (
        "internal error" in result.output and "something packager did not expect" in result.output
    )
    assert "PACKAGER_DEBUG=1" in result.output and "Traceback" not in result.output
