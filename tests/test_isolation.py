"""packager makes no network request and puts no file from outside SOURCE into the book.

Every way a story folder can point elsewhere is tried at once against a
loopback listener that records any connection: Markdown and raw HTML images,
<link>, <iframe>, <svg>, <object>, an HTML story, the editor's CSS (@import,
url(), file:, data:, @font-face), a ../ path, and symlinks that leave the
folder (an image, a story, a story that is /etc/passwd).
"""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdf
import pytest
from conftest import write_story
from epubs import package, write_epub, xhtml
from helpers import assert_epubcheck_clean
from PIL import Image

from packager.book.themes import BUILTIN_TEMPLATES
from packager.build import BuildResult, build
from packager.model import Resource, Severity
from packager.options import BuildOptions
from packager.pdf.weasy import BookFetcher

PASSWD = Path("/etc/passwd")
SECRET_TEXT = "OUTSIDE-SECRET-TEXT"


@dataclass
class Listener:
    """A loopback TCP port that records every connection made to it."""

    url: str
    connections: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    found = Listener(f"http://127.0.0.1:{server.getsockname()[1]}")
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            found.connections.append(address)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join(timeout=5)
    server.close()


def _jpeg(path: Path, colour: tuple[int, int, int]) -> bytes:
    # JPEG, because WeasyPrint embeds JPEG data unchanged: a copy in the PDF is findable.
    Image.new("RGB", (24, 16), colour).save(path, "JPEG", quality=90)
    return path.read_bytes()


@dataclass
class Anthology:
    source: Path
    outside: list[bytes]  # bytes of files outside SOURCE that must not be in the book
    inside: bytes  # an image inside SOURCE that the editor's CSS uses


def _anthology(root: Path, url: str) -> Anthology:
    """A story folder that points outside itself in every way packager knows of."""
    src = root / "src"
    src.mkdir(parents=True)
    outside = [
        _jpeg(root / "outside.jpg", (200, 10, 10)),
        _jpeg(root / "linked-target.jpg", (10, 200, 10)),
    ]
    (root / "outside.md").write_text(f"# Outside\n\n{SECRET_TEXT}\n", encoding="utf-8")
    inside = _jpeg(src / "ok.jpg", (10, 10, 200))
    (src / "linked.jpg").symlink_to(root / "linked-target.jpg")
    (src / "03-outside.md").symlink_to(root / "outside.md")
    if PASSWD.is_file():
        (src / "02-passwd.txt").symlink_to(PASSWD)
    write_story(
        src,
        "01-vectors.md",
        f"""---
title: Vectors
author: Tess Ting
---
A Markdown image ![remote]({url}/md.png) in the text.

A raw image <img src="{url}/raw.png" alt="raw"> in the text.

<link rel="attachment" href="{url}/attachment.bin">

<iframe src="{url}/frame.html"></iframe>

<svg><image href="{url}/svg.png"/></svg>

<object data="{url}/object.bin"></object>

A data image ![data](data:image/png;base64,iVBORw0KGgo=) in the text.

Out of the folder ![up](../outside.jpg) and ![link](linked.jpg), and ![ok](ok.jpg) inside it.
""",
    )
    write_story(
        src,
        "04-page.html",
        f"""<!DOCTYPE html>
<html><head><title>Page</title>
<link rel="stylesheet" href="{url}/page.css">
<link rel="attachment" href="{url}/page-attachment.bin">
<style>body {{ background: url({url}/style.png) }}</style></head>
<body><h1>Page Story</h1>
<p>Words of the page story.</p>
<p><img src="{url}/page.png" alt="a picture"></p>
<iframe src="{url}/page-frame.html"></iframe>
<svg><image href="{url}/page-svg.png"/><use href="{url}/use.svg#a"/></svg>
<object data="{url}/page-object.bin"></object>
<p style="background: url({url}/inline.png)">A styled paragraph.</p>
</body></html>
""",
    )
    epub_body = (
        f'<h1>EPUB Story</h1><p>Words of the EPUB story.<img src="{url}/epub.png" alt="x"/></p>'
        f'<p><a href="{url}/epub-link">a link</a></p>'
    )
    doctype = f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "{url}/xhtml11.dtd">'
    write_epub(
        src / "05-epub.epub",
        {
            "c1.xhtml": xhtml(epub_body, doctype=doctype).replace(
                "</head>", f'<link rel="stylesheet" href="{url}/epub.css"/></head>'
            )
        },
        opf=package(
            ["c1.xhtml"], extra=f'<item id="r" href="{url}/font.otf" media-type="font/otf"/>'
        ),
    )
    (src / "parts").mkdir()
    (src / "parts" / "local.css").write_text(
        ".story-title { background: url(../ok.jpg) no-repeat; }\n", encoding="utf-8"
    )
    (src / "extra.css").write_text(
        f"@import url({url}/import.css);\n"  # line 1
        '@import "parts/local.css";\n'
        f'@font-face {{ font-family: "Net"; src: url({url}/font.woff); }}\n'
        f"body {{ background: url({url}/background.png); }}\n"
        "p { background-image: url(file:///etc/passwd); }\n"  # line 5
        "h1 { background: url(../outside.jpg); }\n"
        "h2 { background: url(linked.jpg); }\n"
        'h3 { background: url("data:image/png;base64,iVBORw0KGgo="); }\n'
        ".story { background: url(ok.jpg) no-repeat; }\n",
        encoding="utf-8",
    )
    (src / "collection.toml").write_text(
        'title = "Isolation"\ncss = ["extra.css"]\n', encoding="utf-8"
    )
    return Anthology(src, outside, inside)


def _secrets() -> list[bytes]:
    """Text that must appear in neither output."""
    found = [SECRET_TEXT.encode()]
    if PASSWD.is_file():
        first = PASSWD.read_text(encoding="utf-8", errors="replace").splitlines()[0]
        found.append(first.split(":", 1)[0].encode() + b":x:0:0" if first else b"root:x:0:0")
    return found


def _output(result: BuildResult, fmt: str) -> Path:
    return next(o.path for o in result.outputs if o.format == fmt)


def _assert_nothing_from_outside(anthology: Anthology, epub: Path, pdf: Path) -> None:
    secrets = _secrets()
    with zipfile.ZipFile(epub) as z:
        members = {name: z.read(name) for name in z.namelist()}
    for name, data in members.items():
        for secret in [*secrets, *anthology.outside]:
            assert secret not in data, f"{secret[:20]!r} is in the EPUB's {name}"
    assert anthology.inside in members.values(), "the editor's CSS image is not in the EPUB"
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert "Words of the page story" in text and "Markdown image" in text
    assert "Words of the EPUB story" in text
    for secret in secrets:
        assert secret.decode() not in text, f"{secret!r} is in the PDF"
    images = [image.data for page in reader.pages for image in page.images]
    assert anthology.inside in images, "the images inside the folder are missing from the PDF"
    for data in anthology.outside:
        assert data not in images, "an image from outside the folder is in the PDF"


def test_nothing_outside_the_book_is_fetched_or_included(
    tmp_path: Path, listener: Listener
) -> None:
    anthology = _anthology(tmp_path, listener.url)
    result = build(anthology.source, tmp_path / "out", BuildOptions(env={}, use_cache=False))

    assert listener.connections == []
    warnings = [d for d in result.diagnostics if d.severity is Severity.WARNING]

    def warned(file: str, text: str, line: int | None = None) -> bool:
        return any(
            d.file.endswith(file) and text in d.message and (line is None or d.line == line)
            for d in warnings
        )

    expected = [
        ("01-vectors.md", f"remote picture {listener.url}/md.png is never fetched", None),
        ("01-vectors.md", f"remote picture {listener.url}/raw.png is never fetched", None),
        ("01-vectors.md", "<link> is not allowed", 9),
        ("01-vectors.md", "<iframe> is not allowed", 11),
        ("01-vectors.md", "<svg> is not allowed", 13),
        ("01-vectors.md", "<object> is not allowed", 15),
        ("01-vectors.md", "picture '01-vectors-embedded' is not a PNG, JPEG", None),
        ("01-vectors.md", "'../outside.jpg' is outside the source folder", None),
        ("01-vectors.md", "'linked.jpg' links outside the source folder", None),
        ("03-outside.md", "links outside the source folder; skipped", None),
        ("04-page.html", f"remote picture {listener.url}/page.png is never fetched", None),
        ("05-epub.epub", f"remote picture {listener.url}/epub.png is never fetched", None),
        ("extra.css", f"refused to load {listener.url}/import.css", 1),
        ("extra.css", f"refused to load {listener.url}/font.woff", 3),
        ("extra.css", f"refused to load {listener.url}/background.png", 4),
        ("extra.css", "refused to load file:///etc/passwd", 5),
        ("extra.css", "refused to load ../outside.jpg: it is outside the source folder", 6),
        ("extra.css", "refused to load linked.jpg: it links outside the source folder", 7),
        ("extra.css", "refused to load a data: URL", 8),
    ]
    if PASSWD.is_file():
        expected.append(("02-passwd.txt", "links outside the source folder; skipped", None))
    shown = "\n".join(str(d) for d in warnings)
    for file, text, line in expected:
        assert warned(file, text, line), f"no warning {file}:{line}: {text}\n{shown}"
    # Every reference was refused before WeasyPrint saw it: nothing left to refuse there.
    assert [d for d in warnings if d.message.startswith("PDF")] == []
    assert result.stories == 3  # the two symlinked stories were skipped

    epub, pdf = _output(result, "epub"), _output(result, "pdf")
    _assert_nothing_from_outside(anthology, epub, pdf)
    assert_epubcheck_clean(epub)


def test_pdf_refusals_are_reported_once(tmp_path: Path, listener: Listener) -> None:
    # A template the editor overrides is used by every part: what WeasyPrint's
    # fetcher refuses is reported once for the book, not once per part.
    source = tmp_path / "src"
    for name in ("1-one.md", "2-two.md", "3-three.md"):
        write_story(source, name, f"# {name[2:-3].title()}\n\nA short story.\n")
    document = BUILTIN_TEMPLATES / "document.xhtml"
    (source / "templates").mkdir()
    (source / "templates" / "document.xhtml").write_text(
        document.read_text(encoding="utf-8").replace(
            "{% block content %}", f'<img src="{listener.url}/t.png" alt=""/>{{% block content %}}'
        ),
        encoding="utf-8",
    )
    result = build(
        source, tmp_path / "out", BuildOptions(formats=("pdf",), env={}, use_cache=False)
    )
    assert listener.connections == []
    about = [d.message for d in result.diagnostics if f"{listener.url}/t.png" in d.message]
    assert len(about) == 1, about
    assert "refused to load" in about[0]


def test_refusal_names_the_stylesheet_and_hides_data_urls() -> None:
    css = b"p { color: red }\nh1 { background: url(http://example.invalid/x.png) }\n"
    fetcher = BookFetcher([Resource("css/user-1-extra.css", "text/css", css)])
    assert fetcher.refusal("http://example.invalid/x.png") == (
        "refused to load http://example.invalid/x.png (from css/user-1-extra.css, line 2)"
    )
    assert fetcher.refusal("data:image/png;base64,iVBORw0KGgo=") == "refused to load a data: URL"


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.skipif(
    not _unshare_works(),
    reason="needs 'unshare -rn' (user and network namespaces) to run packager with no network",
)
def test_cli_build_with_no_network(tmp_path: Path) -> None:
    # With no network at all, a request would fail instead of being caught by the
    # listener; the build must not need one. Port 9 is "discard": nothing listens.
    anthology = _anthology(tmp_path, "http://127.0.0.1:9")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "packager", "build", str(anthology.source), "-o", str(out)]
    done = subprocess.run(
        ["unshare", "-rn", *command, "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "links outside the source folder" in done.stderr
    assert "refused to load" in done.stderr
    epub, pdf = out / "isolation.epub", out / "isolation.pdf"
    assert epub.is_file() and pdf.is_file()
    _assert_nothing_from_outside(anthology, epub, pdf)


def _refused(tmp_path: Path) -> tuple[Path, Path]:
    """A story folder and, beside it, a secret file it must not reach."""
    source = tmp_path / "src"
    write_story(source, "1-one.md", "# One\n\nA short story.\n")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "secret.txt").write_text(SECRET_TEXT, encoding="utf-8")
    return source, secret


def _build_fails(source: Path, tmp_path: Path, *expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "packager", "build", str(source), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert SECRET_TEXT not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


def test_template_linking_outside_is_refused(tmp_path: Path) -> None:
    source, secret = _refused(tmp_path)
    (source / "templates").mkdir()
    (source / "templates" / "title.xhtml").symlink_to(secret / "secret.txt")
    _build_fails(source, tmp_path, "src/templates/title.xhtml", "links outside its folder")


def test_templates_folder_linking_outside_is_refused(tmp_path: Path) -> None:
    source, secret = _refused(tmp_path)
    (secret / "title.xhtml").write_text(SECRET_TEXT, encoding="utf-8")
    (source / "templates").symlink_to(secret)
    _build_fails(source, tmp_path, "src/templates", "links outside the source folder")


def test_collection_toml_linking_outside_is_refused(tmp_path: Path) -> None:
    source, secret = _refused(tmp_path)
    (secret / "collection.toml").write_text(f'title = "{SECRET_TEXT}"\n', encoding="utf-8")
    (source / "collection.toml").symlink_to(secret / "collection.toml")
    _build_fails(source, tmp_path, "src/collection.toml", "links outside the source folder")


def test_ordered_story_linking_outside_says_why(tmp_path: Path) -> None:
    source, secret = _refused(tmp_path)
    (secret / "2-two.md").write_text(f"# Two\n\n{SECRET_TEXT}\n", encoding="utf-8")
    (source / "2-two.md").symlink_to(secret / "2-two.md")
    (source / "collection.toml").write_text('order = ["1-one.md", "2-two.md"]\n', encoding="utf-8")
    _build_fails(source, tmp_path, "order[1]: '2-two.md' links outside the source folder")


def test_check_reports_the_editors_css(tmp_path: Path) -> None:
    """What a build would refuse in the editor's CSS, `check` reports before it."""
    source = tmp_path / "src"
    write_story(source, "1-one.md", "# One\n\nA short story.\n")
    (source / "extra.css").write_text(
        "p { color: black; }\n@import url(http://127.0.0.1:9/remote.css);\n", encoding="utf-8"
    )
    (source / "collection.toml").write_text('css = ["extra.css"]\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "packager", "check", str(source), "--strict"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert "src/extra.css:2" in result.stdout + result.stderr, result.stdout + result.stderr
