"""Reproducible builds: nothing about the machine, the user or the moment gets into the book.

The command line runs as separate processes, so that the time zone, the
umask, the user, the host name and the working folder really differ between
two builds (build() in-process shares them all).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
import socket
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pypdf
import pytest
from conftest import SAMPLES, copy_samples
from typer.testing import CliRunner

from packager.book.collection import assemble
from packager.book.config import load_config
from packager.book.derived import MAX_SOURCE_DATE_EPOCH
from packager.book.documents import render_collection
from packager.build import build
from packager.cli import app
from packager.load import load_stories
from packager.options import BuildOptions

SLUG = "lanterns-at-low-tide"
FAKE_HOST = "packager-repro-host"
# A time stamp far from any date the book has: file times must not be used.
LATER = dt.datetime(2031, 5, 17, 3, 4, 5, tzinfo=dt.UTC).timestamp()


def _can_rename_host() -> bool:
    """Whether a build can run with a host name of its own (root, with unshare(1))."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = ["unshare", "--uts", "hostname", FAKE_HOST]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def _build(
    source: str, out: str, cwd: Path, env: dict[str, str], umask: int, host: str | None
) -> None:
    command = [sys.executable, "-m", "packager", "build", source, "-o", out, "-q"]
    if host:  # in a UTS namespace of its own: the same machine, another name
        command = ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', host, *command]
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        preexec_fn=lambda: os.umask(umask),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _environment(tmp: Path, tz: str, user: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PACKAGER_DEBUG")}
    home = tmp / f"home-{user}"
    home.mkdir()
    # getpass.getuser() reads LOGNAME and USER first: a distinctive user per build.
    return {**env, "TZ": tz, "LOGNAME": user, "USER": user, "HOME": str(home)}


def _epub_blobs(path: Path) -> list[bytes]:
    """The archive, every member's name, bytes, extra field and comment."""
    blobs = [path.read_bytes()]
    with zipfile.ZipFile(path) as archive:
        blobs.append(archive.comment)
        for info in archive.infolist():
            blobs += [info.filename.encode(), archive.read(info), info.extra, info.comment]
    return blobs


def _pdf_blobs(path: Path) -> list[bytes]:
    """The file, every object's strings, every stream decoded, and the text of every page."""
    blobs = [path.read_bytes()]

    def strings(obj: object, top: bool = False) -> None:
        if not top and getattr(obj, "is_indirect", False):
            return  # visited as one of pdf.objects: no cycles through /Parent
        if isinstance(obj, pikepdf.String):
            blobs.extend((bytes(obj), str(obj).encode()))
        elif isinstance(obj, pikepdf.Name):
            blobs.append(str(obj).encode())
        elif isinstance(obj, pikepdf.Array):
            for item in obj:
                strings(item)
        elif isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            for key, value in obj.items():
                blobs.append(key.encode())
                strings(value)

    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            strings(obj, top=True)
            if isinstance(obj, pikepdf.Stream):
                try:
                    blobs.append(obj.read_bytes())
                except pikepdf.PdfError:  # a filter pikepdf does not decode (images)
                    blobs.append(obj.read_raw_bytes())
    blobs.extend(page.extract_text().encode() for page in pypdf.PdfReader(path).pages)
    return blobs


def _leaks(blobs: list[bytes], needles: list[str]) -> list[str]:
    found = []
    for needle in needles:
        forms = {needle.encode(), needle.encode("utf-16-be"), needle.encode("utf-16-le")}
        if any(form in blob for blob in blobs for form in forms):
            found.append(needle)
    return found


def _identities(tmp: Path, users: list[str], hosts: list[str]) -> list[str]:
    """What must not be in the book: paths, user names, host names, when distinctive."""
    files = (p for p in SAMPLES.iterdir() if p.is_file())
    stories = " ".join(p.read_text(encoding="utf-8") for p in files).lower()
    real_user, real_host = getpass.getuser(), socket.gethostname()
    # A short or ordinary name ("root", "vm", "build") can be in any text or font.
    distinctive = [n for n in (real_user, real_host) if len(n) >= 5 and n.lower() not in stories]
    return [str(tmp), tmp.as_posix(), tmp.name, "checkout-qzv", "nested-wxk", *users, *hosts,
            *distinctive]  # fmt: skip


def test_builds_in_different_places_zones_umasks_and_times_are_identical(tmp_path: Path) -> None:
    first = tmp_path / "checkout-qzv" / "stories"
    second = tmp_path / "nested-wxk" / "deeper" / "further" / "copy"
    copy_samples(first)
    copy_samples(second)
    for path in [second, *second.rglob("*")]:
        os.utime(path, (LATER, LATER))
    host = FAKE_HOST if _can_rename_host() else None
    # The first build is given absolute paths; the second, relative ones from its own folder.
    _build(str(first), str(tmp_path / "checkout-qzv" / "dist"), tmp_path,
           _environment(tmp_path, "UTC", "reprouserqzv"), 0o022, None)  # fmt: skip
    _build("copy", "out", second.parent,
           _environment(tmp_path, "<+14>-14", "reprouserwxk"), 0o077, host)  # fmt: skip
    # "<+14>-14" is Kiritimati's UTC+14, written as a POSIX rule so that it needs no tzdata.

    one = tmp_path / "checkout-qzv" / "dist"
    two = second.parent / "out"
    for suffix in ("epub", "pdf"):
        assert (one / f"{SLUG}.{suffix}").read_bytes() == (two / f"{SLUG}.{suffix}").read_bytes()
        # The umasks did take effect, on the files' modes only.
        assert stat.S_IMODE((one / f"{SLUG}.{suffix}").stat().st_mode) == 0o644
        assert stat.S_IMODE((two / f"{SLUG}.{suffix}").stat().st_mode) == 0o600

    needles = _identities(tmp_path, ["reprouserqzv", "reprouserwxk"], [FAKE_HOST] if host else [])
    epub, pdf = two / f"{SLUG}.epub", two / f"{SLUG}.pdf"
    assert _leaks(_epub_blobs(epub), needles) == []
    assert _leaks(_pdf_blobs(pdf), needles) == []
    with zipfile.ZipFile(epub) as archive:  # the collection's date, not a file's or the clock's
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 1, 0, 0, 0)}


def test_a_book_of_many_scripts_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Python's string hashes differ from process to process: nothing in a build may
    follow a set's order. The book of eight scripts gives two font dictionaries of one
    program several times over, and which one the book keeps followed the order of a
    pikepdf key set (each build a different PDF)."""
    scripts = tmp_path / "scripts"  # its layout cache there: the builds after the first are quick
    shutil.copytree(Path(__file__).parent / "fixtures" / "scripts", scripts)
    made = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1700000000"}
        out = tmp_path / seed
        command = [sys.executable, "-m", "packager", "build", str(scripts), "-o", str(out)]
        done = subprocess.run([*command, "-q", "-f", "pdf"], env=env,
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        made.append(next(out.glob("*.pdf")).read_bytes())
    assert made[0] == made[1] == made[2]


# SOURCE_DATE_EPOCH: a number of seconds as `date +%s` prints it, or a clear error.


INVALID_EPOCHS = ["soon", "-5", "1e9", "1700000000.5", "+1700000000", "١٧٠٠", "99999999999999",
                  "253402300800", str(MAX_SOURCE_DATE_EPOCH + 1)]  # fmt: skip


@pytest.mark.parametrize("value", INVALID_EPOCHS)
def test_invalid_source_date_epoch_is_an_error(value: str, tmp_path: Path) -> None:
    source = tmp_path / "stories"
    copy_samples(source)
    out = tmp_path / "dist"
    result = CliRunner().invoke(
        app, ["build", str(source), "-o", str(out)], env={"SOURCE_DATE_EPOCH": value}
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: SOURCE_DATE_EPOCH must be a whole number of seconds between 0 and 4354819199 "
        f"(1970-01-01 to 2107-12-31, the dates an EPUB can hold) (got {value!r})\n"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("value", "modified"),
    [
        ("0", "1970-01-01T00:00:00Z"),
        (" 1700000000\n", "2023-11-14T22:13:20Z"),
        (str(MAX_SOURCE_DATE_EPOCH), "2107-12-31T23:59:59Z"),
        ("", "2026-11-01T00:00:00Z"),  # empty is unset: the collection's date
    ],
)
def test_valid_source_date_epoch(value: str, modified: str) -> None:
    settings = load_config(SAMPLES, env={"SOURCE_DATE_EPOCH": value}).settings
    assert settings.modified == modified


def test_latest_source_date_epoch_builds_an_epub(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    copy_samples(source)
    env = {"SOURCE_DATE_EPOCH": str(MAX_SOURCE_DATE_EPOCH)}
    result = build(source, tmp_path / "dist", BuildOptions(formats=("epub",), env=env))
    with zipfile.ZipFile(result.outputs[0].path) as archive:  # ZIP keeps even seconds
        assert {info.date_time for info in archive.infolist()} == {(2107, 12, 31, 23, 59, 58)}


def test_invalid_source_date_epoch_and_story_errors_in_one_run(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    copy_samples(source)
    (source / "99-broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    out = tmp_path / "dist"
    result = CliRunner().invoke(
        app, ["build", str(source), "-o", str(out)], env={"SOURCE_DATE_EPOCH": "soon"}
    )
    assert result.exit_code == 1
    assert "SOURCE_DATE_EPOCH must be a whole number" in result.stderr
    assert "99-broken.md:2" in result.stderr  # the story's error comes in the same run
    assert not out.exists()


def test_a_pdf_only_build_makes_the_same_pdf_as_a_build_of_both(tmp_path: Path) -> None:
    """A build that makes no EPUB leaves the EPUB's documents unrendered (their time
    is a tenth of a one-story edit): the PDF must not notice."""
    fresh = {"jobs": 1, "use_cache": False}
    both = build(SAMPLES, tmp_path / "both", BuildOptions(formats=("epub", "pdf"), **fresh))
    alone = build(SAMPLES, tmp_path / "pdf", BuildOptions(formats=("pdf",), **fresh))
    assert [o.format for o in alone.outputs] == ["pdf"]
    pdfs = [next(o for o in r.outputs if o.format == "pdf") for r in (both, alone)]
    assert pdfs[0].path.read_bytes() == pdfs[1].path.read_bytes()
    assert pdfs[0].pages == pdfs[1].pages > 10
    loaded = load_stories(SAMPLES)
    collection = assemble(loaded.config, loaded.stories)
    book, _ = render_collection(loaded.config, collection, epub=False)
    assert {p.xhtml for p in book.parts} == {""}
    assert all(p.print_html for p in book.parts if p.in_pdf)
