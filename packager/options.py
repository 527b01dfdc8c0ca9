"""How a build runs: the command line's flags as one frozen value (BuildOptions).

collection.toml says what the book is; these say how this run makes it. The few
that change the book itself (``pdf_mode``, ``cover``) win over collection.toml.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packager.model import Settings

FORMATS = ("epub", "pdf")  # the default; "kepub" (Kobo), "imposed" and "cover" on request
ALL_FORMATS = ("epub", "kepub", "pdf", "imposed", "cover")


@dataclass(frozen=True)
class BuildOptions:
    """Everything ``build`` needs to know besides SOURCE and OUT."""

    formats: tuple[str, ...] = FORMATS
    theme: str | None = None  # --theme: wins over collection.toml's theme
    strict: bool = False  # every warning is an error
    jobs: int | None = None  # layout processes; None: every core
    cache: Path | None = None  # layout cache folder; None: SOURCE/.packager-cache
    use_cache: bool = True  # --no-cache: read and lay out everything again
    check: bool = False  # EPUBCheck before anything is written
    pdf_mode: str | None = None  # "print" or "screen" (--pdf): wins over collection.toml's pdf
    pdf_variant: str | None = None  # "pdf/ua-1": a tagged PDF
    cover: bool = True  # False (--no-cover): no cover, given or drawn
    versioned: bool = False  # outputs named <slug>-<version>
    env: Mapping[str, str] | None = None  # the environment (SOURCE_DATE_EPOCH); None: os.environ
    # --scheduler: tcp://HOST:PORT, tls://HOST:PORT or "env" (Dask's configuration) lays the
    # stories out on a Dask cluster; None: local processes (never because of a variable).
    scheduler: str | None = None

    def settings(self, settings: Settings) -> Settings:
        """collection.toml's settings with the flags that win over them."""
        flags: dict[str, Any] = {}
        if self.pdf_mode is not None:
            flags["pdf"] = self.pdf_mode
        if not self.cover:
            flags.update(cover=None, generate_cover=False)
        return dataclasses.replace(settings, **flags) if flags else settings
