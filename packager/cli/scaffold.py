"""`packager init`: a new anthology folder that builds at once.

The files come from packager/cli/skeleton/ (a commented collection.toml, two
short sample stories in two formats, a templates/ folder with a README, and
a GitHub Actions workflow); only the title and packager's version are filled
in. An existing, non-empty folder is never written into.
"""

from __future__ import annotations

import json
from pathlib import Path

from packager import __version__
from packager.errors import ConfigError, OutputError, error
from packager.paths import display_path
from packager.text.hygiene import label

SKELETON = Path(__file__).resolve().parent / "skeleton"

# skeleton file -> where it goes in the new folder
FILES = {
    "collection.toml": "collection.toml",
    "01-first-light.txt": "01-first-light.txt",
    "02-the-kite.md": "02-the-kite.md",
    "templates/README.md": "templates/README.md",
    "build.yml": ".github/workflows/build.yml",
}


def title_from(folder: Path) -> str:
    """'summer-zine' -> 'Summer Zine', as a build titles an untitled collection."""
    words = folder.resolve().name.replace("-", " ").replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Anthology"


def init(folder: Path, title: str | None = None) -> list[Path]:
    """Create the anthology folder; return the files written, in order."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is not empty" if folder.is_dir() else "exists and is not a folder"
        raise OutputError([error(f"{what}; choose a new folder", display_path(folder))])
    name = label(title)[0] if title is not None else title_from(folder)
    if not name:
        raise ConfigError([error("--title is empty")])
    values = {
        "{title}": name,
        # A TOML basic string: JSON's escapes are TOML's (\", \\, \uXXXX).
        "{title_toml}": json.dumps(name, ensure_ascii=False),
        "{version}": __version__,
    }
    written = []
    try:
        for inner, target in FILES.items():
            text = (SKELETON / inner).read_text(encoding="utf-8")
            for key, value in values.items():
                text = text.replace(key, value)
            path = folder / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        where = display_path(Path(exc.filename or folder))
        raise OutputError([error(f"cannot write ({exc.strerror or exc})", where)]) from None
    return written
