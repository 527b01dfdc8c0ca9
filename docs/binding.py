"""Render the README's pictures of binding: an imposed sheet of the sample, and a cover wrap.

    pip install -e '.[docs]' && python docs/binding.py

The sample in stories/ is built with a [binding] table (quarto signatures on
A3, fold lines on) and both sides of its first sheet are rendered with
pypdfium2 into docs/images/imposed-sheet.png. The cover wrap is the sample's
front, spine and back as packager makes them for a 240-page book on KDP's
cream paper (the sample itself is too thin for spine text), in
docs/images/cover-wrap.png.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pypdfium2
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pages import sheet  # noqa: E402  (docs/pages.py: the README pictures' board)

from packager.binding.coverwrap import cover_wrap  # noqa: E402
from packager.binding.settings import Binding  # noqa: E402
from packager.build import BuildOptions, build  # noqa: E402

OUT = ROOT / "docs" / "images"
BINDING = '\n[binding]\nfold = "quarto"\nsheets = 1\npaper = "A3"\nfold_lines = true\n'
BLURB = (
    "A lighthouse keeper's last apprentice, a radio operator who hears a voice from thirty "
    "years ago, a tide that keeps what it takes, and the last ferry home: four stories of the "
    "harbour coast."
)


def pages(pdf: Path | bytes, indexes: list[int], scale: float) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].render(scale=scale).to_pil().convert("RGB") for i in indexes]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "stories"
        shutil.copytree(ROOT / "stories", source, ignore=shutil.ignore_patterns(".packager-*"))
        with (source / "collection.toml").open("a", encoding="utf-8") as handle:
            handle.write(BINDING)
        options = BuildOptions(formats=("imposed",), env={}, use_cache=False)
        result = build(source, Path(tmp) / "dist", options)
        imposed = next(o.path for o in result.outputs if o.format == "imposed")
        sheet(pages(imposed, [0, 1], 0.55)).save(OUT / "imposed-sheet.png", optimize=True)
    a5 = (148 * 72 / 25.4, 210 * 72 / 25.4)
    data, _, _ = cover_wrap(
        title="Lanterns at Low Tide", subtitle="Four Stories of the Harbour Coast",
        editors=["Ines Marlow", "Tobiah Greaves"], description=BLURB, pages=240, trim=a5,
        binding=Binding(paper_stock="kdp-cream"), theme="classic", image=None,
        date="D:20261101000000Z", label="collection.toml",
    )  # fmt: skip
    sheet(pages(data, [0], 0.9)).save(OUT / "cover-wrap.png", optimize=True)
    for name in ("imposed-sheet.png", "cover-wrap.png"):
        print(f"docs/images/{name}")


if __name__ == "__main__":
    main()
