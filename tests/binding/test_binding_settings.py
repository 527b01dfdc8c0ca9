"""Bad [binding] settings: one line naming the key (and its line), exit 1, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_samples
from typer.testing import CliRunner

from packager.cli import app


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('fold = "quarto"\npaper = "A4"\n',
         "binding.paper: the A5 trim (148 x 210 mm) does not fit a quarto leaf of A4 "
         "(105 x 148.5 mm); it fits a quarto on A3 or a folio on A4"),
        ("sheets = 0\n",
         "binding.sheets: must be from 1 to 32 sheets a signature (got the number 0)"),
        ('paper = "A7"\n',
         "binding.paper: unknown paper 'A7' (known: letter, legal, tabloid, A4, A3"),
        ('fold = "sextodecimo"\n',
         "binding.fold: must be one of folio, quarto, octavo, booklet, perfect"),
        ("colour = 1\n", "binding.colour: unknown key (known keys:"),
        ('fold = "booklet"\nsheets = 3\n', "binding.sheets: a booklet takes every sheet"),
        ("paper_weight = 80\ncaliper = 0.1\n",
         "binding.caliper: give paper_weight or caliper, not both"),
        ('paper_stock = "ingram"\n', "binding.paper_stock: unknown paper stock 'ingram'"),
    ],
)  # fmt: skip
def test_a_bad_setting_names_its_key_and_line(table: str, expected: str, tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    config = source / "collection.toml"
    before = config.read_text(encoding="utf-8").count("\n")
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[binding]\n" + table, encoding="utf-8"
    )
    out = tmp_path / "dist"
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(out), "-f", "imposed"])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    assert expected in errors[0]
    line = int(errors[0].split("collection.toml:")[1].split(":")[0])
    assert line > before + 1, "the line of the key in the [binding] table"
    assert "Traceback" not in result.output
    assert not out.exists(), "nothing written"


def test_check_reports_a_bad_binding_table_too(tmp_path: Path) -> None:
    source = copy_samples(tmp_path / "stories")
    config = source / "collection.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[binding]\npaper = "A7"\n')
    result = CliRunner().invoke(app, ["check", str(source)])
    assert result.exit_code == 1
    assert "binding.paper: unknown paper 'A7'" in result.output
    result = CliRunner().invoke(app, ["check", "--json", str(source)])
    assert result.exit_code == 1
    assert "binding.paper: unknown paper 'A7'" in result.output
