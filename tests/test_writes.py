"""Writing the book: killed or failing at any moment, a build leaves each output whole.

The real command line runs in a process of its own and is killed with
SIGKILL (no cleanup can run) at moments spread over a build; afterwards every
output holds exactly the old book or exactly the new one, and the next
build removes the temporary files the killed one left.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import copy_samples
from helpers import running
from typer.testing import CliRunner

from packager.build import build
from packager.cli import app
from packager.errors import OutputError
from packager.options import BuildOptions

SLUG = "lanterns-at-low-tide"
NAMES = {"epub": f"{SLUG}.epub", "pdf": f"{SLUG}.pdf"}


def _env() -> dict[str, str]:
    """The tests' environment as it is when a build starts (TMPDIR: conftest's)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    env.pop("PACKAGER_DEBUG", None)
    return env


TEMP = re.compile(r"\.(" + "|".join(re.escape(n) for n in NAMES.values()) + r")\.[a-z0-9_]{8}\.tmp")

# The real command line with os.replace slowed down and announced on stderr, so
# that a test can kill it just before or just after the first output is renamed.
SLOW_RENAMES = """
import os, runpy, sys, time

replace = os.replace

def announced(src, dst, *args, **kwargs):
    print("@@ renaming", dst, file=sys.stderr, flush=True)
    time.sleep(2)
    replace(src, dst, *args, **kwargs)
    print("@@ renamed", dst, file=sys.stderr, flush=True)
    time.sleep(2)

os.replace = announced
runpy.run_module("packager", run_name="__main__")
"""


def _announcing(module: str, name: str) -> str:
    """A build that says when it calls ``module.name`` and waits there a moment: a kill
    then comes mid-build whatever the machine's speed (a kill timed by an earlier
    build's seconds came after the end once that build had run on a busier machine)."""
    return f"""
import importlib, runpy, sys, time
where = importlib.import_module({module!r})
called = getattr(where, {name!r})

def announced(*args, **kwargs):
    print("@@ calling {name}", file=sys.stderr, flush=True)
    time.sleep(2)
    return called(*args, **kwargs)

setattr(where, {name!r}, announced)
runpy.run_module("packager", run_name="__main__")
"""


@dataclass(frozen=True)
class Books:
    source: Path  # the stories as they are now: they make the new book
    old: dict[str, bytes]  # output file name -> bytes
    new: dict[str, bytes]
    new_epub_alone: bytes  # the new book's `build -f epub`: no PDF, so no page list
    epub_seconds: float  # how long a whole `build -f epub` takes, start-up included
    pdf_seconds: float  # and a `build` of both

    def made(self, fmt: str, formats: Sequence[str]) -> bytes:
        """The new book's output of ``fmt`` from a build of ``formats``."""
        if fmt == "epub" and "pdf" not in formats:
            return self.new_epub_alone
        return self.new[NAMES[fmt]]


def _command(
    source: Path, out: Path, formats: Sequence[str], program: Sequence[str] = ("-m", "packager")
) -> list[str]:
    flags = [arg for fmt in formats for arg in ("-f", fmt)]
    return [sys.executable, *program, "build", str(source), "-o", str(out), "--no-cache", "-q",
            *flags]  # fmt: skip


def _build(source: Path, out: Path, formats: Sequence[str] = ("epub", "pdf")) -> float:
    """Run a whole build; return how long it took."""
    start = time.monotonic()
    done = subprocess.run(
        _command(source, out, formats), env=_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return time.monotonic() - start


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in NAMES.values()}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Books:
    work = tmp_path_factory.mktemp("writes")
    source = work / "stories"
    copy_samples(source)
    _build(source, work / "old")
    story = source / "10-the-last-ferry.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    pdf_seconds = _build(source, work / "new")
    epub_seconds = _build(source, work / "new-epub", ["epub"])
    old, new = _outputs(work / "old"), _outputs(work / "new")
    alone = (work / "new-epub" / NAMES["epub"]).read_bytes()
    assert alone != new[NAMES["epub"]]  # built with the PDF, the EPUB marks its pages
    for name in NAMES.values():
        assert old[name] != new[name], name
    return Books(source, old, new, alone, epub_seconds, pdf_seconds)


def _with_old_book(out: Path, books: Books) -> None:
    out.mkdir(exist_ok=True)
    for name, data in books.old.items():
        (out / name).write_bytes(data)


def _running(
    command: list[str], stderr: int | None = None
) -> contextlib.AbstractContextManager[subprocess.Popen[str]]:
    """A build in a process group of its own, SIGKILLed (with its workers) on leaving."""
    return running(command, env=_env(), stderr=stderr)


def _state(out: Path, books: Books, formats: Sequence[str]) -> str:
    """Check that every output is whole, old or new; name the state, e.g. 'epub new, pdf old'."""
    states = []
    for fmt, name in NAMES.items():
        data = (out / name).read_bytes()
        if data == books.old[name]:
            states.append(f"{fmt} old")
            continue
        assert fmt in formats, f"{name} was not being built, yet it changed"
        assert data == books.made(fmt, formats), f"{name} is neither the old book nor the new one"
        states.append(f"{fmt} new")
    others = [p.name for p in out.iterdir() if p.name not in NAMES.values()]
    assert all(TEMP.fullmatch(name) for name in others), others
    return ", ".join(states)


def _kill_after(seconds: float, out: Path, books: Books, formats: Sequence[str]) -> str:
    _with_old_book(out, books)
    command = _command(books.source, out, formats)
    with _running(command) as proc, contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=seconds)
    return _state(out, books, formats)


def _kill_while_writing(out: Path, books: Books, formats: Sequence[str], delay: float) -> str:
    """Kill the build ``delay`` seconds after its first temporary file appears."""
    _with_old_book(out, books)
    before = set(os.listdir(out))
    with _running(_command(books.source, out, formats)) as proc:
        while proc.poll() is None:
            if any(n.endswith(".tmp") and n not in before for n in os.listdir(out)):
                time.sleep(delay)
                break
            time.sleep(0.0005)
    return _state(out, books, formats)


def _assert_next_build_cleans_up(out: Path, books: Books, formats: Sequence[str]) -> None:
    _build(books.source, out, formats)
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    for fmt, name in NAMES.items():
        wanted = books.made(fmt, formats) if fmt in formats else books.old[name]
        assert (out / name).read_bytes() == wanted


def test_killed_epub_build_leaves_old_or_new_book(books: Books, tmp_path: Path) -> None:
    out = tmp_path / "out"
    states = {}
    for fraction in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0):
        states[fraction] = _kill_after(fraction * books.epub_seconds, out, books, ["epub"])
    for i, delay in enumerate((0.0, 0.0, 0.001, 0.003)):
        states[f"writing {i}: +{delay} s"] = _kill_while_writing(out, books, ["epub"], delay)
    _kill_at_announcement(
        out,
        books,
        "@@ calling render_collection",
        _announcing("packager.build", "render_collection"),
        ["epub"],
    )
    assert _state(out, books, ["epub"]) == "epub old, pdf old", states  # nothing written yet
    _assert_next_build_cleans_up(out, books, ["epub"])


def test_killed_pdf_build_leaves_old_or_new_book(books: Books, tmp_path: Path) -> None:
    out = tmp_path / "out"
    states = {}
    for fraction in (0.25, 0.6, 0.9):
        states[fraction] = _kill_after(fraction * books.pdf_seconds, out, books, ["epub", "pdf"])
    for i, delay in enumerate((0.0, 0.005)):
        states[f"writing {i}: +{delay} s"] = _kill_while_writing(out, books, ["epub", "pdf"], delay)
    _kill_at_announcement(
        out, books, "@@ calling lay_out_all", _announcing("packager.pdf.layout", "lay_out_all")
    )
    assert _state(out, books, ["epub", "pdf"]) == "epub old, pdf old", states  # nothing yet
    _assert_next_build_cleans_up(out, books, ["epub", "pdf"])


def _kill_at_announcement(
    out: Path,
    books: Books,
    announcement: str,
    program: str = SLOW_RENAMES,
    formats: Sequence[str] = ("epub", "pdf"),
) -> list[Path]:
    """Kill a build (slowed renames) when it says ``announcement``; its temporary files."""
    _with_old_book(out, books)
    command = _command(books.source, out, formats, ("-c", program))
    with _running(command, stderr=subprocess.PIPE) as proc:
        assert proc.stderr is not None
        said = []
        while announcement not in (line := proc.stderr.readline()):
            assert line, f"the build ended without saying {announcement!r}: {''.join(said)}"
            said.append(line)
    return sorted(p for p in out.iterdir() if p.name.endswith(".tmp"))


def test_killed_between_renames_each_output_is_whole(books: Books, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # Before the first rename: both new files are written in full, beside the old book.
    temporary = _kill_at_announcement(out, books, "@@ renaming")
    assert _state(out, books, ["epub", "pdf"]) == "epub old, pdf old"
    assert sorted(p.read_bytes() for p in temporary) == sorted(books.new.values())
    # After the first: one output is new, the other old, neither is damaged.
    temporary = _kill_at_announcement(out, books, "@@ renamed")
    assert _state(out, books, ["epub", "pdf"]) == "epub new, pdf old"
    assert [p.read_bytes() for p in temporary] == [books.new[NAMES["pdf"]]]
    _assert_next_build_cleans_up(out, books, ["epub", "pdf"])


# Failures that Python sees: the old book stays, no temporary file stays.


@pytest.fixture
def source(tmp_path: Path) -> Path:
    source = tmp_path / "stories"
    copy_samples(source)
    return source


def _assert_no_temporary_files(folder: Path) -> None:
    assert not [p.name for p in folder.rglob("*.tmp")]


def test_output_folder_is_a_file(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.write_text("not a folder")
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(out), "-f", "epub"],
                                env={"SOURCE_DATE_EPOCH": "1700000000"})  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {out.as_posix()}: cannot write the book (not a folder)"
    assert out.read_text() == "not a folder"
    _assert_no_temporary_files(tmp_path)


def test_a_folder_where_an_output_goes_replaces_nothing(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / NAMES["epub"]).write_bytes(b"the old book")
    (out / NAMES["pdf"]).mkdir()
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(out), "--no-cache"],
                                env={"SOURCE_DATE_EPOCH": "1700000000"})  # fmt: skip
    assert result.exit_code == 1
    pdf = (out / NAMES["pdf"]).as_posix()
    assert result.stderr.strip() == f"error: {pdf}: cannot write the book (Is a directory)"
    assert (out / NAMES["epub"]).read_bytes() == b"the old book"  # not replaced either
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES.values())


def _with_old_files(out: Path) -> dict[Path, bytes]:
    out.mkdir()
    old = {out / name: f"old {name}".encode() for name in NAMES.values()}
    for path, data in old.items():
        path.write_bytes(data)
    return old


def test_failed_rename_keeps_the_old_book(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    old = _with_old_files(out)

    def refuse(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device", str(src))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError) as caught:
        build(source, out, BuildOptions(formats=("epub",), env={}, use_cache=False))
    epub = (out / NAMES["epub"]).as_posix()
    assert [str(p) for p in caught.value.problems] == [
        f"{epub}: cannot write the book (No space left on device)"
    ]
    assert {path: path.read_bytes() for path in old} == old
    _assert_no_temporary_files(tmp_path)


@pytest.mark.parametrize("calls_before", [0, 1], ids=["before-renames", "between-renames"])
def test_interrupted_write_leaves_no_temporary_file(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls_before: int
) -> None:
    out = tmp_path / "dist"
    old = _with_old_files(out)
    replace = os.replace
    calls = []

    def interrupt(src: str, dst: str) -> None:
        if len(calls) == calls_before:
            raise KeyboardInterrupt
        calls.append(dst)
        replace(src, dst)

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        build(source, out, BuildOptions(env={}, use_cache=False))
    monkeypatch.undo()
    changed = sorted(path.name for path in old if path.read_bytes() != old[path])
    assert changed == [Path(c).name for c in calls]  # those renamed are whole: written in full
    _assert_no_temporary_files(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_read_only_output_folder(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    old = _with_old_files(out)
    out.chmod(0o555)
    try:
        result = CliRunner().invoke(app, ["build", str(source), "-o", str(out), "-f", "epub"])
    finally:
        out.chmod(0o755)
    assert result.exit_code == 1
    assert (out / NAMES["epub"]).as_posix() in result.stderr
    assert "Permission denied" in result.stderr
    assert {path: path.read_bytes() for path in old} == old
    _assert_no_temporary_files(tmp_path)


def test_only_our_own_stale_temporary_files_are_removed(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    epub = NAMES["epub"]
    stale = [f".{epub}.abcd1234.tmp", f".{epub}.x_9y_8z7.tmp"]
    kept = [
        f".{epub}.tmp",
        f".{epub}.abcd12345.tmp",  # not mkstemp's eight characters
        f".{epub}.ABCD1234.tmp",
        f"{epub}.abcd1234.tmp",
        f".{epub}.abcd1234.tmp.keep",
        ".other.epub.abcd1234.tmp",
        f".{NAMES['pdf']}.abcd1234.tmp",  # the PDF is not being written
        f".{epub}.busy1234.tmp",  # held by a live build
    ]
    for name in stale + kept:
        (out / name).write_text("left over")
    (out / f".{epub}.fold1234.tmp").mkdir()
    elsewhere = tmp_path / "precious"
    elsewhere.write_text("precious")
    (out / f".{epub}.link1234.tmp").symlink_to(elsewhere)
    kept += [f".{epub}.fold1234.tmp", f".{epub}.link1234.tmp"]

    with open(out / f".{epub}.busy1234.tmp", "rb") as busy:
        fcntl.flock(busy, fcntl.LOCK_EX)
        build(source, out, BuildOptions(formats=("epub",), env={}, use_cache=False))

    assert sorted(p.name for p in out.iterdir()) == sorted([*kept, epub])
    assert elsewhere.read_text() == "precious"


def _terminate_at_announcement(out: Path, books: Books, announcement: str) -> int:
    """SIGTERM a build (slowed renames) when it says ``announcement``; its exit code."""
    _with_old_book(out, books)
    command = _command(books.source, out, ["epub", "pdf"], ("-c", SLOW_RENAMES))
    with _running(command, stderr=subprocess.PIPE) as proc:
        assert proc.stderr is not None
        while announcement not in (line := proc.stderr.readline()):
            assert line, f"the build ended without saying {announcement!r}"
        os.killpg(proc.pid, signal.SIGTERM)
        return proc.wait(timeout=60)


def test_sigterm_while_writing_cleans_up(books: Books, tmp_path: Path) -> None:
    """A cancelled CI job gets SIGTERM: the build stops, removes its temporary files."""
    out = tmp_path / "out"
    assert _terminate_at_announcement(out, books, "@@ renaming") == 128 + signal.SIGTERM
    assert _state(out, books, ["epub", "pdf"]) == "epub old, pdf old"
    _assert_no_temporary_files(out)
    assert _terminate_at_announcement(out, books, "@@ renamed") == 128 + signal.SIGTERM
    assert _state(out, books, ["epub", "pdf"]) == "epub new, pdf old"
    _assert_no_temporary_files(out)


def test_sigterm_during_layout_stops_the_workers(books: Books, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _with_old_book(out, books)
    # Killed once a layout worker says it starts a story: mid-layout whatever the machine's
    # speed (half an earlier build's seconds came before the signal handlers, once, on a
    # busy machine: the build died of the signal itself, -15).
    program = _announcing("packager.pdf.tasks", "render_story")
    command = [*_command(books.source, out, ["epub", "pdf"], ("-c", program)), "-j", "2"]
    with _running(command, stderr=subprocess.PIPE) as proc:
        assert proc.stderr is not None
        said = []
        while "@@ calling render_story" not in (line := proc.stderr.readline()):
            assert line, f"the build ended without laying out a story: {''.join(said)}"
            said.append(line)
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=60) in (0, 128 + signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the layout workers are gone too
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            pytest.fail("layout workers still running after SIGTERM")
    state = _state(out, books, ["epub", "pdf"])
    assert state in ("epub old, pdf old", "epub new, pdf new"), state
    _assert_no_temporary_files(out)


def test_a_build_leaves_nothing_in_the_temporary_folder(books: Books, tmp_path: Path) -> None:
    """WeasyPrint copies each @font-face program into a temporary folder that only its
    __del__ removes, which never runs in a layout worker: every PDF build left a folder
    of fonts per worker behind (hundreds in a day of CI)."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    command = [*_command(books.source, tmp_path / "out", ["epub", "pdf"]), "-j", "2"]
    done = subprocess.run(command, env={**_env(), "TMPDIR": str(temporary)}, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / NAMES["pdf"]).read_bytes() == books.new[NAMES["pdf"]]
    assert sorted(p.name for p in temporary.iterdir()) == []
