"""`packager init`: a new folder that builds at once, with every setting documented."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml
from conftest import ROOT
from helpers import assert_epubcheck_clean
from packaging.requirements import Requirement
from PIL import Image
from typer.testing import CliRunner

from packager.book.config import CollectionFile, load_config
from packager.cli import app


def _init(tmp_path: Path, *args: str) -> Path:
    folder = tmp_path / "my-zine"
    result = CliRunner().invoke(app, ["init", str(folder), *args])
    assert result.exit_code == 0, result.output
    return folder


def test_init_then_build(tmp_path: Path) -> None:
    folder = _init(tmp_path, "--title", 'Salt & "Stars" {{ 7*7 }}')
    out = tmp_path / "dist"
    result = CliRunner().invoke(app, ["build", str(folder), "-o", str(out), "--strict"])
    assert result.exit_code == 0, result.output
    epub = next(out.glob("*.epub"))
    assert_epubcheck_clean(epub)
    with zipfile.ZipFile(epub) as archive:
        text = " ".join(
            archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml")
        )
    for story in folder.glob("0*"):  # each sample story's last words are in the book
        last = story.read_text(encoding="utf-8").split()[-3:]
        assert " ".join(last).replace("'", "’") in text, story.name
    assert "{{ 7*7 }}" in text  # the title is data, not a template
    assert next(out.glob("*.pdf")).stat().st_size > 0


def test_init_names_the_book_after_the_folder(tmp_path: Path) -> None:
    folder = _init(tmp_path)
    assert load_config(folder).settings.title == "My Zine"


def test_every_collection_key_is_documented_with_a_working_example(tmp_path: Path) -> None:
    folder = _init(tmp_path)
    text = (folder / "collection.toml").read_text(encoding="utf-8")
    for key in CollectionFile.model_fields:
        shown = re.search(rf"^(# )?\[?{key}[ .=\]]", text, re.MULTILINE)  # [binding] too
        assert shown, f"collection.toml from init does not show '{key}'"
    # Every commented example, uncommented, is a valid collection.toml.
    examples = "\n".join(line.removeprefix("# ") for line in text.splitlines())
    tomllib.loads(examples)
    (folder / "collection.toml").write_text(examples, encoding="utf-8")
    (folder / "extra.css").write_text("p { margin: 0; }\n", encoding="utf-8")
    Image.new("RGB", (16, 24), (30, 60, 90)).save(folder / "cover.jpg")
    (folder / "ornament.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="12" viewBox="0 0 60 12">'
        '<circle cx="30" cy="6" r="4"/></svg>',
        encoding="utf-8",
    )
    settings = load_config(folder).settings  # raises on any problem
    assert settings.publisher == "Your zine or press"


def test_workflow_builds_strictly_and_attaches_the_books(tmp_path: Path) -> None:
    folder = _init(tmp_path)
    workflow = yaml.safe_load((folder / ".github/workflows/build.yml").read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any(r.startswith("pip install ") and "packager" in r for r in runs)
    assert "packager build . --out dist --strict" in runs
    assert any(r.startswith("epubcheck ") for r in runs)
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("softprops/action-gh-release") for u in uses)
    assert workflow["permissions"] == {"contents": "write"}


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "story.md").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["init", str(folder)])
    assert result.exit_code == 1
    assert "is not empty" in result.stderr
    assert (folder / "story.md").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in folder.iterdir()) == ["story.md"]


def test_readme_workflow_is_inits_and_its_steps_work_as_written(tmp_path: Path) -> None:
    folder = _init(tmp_path)
    written = (folder / ".github/workflows/build.yml").read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```yaml\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    assert yaml.safe_load(block.group(1)) == yaml.safe_load(written)
    # Every step that runs packager or EPUBCheck, run as written in the new folder
    # (the install step needs the package index; here packager is installed already).
    steps = yaml.safe_load(written)["jobs"]["build"]["steps"]
    # The install step asks for this project by its PyPI name ("packager" is another one).
    install = next(s["run"] for s in steps if s.get("run", "").startswith("pip install "))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    wanted = [Requirement(shlex.split(install)[2]).name]
    assert wanted == [project["project"]["name"]] == ["anthology-packager"]
    commands = [s["run"] for s in steps if "run" in s and not s["run"].startswith("pip ")]
    assert len(commands) == 2
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True,
                              env={**os.environ, "PATH": path})  # fmt: skip
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    assert sorted(p.suffix for p in (folder / "dist").iterdir()) == [".epub", ".pdf"]
